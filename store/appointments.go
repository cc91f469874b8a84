package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/drive-platform/drive/appointment"
)

// Appointments: planned sessions on a case, their reminders, and each
// user's calendar feed (package appointment).

// CreateAppointment stores a new appointment, setting its ID and
// CreatedAt. The caller has validated it.
func (tx *Tx) CreateAppointment(ctx context.Context, a *appointment.Appointment) error {
	a.CreatedAt, a.CancelledAt = tx.Now, nil
	id, err := tx.insert(ctx, `INSERT INTO appointments (site_id, case_id, victim_case_id, owner_id, starts_at, minutes, place, with_whom, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.SiteID, optID(a.CaseID), optID(a.VictimCaseID), a.OwnerID, a.StartsAt.UTC(), a.Minutes, string(a.Place), a.With, tx.Now)
	a.ID = id
	return err
}

const appointmentSelect = `SELECT id, site_id, case_id, victim_case_id, owner_id, starts_at, minutes, place, with_whom, created_at, cancelled_at FROM appointments`

func scanAppointment(sc interface{ Scan(...any) error }) (appointment.Appointment, error) {
	var a appointment.Appointment
	var caseID, victimID sql.NullInt64
	var cancelled sql.NullTime
	var place string
	if err := sc.Scan(&a.ID, &a.SiteID, &caseID, &victimID, &a.OwnerID, &a.StartsAt, &a.Minutes, &place, &a.With, &a.CreatedAt, &cancelled); err != nil {
		return a, err
	}
	a.CaseID, a.VictimCaseID, a.Place = caseID.Int64, victimID.Int64, appointment.Place(place)
	a.StartsAt, a.CreatedAt = a.StartsAt.UTC(), a.CreatedAt.UTC()
	if cancelled.Valid {
		t := cancelled.Time.UTC()
		a.CancelledAt = &t
	}
	return a, nil
}

func (tx *Tx) appointments(ctx context.Context, where string, args ...any) ([]appointment.Appointment, error) {
	rows, err := tx.query(ctx, appointmentSelect+` WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []appointment.Appointment
	for rows.Next() {
		a, err := scanAppointment(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, a)
	}
	return out, tx.d.mapError(rows.Err())
}

// Appointment returns one appointment. Errors: ENOTFOUND.
func (tx *Tx) Appointment(ctx context.Context, id int64) (*appointment.Appointment, error) {
	a, err := scanAppointment(tx.queryRow(ctx, appointmentSelect+` WHERE id = ?`, id))
	if err != nil {
		return nil, tx.scanErr(err, "appointment")
	}
	return &a, nil
}

// CaseAppointments lists a perpetrator case's appointments, cancelled
// ones too, soonest first.
func (tx *Tx) CaseAppointments(ctx context.Context, caseID int64) ([]appointment.Appointment, error) {
	return tx.appointments(ctx, `case_id = ? ORDER BY starts_at, id`, caseID)
}

// VictimAppointments lists a victim-survivor's IDVA case's appointments,
// cancelled ones too, soonest first.
func (tx *Tx) VictimAppointments(ctx context.Context, victimCaseID int64) ([]appointment.Appointment, error) {
	return tx.appointments(ctx, `victim_case_id = ? ORDER BY starts_at, id`, victimCaseID)
}

// OwnerAppointments lists the appointments a user owns that end after
// from, cancelled ones too, soonest first, at most limit.
func (tx *Tx) OwnerAppointments(ctx context.Context, ownerID int64, from time.Time, limit int) ([]appointment.Appointment, error) {
	// An appointment lasts at most MaxMinutes: one starting that long
	// before from may still be on.
	since := from.UTC().Add(-appointment.MaxMinutes * time.Minute)
	return tx.appointments(ctx, `owner_id = ? AND starts_at > ? ORDER BY starts_at, id LIMIT ?`, ownerID, since, limit)
}

// CancelAppointment marks an appointment cancelled now. Errors:
// ENOTFOUND when there is no such appointment still planned.
func (tx *Tx) CancelAppointment(ctx context.Context, id int64) error {
	var got int64
	err := tx.queryRow(ctx, `UPDATE appointments SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL RETURNING id`, tx.Now, id).Scan(&got)
	return tx.scanErr(err, "appointment")
}

// AppointmentsToRemind lists the appointments still planned, not yet
// reminded, that start after now and no later than until, soonest first.
func (tx *Tx) AppointmentsToRemind(ctx context.Context, until time.Time) ([]appointment.Appointment, error) {
	return tx.appointments(ctx, `reminded_at IS NULL AND cancelled_at IS NULL AND starts_at > ? AND starts_at <= ? ORDER BY starts_at, id`,
		tx.Now, until.UTC())
}

// MarkReminded records that the owners of these appointments were
// reminded now.
func (tx *Tx) MarkReminded(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.exec(ctx, `UPDATE appointments SET reminded_at = ? WHERE id IN (`+placeholders(len(ids))+`)`, append([]any{tx.Now}, int64Args(ids)...)...)
	return err
}

// SetCalendarFeed gives a user a calendar feed with this token hash,
// replacing any they had (whose address then works no more).
func (tx *Tx) SetCalendarFeed(ctx context.Context, userID int64, hash []byte) error {
	if _, err := tx.exec(ctx, `DELETE FROM calendar_feeds WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES (?, ?, ?)`, userID, hash, tx.Now)
	return err
}

// CalendarFeed says when the user's calendar feed was made, or nil if
// they have none.
func (tx *Tx) CalendarFeed(ctx context.Context, userID int64) (*time.Time, error) {
	var at time.Time
	err := tx.queryRow(ctx, `SELECT created_at FROM calendar_feeds WHERE user_id = ?`, userID).Scan(&at)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, tx.d.mapError(err)
	}
	at = at.UTC()
	return &at, nil
}

// CalendarFeedUser returns the user whose calendar feed has this token
// hash. Errors: ENOTFOUND for none.
func (tx *Tx) CalendarFeedUser(ctx context.Context, hash []byte) (int64, error) {
	var id int64
	if err := tx.queryRow(ctx, `SELECT user_id FROM calendar_feeds WHERE token_hash = ?`, hash).Scan(&id); err != nil {
		return 0, tx.scanErr(err, "calendar")
	}
	return id, nil
}

// DeleteCalendarFeed revokes a user's calendar feed and reports whether
// there was one.
func (tx *Tx) DeleteCalendarFeed(ctx context.Context, userID int64) (bool, error) {
	res, err := tx.exec(ctx, `DELETE FROM calendar_feeds WHERE user_id = ?`, userID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, tx.d.mapError(err)
}
