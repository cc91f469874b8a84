package store

import (
	"context"
	"database/sql"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
)

// CreateBreakGlass stores an open break-glass for a user, made by
// access.OpenGlass, at the record's site.
func (tx *Tx) CreateBreakGlass(ctx context.Context, userID int64, role access.Role, siteID int64, g access.Glass) error {
	_, err := tx.exec(ctx, `INSERT INTO break_glass (user_id, role, class, record_type, record_id, site_id, reason, granted_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, userID, string(role), string(g.Class), g.RecordType, g.RecordID, siteID, g.Reason, tx.Now, g.Expires)
	return err
}

// ActiveBreakGlass returns the user's break-glass grants still open at
// the transaction's time, ready for access.Subject.BreakGlass.
func (tx *Tx) ActiveBreakGlass(ctx context.Context, userID int64) ([]access.Glass, error) {
	rows, err := tx.query(ctx, `SELECT class, record_type, record_id, reason, expires_at FROM break_glass WHERE user_id = ? AND expires_at > ? ORDER BY id`, userID, tx.Now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []access.Glass
	for rows.Next() {
		var class string
		var g access.Glass
		if err := rows.Scan(&class, &g.RecordType, &g.RecordID, &g.Reason, &g.Expires); err != nil {
			return nil, tx.d.mapError(err)
		}
		g.Class, g.Expires = access.DataClass(class), g.Expires.UTC()
		out = append(out, g)
	}
	return out, tx.d.mapError(rows.Err())
}

// CreateAlert stores an alert for the data protection officers of a site
// (or national ones when SiteID is 0).
func (tx *Tx) CreateAlert(ctx context.Context, a *account.Alert) error {
	var site any
	if a.SiteID != 0 {
		site = a.SiteID
	}
	a.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO alerts (site_id, kind, user_id, record_type, record_id, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		site, a.Kind, a.UserID, a.RecordType, a.RecordID, a.Reason, a.CreatedAt)
	if err != nil {
		return err
	}
	a.ID = id
	return nil
}

// Alerts returns the newest alerts for the given sites, and national ones
// too when national is true (a national officer sees every site's).
func (tx *Tx) Alerts(ctx context.Context, siteIDs []int64, national bool, limit int) ([]account.Alert, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := `SELECT id, site_id, kind, user_id, record_type, record_id, reason, created_at, read_at FROM alerts`
	var args []any
	if !national {
		if len(siteIDs) == 0 {
			return nil, nil
		}
		q += ` WHERE site_id IN (` + placeholders(len(siteIDs)) + `)`
		for _, id := range siteIDs {
			args = append(args, id)
		}
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.Alert
	for rows.Next() {
		var a account.Alert
		var site sql.NullInt64
		var read sql.NullTime
		if err := rows.Scan(&a.ID, &site, &a.Kind, &a.UserID, &a.RecordType, &a.RecordID, &a.Reason, &a.CreatedAt, &read); err != nil {
			return nil, tx.d.mapError(err)
		}
		a.SiteID, a.CreatedAt = site.Int64, a.CreatedAt.UTC()
		if read.Valid {
			t := read.Time.UTC()
			a.ReadAt = &t
		}
		out = append(out, a)
	}
	return out, tx.d.mapError(rows.Err())
}

func placeholders(n int) string {
	b := make([]byte, 0, 2*n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '?')
	}
	return string(b)
}
