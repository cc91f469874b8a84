-- Notes on perpetrators' cases are sealed at rest like the victim-side
-- records (ARCHITECTURE.md §6): the text lives here, encrypted under its
-- own data key bound to the note's id, and case_notes.body keeps only the
-- placeholder '[sealed]'. Notes written before this migration keep their
-- text in case_notes.body until `drive serve` (or `drive keys seal`) seals
-- them at start-up; nothing reads a note without looking here first.
CREATE TABLE case_note_bodies (
	note_id BIGINT PRIMARY KEY REFERENCES case_notes(id),
	data    BYTEA NOT NULL,
	key_id  TEXT NOT NULL
);
