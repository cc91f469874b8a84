package retention

import (
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

func TestExpires(t *testing.T) {
	r, _ := DefaultSchedule().Rule(PerpetratorCase)
	closed := drive.MustDate("2020-03-31")
	for _, tc := range []struct {
		name  string
		child drive.Date
		want  string
	}{
		{"no children", drive.Date{}, "2026-03-31"},
		{"a child who is 25 before the six years are up", drive.MustDate("2000-01-01"), "2026-03-31"},
		{"a child who is 25 after them", drive.MustDate("2015-06-10"), "2040-06-10"},
	} {
		if got := r.Expires(closed, tc.child); got.String() != tc.want {
			t.Errorf("%s: expires %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestPlan checks that exactly the records whose period has ended are due,
// that a hold in force keeps one, and that a released hold does not.
func TestPlan(t *testing.T) {
	s := DefaultSchedule()
	today := drive.MustDate("2026-12-06")
	released := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cands := []Candidate{
		{Class: PerpetratorCase, RecordID: 1, End: drive.MustDate("2020-12-05")},                                              // expired yesterday
		{Class: PerpetratorCase, RecordID: 2, End: drive.MustDate("2020-12-06")},                                              // expires today
		{Class: PerpetratorCase, RecordID: 3, End: drive.MustDate("2020-12-07")},                                              // tomorrow
		{Class: PerpetratorCase, RecordID: 4, End: drive.MustDate("2019-01-01")},                                              // held
		{Class: PerpetratorCase, RecordID: 5, End: drive.MustDate("2019-01-01"), YoungestChild: drive.MustDate("2010-01-01")}, // child not yet 25
		{Class: PerpetratorCase, RecordID: 6, End: drive.MustDate("2019-01-01")},                                              // hold released
		{Class: Notification, RecordID: 4, End: drive.MustDate("2025-12-06")},                                                 // same id, other class: not held
		{Class: Notification, RecordID: 8, End: drive.MustDate("2025-12-07")},
	}
	holds := []Hold{
		{Class: PerpetratorCase, RecordID: 4, Reason: "litigation", Owner: "DPO"},
		{Class: PerpetratorCase, RecordID: 6, Reason: "complaint", Owner: "DPO", ReleasedAt: &released},
	}
	due, held := s.Plan(today, cands, holds)
	ids := func(cs []Candidate) string {
		var b strings.Builder
		for _, c := range cs {
			b.WriteString(string(c.Class) + ":" + c.Expires.String() + ":")
			b.WriteString(string(rune('0' + c.RecordID)))
			b.WriteString(" ")
		}
		return b.String()
	}
	wantDue := "perpetrator_case:2026-12-05:1 perpetrator_case:2026-12-06:2 perpetrator_case:2025-01-01:6 notification:2026-12-06:4 "
	if got := ids(due); got != wantDue {
		t.Errorf("due:\n got %s\nwant %s", got, wantDue)
	}
	if got := ids(held); got != "perpetrator_case:2025-01-01:4 " {
		t.Errorf("held: %s", got)
	}
}

func TestParseSchedule(t *testing.T) {
	s, err := ParseSchedule([]byte(`{"rules": [{"class": "perpetrator_case", "years": 7, "child_age": 25, "action": "anonymise"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := s.Rule(PerpetratorCase)
	if r.Years != 7 || r.From != "the case's closure" {
		t.Errorf("overridden rule = %+v", r)
	}
	if n, _ := s.Rule(Notification); n.Years != 1 {
		t.Errorf("a class not named lost its default: %+v", n)
	}
	for name, body := range map[string]string{
		"unknown class":  `{"rules": [{"class": "people", "years": 1, "action": "delete"}]}`,
		"no period":      `{"rules": [{"class": "notification", "action": "delete"}]}`,
		"cases deleted":  `{"rules": [{"class": "perpetrator_case", "years": 6, "action": "delete"}]}`,
		"twice":          `{"rules": [{"class": "notification", "years": 1, "action": "delete"}, {"class": "notification", "years": 2, "action": "delete"}]}`,
		"unknown member": `{"rules": [], "extra": 1}`,
		"trailing":       `{"rules": []} []`,
		"negative":       `{"rules": [{"class": "notification", "years": -1, "action": "delete"}]}`,
	} {
		if _, err := ParseSchedule([]byte(body)); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

func TestHoldValidate(t *testing.T) {
	h := Hold{Class: PerpetratorCase, RecordID: 3, Reason: "  civil claim  ", Owner: "Data protection officer"}
	if err := h.Validate(); err != nil || h.Reason != "civil claim" {
		t.Errorf("a good hold: %v, reason %q", err, h.Reason)
	}
	err := (&Hold{Class: "people"}).Validate()
	var de *drive.Error
	if drive.ErrorCode(err) != drive.EINVALID {
		t.Fatalf("an empty hold: %v", err)
	}
	if e, ok := err.(*drive.Error); ok {
		de = e
	}
	for _, f := range []string{"class", "record", "reason", "owner"} {
		if de == nil || de.Fields[f] == "" {
			t.Errorf("no message for %s: %v", f, err)
		}
	}
}

// TestSplit checks that records already acted on are kept by a hold on
// themselves or on their site, and by no hold released or on another
// record.
func TestSplit(t *testing.T) {
	released := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cands := []Candidate{
		{Class: PerpetratorCase, RecordID: 1, SiteID: 7},
		{Class: PerpetratorCase, RecordID: 2, SiteID: 7},
		{Class: VictimCase, RecordID: 1, SiteID: 8},
		{Class: VictimCase, RecordID: 3, SiteID: 9},
	}
	holds := []Hold{
		{Class: PerpetratorCase, RecordID: 2},
		{Class: Site, RecordID: 9},
		{Class: VictimCase, RecordID: 1, ReleasedAt: &released},
	}
	due, held := Split(cands, holds)
	var got []string
	for _, c := range due {
		got = append(got, string(c.Class)+":"+string(rune('0'+c.RecordID)))
	}
	got = append(got, "|")
	for _, c := range held {
		got = append(got, string(c.Class)+":"+string(rune('0'+c.RecordID)))
	}
	if s := strings.Join(got, " "); s != "perpetrator_case:1 victim_case:1 | perpetrator_case:2 victim_case:3" {
		t.Errorf("split: %s", s)
	}
}

// TestIncidentHold checks that a hold on one police incident keeps that
// incident only: not a MARAC hearing of the same number, not another
// incident of its site.
func TestIncidentHold(t *testing.T) {
	today := drive.MustDate("2033-01-01")
	old := drive.MustDate("2020-01-01")
	cands := []Candidate{
		{Class: PoliceExtract, Kind: KindIncident, RecordID: 5, SiteID: 1, End: old},
		{Class: PoliceExtract, Kind: KindIncident, RecordID: 6, SiteID: 1, End: old},
		{Class: PoliceExtract, Kind: KindMARACHearing, RecordID: 5, SiteID: 1, End: old},
	}
	due, held := DefaultSchedule().Plan(today, cands, []Hold{{Class: Incident, RecordID: 5}})
	if len(held) != 1 || held[0].Kind != KindIncident || held[0].RecordID != 5 || len(due) != 2 {
		t.Errorf("held %+v, due %+v; want incident 5 held and the rest due", held, due)
	}
	for _, h := range []Hold{
		{Class: Incident, Ref: "NM-1", SiteID: 1, Reason: "Claim", Owner: "DPO"},
		{Class: Incident, RecordID: 5, Reason: "Claim", Owner: "DPO"},
	} {
		if err := h.Validate(); err != nil {
			t.Errorf("%+v: %v", h, err)
		}
	}
	for _, h := range []Hold{
		{Class: Incident, SiteID: 1, Reason: "Claim", Owner: "DPO"},
		{Class: Incident, Ref: "NM-1", Reason: "Claim", Owner: "DPO"},
		{Class: PoliceExtract, RecordID: 5, Reason: "Claim", Owner: "DPO"},
	} {
		if err := h.Validate(); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", h, err)
		}
	}
}
