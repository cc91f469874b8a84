-- An import too large to resolve a site's people again in full links each
-- batch of new mentions to the people the site holds, finding candidates
-- by blocking keys in the database rather than loading every mention
-- (identify.Extend): the same date of birth; the same family name and
-- given initial; the same given name and year of birth. Letter case is
-- folded for ASCII letters only (the "C" collation), as the import folds
-- them.
CREATE INDEX incidents_suspect_dob ON incidents (site_id, suspect_dob);
CREATE INDEX incidents_suspect_family ON incidents (site_id, lower(suspect_family COLLATE "C"), lower(substr(suspect_given, 1, 1) COLLATE "C"));
CREATE INDEX incidents_suspect_given ON incidents (site_id, lower(suspect_given COLLATE "C"), CAST(EXTRACT(YEAR FROM suspect_dob) AS INTEGER));
CREATE INDEX incidents_victim_dob ON incidents (site_id, victim_dob);
CREATE INDEX incidents_victim_family ON incidents (site_id, lower(victim_family COLLATE "C"), lower(substr(victim_given, 1, 1) COLLATE "C"));
CREATE INDEX incidents_victim_given ON incidents (site_id, lower(victim_given COLLATE "C"), CAST(EXTRACT(YEAR FROM victim_dob) AS INTEGER));
