package service

import "strconv"

// Where each sealed value lives, as the associated data it is sealed
// with: a value copied onto another row, column or kind of value fails to
// open. These are the only definitions; the store keeps the sealed bytes
// it is given and never sees them.
//
//	case note       "case_note:<note id>"           the note's text
//	compartment     "victim_compartment:<id>"       JSON of victim.Compartment
//	victim note     "victim_case:<id>:note"         the note's text
//	IDVA contact    "victim_case:<id>:contact"      the contact's text
//	safety plan     "victim_case:<id>:safety_plan"  the plan's text
//	DASH comments   "victim_case:<id>:dash"         JSON of risk.Assessment.Comments
//	trial seed      "trial_seed:<trial id>"         the seed, 8 bytes big-endian (trials.go)
//
// The id of a victim-survivor's values is her case's id, which never
// changes while the value stays where it is. Her notes and contacts are
// sealed before they have an id of their own, so one note's ciphertext
// would also open on another note of her case; it never opens on another
// victim-survivor's case or another kind of value. A case note is sealed
// for its own id.

func aadCaseNote(noteID int64) []byte {
	return []byte("case_note:" + strconv.FormatInt(noteID, 10))
}

func aadCompartment(id int64) []byte {
	return []byte("victim_compartment:" + strconv.FormatInt(id, 10))
}

func aadVictim(id int64, what string) []byte {
	return []byte("victim_case:" + strconv.FormatInt(id, 10) + ":" + what)
}
