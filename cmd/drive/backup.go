package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/backup"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
)

// runBackup is drive backup: a consistent online backup of the whole
// database into one file, with a manifest and an audit checkpoint signed
// with the audit signing key (docs/data-protection.md).
func runBackup(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return usageError{err.Error()}
	}
	out := fs.String("out", "", "`FILE` to write the backup to; it must not exist yet")
	defKey := e.getenv("DRIVE_AUDIT_SIGNING_KEY_FILE")
	keyPath := fs.String("signing-key", defKey, "audit signing key `FILE` (PEM, from drive audit keygen) that signs the backup's checkpoint and manifest (env DRIVE_AUDIT_SIGNING_KEY_FILE)")
	cpOut := fs.String("checkpoint-out", "", "`FILE` to write the backup's signed audit checkpoint to (default: the backup's name with .checkpoint.json added)")
	tmpDir := fs.String("temp-dir", "", "`DIR` for the SQLite snapshot or the pg_dump archive before it goes into the backup (default: the system's temporary folder); it needs room for one copy of the database")
	pgDump := fs.String("pg-dump", "auto", "on PostgreSQL, the pg_dump `PROGRAM` that writes the data in its custom format: auto (pg_dump if it is on PATH, else the service's own export), off (the service's own export), or a path")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dumpProg, err := pgTool("pg-dump", "pg_dump", *pgDump)
	if err != nil {
		return err
	}
	if *out == "" {
		return usageError{"say where to write the backup with --out FILE"}
	}
	if *keyPath == "" {
		return usageError{"no signing key: pass --signing-key FILE (the audit signing key, see drive audit keygen) or set DRIVE_AUDIT_SIGNING_KEY_FILE"}
	}
	if *cpOut == "" {
		*cpOut = *out + ".checkpoint.json"
	}
	for _, p := range []string{*out, *cpOut} {
		if _, err := os.Lstat(p); err == nil {
			return usageError{fmt.Sprintf("%s already exists; a backup never overwrites a file", p)}
		}
	}
	priv, err := readSigningKey(*keyPath, stderr)
	if err != nil {
		return err
	}
	d, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer d.Close()
	if d.Svc.Keys == nil {
		fmt.Fprintln(stderr, "drive backup: warning: no key file found, so the backup does not record which keys its sealed values need")
	}
	started := time.Now()
	var res service.BackupResult
	err = writeStreamed(*out, 0o600, func(w io.Writer) error {
		var err error
		res, err = d.Svc.Backup(ctx, service.CommandLine(), w, service.BackupOptions{SigningKey: priv, TempDir: *tmpDir, PgDump: dumpProg})
		return err
	})
	if err != nil {
		return err
	}
	if err := writeNewFile(*cpOut, res.CheckpointFile, 0o644); err != nil {
		return err
	}
	var rows int64
	for _, t := range res.Manifest.Tables {
		rows += t.Rows
	}
	fmt.Fprintf(stdout, "Wrote %s: a %s backup of %d tables and %d rows, made %s, in %s.\n", *out, res.Manifest.Engine,
		len(res.Manifest.Tables), rows, res.Manifest.MadeAt.Format("2006-01-02 15:04:05 UTC"), time.Since(started).Round(time.Millisecond))
	switch {
	case res.Manifest.Data == backup.DataPgDump:
		fmt.Fprintf(stdout, "Its data is a pg_dump archive (custom format, written by %s) from the same snapshot as its manifest.\n", dumpProg)
	case res.Manifest.Engine == "postgres":
		fmt.Fprintln(stdout, "Its data is the service's own export (no pg_dump was used), each table in COPY text format.")
	}
	fmt.Fprintf(stdout, "The audit log verified up to event %d (hash %s); its checkpoint, signed with key %s, is in the backup and in %s.\n",
		res.Checkpoint.Seq, hex.EncodeToString(res.Checkpoint.Hash), res.Checkpoint.KeyID, *cpOut)
	if res.Manifest.Keys.Current != "" {
		fmt.Fprintf(stdout, "Its sealed values need the key file holding key %s (keys listed: %v); the key file is not in the backup.\n", res.Manifest.Keys.Current, res.Manifest.Keys.KeyIDs)
	}
	fmt.Fprintln(stdout, "Keep a copy of the checkpoint where the database's administrators cannot change it: drive audit verify --checkpoint shows any later rollback.")
	return nil
}

