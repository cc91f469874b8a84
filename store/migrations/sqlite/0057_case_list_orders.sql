-- Every list of cases is read a page at a time from an index that holds
-- its order, entered at the page's edge, so that no page sorts or walks
-- the cases the site held before it (docs/benchmarks.md, "National
-- scale"). The orders that had no such index get one here.

-- The name order. The names live on people, and no index of cases is in
-- the order of another table's values, so each case keeps its person's
-- names lower-cased beside it. Triggers keep them in step with the person
-- in the same statement that changes either, whoever writes (the store,
-- a merge, retention's erasure, a bulk load). They never leave the
-- database: a page of the name order is found from the case id its link
-- carries, and the names at that case are read here.
ALTER TABLE cases ADD COLUMN sort_family TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN sort_given TEXT NOT NULL DEFAULT '';
UPDATE cases SET
	sort_family = (SELECT lower(p.family_name) FROM people p WHERE p.id = cases.person_id),
	sort_given = (SELECT lower(p.given_name) FROM people p WHERE p.id = cases.person_id);

CREATE TRIGGER cases_sort_names_insert AFTER INSERT ON cases
BEGIN
	UPDATE cases SET
		sort_family = (SELECT lower(p.family_name) FROM people p WHERE p.id = NEW.person_id),
		sort_given = (SELECT lower(p.given_name) FROM people p WHERE p.id = NEW.person_id)
	WHERE id = NEW.id;
END;

CREATE TRIGGER cases_sort_names_person AFTER UPDATE OF person_id ON cases
BEGIN
	UPDATE cases SET
		sort_family = (SELECT lower(p.family_name) FROM people p WHERE p.id = NEW.person_id),
		sort_given = (SELECT lower(p.given_name) FROM people p WHERE p.id = NEW.person_id)
	WHERE id = NEW.id;
END;

CREATE TRIGGER people_sort_names AFTER UPDATE OF given_name, family_name ON people
BEGIN
	UPDATE cases SET sort_family = lower(NEW.family_name), sort_given = lower(NEW.given_name) WHERE person_id = NEW.id;
END;

CREATE INDEX cases_site_name ON cases (site_id, sort_family, sort_given, id);

-- The order by state: the state's place, then the newest change. Each
-- direction of the state's place has its own column, computed from the
-- state by the database, so that each order is one walk of an index with
-- every term the same way (the newest change first) and a page is found
-- by seeking to its edge; "state" (referred first) walks its place counted
-- from the end.
ALTER TABLE cases ADD COLUMN state_place INTEGER GENERATED ALWAYS AS (CASE state WHEN 'referred' THEN 1 WHEN 'accepted' THEN 2
	WHEN 'allocated' THEN 3 WHEN 'active' THEN 4 WHEN 'closing' THEN 5 WHEN 'transferred' THEN 6 WHEN 'closed' THEN 7 ELSE 8 END) VIRTUAL;
ALTER TABLE cases ADD COLUMN state_place_rev INTEGER GENERATED ALWAYS AS (9 - CASE state WHEN 'referred' THEN 1 WHEN 'accepted' THEN 2
	WHEN 'allocated' THEN 3 WHEN 'active' THEN 4 WHEN 'closing' THEN 5 WHEN 'transferred' THEN 6 WHEN 'closed' THEN 7 ELSE 8 END) VIRTUAL;
CREATE INDEX cases_site_state_rank ON cases (site_id, state_place, updated_at, id);
CREATE INDEX cases_site_state_rank_rev ON cases (site_id, state_place_rev, updated_at, id);

-- The team leader's lists. Each index holds only the cases that can be on
-- its list (the work in hand, never the closed history) in the list's
-- order, so a list's page and its count cost what is on it.

-- The earliest due date among a case's open actions, kept by triggers on
-- the actions: the overdue list holds the cases whose earliest is before
-- today, the longest overdue first.
ALTER TABLE cases ADD COLUMN open_action_due TEXT;
UPDATE cases SET open_action_due = (SELECT min(a.due_on) FROM case_actions a
	WHERE a.case_id = cases.id AND a.status IN ('open', 'in_progress'));

CREATE TRIGGER case_actions_due_insert AFTER INSERT ON case_actions
BEGIN
	UPDATE cases SET open_action_due = (SELECT min(a.due_on) FROM case_actions a
		WHERE a.case_id = cases.id AND a.status IN ('open', 'in_progress'))
	WHERE id = NEW.case_id;
END;

CREATE TRIGGER case_actions_due_update AFTER UPDATE OF case_id, status, due_on ON case_actions
BEGIN
	UPDATE cases SET open_action_due = (SELECT min(a.due_on) FROM case_actions a
		WHERE a.case_id = cases.id AND a.status IN ('open', 'in_progress'))
	WHERE id IN (OLD.case_id, NEW.case_id);
END;

CREATE TRIGGER case_actions_due_delete AFTER DELETE ON case_actions
BEGIN
	UPDATE cases SET open_action_due = (SELECT min(a.due_on) FROM case_actions a
		WHERE a.case_id = cases.id AND a.status IN ('open', 'in_progress'))
	WHERE id = OLD.case_id;
END;

CREATE INDEX cases_team_overdue ON cases (site_id, open_action_due, id)
	WHERE state IN ('accepted', 'allocated', 'active', 'closing', 'transferred') AND open_action_due IS NOT NULL;
CREATE INDEX cases_team_unallocated ON cases (site_id, referred_on, id)
	WHERE state IN ('referred', 'accepted');
CREATE INDEX cases_team_no_contact ON cases (site_id, (coalesce(last_contact_at, allocated_at)), id)
	WHERE state IN ('allocated', 'active', 'closing');
CREATE INDEX cases_team_reviews ON cases (site_id, next_review_due, id)
	WHERE state IN ('active', 'closing') AND next_review_due IS NOT NULL;
-- A pending transfer is the only case that names a receiving site, so
-- this index replaces the one of the receiving site alone (0004).
DROP INDEX cases_transfer_to;
CREATE INDEX cases_team_transfers ON cases (transfer_to_site_id, updated_at, id)
	WHERE transfer_to_site_id IS NOT NULL;
