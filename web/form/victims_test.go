package form

import (
	"maps"
	"net/url"
	"reflect"
	"slices"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/victim"
)

func TestVictim(t *testing.T) {
	base := url.Values{"site": {"2"}, "idva": {"8"}, "given_name": {"Kerry"}, "family_name": {"Hollis"},
		"gender": {"female"}, "ethnicity": {"white_british"}, "date_of_birth": {"1990-05-01"}}
	with := func(changes url.Values) url.Values {
		v := maps.Clone(base)
		maps.Copy(v, changes)
		return v
	}
	wantCase := victim.Case{SiteID: 2, IDVAID: 8, GivenName: "Kerry", FamilyName: "Hollis", Gender: "female",
		Ethnicity: "white_british", DateOfBirth: drive.MustDate("1990-05-01")}
	for _, c := range []struct {
		name string
		in   url.Values
		want victim.Link
	}{
		{"no perpetrator case", base, victim.Link{}},
		// What she is to him means nothing without his case.
		{"relationship without a case", with(url.Values{"relationship": {"partner"}, "living_together": {"yes"}}), victim.Link{}},
		{"linked", with(url.Values{"perpetrator_case": {"1042"}, "relationship": {"partner"}, "living_together": {"yes"}}),
			victim.Link{PerpetratorCase: 1042, Relationship: "partner", LivingTogether: true}},
		{"typed as shown", with(url.Values{"perpetrator_case": {" #1042 "}, "relationship": {"ex_partner"}, "living_together": {"no"}}),
			victim.Link{PerpetratorCase: 1042, Relationship: "ex_partner"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := NewVictim(c.in)
			if err := f.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := f.Case(); got != wantCase {
				t.Errorf("case %+v", got)
			}
			if got := f.Link(); !reflect.DeepEqual(got, c.want) {
				t.Errorf("link %+v, want %+v", got, c.want)
			}
		})
	}
	for _, c := range []struct {
		name string
		in   url.Values
		want map[string]string
	}{
		{"date of birth", with(url.Values{"date_of_birth": {"May 1990"}}), map[string]string{"date_of_birth": "Enter a real date of birth, for example 1 5 1990"}},
		{"case number", with(url.Values{"perpetrator_case": {"Hollis"}}), map[string]string{"perpetrator_case": "Enter the perpetrator's case number, for example 1042"}},
		{"two hashes", with(url.Values{"perpetrator_case": {"##1042"}}), map[string]string{"perpetrator_case": "Enter the perpetrator's case number, for example 1042"}},
		{"case number too large", with(url.Values{"perpetrator_case": {"99999999999999999999"}}), map[string]string{"perpetrator_case": "Enter the perpetrator's case number, for example 1042"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := NewVictim(c.in).Validate()
			wantFields(t, err, c.want)
			if summary(err) != "Check the victim-survivor's details" {
				t.Errorf("summary %q", summary(err))
			}
		})
	}
}

