-- Links between the people Drive works with and the people police
-- extracts name, whatever the referral source, so that a new incident or
-- MARAC hearing can raise an alert and the police outcome measures can be
-- computed. A link the linker is sure of is "linked"; one below its
-- threshold is "suggested" until an analyst or team leader confirms it
-- ("linked") or rejects it ("rejected"). Decisions are kept and replayed
-- over later imports: a rejected pair is never suggested again, and a
-- confirmed one is never undone by a new resolution.
--
-- The perpetrator side links a Drive person (people) to suspects.
CREATE TABLE person_police_links (
	id             INTEGER PRIMARY KEY,
	site_id        INTEGER NOT NULL REFERENCES sites(id),
	person_id      INTEGER NOT NULL REFERENCES people(id),
	police_person  INTEGER NOT NULL REFERENCES police_people(id),
	status         TEXT NOT NULL CHECK (status IN ('linked', 'suggested', 'rejected')),
	-- The linker's match weight, and what agreed (field names, never
	-- values), for the analyst deciding a suggestion.
	score          REAL NOT NULL,
	evidence       TEXT NOT NULL DEFAULT '',
	decided_by     INTEGER REFERENCES users(id),
	decided_at     TIMESTAMP,
	created_at     TIMESTAMP NOT NULL,
	UNIQUE (person_id, police_person),
	CHECK ((decided_by IS NULL) = (decided_at IS NULL))
);
CREATE INDEX person_police_links_police ON person_police_links (police_person, status);
CREATE INDEX person_police_links_site ON person_police_links (site_id, status);

-- The victim side links a victim-survivor's IDVA case to the victims
-- named in incidents and MARAC lists. It is held on the IDVA side of the
-- wall: only the victim compartment's readers see it.
CREATE TABLE victim_police_links (
	id             INTEGER PRIMARY KEY,
	site_id        INTEGER NOT NULL REFERENCES sites(id),
	victim_case_id INTEGER NOT NULL REFERENCES victim_cases(id),
	police_person  INTEGER NOT NULL REFERENCES police_people(id),
	status         TEXT NOT NULL CHECK (status IN ('linked', 'suggested', 'rejected')),
	score          REAL NOT NULL,
	evidence       TEXT NOT NULL DEFAULT '',
	decided_by     INTEGER REFERENCES users(id),
	decided_at     TIMESTAMP,
	created_at     TIMESTAMP NOT NULL,
	UNIQUE (victim_case_id, police_person),
	CHECK ((decided_by IS NULL) = (decided_at IS NULL))
);
CREATE INDEX victim_police_links_police ON victim_police_links (police_person, status);
CREATE INDEX victim_police_links_site ON victim_police_links (site_id, status);
