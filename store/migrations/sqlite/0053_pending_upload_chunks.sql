-- A checked upload's file held in chunks of at most 1 MiB, as an import
-- job's is (0037): the file is written at the check a chunk at a time,
-- and moved into its job's chunks when the analyst confirms it, inside
-- the database, so the server never holds a whole 256 MB upload in
-- memory. pending_uploads.content is left empty. An upload checked before
-- this migration keeps its file as one chunk.
CREATE TABLE pending_upload_chunks (
	upload_id INTEGER NOT NULL REFERENCES pending_uploads(id),
	seq       INTEGER NOT NULL CHECK (seq >= 0),
	data      BLOB NOT NULL,
	PRIMARY KEY (upload_id, seq)
);
INSERT INTO pending_upload_chunks (upload_id, seq, data) SELECT id, 0, content FROM pending_uploads WHERE length(content) > 0;
UPDATE pending_uploads SET content = X'' WHERE length(content) > 0;
