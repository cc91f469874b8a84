package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
)

// CreateSession stores a new session and sets its ID.
func (tx *Tx) CreateSession(ctx context.Context, s *account.Session) error {
	id, err := tx.insert(ctx, `INSERT INTO sessions (token_hash, user_id, stage, csrf_token, remote, created_at, last_seen_at, expires_at, reauth_at, pending_totp)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.TokenHash, s.UserID, s.Stage, s.CSRF, s.Remote, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.ReauthAt, s.PendingTOTP)
	if err != nil {
		return err
	}
	s.ID = id
	return nil
}

// SessionByTokenHash finds a session by the hash of its cookie value.
// Errors: ENOTFOUND.
func (tx *Tx) SessionByTokenHash(ctx context.Context, hash []byte) (*account.Session, error) {
	var s account.Session
	err := tx.queryRow(ctx, `SELECT id, token_hash, user_id, stage, csrf_token, remote, created_at, last_seen_at, expires_at, reauth_at, pending_totp, search
		FROM sessions WHERE token_hash = ?`, hash).
		Scan(&s.ID, &s.TokenHash, &s.UserID, &s.Stage, &s.CSRF, &s.Remote, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.ReauthAt, &s.PendingTOTP, &s.Search)
	if err != nil {
		return nil, tx.scanErr(err, "session")
	}
	for _, t := range []*time.Time{&s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.ReauthAt} {
		*t = t.UTC()
	}
	return &s, nil
}

// UpdateSession saves a session's stage, activity, re-authentication time
// and pending second-factor secret.
func (tx *Tx) UpdateSession(ctx context.Context, s *account.Session) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET stage = ?, last_seen_at = ?, reauth_at = ?, pending_totp = ?, search = ? WHERE id = ?`,
		s.Stage, s.LastSeenAt, s.ReauthAt, s.PendingTOTP, s.Search, s.ID)
	if err != nil {
		return err
	}
	return mustAffect(res, "session")
}

// TouchSession records a session's latest activity at at, and nothing
// else of it, so a request that only shows the session is still in use
// cannot undo another's change to its stage or search. Errors:
// ENOTFOUND when the session has ended meanwhile.
func (tx *Tx) TouchSession(ctx context.Context, id int64, at time.Time) error {
	res, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?`, at, id, at)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return tx.d.mapError(err)
	}
	// Nothing changed: either another request touched it later, or it is gone.
	var one int
	return tx.scanErr(tx.queryRow(ctx, `SELECT 1 FROM sessions WHERE id = ?`, id).Scan(&one), "session")
}

// DeleteSession ends one session, reporting whether it was still there:
// two requests can race to end the same session, and only the one that
// ended it may record the end.
func (tx *Tx) DeleteSession(ctx context.Context, id int64) (bool, error) {
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// DeleteUserSessions ends every session of a user except keep (0 keeps
// none): on disabling, or a password or second-factor change. It returns
// the ids of the sessions it ended, so that each end is audited.
func (tx *Tx) DeleteUserSessions(ctx context.Context, userID, keep int64) ([]int64, error) {
	rows, err := tx.query(ctx, `SELECT id FROM sessions WHERE user_id = ? AND id <> ? ORDER BY id`, userID, keep)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, tx.d.mapError(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, tx.d.mapError(err)
	}
	for _, id := range ids {
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// RecordSigninFailure notes a failed sign-in for throttling.
func (tx *Tx) RecordSigninFailure(ctx context.Context, username, remote string) error {
	_, err := tx.exec(ctx, `INSERT INTO signin_failures (username, remote, at) VALUES (?, ?, ?)`, username, remote, tx.Now)
	return err
}

// ClearSigninFailures forgets a username's failures after a success.
func (tx *Tx) ClearSigninFailures(ctx context.Context, username string) error {
	_, err := tx.exec(ctx, `DELETE FROM signin_failures WHERE username = ?`, username)
	return err
}

// SigninFailures returns the times of failures since since, for a username
// and for a client address.
func (tx *Tx) SigninFailures(ctx context.Context, username, remote string, since time.Time) (byUser, byRemote []time.Time, err error) {
	collect := func(q string, arg any) ([]time.Time, error) {
		rows, err := tx.query(ctx, q, arg, since)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []time.Time
		for rows.Next() {
			var t time.Time
			if err := rows.Scan(&t); err != nil {
				return nil, tx.d.mapError(err)
			}
			out = append(out, t.UTC())
		}
		return out, tx.d.mapError(rows.Err())
	}
	if byUser, err = collect(`SELECT at FROM signin_failures WHERE username = ? AND at >= ? ORDER BY at`, username); err != nil {
		return nil, nil, err
	}
	byRemote, err = collect(`SELECT at FROM signin_failures WHERE remote = ? AND at >= ? ORDER BY at`, remote)
	return byUser, byRemote, err
}

// UseTOTPStep records that a user's code for step was used, only if no
// later or equal step was used before. It returns false when the step was
// already used: a replayed code, possibly raced from two requests.
func (tx *Tx) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SetTOTP replaces a user's second-factor secret (after enrolment) and
// the last step used with it.
// The secret is sealed (credentials.go); "" removes it, so the user
// enrols again at their next sign-in.
func (tx *Tx) SetTOTP(ctx context.Context, userID int64, secret string, lastStep int64) error {
	res, err := tx.exec(ctx, `UPDATE users SET totp_secret = '', totp_last_step = ?, updated_at = ? WHERE id = ?`, lastStep, tx.Now, userID)
	if err != nil {
		return err
	}
	if err := mustAffect(res, "user"); err != nil {
		return err
	}
	return tx.setTOTPSecret(ctx, userID, secret)
}

// ReplaceRecoveryCodes stores a fresh set of recovery code hashes,
// discarding the old set.
func (tx *Tx) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte) error {
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for i, h := range hashes {
		if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (user_id, idx, hash) VALUES (?, ?, ?)`, userID, i, h); err != nil {
			return err
		}
	}
	return nil
}

