-- Indexes that keep pages and checks bounded by what they show rather than
-- by the size of a site's history.

-- A person's cases at their site, newest change first (the person page and
-- GET /api/v1/people/{id}). It replaces cases_person, its prefix: with
-- only (person_id), SQLite's planner without statistics preferred walking
-- the site's cases in update order through cases_site_updated, which costs
-- the whole site's history (50 ms at 100,000 cases) for a handful of rows.
CREATE INDEX cases_person_site ON cases (person_id, site_id, updated_at);
DROP INDEX cases_person;
