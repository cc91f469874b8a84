-- Background jobs: durable work that any server's worker may take, such
-- as the daily retention run, due-assessment reminders and feed silence
-- checks (the jobs package says how they move). payload names records by
-- id or carries settings, never personal data. unique_key, when set, is
-- held by one job ever, so a day's periodic job is queued once however
-- many servers queue it. A running job's worker holds a lease that it
-- renews while it works (lease_until); once the lease runs out the job
-- may be claimed again, so a worker that dies loses nothing. last_error
-- is the latest failure's text, written so as to name no person.
CREATE TABLE jobs (
	id           INTEGER PRIMARY KEY,
	kind         TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 100),
	payload      TEXT NOT NULL DEFAULT '' CHECK (length(payload) <= 4096),
	unique_key   TEXT UNIQUE CHECK (unique_key IS NULL OR length(unique_key) BETWEEN 1 AND 200),
	state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
	attempts     INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	max_attempts INTEGER NOT NULL CHECK (max_attempts BETWEEN 1 AND 100),
	run_at       TIMESTAMP NOT NULL,
	leased_by    TEXT CHECK (leased_by IS NULL OR length(leased_by) <= 100),
	lease_until  TIMESTAMP,
	last_error   TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMP NOT NULL,
	started_at   TIMESTAMP,
	finished_at  TIMESTAMP
);
-- What a worker looks for: queued jobs whose time has come, and running
-- jobs whose lease has run out.
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_kind_state ON jobs (kind, state, id);