func TestCompartment(t *testing.T) {
	for _, c := range []struct {
		name string
		in   url.Values
		want victim.Compartment
	}{
		{"everything", url.Values{"address_line1": {"Flat 2"}, "address_line2": {"3 High St"}, "address_town": {"Leeds"}, "address_postcode": {"LS1 1AA"},
			"phones": {"07700 900123\r\n\n01632 960001"}, "emails": {" k@example.org "}, "schools": {"Park Primary\nHigh School"},
			"safe_contact": {"Weekdays"}, "refuge": {"Refuge A"}, "workplace": {"Shop"}, "gp": {"Dr Lee"}},
			victim.Compartment{Addresses: []victim.Address{{Line1: "Flat 2", Line2: "3 High St", Town: "Leeds", Postcode: "LS1 1AA", Current: true}},
				Phones: []string{"07700 900123", "01632 960001"}, Emails: []string{"k@example.org"}, Schools: []string{"Park Primary", "High School"},
				SafeContact: "Weekdays", Refuge: "Refuge A", Workplace: "Shop", GP: "Dr Lee"}},
		{"nothing", url.Values{}, victim.Compartment{}},
		{"second line alone is no address", url.Values{"address_line2": {"3 High St"}}, victim.Compartment{}},
		{"town alone", url.Values{"address_town": {"Leeds"}}, victim.Compartment{Addresses: []victim.Address{{Town: "Leeds", Current: true}}}},
		{"postcode alone", url.Values{"address_postcode": {"LS1 1AA"}}, victim.Compartment{Addresses: []victim.Address{{Postcode: "LS1 1AA", Current: true}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := NewCompartment(c.in).Compartment(); !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestSafetyPlan(t *testing.T) {
	if got := NewSafetyPlan(url.Values{"safety_plan": {"\n  Bag packed.  \n"}}).Plan; got != "Bag packed." {
		t.Errorf("plan %q", got)
	}
}

func TestVictimEntries(t *testing.T) {
	n := NewVictimNote(url.Values{"note_text": {"  Called the police  "}, "amends": {"3"}, "contact_text": {"ignored"}, "contact_on": {"x"}})
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	if want := (Entry{Form: "note", Kind: "note", Amends: 3, Text: "Called the police"}); !sameEntry(*n, want) {
		t.Errorf("note %+v", n)
	}
	c := NewVictimContact(url.Values{"contact_kind": {"visit"}, "contact_on": {"2026-12-01"}, "contact_text": {" Home visit "}, "amends": {"3"}})
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	// A contact is dated as the user says and corrects nothing.
	if want := (Entry{Form: "contact", Kind: "visit", On: drive.MustDate("2026-12-01"), Text: "Home visit"}); !sameEntry(*c, want) {
		t.Errorf("contact %+v", c)
	}
}

func sameEntry(a, b Entry) bool {
	return a.Form == b.Form && a.Kind == b.Kind && a.On == b.On && a.Amends == b.Amends && a.Text == b.Text
}

func TestChild(t *testing.T) {
	for _, c := range []struct {
		name string
		in   url.Values
		want victim.Child
	}{
		{"all", url.Values{"child_name": {"Sam"}, "child_relationship": {"both"}, "child_social_care": {"cin"}, "child_case": {"1042"}, "child_dob": {" 2018-04-01 "}},
			victim.Child{GivenName: "Sam", Relationship: "both", SocialCare: "cin", PerpetratorCase: 1042, DateOfBirth: drive.MustDate("2018-04-01")}},
		{"no case, no date", url.Values{"child_name": {"Sam"}}, victim.Child{GivenName: "Sam"}},
		// An unreadable date of birth is read as none: the form has no
		// message for it.
		{"unreadable date", url.Values{"child_name": {"Sam"}, "child_dob": {"April"}, "child_case": {"#1042"}}, victim.Child{GivenName: "Sam"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := NewChild(c.in).Child(); *got != c.want {
				t.Errorf("got %+v, want %+v", *got, c.want)
			}
		})
	}
}

func TestBehaviour(t *testing.T) {
	f := NewBehaviour(url.Values{"behaviour_case": {"1042"}, "time_point": {"exit"}, "physical": {"yes"}, "sexual": {"no"},
		"stalking": {"unknown"}, "controlling": {"yes"}, "risk_change": {"reduced"}, "assessed_on": {"2026-12-01"}})
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	want := risk.BehaviourAssessment{CaseID: 1042, TimePoint: "exit", Physical: "yes", Sexual: "no", Stalking: "unknown",
		Controlling: "yes", RiskChange: "reduced", AssessedOn: drive.MustDate("2026-12-01")}
	if got := f.Assessment(); *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}
}

func TestDASH(t *testing.T) {
	q := risk.DASH2009()
	v := url.Values{"answer_q1": {"yes"}, "answer_q2": {"no"}, "answer_q3": {""}, "comment_q1": {"  Bruised arm "}, "comment_q2": {" "},
		"answer_q999": {"yes"}, "comment_q999": {"not a question"}, "professional_judgement": {"high"}, "judgement_reason": {"Escalating"},
		"assessed_on": {"2026-12-01"}}
	f := NewDASH(v, q)
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	got := f.Assessment()
	// Only the questionnaire's questions are read; unanswered questions
	// and blank comments are absent.
	if !maps.Equal(got.Answers, map[string]risk.Answer{"q1": "yes", "q2": "no"}) || !maps.Equal(got.Comments, map[string]string{"q1": "Bruised arm"}) {
		t.Errorf("answers %v, comments %v", got.Answers, got.Comments)
	}
	if got.ProfessionalJudgement != "high" || got.JudgementReason != "Escalating" || got.AssessedOn != drive.MustDate("2026-12-01") {
		t.Errorf("assessment %+v", got)
	}
}

func TestDASHFieldErrors(t *testing.T) {
	f := NewDASH(url.Values{}, risk.DASH2009())
	for _, c := range []struct {
		name string
		in   map[string]string
		want []Field
	}{
		{"none", nil, nil},
		{"in the form's order", map[string]string{"judgement_reason": "Say why", "answers.q3": "Answer q3", "assessed_on": "Enter the date", "answers.q1": "Answer q1"},
			[]Field{{"answer_q1", "Answer q1"}, {"answer_q3", "Answer q3"}, {"assessed_on", "Enter the date"}, {"judgement_reason", "Say why"}}},
		{"keys without a field are left out", map[string]string{"answers.q999": "x", "questionnaire": "y", "professional_judgement": "Choose"},
			[]Field{{"professional_judgement", "Choose"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := f.FieldErrors(c.in); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestAllocation(t *testing.T) {
	for _, c := range []struct {
		in   url.Values
		want Allocation
	}{
		{url.Values{"idva": {"8"}, "open": {"yes"}}, Allocation{IDVAID: 8, Open: true}},
		{url.Values{"idva": {"8"}}, Allocation{IDVAID: 8, Open: true}},
		{url.Values{"open": {"no"}}, Allocation{Open: false}},
		{url.Values{"idva": {"none"}, "open": {"No"}}, Allocation{Open: true}},
	} {
		if got := NewAllocation(c.in); *got != c.want {
			t.Errorf("%v: got %+v, want %+v", c.in, *got, c.want)
		}
	}
}

func TestHeldDecision(t *testing.T) {
	if got := NewHeldDecision(url.Values{"held": {"5"}, "decision": {"released"}}); *got != (HeldDecision{HeldID: 5, Decision: "released"}) {
		t.Errorf("got %+v", *got)
	}
}

func TestMARAC(t *testing.T) {
	f := NewMARAC(url.Values{"marac_case": {"1042"}, "marac_on": {"2026-11-20"}})
	if err := f.Validate(); err != nil || f.CaseID != 1042 || f.Heard != drive.MustDate("2026-11-20") {
		t.Errorf("got %+v, %v", f, err)
	}
}

func TestDASHCommentErrors(t *testing.T) {
	f := NewDASH(url.Values{}, risk.DASH2009())
	got := f.FieldErrors(map[string]string{"comments.q2": "Keep the comment to 4000 characters", "answers.q2": "Answer question 2"})
	want := []Field{{"answer_q2", "Answer question 2"}, {"comment_q2", "Keep the comment to 4000 characters"}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