// UnusedRecoveryCodes returns the hashes of a user's unused recovery codes
// and their indexes.
func (tx *Tx) UnusedRecoveryCodes(ctx context.Context, userID int64) (idx []int, hashes [][]byte, err error) {
	rows, err := tx.query(ctx, `SELECT idx, hash FROM recovery_codes WHERE user_id = ? AND used_at IS NULL ORDER BY idx`, userID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var h []byte
		if err := rows.Scan(&i, &h); err != nil {
			return nil, nil, tx.d.mapError(err)
		}
		idx, hashes = append(idx, i), append(hashes, h)
	}
	return idx, hashes, tx.d.mapError(rows.Err())
}

// UseRecoveryCode marks a recovery code used; false if it already was.
func (tx *Tx) UseRecoveryCode(ctx context.Context, userID int64, idx int) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND idx = ? AND used_at IS NULL`, tx.Now, userID, idx)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CreateAPIToken stores a token (its hash) and sets its ID.
func (tx *Tx) CreateAPIToken(ctx context.Context, t *account.APIToken) error {
	if t.Name == "" {
		t.Name = "token"
	}
	t.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		t.UserID, t.Name, t.TokenHash, t.CreatedAt, t.ExpiresAt)
	if err != nil {
		return err
	}
	t.ID = id
	return nil
}

const tokenColumns = `id, user_id, name, token_hash, created_at, expires_at, revoked_at, last_used_at` // #nosec G101 -- column names, not a credential

func scanToken(row interface{ Scan(...any) error }) (*account.APIToken, error) {
	var t account.APIToken
	var revoked, used sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &t.CreatedAt, &t.ExpiresAt, &revoked, &used); err != nil {
		return nil, err
	}
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	if revoked.Valid {
		r := revoked.Time.UTC()
		t.RevokedAt = &r
	}
	if used.Valid {
		u := used.Time.UTC()
		t.LastUsedAt = &u
	}
	return &t, nil
}

// APITokenByHash finds a token by the hash of its value. Errors: ENOTFOUND.
func (tx *Tx) APITokenByHash(ctx context.Context, hash []byte) (*account.APIToken, error) {
	t, err := scanToken(tx.queryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = ?`, hash))
	if err != nil {
		return nil, tx.scanErr(err, "token")
	}
	return t, nil
}

// APITokens lists a user's tokens, newest first.
func (tx *Tx) APITokens(ctx context.Context, userID int64) ([]*account.APIToken, error) {
	rows, err := tx.query(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*account.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, t)
	}
	return out, tx.d.mapError(rows.Err())
}

// TouchAPIToken records a token's use.
func (tx *Tx) TouchAPIToken(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, tx.Now, id)
	return err
}

// RevokeAPIToken ends a token now. Errors: ENOTFOUND if it is not the
// user's or is already revoked.
func (tx *Tx) RevokeAPIToken(ctx context.Context, userID, id int64) error {
	res, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, tx.Now, id, userID)
	if err != nil {
		return err
	}
	return mustAffect(res, "token")
}

// RevokeUserAPITokens ends every token of a user (on disabling).
func (tx *Tx) RevokeUserAPITokens(ctx context.Context, userID int64) error {
	_, err := tx.exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, tx.Now, userID)
	return err
}

