-- Victim-survivors: the IDVA case, its links to perpetrator cases, MARAC
-- hearings, children, risk (DASH) and behaviour assessments, and what is
-- sealed: the compartment (where she is, how to reach her), the safety
-- plan, IDVA contacts, victim-side notes and DASH comments.
--
-- Nothing here is joined from the perpetrator side by accident: her name
-- is in victim_cases, never in people, and every sealed value lives in a
-- table of its own (or a table that is wholly victim-side), as the bytes
-- of sealed.Sealed.Marshal beside the id of the key that wraps its data
-- key. The store never sees the plaintext. Times are UTC; dates are
-- YYYY-MM-DD text.

-- A victim-survivor's IDVA case, held apart from the perpetrators'
-- people table so no search or duplicate check there can reach her.
CREATE TABLE victim_cases (
	id                 INTEGER PRIMARY KEY,
	site_id            INTEGER NOT NULL REFERENCES sites(id),
	given_name         TEXT NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
	family_name        TEXT NOT NULL CHECK (length(family_name) BETWEEN 1 AND 100),
	date_of_birth      TEXT CHECK (date_of_birth IS NULL OR length(date_of_birth) = 10),
	gender             TEXT NOT NULL CHECK (gender IN ('female', 'male', 'non_binary', 'other', 'prefer_not_to_say', 'not_known')),
	ethnicity          TEXT NOT NULL CHECK (ethnicity IN ('asian', 'black', 'mixed', 'white', 'other', 'prefer_not_to_say', 'not_known')),
	sexual_orientation TEXT NOT NULL CHECK (sexual_orientation IN ('heterosexual', 'gay_lesbian', 'bisexual', 'other', 'prefer_not_to_say', 'not_known')),
	disability         TEXT NOT NULL CHECK (disability IN ('yes', 'no', 'prefer_not_to_say', 'not_known')),
	idva_id            INTEGER REFERENCES users(id),
	is_open            INTEGER NOT NULL CHECK (is_open IN (0, 1)),
	opened_on          TEXT NOT NULL CHECK (length(opened_on) = 10),
	closed_on          TEXT CHECK (closed_on IS NULL OR length(closed_on) = 10),
	created_at         TIMESTAMP NOT NULL,
	updated_at         TIMESTAMP NOT NULL,
	-- An open case has no closing date; a closed one has one, not before
	-- it opened.
	CHECK ((is_open = 1) = (closed_on IS NULL)),
	CHECK (closed_on IS NULL OR closed_on >= opened_on)
);
-- The IDVA's list and the team's open list; the site list by name.
CREATE INDEX victim_cases_site_idva ON victim_cases (site_id, idva_id, is_open);
CREATE INDEX victim_cases_site_name ON victim_cases (site_id, lower(family_name), lower(given_name), id);

-- A victim-survivor's case linked to a perpetrator case at the same site.
CREATE TABLE victim_links (
	victim_case_id  INTEGER NOT NULL REFERENCES victim_cases(id),
	case_id         INTEGER NOT NULL REFERENCES cases(id),
	relationship    TEXT NOT NULL CHECK (relationship IN ('current_partner', 'ex_partner', 'family_member', 'other')),
	living_together INTEGER NOT NULL CHECK (living_together IN (0, 1)),
	created_at      TIMESTAMP NOT NULL,
	PRIMARY KEY (victim_case_id, case_id)
);
CREATE INDEX victim_links_case ON victim_links (case_id, victim_case_id);

-- The hearings of a victim-survivor's case at MARAC, per link.
CREATE TABLE victim_marac_dates (
	victim_case_id INTEGER NOT NULL,
	case_id        INTEGER NOT NULL,
	heard_on       TEXT NOT NULL CHECK (length(heard_on) = 10),
	PRIMARY KEY (victim_case_id, case_id, heard_on),
	FOREIGN KEY (victim_case_id, case_id) REFERENCES victim_links (victim_case_id, case_id)
);
CREATE INDEX victim_marac_dates_case ON victim_marac_dates (case_id);

