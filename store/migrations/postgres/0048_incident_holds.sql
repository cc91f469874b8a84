-- Legal holds on one imported police incident (record_type 'incident',
-- record_id the incident's id): the retention run keeps it while its
-- site's other expired records are anonymised.
ALTER TABLE legal_holds DROP CONSTRAINT legal_holds_record_type_check;
ALTER TABLE legal_holds ADD CONSTRAINT legal_holds_record_type_check
	CHECK (record_type IN ('perpetrator_case', 'notification', 'victim_case', 'site', 'incident'));
