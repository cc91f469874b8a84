-- Casework: people, the programmes each site runs, perpetrator cases from
-- referral to closure, and what is recorded against a case (history, plan
-- actions, contacts, reviews, notes). Times are UTC; dates are YYYY-MM-DD
-- text. Nothing here holds where a victim-survivor is or how to reach
-- them: that compartment comes later, in its own tables.

-- A person as known at one site. search_text holds the lower-cased names,
-- aliases and agency references, space-separated with a space at each
-- end, so "prefix of any word" is LIKE '% word%'. merged_into points at
-- the record this one was merged into; merged records stay so a merge can
-- be undone.
CREATE TABLE people (
	id                 INTEGER PRIMARY KEY,
	site_id            INTEGER NOT NULL REFERENCES sites(id),
	given_name         TEXT NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
	family_name        TEXT NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
	date_of_birth      TEXT CHECK (date_of_birth IS NULL OR length(date_of_birth) = 10),
	gender             TEXT NOT NULL CHECK (gender IN ('female', 'male', 'non_binary', 'other', 'prefer_not_to_say', 'not_known')),
	ethnicity          TEXT NOT NULL CHECK (ethnicity IN ('asian', 'black', 'mixed', 'white', 'other', 'prefer_not_to_say', 'not_known')),
	sexual_orientation TEXT NOT NULL CHECK (sexual_orientation IN ('heterosexual', 'gay_lesbian', 'bisexual', 'other', 'prefer_not_to_say', 'not_known')),
	disability         TEXT NOT NULL CHECK (disability IN ('yes', 'no', 'prefer_not_to_say', 'not_known')),
	police_ref         TEXT NOT NULL DEFAULT '' CHECK (length(police_ref) <= 40),
	social_care_ref    TEXT NOT NULL DEFAULT '' CHECK (length(social_care_ref) <= 40),
	probation_ref      TEXT NOT NULL DEFAULT '' CHECK (length(probation_ref) <= 40),
	merged_into        INTEGER REFERENCES people(id),
	search_text        TEXT NOT NULL,
	created_at         TIMESTAMP NOT NULL,
	updated_at         TIMESTAMP NOT NULL,
	CHECK (merged_into IS NULL OR merged_into <> id)
);
CREATE INDEX people_site_name ON people (site_id, family_name, given_name);
CREATE INDEX people_merged_into ON people (merged_into);

CREATE TABLE person_aliases (
	person_id INTEGER NOT NULL REFERENCES people(id),
	ord       INTEGER NOT NULL,
	name      TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	PRIMARY KEY (person_id, ord)
);

-- A perpetrator's addresses over time. A victim-survivor's address is
-- never stored here.
CREATE TABLE person_addresses (
	person_id INTEGER NOT NULL REFERENCES people(id),
	ord       INTEGER NOT NULL,
	line1     TEXT NOT NULL DEFAULT '',
	town      TEXT NOT NULL DEFAULT '',
	postcode  TEXT NOT NULL DEFAULT '',
	from_on   TEXT,
	to_on     TEXT,
	PRIMARY KEY (person_id, ord),
	CHECK (line1 <> '' OR postcode <> '')
);

-- One row per merge; undone_at is set when it is reversed. The cases that
-- moved are listed in person_merge_cases, so an unmerge moves back exactly
-- those and nothing referred to the kept record since.
CREATE TABLE person_merges (
	id        INTEGER PRIMARY KEY,
	keep_id   INTEGER NOT NULL REFERENCES people(id),
	merged_id INTEGER NOT NULL REFERENCES people(id),
	merged_at TIMESTAMP NOT NULL,
	undone_at TIMESTAMP,
	CHECK (keep_id <> merged_id)
);
CREATE INDEX person_merges_merged ON person_merges (merged_id, id);

