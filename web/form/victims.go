package form

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/victim"
)

// Victim is the form that opens a victim-survivor's case, linked to a
// perpetrator case when one is named.
type Victim struct {
	SiteID, IDVAID        int64
	GivenName, FamilyName string
	Gender, Ethnicity     string
	DateOfBirth           drive.Date
	// PerpetratorCase is 0 when none was named; Relationship and
	// LivingTogether are read only when one is.
	PerpetratorCase int64
	Relationship    victim.Relationship
	LivingTogether  bool
	errs            Errors
}

// NewVictim reads the new victim-survivor form. The perpetrator's case
// may be typed as it is shown, with its "#".
func NewVictim(v url.Values) *Victim {
	f := &Victim{SiteID: id(v, "site"), IDVAID: id(v, "idva"), GivenName: v.Get("given_name"), FamilyName: v.Get("family_name"),
		Gender: v.Get("gender"), Ethnicity: v.Get("ethnicity"), errs: Errors{}}
	f.DateOfBirth = date(v, "date_of_birth", "Enter a real date of birth, for example 1 5 1990", f.errs)
	if s := strings.TrimSpace(v.Get("perpetrator_case")); s != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
		if err != nil {
			f.errs["perpetrator_case"] = "Enter the perpetrator's case number, for example 1042"
		}
		f.PerpetratorCase = n
		f.Relationship, f.LivingTogether = victim.Relationship(v.Get("relationship")), v.Get("living_together") == "yes"
	}
	return f
}

// Validate reports a date of birth or a case number that cannot be read.
func (f *Victim) Validate() error { return f.errs.Err("Check the victim-survivor's details") }

// Case is her new case.
func (f *Victim) Case() victim.Case {
	return victim.Case{SiteID: f.SiteID, IDVAID: f.IDVAID, GivenName: f.GivenName, FamilyName: f.FamilyName,
		Gender: f.Gender, Ethnicity: f.Ethnicity, DateOfBirth: f.DateOfBirth}
}

// Link is her link to the perpetrator's case, the zero Link when none was
// named.
func (f *Victim) Link() victim.Link {
	return victim.Link{PerpetratorCase: f.PerpetratorCase, Relationship: f.Relationship, LivingTogether: f.LivingTogether}
}

// Compartment is the protected details form: where she is and how to
// reach her. It replaces what was held before, so a field left blank is
// cleared.
type Compartment struct {
	Line1, Line2, Town, Postcode string
	Phones, Emails, Schools      []string
	SafeContact, Refuge          string
	Workplace, GP                string
}

// NewCompartment reads the protected details form.
func NewCompartment(v url.Values) *Compartment {
	return &Compartment{Line1: v.Get("address_line1"), Line2: v.Get("address_line2"), Town: v.Get("address_town"), Postcode: v.Get("address_postcode"),
		Phones: lines(v.Get("phones")), Emails: lines(v.Get("emails")), Schools: lines(v.Get("schools")),
		SafeContact: v.Get("safe_contact"), Refuge: v.Get("refuge"), Workplace: v.Get("workplace"), GP: v.Get("gp")}
}

// Compartment is the protected details to hold. The address is her
// current one; with no first line, town or postcode there is none (a
// second line alone is not an address).
func (f *Compartment) Compartment() victim.Compartment {
	c := victim.Compartment{Phones: f.Phones, Emails: f.Emails, SafeContact: f.SafeContact, Refuge: f.Refuge,
		Workplace: f.Workplace, GP: f.GP, Schools: f.Schools}
	if f.Line1 != "" || f.Postcode != "" || f.Town != "" {
		c.Addresses = []victim.Address{{Line1: f.Line1, Line2: f.Line2, Town: f.Town, Postcode: f.Postcode, Current: true}}
	}
	return c
}

// SafetyPlan is the safety plan form.
type SafetyPlan struct {
	Plan string
}

// NewSafetyPlan reads the safety plan form.
func NewSafetyPlan(v url.Values) *SafetyPlan {
	return &SafetyPlan{Plan: strings.TrimSpace(v.Get("safety_plan"))}
}

// Entry is a note or a record of contact on a victim-survivor's case. Its
// words are sealed, so the service takes the text apart from the entry.
type Entry struct {
	// Form is "note" or "contact": the kind of entry as the service
	// names it, and the prefix of the text field (note_text,
	// contact_text).
	Form string
	// Kind is "note" for a note, and the kind of contact (call, visit,
	// ...) for a contact.
	Kind   string
	On     drive.Date
	Amends int64 // the note a note corrects; 0 for a new one
	Text   string
	errs   Errors
}

// NewVictimNote reads the note form. A note is dated today by the
// service, which owns the clock.
func NewVictimNote(v url.Values) *Entry {
	return &Entry{Form: "note", Kind: "note", Amends: id(v, "amends"), Text: strings.TrimSpace(v.Get("note_text")), errs: Errors{}}
}

