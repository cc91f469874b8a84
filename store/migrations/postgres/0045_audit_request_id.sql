-- The id of the web request that caused an audit event, as the server's
-- log lines give it, so an operator can go from a log line to what the
-- request did and back. Empty for events no request caused and for every
-- event written before this column: the hash covers the id only when it
-- is set, so those events verify as they always did.
ALTER TABLE audit_events ADD COLUMN request_id TEXT NOT NULL DEFAULT '' CHECK (length(request_id) <= 128);
