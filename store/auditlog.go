package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
)

// Audit appends an event to the hash-chained audit log inside this
// transaction, so the record of a change commits or rolls back with the
// change itself. A zero At is set to the transaction's clock. In a
// transaction begun by Read, the event is instead appended once the read
// is over (see audit_batch.go); in one begun by View, Audit fails.
//
// On PostgreSQL a transaction-scoped advisory lock serialises appends
// across replicas: each event must know its predecessor's hash.
func (tx *Tx) Audit(ctx context.Context, e audit.Event) error {
	if !tx.writing && tx.audited == nil {
		return drive.Errorf(drive.EINTERNAL, "audit event %q written in a read-only transaction", e.Action)
	}
	if e.At.IsZero() {
		e.At = tx.Now
	}
	if e.RequestID == "" {
		e.RequestID = audit.RequestIDFrom(ctx)
	}
	if !tx.writing {
		// Checked now, so an invalid event fails the read that made
		// it and not the batch it would have joined.
		if err := e.Validate(); err != nil {
			return drive.Wrap(err, drive.EINTERNAL, "the audit event could not be recorded")
		}
		*tx.audited = append(*tx.audited, e)
		return nil
	}
	if err := tx.lockAudit(ctx); err != nil {
		return err
	}
	head, err := tx.auditHead(ctx)
	if err != nil {
		return err
	}
	_, err = tx.appendAudit(ctx, head, e)
	return err
}

// lockAudit takes, on PostgreSQL, the lock that orders appends to the
// chain until the transaction ends; SQLite's one writer orders them
// already.
func (tx *Tx) lockAudit(ctx context.Context) error {
	if tx.d.name != "postgres" {
		return nil
	}
	_, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(1146243415)`)
	return err
}

// appendAudit seals e after head and stores it, returning the new head.
func (tx *Tx) appendAudit(ctx context.Context, head audit.Head, e audit.Event) (audit.Head, error) {
	sealed, err := head.Next(e)
	if err != nil {
		// An invalid event is a programming error, not the user's input.
		return head, drive.Wrap(err, drive.EINTERNAL, "the audit event could not be recorded")
	}
	_, err = tx.exec(ctx, `INSERT INTO audit_events (seq, at, actor_id, actor_role, action, record_type, record_id, site_id, remote, reason, outcome, prev_hash, hash, request_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		sealed.Seq, sealed.At, sealed.ActorID, sealed.ActorRole, sealed.Action, sealed.RecordType, sealed.RecordID,
		sealed.SiteID, sealed.Remote, sealed.Reason, sealed.Outcome, sealed.PrevHash, sealed.Hash, sealed.RequestID)
	if err != nil {
		return head, err
	}
	return audit.Head{Seq: sealed.Seq, Hash: sealed.Hash}, nil
}

// appendAudits seals events after head, in order, and stores them with
// as few statements as it can (auditRowsPerStatement rows each), returning
// the new head. The audit queue appends a batch of reads' events this way:
// on PostgreSQL every statement is a round trip made while the chain's
// lock is held, and every reader of the batch waits for the last one.
func (tx *Tx) appendAudits(ctx context.Context, head audit.Head, events []audit.Event) (audit.Head, error) {
	for len(events) > 0 {
		n := min(len(events), auditRowsPerStatement)
		var q strings.Builder
		q.WriteString(`INSERT INTO audit_events (seq, at, actor_id, actor_role, action, record_type, record_id, site_id, remote, reason, outcome, prev_hash, hash, request_id) VALUES `)
		args := make([]any, 0, 14*n)
		for i, e := range events[:n] {
			sealed, err := head.Next(e)
			if err != nil {
				return head, drive.Wrap(err, drive.EINTERNAL, "the audit event could not be recorded")
			}
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, sealed.Seq, sealed.At, sealed.ActorID, sealed.ActorRole, sealed.Action, sealed.RecordType, sealed.RecordID,
				sealed.SiteID, sealed.Remote, sealed.Reason, sealed.Outcome, sealed.PrevHash, sealed.Hash, sealed.RequestID)
			head = audit.Head{Seq: sealed.Seq, Hash: sealed.Hash}
		}
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return head, err
		}
		events = events[n:]
	}
	return head, nil
}

// auditRowsPerStatement bounds the rows of one INSERT of audit events: few
// enough that each count of rows is one statement text kept prepared
// (stmts.go), and the placeholders stay far below either engine's limit.
const auditRowsPerStatement = 64

