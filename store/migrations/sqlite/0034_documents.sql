-- Documents attached to a perpetrator's case (case_id) or a
-- victim-survivor's IDVA case (victim_case_id), never both. The file is
-- sealed (data, under the key key_id wraps), its kind found from its
-- bytes; title and file_name describe it for the case's own side.
CREATE TABLE documents (
	id             INTEGER PRIMARY KEY,
	site_id        INTEGER NOT NULL REFERENCES sites(id),
	case_id        INTEGER REFERENCES cases(id),
	victim_case_id INTEGER REFERENCES victim_cases(id),
	title          TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 800),
	file_name      TEXT NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
	kind           TEXT NOT NULL CHECK (kind IN ('pdf', 'png', 'jpeg', 'docx')),
	size           INTEGER NOT NULL CHECK (size BETWEEN 1 AND 10485760),
	data           BLOB NOT NULL,
	key_id         TEXT NOT NULL CHECK (length(key_id) = 16),
	uploaded_by    INTEGER NOT NULL REFERENCES users(id),
	uploaded_at    TIMESTAMP NOT NULL,
	CHECK ((case_id IS NULL) <> (victim_case_id IS NULL))
);
CREATE INDEX documents_case ON documents (case_id, id) WHERE case_id IS NOT NULL;
CREATE INDEX documents_victim_case ON documents (victim_case_id, id) WHERE victim_case_id IS NOT NULL;
CREATE INDEX documents_key ON documents (key_id);
