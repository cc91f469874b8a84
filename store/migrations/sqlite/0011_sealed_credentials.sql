-- Credentials are sealed under the key file like the victim compartment
-- (see store/credentials.go): a user's second-factor secret and an
-- organisation's OpenID Connect client secret live here, encrypted under
-- their own data key bound to their owner, and the clear columns keep ''
-- (users.totp_secret) or the placeholder '[sealed]'
-- (organisation_oidc.client_secret). Secrets written before this migration
-- stay in the clear columns until `drive serve` seals them at start-up.
CREATE TABLE user_totp_secrets (
	user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	data    BLOB NOT NULL,
	key_id  TEXT NOT NULL
);

CREATE TABLE oidc_client_secrets (
	organisation_id INTEGER PRIMARY KEY REFERENCES organisation_oidc(organisation_id) ON DELETE CASCADE,
	data            BLOB NOT NULL,
	key_id          TEXT NOT NULL
);
