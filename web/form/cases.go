package form

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
)

// Move is the decisions form on a case page: a step of the case's
// workflow, with what the step needs (reasons, a closure reason, the case
// manager to allocate, the site to transfer to). Which of those a step
// needs is the workflow's rule, checked by the service.
type Move struct {
	Event         casework.Event
	Reasons       string
	ClosureReason string
	CaseManagerID int64
	SiteID        int64
}

// NewMove reads the decisions form.
func NewMove(v url.Values) *Move {
	return &Move{Event: casework.Event(v.Get("event")), Reasons: v.Get("reasons"), ClosureReason: v.Get("closure_reason"),
		CaseManagerID: id(v, "case_manager"), SiteID: id(v, "transfer_site")}
}

// Change is the step as the workflow takes it.
func (f *Move) Change() casework.Change {
	return casework.Change{Event: f.Event, Reasons: f.Reasons, ClosureReason: f.ClosureReason, CaseManagerID: f.CaseManagerID, SiteID: f.SiteID}
}

// Engagement is the form that records how he is engaging with the
// programme; the service refuses a level not in the list.
type Engagement struct {
	Engagement casework.Engagement
}

// NewEngagement reads the engagement form.
func NewEngagement(v url.Values) *Engagement {
	return &Engagement{Engagement: casework.Engagement(v.Get("engagement"))}
}

// Action is the form that adds an action to the case plan.
type Action struct {
	Type, Agency, Owner string
	DueOn               drive.Date
	errs                Errors
}

// NewAction reads the new action form.
func NewAction(v url.Values) *Action {
	f := &Action{Type: v.Get("type"), Agency: v.Get("agency"), Owner: v.Get("owner"), errs: Errors{}}
	f.DueOn = requiredDate(v, "due_on", f.errs)
	return f
}

// Validate reports a due date that is missing or not a date.
func (f *Action) Validate() error { return f.errs.Err(checkDate) }

// Action is the new action.
func (f *Action) Action() *casework.Action {
	return &casework.Action{Type: f.Type, Agency: f.Agency, Owner: f.Owner, DueOn: f.DueOn}
}

// ActionStatus is the form beside an action in the plan that records its
// progress.
type ActionStatus struct {
	ActionID int64
	Status   casework.ActionStatus
	// Outcome is blank when none was typed, which keeps the one recorded
	// before: a status change alone does not wipe it.
	Outcome string
}

// NewActionStatus reads an action's status form.
func NewActionStatus(v url.Values) *ActionStatus {
	return &ActionStatus{ActionID: id(v, "action"), Status: casework.ActionStatus(v.Get("status")), Outcome: strings.TrimSpace(v.Get("outcome"))}
}

// Apply changes act as the form says.
func (f *ActionStatus) Apply(act *casework.Action) {
	act.Status = f.Status
	if f.Outcome != "" {
		act.Outcome = f.Outcome
	}
}

// Contact is the form that records a contact with him.
type Contact struct {
	Kind    casework.ContactKind
	Method  string
	Summary string
	On      drive.Date
	errs    Errors
}

// NewContact reads the contact form.
func NewContact(v url.Values) *Contact {
	f := &Contact{Kind: casework.ContactKind(v.Get("kind")), Method: v.Get("method"), Summary: v.Get("contact_summary"), errs: Errors{}}
	f.On = requiredDate(v, "contact_on", f.errs)
	return f
}

// Validate reports a contact date that is missing or not a date.
func (f *Contact) Validate() error { return f.errs.Err(checkDate) }

// Contact is the contact to record.
func (f *Contact) Contact() *casework.Contact {
	return &casework.Contact{Kind: f.Kind, Method: f.Method, Summary: f.Summary, On: f.On}
}

// Review is the form that records a review of risk and needs.
type Review struct {
	RiskLevel  string
	RiskChange string
	Summary    string
	// Needs holds the level chosen for each need area (field need_<area>);
	// an area left unchosen is absent.
	Needs map[string]string
	On    drive.Date
	errs  Errors
}

// NewReview reads the review form.
func NewReview(v url.Values) *Review {
	f := &Review{RiskLevel: v.Get("risk_level"), RiskChange: v.Get("risk_change"), Summary: v.Get("review_summary"),
		Needs: map[string]string{}, errs: Errors{}}
	for _, area := range casework.NeedAreas() {
		if l := v.Get("need_" + area); l != "" {
			f.Needs[area] = l
		}
	}
	f.On = requiredDate(v, "review_on", f.errs)
	return f
}

// Validate reports a review date that is missing or not a date.
func (f *Review) Validate() error { return f.errs.Err(checkDate) }

