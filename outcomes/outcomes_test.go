package outcomes

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/risk"
)

var asOf = drive.MustDate("2026-06-30")

// find returns the measure with the given name, site and programme.
func find(t *testing.T, r Report, name, site, programme string) Measure {
	t.Helper()
	for _, m := range r.Measures {
		if m.Name == name && m.Site == site && m.Programme == programme {
			return m
		}
	}
	t.Fatalf("no measure %s for site %s, programme %s", name, site, programme)
	return Measure{}
}

// exclusion returns the published count of cases left out for reason.
func exclusion(t *testing.T, m Measure, reason string) Count {
	t.Helper()
	for _, e := range m.Exclusions {
		if e.Reason == reason {
			return e.Cases
		}
	}
	t.Fatalf("%s: no exclusion %q in %+v", m.Name, reason, m.Exclusions)
	return Count{}
}

// paired says, for one category, how many of the 1,000 fully assessed
// cases continue (yes to yes), stop (yes to no) and start (no to yes); the
// rest never used it. Cases are taken in order of their number.
type paired struct{ yy, yn, ny int }

// answers returns the T1 and T3 answers of case i for a category.
func (p paired) answers(i int) (t1, t3 risk.Tri) {
	switch {
	case i < p.yy:
		return risk.Used, risk.Used
	case i < p.yy+p.yn:
		return risk.Used, risk.NotUsed
	case i < p.yy+p.yn+p.ny:
		return risk.NotUsed, risk.Used
	}
	return risk.NotUsed, risk.NotUsed
}

