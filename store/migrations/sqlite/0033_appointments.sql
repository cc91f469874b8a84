-- Appointments: planned sessions on a perpetrator's case (case_id) or a
-- victim-survivor's IDVA case (victim_case_id), never both, owned by the
-- worker who planned them and who is reminded of them. place is a kind of
-- place from a closed list, never an address. with_whom is the worker's
-- words and stays with the case. reminded_at is set when the owner was
-- reminded, so a reminder is raised once.
CREATE TABLE appointments (
	id             INTEGER PRIMARY KEY,
	site_id        INTEGER NOT NULL REFERENCES sites(id),
	case_id        INTEGER REFERENCES cases(id),
	victim_case_id INTEGER REFERENCES victim_cases(id),
	owner_id       INTEGER NOT NULL REFERENCES users(id),
	starts_at      TIMESTAMP NOT NULL,
	minutes        INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 480),
	place          TEXT NOT NULL CHECK (place IN ('office', 'phone', 'video', 'partner_agency', 'community')),
	with_whom      TEXT NOT NULL CHECK (length(with_whom) <= 800),
	created_at     TIMESTAMP NOT NULL,
	cancelled_at   TIMESTAMP,
	reminded_at    TIMESTAMP,
	CHECK ((case_id IS NULL) <> (victim_case_id IS NULL))
);
CREATE INDEX appointments_case ON appointments (case_id, starts_at) WHERE case_id IS NOT NULL;
CREATE INDEX appointments_victim_case ON appointments (victim_case_id, starts_at) WHERE victim_case_id IS NOT NULL;
CREATE INDEX appointments_owner ON appointments (owner_id, starts_at);
-- The reminders' sweep: appointments not yet reminded, by start.
CREATE INDEX appointments_unreminded ON appointments (starts_at) WHERE reminded_at IS NULL AND cancelled_at IS NULL;

-- A user's calendar feed: the hash of the secret in its address (the
-- address itself is shown once and never kept). One feed per user;
-- making a new one replaces the old, deleting it revokes it.
CREATE TABLE calendar_feeds (
	user_id    INTEGER PRIMARY KEY REFERENCES users(id),
	token_hash BLOB NOT NULL UNIQUE,
	created_at TIMESTAMP NOT NULL
);