func (tx *Tx) auditHead(ctx context.Context) (audit.Head, error) {
	var h audit.Head
	err := tx.queryRow(ctx, `SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1`).Scan(&h.Seq, &h.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Head{}, nil
	}
	if err != nil {
		return audit.Head{}, tx.d.mapError(err)
	}
	return h, nil
}

const auditColumns = `seq, at, actor_id, actor_role, action, record_type, record_id, site_id, remote, reason, outcome, prev_hash, hash, request_id`

func scanAudit(row interface{ Scan(...any) error }) (audit.Event, error) {
	var e audit.Event
	err := row.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorRole, &e.Action, &e.RecordType, &e.RecordID, &e.SiteID, &e.Remote, &e.Reason, &e.Outcome, &e.PrevHash, &e.Hash, &e.RequestID)
	e.At = e.At.UTC()
	return e, err
}

// EachAuditEvent calls fn for every audit event in storage order (by
// sequence number), streaming so that millions of events need little
// memory. It reads outside any transaction the caller holds.
func (db *DB) EachAuditEvent(ctx context.Context, fn func(audit.Event) error) error {
	rows, err := db.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_events ORDER BY seq`)
	if err != nil {
		return db.dialect.mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return db.dialect.mapError(err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return db.dialect.mapError(rows.Err())
}

// AuditFilter selects audit events for the DPO's views.
type AuditFilter struct {
	RecordType string
	RecordID   string
	ActorID    int64
	SiteID     int64 // 0 = all sites
	Limit      int   // default 200
	// ActorIDs, if any, are the users whose events are wanted (with
	// ActorID, either matches).
	ActorIDs []int64
	// Actions, if any, are the actions wanted.
	Actions []string
	// From and To bound when the events happened: From inclusive, To
	// exclusive; zero for no bound.
	From, To time.Time
	// Part, if set, is a part of a record (audit.Parts): only writes
	// whose reason names it (audit.Part) are wanted, wherever it stands
	// among the reason's pieces.
	Part string
	// WithSignIns adds, to a SiteID's events, the signing in and out
	// (audit.IsSignIn) of users who hold a role at the site: those events
	// touch no site's data, so they carry no site.
	WithSignIns bool
}

// AuditEvents returns the newest events matching f, newest first.
func (tx *Tx) AuditEvents(ctx context.Context, f AuditFilter) ([]audit.Event, error) {
	q := `SELECT ` + auditColumns + ` FROM audit_events WHERE 1=1`
	var args []any
	if f.RecordType != "" {
		q += ` AND record_type = ?`
		args = append(args, f.RecordType)
	}
	if f.RecordID != "" {
		q += ` AND record_id = ?`
		args = append(args, f.RecordID)
	}
	actors := f.ActorIDs
	if f.ActorID != 0 {
		actors = append([]int64{f.ActorID}, actors...)
	}
	if len(actors) > 0 {
		q += ` AND actor_id IN (` + placeholders(len(actors)) + `)`
		for _, id := range actors {
			args = append(args, id)
		}
	}
	if len(f.Actions) > 0 {
		q += ` AND action IN (` + placeholders(len(f.Actions)) + `)`
		for _, a := range f.Actions {
			args = append(args, a)
		}
	}
	if f.Part != "" {
		// The reason is pieces joined by "; " (audit.Reason): the part
		// is the whole reason, or its first, last or a middle piece.
		// LIKE's wildcards in the part are escaped, so it matches only
		// itself.
		piece := likeEscape(audit.Part(f.Part))
		q += ` AND (reason = ? OR reason LIKE ? ESCAPE '\' OR reason LIKE ? ESCAPE '\' OR reason LIKE ? ESCAPE '\')`
		args = append(args, audit.Part(f.Part), piece+"; %", "%; "+piece, "%; "+piece+"; %")
	}
	if !f.From.IsZero() {
		q += ` AND at >= ?`
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		q += ` AND at < ?`
		args = append(args, f.To.UTC())
	}
	switch {
	case f.SiteID != 0 && f.WithSignIns:
		q += ` AND (site_id = ? OR (site_id = 0 AND (action LIKE 'signin.%' OR action LIKE 'reauth.%' OR action = 'session.end')
			AND actor_id IN (SELECT user_id FROM role_assignments WHERE site_id = ?)))`
		args = append(args, f.SiteID, f.SiteID)
	case f.SiteID != 0:
		q += ` AND site_id = ?`
		args = append(args, f.SiteID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	q += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Event
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, e)
	}
	return out, tx.d.mapError(rows.Err())
}
