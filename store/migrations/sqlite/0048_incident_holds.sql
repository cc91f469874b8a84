-- Legal holds on one imported police incident (record_type 'incident',
-- record_id the incident's id): the retention run keeps it while its
-- site's other expired records are anonymised. SQLite cannot change a
-- CHECK, so the table is rebuilt with the same ids.
CREATE TABLE legal_holds_new (
	id             INTEGER PRIMARY KEY,
	record_type    TEXT NOT NULL CHECK (record_type IN ('perpetrator_case', 'notification', 'victim_case', 'site', 'incident')),
	record_id      INTEGER NOT NULL CHECK (record_id > 0),
	reason         TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
	owner          TEXT NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
	placed_at      TIMESTAMP NOT NULL,
	released_at    TIMESTAMP,
	release_reason TEXT NOT NULL DEFAULT '' CHECK (length(release_reason) <= 500),
	CHECK ((released_at IS NULL) = (release_reason = ''))
);
INSERT INTO legal_holds_new SELECT id, record_type, record_id, reason, owner, placed_at, released_at, release_reason FROM legal_holds;
DROP TABLE legal_holds;
ALTER TABLE legal_holds_new RENAME TO legal_holds;
CREATE INDEX legal_holds_record ON legal_holds (record_type, record_id);
