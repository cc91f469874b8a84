package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// A SQLite database in WAL mode appends every commit to its write-ahead
// log, and a checkpoint copies the log back into the database file and
// syncs both. By default the commit that takes the log past a thousand
// pages runs that checkpoint itself, before it returns, on the one writer
// connection: every write and every audited read (whose events the writer
// appends) then waited behind the copying and two fsyncs. In execution
// traces of drive bench load the checkpoints were the writer's only waits
// of tens of milliseconds that were not for a core.
//
// So the writer does not checkpoint (wal_autocheckpoint(0) in sqliteDSN),
// and the checkpointer does instead: a goroutine with a connection of its
// own that runs a PASSIVE checkpoint once checkpointCommits commits or
// checkpointEvery have gone by since the last, whichever comes first, and
// only if something was committed. A passive checkpoint waits for
// no reader or writer and takes no lock they need: it copies what no
// reader still needs, and the log is started again by the next write once
// all of it was copied, as before. The database is as durable as before
// (synchronous(NORMAL): a commit is in the log, the log is synced by the
// checkpoint), and the log is bounded as before, by how often readers
// let a checkpoint finish.

// checkpointEvery and checkpointCommits say how often the log is copied
// while writes go on. Not more often: the first commit after a complete
// checkpoint starts the log again and syncs its header, on the writer, so
// each checkpoint still costs the writer one fsync (a checkpoint every
// second cost one commit in thirty a sync at a practitioner's pace). Not
// less often: the log grows until it is copied. A few hundred small
// commits are about SQLite's own threshold of a thousand pages.
const (
	checkpointEvery   = 10 * time.Second
	checkpointCommits = 500
	checkpointPoll    = time.Second
)

type checkpointer struct {
	pool    *sql.DB
	every   time.Duration
	commits atomic.Int64 // commits since the last checkpoint
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func newCheckpointer(path string, every time.Duration) (*checkpointer, error) {
	pool, err := sql.Open("sqlite", sqliteCheckpointDSN(path))
	if err != nil {
		return nil, err
	}
	pool.SetMaxOpenConns(1)
	pool.SetMaxIdleConns(1)
	c := &checkpointer{pool: pool, every: every, stop: make(chan struct{}), done: make(chan struct{})}
	go c.run()
	return c, nil
}

// sqliteCheckpointDSN opens the checkpointer's connection: the same file
// and log as the others, with a short busy timeout (a passive checkpoint
// never waits; this only bounds opening the connection).
func sqliteCheckpointDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(1000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
}

// written notes a commit, for the next checkpoint to copy. Safe on a nil
// checkpointer (PostgreSQL).
func (c *checkpointer) written() {
	if c != nil {
		c.commits.Add(1)
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	tick := time.NewTicker(min(c.every, checkpointPoll))
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		if n := c.commits.Load(); n >= checkpointCommits || n > 0 && time.Since(last) >= c.every {
			_, _, _ = c.checkpoint()
			last = time.Now()
		}
	}
}

// checkpoint runs one passive checkpoint and says how many pages the log
// held and how many of them are now in the database file. A failure (a
// full disk, say) leaves the log as it was, to be copied by the next one;
// the commits in it are safe either way.
func (c *checkpointer) checkpoint() (logged, copied int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := c.commits.Swap(0)
	var busy int
	if err := c.pool.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied); err != nil {
		c.commits.Add(n)
		return 0, 0, err
	}
	if copied < logged {
		// A reader still needed part of the log: copy the rest later.
		c.commits.Add(max(n, 1))
	}
	return logged, copied, nil
}

// close stops the checkpointer and closes its connection, before the
// other pools are closed (the last connection to close copies what is
// left).
func (c *checkpointer) close() {
	if c == nil {
		return
	}
	c.once.Do(func() { close(c.stop) })
	<-c.done
	_ = c.pool.Close()
}
