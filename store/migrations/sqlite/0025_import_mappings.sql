-- A site's named column mappings for its sources ("Force X weekly
-- extract", "MARAC coordinator list"): JSON {"field": "Column header"},
-- chosen in the upload or proposed when a file's headers fit one.
CREATE TABLE import_mappings (
	id         INTEGER PRIMARY KEY,
	site_id    INTEGER NOT NULL REFERENCES sites(id),
	kind       TEXT NOT NULL CHECK (kind IN ('incidents', 'marac')),
	name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	mapping    TEXT NOT NULL CHECK (length(mapping) BETWEEN 2 AND 20000),
	created_by INTEGER REFERENCES users(id),
	created_at TIMESTAMP NOT NULL,
	updated_at TIMESTAMP NOT NULL,
	UNIQUE (site_id, kind, name)
);