-- Where she is and how to reach her: victim.Compartment as JSON, sealed.
CREATE TABLE victim_compartments (
	victim_case_id INTEGER PRIMARY KEY REFERENCES victim_cases(id),
	data           BLOB NOT NULL CHECK (length(data) > 0),
	key_id         TEXT NOT NULL CHECK (length(key_id) = 16),
	updated_by     INTEGER REFERENCES users(id),
	updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX victim_compartments_key ON victim_compartments (key_id);

-- The safety plan, sealed: it says where she may go and who to call.
CREATE TABLE victim_safety_plans (
	victim_case_id INTEGER PRIMARY KEY REFERENCES victim_cases(id),
	data           BLOB NOT NULL CHECK (length(data) > 0),
	key_id         TEXT NOT NULL CHECK (length(key_id) = 16),
	updated_by     INTEGER REFERENCES users(id),
	updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX victim_safety_plans_key ON victim_safety_plans (key_id);

-- Children of a victim-survivor and, where linked, of a perpetrator case
-- she is linked to (the composite key enforces that link). The school
-- belongs to the compartment, never here.
CREATE TABLE victim_children (
	id             INTEGER PRIMARY KEY,
	victim_case_id INTEGER NOT NULL REFERENCES victim_cases(id),
	case_id        INTEGER,
	given_name     TEXT NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
	date_of_birth  TEXT NOT NULL CHECK (length(date_of_birth) = 10),
	relationship   TEXT NOT NULL CHECK (relationship IN ('both', 'victim', 'perpetrator')),
	social_care    TEXT NOT NULL CHECK (social_care IN ('none', 'early_help', 'child_in_need', 'child_protection', 'looked_after', 'not_known')),
	created_at     TIMESTAMP NOT NULL,
	FOREIGN KEY (victim_case_id, case_id) REFERENCES victim_links (victim_case_id, case_id)
);
CREATE INDEX victim_children_victim ON victim_children (victim_case_id, date_of_birth);
CREATE INDEX victim_children_case ON victim_children (case_id) WHERE case_id IS NOT NULL;

-- A completed risk questionnaire (risk.Assessment). answers is a JSON
-- object of question id to answer; result is risk.Result as JSON, with
-- the score and levels also in columns for lists and reports. The
-- per-question comments may say where she is, so they are sealed, in
-- victim_dash_comments.
CREATE TABLE victim_dash (
	id                     INTEGER PRIMARY KEY,
	victim_case_id         INTEGER NOT NULL REFERENCES victim_cases(id),
	questionnaire          TEXT NOT NULL CHECK (length(questionnaire) BETWEEN 1 AND 64),
	version                TEXT NOT NULL CHECK (length(version) BETWEEN 1 AND 32),
	answers                TEXT NOT NULL CHECK (json_valid(answers)),
	professional_judgement TEXT NOT NULL DEFAULT '',
	judgement_reason       TEXT NOT NULL DEFAULT '' CHECK (length(judgement_reason) <= 16000),
	assessed_on            TEXT NOT NULL CHECK (length(assessed_on) = 10),
	assessed_by            INTEGER NOT NULL REFERENCES users(id),
	score                  INTEGER NOT NULL CHECK (score >= 0),
	band                   TEXT NOT NULL,
	effective_level        TEXT NOT NULL,
	result                 TEXT NOT NULL CHECK (json_valid(result)),
	created_at             TIMESTAMP NOT NULL
);
CREATE INDEX victim_dash_victim ON victim_dash (victim_case_id, assessed_on);

CREATE TABLE victim_dash_comments (
	assessment_id INTEGER PRIMARY KEY REFERENCES victim_dash(id),
	data          BLOB NOT NULL CHECK (length(data) > 0),
	key_id        TEXT NOT NULL CHECK (length(key_id) = 16)
);
CREATE INDEX victim_dash_comments_key ON victim_dash_comments (key_id);

-- Behaviour at a time point, per victim-survivor and perpetrator case:
-- one per pair and time point.
CREATE TABLE victim_behaviours (
	id             INTEGER PRIMARY KEY,
	victim_case_id INTEGER NOT NULL,
	case_id        INTEGER NOT NULL,
	time_point     TEXT NOT NULL CHECK (length(time_point) BETWEEN 1 AND 32),
	physical       TEXT NOT NULL CHECK (physical IN ('yes', 'no', 'unknown')),
	sexual         TEXT NOT NULL CHECK (sexual IN ('yes', 'no', 'unknown')),
	stalking       TEXT NOT NULL CHECK (stalking IN ('yes', 'no', 'unknown')),
	controlling    TEXT NOT NULL CHECK (controlling IN ('yes', 'no', 'unknown')),
	risk_change    TEXT NOT NULL DEFAULT '' CHECK (risk_change IN ('', 'increased', 'no_change', 'reduced_slightly', 'reduced_moderately', 'reduced_significantly')),
	assessed_on    TEXT NOT NULL CHECK (length(assessed_on) = 10),
	assessed_by    INTEGER NOT NULL REFERENCES users(id),
	created_at     TIMESTAMP NOT NULL,
	UNIQUE (victim_case_id, case_id, time_point),
	FOREIGN KEY (victim_case_id, case_id) REFERENCES victim_links (victim_case_id, case_id)
);
CREATE INDEX victim_behaviours_case ON victim_behaviours (case_id, time_point);

-- Victim-side notes, sealed and append-only: a correction is a new note
-- whose amends names an earlier note of the same victim-survivor's case,
-- which the composite foreign key enforces.
CREATE TABLE victim_notes (
	id             INTEGER PRIMARY KEY,
	victim_case_id INTEGER NOT NULL REFERENCES victim_cases(id),
	kind           TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 32),
	noted_on       TEXT NOT NULL CHECK (length(noted_on) = 10),
	body           BLOB NOT NULL CHECK (length(body) > 0),
	key_id         TEXT NOT NULL CHECK (length(key_id) = 16),
	amends         INTEGER,
	created_by     INTEGER REFERENCES users(id),
	created_at     TIMESTAMP NOT NULL,
	UNIQUE (id, victim_case_id),
	FOREIGN KEY (amends, victim_case_id) REFERENCES victim_notes (id, victim_case_id)
);
CREATE INDEX victim_notes_victim ON victim_notes (victim_case_id, created_at);
CREATE INDEX victim_notes_key ON victim_notes (key_id);

-- The IDVA's contacts with her, sealed: a contact note says how and
-- where she was reached.
CREATE TABLE idva_contacts (
	id             INTEGER PRIMARY KEY,
	victim_case_id INTEGER NOT NULL REFERENCES victim_cases(id),
	kind           TEXT NOT NULL CHECK (kind IN ('call', 'visit', 'message', 'attempt')),
	contact_on     TEXT NOT NULL CHECK (length(contact_on) = 10),
	body           BLOB NOT NULL CHECK (length(body) > 0),
	key_id         TEXT NOT NULL CHECK (length(key_id) = 16),
	created_by     INTEGER REFERENCES users(id),
	created_at     TIMESTAMP NOT NULL
);
CREATE INDEX idva_contacts_victim ON idva_contacts (victim_case_id, contact_on);
CREATE INDEX idva_contacts_key ON idva_contacts (key_id);