// evaluationFixture builds cases to the proportions of the Bristol
// evaluation (DOMAIN.md "Outcome measures"), by hand:
//
//   - 1,000 cases, each with one victim-survivor, allocated 20 days after
//     referral and closed two years before the report date, with T1 and T3
//     behaviour assessments. Physical: 80 continue, 420 stop, 10 start:
//     n1 = 500, n3 = 90, (500-90)/500 = 82%. Sexual: 25, 225, 5: n1 = 250,
//     n3 = 30, 88%. Stalking: 90, 310, 10: n1 = 400, n3 = 100, 75%.
//     Controlling: 150, 450, 12: n1 = 600, n3 = 162, 438/600 = 73.0%,
//     published as 440/600 = 73.3% after rounding to base 5.
//   - IDVA exit ratings: cases 0-819 reduced (moderately or significantly,
//     alternately), 820-999 no change or reduced slightly: 82%.
//   - Police: every case one incident 3 months before allocation and one 9
//     months before (outside the window); cases 0-699 one incident 2
//     months after closure, and cases 700-799 one 8 months after (outside):
//     before 1,000, after 700, change -30%.
//   - MARAC: cases 0-99 a hearing 11 months after closure, cases 100-149
//     one 13 months after (outside): 100/1,000 = 10%.
//   - DASH: T1 16 (high) for all; T3 9 (standard) for cases 0-599, 16 for
//     the rest: mean change 600 x -7 / 1,000 = -4.2, 60% move down.
//   - IDVA allocated for cases 0-899.
//
// and the exclusions: 40 open cases assessed at T1 only (no T3, not
// closed), 15 cases closed 3 months ago whose physical answer at T3 is
// "not known" and whose exit assessment has no rating, and 3 referrals
// never allocated or assessed.
func evaluationFixture() []CaseFacts {
	cats := [4]paired{{80, 420, 10}, {25, 225, 5}, {90, 310, 10}, {150, 450, 12}}
	var cases []CaseFacts
	newCase := func(id int) CaseFacts {
		referred := drive.MustDate("2023-01-10").AddDays(id % 30)
		return CaseFacts{
			CaseID: int64(id + 1), SiteID: 1, SiteCode: "S01", Region: "South West", Programme: "drive",
			State: casework.Closed, ReferredOn: referred, AllocatedOn: referred.AddDays(20),
			ClosedOn: drive.MustDate("2024-06-30"), CaseManagerID: int64(1 + id%8), Engagement: casework.Engaged,
			Children:    2,
			Victims:     []VictimFacts{{ID: int64(id + 1), IDVA: id < 900}},
			Perpetrator: Equality{Sex: "male", Ethnicity: "white"},
		}
	}
	assessment := func(id int, tp string, ans [4]risk.Tri, on drive.Date) risk.BehaviourAssessment {
		return risk.BehaviourAssessment{ID: int64(id*10 + len(tp)), VictimID: int64(id + 1), CaseID: int64(id + 1), TimePoint: tp,
			Physical: ans[0], Sexual: ans[1], Stalking: ans[2], Controlling: ans[3], AssessedOn: on}
	}
	for i := range 1000 {
		c := newCase(i)
		var t1, t3 [4]risk.Tri
		for k, p := range cats {
			t1[k], t3[k] = p.answers(i)
		}
		exit := assessment(i, Exit, t3, c.ClosedOn)
		switch {
		case i < 820 && i%2 == 0:
			exit.RiskChange = risk.RiskReducedModerately
		case i < 820:
			exit.RiskChange = risk.RiskReducedSignificantly
		case i%2 == 0:
			exit.RiskChange = risk.RiskNoChange
		default:
			exit.RiskChange = risk.RiskReducedSlightly
		}
		c.Behaviour = []risk.BehaviourAssessment{assessment(i, Baseline, t1, c.AllocatedOn), exit}
		c.PoliceIncidents = []drive.Date{c.AllocatedOn.AddMonths(-3), c.AllocatedOn.AddMonths(-9)}
		switch {
		case i < 700:
			c.PoliceIncidents = append(c.PoliceIncidents, c.ClosedOn.AddMonths(2))
		case i < 800:
			c.PoliceIncidents = append(c.PoliceIncidents, c.ClosedOn.AddMonths(8))
		}
		switch {
		case i < 100:
			c.MARACHearings = []drive.Date{c.ClosedOn.AddMonths(11)}
		case i < 150:
			c.MARACHearings = []drive.Date{c.ClosedOn.AddMonths(13)}
		}
		t3Score := 16
		if i < 600 {
			t3Score = 9
		}
		c.DASH = []DASHScore{
			{VictimID: int64(i + 1), TimePoint: Baseline, Score: 16, On: c.AllocatedOn},
			{VictimID: int64(i + 1), TimePoint: Exit, Score: t3Score, On: c.ClosedOn},
		}
		cases = append(cases, c)
	}
	no := [4]risk.Tri{risk.NotUsed, risk.NotUsed, risk.NotUsed, risk.NotUsed}
	for i := 1000; i < 1040; i++ { // open, T1 only
		c := newCase(i)
		c.State, c.ClosedOn = casework.Active, drive.Date{}
		c.Behaviour = []risk.BehaviourAssessment{assessment(i, Baseline, no, c.AllocatedOn)}
		c.DASH = []DASHScore{{VictimID: int64(i + 1), TimePoint: Baseline, Score: 15, On: c.AllocatedOn}}
		c.Victims[0].IDVA = false
		cases = append(cases, c)
	}
	for i := 1040; i < 1055; i++ { // closed 3 months ago, physical not known at T3, no rating
		c := newCase(i)
		c.ClosedOn = asOf.AddMonths(-3)
		t3 := no
		t3[0] = risk.NotKnown
		c.Behaviour = []risk.BehaviourAssessment{assessment(i, Baseline, no, c.AllocatedOn), assessment(i, Exit, t3, c.ClosedOn)}
		c.Victims[0].IDVA = false
		cases = append(cases, c)
	}
	for i := 1055; i < 1058; i++ { // referred, never allocated
		c := newCase(i)
		c.State, c.AllocatedOn, c.ClosedOn, c.CaseManagerID = casework.Referred, drive.Date{}, drive.Date{}, 0
		cases = append(cases, c)
	}
	return cases
}