// runRestore is drive restore: a backup into an empty database, checked
// against its signed manifest before it is used.
func runRestore(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return usageError{err.Error()}
	}
	from := fs.String("from", "", "backup `FILE` written by drive backup")
	pubPath := fs.String("public-key", e.getenv("DRIVE_AUDIT_PUBLIC_KEY_FILE"), "audit public key `FILE` (PEM) that checks the backup's signatures (env DRIVE_AUDIT_PUBLIC_KEY_FILE)")
	keysPath := fs.String("keys", c.Keys, "key `FILE` the restored database will be served with (env DRIVE_KEYS_FILE; default drive-keys.json beside a SQLite --db)")
	pgRestore := fs.String("pg-restore", "auto", "the pg_restore `PROGRAM` that reads a backup taken with pg_dump: auto (pg_restore if it is on PATH) or a path")
	tmpDir := fs.String("temp-dir", "", "`DIR` where a pg_dump archive is written out for pg_restore (default: the system's temporary folder)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	restoreProg, err := pgTool("pg-restore", "pg_restore", *pgRestore)
	if err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	switch {
	case *from == "":
		return usageError{"say which backup to restore with --from FILE"}
	case *pubPath == "":
		return usageError{"no public key: pass --public-key FILE (or set DRIVE_AUDIT_PUBLIC_KEY_FILE); a backup whose signature is not checked could be anyone's"}
	}
	pub, err := readAuditPublicKey(*pubPath)
	if err != nil {
		return err
	}
	keys, _, err := loadKeyring(*keysPath, c.DB, stderr)
	if err != nil {
		return err
	}
	f, err := os.Open(*from)
	if err != nil {
		return usageError{fmt.Sprintf("cannot open the backup: %v", err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return usageError{fmt.Sprintf("cannot read the backup: %v", err)}
	}
	arc, err := backup.OpenArchive(f, st.Size())
	if err != nil {
		return usageError{fmt.Sprintf("%s: %s", *from, describe(err))}
	}
	started := time.Now()
	rep, err := service.Restore(ctx, arc, c.DB, service.RestoreOptions{PublicKey: pub, Keys: keys, PgRestore: restoreProg, TempDir: *tmpDir}, c.now)
	if err != nil {
		if errors.Is(err, backup.ErrBadSignature) || errors.Is(err, audit.ErrBadSignature) {
			return fmt.Errorf("the backup cannot be trusted, and nothing was restored: %s", describe(err))
		}
		return fmt.Errorf("nothing was restored: %s", describe(err))
	}
	fmt.Fprintf(stdout, "Restored %s into %s in %s: %d tables and %d rows, each matching the backup's signed manifest.\n",
		*from, dbName(c.DB), time.Since(started).Round(time.Millisecond), len(rep.Manifest.Tables), rep.Rows)
	fmt.Fprintf(stdout, "The audit log verifies up to the backup's checkpoint (event %d), and the restore is recorded after it. %d sealed values open with the key file.\n",
		rep.Audit.HeadSeq, rep.Sealed)
	return nil
}

// pgTool resolves a --pg-dump or --pg-restore flag: "auto" is the program
// name on PATH, or "" when it is not there; "off" is ""; anything else is
// the path of the program, which must exist.
func pgTool(flagName, name, value string) (string, error) {
	switch value {
	case "auto":
		p, err := exec.LookPath(name)
		if err != nil {
			return "", nil
		}
		return p, nil
	case "off", "":
		return "", nil
	}
	if _, err := exec.LookPath(value); err != nil {
		return "", usageError{fmt.Sprintf("--%s %s: no such program (%v)", flagName, value, err)}
	}
	return value, nil
}

// readSigningKey reads the audit signing key, warning (as for the key
// file) if other users could read it.
func readSigningKey(path string, stderr io.Writer) (ed25519.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{fmt.Sprintf("cannot read the signing key: %v", err)}
	}
	if err := sealed.CheckFileMode(path); errors.Is(err, sealed.ErrFileMode) {
		fmt.Fprintf(stderr, "drive: warning: %v\n", err)
	}
	priv, err := audit.ParsePrivateKey(data)
	if err != nil {
		return nil, usageError{fmt.Sprintf("%s: %s", path, describe(err))}
	}
	return priv, nil
}

// writeStreamed writes path through fill, which streams into it: the file
// is written beside path under a name of its own, synced, and linked into
// place only when fill succeeds, so path is never left half written and
// an existing file there is never replaced.
func writeStreamed(path string, perm os.FileMode, fill func(io.Writer) error) error {
	var b [6]byte
	_, _ = rand.Read(b[:])
	tmp := path + ".partial-" + hex.EncodeToString(b[:])
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return usageError{fmt.Sprintf("cannot create %s: %v", path, err)}
	}
	defer os.Remove(tmp)
	err = fill(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(tmp, path); err != nil {
		return usageError{fmt.Sprintf("cannot write %s: %v", path, err)}
	}
	return nil
}
