-- A site's reference population for equality monitoring (outcomes
-- reports): JSON {"source": "...", "shares": {"ethnicity": {"white": 0.8,
-- ...}, ...}}, or empty to compare with England and Wales as a whole.
ALTER TABLE sites ADD COLUMN reference_population TEXT NOT NULL DEFAULT '';
