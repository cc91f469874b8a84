package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/drive-platform/drive/account"
)

// SetOrganisationOIDC creates or replaces an organisation's OpenID Connect
// settings. The client secret is sealed under the key file
// (credentials.go); callers must never log or show it.
// Errors: EINVALID (fields, or no such organisation).
func (tx *Tx) SetOrganisationOIDC(ctx context.Context, c *account.OIDCConfig) error {
	if err := c.Validate(); err != nil {
		return err
	}
	c.UpdatedAt = tx.Now
	err := tx.queryRow(ctx, `INSERT INTO organisation_oidc (organisation_id, issuer, client_id, client_secret, redirect_url, display_name,
			enabled, username_claim, email_domains, mfa_amr, mfa_acr, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (organisation_id) DO UPDATE SET issuer = excluded.issuer, client_id = excluded.client_id,
			client_secret = excluded.client_secret, redirect_url = excluded.redirect_url, display_name = excluded.display_name,
			enabled = excluded.enabled, username_claim = excluded.username_claim, email_domains = excluded.email_domains,
			mfa_amr = excluded.mfa_amr, mfa_acr = excluded.mfa_acr, updated_at = excluded.updated_at
		RETURNING created_at`,
		c.OrganisationID, c.Issuer, c.ClientID, SealedBodyPlaceholder, c.RedirectURL, c.DisplayName, c.Enabled, c.UsernameClaim,
		strings.Join(c.EmailDomains, " "), strings.Join(c.MFAMethods, " "), strings.Join(c.MFAContexts, " "), tx.Now, tx.Now).
		Scan(&c.CreatedAt)
	if err != nil {
		return tx.d.mapError(err)
	}
	c.CreatedAt = c.CreatedAt.UTC()
	return tx.setClientSecret(ctx, c.OrganisationID, c.ClientSecret)
}

// OrganisationOIDC returns an organisation's OpenID Connect settings,
// enabled or not, including the client secret.
// Errors: ENOTFOUND when the organisation has none.
func (tx *Tx) OrganisationOIDC(ctx context.Context, organisationID int64) (*account.OIDCConfig, error) {
	var c account.OIDCConfig
	var domains, amr, acr string
	var sealedSecret []byte
	err := tx.queryRow(ctx, `SELECT o.organisation_id, o.issuer, o.client_id, o.client_secret, o.redirect_url, o.display_name, o.enabled,
			o.username_claim, o.email_domains, o.mfa_amr, o.mfa_acr, o.created_at, o.updated_at, s.data
		FROM organisation_oidc o LEFT JOIN oidc_client_secrets s ON s.organisation_id = o.organisation_id
		WHERE o.organisation_id = ?`, organisationID).
		Scan(&c.OrganisationID, &c.Issuer, &c.ClientID, &c.ClientSecret, &c.RedirectURL, &c.DisplayName, &c.Enabled,
			&c.UsernameClaim, &domains, &amr, &acr, &c.CreatedAt, &c.UpdatedAt, &sealedSecret)
	if err != nil {
		return nil, tx.scanErr(err, "sign-in settings")
	}
	if sealedSecret != nil {
		if c.ClientSecret, err = tx.openCredential(sealedSecret, ClientSecretAAD(c.OrganisationID)); err != nil {
			return nil, err
		}
	}
	c.EmailDomains, c.MFAMethods, c.MFAContexts = strings.Fields(domains), strings.Fields(amr), strings.Fields(acr)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// EnabledOIDCOrganisations lists the organisations whose staff may sign in
// with their own provider, by button label. It reads no secrets.
func (tx *Tx) EnabledOIDCOrganisations(ctx context.Context) ([]account.OIDCSignin, error) {
	rows, err := tx.query(ctx, `SELECT organisation_id, display_name FROM organisation_oidc WHERE enabled = ? ORDER BY display_name, organisation_id`, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []account.OIDCSignin
	for rows.Next() {
		var o account.OIDCSignin
		if err := rows.Scan(&o.OrganisationID, &o.DisplayName); err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, o)
	}
	return out, tx.d.mapError(rows.Err())
}

// SetOrganisationOIDCEnabled switches sign-in through an organisation's
// provider on or off without changing its settings.
// Errors: ENOTFOUND when the organisation has no settings.
func (tx *Tx) SetOrganisationOIDCEnabled(ctx context.Context, organisationID int64, enabled bool) error {
	res, err := tx.exec(ctx, `UPDATE organisation_oidc SET enabled = ?, updated_at = ? WHERE organisation_id = ?`, enabled, tx.Now, organisationID)
	if err != nil {
		return err
	}
	return mustAffect(res, "sign-in settings")
}

// OIDCLinkedUser returns the user a provider's subject is linked to.
// Errors: ENOTFOUND when the subject is not linked.
func (tx *Tx) OIDCLinkedUser(ctx context.Context, organisationID int64, subject string) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `SELECT user_id FROM user_oidc WHERE organisation_id = ? AND subject = ?`, organisationID, subject).Scan(&id)
	if err != nil {
		return 0, tx.scanErr(err, "linked user")
	}
	return id, nil
}

// OIDCSubject returns the subject a user is linked to at an organisation's
// provider. Errors: ENOTFOUND when the user has no link there.
func (tx *Tx) OIDCSubject(ctx context.Context, userID, organisationID int64) (string, error) {
	var sub string
	err := tx.queryRow(ctx, `SELECT subject FROM user_oidc WHERE user_id = ? AND organisation_id = ?`, userID, organisationID).Scan(&sub)
	if err != nil {
		return "", tx.scanErr(err, "linked account")
	}
	return sub, nil
}

