-- In-app notifications: what each user should look at, raised by the
-- service (a new police incident or MARAC hearing naming a person on an
-- open case, among others). A notification belongs to one user and is
-- written for that user's side of the wall: a perpetrator-side one names
-- a case and never a victim-survivor's detail, a victim-side one names
-- her IDVA case. The summary is a short sentence made for that side; the
-- record it concerns is case_id or victim_case_id (or neither, for a
-- notification about no one record). source_key says what raised it, so
-- raising the same thing twice (an import run again) adds nothing.
CREATE TABLE notifications (
	id             INTEGER PRIMARY KEY,
	user_id        INTEGER NOT NULL REFERENCES users(id),
	site_id        INTEGER NOT NULL REFERENCES sites(id),
	kind           TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 64),
	case_id        INTEGER REFERENCES cases(id),
	victim_case_id INTEGER REFERENCES victim_cases(id),
	summary        TEXT NOT NULL CHECK (length(summary) BETWEEN 1 AND 500),
	source_key     TEXT NOT NULL CHECK (length(source_key) BETWEEN 1 AND 200),
	created_at     TIMESTAMP NOT NULL,
	read_at        TIMESTAMP,
	CHECK (case_id IS NULL OR victim_case_id IS NULL),
	UNIQUE (user_id, source_key)
);
-- A user's list, newest first, and the header's unread count.
CREATE INDEX notifications_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- Where a user asked to be told by e-mail that a notification is waiting.
-- The e-mail says only that there is one, never what it is about.
CREATE TABLE notification_emails (
	user_id    INTEGER PRIMARY KEY REFERENCES users(id),
	address    TEXT NOT NULL CHECK (length(address) BETWEEN 3 AND 254),
	updated_at TIMESTAMP NOT NULL
);
