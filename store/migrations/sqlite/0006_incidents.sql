-- Police-recorded incidents imported from extracts, for identification.
-- A victim's address is never stored (it belongs to her IDVA's protected
-- record); names and dates of birth are kept to tell people apart.
CREATE TABLE incidents (
	id              INTEGER PRIMARY KEY,
	site_id         INTEGER NOT NULL REFERENCES sites(id),
	ref             TEXT NOT NULL CHECK (length(ref) BETWEEN 1 AND 64),
	occurred_on     TEXT NOT NULL,
	type            TEXT NOT NULL,
	crime           INTEGER NOT NULL,
	suspect_given   TEXT NOT NULL,
	suspect_family  TEXT NOT NULL,
	suspect_dob     TEXT,
	suspect_postcode TEXT NOT NULL,
	victim_given    TEXT NOT NULL,
	victim_family   TEXT NOT NULL,
	victim_dob      TEXT,
	victim_age      INTEGER NOT NULL,
	imported_at     TIMESTAMP NOT NULL,
	UNIQUE (site_id, ref)
);
CREATE INDEX incidents_site_date ON incidents (site_id, occurred_on);