// SessionPrincipal is what every signed-in request needs to know about
// its session: the session, its user with their roles, whether the user
// has a break-glass grant open, and how many of their notifications are
// unread (the count in every page's header).
type SessionPrincipal struct {
	Session *account.Session
	User    *account.User
	// BreakGlass is the user's grants open at the transaction's time.
	BreakGlass []access.Glass
	Unread     int
}

// SessionPrincipalByTokenHash reads a session, its user, the user's
// roles, the unread notifications count and whether a break-glass grant
// is open in one statement; the grants themselves are read with a second
// only when one is open, which is rare. Every request runs it, and each
// statement costs tens of microseconds of CPU through database/sql, so
// five statements in two transactions (the session, the user, the roles,
// the grants, then the count) were a tenth of a case page's CPU. It is
// read afresh on every request, never cached, so a session ended, a user
// disabled or a role removed takes effect on the next request. Errors:
// ENOTFOUND when no session has the hash (or its user is gone).
func (tx *Tx) SessionPrincipalByTokenHash(ctx context.Context, hash []byte) (*SessionPrincipal, error) {
	// The roles come as one text, "id:role:site" joined by commas: ids
	// and sites are numbers and roles are names from a fixed list, so
	// neither separator can occur inside an item.
	agg := `group_concat(r.id || ':' || r.role || ':' || COALESCE(r.site_id, 0), ',')`
	if tx.d.name == "postgres" {
		agg = `string_agg(r.id || ':' || r.role || ':' || COALESCE(r.site_id, 0), ',')`
	}
	var (
		s        account.Session
		u        account.User
		disabled sql.NullTime
		kind     string
		glass    bool
		roles    sql.NullString
		p        = &SessionPrincipal{Session: &s, User: &u}
	)
	err := tx.queryRow(ctx, `SELECT s.id, s.token_hash, s.user_id, s.stage, s.csrf_token, s.remote, s.created_at, s.last_seen_at, s.expires_at,
		s.reauth_at, s.pending_totp, s.search,
		u.id, u.username, u.display_name, u.organisation_id, u.password_hash, u.totp_last_step, u.disabled_at, u.created_at, u.updated_at,
		u.totp_secret <> '' OR EXISTS (SELECT 1 FROM user_totp_secrets t WHERE t.user_id = u.id),
		COALESCE((SELECT kind FROM organisations o WHERE o.id = u.organisation_id), ''),
		(SELECT COUNT(*) FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL),
		EXISTS (SELECT 1 FROM break_glass g WHERE g.user_id = u.id AND g.expires_at > ?),
		(SELECT `+agg+` FROM role_assignments r WHERE r.user_id = u.id)
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tx.Now, hash).
		Scan(&s.ID, &s.TokenHash, &s.UserID, &s.Stage, &s.CSRF, &s.Remote, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt,
			&s.ReauthAt, &s.PendingTOTP, &s.Search,
			&u.ID, &u.Username, &u.DisplayName, &u.OrganisationID, &u.PasswordHash, &u.TOTPLastStep, &disabled, &u.CreatedAt, &u.UpdatedAt,
			&u.TOTPEnrolled, &kind, &p.Unread, &glass, &roles)
	if err != nil {
		return nil, tx.scanErr(err, "session")
	}
	for _, t := range []*time.Time{&s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.ReauthAt} {
		*t = t.UTC()
	}
	u.OrganisationKind = account.OrgKind(kind)
	if disabled.Valid {
		t := disabled.Time.UTC()
		u.DisabledAt = &t
	}
	if u.Roles, err = parseRoles(u.ID, roles.String); err != nil {
		return nil, err
	}
	if glass {
		if p.BreakGlass, err = tx.ActiveBreakGlass(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// parseRoles reads the roles SessionPrincipalByTokenHash joins into one
// text, in the order they were assigned (by id), as User gives them.
func parseRoles(userID int64, s string) ([]account.RoleAssignment, error) {
	if s == "" {
		return nil, nil
	}
	items := strings.Split(s, ",")
	out := make([]account.RoleAssignment, 0, len(items))
	for _, item := range items {
		id, rest, ok1 := strings.Cut(item, ":")
		role, site, ok2 := strings.Cut(rest, ":")
		a := account.RoleAssignment{UserID: userID, Role: access.Role(role)}
		var err1, err2 error
		a.ID, err1 = strconv.ParseInt(id, 10, 64)
		a.SiteID, err2 = strconv.ParseInt(site, 10, 64)
		if !ok1 || !ok2 || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("store: unreadable role assignment %q", item)
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
