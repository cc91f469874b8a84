package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
)

// CreateAction adds an action to a case's plan and sets ID, CreatedAt and
// UpdatedAt. The caller checks it first with Action.Validate against the
// case's programme; the database still refuses an unknown prong or
// status, a missing owner or due date, or done with no outcome.
// Errors: EINVALID.
func (tx *Tx) CreateAction(ctx context.Context, a *casework.Action) error {
	if a.Status == "" {
		a.Status = casework.ActionOpen
	}
	a.CreatedAt, a.UpdatedAt = tx.Now, tx.Now
	id, err := tx.insert(ctx, `INSERT INTO case_actions (case_id, prong, action_type, organisation_id, agency, owner, due_on, status, outcome,
		reported_on, meeting_item_id, created_by, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.CaseID, a.Prong, a.Type, optID(a.OrganisationID), a.Agency, a.Owner, a.DueOn, string(a.Status), a.Outcome,
		a.ReportedOn, optID(a.MeetingItemID), optID(a.CreatedBy), a.CreatedAt, a.UpdatedAt)
	if err != nil {
		return err
	}
	a.ID = id
	return nil
}

// UpdateAction saves an action's type, prong, agency (and owning
// organisation), owner, due date, status, outcome and date reported
// (never its case, meeting or creator) and sets UpdatedAt. The
// caller validates first, as for CreateAction. Errors: EINVALID,
// ENOTFOUND.
func (tx *Tx) UpdateAction(ctx context.Context, a *casework.Action) error {
	res, err := tx.exec(ctx, `UPDATE case_actions SET prong = ?, action_type = ?, organisation_id = ?, agency = ?, owner = ?, due_on = ?, status = ?,
		outcome = ?, reported_on = ?, updated_at = ? WHERE id = ?`,
		a.Prong, a.Type, optID(a.OrganisationID), a.Agency, a.Owner, a.DueOn, string(a.Status), a.Outcome, a.ReportedOn, tx.Now, a.ID)
	if err != nil {
		return err
	}
	if err := mustAffect(res, "action"); err != nil {
		return err
	}
	a.UpdatedAt = tx.Now
	return nil
}

const actionColumns = `id, case_id, prong, action_type, organisation_id, agency, owner, due_on, status, outcome, reported_on, meeting_item_id,
	created_by, created_at, updated_at`

func scanAction(row interface{ Scan(...any) error }) (casework.Action, error) {
	var a casework.Action
	var status string
	var by, org, item sql.NullInt64
	if err := row.Scan(&a.ID, &a.CaseID, &a.Prong, &a.Type, &org, &a.Agency, &a.Owner, &a.DueOn, &status, &a.Outcome, &a.ReportedOn, &item,
		&by, &a.CreatedAt, &a.UpdatedAt); err != nil {
		return a, err
	}
	a.Status, a.CreatedBy, a.OrganisationID, a.MeetingItemID = casework.ActionStatus(status), by.Int64, org.Int64, item.Int64
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, nil
}

// Action returns one action. Errors: ENOTFOUND.
func (tx *Tx) Action(ctx context.Context, id int64) (*casework.Action, error) {
	a, err := scanAction(tx.queryRow(ctx, `SELECT `+actionColumns+` FROM case_actions WHERE id = ?`, id))
	if err != nil {
		return nil, tx.scanErr(err, "action")
	}
	return &a, nil
}

// Actions returns a case's plan, soonest due first.
func (tx *Tx) Actions(ctx context.Context, caseID int64) ([]casework.Action, error) {
	rows, err := tx.query(ctx, `SELECT `+actionColumns+` FROM case_actions WHERE case_id = ? ORDER BY due_on, id`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casework.Action
	for rows.Next() {
		a, err := scanAction(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, a)
	}
	return out, tx.d.mapError(rows.Err())
}

// CreateContact records a contact or attempt after Contact.Validate as of
// the transaction's date, and sets ID and CreatedAt. A contact that counts
// (Contact.Counts) moves the case's last contact forward to its date,
// never back. Errors: EINVALID (fields, or a case that does not exist).
func (tx *Tx) CreateContact(ctx context.Context, c *casework.Contact) error {
	if err := c.Validate(drive.DateOf(tx.Now)); err != nil {
		return err
	}
	c.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO case_contacts (case_id, kind, contact_on, method, summary, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.CaseID, string(c.Kind), c.On, c.Method, c.Summary, optID(c.CreatedBy), c.CreatedAt)
	if err != nil {
		return err
	}
	c.ID = id
	if c.Counts() {
		on := c.On.Time()
		if _, err := tx.exec(ctx, `UPDATE cases SET last_contact_at = ? WHERE id = ? AND (last_contact_at IS NULL OR last_contact_at < ?)`, on, c.CaseID, on); err != nil {
			return err
		}
	}
	return nil
}

// Contacts returns a case's contacts, newest first.
func (tx *Tx) Contacts(ctx context.Context, caseID int64) ([]casework.Contact, error) {
	rows, err := tx.query(ctx, `SELECT id, case_id, kind, contact_on, method, summary, created_by, created_at FROM case_contacts
		WHERE case_id = ? ORDER BY contact_on DESC, id DESC`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casework.Contact
	for rows.Next() {
		var c casework.Contact
		var kind string
		var by sql.NullInt64
		if err := rows.Scan(&c.ID, &c.CaseID, &kind, &c.On, &c.Method, &c.Summary, &by, &c.CreatedAt); err != nil {
			return nil, tx.d.mapError(err)
		}
		c.Kind, c.CreatedBy, c.CreatedAt = casework.ContactKind(kind), by.Int64, c.CreatedAt.UTC()
		out = append(out, c)
	}
	return out, tx.d.mapError(rows.Err())
}

// CreateReview records a case review and sets the case's next review due
// to r.NextDue. The caller checks it first with Review.Validate against the
// case's programme, which sets NextDue; the database still refuses unknown
// risk values, an empty summary or no next due date. It sets ID and
// CreatedAt. Errors: EINVALID, ENOTFOUND (the case).
func (tx *Tx) CreateReview(ctx context.Context, r *casework.Review) error {
	needs := r.Needs
	if needs == nil {
		needs = map[string]string{}
	}
	body, err := json.Marshal(needs)
	if err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "the review could not be saved")
	}
	r.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO case_reviews (case_id, review_on, risk_level, risk_change, needs, summary, next_due, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.CaseID, r.On, r.RiskLevel, r.RiskChange, string(body), r.Summary, r.NextDue, optID(r.CreatedBy), r.CreatedAt)
	if err != nil {
		return err
	}
	r.ID = id
	res, err := tx.exec(ctx, `UPDATE cases SET next_review_due = ? WHERE id = ?`, r.NextDue, r.CaseID)
	if err != nil {
		return err
	}
	return mustAffect(res, "case")
}

// Reviews returns a case's reviews, newest first.
func (tx *Tx) Reviews(ctx context.Context, caseID int64) ([]casework.Review, error) {
	rows, err := tx.query(ctx, `SELECT id, case_id, review_on, risk_level, risk_change, needs, summary, next_due, created_by, created_at
		FROM case_reviews WHERE case_id = ? ORDER BY review_on DESC, id DESC`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []casework.Review
	for rows.Next() {
		var r casework.Review
		var needs []byte
		var by sql.NullInt64
		if err := rows.Scan(&r.ID, &r.CaseID, &r.On, &r.RiskLevel, &r.RiskChange, &needs, &r.Summary, &r.NextDue, &by, &r.CreatedAt); err != nil {
			return nil, tx.d.mapError(err)
		}
		if err := json.Unmarshal(needs, &r.Needs); err != nil {
			return nil, drive.Wrap(err, drive.EINTERNAL, "a stored review could not be read")
		}
		r.CreatedBy, r.CreatedAt = by.Int64, r.CreatedAt.UTC()
		out = append(out, r)
	}
	return out, tx.d.mapError(rows.Err())
}

// SealedBodyPlaceholder is what case_notes.body holds once a note's text
// is sealed in case_note_bodies, and organisation_oidc.client_secret once
// the client secret is sealed in oidc_client_secrets.
const SealedBodyPlaceholder = "[sealed]"

// CreateNote appends a note to a case after Note.Validate, and sets ID
// and CreatedAt. Its text is stored only as seal returns it for the
// note's new id (the caller seals it for that note, so it opens nowhere
// else). A correction names the note it amends, which must belong to the
// same case; both stay. There is deliberately no way to change or delete
// a note. Errors: EINVALID (text, or an amended note of another case or
// none at all, or a case that does not exist, or seal's answer is not a
// sealed value), and seal's error.
func (tx *Tx) CreateNote(ctx context.Context, n *casework.Note, seal func(noteID int64) (SealedValue, error)) error {
	if err := n.Validate(); err != nil {
		return err
	}
	if n.Amends != 0 {
		var caseID int64
		err := tx.queryRow(ctx, `SELECT case_id FROM case_notes WHERE id = ?`, n.Amends).Scan(&caseID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return tx.d.mapError(err)
		}
		if err != nil || caseID != n.CaseID {
			return drive.Invalid("Check the note", map[string]string{"amends": "A correction must amend an earlier note of the same case"})
		}
	}
	n.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO case_notes (case_id, body, amends, created_by, created_at) VALUES (?, ?, ?, ?, ?)`,
		n.CaseID, SealedBodyPlaceholder, optID(n.Amends), optID(n.CreatedBy), n.CreatedAt)
	if err != nil {
		return err
	}
	sv, err := seal(id)
	if err != nil {
		return err
	}
	if err := tx.SetNoteBody(ctx, id, sv); err != nil {
		return err
	}
	n.ID = id
	return nil
}

