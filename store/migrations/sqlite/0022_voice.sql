-- Her own voice: what a victim-survivor reports of her safety at the
-- programme's time points, the one-time codes that let her answer without
-- an account, her answers given anonymously, and her views of the service.
--
-- All of it is IDVA-side. Nothing on the perpetrator side reads these
-- tables, and nothing there may change when a row is added.

-- Her reported outcomes on her IDVA case: recorded by her IDVA with her
-- (source 'idva', recorded_by her IDVA) or given by herself through a code
-- and joined to her case (source 'herself', recorded_by NULL).
CREATE TABLE victim_reported_outcomes (
	id              INTEGER PRIMARY KEY,
	victim_case_id  INTEGER NOT NULL REFERENCES victim_cases(id),
	time_point      TEXT NOT NULL CHECK (time_point IN ('T1', 'T2', 'T3')),
	reported_on     TEXT NOT NULL CHECK (length(reported_on) = 10),
	source          TEXT NOT NULL CHECK (source IN ('idva', 'herself')),
	physical        TEXT NOT NULL CHECK (physical IN ('yes', 'no', 'not_said')),
	sexual          TEXT NOT NULL CHECK (sexual IN ('yes', 'no', 'not_said')),
	stalking        TEXT NOT NULL CHECK (stalking IN ('yes', 'no', 'not_said')),
	controlling     TEXT NOT NULL CHECK (controlling IN ('yes', 'no', 'not_said')),
	feels_safe      INTEGER NOT NULL CHECK (feels_safe BETWEEN 0 AND 10),
	quality_of_life INTEGER NOT NULL CHECK (quality_of_life BETWEEN 0 AND 5),
	confidence      INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 5),
	recorded_by     INTEGER REFERENCES users(id),
	created_at      TIMESTAMP NOT NULL,
	CHECK ((source = 'idva') = (recorded_by IS NOT NULL))
);
CREATE INDEX victim_reported_outcomes_case ON victim_reported_outcomes (victim_case_id, reported_on);

-- One-time codes. Only the code's hash is kept; the code is printed once
-- on her card. A code is deleted when it is used, so a used code and a
-- code that never existed look the same, and nothing says when she used
-- it.
CREATE TABLE feedback_codes (
	id             INTEGER PRIMARY KEY,
	code_hash      TEXT NOT NULL UNIQUE CHECK (length(code_hash) = 64),
	victim_case_id INTEGER NOT NULL REFERENCES victim_cases(id),
	site_id        INTEGER NOT NULL REFERENCES sites(id),
	time_point     TEXT NOT NULL CHECK (time_point IN ('T1', 'T2', 'T3')),
	issued_by      INTEGER NOT NULL REFERENCES users(id),
	issued_at      TIMESTAMP NOT NULL,
	expires_at     TIMESTAMP NOT NULL,
	CHECK (expires_at > issued_at)
);
CREATE INDEX feedback_codes_expiry ON feedback_codes (expires_at);

-- Her answers when she asked that they not be joined to her: only the
-- site and the month are kept, no case, no code, no time of day.
CREATE TABLE anonymous_outcomes (
	site_id         INTEGER NOT NULL REFERENCES sites(id),
	month           TEXT NOT NULL CHECK (length(month) = 7),
	time_point      TEXT NOT NULL CHECK (time_point IN ('T1', 'T2', 'T3')),
	physical        TEXT NOT NULL CHECK (physical IN ('yes', 'no', 'not_said')),
	sexual          TEXT NOT NULL CHECK (sexual IN ('yes', 'no', 'not_said')),
	stalking        TEXT NOT NULL CHECK (stalking IN ('yes', 'no', 'not_said')),
	controlling     TEXT NOT NULL CHECK (controlling IN ('yes', 'no', 'not_said')),
	feels_safe      INTEGER NOT NULL CHECK (feels_safe BETWEEN 0 AND 10),
	quality_of_life INTEGER NOT NULL CHECK (quality_of_life BETWEEN 0 AND 5),
	confidence      INTEGER NOT NULL CHECK (confidence BETWEEN 0 AND 5)
);
CREATE INDEX anonymous_outcomes_site ON anonymous_outcomes (site_id, month);

-- What survivors tell the service, never joined to anyone: the site, the
-- month, the answers to the service questions ('' when left), and the
-- free text sealed (NULL when she wrote none). The id is drawn at random
-- by the service, so it says nothing of the order answers came in; key
-- rotation needs a key for each row.
CREATE TABLE service_views (
	id        INTEGER PRIMARY KEY,
	site_id   INTEGER NOT NULL REFERENCES sites(id),
	month     TEXT NOT NULL CHECK (length(month) = 7),
	listened  TEXT NOT NULL CHECK (listened IN ('', 'yes', 'partly', 'no')),
	safer     TEXT NOT NULL CHECK (safer IN ('', 'yes', 'partly', 'no')),
	helped    TEXT NOT NULL CHECK (helped IN ('', 'yes', 'partly', 'no')),
	text      BLOB,
	key_id    TEXT,
	CHECK ((text IS NULL) = (key_id IS NULL))
);
CREATE INDEX service_views_site ON service_views (site_id, month);
