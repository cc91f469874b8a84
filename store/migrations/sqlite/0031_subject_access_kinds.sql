-- Subject access requests about a victim-survivor, a staff member or a
-- child as well as a person on the perpetrator side: subject_kind says
-- which, and exactly one of person_id, victim_case_id, user_id and
-- child_id names the subject. A review decision either withholds an item
-- or releases one withheld under an exemption, each with its reason.
-- SQLite cannot drop NOT NULL from person_id, so both tables are rebuilt
-- (the redactions first copied aside, since they refer to the requests).
CREATE TABLE subject_access_requests_old AS SELECT * FROM subject_access_requests;
CREATE TABLE subject_access_redactions_old AS SELECT * FROM subject_access_redactions;
DROP TABLE subject_access_redactions;
DROP TABLE subject_access_requests;

CREATE TABLE subject_access_requests (
	id               INTEGER PRIMARY KEY,
	subject_kind     TEXT NOT NULL DEFAULT 'person' CHECK (subject_kind IN ('person', 'victim', 'staff', 'child')),
	person_id        INTEGER REFERENCES people(id),
	victim_case_id   INTEGER REFERENCES victim_cases(id),
	user_id          INTEGER REFERENCES users(id),
	child_id         INTEGER REFERENCES victim_children(id),
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
	CHECK (approved_by IS NULL OR approved_by <> recorded_by),
	CHECK ((person_id IS NOT NULL) = (subject_kind = 'person')),
	CHECK ((victim_case_id IS NOT NULL) = (subject_kind = 'victim')),
	CHECK ((user_id IS NOT NULL) = (subject_kind = 'staff')),
	CHECK ((child_id IS NOT NULL) = (subject_kind = 'child'))
);
INSERT INTO subject_access_requests (id, subject_kind, person_id, requester, identity_check, received_on, due_on, extension_reason, state,
	recorded_by, approved_by, approved_at, created_at)
	SELECT id, 'person', person_id, requester, identity_check, received_on, due_on, extension_reason, state,
	recorded_by, approved_by, approved_at, created_at FROM subject_access_requests_old;

CREATE TABLE subject_access_redactions (
	id          INTEGER PRIMARY KEY,
	request_id  INTEGER NOT NULL REFERENCES subject_access_requests(id),
	item        TEXT NOT NULL CHECK (length(item) BETWEEN 1 AND 64),
	decision    TEXT NOT NULL DEFAULT 'withhold' CHECK (decision IN ('withhold', 'release')),
	reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
	redacted_by INTEGER NOT NULL REFERENCES users(id),
	created_at  TIMESTAMP NOT NULL,
	UNIQUE (request_id, item)
);
INSERT INTO subject_access_redactions (id, request_id, item, decision, reason, redacted_by, created_at)
	SELECT id, request_id, item, 'withhold', reason, redacted_by, created_at FROM subject_access_redactions_old;

DROP TABLE subject_access_redactions_old;
DROP TABLE subject_access_requests_old;
