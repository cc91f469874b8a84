-- Uploads checked but not yet confirmed: the analyst sees the first rows
-- as they will be read and confirms, and the file is imported from here
-- then deleted. Kept at most a day.
CREATE TABLE pending_uploads (
	id          INTEGER PRIMARY KEY,
	site_id     INTEGER NOT NULL REFERENCES sites(id),
	user_id     INTEGER NOT NULL REFERENCES users(id),
	kind        TEXT NOT NULL CHECK (kind IN ('incidents', 'marac')),
	file_name   TEXT NOT NULL CHECK (length(file_name) <= 255),
	encoding    TEXT NOT NULL DEFAULT '' CHECK (length(encoding) <= 40),
	sheet       TEXT NOT NULL DEFAULT '' CHECK (length(sheet) <= 100),
	mapping     TEXT NOT NULL DEFAULT '' CHECK (length(mapping) <= 20000),
	mapping_id  INTEGER NOT NULL DEFAULT 0,
	save_as     TEXT NOT NULL DEFAULT '' CHECK (length(save_as) <= 100),
	content     BLOB NOT NULL,
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX pending_uploads_created ON pending_uploads (created_at);
