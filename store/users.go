package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
)

// CreateUser stores a user and their role assignments. The caller hashes
// the password. Errors: EINVALID, ECONFLICT (username taken).
func (tx *Tx) CreateUser(ctx context.Context, u *account.User) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.PasswordHash == "" {
		return drive.Errorf(drive.EINVALID, "a user needs a password")
	}
	u.CreatedAt, u.UpdatedAt = tx.Now, tx.Now
	id, err := tx.insert(ctx, `INSERT INTO users (username, display_name, organisation_id, password_hash, totp_secret, totp_last_step, created_at, updated_at)
		VALUES (?, ?, ?, ?, '', ?, ?, ?)`,
		u.Username, u.DisplayName, u.OrganisationID, u.PasswordHash, u.TOTPLastStep, u.CreatedAt, u.UpdatedAt)
	if err != nil {
		if drive.ErrorCode(err) == drive.ECONFLICT {
			return drive.Invalid("The user could not be saved", map[string]string{"username": "That username is already taken: choose another"})
		}
		return err
	}
	u.ID = id
	if err := tx.setTOTPSecret(ctx, u.ID, u.TOTPSecret); err != nil {
		return err
	}
	u.TOTPEnrolled = u.TOTPSecret != ""
	roles := u.Roles
	u.Roles = nil
	for _, a := range roles {
		a.UserID = u.ID
		if err := tx.AddRole(ctx, &a); err != nil {
			return err
		}
		u.Roles = append(u.Roles, a)
	}
	return nil
}

// AddRole gives a user a role. Errors: EINVALID (scope), ECONFLICT (held).
func (tx *Tx) AddRole(ctx context.Context, a *account.RoleAssignment) error {
	if err := a.Validate(); err != nil {
		return err
	}
	var site any
	if a.SiteID != 0 {
		site = a.SiteID
	}
	id, err := tx.insert(ctx, `INSERT INTO role_assignments (user_id, role, site_id, created_at) VALUES (?, ?, ?, ?)`, a.UserID, string(a.Role), site, tx.Now)
	if err != nil {
		return err
	}
	a.ID = id
	return nil
}

// userSelect reads users with whether they have a second-factor secret
// (the secret itself is read only by TOTPSecret, where it is checked) and
// their organisation's kind, which the access policy needs for every
// decision.
const userSelect = `SELECT u.id, u.username, u.display_name, u.organisation_id, u.password_hash, u.totp_last_step,
	u.disabled_at, u.created_at, u.updated_at, u.totp_secret <> '' OR s.user_id IS NOT NULL,
	COALESCE((SELECT kind FROM organisations WHERE organisations.id = u.organisation_id), '')
	FROM users u LEFT JOIN user_totp_secrets s ON s.user_id = u.id`

func scanUser(row interface{ Scan(...any) error }) (*account.User, error) {
	var u account.User
	var disabled sql.NullTime
	var kind string
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &u.OrganisationID, &u.PasswordHash, &u.TOTPLastStep, &disabled, &u.CreatedAt, &u.UpdatedAt, &u.TOTPEnrolled, &kind); err != nil {
		return nil, err
	}
	u.OrganisationKind = account.OrgKind(kind)
	if disabled.Valid {
		t := disabled.Time.UTC()
		u.DisabledAt = &t
	}
	return &u, nil
}

// User returns a user with their roles. Errors: ENOTFOUND.
func (tx *Tx) User(ctx context.Context, id int64) (*account.User, error) {
	u, err := scanUser(tx.queryRow(ctx, userSelect+` WHERE u.id = ?`, id))
	if err != nil {
		return nil, tx.scanErr(err, "user")
	}
	return u, tx.loadRoles(ctx, u)
}

// UserByUsername returns a user with their roles. Errors: ENOTFOUND.
func (tx *Tx) UserByUsername(ctx context.Context, name string) (*account.User, error) {
	u, err := scanUser(tx.queryRow(ctx, userSelect+` WHERE u.username = ?`, strings.ToLower(strings.TrimSpace(name))))
	if err != nil {
		return nil, tx.scanErr(err, "user")
	}
	return u, tx.loadRoles(ctx, u)
}

