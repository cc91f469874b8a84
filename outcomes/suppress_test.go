package outcomes

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/risk"
)

// r2 rounds to base 5 by hand: 6 to 5, 8 to 10.
func r2(n int) int { return (n + 2) / 5 * 5 }

func TestCountRule(t *testing.T) {
	r := rules{threshold: 4, minDen: 10, base: 5}
	tests := []struct {
		in   int
		want Count
	}{
		{0, Count{}},
		{1, Count{Suppressed: true}}, {2, Count{Suppressed: true}}, {3, Count{Suppressed: true}}, {4, Count{Suppressed: true}},
		{-1, Count{Suppressed: true}}, {-4, Count{Suppressed: true}},
		// 5 to 7 are withheld too: published as 5 they would sit next to
		// a withheld 4 (see rules.limit).
		{5, Count{Suppressed: true}}, {7, Count{Suppressed: true}}, {-7, Count{Suppressed: true}},
		{8, Count{Value: 10}}, {12, Count{Value: 10}}, {13, Count{Value: 15}},
		{1003, Count{Value: 1005}}, {-8, Count{Value: -10}}, {-300, Count{Value: -300}},
	}
	for _, tt := range tests {
		if got := r.count(tt.in); got != tt.want {
			t.Errorf("count(%d) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	// Other thresholds: 1 to 2 withheld, 3 to 7 published as 5; 1 to 8
	// withheld, so up to 12.
	r.threshold = 2
	for in, want := range map[int]Count{2: {Suppressed: true}, 3: {Value: 5}, 7: {Value: 5}} {
		if got := r.count(in); got != want {
			t.Errorf("threshold 2: count(%d) = %+v, want %+v", in, got, want)
		}
	}
	r.threshold = 8
	for in, want := range map[int]Count{8: {Suppressed: true}, 12: {Suppressed: true}, 13: {Value: 15}} {
		if got := r.count(in); got != want {
			t.Errorf("threshold 8: count(%d) = %+v, want %+v", in, got, want)
		}
	}
}

// smallSite is the evaluation fixture plus a second site with n cases,
// each allocated, closed long ago and fully assessed.
func smallSite(n int) []CaseFacts {
	cases := evaluationFixture()
	for i := range n {
		c := cases[i] // a copy of a fully assessed case
		c.CaseID, c.SiteID, c.SiteCode = int64(5000+i), 2, "S02"
		c.Victims = []VictimFacts{{ID: int64(5000 + i), IDVA: true}}
		cases = append(cases, c)
	}
	return cases
}

func TestSmallNumbersWithheld(t *testing.T) {
	// 1 to 4 by the rule, 5 to 7 because of rounding (rules.limit).
	for n := 1; n <= 7; n++ {
		r := Compute(Scope{AsOf: asOf, BySite: true}, smallSite(n), DefaultReference(), 4)
		for _, m := range r.Measures {
			if m.Site != "S02" {
				continue
			}
			if m.Name == "children" {
				// Two children a case: 2n is withheld only up to 7.
				if m.Suppressed != (2*n <= 7) || (!m.Suppressed && m.Value != float64(r2(2*n))) {
					t.Errorf("%d cases: children %+v", n, m)
				}
				continue
			}
			// Every S02 figure is over n cases (or 0): all withheld or empty.
			if !m.Suppressed && !m.NoData && !(m.Numerator == 0 && m.Denominator == 0 && m.Value == 0) {
				t.Errorf("%d cases: %s/%s shown: %+v", n, m.Name, m.Programme, m)
			}
			if m.Suppressed && (m.Numerator != 0 || m.Denominator != 0 || m.Value != 0 || m.Paired != nil || m.PValue != nil || m.Interval != nil) {
				t.Errorf("%d cases: withheld %s carries figures: %+v", n, m.Name, m)
			}
		}
		if m := find(t, r, "perpetrators", "S02", All); !m.Suppressed {
			t.Errorf("%d perpetrators at S02 not withheld", n)
		}
		for _, e := range r.Equality {
			if e.Site == "S02" && e.Dimension == DimSex && e.Population == PopulationPerpetrators {
				if !e.Total.Suppressed || e.Rows[1].Count != (Count{Suppressed: true}) || e.Rows[1].Share != nil {
					t.Errorf("%d cases: sex table %+v", n, e)
				}
			}
		}
	}
	// Eight cases are shown (as 10), and so is a share over them; with a
	// minimum denominator of 15 the share is withheld.
	r := Compute(Scope{AsOf: asOf, BySite: true}, smallSite(8), DefaultReference(), 4)
	if m := find(t, r, "perpetrators", "S02", All); m.Suppressed || m.Value != 10 {
		t.Errorf("8 perpetrators: %+v", m)
	}
	if m := find(t, r, "idva_coverage", "S02", All); m.Suppressed || m.Value != 1 || m.Denominator != 10 {
		t.Errorf("share over 8: %+v", m)
	}
	r = Compute(Scope{AsOf: asOf, BySite: true, MinDenominator: 15}, smallSite(8), DefaultReference(), 4)
	if m := find(t, r, "idva_coverage", "S02", All); !m.Suppressed {
		t.Errorf("minimum 15: share over 8 shown: %+v", m)
	}
}

func TestSuppressedMeasureJSON(t *testing.T) {
	// Nine fully assessed cases at one site, five continuing physical
	// abuse and four stopping: 9 perpetrators are shown (as 10), but
	// n1 - n3 = 4 is small, so the physical measure is withheld.
	cases := evaluationFixture()
	for _, c := range cases[75:84] {
		c.CaseID, c.SiteID, c.SiteCode = c.CaseID+5000, 2, "S02"
		c.Victims = []VictimFacts{{ID: c.CaseID}}
		cases = append(cases, c)
	}
	r := Compute(Scope{AsOf: asOf, BySite: true}, cases, DefaultReference(), 4)
	if m := find(t, r, "perpetrators", "S02", All); m.Value != 10 {
		t.Fatalf("perpetrators %+v", m)
	}
	m := find(t, r, "physical_abuse_stopped", "S02", All)
	if !m.Suppressed {
		t.Fatalf("not withheld: %+v", m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if v, ok := got["value"]; !ok || v != nil {
		t.Errorf("value = %v (present %v), want null", v, ok)
	}
	if got["numerator"] != 0.0 || got["denominator"] != 0.0 || got["suppressed"] != true {
		t.Errorf("JSON %s", b)
	}
	for _, k := range []string{"paired", "p_value", "interval"} {
		if _, ok := got[k]; ok {
			t.Errorf("withheld measure carries %s: %s", k, b)
		}
	}
	for _, k := range []string{"measure", "site", "programme", "definition", "exclusions"} {
		if _, ok := got[k]; !ok {
			t.Errorf("no %s in %s", k, b)
		}
	}
	// A shown measure carries its value.
	b, _ = json.Marshal(find(t, r, "physical_abuse_stopped", "S01", All))
	if !strings.Contains(string(b), `"value":0.82`) || !strings.Contains(string(b), `"yes_to_no":420`) {
		t.Errorf("shown measure JSON %s", b)
	}
	// A withheld count is "[c]".
	b, _ = json.Marshal(Exclusion{Reason: "x", Cases: Count{Suppressed: true}})
	if string(b) != `{"reason":"x","cases":"[c]"}` {
		t.Errorf("withheld count JSON %s", b)
	}
}

// countKeys are the JSON keys whose numbers are published counts.
var countKeys = map[string]bool{"numerator": true, "denominator": true, "cases": true, "count": true, "total": true,
	"known": true, "yes_to_no": true, "no_to_yes": true, "yes_to_yes": true, "no_to_no": true}

// walkCounts calls f with every published count in a JSON document and
// the measure it belongs to.
func walkCounts(v any, measure string, f func(measure, key string, n float64)) {
	switch v := v.(type) {
	case map[string]any:
		if m, ok := v["measure"].(string); ok {
			measure = m
		}
		for k, x := range v {
			if n, ok := x.(float64); ok && countKeys[k] {
				f(measure, k, n)
			}
			walkCounts(x, measure, f)
		}
	case []any:
		for _, x := range v {
			walkCounts(x, measure, f)
		}
	}
}

func TestNoSmallCountPublished(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := range 20 {
		cases := genCases(rng, 20+rng.IntN(400), 1+rng.IntN(6))
		scope := Scope{AsOf: genAsOf, BySite: trial%2 == 0}
		if trial%3 == 0 {
			scope.Programme = "restart"
		}
		b, err := json.Marshal(Compute(scope, cases, DefaultReference(), 4))
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatal(err)
		}
		seen := 0
		walkCounts(doc, "", func(measure, key string, n float64) {
			seen++
			if measure == "caseload_per_case_manager" && key == "denominator" {
				return // case managers: staff, published as they are
			}
			if a := math.Abs(n); a >= 1 && a <= 4 {
				t.Errorf("trial %d: %s %s = %v published", trial, measure, key, n)
			}
			if math.Mod(n, 5) != 0 {
				t.Errorf("trial %d: %s %s = %v not rounded to 5", trial, measure, key, n)
			}
		})
		if seen < 50 {
			t.Fatalf("trial %d: only %d counts found: the walk is broken", trial, seen)
		}
	}
}

func TestVictimSurvivorCountedOnce(t *testing.T) {
	var cases []CaseFacts
	for i := range 30 {
		// 30 cases, but cases 20-29 are linked to the victim-survivors of
		// cases 0-9: 20 different women, 10 of them living with him.
		v := int64(i%20 + 1)
		cases = append(cases, CaseFacts{CaseID: int64(i + 1), SiteCode: "S01", Programme: "drive", State: casework.Active,
			ReferredOn: drive.MustDate("2025-01-01"), AllocatedOn: drive.MustDate("2025-01-11"), CaseManagerID: int64(i%3 + 1),
			Victims: []VictimFacts{{ID: v, IDVA: v <= 15, LivingTogether: v <= 10}}})
	}
	r := Compute(Scope{AsOf: asOf}, cases, DefaultReference(), 4)
	for name, want := range map[string]float64{"victim_survivors": 20, "living_together": 10, "idva_coverage": 15.0 / 20,
		"caseload_per_case_manager": 30.0 / 3, "referral_to_allocation_days": 10} {
		if m := find(t, r, name, All, All); m.Suppressed || m.Value != want {
			t.Errorf("%s = %v (withheld %v), want %v", name, m.Value, m.Suppressed, want)
		}
	}
}

func TestEqualityAgainstReference(t *testing.T) {
	// 100 perpetrators: 70 White, 20 Asian, 10 Black; 20 more whose
	// ethnicity is not known (left out of the shares).
	var cases []CaseFacts
	eth := func(i int) string {
		switch {
		case i < 70:
			return "white"
		case i < 90:
			return "asian"
		case i < 100:
			return "black"
		}
		return ""
	}
	for i := range 120 {
		cases = append(cases, CaseFacts{CaseID: int64(i + 1), SiteID: 1, SiteCode: "S01", Programme: "drive",
			ReferredOn: drive.MustDate("2025-01-01"), AllocatedOn: drive.MustDate("2025-01-11"),
			Perpetrator: Equality{Ethnicity: eth(i), DateOfBirth: drive.MustDate("1990-06-01")}})
	}
	ref := DefaultReference()
	r := Compute(Scope{AsOf: asOf}, cases, ref, 4)
	var tab *EqualityTable
	for i, e := range r.Equality {
		if e.Population == PopulationPerpetrators && e.Dimension == DimEthnicity && e.Site == All && e.Programme == All {
			tab = &r.Equality[i]
		}
	}
	if tab == nil {
		t.Fatal("no ethnicity table")
	}
	if tab.Total.Value != 120 || tab.Known.Value != 100 || tab.Reference != ref.National.Source {
		t.Errorf("table %+v", tab)
	}
	for _, row := range tab.Rows {
		if row.Category != "asian" {
			continue
		}
		w := wilson(20, 100)
		if row.Count.Value != 20 || *row.Share != 0.2 || *row.Reference != 0.093 ||
			math.Abs(*row.Difference-0.107) > 1e-12 || math.Abs(row.Interval.Low-(w.Low-0.093)) > 1e-12 {
			t.Errorf("asian row %+v (interval %+v)", row, row.Interval)
		}
		if math.Abs(w.Low-0.1333) > 5e-4 || math.Abs(w.High-0.2888) > 5e-4 {
			t.Errorf("Wilson(20, 100) = %+v, want 0.1333 to 0.2888", w)
		}
	}
	// Age at referral: born 1990-06-01, referred 2025-01-01, so 34.
	for _, e := range r.Equality {
		if e.Population == PopulationPerpetrators && e.Dimension == DimAgeBand && e.Site == All && e.Programme == All {
			for _, row := range e.Rows {
				if (row.Category == "25_34") != (row.Count.Value == 120) {
					t.Errorf("age band %s: %v", row.Category, row.Count)
				}
			}
		}
	}
}

func TestPValueFromPublishedCounts(t *testing.T) {
	b := builder{rules: rules{threshold: 4, minDen: 10, base: 5}}
	worst := 0.0
	for x := 1; x <= 7; x++ {
		worst = max(worst, risk.McNemarExact(20, x))
	}
	tests := []struct {
		name   string
		yn, ny Count
		want   float64
		bound  bool
	}{
		{"both shown", Count{Value: 20}, Count{Value: 10}, risk.McNemarExact(20, 10), false},
		{"one withheld: the largest it could give", Count{Value: 20}, Count{Suppressed: true}, worst, true},
		{"both withheld", Count{Suppressed: true}, Count{Suppressed: true}, 1, true},
	}
	for _, tt := range tests {
		p, bound := b.mcnemar(tt.yn, tt.ny)
		if p != tt.want || bound != tt.bound {
			t.Errorf("%s: p = %v (bound %v), want %v (%v)", tt.name, p, bound, tt.want, tt.bound)
		}
	}
	if worst != risk.McNemarExact(20, 7) {
		t.Errorf("the largest p-value should be at the largest withheld count")
	}
}
