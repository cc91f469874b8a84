-- Subject access requests about a victim-survivor, a staff member or a
-- child as well as a person on the perpetrator side: subject_kind says
-- which, and exactly one of person_id, victim_case_id, user_id and
-- child_id names the subject. A review decision either withholds an item
-- or releases one withheld under an exemption, each with its reason.
ALTER TABLE subject_access_requests
	ALTER COLUMN person_id DROP NOT NULL,
	ADD COLUMN subject_kind TEXT NOT NULL DEFAULT 'person' CHECK (subject_kind IN ('person', 'victim', 'staff', 'child')),
	ADD COLUMN victim_case_id BIGINT REFERENCES victim_cases(id),
	ADD COLUMN user_id BIGINT REFERENCES users(id),
	ADD COLUMN child_id BIGINT REFERENCES victim_children(id),
	ADD CHECK ((person_id IS NOT NULL) = (subject_kind = 'person')),
	ADD CHECK ((victim_case_id IS NOT NULL) = (subject_kind = 'victim')),
	ADD CHECK ((user_id IS NOT NULL) = (subject_kind = 'staff')),
	ADD CHECK ((child_id IS NOT NULL) = (subject_kind = 'child'));

ALTER TABLE subject_access_redactions
	ADD COLUMN decision TEXT NOT NULL DEFAULT 'withhold' CHECK (decision IN ('withhold', 'release'));