func (tx *Tx) loadRoles(ctx context.Context, u *account.User) error {
	rows, err := tx.query(ctx, `SELECT id, role, site_id FROM role_assignments WHERE user_id = ? ORDER BY id`, u.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	u.Roles = nil
	for rows.Next() {
		a := account.RoleAssignment{UserID: u.ID}
		var role string
		var site sql.NullInt64
		if err := rows.Scan(&a.ID, &role, &site); err != nil {
			return tx.d.mapError(err)
		}
		a.Role, a.SiteID = access.Role(role), site.Int64
		u.Roles = append(u.Roles, a)
	}
	return tx.d.mapError(rows.Err())
}

// Users lists every user by username, with roles.
func (tx *Tx) Users(ctx context.Context) ([]*account.User, error) {
	return tx.users(ctx, `ORDER BY u.username`)
}

// users lists the users a clause of userSelect picks, with roles.
func (tx *Tx) users(ctx context.Context, clause string, args ...any) ([]*account.User, error) {
	rows, err := tx.query(ctx, userSelect+` `+clause, args...)
	if err != nil {
		return nil, err
	}
	var out []*account.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		out = append(out, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.d.mapError(err)
	}
	return out, tx.loadRolesOf(ctx, out, clause == `ORDER BY u.username`)
}

// UserNames returns the display names of the users with the given ids;
// an id with no user is left out. A page that names who wrote what asks
// for those, not for every account.
func (tx *Tx) UserNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	ids = uniqueIDs(ids)
	for len(ids) > 0 {
		part := ids[:min(len(ids), 500)]
		ids = ids[len(part):]
		rows, err := tx.query(ctx, `SELECT id, display_name FROM users WHERE id IN (`+placeholders(len(part))+`)`, int64Args(part)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, tx.d.mapError(err)
			}
			out[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, tx.d.mapError(err)
		}
	}
	return out, nil
}

// uniqueIDs returns ids without zeros or repeats, in ascending order.
func uniqueIDs(ids []int64) []int64 {
	out := make([]int64, 0, len(ids))
	for _, id := range ids {
		if id != 0 {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// UserNamesWithRole lists the enabled users holding role at site, by
// username, with their id, username and display name only: what a page
// offering them as a choice (the case page's case managers) shows, read
// without their roles, organisations or second factors.
func (tx *Tx) UserNamesWithRole(ctx context.Context, role access.Role, siteID int64) ([]account.User, error) {
	rows, err := tx.query(ctx, `SELECT u.id, u.username, u.display_name FROM role_assignments r JOIN users u ON u.id = r.user_id
		WHERE r.role = ? AND r.site_id = ? AND u.disabled_at IS NULL ORDER BY u.username`, string(role), siteID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	// The case page reads a site's case managers on every view: the row
	// is scanned into the same three variables each time, not into a new
	// user that escapes per row, and the list starts with room for a
	// site's usual team.
	var (
		id             int64
		username, name string
	)
	out := make([]account.User, 0, 16)
	for rows.Next() {
		if err := rows.Scan(&id, &username, &name); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, account.User{ID: id, Username: username, DisplayName: name})
	}
	if len(out) == 0 {
		out = nil
	}
	return out, tx.d.mapError(rows.Err())
}

// loadRolesOf fills in the roles of users with one query, not one a
// user: pages that name every user (a case page names whoever wrote on
// it) read hundreds of accounts at national scale.
func (tx *Tx) loadRolesOf(ctx context.Context, users []*account.User, all bool) error {
	if len(users) < 4 {
		for _, u := range users {
			if err := tx.loadRoles(ctx, u); err != nil {
				return err
			}
		}
		return nil
	}
	byID := make(map[int64]*account.User, len(users))
	for _, u := range users {
		u.Roles = nil
		byID[u.ID] = u
	}
	q, args := `SELECT user_id, id, role, site_id FROM role_assignments ORDER BY id`, []any(nil)
	if !all {
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		q, args = `SELECT user_id, id, role, site_id FROM role_assignments WHERE user_id IN (`+placeholders(len(ids))+`) ORDER BY id`, int64Args(ids)
	}
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a account.RoleAssignment
		var role string
		var site sql.NullInt64
		if err := rows.Scan(&a.UserID, &a.ID, &role, &site); err != nil {
			return tx.d.mapError(err)
		}
		if u := byID[a.UserID]; u != nil {
			a.Role, a.SiteID = access.Role(role), site.Int64
			u.Roles = append(u.Roles, a)
		}
	}
	return tx.d.mapError(rows.Err())
}

// CountUsers returns how many users exist; zero means the database needs
// its first administrator.
func (tx *Tx) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := tx.queryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, tx.d.mapError(err)
	}
	return n, nil
}

// SetUserDisabled disables (at tx.Now) or re-enables a user.
// Errors: ENOTFOUND.
func (tx *Tx) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	var at any
	if disabled {
		at = tx.Now
	}
	res, err := tx.exec(ctx, `UPDATE users SET disabled_at = ?, updated_at = ? WHERE id = ?`, at, tx.Now, id)
	if err != nil {
		return err
	}
	return mustAffect(res, "user")
}

// SetPassword replaces a user's password hash. Errors: ENOTFOUND.
func (tx *Tx) SetPassword(ctx context.Context, id int64, hash string) error {
	res, err := tx.exec(ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, tx.Now, id)
	if err != nil {
		return err
	}
	return mustAffect(res, "user")
}

func mustAffect(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return drive.NotFound(what)
	}
	return nil
}
