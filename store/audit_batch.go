package store

import (
	"context"
	"sync"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
)

// Reads are audited, and every audit event is a write. Were each read a
// write transaction, every page on SQLite would queue for its one writer
// for as long as the page takes to read, and on PostgreSQL every read
// would hold the lock that orders the chain. Instead a read runs in a
// read-only transaction (DB.Read) and hands its events to the audit
// queue: one goroutine that appends the events of all the reads waiting,
// in one transaction, and tells each reader when its events are
// committed. The reader answers only then, so no read is shown that the
// log does not hold; a batch that fails fails every reader in it.
//
// Writes still audit inside their own transaction (Tx.Audit), so a
// change and its record commit together; both paths append through the
// same head-reading code under the same lock, so the chain stays whole.

// maxAuditBatch bounds the events one transaction appends: enough for
// every reader of a busy server, few enough that a batch commits in
// milliseconds.
const maxAuditBatch = 512

// auditBatchTimeout bounds how long a batch may take to commit, so a
// stuck database fails the waiting readers instead of holding them.
const auditBatchTimeout = 30 * time.Second

type auditRequest struct {
	events []audit.Event
	done   chan error // buffered: the queue never waits for a reader
}

type auditQueue struct {
	db   *DB
	reqs chan *auditRequest
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func newAuditQueue(db *DB) *auditQueue {
	q := &auditQueue{db: db, reqs: make(chan *auditRequest, maxAuditBatch), stop: make(chan struct{}), done: make(chan struct{})}
	go q.run()
	return q
}

// append queues events and waits until they are committed, or the
// batch holding them failed, or ctx ends (the events may then still be
// committed: a read the caller gave up on is recorded all the same).
func (q *auditQueue) append(ctx context.Context, events []audit.Event) error {
	r := &auditRequest{events: events, done: make(chan error, 1)}
	select {
	case q.reqs <- r:
	case <-q.stop:
		return drive.Errorf(drive.EUNAVAILABLE, "the database is closing; try again")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (q *auditQueue) run() {
	defer close(q.done)
	for {
		var first *auditRequest
		select {
		case first = <-q.reqs:
		case <-q.stop:
			q.refuseWaiting()
			return
		}
		batch := []*auditRequest{first}
		n := len(first.events)
	collect:
		for n < maxAuditBatch {
			select {
			case r := <-q.reqs:
				batch = append(batch, r)
				n += len(r.events)
			default:
				break collect
			}
		}
		err := q.commit(batch)
		for _, r := range batch {
			r.done <- err
		}
	}
}

// refuseWaiting answers the requests queued when the database closed.
func (q *auditQueue) refuseWaiting() {
	for {
		select {
		case r := <-q.reqs:
			r.done <- drive.Errorf(drive.EUNAVAILABLE, "the database is closing; try again")
		default:
			return
		}
	}
}

// commit appends a batch's events in order, in one transaction.
func (q *auditQueue) commit(batch []*auditRequest) error {
	ctx, cancel := context.WithTimeout(context.Background(), auditBatchTimeout)
	defer cancel()
	var events []audit.Event
	for _, r := range batch {
		events = append(events, r.events...)
	}
	return q.db.run(ctx, q.db.auditPool, false, func(tx *Tx) error {
		if err := tx.lockAudit(ctx); err != nil {
			return err
		}
		head, err := tx.auditHead(ctx)
		if err != nil {
			return err
		}
		_, err = tx.appendAudits(ctx, head, events)
		return err
	})
}

// close stops the queue once the requests it holds are answered.
func (q *auditQueue) close() {
	if q == nil {
		return
	}
	q.once.Do(func() { close(q.stop) })
	<-q.done
}

// Read runs fn in a read-only transaction, as View does, except that fn
// may audit what it read (Tx.Audit): its events are appended to the log
// after fn returns, together with other reads' events, and Read returns
// only once they are committed. If fn fails nothing is recorded; if the
// events cannot be recorded Read fails, so the caller shows nothing
// unrecorded. Use it for audited reads; a use case that changes anything
// uses Transact, where the change and its record commit together.
func (db *DB) Read(ctx context.Context, fn func(tx *Tx) error) error {
	var events []audit.Event
	err := db.run(ctx, db.read, true, func(tx *Tx) error {
		tx.audited = &events
		events = events[:0]
		return fn(tx)
	})
	if err != nil || len(events) == 0 {
		return err
	}
	return db.audits.append(ctx, events)
}
