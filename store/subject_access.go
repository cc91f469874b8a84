package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/subjectaccess"
	"github.com/drive-platform/drive/victim"
)

const sarColumns = `id, subject_kind, COALESCE(person_id, victim_case_id, user_id, child_id), requester, identity_check, received_on, due_on, extension_reason, state, recorded_by, approved_by, approved_at, created_at`

// CreateSubjectAccessRequest stores a validated request, setting its ID
// and CreatedAt.
func (tx *Tx) CreateSubjectAccessRequest(ctx context.Context, r *subjectaccess.Request) error {
	r.CreatedAt = tx.Now
	column, ok := sarSubjectColumns[r.Kind]
	if !ok {
		return drive.Invalid("The request cannot be recorded.", map[string]string{"kind": "Choose whose records are asked for."})
	}
	id, err := tx.insert(ctx, `INSERT INTO subject_access_requests (subject_kind, `+column+`, requester, identity_check, received_on, due_on, extension_reason, state, recorded_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, string(r.Kind), r.SubjectID, r.Requester, r.IdentityCheck, r.ReceivedOn, r.DueOn, r.ExtensionReason, string(r.State), r.RecordedBy, r.CreatedAt)
	r.ID = id
	return err
}

// sarSubjectColumns is the column that names the subject of each kind of
// request; the table's checks hold exactly that one set.
var sarSubjectColumns = map[subjectaccess.Kind]string{
	subjectaccess.Person: "person_id", subjectaccess.Victim: "victim_case_id",
	subjectaccess.Staff: "user_id", subjectaccess.Child: "child_id",
}

func scanSAR(row interface{ Scan(...any) error }) (*subjectaccess.Request, error) {
	var r subjectaccess.Request
	var state, kind string
	var approvedBy sql.NullInt64
	var approvedAt sql.NullTime
	if err := row.Scan(&r.ID, &kind, &r.SubjectID, &r.Requester, &r.IdentityCheck, &r.ReceivedOn, &r.DueOn, &r.ExtensionReason, &state,
		&r.RecordedBy, &approvedBy, &approvedAt, &r.CreatedAt); err != nil {
		return nil, err
	}
	r.Kind, r.State, r.ApprovedBy, r.CreatedAt = subjectaccess.Kind(kind), subjectaccess.State(state), approvedBy.Int64, r.CreatedAt.UTC()
	if approvedAt.Valid {
		t := approvedAt.Time.UTC()
		r.ApprovedAt = &t
	}
	return &r, nil
}

// SubjectAccessRequest returns one request. Errors: ENOTFOUND.
func (tx *Tx) SubjectAccessRequest(ctx context.Context, id int64) (*subjectaccess.Request, error) {
	r, err := scanSAR(tx.queryRow(ctx, `SELECT `+sarColumns+` FROM subject_access_requests WHERE id = ?`, id))
	if err != nil {
		return nil, tx.scanErr(err, "subject access request")
	}
	return r, nil
}

// SubjectAccessRequests lists every request, open ones first by deadline.
func (tx *Tx) SubjectAccessRequests(ctx context.Context) ([]subjectaccess.Request, error) {
	rows, err := tx.query(ctx, `SELECT `+sarColumns+` FROM subject_access_requests ORDER BY state = 'approved', due_on, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []subjectaccess.Request
	for rows.Next() {
		r, err := scanSAR(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, *r)
	}
	return out, tx.d.mapError(rows.Err())
}

// ExtendSubjectAccessRequest stores a request's new deadline and reason.
// Errors: ENOTFOUND if it is not open.
func (tx *Tx) ExtendSubjectAccessRequest(ctx context.Context, r *subjectaccess.Request) error {
	return tx.oneRow(ctx, "subject access request", `UPDATE subject_access_requests SET due_on = ?, extension_reason = ? WHERE id = ? AND state = 'open'`,
		r.DueOn, r.ExtensionReason, r.ID)
}

// ApproveSubjectAccessRequest records the second person's approval.
// Errors: ENOTFOUND if the request is not open, EINVALID if by recorded it
// (the database refuses that too).
func (tx *Tx) ApproveSubjectAccessRequest(ctx context.Context, id, by int64) error {
	return tx.oneRow(ctx, "subject access request", `UPDATE subject_access_requests SET state = 'approved', approved_by = ?, approved_at = ?
		WHERE id = ? AND state = 'open'`, by, tx.Now, id)
}

// AddRedaction stores a decision on review: an item withheld, or one
// released from an exemption. Errors: ECONFLICT if the item already has
// a decision.
func (tx *Tx) AddRedaction(ctx context.Context, x *subjectaccess.Redaction) error {
	x.CreatedAt = tx.Now
	decision := "withhold"
	if x.Release {
		decision = "release"
	}
	id, err := tx.insert(ctx, `INSERT INTO subject_access_redactions (request_id, item, decision, reason, redacted_by, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		x.RequestID, x.Item, decision, x.Reason, x.RedactedBy, x.CreatedAt)
	x.ID = id
	return err
}

// Redactions lists a request's redactions in the order made.
func (tx *Tx) Redactions(ctx context.Context, requestID int64) ([]subjectaccess.Redaction, error) {
	rows, err := tx.query(ctx, `SELECT id, request_id, item, decision = 'release', reason, redacted_by, created_at FROM subject_access_redactions WHERE request_id = ? ORDER BY id`, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []subjectaccess.Redaction
	for rows.Next() {
		var x subjectaccess.Redaction
		if err := rows.Scan(&x.ID, &x.RequestID, &x.Item, &x.Release, &x.Reason, &x.RedactedBy, &x.CreatedAt); err != nil {
			return nil, tx.d.mapError(err)
		}
		x.CreatedAt = x.CreatedAt.UTC()
		out = append(out, x)
	}
	return out, tx.d.mapError(rows.Err())
}

// PersonCaseIDs lists the ids of a person's cases, oldest first.
func (tx *Tx) PersonCaseIDs(ctx context.Context, personID int64) ([]int64, error) {
	return tx.int64s(ctx, `SELECT id FROM cases WHERE person_id = ? ORDER BY id`, personID)
}

// AuditEventsFor lists every audit event about the records of recordType
// with the given ids, oldest first.
func (tx *Tx) AuditEventsFor(ctx context.Context, recordType string, ids []string) ([]audit.Event, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := []any{recordType}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE record_type = ? AND record_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY seq`, args...)
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

// oneRow runs an UPDATE that must change exactly one row. Errors:
// ENOTFOUND naming what when it changes none.
func (tx *Tx) oneRow(ctx context.Context, what, q string, args ...any) error {
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return tx.d.mapError(err)
	}
	if n == 0 {
		return drive.NotFound(what)
	}
	return nil
}

// Child returns one child of a victim-survivor. Errors: ENOTFOUND.
func (tx *Tx) Child(ctx context.Context, id int64) (*victim.Child, error) {
	kids, err := tx.children(ctx, `id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(kids) == 0 {
		return nil, drive.NotFound("child")
	}
	return &kids[0], nil
}

// AuditEventsBy lists every audit event a user is recorded as the actor
// of, oldest first: what a staff member's subject access pack shows of
// what they did.
func (tx *Tx) AuditEventsBy(ctx context.Context, actorID int64) ([]audit.Event, error) {
	rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE actor_id = ? ORDER BY seq`, actorID)
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

// SubjectsNamed finds the records of kind whose name holds every one of
// words at the start of one of its words (subjectaccess.SearchWords), at
// most limit of them, in name order: people on the perpetrator side (by
// their names, aliases and references, not merged into another), the
// victim-survivors' cases, users (by name or username) and children (by
// first name). Site names and details are the caller's to add; the
// caller decides which of them the user may see.
func (tx *Tx) SubjectsNamed(ctx context.Context, kind subjectaccess.Kind, words []string, limit int) ([]subjectaccess.Subject, error) {
	var q, name string
	switch kind {
	case subjectaccess.Person:
		q, name = `SELECT id, given_name || ' ' || family_name, date_of_birth, site_id, '' FROM people WHERE merged_into IS NULL`, `search_text`
	case subjectaccess.Victim:
		q, name = `SELECT id, given_name || ' ' || family_name, date_of_birth, site_id, '' FROM victim_cases WHERE 1=1`, `' ' || LOWER(given_name || ' ' || family_name)`
	case subjectaccess.Staff:
		q, name = `SELECT id, display_name, NULL, 0, username FROM users WHERE 1=1`, `' ' || LOWER(display_name || ' ' || username)`
	case subjectaccess.Child:
		q, name = `SELECT ch.id, ch.given_name, ch.date_of_birth, v.site_id, CAST(v.id AS TEXT) FROM victim_children ch JOIN victim_cases v ON v.id = ch.victim_case_id WHERE 1=1`,
			`' ' || LOWER(ch.given_name)`
	default:
		return nil, drive.Invalid("Nobody can be searched for.", map[string]string{"kind": "Choose whose records are asked for."})
	}
	var args []any
	for _, w := range words {
		q += ` AND ` + name + ` LIKE ? ESCAPE '\'`
		args = append(args, "% "+likeEscape(w)+"%")
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q += ` ORDER BY 2, 1 LIMIT ?`
	args = append(args, limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []subjectaccess.Subject
	for rows.Next() {
		sub := subjectaccess.Subject{Kind: kind}
		if err := rows.Scan(&sub.ID, &sub.Name, &sub.DateOfBirth, &sub.SiteID, &sub.Detail); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, sub)
	}
	return out, tx.d.mapError(rows.Err())
}
