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
