package demo_test

import (
	"context"
	"math"
	"testing"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/service"
)

// TestDemoOutcomes reads the demo's outcome report as the national team
// does (service.Outcomes, the code path of the pages) and checks every
// headline figure is near the evaluated size (DOMAIN.md "Outcome
// measures"), that each rests on enough cases to mean something, and that
// the exclusions a real site has are there and explained.
//
// Why the tolerances: the demo draws a few hundred cases, so a figure
// moves from seed to seed by its sampling error. A share p over n cases
// has a standard error of sqrt(p(1-p)/n); the test allows three of them
// (a seed misses by more about one time in 400) plus what rounding the
// published numerator and denominator to base 5 can move the value (each
// by up to 2: at most 4/n). The police change is a ratio of incident
// counts: the demo keeps each incident before allocation after closure
// with probability 0.6 and adds new ones at 0.1 of the rate, so over B
// incidents before, its standard error is about sqrt((0.6*0.4+0.1)/B).
func TestDemoOutcomes(t *testing.T) {
	db := generate(t, 42)
	national := readPeople(t, db).withRole(t, access.National, 0)
	svc := &service.Service{DB: db}
	rep, err := svc.Outcomes(context.Background(), signedIn(national), service.OutcomeFilter{BySite: true})
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]outcomes.Measure{}
	for _, m := range rep.Measures {
		if m.Site == outcomes.All && m.Programme == outcomes.All {
			all[m.Name] = m
			t.Logf("%-30s %6d / %-5d = %7.3f  left out: %v", m.Name, m.Numerator, m.Denominator, m.Value, m.Exclusions)
		}
	}
	share := func(p float64, n int) float64 {
		return 3*math.Sqrt(p*(1-p)/float64(n)) + 4/float64(n)
	}
	for _, c := range []struct {
		name     string
		want     float64 // the evaluated size
		minDen   int     // fewer cases than this and the figure says little
		tol      func(n int) float64
		excluded []string // reasons the demo must show
	}{
		{"physical_abuse_stopped", 0.82, 100, func(n int) float64 { return share(0.82, n) },
			[]string{"No exit (T3) behaviour assessment", "T1 and T3 assessed, but every answer at one of them was not known"}},
		{"sexual_abuse_stopped", 0.88, 40, func(n int) float64 { return share(0.88, n) }, []string{"No exit (T3) behaviour assessment"}},
		{"harassment_stalking_stopped", 0.75, 100, func(n int) float64 { return share(0.75, n) }, []string{"No exit (T3) behaviour assessment"}},
		{"jealous_controlling_stopped", 0.73, 100, func(n int) float64 { return share(0.73, n) }, []string{"No exit (T3) behaviour assessment"}},
		{"idva_risk_reduced", 0.82, 100, func(n int) float64 { return share(0.82, n) },
			[]string{"Exit (T3) assessment without a risk rating", "No exit (T3) assessment"}},
		{"police_incidents_change", -0.30, 150, func(n int) float64 { return 3*math.Sqrt(0.34/float64(n)) + 4/float64(n) },
			[]string{"Not closed", "Closed less than 6 months before the report date"}},
	} {
		m, ok := all[c.name]
		if !ok || m.Suppressed || m.NoData {
			t.Errorf("%s: not published (%+v)", c.name, m)
			continue
		}
		if m.Denominator < c.minDen {
			t.Errorf("%s: over %d, want at least %d", c.name, m.Denominator, c.minDen)
		}
		if tol := c.tol(m.Denominator); math.Abs(m.Value-c.want) > tol {
			t.Errorf("%s = %.3f (%d / %d), want %.2f ± %.3f", c.name, m.Value, m.Numerator, m.Denominator, c.want, tol)
		}
		for _, reason := range c.excluded {
			if !hasExclusion(m, reason) {
				t.Errorf("%s: no cases left out for %q (left out: %v)", c.name, reason, m.Exclusions)
			}
		}
	}

	// Fewer repeat MARACs: the demo hears about 18% of closed cases again
	// within a year (below the 28-40% a MARAC is expected to see), within
	// the same sampling tolerance; only cases closed a year ago count, so
	// this rests on fewer cases than the rest.
	m := all["repeat_marac_12m"]
	if m.Suppressed || m.NoData || m.Denominator < 50 || math.Abs(m.Value-0.18) > share(0.18, m.Denominator) {
		t.Errorf("repeat MARAC within 12 months: %d / %d = %.3f (withheld %v); want 0.18 ± %.3f over at least 50 cases",
			m.Numerator, m.Denominator, m.Value, m.Suppressed, share(0.18, max(m.Denominator, 1)))
	}
	if !hasExclusion(m, "Closed less than 12 months before the report date") {
		t.Errorf("repeat MARAC: no cases left out as closed too recently: %v", m.Exclusions)
	}
	// The police measure's means agree with its change.
	before, after := all["police_incidents_before_mean"], all["police_incidents_after_mean"]
	if before.Value <= after.Value || before.Value < 0.5 {
		t.Errorf("police incidents per perpetrator: %.2f before allocation, %.2f after closure; want a fall from a real history", before.Value, after.Value)
	}
	if m := all["dash_score_change"]; m.Suppressed || m.NoData || m.Value >= 0 {
		t.Errorf("mean DASH change %+v; want a published fall", m)
	}

	// Every site's page shows the headline figures too (repeat MARAC may
	// be withheld at a site: a dozen cases or so).
	for _, site := range []string{"NMR", "SVV"} {
		for _, name := range []string{"physical_abuse_stopped", "idva_risk_reduced", "police_incidents_change"} {
			found := false
			for _, m := range rep.Measures {
				if m.Site == site && m.Programme == outcomes.All && m.Name == name {
					found = true
					if m.Suppressed || m.NoData {
						t.Errorf("%s at %s: withheld or without data", name, site)
					}
				}
			}
			if !found {
				t.Errorf("%s at %s: missing", name, site)
			}
		}
	}
}

func hasExclusion(m outcomes.Measure, reason string) bool {
	for _, e := range m.Exclusions {
		if e.Reason == reason && (e.Cases.Suppressed || e.Cases.Value > 0) {
			return true
		}
	}
	return false
}
