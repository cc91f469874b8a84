package audit

import "testing"

func TestSentence(t *testing.T) {
	for _, tc := range []struct {
		e    Event
		who  string
		want string
	}{
		{Event{Action: "compartment.read", RecordType: "victim", RecordID: "17", Outcome: OutcomeAllowed}, "Laura Bennett",
			"Laura Bennett read the victim compartment of IDVA case 17"},
		{Event{Action: ActionRecordWrite, RecordType: "case", RecordID: "4", Outcome: OutcomeAllowed}, "Sam Okafor",
			"Sam Okafor changed perpetrator case 4"},
		{Event{Action: ActionRecordWrite, RecordType: "victim", RecordID: "17", Reason: Part("the safety plan"), Outcome: OutcomeAllowed}, "Ida Jones",
			"Ida Jones changed IDVA case 17 (the safety plan)"},
		{Event{Action: ActionRecordWrite, RecordType: "victim", RecordID: "17", Reason: "break-glass; " + Part("a note"), Outcome: OutcomeAllowed}, "Ida Jones",
			"Ida Jones changed IDVA case 17 (a note)"},
		{Event{Action: ActionAccessDenied, RecordType: "case", RecordID: "9", Outcome: OutcomeDenied}, "Sam Okafor",
			"Sam Okafor was refused access to perpetrator case 9"},
		{Event{Action: ActionRecordExport, RecordType: "case", RecordID: "9", Outcome: OutcomeFailed}, "Sam Okafor",
			"Sam Okafor exported perpetrator case 9, which failed"},
		{Event{Action: ActionSigninSuccess, RecordType: "user", RecordID: "3", Outcome: OutcomeOK}, "Laura Bennett",
			"Laura Bennett signed in"},
		{Event{Action: "session.end", RecordType: "user", RecordID: "3", Outcome: OutcomeOK}, "Laura Bennett",
			"Laura Bennett signed out"},
		{Event{Action: "session.end", RecordType: "user", RecordID: "3", Reason: "idle timeout", Outcome: OutcomeOK}, "Laura Bennett",
			"Laura Bennett was signed out (idle timeout)"},
		{Event{Action: ActionSigninFailure, Outcome: OutcomeFailed}, "",
			"Someone not signed in failed to sign in"},
		{Event{Action: "demo.seed", ActorRole: "system", RecordType: "site", RecordID: "1", Outcome: OutcomeOK}, "",
			"The system made demonstration data at site 1"},
		{Event{Action: "future.thing", RecordType: "new_kind", RecordID: "2", Outcome: OutcomeOK}, "Ann",
			"Ann did future.thing to new kind 2"},
	} {
		if got := Sentence(tc.e, tc.who); got != tc.want {
			t.Errorf("Sentence(%s) = %q; want %q", tc.e.Action, got, tc.want)
		}
	}
}

// TestParts: a reason's parts are found wherever they stand, said in the
// sentence in order, and left out of its detail; every part is on the
// list a search chooses from, once.
func TestParts(t *testing.T) {
	r := Reason("break-glass", "", "appointment 8 planned", Part(PartAppointment, "", PartNote))
	if r != "break-glass; appointment 8 planned; part: an appointment; part: a note" {
		t.Fatalf("Reason = %q", r)
	}
	if got := PartsOf(r); len(got) != 2 || got[0] != PartAppointment || got[1] != PartNote {
		t.Errorf("PartsOf = %q", got)
	}
	if got := Detail(r); got != "break-glass; appointment 8 planned" {
		t.Errorf("Detail = %q", got)
	}
	e := Event{Action: ActionRecordWrite, RecordType: "person", RecordID: "5", Reason: Part(PartName, PartAddresses), Outcome: OutcomeAllowed}
	if got := Sentence(e, "Sam Okafor"); got != "Sam Okafor changed person record 5 (the name, the addresses)" {
		t.Errorf("Sentence = %q", got)
	}
	seen := map[string]bool{}
	for _, p := range Parts() {
		if seen[p] || !IsPart(p) {
			t.Errorf("part %q listed twice or not known", p)
		}
		seen[p] = true
	}
	if IsPart("her address") || Part() != "" {
		t.Error("a part not on the list is known, or no part gives a reason")
	}
}

func TestSignInActions(t *testing.T) {
	for a, want := range map[string]bool{ActionSigninSuccess: true, ActionSigninFailure: true, "reauth.failure": true,
		"session.end": true, ActionRecordRead: false, "signing.x": false} {
		if IsSignIn(a) != want {
			t.Errorf("IsSignIn(%q) = %v", a, !want)
		}
	}
}
