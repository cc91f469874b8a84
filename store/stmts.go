package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// stmtCache keeps a pool's statements prepared, by their text. SQLite
// parses and plans a statement each time it is run unprepared, and a case
// page runs about thirty: parsing was a quarter of the CPU a request cost
// under load (drive bench load, docs/benchmarks.md). A prepared statement
// is bound to each connection it has run on (database/sql keeps one a
// connection), and a transaction uses it through Tx.StmtContext, which
// reuses the connection's or prepares it there. PostgreSQL's driver keeps
// its own cache, so only SQLite pools have one.
//
// A statement is prepared on the pool in the background the first time it
// is seen, and run unprepared meanwhile: preparing on the pool needs a
// free connection, and the transaction asking may hold the only one (the
// SQLite writer), so waiting for it could wait for ever. A preparation
// that fails (most often because a long import held the writer past the
// preparation's minute) is tried again when the statement is next run
// after retryPrepare, rather than left unprepared for as long as the
// server runs.
type stmtCache struct {
	pool    *sql.DB
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
	// failed holds when each statement whose preparation failed may be
	// tried again.
	failed map[string]time.Time
	now    func() time.Time
	closed bool
	// ctx ends the background preparations when the database closes,
	// and running counts them, so that none opens a connection to the
	// file after Close has returned (a restore replaces the file then).
	ctx     context.Context
	cancel  context.CancelFunc
	running sync.WaitGroup
}

// maxCachedStmts bounds the cache: statements are written in the code,
// but some carry one placeholder an item of a list, and those vary.
const maxCachedStmts = 2000

// retryPrepare is how long a statement whose preparation failed is run
// unprepared before its preparation is tried again.
const retryPrepare = time.Minute

func newStmtCache(pool *sql.DB) *stmtCache {
	ctx, cancel := context.WithCancel(context.Background())
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, pending: map[string]bool{}, failed: map[string]time.Time{},
		now: time.Now, ctx: ctx, cancel: cancel}
}

// get returns the prepared statement for q, or nil when it is not
// prepared yet (it is then being prepared) or cannot be: the caller runs
// q unprepared, as it always could.
func (c *stmtCache) get(q string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[q]; ok || c.closed || c.pending[q] {
		return st
	}
	if again, ok := c.failed[q]; ok {
		if c.now().Before(again) {
			return nil
		}
		delete(c.failed, q)
	}
	if len(c.m)+len(c.pending)+len(c.failed) >= maxCachedStmts {
		return nil
	}
	c.pending[q] = true
	c.running.Add(1)
	go c.prepare(q)
	return nil
}

func (c *stmtCache) prepare(q string) {
	defer c.running.Done()
	ctx, cancel := context.WithTimeout(c.ctx, time.Minute)
	defer cancel()
	st, err := c.pool.PrepareContext(ctx, q)
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, q)
	if err != nil || c.closed {
		// A statement that does not prepare runs unprepared, and fails
		// there with its own error if it is wrong; its preparation is
		// tried again after retryPrepare.
		if err == nil {
			_ = st.Close()
		} else if !c.closed {
			c.failed[q] = c.now().Add(retryPrepare)
		}
		return
	}
	c.m[q] = st
}

// close stops the preparations under way and closes every statement,
// before the pool itself is closed.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.cancel()
	c.running.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		_ = st.Close()
		delete(c.m, q)
	}
}
