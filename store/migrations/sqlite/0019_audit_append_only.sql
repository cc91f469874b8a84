-- The audit log is append-only: no statement may change or remove an
-- event, whoever runs it through this database file. The hash chain
-- already shows such a change after the fact; these triggers stop the
-- service (or a mistaken query) from making one at all. Someone who can
-- drop a trigger can still tamper, which the chain and signed
-- checkpoints catch (docs/audit.md, docs/data-protection.md).
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit events are append-only: an event cannot be changed');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
	SELECT RAISE(ABORT, 'audit events are append-only: an event cannot be deleted');
END;
