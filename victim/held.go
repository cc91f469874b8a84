package victim

import "time"

// HeldStatus is where the review of a held text stands.
type HeldStatus string

// The statuses of a held text.
const (
	// Withheld: waiting for her IDVA's review; shown only to its author.
	Withheld HeldStatus = "withheld"
	// Kept: reviewed, and kept back from the perpetrator's side.
	Kept HeldStatus = "kept"
	// Released: reviewed, and shown to every reader of the case.
	Released HeldStatus = "released"
)

// Decision reports whether s is a status a review can set.
func (s HeldStatus) Decision() bool { return s == Kept || s == Released }

// Label names the status for people.
func (s HeldStatus) Label() string {
	switch s {
	case Withheld:
		return "Waiting for review"
	case Kept:
		return "Kept withheld"
	case Released:
		return "Released"
	}
	return string(s)
}

// WithheldText is what every reader of a perpetrator's case but the
// text's author sees in place of a held text.
const WithheldText = "Withheld: may reveal a victim-survivor's details"

// HeldText is free text written on a perpetrator's case that the barrier's
// screen (Reveals) matched against one linked victim-survivor. The text
// stays where it was written; this record keeps it from every reader but
// its author until her IDVA, or a team leader of her IDVA service,
// releases it.
type HeldText struct {
	ID           int64
	CaseID       int64
	SiteID       int64
	RecordType   string // note, contact, action, review, history, decision
	RecordID     int64
	VictimCaseID int64
	AuthorID     int64
	HeldAt       time.Time
	Status       HeldStatus
	DecidedBy    int64
	DecidedAt    *time.Time
}

// The kinds of record a held text can be.
const (
	HeldNote     = "note"
	HeldContact  = "contact"
	HeldAction   = "action"
	HeldReview   = "review"
	HeldHistory  = "history"
	HeldDecision = "decision" // the panel's reasons, on the case itself
	// HeldShare is what an agency shared about the case at a meeting.
	HeldShare = "share"
	// HeldItemDecision is a meeting's reasons for its decision on the
	// case, on the agenda item.
	HeldItemDecision = "meeting_decision"
)

// HeldSet answers, for one case's held texts, whether a record is held
// back from a reader.
type HeldSet map[heldKey][]HeldText

type heldKey struct {
	kind string
	id   int64
}

// NewHeldSet indexes held texts by record.
func NewHeldSet(hs []HeldText) HeldSet {
	m := HeldSet{}
	for _, h := range hs {
		k := heldKey{h.RecordType, h.RecordID}
		m[k] = append(m[k], h)
	}
	return m
}

// Hidden reports whether the record is held back from reader: any
// victim-survivor's review has not released it, and reader is not who
// wrote the matching text.
func (m HeldSet) Hidden(recordType string, recordID, reader int64) bool {
	for _, h := range m[heldKey{recordType, recordID}] {
		if h.Status != Released && h.AuthorID != reader {
			return true
		}
	}
	return false
}
