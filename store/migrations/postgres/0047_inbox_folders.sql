-- Inbox folders watched for silence: one row per site and kind whose
-- folder (INBOX/SITE/KIND) the server has seen. first_seen_at is when it
-- was first seen, so a folder that has never received a file is silent
-- from then; interval_seconds is how often a file is expected there
-- (the server's --inbox-interval when it last looked).
CREATE TABLE inbox_folders (
	site_id          BIGINT NOT NULL REFERENCES sites(id),
	kind             TEXT NOT NULL CHECK (kind IN ('incidents', 'marac')),
	first_seen_at    TIMESTAMPTZ NOT NULL,
	interval_seconds INTEGER NOT NULL CHECK (interval_seconds > 0),
	PRIMARY KEY (site_id, kind)
);
CREATE INDEX import_jobs_inbox_kind ON import_jobs (site_id, kind, id) WHERE inbox_path IS NOT NULL;
