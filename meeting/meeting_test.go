package meeting

import (
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

func TestSeriesValidate(t *testing.T) {
	ok := func() Series {
		return Series{Kind: MARAC, Name: " North MARAC ", ChairID: 1, CoordinatorID: 2, Venue: "Room 1", AgencyIDs: []int64{3, 1, 3}}
	}
	s := ok()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.Name != "North MARAC" || s.MinutesPerItem != DefaultMinutesPerItem || len(s.AgencyIDs) != 2 {
		t.Fatalf("tidied series %+v", s)
	}
	for name, tc := range map[string]struct {
		mod   func(*Series)
		field string
	}{
		"kind":          {func(s *Series) { s.Kind = "coffee" }, "kind"},
		"name":          {func(s *Series) { s.Name = "  " }, "name"},
		"chair":         {func(s *Series) { s.ChairID = 0 }, "chair"},
		"coordinator":   {func(s *Series) { s.CoordinatorID = 0 }, "coordinator"},
		"no venue":      {func(s *Series) { s.Venue = "" }, "venue"},
		"http link":     {func(s *Series) { s.Venue, s.CallLink = "", "http://call.example.org/x" }, "call_link"},
		"short items":   {func(s *Series) { s.MinutesPerItem = 3 }, "minutes_per_item"},
		"long window":   {func(s *Series) { s.AccessDays = 29 }, "access_days"},
		"negative days": {func(s *Series) { s.AccessDays = -1 }, "access_days"},
	} {
		t.Run(name, func(t *testing.T) {
			s := ok()
			tc.mod(&s)
			err := s.Validate()
			if e, isE := err.(*drive.Error); !isE || e.Fields[tc.field] == "" {
				t.Fatalf("error %v; want a message for %s", err, tc.field)
			}
		})
	}
}

func TestMeetingLifecycle(t *testing.T) {
	today := drive.MustDate("2026-12-01")
	m := Meeting{HeldOn: today.AddDays(7), StartsAt: "10:00", AccessDays: 7}
	if err := m.Validate(today); err != nil || m.State != Draft {
		t.Fatalf("validate: %v, %s", err, m.State)
	}
	if err := (&Meeting{HeldOn: today.AddDays(-1), StartsAt: "10:00"}).Validate(today); err == nil {
		t.Fatal("a meeting in the past was accepted")
	}
	if err := (&Meeting{HeldOn: today, StartsAt: "25:00"}).Validate(today); err == nil {
		t.Fatal("25:00 was accepted")
	}
	now := today.Time().Add(9 * time.Hour)
	standing := []Item{{Kind: Confidentiality}}
	if err := m.Publish(standing, now); err == nil {
		t.Fatal("an agenda with no case was published")
	}
	if m.PanelOpen(now) {
		t.Fatal("a draft admits its attendees")
	}
	items := append(standing, Item{Kind: CaseItem, CaseID: 9})
	if err := m.Publish(items, now); err != nil || m.State != Published {
		t.Fatalf("publish: %v, %s", err, m.State)
	}
	if !m.PanelOpen(now) || !m.PanelOpen(m.OpenUntil().Time().Add(23*time.Hour)) || m.PanelOpen(m.OpenUntil().AddDays(1).Time()) {
		t.Fatal("the access window is not publication to the meeting's day plus its access days")
	}
	if err := m.Hold(items, now); err == nil {
		t.Fatal("minutes were published before the meeting")
	}
	on := m.HeldOn.Time().Add(14 * time.Hour)
	if err := m.Hold(items, on); err == nil {
		t.Fatal("minutes were published with a case undecided")
	}
	items[1].Decision = ActionsAgreed
	if err := m.Hold(items, on); err != nil || m.State != Held {
		t.Fatalf("hold: %v", err)
	}
	if err := m.Cancel(); err == nil {
		t.Fatal("a held meeting was cancelled")
	}
}

func TestOrderAndTimetable(t *testing.T) {
	items := []Item{
		{ID: 1, Kind: Anniversaries, Ord: 1000, Minutes: 5},
		{ID: 2, Kind: CaseItem, Ord: 10, Minutes: 12},
		{ID: 3, Kind: Confidentiality, Ord: 1, Minutes: 5},
		{ID: 4, Kind: CaseItem, Ord: 11, Minutes: 15, Children: true},
		{ID: 5, Kind: ActionsReview, Ord: 2, Minutes: 10},
		{ID: 6, Kind: CaseItem, Ord: 12, Minutes: 12, Children: true},
	}
	got := Order(items)
	var ids []int64
	for i, it := range got {
		ids = append(ids, it.ID)
		if it.Ord != i+1 {
			t.Fatalf("item %d numbered %d", it.ID, it.Ord)
		}
	}
	want := []int64{3, 5, 4, 6, 2, 1}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("order %v; want %v (standing items, children first, then the rest, anniversaries last)", ids, want)
		}
	}
	slots := Timetable("09:30", got)
	if slots[0].Start != "09:30" || slots[2].Start != "09:45" || slots[5].End != "10:29" || slots[5].Total != 59 {
		t.Fatalf("timetable %+v", slots)
	}
}

