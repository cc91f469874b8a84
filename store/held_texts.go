package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/victim"
)

// HoldText stores that a text written on a perpetrator's case is held
// back for one linked victim-survivor's review, and sets ID, HeldAt and
// Status (Withheld). A record held again for the same victim-survivor (an
// action's outcome changed after review) is new text that needs a new
// review: its hold is reopened, whatever the last review decided.
func (tx *Tx) HoldText(ctx context.Context, h *victim.HeldText) error {
	h.HeldAt, h.Status = tx.Now, victim.Withheld
	var id int64
	var status string
	err := tx.queryRow(ctx, `SELECT id, status FROM held_texts WHERE record_type = ? AND record_id = ? AND victim_case_id = ?`,
		h.RecordType, h.RecordID, h.VictimCaseID).Scan(&id, &status)
	if err == nil {
		h.ID = id
		_, err := tx.exec(ctx, `UPDATE held_texts SET status = 'withheld', decided_by = NULL, decided_at = NULL, author_id = ?, held_at = ? WHERE id = ?`,
			h.AuthorID, h.HeldAt, id)
		return err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return tx.d.mapError(err)
	}
	id, err = tx.insert(ctx, `INSERT INTO held_texts (case_id, site_id, record_type, record_id, victim_case_id, author_id, held_at, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'withheld')`, h.CaseID, h.SiteID, h.RecordType, h.RecordID, h.VictimCaseID, h.AuthorID, h.HeldAt)
	if err != nil {
		return err
	}
	h.ID = id
	return nil
}

const heldColumns = `id, case_id, site_id, record_type, record_id, victim_case_id, author_id, held_at, status, decided_by, decided_at`

// CaseHeldTexts returns every hold on a perpetrator case's texts, for
// deciding what each reader sees.
func (tx *Tx) CaseHeldTexts(ctx context.Context, caseID int64) ([]victim.HeldText, error) {
	return tx.heldTexts(ctx, `SELECT `+heldColumns+` FROM held_texts WHERE case_id = ? ORDER BY id`, caseID)
}

// VictimHeldTexts returns the holds raised for a victim-survivor's
// review, newest first.
func (tx *Tx) VictimHeldTexts(ctx context.Context, victimCaseID int64) ([]victim.HeldText, error) {
	return tx.heldTexts(ctx, `SELECT `+heldColumns+` FROM held_texts WHERE victim_case_id = ? ORDER BY id DESC`, victimCaseID)
}

// HeldText returns one hold. Errors: ENOTFOUND.
func (tx *Tx) HeldText(ctx context.Context, id int64) (*victim.HeldText, error) {
	hs, err := tx.heldTexts(ctx, `SELECT `+heldColumns+` FROM held_texts WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(hs) == 0 {
		return nil, drive.NotFound("held text")
	}
	return &hs[0], nil
}

func (tx *Tx) heldTexts(ctx context.Context, q string, id int64) ([]victim.HeldText, error) {
	rows, err := tx.query(ctx, q, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []victim.HeldText
	for rows.Next() {
		var h victim.HeldText
		var status string
		var by *int64
		var at *time.Time
		if err := rows.Scan(&h.ID, &h.CaseID, &h.SiteID, &h.RecordType, &h.RecordID, &h.VictimCaseID, &h.AuthorID, &h.HeldAt,
			&status, &by, &at); err != nil {
			return nil, tx.d.mapError(err)
		}
		h.Status, h.HeldAt = victim.HeldStatus(status), h.HeldAt.UTC()
		if by != nil {
			h.DecidedBy = *by
		}
		if at != nil {
			t := at.UTC()
			h.DecidedAt = &t
		}
		out = append(out, h)
	}
	return out, tx.d.mapError(rows.Err())
}

// DecideHeldText records a review of a hold: kept or released, by whom.
// Errors: ENOTFOUND, EINVALID for a status a review cannot set.
func (tx *Tx) DecideHeldText(ctx context.Context, id int64, status victim.HeldStatus, by int64) error {
	if !status.Decision() {
		return drive.Errorf(drive.EINVALID, "a review keeps or releases a held text")
	}
	res, err := tx.exec(ctx, `UPDATE held_texts SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?`, string(status), by, tx.Now, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return drive.NotFound("held text")
	}
	return nil
}

// RecordTextWrite notes one free-text write on a perpetrator's case by a
// user, held or not, and forgets writes older than a day.
func (tx *Tx) RecordTextWrite(ctx context.Context, userID, siteID int64, held bool) error {
	if _, err := tx.exec(ctx, `DELETE FROM text_writes WHERE at < ?`, tx.Now.Add(-24*time.Hour)); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO text_writes (user_id, site_id, at, held) VALUES (?, ?, ?, ?)`, userID, siteID, tx.Now, held)
	return err
}

// TextWrites counts a user's free-text writes since a time, and how many
// of them were held.
func (tx *Tx) TextWrites(ctx context.Context, userID int64, since time.Time) (total, held int, err error) {
	rows, err := tx.query(ctx, `SELECT held FROM text_writes WHERE user_id = ? AND at >= ?`, userID, since)
	if err != nil {
		return 0, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var h bool
		if err := rows.Scan(&h); err != nil {
			return 0, 0, tx.d.mapError(err)
		}
		total++
		if h {
			held++
		}
	}
	return total, held, tx.d.mapError(rows.Err())
}
