package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/retention"
)

// Retention: legal holds, the records a retention run may act on, and the
// anonymising and deleting it does (package retention decides which).

// removedText replaces free text a retention run removes.
const removedText = "[removed under the retention schedule]"

// PlaceHold stores a new legal hold, setting its ID and PlacedAt.
// Errors: EINVALID.
func (tx *Tx) PlaceHold(ctx context.Context, h *retention.Hold) error {
	if err := h.Validate(); err != nil {
		return err
	}
	table := map[retention.Class]string{retention.PerpetratorCase: "cases", retention.Notification: "notifications"}[h.Class]
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM `+table+` WHERE id = ?`, h.RecordID).Scan(&n); err != nil {
		return tx.d.mapError(err)
	}
	if n == 0 {
		return drive.Invalid("The legal hold cannot be placed.", map[string]string{"record": fmt.Sprintf("There is no %s %d.", strings.ReplaceAll(string(h.Class), "_", " "), h.RecordID)})
	}
	h.PlacedAt, h.ReleasedAt, h.ReleaseReason = tx.Now, nil, ""
	id, err := tx.insert(ctx, `INSERT INTO legal_holds (record_type, record_id, reason, owner, placed_at) VALUES (?, ?, ?, ?, ?)`,
		string(h.Class), h.RecordID, h.Reason, h.Owner, h.PlacedAt)
	h.ID = id
	return err
}

// ReleaseHold ends a hold in force, with the reason it ends. Errors:
// ENOTFOUND if there is no such hold in force, EINVALID without a reason.
func (tx *Tx) ReleaseHold(ctx context.Context, id int64, reason string) error {
	if reason == "" || len([]rune(reason)) > 500 {
		return drive.Invalid("The hold cannot be released.", map[string]string{"reason": "Say in up to 500 characters why the hold ends."})
	}
	res, err := tx.exec(ctx, `UPDATE legal_holds SET released_at = ?, release_reason = ? WHERE id = ? AND released_at IS NULL`, tx.Now, reason, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return tx.d.mapError(err)
	} else if n == 0 {
		return drive.NotFound("legal hold")
	}
	return nil
}

// Holds lists legal holds, newest first: only those in force, or all.
func (tx *Tx) Holds(ctx context.Context, inForceOnly bool) ([]retention.Hold, error) {
	q := `SELECT id, record_type, record_id, reason, owner, placed_at, released_at, release_reason FROM legal_holds`
	if inForceOnly {
		q += ` WHERE released_at IS NULL`
	}
	rows, err := tx.query(ctx, q+` ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retention.Hold
	for rows.Next() {
		var h retention.Hold
		var class string
		var released sql.NullTime
		if err := rows.Scan(&h.ID, &class, &h.RecordID, &h.Reason, &h.Owner, &h.PlacedAt, &released, &h.ReleaseReason); err != nil {
			return nil, tx.d.mapError(err)
		}
		h.Class = retention.Class(class)
		h.PlacedAt = h.PlacedAt.UTC()
		if released.Valid {
			t := released.Time.UTC()
			h.ReleasedAt = &t
		}
		out = append(out, h)
	}
	return out, tx.d.mapError(rows.Err())
}

// RetentionCandidates lists the records of class whose period, counted
// from their end, may have run out by cutoff (their end is on or before
// cutoff) and that no retention run has yet acted on: closed cases by
// closure date, with the youngest child linked to them (through the case
// or its victim-survivors); notifications by the day they were raised.
// Errors: EINVALID for a class the store has no query for.
func (tx *Tx) RetentionCandidates(ctx context.Context, class retention.Class, cutoff drive.Date) ([]retention.Candidate, error) {
	// The end is compared as a time: the start of the day after cutoff.
	before := cutoff.AddDays(1).Time()
	var q string
	switch class {
	case retention.PerpetratorCase:
		q = `SELECT c.id, c.closed_at,
			(SELECT max(ch.date_of_birth) FROM victim_children ch
			  WHERE ch.case_id = c.id OR ch.victim_case_id IN (SELECT l.victim_case_id FROM victim_links l WHERE l.case_id = c.id))
			FROM cases c
			WHERE c.state = 'closed' AND c.closed_at < ?
			  AND NOT EXISTS (SELECT 1 FROM retention_applied a WHERE a.record_type = 'perpetrator_case' AND a.record_id = c.id)
			ORDER BY c.id`
	case retention.Notification:
		q = `SELECT n.id, n.created_at, NULL FROM notifications n WHERE n.created_at < ? ORDER BY n.id`
	default:
		return nil, drive.Errorf(drive.EINVALID, "there are no retention candidates of class %q", class)
	}
	rows, err := tx.query(ctx, q, before)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []retention.Candidate
	for rows.Next() {
		c := retention.Candidate{Class: class}
		var end time.Time
		var child sql.Null[drive.Date]
		if err := rows.Scan(&c.RecordID, &end, &child); err != nil {
			return nil, tx.d.mapError(err)
		}
		c.End = drive.DateOf(end.UTC())
		if child.Valid {
			c.YoungestChild = child.V
		}
		out = append(out, c)
	}
	return out, tx.d.mapError(rows.Err())
}

