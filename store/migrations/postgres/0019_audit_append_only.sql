-- The audit log is append-only: no statement may change or remove an
-- event, including TRUNCATE. The hash chain already shows such a change
-- after the fact; these triggers stop the service (or a mistaken query)
-- from making one at all. The service's own role should in addition hold
-- only SELECT and INSERT on audit_events and not own the table, so that
-- it cannot drop the triggers either (docs/data-protection.md).
CREATE FUNCTION audit_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'audit events are append-only: % is not allowed on audit_events', TG_OP
		USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
	FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
	FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
