-- Multi-agency meetings: a site's series (its Drive panel, MARAC, MATAC),
-- the meetings of each, their agendas, attendees, what each agency shared
-- about each case and on what lawful basis, and the decisions. Actions
-- agreed at a meeting are case actions owned by an organisation. Times
-- are UTC; dates are YYYY-MM-DD text.

-- The site's adult female population, for the MARAC data return's cases
-- per 10,000 adult women; 0 until configured.
ALTER TABLE sites ADD COLUMN adult_female_population INTEGER NOT NULL DEFAULT 0 CHECK (adult_female_population >= 0);

CREATE TABLE meeting_series (
	id               INTEGER PRIMARY KEY,
	site_id          INTEGER NOT NULL REFERENCES sites(id),
	kind             TEXT NOT NULL CHECK (kind IN ('drive_panel', 'marac', 'matac')),
	name             TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	schedule         TEXT NOT NULL DEFAULT '' CHECK (length(schedule) <= 200),
	chair_id         INTEGER NOT NULL REFERENCES users(id),
	coordinator_id   INTEGER NOT NULL REFERENCES users(id),
	venue            TEXT NOT NULL DEFAULT '' CHECK (length(venue) <= 200),
	call_link        TEXT NOT NULL DEFAULT '' CHECK (length(call_link) <= 500),
	minutes_per_item INTEGER NOT NULL CHECK (minutes_per_item BETWEEN 5 AND 30),
	access_days      INTEGER NOT NULL CHECK (access_days BETWEEN 0 AND 28),
	created_at       TIMESTAMP NOT NULL,
	updated_at       TIMESTAMP NOT NULL,
	UNIQUE (site_id, name)
);

-- The agencies expected at every meeting of a series.
CREATE TABLE meeting_series_agencies (
	series_id       INTEGER NOT NULL REFERENCES meeting_series(id),
	organisation_id INTEGER NOT NULL REFERENCES organisations(id),
	PRIMARY KEY (series_id, organisation_id)
);

CREATE TABLE meetings (
	id           INTEGER PRIMARY KEY,
	series_id    INTEGER NOT NULL REFERENCES meeting_series(id),
	site_id      INTEGER NOT NULL REFERENCES sites(id),
	held_on      TEXT NOT NULL CHECK (length(held_on) = 10),
	starts_at    TEXT NOT NULL CHECK (length(starts_at) = 5),
	state        TEXT NOT NULL CHECK (state IN ('draft', 'published', 'held', 'cancelled')),
	access_days  INTEGER NOT NULL CHECK (access_days BETWEEN 0 AND 28),
	published_at TIMESTAMP,
	held_at      TIMESTAMP,
	created_by   INTEGER REFERENCES users(id),
	created_at   TIMESTAMP NOT NULL,
	updated_at   TIMESTAMP NOT NULL,
	CHECK (state = 'draft' OR state = 'cancelled' OR published_at IS NOT NULL),
	CHECK ((state = 'held') = (held_at IS NOT NULL))
);
CREATE INDEX meetings_site_date ON meetings (site_id, held_on);
CREATE INDEX meetings_series_date ON meetings (series_id, held_on);

-- An agenda item: a case, or a standing item (case_id NULL). reasons is
-- a space-separated list of why the case was proposed.
CREATE TABLE meeting_items (
	id               INTEGER PRIMARY KEY,
	meeting_id       INTEGER NOT NULL REFERENCES meetings(id),
	ord              INTEGER NOT NULL CHECK (ord >= 0),
	kind             TEXT NOT NULL CHECK (kind IN ('case', 'confidentiality', 'actions_review', 'anniversaries')),
	case_id          INTEGER REFERENCES cases(id),
	reasons          TEXT NOT NULL DEFAULT '',
	children         INTEGER NOT NULL CHECK (children IN (0, 1)),
	is_repeat        INTEGER NOT NULL CHECK (is_repeat IN (0, 1)),
	minutes          INTEGER NOT NULL CHECK (minutes BETWEEN 0 AND 120),
	decision         TEXT NOT NULL DEFAULT '' CHECK (decision IN ('', 'accept', 'decline', 'more_information', 'refer_elsewhere', 'actions_agreed')),
	decision_reasons TEXT NOT NULL DEFAULT '' CHECK (length(decision_reasons) <= 4000),
	evidence         TEXT NOT NULL DEFAULT '' CHECK (length(evidence) <= 4000),
	decided_by       INTEGER REFERENCES users(id),
	decided_at       TIMESTAMP,
	CHECK ((kind = 'case') = (case_id IS NOT NULL)),
	CHECK (decision = '' OR decision_reasons <> ''),
	UNIQUE (meeting_id, case_id)
);
CREATE INDEX meeting_items_meeting ON meeting_items (meeting_id, ord);
CREATE INDEX meeting_items_case ON meeting_items (case_id) WHERE case_id IS NOT NULL;