// AnonymiseCase removes what identifies anyone from a closed case: its
// summary, decision reasons and professional judgement, the detail of its
// history, and its notes (the sealed text is deleted and the note keeps
// only that it was removed); then, unless the person has another case a
// retention run has not yet reached, the person's names, date of birth,
// agency references, aliases and addresses. The case's dates, states,
// scores and links stay, for the outcome measures. It records the case as
// done so that no later run counts it again. Errors: ENOTFOUND if the case
// is not closed or was already anonymised.
func (tx *Tx) AnonymiseCase(ctx context.Context, caseID int64) error {
	var personID int64
	err := tx.queryRow(ctx, `SELECT person_id FROM cases WHERE id = ? AND state = 'closed'
		AND NOT EXISTS (SELECT 1 FROM retention_applied a WHERE a.record_type = 'perpetrator_case' AND a.record_id = cases.id)`, caseID).Scan(&personID)
	if err != nil {
		return tx.scanErr(err, "closed case")
	}
	for _, q := range []string{
		`DELETE FROM case_note_bodies WHERE note_id IN (SELECT id FROM case_notes WHERE case_id = ?)`,
		`UPDATE case_notes SET body = '` + removedText + `' WHERE case_id = ?`,
		`UPDATE case_history SET detail = '' WHERE case_id = ?`,
		`UPDATE cases SET summary = '` + removedText + `', professional_judgement = '',
			decision_reasons = CASE WHEN decision_reasons = '' THEN '' ELSE '` + removedText + `' END WHERE id = ?`,
	} {
		if _, err := tx.exec(ctx, q, caseID); err != nil {
			return err
		}
	}
	if _, err := tx.exec(ctx, `INSERT INTO retention_applied (record_type, record_id, applied_at) VALUES ('perpetrator_case', ?, ?)`, caseID, tx.Now); err != nil {
		return err
	}
	var live int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM cases c WHERE c.person_id = ?
		AND NOT EXISTS (SELECT 1 FROM retention_applied a WHERE a.record_type = 'perpetrator_case' AND a.record_id = c.id)`, personID).Scan(&live); err != nil {
		return tx.d.mapError(err)
	}
	if live > 0 {
		return nil
	}
	for _, q := range []string{
		`DELETE FROM person_aliases WHERE person_id = ?`,
		`DELETE FROM person_addresses WHERE person_id = ?`,
		`UPDATE people SET given_name = 'Removed', family_name = 'Removed', date_of_birth = NULL,
			police_ref = '', social_care_ref = '', probation_ref = '', search_text = '' WHERE id = ?`,
	} {
		if _, err := tx.exec(ctx, q, personID); err != nil {
			return err
		}
	}
	return nil
}

// DeleteNotification deletes one notification. Errors: ENOTFOUND.
func (tx *Tx) DeleteNotification(ctx context.Context, id int64) error {
	res, err := tx.exec(ctx, `DELETE FROM notifications WHERE id = ?`, id)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return tx.d.mapError(err)
	}
	if n == 0 {
		return drive.NotFound("notification")
	}
	return nil
}

// ClaimRetentionDay claims day's retention run for by (a name for the
// server, for the operator) and reports whether this transaction got it:
// false when another has claimed the day already. On PostgreSQL a second
// transaction claiming the same day waits for the first to end, so the
// claim holds exactly when the first rolled back; SQLite has one writer.
func (tx *Tx) ClaimRetentionDay(ctx context.Context, day drive.Date, by string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO retention_days (run_on, claimed_by, claimed_at) VALUES (?, ?, ?) ON CONFLICT (run_on) DO NOTHING`,
		day.String(), by, tx.Now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, tx.d.mapError(err)
	}
	return n == 1, nil
}
