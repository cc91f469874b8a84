-- People resolved from police-recorded mentions at a site. The linker
-- decides which mentions are one person; each incident then points at its
-- suspect and victim. Ids survive a new resolution (a person keeps the id
-- of the earlier person most of whose mentions she carries), so pages,
-- referrals and a case's entry and exit scores can name a person.
CREATE TABLE police_people (
	id            INTEGER PRIMARY KEY,
	site_id       INTEGER NOT NULL REFERENCES sites(id),
	role          TEXT NOT NULL CHECK (role IN ('suspect', 'victim')),
	confirmed_by  INTEGER REFERENCES users(id),
	confirmed_at  TIMESTAMP,
	-- The suspect's group across sites, when the same man is known to
	-- police at two or more: the lowest police person id of the group.
	national_match INTEGER,
	-- Set when a resolution gave all of this person's mentions to another:
	-- the person most of them went to, so a case or a page that named him
	-- still finds him.
	merged_into   INTEGER REFERENCES police_people(id),
	created_at    TIMESTAMP NOT NULL,
	CHECK ((confirmed_by IS NULL) = (confirmed_at IS NULL))
);
CREATE INDEX police_people_site ON police_people (site_id, role);
CREATE INDEX police_people_national ON police_people (national_match);

ALTER TABLE incidents ADD COLUMN suspect_person INTEGER REFERENCES police_people(id);
ALTER TABLE incidents ADD COLUMN victim_person INTEGER REFERENCES police_people(id);
CREATE INDEX incidents_suspect_person ON incidents (suspect_person);
CREATE INDEX incidents_victim_person ON incidents (victim_person);

-- An analyst's decision on who is who, replayed on every new resolution
-- so a re-import never undoes it: "confirm" says the named mentions are
-- one person, "split" that they are a person apart from the rest of the
-- person they were in. Mentions are incident ids, in the role given.
CREATE TABLE identity_decisions (
	id          INTEGER PRIMARY KEY,
	site_id     INTEGER NOT NULL REFERENCES sites(id),
	role        TEXT NOT NULL CHECK (role IN ('suspect', 'victim')),
	kind        TEXT NOT NULL CHECK (kind IN ('confirm', 'split')),
	person_id   INTEGER NOT NULL REFERENCES police_people(id),
	incidents   TEXT NOT NULL CHECK (length(incidents) > 0),
	reason      TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
	user_id     INTEGER NOT NULL REFERENCES users(id),
	made_at     TIMESTAMP NOT NULL
);
CREATE INDEX identity_decisions_site ON identity_decisions (site_id, id);

-- Entry and exit identification scores of a perpetrator case: the score
-- the person had when referred from the list, and when the case closed,
-- each with the strategy that made it and its parts, so the reduction
-- can be reported honestly.
CREATE TABLE case_scores (
	case_id          INTEGER NOT NULL REFERENCES cases(id),
	kind             TEXT NOT NULL CHECK (kind IN ('entry', 'exit')),
	police_person    INTEGER NOT NULL REFERENCES police_people(id),
	scored_on        TEXT NOT NULL CHECK (length(scored_on) = 10),
	strategy_code    TEXT NOT NULL,
	strategy_version TEXT NOT NULL,
	total            REAL NOT NULL,
	components       TEXT NOT NULL,
	incidents        INTEGER NOT NULL,
	PRIMARY KEY (case_id, kind)
);
