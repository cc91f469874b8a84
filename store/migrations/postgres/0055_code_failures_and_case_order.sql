-- Wrong codes tried on the survivor route, one row each with only the
-- time it was tried: no address, no code, nothing of whose it might be. The
-- route counts those within its window (voice.CodeGuessWindow) so that
-- every replica refuses codes once the allowance is spent; rows older than
-- the window are deleted as new ones come.
CREATE TABLE feedback_code_failures (
	tried_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX feedback_code_failures_tried ON feedback_code_failures (tried_at);

-- Lists of cases page by a key (the sort's value and the case id) rather
-- than by skipping rows, so each order a list offers needs an index that
-- walks the site's cases in it: updated (cases_site_updated_id, 0020)
-- and now referred; the same without a site for the system's own walks
-- over every case.
CREATE INDEX cases_site_referred_id ON cases (site_id, referred_on, id);
CREATE INDEX cases_referred_id ON cases (referred_on, id);
