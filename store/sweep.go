package store

import (
	"context"
	"time"

	"github.com/drive-platform/drive/account"
)

// What sign-in leaves behind is swept by the service (Service.SweepSignins):
// a session is ended by the request that finds it past its time, but a
// browser closed for good never comes back to find it, so without a sweep
// its row, with the address it signed in from, would be kept for ever.

// StaleSessions lists up to limit sessions past their absolute end or
// idle since before idleCutoff, oldest first, with what deciding why
// each ended needs: its user, last activity and end.
func (tx *Tx) StaleSessions(ctx context.Context, idleCutoff time.Time, limit int) ([]*account.Session, error) {
	rows, err := tx.query(ctx, `SELECT id, user_id, last_seen_at, expires_at FROM sessions
		WHERE expires_at <= ? OR last_seen_at < ? ORDER BY id LIMIT ?`, tx.Now, idleCutoff, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*account.Session
	for rows.Next() {
		var s account.Session
		if err := rows.Scan(&s.ID, &s.UserID, &s.LastSeenAt, &s.ExpiresAt); err != nil {
			return nil, tx.d.mapError(err)
		}
		s.LastSeenAt, s.ExpiresAt = s.LastSeenAt.UTC(), s.ExpiresAt.UTC()
		out = append(out, &s)
	}
	if err := rows.Err(); err != nil {
		return nil, tx.d.mapError(err)
	}
	return out, nil
}

// StaleKnownBrowsers lists up to limit known browsers whose cookie has
// run out, oldest first.
func (tx *Tx) StaleKnownBrowsers(ctx context.Context, limit int) ([]*account.KnownBrowser, error) {
	rows, err := tx.query(ctx, `SELECT `+knownBrowserColumns+` FROM known_browsers WHERE expires_at <= ? ORDER BY id LIMIT ?`, tx.Now, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*account.KnownBrowser
	for rows.Next() {
		var b account.KnownBrowser
		if err := rows.Scan(&b.ID, &b.TokenHash, &b.UserID, &b.CreatedAt, &b.UsedAt, &b.ExpiresAt, &b.Failures); err != nil {
			return nil, tx.d.mapError(err)
		}
		b.CreatedAt, b.UsedAt, b.ExpiresAt = b.CreatedAt.UTC(), b.UsedAt.UTC(), b.ExpiresAt.UTC()
		out = append(out, &b)
	}
	if err := rows.Err(); err != nil {
		return nil, tx.d.mapError(err)
	}
	return out, nil
}

// DeleteSigninFailuresBefore forgets failed sign-ins older than before
// (each holds the address it came from) and says how many it forgot.
func (tx *Tx) DeleteSigninFailuresBefore(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM signin_failures WHERE at < ?`, before)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
