-- A wrong code on the survivor route now counts against whoever tried it
-- (a keyed hash of their address under the service's key, changed every
-- window, so the database alone never tells an address), and only a flood
-- from many counts against the route as a whole: one person trying wrong
-- codes no longer shuts the route to every victim-survivor. Rows older than
-- the window are deleted as new ones come, as before.
ALTER TABLE feedback_code_failures ADD COLUMN tryer TEXT NOT NULL DEFAULT '';
CREATE INDEX feedback_code_failures_tryer ON feedback_code_failures (tryer, tried_at);
