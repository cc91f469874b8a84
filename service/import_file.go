package service

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"os"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/tabular"
)

// A file to import (sent by a feed, dropped in the inbox or uploaded) is
// never held whole in memory on its way into an import job: it is first
// copied to a temporary file, counting and hashing it, so that a slow
// sender does not hold the database's writer; then written into the job
// a chunk (store.ImportChunkSize) at a time in one short transaction.
// The worker reads it back a chunk at a time (jobFile). The temporary
// file is unlinked as soon as it is closed, readable only by the server
// (mode 0600), and lives no longer than the request. An analyst's upload
// is spooled the same way at its check, read from the temporary file,
// and kept in chunks until it is confirmed (store.PendingUpload).

// spooled is a file to import held in a temporary file.
type spooled struct {
	f    *os.File
	size int64
	sum  []byte
}

// spoolImport copies r to a temporary file. Errors: EINVALID for an
// empty file or one that could not be read (wrapping the reader's error,
// so a caller can tell a body over its limit); ETOOLARGE for a file over
// MaxImportFile.
func spoolImport(r io.Reader) (*spooled, error) {
	sp, err := spool(r)
	if err != nil {
		return nil, err
	}
	if sp.size == 0 {
		sp.close()
		return nil, drive.Invalid("The file is empty", map[string]string{"file": "send the file as the request body"})
	}
	return sp, nil
}

// spool copies r to a temporary file, empty or not, and leaves it at its
// start. Errors: as spoolImport.
func spool(r io.Reader) (*spooled, error) {
	f, err := os.CreateTemp("", "drive-import-*")
	if err != nil {
		return nil, err
	}
	sp := &spooled{f: f}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, MaxImportFile+1))
	switch {
	case err != nil:
		sp.close()
		return nil, drive.Wrap(err, drive.EINVALID, "The file could not be read: send it again")
	case n > MaxImportFile:
		sp.close()
		return nil, drive.Errorf(drive.ETOOLARGE, "The file is larger than %d MiB", MaxImportFile>>20)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		sp.close()
		return nil, err
	}
	sp.size, sp.sum = n, h.Sum(nil)
	return sp, nil
}

func (sp *spooled) close() {
	sp.f.Close()
	os.Remove(sp.f.Name())
}

// store writes the file into job id's chunks, and then lets go of the
// pages they left in the connection's cache: they are read again only
// when the job runs, and on SQLite would otherwise fill the writer's
// cache with the file for as long as the server runs.
func (sp *spooled) store(ctx context.Context, tx *store.Tx, id int64) error {
	if err := sp.chunks(func(seq int, data []byte) error { return tx.AddImportJobChunk(ctx, id, seq, data) }); err != nil {
		return err
	}
	return tx.ReleaseCache(ctx)
}

// chunks hands the file to add a chunk (store.ImportChunkSize) at a time.
func (sp *spooled) chunks(add func(seq int, data []byte) error) error {
	if _, err := sp.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	buf := make([]byte, store.ImportChunkSize)
	for seq := 0; ; seq++ {
		n, err := io.ReadFull(sp.f, buf)
		if n > 0 {
			if err := add(seq, buf[:n]); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// jobFile reads a queued job's file back a chunk at a time, each chunk in
// a read transaction of its own (or, with tx set, in that transaction:
// the import reads the file again inside its own), so that no more than
// a chunk of it is held at once, in the process or, in a read
// transaction of its own, in the connection's cache (store.Tx.ReleaseCache).
type jobFile struct {
	ctx  context.Context
	db   *store.DB
	tx   *store.Tx
	id   int64
	seq  int
	buf  []byte
	done bool
}

func (r *jobFile) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, io.EOF
		}
		var data []byte
		var ok bool
		var err error
		if r.tx != nil {
			data, ok, err = r.tx.ImportJobChunk(r.ctx, r.id, r.seq)
		} else {
			err = r.db.View(r.ctx, func(tx *store.Tx) error {
				var err error
				if data, ok, err = tx.ImportJobChunk(r.ctx, r.id, r.seq); err != nil {
					return err
				}
				return tx.ReleaseCache(r.ctx)
			})
		}
		if err != nil {
			return 0, err
		}
		if !ok {
			r.done = true
			return 0, io.EOF
		}
		r.buf, r.seq = data, r.seq+1
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// rescan reads a job's file again, inside the import's transaction tx,
// exactly as it was checked (the same mappings, day and options), and
// hands each incident to each. The file was found good when checked, so
// a problem now means it changed underneath: an internal error, and the
// import rolls back.
func rescan(ctx context.Context, tx *store.Tx, jobID int64, cands []incident.NamedMapping, today drive.Date, opt tabular.Options, each func(incident.Record) error) error {
	var stop error
	sc, err := incident.ScanFileChoosing(&jobFile{ctx: ctx, tx: tx, id: jobID}, cands, today, opt, func(r incident.Record, found int) {
		if stop == nil && found == 0 {
			stop = each(r)
		}
	})
	switch {
	case stop != nil:
		return stop
	case err != nil:
		return err
	case sc.Found() > 0:
		return drive.Errorf(drive.EINTERNAL, "import job %d: the file read again has %d problems it did not have when checked", jobID, sc.Found())
	}
	return nil
}
