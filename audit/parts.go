package audit

import "slices"

// The parts of a case a write may change, as the audit log names them
// (Part). They are fixed words rather than anything typed, so the log
// holds no content and a data protection officer can search for every
// change to one part ("who changed the safety plans this week").
//
// A perpetrator's case (record type "case", or its person record):
const (
	PartReferral         = "the referral"
	PartPanelDecision    = "the panel's decision"
	PartAllocation       = "the allocation"
	PartStart            = "the start of work"
	PartClosure          = "the closure"
	PartTransfer         = "the transfer"
	PartReopening        = "the reopening"
	PartEngagement       = "the engagement"
	PartPlan             = "the plan"
	PartAction           = "an action"
	PartAgencyReport     = "the agency's report"
	PartSession          = "a logged session"
	PartContact          = "a logged contact"
	PartContactAttempt   = "a contact attempt"
	PartAgencyContact    = "a contact with another agency"
	PartReview           = "a review"
	PartNote             = "a note"
	PartNoteCorrection   = "a correction to a note"
	PartEscalation       = "the escalation"
	PartTrialArm         = "the trial arm"
	PartSharedAtMeeting  = "information shared at a meeting"
	PartMARACHearing     = "a MARAC hearing"
	PartAppointment      = "an appointment"
	PartDocument         = "a document"
	PartPoliceLink       = "the link to a police record"
	PartName             = "the name"
	PartAliases          = "the other names"
	PartDateOfBirth      = "the date of birth"
	PartEquality         = "the equality monitoring"
	PartAgencyReferences = "the agency references"
	PartAddresses        = "the addresses"
)

// A victim-survivor's IDVA case (record type "victim"), besides a note,
// a MARAC hearing, an appointment, a document and the link to a police
// record:
const (
	PartNewVictimCase = "the opening of the case"
	PartProtected     = "the protected details"
	PartSafetyPlan    = "the safety plan"
	PartIDVAContact   = "a contact"
	PartChild         = "a child's details"
	PartDASH          = "a DASH assessment"
	PartBehaviour     = "a behaviour assessment"
	PartIDVAOrOpen    = "the IDVA, or whether the case is open"
	PartWithheldText  = "withheld text"
	PartOwnAnswers    = "the victim-survivor's own answers"
	PartFeedbackCode  = "a code for the victim-survivor to answer"
)

var parts = []string{
	PartReferral, PartPanelDecision, PartAllocation, PartStart, PartClosure, PartTransfer, PartReopening,
	PartEngagement, PartPlan, PartAction, PartAgencyReport, PartSession, PartContact, PartContactAttempt,
	PartAgencyContact, PartReview, PartNote, PartNoteCorrection, PartEscalation, PartTrialArm,
	PartSharedAtMeeting, PartMARACHearing, PartAppointment, PartDocument, PartPoliceLink, PartName,
	PartAliases, PartDateOfBirth, PartEquality, PartAgencyReferences, PartAddresses,
	PartNewVictimCase, PartProtected, PartSafetyPlan, PartIDVAContact, PartChild, PartDASH, PartBehaviour,
	PartIDVAOrOpen, PartWithheldText, PartOwnAnswers, PartFeedbackCode,
}

// Parts lists every part a write may name, in alphabetical order, for
// the audit search's choice of part.
func Parts() []string {
	out := slices.Clone(parts)
	slices.SortFunc(out, func(a, b string) int { return compareWords(a, b) })
	return out
}

// IsPart reports whether p is one of Parts.
func IsPart(p string) bool { return slices.Contains(parts, p) }

// compareWords orders parts by their words after the article, so "a
// note" sits by "the name" rather than among every "a ...".
func compareWords(a, b string) int {
	ka, kb := withoutArticle(a), withoutArticle(b)
	switch {
	case ka < kb:
		return -1
	case ka > kb:
		return 1
	}
	return 0
}

func withoutArticle(s string) string {
	for _, art := range []string{"the ", "an ", "a "} {
		if len(s) > len(art) && s[:len(art)] == art {
			return s[len(art):]
		}
	}
	return s
}
