-- Browsers remembered after a full sign-in (password and second factor).
-- A sign-in for the same account from such a browser is judged by the
-- account's failure limit, not its address's, so a flood of failures from
-- a shared address cannot lock out the people behind it. The browser's
-- cookie holds a random token; only its SHA-256 is kept here, so a copy
-- of the database cannot be turned into working cookies. Every replica
-- reads the same table.
CREATE TABLE known_browsers (
	id         INTEGER PRIMARY KEY,
	token_hash BLOB NOT NULL UNIQUE,
	user_id    INTEGER NOT NULL REFERENCES users(id),
	created_at TIMESTAMP NOT NULL,
	used_at    TIMESTAMP NOT NULL,
	expires_at TIMESTAMP NOT NULL,
	failures   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX known_browsers_user ON known_browsers (user_id, used_at);
