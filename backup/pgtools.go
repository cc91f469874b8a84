package backup

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"

	"github.com/drive-platform/drive"
)

// PgDumpEntry holds a PostgreSQL backup's data as pg_dump wrote it, in its
// custom format, when the backup was taken with pg_dump (Manifest.Data is
// DataPgDump); otherwise each table has an entry of its own (TableEntry).
const PgDumpEntry = "database.pgdump"

// DataPgDump is Manifest.Data for a PostgreSQL backup whose data is a
// pg_dump archive.
const DataPgDump = "pg_dump"

// PgDump runs the pg_dump program prog on the database dbname (a
// connection URL without its password), connecting with env (which holds
// the password, so it never shows on a command line), reading the
// exported snapshot snapshot, and writes a custom-format archive of the
// whole database to file. Owners and privileges are left out: a restore
// loads the data into a database its own role made. Errors: EINTERNAL
// with what pg_dump said.
func PgDump(ctx context.Context, prog, dbname string, env []string, snapshot, file string) error {
	// #nosec G204 -- the operator's configured pg_dump/pg_restore with our own flags, run without a shell
	cmd := exec.CommandContext(ctx, prog, "--format=custom", "--snapshot="+snapshot, "--no-owner", "--no-privileges",
		"--file="+file, "--dbname="+dbname)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "pg_dump failed: "+firstLine(stderr.String(), err))
	}
	return nil
}

// PgRestoreTable returns one table's rows from the custom-format pg_dump
// archive file, in COPY text format, as the pg_restore program prog reads
// them out (pg_restore --data-only --table). Closing the reader ends
// pg_restore. A table the archive holds no data for is an EINVALID error
// when read.
func PgRestoreTable(ctx context.Context, prog, file, table string) (io.ReadCloser, error) {
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, prog, "--data-only", "--table="+table, "--file=-", file) // #nosec G204 -- the operator's configured pg_dump/pg_restore with our own flags, run without a shell
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, drive.Wrap(err, drive.EINTERNAL, "pg_restore could not be started")
	}
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, drive.Wrap(err, drive.EINVALID, "pg_restore could not be started: "+err.Error())
	}
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(copyData(out, pw, table, func() error {
			if err := cmd.Wait(); err != nil {
				return drive.Wrap(err, drive.EINVALID, "pg_restore could not read the backup's table "+table+": "+firstLine(stderr.String(), err))
			}
			return nil
		}))
	}()
	return &toolReader{PipeReader: pr, cancel: cancel}, nil
}

// copyData copies the COPY data of the script r (pg_restore's output for
// one table) to w: the lines after the "COPY ... FROM stdin;" line up to
// the end-of-data marker. Then it reads r to its end and calls wait.
func copyData(r io.Reader, w io.Writer, table string, wait func() error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	found, ended := false, false
	var err error
	for err == nil {
		var line []byte
		line, err = br.ReadBytes('\n')
		switch {
		case len(line) == 0:
		case ended:
		case !found:
			found = bytes.HasPrefix(line, []byte("COPY "))
		case string(line) == "\\.\n":
			ended = true
		default:
			if _, werr := w.Write(line); werr != nil {
				_, _ = io.Copy(io.Discard, br)
				_ = wait()
				return werr
			}
		}
	}
	if err != io.EOF {
		_ = wait()
		return err
	}
	if err := wait(); err != nil {
		return err
	}
	if !found || !ended {
		return drive.Errorf(drive.EINVALID, "The backup's pg_dump archive holds no data for table %s.", table)
	}
	return nil
}

// toolReader ends the program behind a pipe when closed.
type toolReader struct {
	*io.PipeReader
	cancel context.CancelFunc
}

func (t *toolReader) Close() error {
	t.cancel()
	return t.PipeReader.Close()
}

// firstLine is the first line a tool wrote to its error output, or err's
// text when it wrote nothing.
func firstLine(stderr string, err error) string {
	if s, _, _ := strings.Cut(strings.TrimSpace(stderr), "\n"); s != "" {
		return s
	}
	return fmt.Sprint(err)
}
