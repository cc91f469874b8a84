-- Free text written on a perpetrator's case that the barrier's screen
-- found to carry a linked victim-survivor's details. The text is stored
-- as written in its own table (notes, contacts, actions, reviews, case
-- history, the panel's decision); a row here holds it back from every
-- reader but its author until the victim-survivor's IDVA (or a team leader
-- of her IDVA service) releases it. One row per matching victim-survivor,
-- so each of their IDVAs reviews their own. Nothing here is ever shown on
-- the perpetrator's side, and the writer is never told.
CREATE TABLE held_texts (
	id             INTEGER PRIMARY KEY,
	case_id        INTEGER NOT NULL REFERENCES cases(id),
	site_id        INTEGER NOT NULL REFERENCES sites(id),
	record_type    TEXT NOT NULL CHECK (record_type IN ('note', 'contact', 'action', 'review', 'history', 'decision')),
	record_id      INTEGER NOT NULL,
	victim_case_id INTEGER NOT NULL REFERENCES victim_cases(id),
	author_id      INTEGER NOT NULL REFERENCES users(id),
	held_at        TIMESTAMP NOT NULL,
	-- withheld: waiting for review; kept: reviewed and kept back;
	-- released: reviewed and shown to every reader of the case.
	status         TEXT NOT NULL CHECK (status IN ('withheld', 'kept', 'released')),
	decided_by     INTEGER REFERENCES users(id),
	decided_at     TIMESTAMP,
	CHECK ((status = 'withheld') = (decided_by IS NULL)),
	UNIQUE (record_type, record_id, victim_case_id)
);
CREATE INDEX held_texts_case ON held_texts (case_id, record_type, record_id);
CREATE INDEX held_texts_victim ON held_texts (victim_case_id, status);

-- Every free-text write on a perpetrator's case, whether or not it was
-- held: the per-user rate limit counts them all alike (so the limit tells
-- the writer nothing), and a burst of held writes alerts the data
-- protection officer. Rows older than a day serve no purpose and are
-- pruned as new ones are written.
CREATE TABLE text_writes (
	user_id INTEGER NOT NULL REFERENCES users(id),
	site_id INTEGER NOT NULL REFERENCES sites(id),
	at      TIMESTAMP NOT NULL,
	held    INTEGER NOT NULL CHECK (held IN (0, 1))
);
CREATE INDEX text_writes_user ON text_writes (user_id, at);
