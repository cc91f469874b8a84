-- The model the record linker learned at a site's last resolution of its
-- suspects, kept so a suspect's page can explain why two of his incidents
-- were joined without linking the whole site again. It holds probabilities
-- and weights only (JSON of linkage.Model), never a name or a date.
CREATE TABLE linkage_models (
	site_id    INTEGER NOT NULL REFERENCES sites(id),
	role       TEXT NOT NULL CHECK (role IN ('suspect')),
	model      TEXT NOT NULL CHECK (length(model) <= 100000),
	fitted_at  TIMESTAMP NOT NULL,
	PRIMARY KEY (site_id, role)
);