func TestEvaluationHeadlines(t *testing.T) {
	r := Compute(Scope{AsOf: asOf}, evaluationFixture(), DefaultReference(), 4)
	// Every headline, for all programmes and for Drive alone (the same
	// cases), read back to the percentage point the evaluation reports.
	for _, programme := range []string{All, "drive"} {
		tests := []struct {
			name      string
			value     float64 // as computed by hand in evaluationFixture
			num, den  int
			percent   int // the evaluation's headline, rounded
			tolerance float64
		}{
			{"physical_abuse_stopped", 0.82, 410, 500, 82, 0},
			{"sexual_abuse_stopped", 0.88, 220, 250, 88, 0},
			{"harassment_stalking_stopped", 0.75, 300, 400, 75, 0},
			{"jealous_controlling_stopped", 440.0 / 600, 440, 600, 73, 0},
			{"idva_risk_reduced", 0.82, 820, 1000, 82, 0},
			{"police_incidents_change", -0.30, -300, 1000, -30, 0},
		}
		for _, tt := range tests {
			m := find(t, r, tt.name, All, programme)
			if m.Suppressed || m.NoData {
				t.Errorf("%s/%s: withheld", programme, tt.name)
				continue
			}
			if math.Abs(m.Value-tt.value) > 1e-12 || m.Numerator != tt.num || m.Denominator != tt.den {
				t.Errorf("%s/%s = %d/%d = %v, want %d/%d = %v", programme, tt.name, m.Numerator, m.Denominator, m.Value, tt.num, tt.den, tt.value)
			}
			if got := int(math.Round(m.Value * 100)); got != tt.percent {
				t.Errorf("%s/%s = %d%%, want %d%%", programme, tt.name, got, tt.percent)
			}
		}
	}

	phys := find(t, r, "physical_abuse_stopped", All, All)
	want := Paired{YesToNo: Count{Value: 420}, NoToYes: Count{Value: 10}, YesToYes: Count{Value: 80}, NoToNo: Count{Value: 490}}
	if phys.Paired == nil || *phys.Paired != want {
		t.Errorf("physical paired table = %+v, want %+v", phys.Paired, want)
	}
	if phys.PValue == nil || *phys.PValue != risk.McNemarExact(420, 10) || *phys.PValue > 1e-6 || phys.PValueBound {
		t.Errorf("physical p-value = %v (bound %v), want McNemar(420, 10)", phys.PValue, phys.PValueBound)
	}
	// Controlling: 12 started is published as 10, so the p-value is that
	// of the published table.
	ctrl := find(t, r, "jealous_controlling_stopped", All, All)
	if ctrl.Paired.NoToYes != (Count{Value: 10}) || *ctrl.PValue != risk.McNemarExact(450, 10) {
		t.Errorf("controlling: paired %+v, p %v", ctrl.Paired, *ctrl.PValue)
	}
	risk := find(t, r, "idva_risk_reduced", All, All)
	if risk.Interval == nil || risk.Interval.Low > 0.82 || risk.Interval.High < 0.82 ||
		math.Abs(risk.Interval.Low-0.7946) > 5e-4 || math.Abs(risk.Interval.High-0.8430) > 5e-4 {
		t.Errorf("risk interval = %+v, want Wilson 0.7946 to 0.8430", risk.Interval)
	}

	others := []struct {
		name     string
		value    float64
		num, den int
	}{
		{"perpetrators", 1055, 1055, 0},
		{"victim_survivors", 1055, 1055, 0},
		{"children", 2110, 2110, 0},
		{"dash_score_change", -4.2, -4200, 1000},
		{"dash_band_change", 0.6, 600, 1000},
		{"police_incidents_before_mean", 1, 1000, 1000},
		{"police_incidents_after_mean", 0.7, 700, 1000},
		{"repeat_marac_12m", 0.1, 100, 1000},
		{"referral_to_allocation_days", 20, 0, 1055},
		{"idva_coverage", 900.0 / 1055, 900, 1055},
		{"engaged_share", 1, 1055, 1055},
	}
	for _, tt := range others {
		m := find(t, r, tt.name, All, All)
		if m.Suppressed || math.Abs(m.Value-tt.value) > 1e-12 || m.Numerator != tt.num || m.Denominator != tt.den {
			t.Errorf("%s = %d/%d = %v (suppressed %v), want %d/%d = %v", tt.name, m.Numerator, m.Denominator, m.Value, m.Suppressed, tt.num, tt.den, tt.value)
		}
	}
}

func TestExclusionsCounted(t *testing.T) {
	r := Compute(Scope{AsOf: asOf}, evaluationFixture(), DefaultReference(), 4)
	tests := []struct {
		measure, reason string
		want            Count
	}{
		// 40 open cases assessed at T1 only; 3 referrals never assessed.
		{"physical_abuse_stopped", "No exit (T3) behaviour assessment", Count{Value: 40}},
		{"physical_abuse_stopped", "No behaviour assessment at T1 or T3", Count{Suppressed: true}},
		// 15 cases whose physical answer at T3 is "not known".
		{"physical_abuse_stopped", "T1 and T3 assessed, but every answer at one of them was not known", Count{Value: 15}},
		{"sexual_abuse_stopped", "No exit (T3) behaviour assessment", Count{Value: 40}},
		// The 15 have an exit assessment with no rating; 43 have none.
		{"idva_risk_reduced", "Exit (T3) assessment without a risk rating", Count{Value: 15}},
		{"idva_risk_reduced", "No exit (T3) assessment", Count{Value: 45}}, // 43, rounded
		{"police_incidents_change", "Not closed", Count{Value: 40}},
		{"police_incidents_change", "Closed less than 6 months before the report date", Count{Value: 15}},
		{"police_incidents_change", "Referred but never allocated", Count{Suppressed: true}},
		{"repeat_marac_12m", "Closed less than 12 months before the report date", Count{Value: 15}},
		{"dash_score_change", "Victim-survivors with a T1 DASH score but none at T3", Count{Value: 40}},
		{"perpetrators", "Referred but never allocated to a case manager", Count{Suppressed: true}},
	}
	for _, tt := range tests {
		if got := exclusion(t, find(t, r, tt.measure, All, All), tt.reason); got != tt.want {
			t.Errorf("%s, %q: %v, want %v", tt.measure, tt.reason, got, tt.want)
		}
	}
	// The sexual measure has no "not known" answers, so no such reason.
	for _, e := range find(t, r, "sexual_abuse_stopped", All, All).Exclusions {
		if e.Reason == "T1 and T3 assessed, but every answer at one of them was not known" {
			t.Errorf("sexual: unexpected exclusion %+v", e)
		}
	}
}

