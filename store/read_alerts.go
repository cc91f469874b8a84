package store

import (
	"context"
	"database/sql"
	"time"
)

// HeavyReader is a user who read many records at one site since a time.
type HeavyReader struct {
	UserID int64
	SiteID int64 // 0 for reads of national records
	Reads  int
}

// HeavyReaders returns the users with at least atLeast record reads at one
// site in the audit events after seq, most reads first. It reads the log
// by its sequence (the primary key), so a sweep costs what was written
// since, not the whole log.
func (tx *Tx) HeavyReaders(ctx context.Context, afterSeq int64, atLeast int) ([]HeavyReader, error) {
	rows, err := tx.query(ctx, `SELECT actor_id, site_id, count(*) FROM audit_events
		WHERE seq > ? AND action = 'record.read' AND actor_id > 0
		GROUP BY actor_id, site_id HAVING count(*) >= ? ORDER BY count(*) DESC, actor_id, site_id`, afterSeq, atLeast)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []HeavyReader
	for rows.Next() {
		var h HeavyReader
		if err := rows.Scan(&h.UserID, &h.SiteID, &h.Reads); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, h)
	}
	return out, tx.d.mapError(rows.Err())
}

// LastAuditSeq returns the sequence number of the newest audit event, 0
// for an empty log.
func (tx *Tx) LastAuditSeq(ctx context.Context) (int64, error) {
	var seq sql.NullInt64
	if err := tx.queryRow(ctx, `SELECT max(seq) FROM audit_events`).Scan(&seq); err != nil {
		return 0, tx.d.mapError(err)
	}
	return seq.Int64, nil
}

// AlertedSince reports whether an alert of kind about the user was raised
// at or after since.
func (tx *Tx) AlertedSince(ctx context.Context, kind string, userID int64, since time.Time) (bool, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT id FROM alerts WHERE kind = ? AND user_id = ? AND created_at >= ? LIMIT 1`, kind, userID, since).Scan(&id)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, tx.d.mapError(err)
	}
	return true, nil
}
