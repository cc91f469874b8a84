-- Regions, sites, organisations, users and their role assignments, and the
-- hash-chained audit log. Times are UTC.

CREATE TABLE sites (
	id         INTEGER PRIMARY KEY,
	code       TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 2 AND 32),
	name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	region     TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

CREATE TABLE organisations (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
	kind       TEXT NOT NULL,
	created_at TIMESTAMP NOT NULL
);

-- An organisation works with the sites listed here (a police force with the
-- sites in its area, a provider with the sites it runs).
CREATE TABLE organisation_sites (
	organisation_id INTEGER NOT NULL REFERENCES organisations(id),
	site_id         INTEGER NOT NULL REFERENCES sites(id),
	PRIMARY KEY (organisation_id, site_id)
);

CREATE TABLE users (
	id              INTEGER PRIMARY KEY,
	username        TEXT NOT NULL UNIQUE CHECK (length(username) BETWEEN 3 AND 64),
	display_name    TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
	organisation_id INTEGER NOT NULL REFERENCES organisations(id),
	password_hash   TEXT NOT NULL,
	totp_secret     TEXT NOT NULL DEFAULT '',
	totp_last_step  INTEGER NOT NULL DEFAULT 0,
	disabled_at     TIMESTAMP,
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL
);

-- site_id NULL means national scope (national, evaluator, dpo, admin).
CREATE TABLE role_assignments (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users(id),
	role       TEXT NOT NULL,
	site_id    INTEGER REFERENCES sites(id),
	created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX role_assignments_unique ON role_assignments (user_id, role, ifnull(site_id, 0));

CREATE TABLE audit_events (
	seq         INTEGER PRIMARY KEY,
	at          TIMESTAMP NOT NULL,
	actor_id    INTEGER NOT NULL,
	actor_role  TEXT NOT NULL,
	action      TEXT NOT NULL,
	record_type TEXT NOT NULL,
	record_id   TEXT NOT NULL,
	site_id     INTEGER NOT NULL,
	remote      TEXT NOT NULL,
	reason      TEXT NOT NULL,
	outcome     TEXT NOT NULL,
	prev_hash   BLOB NOT NULL,
	hash        BLOB NOT NULL
);
CREATE INDEX audit_events_record ON audit_events (record_type, record_id);
CREATE INDEX audit_events_actor ON audit_events (actor_id, at);
