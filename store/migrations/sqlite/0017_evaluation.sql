-- Evaluation projects and the extracts released to them. A project's
-- pseudonym secret is sealed with the service's keys: whoever holds it can
-- recompute every pseudonym, so it never leaves the service. A released
-- extract is kept as made (its zip), so what an evaluator downloads is
-- exactly what passed the release check. Dates are YYYY-MM-DD text.
CREATE TABLE evaluation_projects (
	id                INTEGER PRIMARY KEY,
	name              TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 3 AND 64),
	evaluator_org_id  INTEGER NOT NULL REFERENCES organisations(id),
	agreement_ref     TEXT NOT NULL CHECK (length(agreement_ref) BETWEEN 1 AND 100),
	agreement_expires TEXT NOT NULL CHECK (length(agreement_expires) = 10),
	period_from       TEXT NOT NULL CHECK (length(period_from) = 10),
	period_to         TEXT NOT NULL CHECK (length(period_to) = 10),
	tables            TEXT NOT NULL CHECK (length(tables) BETWEEN 1 AND 500),
	k                 INTEGER NOT NULL DEFAULT 0 CHECK (k >= 0),
	state             TEXT NOT NULL CHECK (state IN ('draft', 'approved', 'expired', 'withdrawn')),
	secret            BLOB NOT NULL,
	secret_key_id     TEXT NOT NULL,
	created_by        INTEGER NOT NULL REFERENCES users(id),
	created_at        TIMESTAMP NOT NULL,
	approved_by       INTEGER REFERENCES users(id),
	approved_at       TIMESTAMP,
	updated_at        TIMESTAMP NOT NULL,
	CHECK ((approved_by IS NULL) = (approved_at IS NULL))
);

CREATE TABLE evaluation_project_sites (
	project_id INTEGER NOT NULL REFERENCES evaluation_projects(id),
	site_id    INTEGER NOT NULL REFERENCES sites(id),
	PRIMARY KEY (project_id, site_id)
);

CREATE TABLE evaluation_releases (
	id              INTEGER PRIMARY KEY,
	project_id      INTEGER NOT NULL REFERENCES evaluation_projects(id),
	made_on         TEXT NOT NULL CHECK (length(made_on) = 10),
	k               INTEGER NOT NULL CHECK (k > 0),
	smallest        INTEGER NOT NULL CHECK (smallest >= 0),
	passed          INTEGER NOT NULL CHECK (passed IN (0, 1)),
	override_reason TEXT NOT NULL DEFAULT '' CHECK (length(override_reason) <= 2000),
	row_count       INTEGER NOT NULL CHECK (row_count >= 0),
	size            INTEGER NOT NULL CHECK (size > 0),
	digest          TEXT NOT NULL CHECK (length(digest) = 64),
	note            TEXT NOT NULL,
	content         BLOB NOT NULL,
	released_by     INTEGER NOT NULL REFERENCES users(id),
	released_at     TIMESTAMP NOT NULL,
	CHECK (passed = 1 OR length(override_reason) > 0)
);
CREATE INDEX evaluation_releases_project ON evaluation_releases (project_id, id);
