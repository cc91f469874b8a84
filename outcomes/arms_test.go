package outcomes

import (
	"testing"

	"github.com/drive-platform/drive"
)

// armCases makes n referrals of one arm allocated on allocated, each with
// the incidents and MARAC hearings given (the same for every referral),
// and marac of them with a hearing in the 12 months after the period.
func armCases(arm string, n int, allocated drive.Date, before, after, marac int) []CaseFacts {
	var out []CaseFacts
	end := allocated.AddMonths(10)
	for i := 0; i < n; i++ {
		c := CaseFacts{CaseID: int64(len(arm)*1000 + i), SiteID: 1, SiteCode: "NMR", Programme: "drive", ReferredOn: allocated.AddDays(-10),
			Trial: &TrialFacts{TrialID: 1, Arm: arm, AllocatedOn: allocated, OutcomeMonths: 10}}
		for j := 0; j < before; j++ {
			c.PoliceIncidents = append(c.PoliceIncidents, allocated.AddDays(-30-j))
		}
		// An incident during the outcome period counts in neither window.
		c.PoliceIncidents = append(c.PoliceIncidents, allocated.AddMonths(3))
		for j := 0; j < after; j++ {
			c.PoliceIncidents = append(c.PoliceIncidents, end.AddDays(20+j))
		}
		if i < marac {
			c.MARACHearings = []drive.Date{end.AddMonths(2)}
		}
		out = append(out, c)
	}
	return out
}

func armMeasure(t *testing.T, rep Report, arm, name string) Measure {
	t.Helper()
	for _, a := range rep.Arms {
		if a.Arm != arm {
			continue
		}
		for _, m := range a.Measures {
			if m.Name == name {
				return m
			}
		}
	}
	t.Fatalf("no %s measure for %s", name, arm)
	return Measure{}
}

func TestCompareArms(t *testing.T) {
	alloc := drive.MustDate("2025-01-06")
	asOf := drive.MustDate("2026-12-01")
	var cases []CaseFacts
	cases = append(cases, armCases(ArmIntervention, 40, alloc, 2, 1, 10)...)
	cases = append(cases, armCases(ArmComparison, 40, alloc, 2, 2, 20)...)
	// Allocated too recently for either window: counted, and left out
	// of the police and MARAC measures with the reason.
	cases = append(cases, armCases(ArmComparison, 10, asOf.AddMonths(-3), 5, 5, 10)...)
	// A case outside any trial is not in the comparison.
	cases = append(cases, CaseFacts{CaseID: 9, SiteID: 1, SiteCode: "NMR", Programme: "drive", ReferredOn: alloc, PoliceIncidents: []drive.Date{alloc.AddDays(-1)}})

	rep := Compute(Scope{AsOf: asOf}, cases, DefaultReference(), 4)
	if len(rep.Arms) != 2 || rep.Arms[0].Arm != ArmIntervention || rep.Arms[1].Arm != ArmComparison {
		t.Fatalf("arms = %+v", rep.Arms)
	}
	for _, tc := range []struct {
		arm, name string
		num, den  int
		value     float64
	}{
		{ArmIntervention, "trial_referrals", 40, 0, 40},
		{ArmComparison, "trial_referrals", 50, 0, 50},
		{ArmIntervention, "trial_police_incidents_change", -40, 80, -0.5},
		{ArmComparison, "trial_police_incidents_change", 0, 80, 0},
		{ArmIntervention, "trial_police_incidents_before_mean", 80, 40, 2},
		{ArmIntervention, "trial_police_incidents_after_mean", 40, 40, 1},
		{ArmComparison, "trial_police_incidents_after_mean", 80, 40, 2},
		{ArmIntervention, "trial_repeat_marac_12m", 10, 40, 0.25},
		{ArmComparison, "trial_repeat_marac_12m", 20, 40, 0.5},
	} {
		m := armMeasure(t, rep, tc.arm, tc.name)
		if m.Suppressed || m.Numerator != tc.num || m.Denominator != tc.den || m.Value != tc.value {
			t.Errorf("%s %s = %d/%d %v (suppressed %v), want %d/%d %v", tc.arm, tc.name, m.Numerator, m.Denominator, m.Value, m.Suppressed, tc.num, tc.den, tc.value)
		}
	}
	m := armMeasure(t, rep, ArmComparison, "trial_repeat_marac_12m")
	if len(m.Exclusions) != 1 || m.Exclusions[0].Cases.Value != 10 {
		t.Errorf("comparison referrals too recent: exclusions %+v", m.Exclusions)
	}

	// Small arms are withheld like any other count.
	small := Compute(Scope{AsOf: asOf}, armCases(ArmIntervention, 3, alloc, 1, 0, 1), DefaultReference(), 4)
	if m := armMeasure(t, small, ArmIntervention, "trial_referrals"); !m.Suppressed || m.Numerator != 0 {
		t.Errorf("3 referrals published as %+v", m)
	}
	if m := armMeasure(t, small, ArmComparison, "trial_referrals"); m.Suppressed || m.Numerator != 0 {
		t.Errorf("an empty arm published as %+v", m)
	}
	if m := armMeasure(t, small, ArmIntervention, "trial_repeat_marac_12m"); !m.Suppressed {
		t.Errorf("repeat MARAC over 3 referrals published as %+v", m)
	}

	// No trial in scope: no comparison at all.
	if rep := Compute(Scope{AsOf: asOf, Sites: []int64{2}}, cases, DefaultReference(), 4); rep.Arms != nil {
		t.Errorf("a scope without a trial has arms %+v", rep.Arms)
	}
}

// TestFlatNamesTheArm: the flat list is the measures, then each arm's
// measures with the arm named, and never nil.
func TestFlatNamesTheArm(t *testing.T) {
	if got := (&Report{}).Flat(); got == nil || len(got) != 0 {
		t.Fatalf("empty report: %v", got)
	}
	r := &Report{Measures: []Measure{{Name: "perpetrators"}}, Arms: []ArmFigures{
		{Arm: ArmIntervention, Measures: []Measure{{Name: "trial_referrals"}}},
		{Arm: ArmComparison, Measures: []Measure{{Name: "trial_referrals"}}},
	}}
	got := r.Flat()
	if len(got) != 3 || got[0].Arm != "" || got[1].Arm != ArmIntervention || got[2].Arm != ArmComparison {
		t.Fatalf("flat %+v", got)
	}
	if r.Arms[0].Measures[0].Arm != "" {
		t.Error("Flat changed the report's own measures")
	}
}
