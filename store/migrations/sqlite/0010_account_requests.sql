-- Changes to victim-side accounts (staff of an IDVA service) asked for by
-- someone who may not make them alone: an administrator, or the command
-- line. A team leader of the IDVA service approves or refuses each one;
-- only an approved request changes the account. No credential is stored
-- here: the one-time password is made at approval and shown to the
-- approver alone.
CREATE TABLE account_requests (
	id              INTEGER PRIMARY KEY,
	kind            TEXT NOT NULL CHECK (kind IN ('create_user', 'grant_role', 'reset_password', 'reset_second_factor', 'reset_sign_in')),
	organisation_id INTEGER NOT NULL REFERENCES organisations(id),
	-- The account changed; for create_user, set when approved.
	user_id         INTEGER REFERENCES users(id),
	username        TEXT NOT NULL DEFAULT '',
	display_name    TEXT NOT NULL DEFAULT '',
	role            TEXT NOT NULL DEFAULT '',
	site_id         INTEGER REFERENCES sites(id),
	reason          TEXT NOT NULL DEFAULT '',
	-- NULL: asked at the command line.
	requested_by    INTEGER REFERENCES users(id),
	requested_at    TIMESTAMP NOT NULL,
	state           TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'refused')),
	decided_by      INTEGER REFERENCES users(id),
	decided_at      TIMESTAMP,
	CHECK ((state = 'pending') = (decided_by IS NULL)),
	CHECK ((state = 'pending') = (decided_at IS NULL))
);
CREATE INDEX account_requests_pending ON account_requests (organisation_id, state);
