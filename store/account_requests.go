package store

import (
	"context"
	"database/sql"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
)

// CreateAccountRequest stores a pending request and sets its ID and time.
// Errors: EINVALID.
func (tx *Tx) CreateAccountRequest(ctx context.Context, r *account.AccountRequest) error {
	if err := r.Validate(); err != nil {
		return err
	}
	r.RequestedAt, r.State, r.DecidedBy, r.DecidedAt = tx.Now, account.RequestPending, 0, nil
	id, err := tx.insert(ctx, `INSERT INTO account_requests (kind, organisation_id, user_id, username, display_name, role, site_id, reason, requested_by, requested_at, state)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(r.Kind), r.OrganisationID, nullID(r.UserID), r.Username, r.DisplayName, string(r.Role), nullID(r.SiteID), r.Reason,
		nullID(r.RequestedBy), r.RequestedAt, string(r.State))
	if err != nil {
		return err
	}
	r.ID = id
	return nil
}

const accountRequestColumns = `id, kind, organisation_id, user_id, username, display_name, role, site_id, reason, requested_by, requested_at, state, decided_by, decided_at`

func scanAccountRequest(row interface{ Scan(...any) error }) (*account.AccountRequest, error) {
	var r account.AccountRequest
	var kind, role, state string
	var user, site, by, decider sql.NullInt64
	var decided sql.NullTime
	if err := row.Scan(&r.ID, &kind, &r.OrganisationID, &user, &r.Username, &r.DisplayName, &role, &site, &r.Reason, &by, &r.RequestedAt, &state, &decider, &decided); err != nil {
		return nil, err
	}
	r.Kind, r.Role, r.State = account.RequestKind(kind), access.Role(role), account.RequestState(state)
	r.UserID, r.SiteID, r.RequestedBy, r.DecidedBy = user.Int64, site.Int64, by.Int64, decider.Int64
	r.RequestedAt = r.RequestedAt.UTC()
	if decided.Valid {
		t := decided.Time.UTC()
		r.DecidedAt = &t
	}
	return &r, nil
}

// AccountRequest returns one request. Errors: ENOTFOUND.
func (tx *Tx) AccountRequest(ctx context.Context, id int64) (*account.AccountRequest, error) {
	r, err := scanAccountRequest(tx.queryRow(ctx, `SELECT `+accountRequestColumns+` FROM account_requests WHERE id = ?`, id))
	if err != nil {
		return nil, tx.scanErr(err, "request")
	}
	return r, nil
}

// AccountRequests lists requests about the accounts of the given
// organisations, newest first; only pending ones when pendingOnly.
func (tx *Tx) AccountRequests(ctx context.Context, orgIDs []int64, pendingOnly bool) ([]*account.AccountRequest, error) {
	if len(orgIDs) == 0 {
		return nil, nil
	}
	q := `SELECT ` + accountRequestColumns + ` FROM account_requests WHERE organisation_id IN (` + placeholders(len(orgIDs)) + `)`
	args := make([]any, 0, len(orgIDs)+1)
	for _, id := range orgIDs {
		args = append(args, id)
	}
	if pendingOnly {
		q += ` AND state = ?`
		args = append(args, string(account.RequestPending))
	}
	return tx.accountRequests(ctx, q+` ORDER BY id DESC`, args...)
}

// AccountRequestsBy lists the requests a user asked for (0: the command
// line), newest first, so they can follow them.
func (tx *Tx) AccountRequestsBy(ctx context.Context, userID int64, limit int) ([]*account.AccountRequest, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	if userID == 0 {
		return tx.accountRequests(ctx, `SELECT `+accountRequestColumns+` FROM account_requests WHERE requested_by IS NULL ORDER BY id DESC LIMIT ?`, limit)
	}
	return tx.accountRequests(ctx, `SELECT `+accountRequestColumns+` FROM account_requests WHERE requested_by = ? ORDER BY id DESC LIMIT ?`, userID, limit)
}

func (tx *Tx) accountRequests(ctx context.Context, q string, args ...any) ([]*account.AccountRequest, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*account.AccountRequest
	for rows.Next() {
		r, err := scanAccountRequest(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, r)
	}
	return out, tx.d.mapError(rows.Err())
}

// DecideAccountRequest stores the decision made by r.Decide, and the
// account created when a create request is approved. It changes only a
// request still pending, so two approvers racing cannot both apply it.
// Errors: ECONFLICT when the request was decided meanwhile.
func (tx *Tx) DecideAccountRequest(ctx context.Context, r *account.AccountRequest) error {
	if r.Pending() || r.DecidedBy == 0 || r.DecidedAt == nil {
		return drive.Errorf(drive.EINVALID, "a request needs a decision before it is stored")
	}
	res, err := tx.exec(ctx, `UPDATE account_requests SET state = ?, decided_by = ?, decided_at = ?, user_id = ? WHERE id = ? AND state = ?`,
		string(r.State), r.DecidedBy, *r.DecidedAt, nullID(r.UserID), r.ID, string(account.RequestPending))
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return drive.Errorf(drive.ECONFLICT, "This request was decided by someone else meanwhile: nothing changed")
	}
	return nil
}

// Organisation returns one organisation with its sites. Errors: ENOTFOUND.
func (tx *Tx) Organisation(ctx context.Context, id int64) (*account.Organisation, error) {
	var o account.Organisation
	var kind string
	err := tx.queryRow(ctx, `SELECT id, name, kind, created_at FROM organisations WHERE id = ?`, id).Scan(&o.ID, &o.Name, &kind, &o.CreatedAt)
	if err != nil {
		return nil, tx.scanErr(err, "organisation")
	}
	o.Kind = account.OrgKind(kind)
	rows, err := tx.query(ctx, `SELECT site_id FROM organisation_sites WHERE organisation_id = ? ORDER BY site_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var sid int64
		if err := rows.Scan(&sid); err != nil {
			return nil, tx.d.mapError(err)
		}
		o.SiteIDs = append(o.SiteIDs, sid)
	}
	return &o, tx.d.mapError(rows.Err())
}

// OrganisationUsers lists the users of an organisation by username, with
// their roles.
func (tx *Tx) OrganisationUsers(ctx context.Context, orgID int64) ([]*account.User, error) {
	return tx.users(ctx, `WHERE u.organisation_id = ? ORDER BY u.username`, orgID)
}

// EverHadTeamLeader reports whether any user of the organisation holds
// the team leader role, disabled users included: a service that has one,
// even a disabled one, was founded, and its first team leader cannot be
// made again at the command line.
func (tx *Tx) EverHadTeamLeader(ctx context.Context, orgID int64) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT count(*) FROM role_assignments ra JOIN users u ON u.id = ra.user_id WHERE u.organisation_id = ? AND ra.role = ?`,
		orgID, string(access.TeamLeader)).Scan(&n)
	if err != nil {
		return false, tx.d.mapError(err)
	}
	return n > 0, nil
}

// nullID stores 0 as NULL for optional references.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
