-- Legal holds: while released_at is NULL, the record named is kept
-- whatever its retention schedule says (package retention).
CREATE TABLE legal_holds (
	id             INTEGER PRIMARY KEY,
	record_type    TEXT NOT NULL CHECK (record_type IN ('perpetrator_case', 'notification')),
	record_id      INTEGER NOT NULL CHECK (record_id > 0),
	reason         TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
	owner          TEXT NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
	placed_at      TIMESTAMP NOT NULL,
	released_at    TIMESTAMP,
	release_reason TEXT NOT NULL DEFAULT '' CHECK (length(release_reason) <= 500),
	CHECK ((released_at IS NULL) = (release_reason = ''))
);
CREATE INDEX legal_holds_record ON legal_holds (record_type, record_id);

-- Records a retention run has anonymised, so that it does not count them
-- again. Deleted records leave no row.
CREATE TABLE retention_applied (
	record_type TEXT NOT NULL,
	record_id   INTEGER NOT NULL,
	applied_at  TIMESTAMP NOT NULL,
	PRIMARY KEY (record_type, record_id)
);

-- Subject access requests (package subjectaccess). approved_by is a
-- second person: the store refuses the one who recorded the request.
CREATE TABLE subject_access_requests (
	id               INTEGER PRIMARY KEY,
	person_id        INTEGER NOT NULL REFERENCES people(id),
	requester        TEXT NOT NULL CHECK (length(requester) BETWEEN 1 AND 200),
	identity_check   TEXT NOT NULL CHECK (length(identity_check) BETWEEN 1 AND 500),
	received_on      TEXT NOT NULL CHECK (length(received_on) = 10),
	due_on           TEXT NOT NULL CHECK (length(due_on) = 10),
	extension_reason TEXT NOT NULL DEFAULT '' CHECK (length(extension_reason) <= 500),
	state            TEXT NOT NULL CHECK (state IN ('open', 'approved')),
	recorded_by      INTEGER NOT NULL REFERENCES users(id),
	approved_by      INTEGER REFERENCES users(id),
	approved_at      TIMESTAMP,
	created_at       TIMESTAMP NOT NULL,
	CHECK ((state = 'approved') = (approved_by IS NOT NULL)),
	CHECK (approved_by IS NULL OR approved_by <> recorded_by)
);

-- Items withheld on review, each with its reason.
CREATE TABLE subject_access_redactions (
	id          INTEGER PRIMARY KEY,
	request_id  INTEGER NOT NULL REFERENCES subject_access_requests(id),
	item        TEXT NOT NULL CHECK (length(item) BETWEEN 1 AND 64),
	reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
	redacted_by INTEGER NOT NULL REFERENCES users(id),
	created_at  TIMESTAMP NOT NULL,
	UNIQUE (request_id, item)
);
