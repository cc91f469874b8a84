-- Each free-text write clears the day-old rows of text_writes before
-- adding its own; without an index on the time that was a scan of the
-- whole day's writes, nationally tens of thousands of rows, on every note,
-- contact and action (drive bench load, docs/benchmarks.md).
CREATE INDEX text_writes_at ON text_writes (at);
