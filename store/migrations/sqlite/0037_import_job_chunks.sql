-- An import job's file held in chunks of at most 1 MiB rather than one
-- value in the job's row: the file is written and read back a chunk at a
-- time, so neither the server receiving it nor the worker importing it
-- holds a whole 50 MB extract in memory, and the job's own row stays
-- small (in SQLite, the columns after a large value in a row can only be
-- read by walking past it, so every look at the queue read the whole
-- file). The chunks go once the job has finished. A job queued before
-- this migration keeps its file as one chunk.
CREATE TABLE import_job_chunks (
	job_id INTEGER NOT NULL REFERENCES import_jobs(id),
	seq    INTEGER NOT NULL CHECK (seq >= 0),
	data   BLOB NOT NULL,
	PRIMARY KEY (job_id, seq)
);
INSERT INTO import_job_chunks (job_id, seq, data) SELECT id, 0, body FROM import_jobs WHERE body IS NOT NULL;
UPDATE import_jobs SET body = NULL WHERE body IS NOT NULL;
