-- The days on which the daily retention run has been claimed. drive serve
-- runs retention once a day; with several replicas each tries, and the
-- first to insert the day's row is the one that runs it.
CREATE TABLE retention_days (
	run_on     TEXT PRIMARY KEY CHECK (length(run_on) = 10),
	claimed_by TEXT NOT NULL CHECK (length(claimed_by) <= 100),
	claimed_at TIMESTAMPTZ NOT NULL
);