// Review is the review to record.
func (f *Review) Review() *casework.Review {
	return &casework.Review{RiskLevel: f.RiskLevel, RiskChange: f.RiskChange, Summary: f.Summary, Needs: f.Needs, On: f.On}
}

// Note is the case note form; Amends names the note it corrects, 0 for a
// new note.
type Note struct {
	Text   string
	Amends int64
}

// NewNote reads the note form.
func NewNote(v url.Values) *Note {
	return &Note{Text: v.Get("text"), Amends: id(v, "amends")}
}

// Note is the note to add.
func (f *Note) Note() *casework.Note {
	return &casework.Note{Text: f.Text, Amends: f.Amends}
}

// Referral is the new referral form: who he is (someone already known,
// by PersonID, or a new person), where and to which programme he is
// referred, and the evidence the programme's eligibility is judged on.
type Referral struct {
	SiteID    int64
	Programme string
	// PersonID is the person already known the user chose; 0 when the
	// form describes someone new.
	PersonID int64
	// NotDuplicate: the user has seen the possible duplicates and says
	// this is someone new.
	NotDuplicate bool

	GivenName, FamilyName string
	Gender, Ethnicity     string
	PoliceRef             string
	Aliases               []string
	DateOfBirth           drive.Date

	Source     casework.Source
	Summary    string
	ReferredAt drive.Date

	Judgement string
	// KnownToChildrensSocialCare is the box "known to children's social
	// care".
	KnownToChildrensSocialCare bool
	// DASHScore is -1 when no score was given, as the programme's rules
	// tell "not scored" from a score of 0.
	DASHScore          int
	Victims            int
	IdentificationRank int
	LastMARAC          drive.Date

	known bool // a person_id was posted, even one that names nobody
	errs  Errors
}

// NewReferral reads the referral form. The person's fields are read only
// when no known person was chosen.
func NewReferral(v url.Values) *Referral {
	f := &Referral{SiteID: id(v, "site"), Programme: v.Get("programme"), NotDuplicate: v.Get("not_duplicate") == "yes",
		Source: casework.Source(v.Get("source")), Summary: v.Get("summary"),
		Judgement: strings.TrimSpace(v.Get("judgement")), KnownToChildrensSocialCare: v.Get("csc") == "yes",
		DASHScore: -1, errs: Errors{}}
	if v.Get("person_id") != "" {
		f.known, f.PersonID = true, id(v, "person_id")
	} else {
		f.GivenName, f.FamilyName, f.Gender, f.Ethnicity = v.Get("given_name"), v.Get("family_name"), v.Get("gender"), v.Get("ethnicity")
		f.PoliceRef, f.Aliases = v.Get("police_ref"), lines(v.Get("aliases"))
		f.DateOfBirth = date(v, "date_of_birth", "Enter a real date of birth, for example 11 2 1984", f.errs)
	}
	f.ReferredAt = date(v, "referred_at", "Enter a real date, for example 2 11 2026", f.errs)
	f.DASHScore = wholeNumber(v, "dash_score", f.DASHScore, f.errs)
	f.Victims = wholeNumber(v, "victims", 0, f.errs)
	f.IdentificationRank = wholeNumber(v, "identification_rank", 0, f.errs)
	f.LastMARAC = date(v, "last_marac", "Enter a real date, for example 14 9 2026", f.errs)
	return f
}

// wholeNumber reads an optional whole number; blank is blank.
func wholeNumber(v url.Values, name string, blank int, errs Errors) int {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return blank
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		errs[name] = "Enter a whole number"
	}
	return n
}

// Validate reports dates and numbers that cannot be read. The service
// checks the rest (a site, a name, a source) once these are right.
func (f *Referral) Validate() error { return f.errs.Err("Check the referral") }

// Person is the new person the form describes, or nil when it names
// someone already known.
func (f *Referral) Person() *people.Person {
	if f.known {
		return nil
	}
	return &people.Person{GivenName: f.GivenName, FamilyName: f.FamilyName, Gender: f.Gender, Ethnicity: f.Ethnicity,
		PoliceRef: f.PoliceRef, Aliases: f.Aliases, DateOfBirth: f.DateOfBirth}
}

// Case is the case the referral opens.
func (f *Referral) Case() casework.Case {
	return casework.Case{Source: f.Source, Summary: f.Summary, ReferredAt: f.ReferredAt,
		Evidence: programme.Evidence{DASHScore: f.DASHScore, ProfessionalJudgement: f.Judgement,
			KnownToChildrensSocialCare: f.KnownToChildrensSocialCare, Victims: f.Victims,
			IdentificationRank: f.IdentificationRank, LastMARAC: f.LastMARAC}}
}
