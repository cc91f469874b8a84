package store

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// TestStmtCacheRetriesAFailedPreparation: a statement whose preparation
// fails runs unprepared, and its preparation is tried again once
// retryPrepare has passed, rather than never, so a statement first met
// while a long import held the writer is prepared once the import is
// over.
func TestStmtCacheRetriesAFailedPreparation(t *testing.T) {
	pool, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "stmts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	c := newStmtCache(pool)
	defer c.close()
	clock := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return clock }
	const q = "SELECT n FROM later"

	// The table does not exist yet: the preparation fails.
	if st := c.get(q); st != nil {
		t.Fatal("a statement seen for the first time came back prepared")
	}
	c.running.Wait()
	if _, err := pool.Exec("CREATE TABLE later (n INTEGER)"); err != nil {
		t.Fatal(err)
	}

	// Within retryPrepare it is not tried again.
	clock = clock.Add(retryPrepare - time.Second)
	if st := c.get(q); st != nil {
		t.Fatal("a statement whose preparation failed came back prepared")
	}
	c.running.Wait()
	if c.pending[q] || c.m[q] != nil {
		t.Fatal("a failed preparation was tried again before retryPrepare had passed")
	}

	// After it, the next use prepares it, and the one after gets it.
	clock = clock.Add(2 * time.Second)
	_ = c.get(q)
	c.running.Wait()
	if st := c.get(q); st == nil {
		t.Fatal("the statement was not prepared once retryPrepare had passed")
	}
	if len(c.failed) != 0 || len(c.pending) != 0 {
		t.Fatalf("after a preparation that worked: %d failed, %d pending; want none", len(c.failed), len(c.pending))
	}
}