-- A site's programmes, settings as JSON (programme.Programme). ord
-- keeps the order they were added in, Drive first.
CREATE TABLE site_programmes (
	site_id    INTEGER NOT NULL REFERENCES sites(id),
	code       TEXT NOT NULL CHECK (length(code) BETWEEN 1 AND 64),
	ord        INTEGER NOT NULL,
	settings   TEXT NOT NULL CHECK (json_valid(settings)),
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	PRIMARY KEY (site_id, code)
);

-- A perpetrator case. The referral is the case in its first state. The
-- evidence columns are programme.Evidence: risk facts, never a location.
CREATE TABLE cases (
	id                     INTEGER PRIMARY KEY,
	site_id                INTEGER NOT NULL REFERENCES sites(id),
	person_id              INTEGER NOT NULL REFERENCES people(id),
	programme              TEXT NOT NULL CHECK (length(programme) BETWEEN 1 AND 64),
	state                  TEXT NOT NULL CHECK (state IN ('referred', 'accepted', 'declined', 'allocated', 'active', 'closing', 'closed', 'transferred')),
	engagement             TEXT NOT NULL CHECK (engagement IN ('not_yet_contacted', 'engaged', 'partially_engaged', 'refused', 'uncontactable', 'in_custody')),
	source                 TEXT NOT NULL CHECK (source IN ('marac', 'police_identification', 'perpetrator_panel', 'childrens_social_care', 'probation', 'idva_service', 'other')),
	referred_on            TEXT NOT NULL CHECK (length(referred_on) = 10),
	referred_by            INTEGER REFERENCES users(id),
	summary                TEXT NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
	last_marac_on          TEXT,
	dash_score             INTEGER NOT NULL CHECK (dash_score BETWEEN -1 AND 24),
	victims                INTEGER NOT NULL CHECK (victims BETWEEN 0 AND 100),
	identification_rank    INTEGER NOT NULL CHECK (identification_rank >= 0),
	known_to_social_care   INTEGER NOT NULL CHECK (known_to_social_care IN (0, 1)),
	professional_judgement TEXT NOT NULL DEFAULT '',
	decision_reasons       TEXT NOT NULL DEFAULT '',
	decided_by             INTEGER REFERENCES users(id),
	decided_at             TIMESTAMP,
	case_manager_id        INTEGER REFERENCES users(id),
	allocated_at           TIMESTAMP,
	started_at             TIMESTAMP,
	closure_reason         TEXT NOT NULL DEFAULT '',
	closed_at              TIMESTAMP,
	transfer_to_site_id    INTEGER REFERENCES sites(id),
	last_contact_at        TIMESTAMP,
	next_review_due        TEXT,
	created_at             TIMESTAMP NOT NULL,
	updated_at             TIMESTAMP NOT NULL,
	-- A case being worked has a case manager; a pending transfer names
	-- another site, and only a pending transfer does.
	CHECK (state NOT IN ('allocated', 'active', 'closing', 'transferred') OR case_manager_id IS NOT NULL),
	CHECK ((state = 'transferred') = (transfer_to_site_id IS NOT NULL)),
	CHECK (transfer_to_site_id IS NULL OR transfer_to_site_id <> site_id),
	CHECK (state NOT IN ('accepted', 'declined') OR decision_reasons <> '')
);
CREATE INDEX cases_site_state ON cases (site_id, state);
CREATE INDEX cases_site_updated ON cases (site_id, updated_at);
CREATE INDEX cases_case_manager ON cases (case_manager_id, state);
CREATE INDEX cases_person ON cases (person_id);
CREATE INDEX cases_transfer_to ON cases (transfer_to_site_id) WHERE transfer_to_site_id IS NOT NULL;

-- The cases that moved in a merge, so an unmerge moves back exactly them.
CREATE TABLE person_merge_cases (
	merge_id INTEGER NOT NULL REFERENCES person_merges(id),
	case_id  INTEGER NOT NULL REFERENCES cases(id),
	PRIMARY KEY (merge_id, case_id)
);

