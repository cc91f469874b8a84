-- Feeds: police and MARAC data that arrives by itself. A feed is a
-- machine credential of one site that may only send files to import: it
-- is not a user and holds no role, so the access policy gives it nothing
-- to read. Only the hash of its token is kept. A revoked feed stays for
-- the record of what it delivered; its name may then be used again.
-- interval_seconds is how often it is expected to deliver: silent longer
-- than that, the site's analysts and team leaders are told.
CREATE TABLE feeds (
	id               INTEGER PRIMARY KEY,
	site_id          INTEGER NOT NULL REFERENCES sites(id),
	name             TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	token_hash       BLOB NOT NULL UNIQUE,
	interval_seconds INTEGER NOT NULL CHECK (interval_seconds > 0),
	created_at       TIMESTAMP NOT NULL,
	revoked_at       TIMESTAMP
);
CREATE UNIQUE INDEX feeds_site_name ON feeds (site_id, name) WHERE revoked_at IS NULL;

-- Import jobs: one file to import, sent by a feed through the API or
-- dropped in the server's inbox folder (inbox_path, relative to it). The
-- file is held here until it is imported, so a restart loses none. A job
-- is claimed by one worker (claimed_by) which beats heartbeat_at while it
-- runs; a running job whose heartbeat stopped is retried. At most one job
-- of a site runs at a time (import_jobs_one_running). problems is JSON:
-- [{"line","column","problem"}], never a value read from the file.
-- filed_at is when an inbox file was moved to done/ or failed/.
CREATE TABLE import_jobs (
	id           INTEGER PRIMARY KEY,
	site_id      INTEGER NOT NULL REFERENCES sites(id),
	feed_id      INTEGER REFERENCES feeds(id),
	kind         TEXT NOT NULL CHECK (kind IN ('incidents', 'marac')),
	inbox_path   TEXT CHECK (inbox_path IS NULL OR length(inbox_path) BETWEEN 1 AND 1000),
	body         BLOB,
	sha256       BLOB NOT NULL,
	status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
	claimed_by   TEXT,
	heartbeat_at TIMESTAMP,
	created_at   TIMESTAMP NOT NULL,
	started_at   TIMESTAMP,
	finished_at  TIMESTAMP,
	encoding     TEXT NOT NULL DEFAULT '',
	rows_read    INTEGER NOT NULL DEFAULT 0,
	rows_new     INTEGER NOT NULL DEFAULT 0,
	rows_skipped INTEGER NOT NULL DEFAULT 0,
	problems     TEXT NOT NULL DEFAULT '[]',
	filed_at     TIMESTAMP
);
CREATE INDEX import_jobs_queue ON import_jobs (status, id);
CREATE INDEX import_jobs_feed ON import_jobs (feed_id, id);
CREATE INDEX import_jobs_site ON import_jobs (site_id, id);
CREATE UNIQUE INDEX import_jobs_one_running ON import_jobs (site_id) WHERE status = 'running';
CREATE INDEX import_jobs_unfiled ON import_jobs (id) WHERE inbox_path IS NOT NULL AND filed_at IS NULL;
