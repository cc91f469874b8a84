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
UPDATE cases c SET sort_family = lower(p.family_name), sort_given = lower(p.given_name)
	FROM people p WHERE p.id = c.person_id;

CREATE FUNCTION cases_sort_names() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	SELECT lower(p.family_name), lower(p.given_name) INTO NEW.sort_family, NEW.sort_given
		FROM people p WHERE p.id = NEW.person_id;
	RETURN NEW;
END
$$;

CREATE TRIGGER cases_sort_names BEFORE INSERT OR UPDATE OF person_id ON cases
	FOR EACH ROW EXECUTE FUNCTION cases_sort_names();

CREATE FUNCTION people_sort_names() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.family_name IS DISTINCT FROM OLD.family_name OR NEW.given_name IS DISTINCT FROM OLD.given_name THEN
		UPDATE cases SET sort_family = lower(NEW.family_name), sort_given = lower(NEW.given_name) WHERE person_id = NEW.id;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER people_sort_names AFTER UPDATE OF given_name, family_name ON people
	FOR EACH ROW EXECUTE FUNCTION people_sort_names();

CREATE INDEX cases_site_name ON cases (site_id, sort_family, sort_given, id);

-- The order by state: the state's place, then the newest change. Each
-- direction of the state's place has its own column, computed from the
-- state by the database, so that each order is one walk of an index with
-- every term the same way (the newest change first) and a page is found
-- by seeking to its edge; "state" (referred first) walks its place counted
-- from the end.
ALTER TABLE cases ADD COLUMN state_place INTEGER GENERATED ALWAYS AS (CASE state WHEN 'referred' THEN 1 WHEN 'accepted' THEN 2
	WHEN 'allocated' THEN 3 WHEN 'active' THEN 4 WHEN 'closing' THEN 5 WHEN 'transferred' THEN 6 WHEN 'closed' THEN 7 ELSE 8 END) STORED;
ALTER TABLE cases ADD COLUMN state_place_rev INTEGER GENERATED ALWAYS AS (9 - CASE state WHEN 'referred' THEN 1 WHEN 'accepted' THEN 2
	WHEN 'allocated' THEN 3 WHEN 'active' THEN 4 WHEN 'closing' THEN 5 WHEN 'transferred' THEN 6 WHEN 'closed' THEN 7 ELSE 8 END) STORED;
CREATE INDEX cases_site_state_rank ON cases (site_id, state_place, updated_at, id);
CREATE INDEX cases_site_state_rank_rev ON cases (site_id, state_place_rev, updated_at, id);

-- The team leader's lists. Each index holds only the cases that can be on
-- its list (the work in hand, never the closed history) in the list's
-- order, so a list's page and its count cost what is on it.

-- The earliest due date among a case's open actions, kept by a trigger on
-- the actions: the overdue list holds the cases whose earliest is before
-- today, the longest overdue first.
ALTER TABLE cases ADD COLUMN open_action_due DATE;
UPDATE cases c SET open_action_due = a.due FROM (SELECT case_id, min(due_on) AS due FROM case_actions
	WHERE status IN ('open', 'in_progress') GROUP BY case_id) a WHERE a.case_id = c.id;

CREATE FUNCTION case_actions_due() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		UPDATE cases SET open_action_due = (SELECT min(a.due_on) FROM case_actions a
			WHERE a.case_id = OLD.case_id AND a.status IN ('open', 'in_progress'))
		WHERE id = OLD.case_id;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		UPDATE cases SET open_action_due = (SELECT min(a.due_on) FROM case_actions a
			WHERE a.case_id = NEW.case_id AND a.status IN ('open', 'in_progress'))
		WHERE id = NEW.case_id;
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER case_actions_due AFTER INSERT OR DELETE OR UPDATE OF case_id, status, due_on ON case_actions
	FOR EACH ROW EXECUTE FUNCTION case_actions_due();

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