// NewVictimContact reads the contact form, dated as the user says.
func NewVictimContact(v url.Values) *Entry {
	f := &Entry{Form: "contact", Kind: v.Get("contact_kind"), Text: strings.TrimSpace(v.Get("contact_text")), errs: Errors{}}
	f.On = requiredDate(v, "contact_on", f.errs)
	return f
}

// Validate reports a contact date that is missing or not a date.
func (f *Entry) Validate() error { return f.errs.Err(checkDate) }

// Child is the form that adds a child to her case.
type Child struct {
	GivenName       string
	Relationship    string
	SocialCare      string
	PerpetratorCase int64
	// DateOfBirth is zero when blank and also when it cannot be read:
	// the form has no message for it.
	DateOfBirth drive.Date
}

// NewChild reads the child form.
func NewChild(v url.Values) *Child {
	f := &Child{GivenName: v.Get("child_name"), Relationship: v.Get("child_relationship"), SocialCare: v.Get("child_social_care"),
		PerpetratorCase: id(v, "child_case")}
	if s := strings.TrimSpace(v.Get("child_dob")); s != "" {
		f.DateOfBirth, _ = drive.ParseDate(s)
	}
	return f
}

// Child is the child to add.
func (f *Child) Child() *victim.Child {
	return &victim.Child{GivenName: f.GivenName, Relationship: f.Relationship, SocialCare: f.SocialCare,
		PerpetratorCase: f.PerpetratorCase, DateOfBirth: f.DateOfBirth}
}

// Behaviour is the form that records the perpetrator's behaviour towards
// her as she reports it at a time point of his case.
type Behaviour struct {
	CaseID                                  int64
	TimePoint                               string
	Physical, Sexual, Stalking, Controlling risk.Tri
	RiskChange                              string
	AssessedOn                              drive.Date
	errs                                    Errors
}

// NewBehaviour reads the behaviour form.
func NewBehaviour(v url.Values) *Behaviour {
	f := &Behaviour{CaseID: id(v, "behaviour_case"), TimePoint: v.Get("time_point"),
		Physical: risk.Tri(v.Get("physical")), Sexual: risk.Tri(v.Get("sexual")), Stalking: risk.Tri(v.Get("stalking")),
		Controlling: risk.Tri(v.Get("controlling")), RiskChange: v.Get("risk_change"), errs: Errors{}}
	f.AssessedOn = requiredDate(v, "assessed_on", f.errs)
	return f
}

// Validate reports an assessment date that is missing or not a date.
func (f *Behaviour) Validate() error { return f.errs.Err(checkDate) }

// Assessment is the behaviour assessment to record.
func (f *Behaviour) Assessment() *risk.BehaviourAssessment {
	return &risk.BehaviourAssessment{CaseID: f.CaseID, TimePoint: f.TimePoint, Physical: f.Physical, Sexual: f.Sexual,
		Stalking: f.Stalking, Controlling: f.Controlling, RiskChange: f.RiskChange, AssessedOn: f.AssessedOn}
}

// DASH is the risk questionnaire's form: an answer and an optional
// comment for each question, and the practitioner's judgement.
type DASH struct {
	q                     *risk.Questionnaire
	Answers               map[string]risk.Answer // by question ID; unanswered ones absent
	Comments              map[string]string      // by question ID; blank ones absent
	ProfessionalJudgement string
	JudgementReason       string
	AssessedOn            drive.Date
	errs                  Errors
}

// NewDASH reads the form of questionnaire q: question ID's fields are
// answer_ID and comment_ID.
func NewDASH(v url.Values, q *risk.Questionnaire) *DASH {
	f := &DASH{q: q, Answers: map[string]risk.Answer{}, Comments: map[string]string{},
		ProfessionalJudgement: v.Get("professional_judgement"), JudgementReason: v.Get("judgement_reason"), errs: Errors{}}
	for _, qu := range q.Questions {
		if a := v.Get("answer_" + qu.ID); a != "" {
			f.Answers[qu.ID] = risk.Answer(a)
		}
		if c := strings.TrimSpace(v.Get("comment_" + qu.ID)); c != "" {
			f.Comments[qu.ID] = c
		}
	}
	f.AssessedOn = requiredDate(v, "assessed_on", f.errs)
	return f
}

// Validate reports an assessment date that is missing or not a date;
// the answers are checked against the questionnaire by the service.
func (f *DASH) Validate() error { return f.errs.Err(checkDate) }

// Assessment is the assessment to record.
func (f *DASH) Assessment() *risk.Assessment {
	return &risk.Assessment{Answers: f.Answers, Comments: f.Comments, ProfessionalJudgement: f.ProfessionalJudgement,
		JudgementReason: f.JudgementReason, AssessedOn: f.AssessedOn}
}

// Field is a field's message, in a list that keeps the form's order.
type Field struct {
	Name, Message string
}

