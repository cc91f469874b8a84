package store_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestAuditWriterDoesNotCheckpoint holds the SQLite writer to committing
// only: past SQLite's own threshold of a thousand pages of log, a commit
// would have copied the log into the database file (and synced it) before
// returning, while every audited read waited for the writer. The
// checkpointer copies it instead, and the log then starts again.
func TestAuditWriterDoesNotCheckpoint(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "drive.db"), store.Options{Now: storetest.FixedClock(storetest.Epoch)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	checkpoint := db.HoldCheckpoints()
	write := func(rows int) {
		t.Helper()
		blob := bytes.Repeat([]byte{7}, 64<<10)
		for i := 0; i < rows; i++ {
			err := db.Transact(ctx, func(tx *store.Tx) error {
				return tx.RawExec(ctx, `INSERT INTO filler (b) VALUES (?)`, blob)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.RawExec(ctx, `CREATE TABLE filler (b BLOB)`) }); err != nil {
		t.Fatal(err)
	}
	write(100) // about 1,600 pages of 4 KiB
	logged, copied, err := checkpoint()
	if err != nil {
		t.Fatal(err)
	}
	if logged < 1500 {
		t.Errorf("the log held %d pages after 6 MiB of commits: the writer checkpointed it", logged)
	}
	if copied != logged {
		t.Errorf("with no reader, the checkpoint copied %d of %d pages", copied, logged)
	}
	write(1)
	if logged, _, err = checkpoint(); err != nil {
		t.Fatal(err)
	}
	if logged > 100 {
		t.Errorf("after a full checkpoint the next commit left %d pages in the log: it did not start again", logged)
	}
}
