package store

import (
	"context"
	"time"

	"github.com/drive-platform/drive/account"
)

// Known browsers (auth.KnownBrowsers) are kept in the database, not in a
// replica's memory, so a browser remembered by one replica is known to
// every other. Only the SHA-256 of a browser's token is stored.

const knownBrowserColumns = `id, token_hash, user_id, created_at, used_at, expires_at, failures`

// CreateKnownBrowser stores a browser just remembered and sets its ID,
// CreatedAt and UsedAt (the transaction's time).
func (tx *Tx) CreateKnownBrowser(ctx context.Context, b *account.KnownBrowser) error {
	b.CreatedAt, b.UsedAt = tx.Now, tx.Now
	id, err := tx.insert(ctx, `INSERT INTO known_browsers (token_hash, user_id, created_at, used_at, expires_at, failures)
		VALUES (?, ?, ?, ?, ?, 0)`, b.TokenHash, b.UserID, b.CreatedAt, b.UsedAt, b.ExpiresAt)
	if err != nil {
		return err
	}
	b.ID, b.Failures = id, 0
	return nil
}

// KnownBrowserByTokenHash finds a browser by the hash of its cookie's
// token, whether or not it has expired (the caller decides). Errors:
// ENOTFOUND.
func (tx *Tx) KnownBrowserByTokenHash(ctx context.Context, hash []byte) (*account.KnownBrowser, error) {
	var b account.KnownBrowser
	err := tx.queryRow(ctx, `SELECT `+knownBrowserColumns+` FROM known_browsers WHERE token_hash = ?`, hash).
		Scan(&b.ID, &b.TokenHash, &b.UserID, &b.CreatedAt, &b.UsedAt, &b.ExpiresAt, &b.Failures)
	if err != nil {
		return nil, tx.scanErr(err, "known browser")
	}
	b.CreatedAt, b.UsedAt, b.ExpiresAt = b.CreatedAt.UTC(), b.UsedAt.UTC(), b.ExpiresAt.UTC()
	return &b, nil
}

// RenewKnownBrowser gives a browser a new token (hash) good until
// expires, after a full sign-in from it, and clears its failures: the old
// token, and any copy of it, stops working. Errors: ENOTFOUND when the
// browser has been forgotten meanwhile.
func (tx *Tx) RenewKnownBrowser(ctx context.Context, id int64, hash []byte, expires time.Time) error {
	res, err := tx.exec(ctx, `UPDATE known_browsers SET token_hash = ?, used_at = ?, expires_at = ?, failures = 0 WHERE id = ?`,
		hash, tx.Now, expires, id)
	if err != nil {
		return err
	}
	return mustAffect(res, "known browser")
}

// KnownBrowserFailed counts a failed sign-in from a browser and returns
// its failures in a row, this one included. Counting in the statement
// keeps two racing failures from both reading the old count. Errors:
// ENOTFOUND when the browser has been forgotten meanwhile.
func (tx *Tx) KnownBrowserFailed(ctx context.Context, id int64) (int, error) {
	res, err := tx.exec(ctx, `UPDATE known_browsers SET failures = failures + 1, used_at = ? WHERE id = ?`, tx.Now, id)
	if err != nil {
		return 0, err
	}
	if err := mustAffect(res, "known browser"); err != nil {
		return 0, err
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT failures FROM known_browsers WHERE id = ?`, id).Scan(&n); err != nil {
		return 0, tx.scanErr(err, "known browser")
	}
	return n, nil
}

// DeleteKnownBrowser forgets one browser, reporting whether it was still
// remembered, so that racing requests audit its end once.
func (tx *Tx) DeleteKnownBrowser(ctx context.Context, id int64) (bool, error) {
	res, err := tx.exec(ctx, `DELETE FROM known_browsers WHERE id = ?`, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, tx.d.mapError(err)
}

// DeleteUserKnownBrowsers forgets every browser of a user that has not
// expired (on a password or second-factor change, or disabling) and
// returns how many it forgot, so that each end is audited; expired ones
// go too, uncounted, as they were no longer honoured.
func (tx *Tx) DeleteUserKnownBrowsers(ctx context.Context, userID int64) (int64, error) {
	var live int64
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM known_browsers WHERE user_id = ? AND expires_at > ?`, userID, tx.Now).Scan(&live); err != nil {
		return 0, tx.d.mapError(err)
	}
	if _, err := tx.exec(ctx, `DELETE FROM known_browsers WHERE user_id = ?`, userID); err != nil {
		return 0, err
	}
	return live, nil
}

// PruneKnownBrowsers forgets a user's expired browsers and all but the
// keep most recently used of the rest, so that signing in on many
// browsers (or having the cookie cleared often) does not grow the table
// without end. It returns how many it forgot.
func (tx *Tx) PruneKnownBrowsers(ctx context.Context, userID int64, keep int) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM known_browsers WHERE user_id = ? AND (expires_at <= ? OR id NOT IN
		(SELECT id FROM known_browsers WHERE user_id = ? AND expires_at > ? ORDER BY used_at DESC, id DESC LIMIT ?))`,
		userID, tx.Now, userID, tx.Now, keep)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return n, tx.d.mapError(err)
}