// FieldErrors lays the messages of an assessment's validation out on the
// form: the domain keys an answer "answers.<ID>" and a comment
// "comments.<ID>", the form's fields are answer_<ID> and comment_<ID>.
// They come in the questionnaire's order, then the date and the
// judgement; keys the form has no field for are left out.
func (f *DASH) FieldErrors(fields map[string]string) []Field {
	var out []Field
	for _, qu := range f.q.Questions {
		if m, ok := fields["answers."+qu.ID]; ok {
			out = append(out, Field{"answer_" + qu.ID, m})
		}
		if m, ok := fields["comments."+qu.ID]; ok {
			out = append(out, Field{"comment_" + qu.ID, m})
		}
	}
	for _, k := range []string{"assessed_on", "professional_judgement", "judgement_reason"} {
		if m, ok := fields[k]; ok {
			out = append(out, Field{k, m})
		}
	}
	return out
}

// Allocation is the form that allocates her IDVA and opens or closes her
// case.
type Allocation struct {
	IDVAID int64
	// Open is false only when the form says "no": a form without the
	// field leaves the case open.
	Open bool
}

// NewAllocation reads the allocation form.
func NewAllocation(v url.Values) *Allocation {
	return &Allocation{IDVAID: id(v, "idva"), Open: v.Get("open") != "no"}
}

// HeldDecision is the IDVA's decision on a text held back from a
// perpetrator-facing page.
type HeldDecision struct {
	HeldID   int64
	Decision victim.HeldStatus
}

// NewHeldDecision reads the held text form.
func NewHeldDecision(v url.Values) *HeldDecision {
	return &HeldDecision{HeldID: id(v, "held"), Decision: victim.HeldStatus(v.Get("decision"))}
}

// MARAC is the form that records a hearing of her case at MARAC, under
// one of the perpetrator cases she is linked to.
type MARAC struct {
	CaseID int64
	Heard  drive.Date
	errs   Errors
}

// NewMARAC reads the MARAC form.
func NewMARAC(v url.Values) *MARAC {
	f := &MARAC{CaseID: id(v, "marac_case"), errs: Errors{}}
	f.Heard = requiredDate(v, "marac_on", f.errs)
	return f
}

// Validate reports a hearing date that is missing or not a date.
func (f *MARAC) Validate() error { return f.errs.Err(checkDate) }

// DASHSection is one page of the DASH form. The checklist is asked a few
// related questions at a time, each page short enough to read at a
// glance, and checked as a whole before it is recorded.
type DASHSection struct {
	// Number is the section's place, from 1.
	Number int
	Title  string
	// Questions are the section's scored questions, in the
	// questionnaire's order; their numbers stay those of the checklist.
	Questions []risk.Question
	// Date is set on the section that asks the date of the assessment;
	// Judgement on the one that asks for professional judgement.
	Date, Judgement bool
}

// dashSectionStarts names the first question of each section of the
// 2009 checklist, with the section's title: the questions stay in the
// checklist's order, as practitioners trained on it ask them.
var dashSectionStarts = []struct{ first, title string }{
	{"q1", "Injuries, fear and isolation"},
	{"q6", "Separation, children, stalking and escalation"},
	{"q12", "The abuser's behaviour"},
	{"q19", "The abuser's history and circumstances"},
}

// DASHSections lays questionnaire q out in sections: the date with the
// first questions, the questions in groups of related topics, and
// professional judgement last. A questionnaire other than the 2009
// checklist is split into groups of six in its own order.
func DASHSections(q *risk.Questionnaire) []DASHSection {
	starts := map[string]string{}
	if q.Code == risk.DASHCode && q.Version == risk.DASHVersion {
		for _, s := range dashSectionStarts {
			starts[s.first] = s.title
		}
	}
	var out []DASHSection
	for i, x := range q.Questions {
		title, ok := starts[x.ID]
		if len(starts) == 0 && i%6 == 0 {
			title, ok = fmt.Sprintf("Questions %d to %d", i+1, min(i+6, len(q.Questions))), true
		}
		if ok || len(out) == 0 {
			out = append(out, DASHSection{Number: len(out) + 1, Title: title})
		}
		out[len(out)-1].Questions = append(out[len(out)-1].Questions, x)
	}
	if len(out) == 0 {
		out = append(out, DASHSection{Number: 1, Title: "The assessment"})
	}
	out[0].Date = true
	out = append(out, DASHSection{Number: len(out) + 1, Title: "Professional judgement", Judgement: true})
	return out
}

// Fields names the form fields the section holds, in its order.
func (s DASHSection) Fields() []string {
	var out []string
	if s.Date {
		out = append(out, "assessed_on")
	}
	for _, x := range s.Questions {
		out = append(out, "answer_"+x.ID, "comment_"+x.ID)
	}
	if s.Judgement {
		out = append(out, "professional_judgement", "judgement_reason")
	}
	return out
}

// DASHFields names every field of questionnaire q's form: those a page
// carries forward, unseen, from the other sections. Nothing else posted
// is carried.
func DASHFields(q *risk.Questionnaire) []string {
	var out []string
	for _, s := range DASHSections(q) {
		out = append(out, s.Fields()...)
	}
	return out
}
