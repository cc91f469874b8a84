-- Sign-in: sessions, API tokens, recovery codes, failed attempts, and
-- break-glass grants with the alerts they raise.

-- A session is found by the SHA-256 of its cookie value; the value itself
-- is never stored. stage 'enrol' allows only second-factor enrolment.
CREATE TABLE sessions (
	id           INTEGER PRIMARY KEY,
	token_hash   BLOB NOT NULL UNIQUE,
	user_id      INTEGER NOT NULL REFERENCES users(id),
	stage        TEXT NOT NULL CHECK (stage IN ('enrol', 'full')),
	csrf_token   TEXT NOT NULL,
	remote       TEXT NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	last_seen_at TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL,
	reauth_at    TIMESTAMP NOT NULL,
	pending_totp TEXT NOT NULL DEFAULT '',
	-- The user's current case search, kept here so that names typed into
	-- the search box never travel in a URL.
	search       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id           INTEGER PRIMARY KEY,
	user_id      INTEGER NOT NULL REFERENCES users(id),
	name         TEXT NOT NULL,
	token_hash   BLOB NOT NULL UNIQUE,
	created_at   TIMESTAMP NOT NULL,
	expires_at   TIMESTAMP NOT NULL,
	revoked_at   TIMESTAMP,
	last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE recovery_codes (
	user_id  INTEGER NOT NULL REFERENCES users(id),
	idx      INTEGER NOT NULL,
	hash     BLOB NOT NULL,
	used_at  TIMESTAMP,
	PRIMARY KEY (user_id, idx)
);

CREATE TABLE signin_failures (
	id       INTEGER PRIMARY KEY,
	username TEXT NOT NULL,
	remote   TEXT NOT NULL,
	at       TIMESTAMP NOT NULL
);
CREATE INDEX signin_failures_username ON signin_failures (username, at);
CREATE INDEX signin_failures_remote ON signin_failures (remote, at);

CREATE TABLE break_glass (
	id          INTEGER PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users(id),
	role        TEXT NOT NULL,
	class       TEXT NOT NULL,
	record_type TEXT NOT NULL,
	record_id   TEXT NOT NULL,
	site_id     INTEGER NOT NULL REFERENCES sites(id),
	reason      TEXT NOT NULL,
	granted_at  TIMESTAMP NOT NULL,
	expires_at  TIMESTAMP NOT NULL
);
CREATE INDEX break_glass_user ON break_glass (user_id, record_type, record_id);

-- Alerts to a site's data protection officers (site_id) or national ones
-- (site_id NULL). They say who did what to which record, never the data.
CREATE TABLE alerts (
	id         INTEGER PRIMARY KEY,
	site_id    INTEGER REFERENCES sites(id),
	kind       TEXT NOT NULL,
	user_id    INTEGER NOT NULL REFERENCES users(id),
	record_type TEXT NOT NULL,
	record_id  TEXT NOT NULL,
	reason     TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL,
	read_at    TIMESTAMP
);
CREATE INDEX alerts_site ON alerts (site_id, created_at);
