package risk

import (
	"testing"

	"github.com/drive-platform/drive"
)

var driveTimePoints = []string{"T1", "T2", "T3", "F"}

func behaviour(tp string) BehaviourAssessment {
	return BehaviourAssessment{
		VictimID: 4, CaseID: 9, TimePoint: tp,
		Physical: Used, Sexual: NotUsed, Stalking: NotKnown, Controlling: Used,
		AssessedOn: drive.MustDate("2026-05-01"), AssessedBy: 2,
	}
}

func TestBehaviourValidate(t *testing.T) {
	for _, tp := range driveTimePoints {
		b := behaviour(tp)
		if err := b.Validate(today, driveTimePoints, "T3"); err != nil {
			t.Errorf("%s: %v", tp, err)
		}
	}
	for _, r := range RiskChanges() {
		b := behaviour("T3")
		b.RiskChange = r.Code
		if err := b.Validate(today, driveTimePoints, "T3"); err != nil {
			t.Errorf("exit rating %s: %v", r.Code, err)
		}
	}
	b := behaviour(" T1 ")
	if err := b.Validate(today, driveTimePoints, "T3"); err != nil || b.TimePoint != "T1" {
		t.Errorf("time point with spaces: %v, %q", err, b.TimePoint)
	}

	for _, tc := range []struct {
		name   string
		change func(b *BehaviourAssessment)
		field  string
	}{
		{"no victim", func(b *BehaviourAssessment) { b.VictimID = 0 }, "victim"},
		{"no case", func(b *BehaviourAssessment) { b.CaseID = -1 }, "case"},
		{"no time point", func(b *BehaviourAssessment) { b.TimePoint = "" }, "time_point"},
		{"time point not configured", func(b *BehaviourAssessment) { b.TimePoint = "T9" }, "time_point"},
		{"physical blank", func(b *BehaviourAssessment) { b.Physical = "" }, "physical"},
		{"sexual bad", func(b *BehaviourAssessment) { b.Sexual = "sometimes" }, "sexual"},
		{"stalking blank", func(b *BehaviourAssessment) { b.Stalking = "" }, "stalking"},
		{"controlling bad", func(b *BehaviourAssessment) { b.Controlling = "Yes" }, "controlling"},
		{"rating before exit", func(b *BehaviourAssessment) { b.TimePoint = "T1"; b.RiskChange = RiskReducedModerately }, "risk_change"},
		{"unknown rating", func(b *BehaviourAssessment) { b.TimePoint = "T3"; b.RiskChange = "vanished" }, "risk_change"},
		{"future date", func(b *BehaviourAssessment) { b.AssessedOn = today.AddDays(1) }, "assessed_on"},
		{"no date", func(b *BehaviourAssessment) { b.AssessedOn = drive.Date{} }, "assessed_on"},
		{"no assessor", func(b *BehaviourAssessment) { b.AssessedBy = 0 }, "assessed_by"},
	} {
		b := behaviour("T3")
		tc.change(&b)
		assertField(t, tc.name, b.Validate(today, driveTimePoints, "T3"), tc.field)
	}
	// A programme with no exit time point accepts no rating.
	r := behaviour("T1")
	r.RiskChange = RiskNoChange
	assertField(t, "no exit configured", r.Validate(today, []string{"T1"}, ""), "risk_change")
}

func TestCategoriesAndChoices(t *testing.T) {
	want := []string{"physical", "sexual", "stalking", "controlling"}
	cs := Categories()
	if len(cs) != len(want) {
		t.Fatalf("categories %v", cs)
	}
	b := BehaviourAssessment{Physical: Used, Sexual: NotUsed, Stalking: NotKnown, Controlling: Used}
	answers := []Tri{Used, NotUsed, NotKnown, Used}
	for i, c := range cs {
		if c.Code != want[i] || c.Label == "" {
			t.Errorf("category %d = %+v; want code %s", i, c, want[i])
		}
		if got, ok := CategoryByCode(c.Code); !ok || got != c {
			t.Errorf("CategoryByCode(%s) = %v, %v", c.Code, got, ok)
		}
		if b.Use(c.Code) != answers[i] {
			t.Errorf("Use(%s) = %q", c.Code, b.Use(c.Code))
		}
	}
	if _, ok := CategoryByCode("verbal"); ok {
		t.Error("unknown category found")
	}
	if b.Use("verbal") != "" {
		t.Error("Use of an unknown category answered")
	}
	for _, tr := range TriChoices() {
		if !tr.Valid() || tr.Label() == "Not answered" {
			t.Errorf("%q not valid or unlabelled", tr)
		}
	}
	if Tri("").Valid() || Tri("").Label() != "Not answered" {
		t.Error("empty Tri is valid")
	}
	rs := RiskChanges()
	if len(rs) != 5 || rs[0].Code != RiskIncreased || rs[4].Code != RiskReducedSignificantly {
		t.Errorf("risk changes %v", rs)
	}
}