-- A case's timeline. from_state is empty for the referral itself.
CREATE TABLE case_history (
	id         INTEGER PRIMARY KEY,
	case_id    INTEGER NOT NULL REFERENCES cases(id),
	at         TIMESTAMP NOT NULL,
	user_id    INTEGER REFERENCES users(id),
	event      TEXT NOT NULL CHECK (length(event) BETWEEN 1 AND 64),
	from_state TEXT NOT NULL CHECK (from_state IN ('', 'referred', 'accepted', 'declined', 'allocated', 'active', 'closing', 'closed', 'transferred')),
	to_state   TEXT NOT NULL CHECK (to_state IN ('', 'referred', 'accepted', 'declined', 'allocated', 'active', 'closing', 'closed', 'transferred')),
	detail     TEXT NOT NULL DEFAULT '' CHECK (length(detail) <= 8000),
	site_id    INTEGER REFERENCES sites(id)
);
CREATE INDEX case_history_case ON case_history (case_id, at);

-- The intervention plan. Overdue is never stored: it is due_on before
-- today while open or in progress.
CREATE TABLE case_actions (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	prong       TEXT NOT NULL CHECK (prong IN ('disrupt', 'change', 'support')),
	action_type TEXT NOT NULL CHECK (length(action_type) BETWEEN 1 AND 64),
	agency      TEXT NOT NULL DEFAULT '' CHECK (length(agency) <= 200),
	owner       TEXT NOT NULL CHECK (length(owner) BETWEEN 1 AND 200),
	due_on      TEXT NOT NULL CHECK (length(due_on) = 10),
	status      TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'done', 'cancelled')),
	outcome     TEXT NOT NULL DEFAULT '' CHECK (length(outcome) <= 4000),
	created_by  INTEGER REFERENCES users(id),
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	CHECK (status <> 'done' OR outcome <> '')
);
CREATE INDEX case_actions_case ON case_actions (case_id, status, due_on);

CREATE TABLE case_contacts (
	id         INTEGER PRIMARY KEY,
	case_id    INTEGER NOT NULL REFERENCES cases(id),
	kind       TEXT NOT NULL CHECK (kind IN ('attempt', 'contact', 'one_to_one', 'partner_agency')),
	contact_on TEXT NOT NULL CHECK (length(contact_on) = 10),
	method     TEXT NOT NULL DEFAULT '' CHECK (length(method) <= 100),
	summary    TEXT NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
	created_by INTEGER REFERENCES users(id),
	created_at TIMESTAMP NOT NULL
);
CREATE INDEX case_contacts_case ON case_contacts (case_id, contact_on);

-- needs is a JSON object of need area to level.
CREATE TABLE case_reviews (
	id          INTEGER PRIMARY KEY,
	case_id     INTEGER NOT NULL REFERENCES cases(id),
	review_on   TEXT NOT NULL CHECK (length(review_on) = 10),
	risk_level  TEXT NOT NULL CHECK (risk_level IN ('standard', 'medium', 'high', 'very_high')),
	risk_change TEXT NOT NULL CHECK (risk_change IN ('increased', 'unchanged', 'reduced')),
	needs       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(needs)),
	summary     TEXT NOT NULL CHECK (length(summary) BETWEEN 1 AND 8000),
	next_due    TEXT NOT NULL CHECK (length(next_due) = 10),
	created_by  INTEGER REFERENCES users(id),
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_reviews_case ON case_reviews (case_id, review_on);

-- Notes are append-only: the store has no way to change or delete one. A
-- correction is a new note whose amends names an earlier note of the same
-- case, which the composite foreign key enforces.
CREATE TABLE case_notes (
	id         INTEGER PRIMARY KEY,
	case_id    INTEGER NOT NULL REFERENCES cases(id),
	body       TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
	amends     INTEGER,
	created_by INTEGER REFERENCES users(id),
	created_at TIMESTAMP NOT NULL,
	UNIQUE (id, case_id),
	FOREIGN KEY (amends, case_id) REFERENCES case_notes (id, case_id)
);
CREATE INDEX case_notes_case ON case_notes (case_id, created_at);
