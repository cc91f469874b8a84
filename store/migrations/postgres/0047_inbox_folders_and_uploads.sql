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

-- An analyst's upload, once checked and confirmed on the page, is an
-- import job too: user_id is the analyst (NULL for a feed or the inbox),
-- whose access is asked again when it runs and in whose name it is
-- audited; file_name is the name the file was uploaded under; options
-- is how to read it as checked (JSON: encoding, sheet, mapping file or
-- saved mapping, and a name to save the mapping under).
ALTER TABLE import_jobs ADD COLUMN user_id BIGINT REFERENCES users(id);
ALTER TABLE import_jobs ADD COLUMN file_name TEXT NOT NULL DEFAULT '' CHECK (length(file_name) <= 255);
ALTER TABLE import_jobs ADD COLUMN options TEXT NOT NULL DEFAULT '' CHECK (length(options) <= 30000);
CREATE INDEX import_jobs_user ON import_jobs (user_id, id) WHERE user_id IS NOT NULL;
