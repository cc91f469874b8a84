-- Indexes that keep pages and checks bounded by what they show rather than
-- by the size of a site's history. The case indexes end in the order the
-- lists ask for, id included, so a page reads its rows from the index in
-- order and stops (PostgreSQL otherwise sorts every case of the site to
-- show the newest 50; SQLite's indexes end in the row id anyway).

-- A person's cases at their site, newest change first (the person page and
-- GET /api/v1/people/{id}). It replaces cases_person, its prefix: with
-- only (person_id), SQLite's planner preferred walking the site's cases in
-- update order, which costs the whole site's history (50 ms at 100,000
-- cases) for a handful of rows.
CREATE INDEX cases_person_site ON cases (person_id, site_id, updated_at, id);
DROP INDEX cases_person;

-- The case list, newest change first.
CREATE INDEX cases_site_updated_id ON cases (site_id, updated_at, id);
DROP INDEX cases_site_updated;

-- A site's cases in one state, newest change first: the case list filtered
-- by state walks the index instead of sorting every case of the state the
-- site has ever held. It replaces cases_site_state, its prefix.
CREATE INDEX cases_site_state_updated ON cases (site_id, state, updated_at, id);
DROP INDEX cases_site_state;

-- Agencies' open actions by due date (the team page's overdue actions by
-- agency). Done and closed actions leave the index, so the team page reads
-- the open work, not every action ever agreed at a meeting.
CREATE INDEX case_actions_agency_open ON case_actions (due_on)
	WHERE organisation_id IS NOT NULL AND status IN ('open', 'in_progress');

-- The referral's duplicate check: people near a date of birth, with none,
-- or with a police reference (store.PeopleNear), rather than every person
-- the site has held.
CREATE INDEX people_site_birth ON people (site_id, date_of_birth);
CREATE INDEX people_site_police_ref ON people (site_id, police_ref);

-- The version of the police data every identification list is ranked
-- from (incidents, police people and who they are, MARAC hearings): one
-- counter for the database, raised by each store method that changes that
-- data (store.TouchPoliceData), so a server ranks a site's list once per
-- version and day and serves it from memory until the data changes.
CREATE TABLE police_data_version (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	version BIGINT NOT NULL
);
INSERT INTO police_data_version (id, version) VALUES (1, 0);