// SetNoteBody stores a note's sealed text and leaves the placeholder in
// its row: for new notes, and for sealing notes written in the clear
// before notes were sealed. Errors: EINVALID if v is not a sealed value.
func (tx *Tx) SetNoteBody(ctx context.Context, noteID int64, v SealedValue) error {
	if err := v.check("note"); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO case_note_bodies (note_id, data, key_id) VALUES (?, ?, ?)`, noteID, v.Data, v.KeyID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `UPDATE case_notes SET body = ? WHERE id = ?`, SealedBodyPlaceholder, noteID)
	return err
}

// StoredNote is a note as stored: its text sealed in Body, or, for a note
// written before notes were sealed and not yet sealed, in Note.Text.
type StoredNote struct {
	casework.Note
	Body SealedValue
}

// Notes returns a case's notes, oldest first, corrections and the notes
// they amend alike, with their sealed text for the caller to open.
func (tx *Tx) Notes(ctx context.Context, caseID int64) ([]StoredNote, error) {
	return tx.notes(ctx, `WHERE n.case_id = ? ORDER BY n.created_at, n.id`, caseID)
}

// UnsealedNotes returns up to limit notes still held in the clear, for
// sealing them.
func (tx *Tx) UnsealedNotes(ctx context.Context, limit int) ([]StoredNote, error) {
	return tx.notes(ctx, `WHERE b.note_id IS NULL ORDER BY n.id LIMIT ?`, limit)
}

func (tx *Tx) notes(ctx context.Context, where string, arg any) ([]StoredNote, error) {
	rows, err := tx.query(ctx, `SELECT n.id, n.case_id, n.body, n.amends, n.created_by, n.created_at, b.data, b.key_id
		FROM case_notes n LEFT JOIN case_note_bodies b ON b.note_id = n.id `+where, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredNote
	for rows.Next() {
		var n StoredNote
		var amends, by sql.NullInt64
		var keyID sql.NullString
		if err := rows.Scan(&n.ID, &n.CaseID, &n.Text, &amends, &by, &n.CreatedAt, &n.Body.Data, &keyID); err != nil {
			return nil, tx.d.mapError(err)
		}
		n.Amends, n.CreatedBy, n.CreatedAt = amends.Int64, by.Int64, n.CreatedAt.UTC()
		if keyID.Valid {
			n.Body.KeyID, n.Text = keyID.String, ""
		}
		out = append(out, n)
	}
	return out, tx.d.mapError(rows.Err())
}
