-- Sign-in through an organisation's own OpenID Connect provider: the
-- provider settings per organisation, the link from a provider's subject
-- to a Drive user, and sign-ins in progress.

-- client_secret is a credential: never rendered or logged. It should move
-- under the key-encryption key once one exists. email_domains, mfa_amr and
-- mfa_acr are space-separated lists.
CREATE TABLE organisation_oidc (
	organisation_id INTEGER PRIMARY KEY REFERENCES organisations(id),
	issuer          TEXT NOT NULL CHECK (length(issuer) BETWEEN 8 AND 2000),
	client_id       TEXT NOT NULL CHECK (length(client_id) BETWEEN 1 AND 500),
	client_secret   TEXT NOT NULL CHECK (length(client_secret) BETWEEN 1 AND 2000),
	redirect_url    TEXT NOT NULL CHECK (length(redirect_url) BETWEEN 8 AND 2000),
	display_name    TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
	enabled         INTEGER NOT NULL CHECK (enabled IN (0, 1)),
	username_claim  TEXT NOT NULL CHECK (username_claim IN ('email', 'preferred_username')),
	email_domains   TEXT NOT NULL DEFAULT '',
	mfa_amr         TEXT NOT NULL DEFAULT '',
	mfa_acr         TEXT NOT NULL DEFAULT '',
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL
);

-- A provider's subject identifier is stable for one person at one
-- provider; a user has at most one per organisation.
CREATE TABLE user_oidc (
	user_id         INTEGER NOT NULL REFERENCES users(id),
	organisation_id INTEGER NOT NULL REFERENCES organisations(id),
	subject         TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
	created_at      TIMESTAMP NOT NULL,
	last_used_at    TIMESTAMP NOT NULL,
	PRIMARY KEY (organisation_id, subject),
	UNIQUE (user_id, organisation_id)
);

-- One row per trip to a provider, found by the SHA-256 of its state and
-- bound to the browser that started it by the SHA-256 of a cookie. used_at
-- is set when the provider sends the person back; a used state is never
-- accepted again. user_id is set when Drive's own security code is still
-- needed after the provider has vouched for the person.
CREATE TABLE oidc_logins (
	id              INTEGER PRIMARY KEY,
	state_hash      BLOB NOT NULL UNIQUE,
	browser_hash    BLOB NOT NULL,
	nonce_hash      BLOB NOT NULL,
	code_verifier   TEXT NOT NULL,
	organisation_id INTEGER NOT NULL REFERENCES organisations(id),
	created_at      TIMESTAMP NOT NULL,
	expires_at      TIMESTAMP NOT NULL,
	used_at         TIMESTAMP,
	user_id         INTEGER REFERENCES users(id),
	subject         TEXT NOT NULL DEFAULT '',
	attempts        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX oidc_logins_browser ON oidc_logins (browser_hash);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);
