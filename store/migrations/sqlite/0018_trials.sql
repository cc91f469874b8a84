-- Randomised trials (docs/trials.md): a trial at a site, its seed sealed
-- apart, and one allocation per referral the panel accepted while it ran.
-- Dates are YYYY-MM-DD text; times are UTC.

CREATE TABLE trials (
	id             INTEGER PRIMARY KEY,
	site_id        INTEGER NOT NULL REFERENCES sites(id),
	name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	programme      TEXT NOT NULL DEFAULT '' CHECK (length(programme) <= 64),
	outcome_months INTEGER NOT NULL CHECK (outcome_months BETWEEN 1 AND 36),
	started_on     TEXT NOT NULL CHECK (length(started_on) = 10),
	ended_on       TEXT CHECK (ended_on IS NULL OR length(ended_on) = 10),
	created_by     INTEGER REFERENCES users(id),
	ended_by       INTEGER REFERENCES users(id),
	-- allocated counts the trial's allocations; bumping it is the first
	-- write of every allocation, so allocations to one trial queue on
	-- its row and each takes the next place in its stratum.
	allocated      INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0),
	created_at     TIMESTAMP NOT NULL,
	UNIQUE (site_id, name)
);

-- At most one trial runs at a site at a time.
CREATE UNIQUE INDEX trials_running ON trials (site_id) WHERE ended_on IS NULL;

-- The seed, sealed for "trial_seed:<trial id>"; whoever reads it can
-- predict the allocations to come.
CREATE TABLE trial_seeds (
	trial_id INTEGER PRIMARY KEY REFERENCES trials(id),
	data     BLOB NOT NULL CHECK (length(data) > 0),
	key_id   TEXT NOT NULL
);

-- One row per allocated referral. A referral is allocated once, ever, and
-- a stratum's places are unique, so two allocations racing for one place
-- cannot both be stored.
CREATE TABLE trial_allocations (
	case_id      INTEGER PRIMARY KEY REFERENCES cases(id),
	trial_id     INTEGER NOT NULL REFERENCES trials(id),
	band         TEXT NOT NULL CHECK (band IN ('high', 'medium', 'standard')),
	seq          INTEGER NOT NULL CHECK (seq >= 1),
	arm          TEXT NOT NULL CHECK (arm IN ('intervention', 'comparison')),
	block        INTEGER NOT NULL CHECK (block >= 1),
	position     INTEGER NOT NULL CHECK (position BETWEEN 1 AND 6),
	block_len    INTEGER NOT NULL CHECK (block_len IN (4, 6)),
	allocated_at TIMESTAMP NOT NULL,
	allocated_by INTEGER REFERENCES users(id),
	UNIQUE (trial_id, band, seq)
);