-- Who is invited, for which agency, and whether they accepted the
-- confidentiality statement. Only an attendee with an account who has
-- accepted it is admitted to the cases on the agenda.
CREATE TABLE meeting_attendees (
	id                INTEGER PRIMARY KEY,
	meeting_id        INTEGER NOT NULL REFERENCES meetings(id),
	organisation_id   INTEGER NOT NULL REFERENCES organisations(id),
	user_id           INTEGER REFERENCES users(id),
	name              TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 200),
	status            TEXT NOT NULL CHECK (status IN ('invited', 'present', 'observer', 'apologies', 'information_sent')),
	confidentiality_at TIMESTAMP,
	CHECK (user_id IS NOT NULL OR name <> ''),
	UNIQUE (meeting_id, user_id)
);
CREATE INDEX meeting_attendees_user ON meeting_attendees (user_id, meeting_id) WHERE user_id IS NOT NULL;

-- What an agency shared about an item's case, on what lawful basis, and
-- whether the victim-survivor was told. The text is screened by the
-- barrier like any free text on a perpetrator's case.
CREATE TABLE meeting_shares (
	id              INTEGER PRIMARY KEY,
	item_id         INTEGER NOT NULL REFERENCES meeting_items(id),
	organisation_id INTEGER NOT NULL REFERENCES organisations(id),
	basis           TEXT NOT NULL CHECK (basis IN ('public_task', 'legitimate_interests', 'vital_interests', 'legal_obligation', 'consent')),
	victim_told     INTEGER NOT NULL CHECK (victim_told IN (0, 1)),
	body            TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 8000),
	recorded_by     INTEGER REFERENCES users(id),
	created_at      TIMESTAMP NOT NULL
);
CREATE INDEX meeting_shares_item ON meeting_shares (item_id, id);

-- Actions: owned by an organisation (its partner users see and update
-- them), agreed at a meeting item, reported on; and "not possible
-- (circumstances changed)" kept apart from "not done". SQLite cannot
-- change a CHECK, so the table is rebuilt with the same ids.
CREATE TABLE case_actions_new (
	id              INTEGER PRIMARY KEY,
	case_id         INTEGER NOT NULL REFERENCES cases(id),
	prong           TEXT NOT NULL CHECK (prong IN ('disrupt', 'change', 'support')),
	action_type     TEXT NOT NULL CHECK (length(action_type) BETWEEN 1 AND 64),
	organisation_id INTEGER REFERENCES organisations(id),
	agency          TEXT NOT NULL DEFAULT '' CHECK (length(agency) <= 200),
	owner           TEXT NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
	due_on          TEXT NOT NULL CHECK (length(due_on) = 10),
	status          TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'not_possible', 'cancelled')),
	outcome         TEXT NOT NULL DEFAULT '' CHECK (length(outcome) <= 4000),
	reported_on     TEXT CHECK (reported_on IS NULL OR length(reported_on) = 10),
	meeting_item_id INTEGER REFERENCES meeting_items(id),
	created_by      INTEGER REFERENCES users(id),
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL,
	CHECK (status NOT IN ('done', 'not_possible') OR outcome <> '')
);
INSERT INTO case_actions_new (id, case_id, prong, action_type, agency, owner, due_on, status, outcome, created_by, created_at, updated_at)
	SELECT id, case_id, prong, action_type, agency, owner, due_on, status, outcome, created_by, created_at, updated_at FROM case_actions;
DROP TABLE case_actions;
ALTER TABLE case_actions_new RENAME TO case_actions;
CREATE INDEX case_actions_case ON case_actions (case_id, status, due_on);
CREATE INDEX case_actions_organisation ON case_actions (organisation_id, status, due_on) WHERE organisation_id IS NOT NULL;
CREATE INDEX case_actions_item ON case_actions (meeting_item_id) WHERE meeting_item_id IS NOT NULL;

-- The barrier's screen also holds what agencies share at meetings and a
-- meeting's reasons for its decision. SQLite cannot change a CHECK, so
-- held_texts is rebuilt with the same rows.
CREATE TABLE held_texts_new (
	id             INTEGER PRIMARY KEY,
	case_id        INTEGER NOT NULL REFERENCES cases(id),
	site_id        INTEGER NOT NULL REFERENCES sites(id),
	record_type    TEXT NOT NULL CHECK (record_type IN ('note', 'contact', 'action', 'review', 'history', 'decision', 'share', 'meeting_decision')),
	record_id      INTEGER NOT NULL,
	victim_case_id INTEGER NOT NULL REFERENCES victim_cases(id),
	author_id      INTEGER NOT NULL REFERENCES users(id),
	held_at        TIMESTAMP NOT NULL,
	status         TEXT NOT NULL CHECK (status IN ('withheld', 'kept', 'released')),
	decided_by     INTEGER REFERENCES users(id),
	decided_at     TIMESTAMP,
	CHECK ((status = 'withheld') = (decided_by IS NULL)),
	UNIQUE (record_type, record_id, victim_case_id)
);
INSERT INTO held_texts_new SELECT id, case_id, site_id, record_type, record_id, victim_case_id, author_id, held_at, status, decided_by, decided_at FROM held_texts;
DROP TABLE held_texts;
ALTER TABLE held_texts_new RENAME TO held_texts;
CREATE INDEX held_texts_case ON held_texts (case_id, record_type, record_id);
CREATE INDEX held_texts_victim ON held_texts (victim_case_id, status);
