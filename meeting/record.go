package meeting

import (
	"slices"
	"time"

	"github.com/drive-platform/drive"
)

// Attendance is how an invited person took part.
type Attendance string

// The attendance statuses.
const (
	Invited         Attendance = "invited" // not yet recorded
	Present         Attendance = "present"
	Observer        Attendance = "observer"
	Apologies       Attendance = "apologies"
	InformationSent Attendance = "information_sent" // sent apologies with their agency's information
)

// Attendances lists every status.
func Attendances() []Attendance {
	return []Attendance{Invited, Present, Observer, Apologies, InformationSent}
}

// Valid reports whether a is a known status.
func (a Attendance) Valid() bool { return slices.Contains(Attendances(), a) }

// Label names the status.
func (a Attendance) Label() string {
	switch a {
	case Invited:
		return "Invited"
	case Present:
		return "Present"
	case Observer:
		return "Observer"
	case Apologies:
		return "Apologies"
	case InformationSent:
		return "Apologies, information sent"
	}
	return string(a)
}

// Attendee is a person invited to a meeting for an agency. UserID is 0
// for someone without an account here (their agency's information is
// recorded by the coordinator); only an attendee with an account, who has
// accepted the confidentiality statement, is admitted to the cases.
type Attendee struct {
	ID             int64
	MeetingID      int64
	OrganisationID int64
	UserID         int64
	Name           string
	Status         Attendance
	// ConfidentialityAt is when the attendee accepted the confidentiality
	// statement, or nil.
	ConfidentialityAt *time.Time
}

// Validate checks an attendee. Errors: EINVALID per field.
func (a *Attendee) Validate() error {
	f := map[string]string{}
	a.Name = tidy(a.Name)
	if a.OrganisationID <= 0 {
		f["organisation"] = "Choose the agency they attend for"
	}
	if a.UserID <= 0 && a.Name == "" {
		f["user"] = "Choose a person, or give the name of someone without an account"
	}
	if len(a.Name) > 200 {
		f["name"] = "Keep the name to 200 characters"
	}
	if a.Status == "" {
		a.Status = Invited
	}
	if !a.Status.Valid() {
		f["status"] = "Choose how they took part"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the attendee", f)
	}
	return nil
}

// Admitted reports whether the attendee may open the cases on the agenda:
// they have an account and have accepted the confidentiality statement.
func (a *Attendee) Admitted() bool { return a.UserID > 0 && a.ConfidentialityAt != nil }

// ConfidentialityStatement is what every attendee accepts before the
// cases open. It is the platform's own wording of the undertaking MARACs
// ask of attendees.
const ConfidentialityStatement = "What is shared at this meeting is shared only to keep people safe and to disrupt abuse. " +
	"I will not disclose it outside this meeting except to carry out the actions agreed, or where the law requires. " +
	"I will not tell a perpetrator anything said here, and I will never pass on where a victim-survivor is or how to reach them. " +
	"I understand that everything I open is recorded against my name."

// LawfulBasis is the basis under data protection law on which an agency
// shares information about a person.
type LawfulBasis string

// The lawful bases.
const (
	PublicTask          LawfulBasis = "public_task"
	LegitimateInterests LawfulBasis = "legitimate_interests"
	VitalInterests      LawfulBasis = "vital_interests"
	LegalObligation     LawfulBasis = "legal_obligation"
	Consent             LawfulBasis = "consent"
)

// LawfulBases lists every basis.
func LawfulBases() []LawfulBasis {
	return []LawfulBasis{PublicTask, LegitimateInterests, VitalInterests, LegalObligation, Consent}
}

// Valid reports whether b is a known basis.
func (b LawfulBasis) Valid() bool { return slices.Contains(LawfulBases(), b) }

// Label names the basis.
func (b LawfulBasis) Label() string {
	switch b {
	case PublicTask:
		return "Public task"
	case LegitimateInterests:
		return "Legitimate interests (safeguarding)"
	case VitalInterests:
		return "Vital interests"
	case LegalObligation:
		return "Legal obligation"
	case Consent:
		return "Consent"
	}
	return string(b)
}

// Share is information one agency shared about an item's case. Its text
// is police intelligence in the access policy's terms (access.PoliceIntel):
// it is screened on the way in like any free text on a perpetrator's case,
// and a share that could reveal where a victim-survivor is, is held back
// from everyone but its author and her IDVA service.
type Share struct {
	ID             int64
	ItemID         int64
	OrganisationID int64
	Basis          LawfulBasis
	VictimTold     bool
	Text           string
	RecordedBy     int64
	CreatedAt      time.Time
}

// Validate checks a share. Errors: EINVALID per field.
func (s *Share) Validate() error {
	f := map[string]string{}
	s.Text = tidy(s.Text)
	if s.OrganisationID <= 0 {
		f["organisation"] = "Choose the agency that shared this"
	}
	if !s.Basis.Valid() {
		f["basis"] = "Choose the lawful basis for sharing"
	}
	if s.Text == "" {
		f["text"] = "Say what the agency shared"
	} else if len(s.Text) > 8000 {
		f["text"] = "Keep each share to 8,000 characters"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the information shared", f)
	}
	return nil
}