func TestScopeIncludes(t *testing.T) {
	c := CaseFacts{SiteID: 2, Region: "North", Programme: "drive",
		ReferredOn: drive.MustDate("2025-03-01"), ClosedOn: drive.MustDate("2025-09-01")}
	tests := []struct {
		name  string
		scope Scope
		want  bool
	}{
		{"everything", Scope{}, true},
		{"its site", Scope{Sites: []int64{1, 2}}, true},
		{"another site", Scope{Sites: []int64{1}}, false},
		{"another region", Scope{Region: "South"}, false},
		{"another programme", Scope{Programme: "restart"}, false},
		{"referred on the last day", Scope{To: drive.MustDate("2025-03-01")}, true},
		{"referred after the period", Scope{To: drive.MustDate("2025-02-28")}, false},
		{"closed on the first day", Scope{From: drive.MustDate("2025-09-01")}, true},
		{"closed before the period", Scope{From: drive.MustDate("2025-09-02")}, false},
	}
	for _, tt := range tests {
		if got := tt.scope.Includes(&c); got != tt.want {
			t.Errorf("%s: Includes = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestScopeValidate(t *testing.T) {
	tests := []struct {
		name  string
		scope Scope
		field string
	}{
		{"fine", Scope{AsOf: asOf}, ""},
		{"no as-of date", Scope{}, "as_of"},
		{"period backwards", Scope{AsOf: asOf, From: drive.MustDate("2025-02-01"), To: drive.MustDate("2025-01-01")}, "to"},
		{"negative minimum", Scope{AsOf: asOf, MinDenominator: -1}, "min_denominator"},
	}
	for _, tt := range tests {
		err := tt.scope.Validate()
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var e *drive.Error
		if !errors.As(err, &e) || e.Code != drive.EINVALID || e.Fields[tt.field] == "" {
			t.Errorf("%s: error %v, want EINVALID on %s", tt.name, err, tt.field)
		}
	}
}

func TestBefore(t *testing.T) {
	dates := []string{"2024-02-29", "2024-03-01", "2024-12-31", "2025-01-01", "2025-01-02"}
	for _, a := range dates {
		for _, b := range dates {
			x, y := drive.MustDate(a), drive.MustDate(b)
			if got, want := before(x, y), x.Before(y); got != want {
				t.Errorf("before(%s, %s) = %v, want %v", a, b, got, want)
			}
		}
	}
}

func TestBreakdown(t *testing.T) {
	cases := evaluationFixture()
	for i := range cases[:400] {
		cases[i].Programme = "restart"
		if i < 200 {
			cases[i].SiteID, cases[i].SiteCode = 2, "S02"
		}
	}
	groups := func(r Report) []string {
		var out []string
		for _, m := range r.Measures {
			if m.Name == "perpetrators" {
				out = append(out, fmt.Sprintf("%s/%s=%v", m.Site, m.Programme, m.Value))
			}
		}
		return out
	}
	tests := []struct {
		name  string
		scope Scope
		want  string
	}{
		{"all sites", Scope{AsOf: asOf}, "[all/all=1055 all/drive=655 all/restart=400]"},
		{"by site", Scope{AsOf: asOf, BySite: true},
			"[all/all=1055 all/drive=655 all/restart=400 S01/all=855 S01/drive=655 S01/restart=200 S02/all=200 S02/restart=200]"},
		{"one programme", Scope{AsOf: asOf, Programme: "restart", BySite: true}, "[all/restart=400 S01/restart=200 S02/restart=200]"},
		{"one site", Scope{AsOf: asOf, Sites: []int64{2}}, "[all/all=200 all/restart=200]"},
		{"nothing in scope", Scope{AsOf: asOf, Region: "Nowhere"}, "[all/all=0]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(groups(Compute(tt.scope, cases, DefaultReference(), 4))); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	// Every group publishes the same measures, and ten equality tables
	// (two populations by five dimensions).
	r := Compute(Scope{AsOf: asOf, BySite: true}, cases, DefaultReference(), 4)
	if len(r.Measures)%8 != 0 || len(r.Equality) != 8*10 {
		t.Errorf("%d measures and %d equality tables over 8 groups", len(r.Measures), len(r.Equality))
	}
}
