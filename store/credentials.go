package store

import (
	"context"
	"crypto/rand"
	"fmt"

	"github.com/drive-platform/drive"
)

// Credentials the store holds (a user's second-factor secret, an
// organisation's OpenID Connect client secret) are sealed under the key
// file like the victim compartment, so a copy of the database alone cannot
// mint a security code or impersonate the service to a provider.
//
// Unlike the compartment, which the service seals before the store sees
// it, credentials are sealed and opened here: every read and write of a
// user or of sign-in settings passes through this file, so no caller can
// forget to seal one, and the values keep their plain types in package account.
// Each is bound to its owner with associated data:
//
//	second factor   "users:<id>:totp"
//	client secret   "organisation_oidc:<organisation id>:client_secret"
//
// Secrets written before sealing stay in their clear columns until
// SealCredentials moves them (drive serve does so at start).

// TOTPSecretAAD is the associated data of a user's second-factor secret.
func TOTPSecretAAD(userID int64) []byte { return fmt.Appendf(nil, "users:%d:totp", userID) }

// ClientSecretAAD is the associated data of an organisation's OpenID
// Connect client secret.
func ClientSecretAAD(organisationID int64) []byte {
	return fmt.Appendf(nil, "organisation_oidc:%d:client_secret", organisationID)
}

// errNoCredentialKeys is the answer when a credential must be sealed or
// opened by a store opened without keys.
func errNoCredentialKeys() error {
	return drive.Errorf(drive.EUNAVAILABLE, "Sign-in secrets are sealed under the key file, and this database was opened without it: set DRIVE_KEYS_FILE to the key file, or keep drive-keys.json beside the SQLite database")
}

// sealCredential seals plaintext bound to aad.
func (tx *Tx) sealCredential(plaintext string, aad []byte) (SealedValue, error) {
	if tx.keys == nil {
		return SealedValue{}, errNoCredentialKeys()
	}
	s, err := tx.keys.Seal(rand.Reader, []byte(plaintext), aad)
	if err != nil {
		return SealedValue{}, err
	}
	return SealedValueOf(s), nil
}

// openCredential opens a sealed credential bound to aad.
func (tx *Tx) openCredential(data []byte, aad []byte) (string, error) {
	if tx.keys == nil {
		return "", errNoCredentialKeys()
	}
	s, err := SealedValue{Data: data}.Parse()
	if err != nil {
		return "", drive.Wrap(err, drive.EINTERNAL, "a stored sign-in secret is damaged")
	}
	plain, err := tx.keys.Open(s, aad)
	if err != nil {
		return "", drive.Wrap(err, drive.EINTERNAL, "a stored sign-in secret could not be opened with the key file")
	}
	return string(plain), nil
}

// setTOTPSecret stores a user's second-factor secret sealed, or removes it
// when secret is "" (not enrolled).
func (tx *Tx) setTOTPSecret(ctx context.Context, userID int64, secret string) error {
	if _, err := tx.exec(ctx, `DELETE FROM user_totp_secrets WHERE user_id = ?`, userID); err != nil {
		return err
	}
	if secret == "" {
		return nil
	}
	v, err := tx.sealCredential(secret, TOTPSecretAAD(userID))
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO user_totp_secrets (user_id, data, key_id) VALUES (?, ?, ?)`, userID, v.Data, v.KeyID)
	return err
}

// setClientSecret stores an organisation's client secret sealed.
func (tx *Tx) setClientSecret(ctx context.Context, organisationID int64, secret string) error {
	v, err := tx.sealCredential(secret, ClientSecretAAD(organisationID))
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM oidc_client_secrets WHERE organisation_id = ?`, organisationID); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO oidc_client_secrets (organisation_id, data, key_id) VALUES (?, ?, ?)`, organisationID, v.Data, v.KeyID)
	return err
}

// SealCredentials seals every second-factor secret and client secret still
// held in the clear, in the caller's transaction, and returns how many it
// sealed. It is how a database written before sealing is migrated in
// place. Errors: EUNAVAILABLE without keys, when there is anything to seal.
func (tx *Tx) SealCredentials(ctx context.Context) (int, error) {
	type clear struct {
		id     int64
		secret string
	}
	read := func(query string) ([]clear, error) {
		rows, err := tx.query(ctx, query)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []clear
		for rows.Next() {
			var c clear
			if err := rows.Scan(&c.id, &c.secret); err != nil {
				return nil, tx.d.mapError(err)
			}
			out = append(out, c)
		}
		return out, tx.d.mapError(rows.Err())
	}
	users, err := read(`SELECT u.id, u.totp_secret FROM users u LEFT JOIN user_totp_secrets s ON s.user_id = u.id
		WHERE u.totp_secret <> '' AND s.user_id IS NULL ORDER BY u.id`)
	if err != nil {
		return 0, err
	}
	for _, c := range users {
		if err := tx.setTOTPSecret(ctx, c.id, c.secret); err != nil {
			return 0, err
		}
		if _, err := tx.exec(ctx, `UPDATE users SET totp_secret = '' WHERE id = ?`, c.id); err != nil {
			return 0, err
		}
	}
	orgs, err := read(`SELECT o.organisation_id, o.client_secret FROM organisation_oidc o
		LEFT JOIN oidc_client_secrets s ON s.organisation_id = o.organisation_id
		WHERE s.organisation_id IS NULL ORDER BY o.organisation_id`)
	if err != nil {
		return 0, err
	}
	for _, c := range orgs {
		if err := tx.setClientSecret(ctx, c.id, c.secret); err != nil {
			return 0, err
		}
		if _, err := tx.exec(ctx, `UPDATE organisation_oidc SET client_secret = ? WHERE organisation_id = ?`, SealedBodyPlaceholder, c.id); err != nil {
			return 0, err
		}
	}
	return len(users) + len(orgs), nil
}

// TOTPSecret opens a user's second-factor secret, for checking a code;
// "" when the user has not enrolled. Reads of users never carry it.
// Errors: EUNAVAILABLE without keys, ENOTFOUND for no such user.
func (tx *Tx) TOTPSecret(ctx context.Context, userID int64) (string, error) {
	var clearSecret string
	var data []byte
	err := tx.queryRow(ctx, `SELECT u.totp_secret, s.data FROM users u LEFT JOIN user_totp_secrets s ON s.user_id = u.id WHERE u.id = ?`, userID).
		Scan(&clearSecret, &data)
	if err != nil {
		return "", tx.scanErr(err, "user")
	}
	if data == nil {
		return clearSecret, nil
	}
	return tx.openCredential(data, TOTPSecretAAD(userID))
}
