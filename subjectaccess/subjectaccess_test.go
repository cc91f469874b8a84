package subjectaccess

import (
	"testing"

	"github.com/drive-platform/drive"
)

func TestRequestDeadlines(t *testing.T) {
	today := drive.MustDate("2026-12-06")
	r := Request{Kind: Person, SubjectID: 1, Requester: "The person", IdentityCheck: "Passport", ReceivedOn: drive.MustDate("2026-11-30")}
	if err := r.Validate(today); err != nil {
		t.Fatal(err)
	}
	if r.DueOn.String() != "2026-12-30" || r.State != Open {
		t.Errorf("due %s, state %s", r.DueOn, r.State)
	}
	if r.Overdue(drive.MustDate("2026-12-30")) || !r.Overdue(drive.MustDate("2026-12-31")) {
		t.Error("overdue on the wrong day")
	}
	if err := r.Extend(3, "Complex: records at two sites"); err != nil {
		t.Fatal(err)
	}
	if r.DueOn.String() != "2027-02-28" { // 30 November and three months: the last day of February
		t.Errorf("extended to %s, want three months after receipt", r.DueOn)
	}
	if err := r.Extend(2, "Shorter"); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("extending to an earlier deadline: %v", err)
	}
	future := Request{Kind: Person, SubjectID: 1, Requester: "x", IdentityCheck: "y", ReceivedOn: drive.MustDate("2026-12-07")}
	if err := future.Validate(today); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("received tomorrow: %v", err)
	}
	if err := (&Request{}).Validate(today); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("empty request: %v", err)
	}
}

func TestCanApprove(t *testing.T) {
	r := Request{State: Open, RecordedBy: 1}
	xs := []Redaction{{RedactedBy: 2}}
	for user, want := range map[int64]bool{0: false, 1: false, 2: false, 3: true} {
		if got := r.CanApprove(user, xs); got != want {
			t.Errorf("user %d may approve: %v, want %v", user, got, want)
		}
	}
	r.State = Approved
	if r.CanApprove(3, nil) {
		t.Error("an approved pack approved again")
	}
}

func TestMentionsAny(t *testing.T) {
	names := []string{"Sam", "O'Neill-Price", "A"}
	for text, want := range map[string]bool{
		"Asked about Sam again":       true,
		"asked about SAM.":            true,
		"Samuel came to the session":  false,
		"Spoke to the Price family":   true,
		"a session at A and E":        false, // one-letter names are ignored
		"Discussed the week":          false,
		"Went to see o'neill-price's": true,
	} {
		if got := MentionsAny(text, names); got != want {
			t.Errorf("MentionsAny(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestWithhold(t *testing.T) {
	p := Pack{Sections: []Section{{Items: []Item{{Key: "note:1", Text: "a"}, {Key: "note:2", Text: "b"}, {Key: "note:3", Withheld: WithheldThirdParty}}}}}
	p.Withhold([]Redaction{{Item: "note:2", Reason: "Crime prevention"}, {Item: "note:3", Reason: "Also"}})
	items := p.Sections[0].Items
	if items[0].Text != "a" || items[1].Text != "" || items[1].Withheld != "Withheld on review: Crime prevention" || items[2].Withheld != WithheldThirdParty {
		t.Errorf("after withholding: %+v", items)
	}
	if p.Withheld != 2 {
		t.Errorf("withheld count %d, want 2", p.Withheld)
	}
}

func TestAddMonths(t *testing.T) {
	for from, want := range map[string]string{"2027-01-31": "2027-02-28", "2028-01-31": "2028-02-29", "2026-12-15": "2027-01-15", "2026-03-31": "2026-04-30"} {
		if got := addMonths(drive.MustDate(from), 1); got.String() != want {
			t.Errorf("a month after %s: %s, want %s", from, got, want)
		}
	}
}
