-- Cases heard at a site's MARAC, imported from the coordinator's list,
-- for identification and the MARAC outcome measures. A case heard again
-- (a repeat MARAC) keeps its reference on a later date, so a hearing is
-- one reference on one date. A victim's address is never stored (it
-- belongs to her IDVA's protected record); names and dates of birth are
-- kept to tell people apart. The people a hearing names are resolved
-- against the site's police people after import, so they start empty.
CREATE TABLE marac_hearings (
	id                   INTEGER PRIMARY KEY,
	site_id              INTEGER NOT NULL REFERENCES sites(id),
	ref                  TEXT NOT NULL CHECK (length(ref) BETWEEN 1 AND 64),
	heard_on             TEXT NOT NULL CHECK (length(heard_on) = 10),
	victim_given         TEXT NOT NULL,
	victim_family        TEXT NOT NULL,
	victim_dob           TEXT,
	perpetrator_given    TEXT NOT NULL,
	perpetrator_family   TEXT NOT NULL CHECK (length(perpetrator_family) > 0),
	perpetrator_dob      TEXT,
	perpetrator_postcode TEXT NOT NULL,
	perpetrator_person   INTEGER REFERENCES police_people(id),
	victim_person        INTEGER REFERENCES police_people(id),
	imported_at          TIMESTAMP NOT NULL,
	UNIQUE (site_id, ref, heard_on)
);
CREATE INDEX marac_hearings_site_date ON marac_hearings (site_id, heard_on);
