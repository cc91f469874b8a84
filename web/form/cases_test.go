package form

import (
	"maps"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
)

func TestMove(t *testing.T) {
	for _, c := range []struct {
		name string
		in   url.Values
		want casework.Change
	}{
		{"allocate", url.Values{"event": {"allocate"}, "case_manager": {"12"}},
			casework.Change{Event: "allocate", CaseManagerID: 12}},
		{"close", url.Values{"event": {"close"}, "closure_reason": {"moved_away"}, "reasons": {"Left the area"}},
			casework.Change{Event: "close", ClosureReason: "moved_away", Reasons: "Left the area"}},
		{"transfer", url.Values{"event": {"transfer"}, "transfer_site": {"3"}},
			casework.Change{Event: "transfer", SiteID: 3}},
		{"unreadable numbers name nobody", url.Values{"event": {"allocate"}, "case_manager": {"Sam"}, "transfer_site": {"three"}},
			casework.Change{Event: "allocate"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := NewMove(c.in).Change(); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestEngagement(t *testing.T) {
	if got := NewEngagement(url.Values{"engagement": {"good"}}).Engagement; got != "good" {
		t.Errorf("engagement %q", got)
	}
}

func TestAction(t *testing.T) {
	f := NewAction(url.Values{"type": {"housing_referral"}, "agency": {"Council"}, "owner": {"Sam"}, "due_on": {"2026-12-01"}})
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	want := casework.Action{Type: "housing_referral", Agency: "Council", Owner: "Sam", DueOn: drive.MustDate("2026-12-01")}
	if got := f.Action(); *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}
}

func TestActionStatus(t *testing.T) {
	for _, c := range []struct {
		name        string
		in          url.Values
		wantID      int64
		wantStatus  casework.ActionStatus
		wantOutcome string
	}{
		{"done with outcome", url.Values{"action": {"4"}, "status": {"done"}, "outcome": {"  Housed  "}}, 4, "done", "Housed"},
		{"status alone keeps the outcome", url.Values{"action": {"4"}, "status": {"in_progress"}}, 4, "in_progress", "earlier"},
		{"blank outcome keeps the outcome", url.Values{"action": {"4"}, "status": {"done"}, "outcome": {" \n "}}, 4, "done", "earlier"},
		{"unreadable action", url.Values{"action": {"four"}, "status": {"done"}}, 0, "done", "earlier"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := NewActionStatus(c.in)
			act := &casework.Action{Status: "open", Outcome: "earlier", Type: "t"}
			f.Apply(act)
			if f.ActionID != c.wantID || act.Status != c.wantStatus || act.Outcome != c.wantOutcome || act.Type != "t" {
				t.Errorf("id %d, action %+v", f.ActionID, act)
			}
		})
	}
}

func TestContact(t *testing.T) {
	f := NewContact(url.Values{"kind": {"session"}, "method": {"in person"}, "contact_summary": {"Attended"}, "contact_on": {"2026-11-30"}})
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	want := casework.Contact{Kind: "session", Method: "in person", Summary: "Attended", On: drive.MustDate("2026-11-30")}
	if got := f.Contact(); *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}
}

func TestReview(t *testing.T) {
	f := NewReview(url.Values{"risk_level": {"high"}, "risk_change": {"reduced"}, "review_summary": {"Better"},
		"review_on": {"2026-11-30"}, "need_housing": {"high"}, "need_finance_employment": {""}, "need_pets": {"low"}})
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	got := f.Review()
	// Only the need areas the programme knows are read, and an unchosen
	// level is absent rather than blank.
	if !maps.Equal(got.Needs, map[string]string{"housing": "high"}) {
		t.Errorf("needs %v", got.Needs)
	}
	if got.RiskLevel != "high" || got.RiskChange != "reduced" || got.Summary != "Better" || got.On != drive.MustDate("2026-11-30") {
		t.Errorf("review %+v", got)
	}
	if n := NewReview(url.Values{"review_on": {"2026-11-30"}}).Review().Needs; n == nil || len(n) != 0 {
		t.Errorf("no needs: %v", n)
	}
}

func TestNote(t *testing.T) {
	for _, c := range []struct {
		in   url.Values
		want casework.Note
	}{
		{url.Values{"text": {"  Met him  "}}, casework.Note{Text: "  Met him  "}},
		{url.Values{"text": {"Correction"}, "amends": {"9"}}, casework.Note{Text: "Correction", Amends: 9}},
		{url.Values{"text": {"x"}, "amends": {"nine"}}, casework.Note{Text: "x"}},
	} {
		if got := NewNote(c.in).Note(); *got != c.want {
			t.Errorf("got %+v, want %+v", *got, c.want)
		}
	}
}

func referral(changes url.Values) url.Values {
	v := url.Values{"site": {"2"}, "programme": {"drive"}, "given_name": {"Darren"}, "family_name": {"Hollis"},
		"gender": {"male"}, "ethnicity": {"white_british"}, "police_ref": {"P123"}, "aliases": {"Daz\nD Hollis\n"},
		"date_of_birth": {"1984-02-11"}, "source": {"police"}, "summary": {"High risk"}, "referred_at": {"2026-11-02"},
		"judgement": {"  Escalating  "}, "csc": {"yes"}, "dash_score": {"17"}, "victims": {"2"},
		"identification_rank": {"3"}, "last_marac": {"2026-09-14"}}
	for k, vs := range changes {
		v[k] = vs
	}
	return v
}

func TestReferral(t *testing.T) {
	f := NewReferral(referral(nil))
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if f.SiteID != 2 || f.Programme != "drive" || f.PersonID != 0 || f.NotDuplicate {
		t.Errorf("referral %+v", f)
	}
	wantPerson := &people.Person{GivenName: "Darren", FamilyName: "Hollis", Gender: "male", Ethnicity: "white_british",
		PoliceRef: "P123", Aliases: []string{"Daz", "D Hollis"}, DateOfBirth: drive.MustDate("1984-02-11")}
	if got := f.Person(); !reflect.DeepEqual(got, wantPerson) {
		t.Errorf("person %+v, want %+v", got, wantPerson)
	}
	wantCase := casework.Case{Source: "police", Summary: "High risk", ReferredAt: drive.MustDate("2026-11-02"),
		Evidence: programme.Evidence{DASHScore: 17, ProfessionalJudgement: "Escalating", KnownToChildrensSocialCare: true,
			Victims: 2, IdentificationRank: 3, LastMARAC: drive.MustDate("2026-09-14")}}
	if got := f.Case(); !reflect.DeepEqual(got, wantCase) {
		t.Errorf("case %+v, want %+v", got, wantCase)
	}
}

func TestReferralPersonKnown(t *testing.T) {
	for _, c := range []struct {
		personID string
		want     int64
	}{{"41", 41}, {"not a number", 0}} {
		// The person's own fields are not read once a person was chosen,
		// so an unreadable date of birth there is no error.
		f := NewReferral(referral(url.Values{"person_id": {c.personID}, "date_of_birth": {"soon"}}))
		if err := f.Validate(); err != nil {
			t.Errorf("%q: %v", c.personID, err)
		}
		if f.PersonID != c.want || f.Person() != nil {
			t.Errorf("%q: person %d %+v", c.personID, f.PersonID, f.Person())
		}
	}
	f := NewReferral(referral(url.Values{"not_duplicate": {"yes"}}))
	if !f.NotDuplicate || f.Person() == nil {
		t.Errorf("not a duplicate: %+v", f)
	}
}

func TestReferralBlanks(t *testing.T) {
	blank := url.Values{}
	for _, k := range []string{"date_of_birth", "referred_at", "dash_score", "victims", "identification_rank", "last_marac", "csc", "judgement"} {
		blank[k] = []string{" "}
	}
	f := NewReferral(referral(blank))
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	c := f.Case()
	// No DASH score is -1, not 0: a score of 0 is a score.
	want := programme.Evidence{DASHScore: -1}
	if c.Evidence != want || !c.ReferredAt.IsZero() || !f.Person().DateOfBirth.IsZero() {
		t.Errorf("case %+v", c)
	}
}

func TestReferralErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		in   url.Values
		want map[string]string
	}{
		{"date of birth", url.Values{"date_of_birth": {"11th Feb"}}, map[string]string{"date_of_birth": "Enter a real date of birth, for example 11 2 1984"}},
		{"referred", url.Values{"referred_at": {"yesterday"}}, map[string]string{"referred_at": "Enter a real date, for example 2 11 2026"}},
		{"last MARAC", url.Values{"last_marac": {"2026-09-31"}}, map[string]string{"last_marac": "Enter a real date, for example 14 9 2026"}},
		{"DASH score", url.Values{"dash_score": {"high"}}, map[string]string{"dash_score": "Enter a whole number"}},
		{"victims", url.Values{"victims": {"2.5"}}, map[string]string{"victims": "Enter a whole number"}},
		{"rank", url.Values{"identification_rank": {"first"}}, map[string]string{"identification_rank": "Enter a whole number"}},
		{"too large a number", url.Values{"victims": {strings.Repeat("9", 30)}}, map[string]string{"victims": "Enter a whole number"}},
		{"all at once", url.Values{"date_of_birth": {"x"}, "referred_at": {"x"}, "last_marac": {"x"}, "dash_score": {"x"}, "victims": {"x"}, "identification_rank": {"x"}},
			map[string]string{"date_of_birth": "Enter a real date of birth, for example 11 2 1984", "referred_at": "Enter a real date, for example 2 11 2026",
				"last_marac": "Enter a real date, for example 14 9 2026", "dash_score": "Enter a whole number", "victims": "Enter a whole number",
				"identification_rank": "Enter a whole number"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantFields(t, NewReferral(referral(c.in)).Validate(), c.want)
		})
	}
	// Negative numbers are numbers; the programme's rules judge them.
	if err := NewReferral(referral(url.Values{"dash_score": {"-4"}})).Validate(); err != nil {
		t.Errorf("negative score: %v", err)
	}
}