func TestRepeatsAndAnniversaries(t *testing.T) {
	heard := drive.MustDate("2025-06-10")
	d := drive.MustDate
	for name, tc := range map[string]struct {
		heard  drive.Date
		events []drive.Date
		want   bool
	}{
		"never heard":             {drive.Date{}, []drive.Date{d("2025-07-01")}, false},
		"incident after":          {heard, []drive.Date{d("2025-07-01")}, true},
		"on the last day":         {heard, []drive.Date{d("2026-06-10")}, true},
		"a day after 12 months":   {heard, []drive.Date{d("2026-06-11")}, false},
		"only before the hearing": {heard, []drive.Date{d("2025-06-01"), d("2025-06-10")}, false},
		"no events":               {heard, nil, false},
	} {
		if got := IsRepeat(tc.heard, tc.events); got != tc.want {
			t.Errorf("%s: repeat %v; want %v", name, got, tc.want)
		}
	}
	if AnniversaryDue(heard, d("2026-06-09")) || !AnniversaryDue(heard, d("2026-06-10")) || AnniversaryDue(drive.Date{}, d("2030-01-01")) {
		t.Fatal("anniversary is 12 months after the last hearing")
	}
}

func TestCandidatesSorted(t *testing.T) {
	cs := []Candidate{{CaseID: 1}, {CaseID: 2}, {CaseID: 3}, {CaseID: 4}}
	cs[0].Add(ReviewDue)
	cs[1].Add(AwaitingDecision)
	cs[1].Add(Identified)
	cs[1].Rank = 3
	cs[2].Add(ReviewDue)
	cs[2].Children = true
	cs[3].Add(Anniversary)
	cs[3].Add(Repeat)
	SortCandidates(cs)
	var ids []int64
	for _, c := range cs {
		ids = append(ids, c.CaseID)
	}
	if ids[0] != 3 || ids[1] != 4 || ids[2] != 2 || ids[3] != 1 {
		t.Fatalf("candidates in order %v; want children, then repeats, then by reason", ids)
	}
	if cs[1].Reasons[0] != Repeat || !cs[1].Repeat {
		t.Fatalf("reasons %v", cs[1].Reasons)
	}
}

func TestDecisionsPerKind(t *testing.T) {
	it := Item{Kind: CaseItem, Decision: Accept, DecisionReasons: "Meets the criteria"}
	if err := it.ValidateDecision(DrivePanel); err != nil {
		t.Fatal(err)
	}
	if err := it.ValidateDecision(MARAC); err == nil {
		t.Fatal("a MARAC accepted a case to Drive")
	}
	it = Item{Kind: CaseItem, Decision: ActionsAgreed}
	if err := it.ValidateDecision(MARAC); err == nil {
		t.Fatal("a decision without reasons was accepted")
	}
	if err := (&Item{Kind: Confidentiality, Decision: ActionsAgreed, DecisionReasons: "x"}).ValidateDecision(MARAC); err == nil {
		t.Fatal("a standing item took a decision")
	}
}

func TestAttendeeAndShare(t *testing.T) {
	if err := (&Attendee{OrganisationID: 1}).Validate(); err == nil {
		t.Fatal("an attendee with neither account nor name was accepted")
	}
	a := Attendee{OrganisationID: 1, UserID: 5}
	if err := a.Validate(); err != nil || a.Status != Invited || a.Admitted() {
		t.Fatalf("attendee %+v, %v", a, err)
	}
	now := time.Now()
	a.ConfidentialityAt = &now
	if !a.Admitted() {
		t.Fatal("an attendee who accepted is not admitted")
	}
	if (&Attendee{OrganisationID: 1, Name: "P. Smith", ConfidentialityAt: &now}).Admitted() {
		t.Fatal("an attendee without an account is admitted")
	}
	if err := (&Share{OrganisationID: 1, Basis: "hunch", Text: "x"}).Validate(); err == nil {
		t.Fatal("an unknown lawful basis was accepted")
	}
	if err := (&Share{OrganisationID: 1, Basis: VitalInterests, Text: " "}).Validate(); err == nil {
		t.Fatal("an empty share was accepted")
	}
}