// LinkOIDCSubject links a provider's subject to a user, or records that an
// existing link was used again.
// Errors: ECONFLICT when the subject or the user is linked otherwise.
func (tx *Tx) LinkOIDCSubject(ctx context.Context, userID, organisationID int64, subject string) error {
	res, err := tx.exec(ctx, `UPDATE user_oidc SET last_used_at = ? WHERE user_id = ? AND organisation_id = ? AND subject = ?`,
		tx.Now, userID, organisationID, subject)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO user_oidc (user_id, organisation_id, subject, created_at, last_used_at) VALUES (?, ?, ?, ?, ?)`,
		userID, organisationID, subject, tx.Now, tx.Now)
	return err
}

// UnlinkOIDC removes a user's link to an organisation's provider, so the
// next sign-in there matches them by username again (after the provider
// account was replaced, say). Errors: ENOTFOUND when there is no link.
func (tx *Tx) UnlinkOIDC(ctx context.Context, userID, organisationID int64) error {
	res, err := tx.exec(ctx, `DELETE FROM user_oidc WHERE user_id = ? AND organisation_id = ?`, userID, organisationID)
	if err != nil {
		return err
	}
	return mustAffect(res, "linked account")
}

// CreateOIDCLogin stores a sign-in about to leave for the provider and
// sets its ID.
func (tx *Tx) CreateOIDCLogin(ctx context.Context, l *account.OIDCLogin) error {
	l.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO oidc_logins (state_hash, browser_hash, nonce_hash, code_verifier, organisation_id, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		l.StateHash, l.BrowserHash, l.NonceHash, l.CodeVerifier, l.OrganisationID, l.CreatedAt, l.ExpiresAt)
	if err != nil {
		return err
	}
	l.ID = id
	return nil
}

const oidcLoginColumns = `id, state_hash, browser_hash, nonce_hash, code_verifier, organisation_id, created_at, expires_at, used_at, user_id, subject, attempts`

func scanOIDCLogin(row interface{ Scan(...any) error }) (*account.OIDCLogin, error) {
	var l account.OIDCLogin
	var used sql.NullTime
	var user sql.NullInt64
	if err := row.Scan(&l.ID, &l.StateHash, &l.BrowserHash, &l.NonceHash, &l.CodeVerifier, &l.OrganisationID,
		&l.CreatedAt, &l.ExpiresAt, &used, &user, &l.Subject, &l.Attempts); err != nil {
		return nil, err
	}
	l.CreatedAt, l.ExpiresAt = l.CreatedAt.UTC(), l.ExpiresAt.UTC()
	if used.Valid {
		t := used.Time.UTC()
		l.UsedAt = &t
	}
	l.UserID = user.Int64
	return &l, nil
}

// ConsumeOIDCLogin marks the sign-in with this state hash used and returns
// it, expired or not (the caller refuses an expired one). A state is
// accepted once: a second call with the same hash, even racing the first,
// finds nothing. Errors: ENOTFOUND for an unknown or already used state.
func (tx *Tx) ConsumeOIDCLogin(ctx context.Context, stateHash []byte) (*account.OIDCLogin, error) {
	l, err := scanOIDCLogin(tx.queryRow(ctx, `UPDATE oidc_logins SET used_at = ? WHERE state_hash = ? AND used_at IS NULL RETURNING `+oidcLoginColumns,
		tx.Now, stateHash))
	if err != nil {
		return nil, tx.scanErr(err, "sign-in")
	}
	return l, nil
}

// AwaitOIDCSecondFactor records that the provider vouched for userID
// (with subject) on a used sign-in, which now waits for Drive's own
// security code from the browser holding the cookie hashed as
// browserHash, until expiresAt. Errors: ENOTFOUND.
func (tx *Tx) AwaitOIDCSecondFactor(ctx context.Context, id, userID int64, subject string, browserHash []byte, expiresAt time.Time) error {
	res, err := tx.exec(ctx, `UPDATE oidc_logins SET user_id = ?, subject = ?, browser_hash = ?, expires_at = ?, attempts = 0
		WHERE id = ? AND used_at IS NOT NULL`, userID, subject, browserHash, expiresAt, id)
	if err != nil {
		return err
	}
	return mustAffect(res, "sign-in")
}

// PendingOIDCLogin returns the unexpired sign-in waiting for a security
// code from the browser whose cookie hashes to browserHash.
// Errors: ENOTFOUND.
func (tx *Tx) PendingOIDCLogin(ctx context.Context, browserHash []byte) (*account.OIDCLogin, error) {
	l, err := scanOIDCLogin(tx.queryRow(ctx, `SELECT `+oidcLoginColumns+` FROM oidc_logins
		WHERE browser_hash = ? AND used_at IS NOT NULL AND user_id IS NOT NULL AND expires_at > ?
		ORDER BY id DESC LIMIT 1`, browserHash, tx.Now))
	if err != nil {
		return nil, tx.scanErr(err, "sign-in")
	}
	return l, nil
}

// CountOIDCAttempt adds one to a pending sign-in's wrong security codes
// and returns the new count. Errors: ENOTFOUND.
func (tx *Tx) CountOIDCAttempt(ctx context.Context, id int64) (int, error) {
	var n int
	if err := tx.queryRow(ctx, `UPDATE oidc_logins SET attempts = attempts + 1 WHERE id = ? RETURNING attempts`, id).Scan(&n); err != nil {
		return 0, tx.scanErr(err, "sign-in")
	}
	return n, nil
}

// DeleteOIDCLogin forgets a sign-in, finished or abandoned.
func (tx *Tx) DeleteOIDCLogin(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `DELETE FROM oidc_logins WHERE id = ?`, id)
	return err
}

// DeleteExpiredOIDCLogins forgets every sign-in past its expiry.
func (tx *Tx) DeleteExpiredOIDCLogins(ctx context.Context) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM oidc_logins WHERE expires_at <= ?`, tx.Now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
