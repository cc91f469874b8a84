-- Legal holds on a victim-survivor's case and on a whole site (record_type
-- 'site', record_id the site's id: every record of the site is kept).
ALTER TABLE legal_holds DROP CONSTRAINT legal_holds_record_type_check;
ALTER TABLE legal_holds ADD CONSTRAINT legal_holds_record_type_check
	CHECK (record_type IN ('perpetrator_case', 'notification', 'victim_case', 'site'));

-- When a retention run anonymised an imported police record (its names,
-- dates of birth and postcodes removed). Records not yet anonymised are
-- found by date, across every site, by the partial indexes.
ALTER TABLE incidents ADD COLUMN anonymised_at TIMESTAMPTZ;
ALTER TABLE marac_hearings ADD COLUMN anonymised_at TIMESTAMPTZ;
CREATE INDEX incidents_retention ON incidents (occurred_on) WHERE anonymised_at IS NULL;
CREATE INDEX marac_hearings_retention ON marac_hearings (heard_on) WHERE anonymised_at IS NULL;
