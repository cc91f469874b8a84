package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// TestOutcomesAccess: the site's staff read their site's outcomes (the
// policy gives every site role its aggregates); another site's staff may
// not ask for it, and asking for a site one may not read is "not found".
func TestOutcomesAccess(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			rep, err := w.svc.Outcomes(ctx, w.actor(t, "lead"), service.OutcomeFilter{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, m := range rep.Measures {
				if m.Site == "all" && m.Programme == "all" {
					got[m.Name] = m.Definition
				}
			}
			for _, name := range []string{"perpetrators", "physical_abuse_stopped", "police_incidents_change", "repeat_marac_12m", "idva_coverage"} {
				if got[name] == "" {
					t.Errorf("measure %s missing or without a definition", name)
				}
			}
			for _, m := range rep.Measures {
				if m.Name == "perpetrators" && m.Site == "all" && m.Programme == "all" && !m.Suppressed {
					t.Fatalf("one perpetrator published unsuppressed: %+v", m)
				}
			}
			if _, err := w.svc.Outcomes(ctx, w.actor(t, "lead"), service.OutcomeFilter{SiteIDs: []int64{w.siteB.ID}}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("team leader asking for another site: %v; want not found", err)
			}
			if _, err := w.svc.Outcomes(ctx, w.actor(t, "cm"), service.OutcomeFilter{SiteIDs: []int64{w.siteA.ID}}); err != nil {
				t.Fatalf("case manager reading the site's outcomes: %v", err)
			}
			if _, err := w.svc.Outcomes(ctx, w.actor(t, "otherCM"), service.OutcomeFilter{SiteIDs: []int64{w.siteA.ID}}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("another site's case manager reading this site's outcomes: %v; want not found", err)
			}
			sites, national, err := w.svc.OutcomeSites(ctx, w.actor(t, "otherCM"))
			if err != nil || national || len(sites) != 1 || sites[0].ID != w.siteB.ID {
				t.Fatalf("another site's case manager reports on %+v (national %v), %v", sites, national, err)
			}
			from, to := drive.DateOf(now), drive.DateOf(now).AddDays(-1)
			if _, err := w.svc.Outcomes(ctx, w.actor(t, "lead"), service.OutcomeFilter{From: from, To: to}); drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("a period ending before it starts: %v; want invalid", err)
			}
		})
	}
}

// TestReportCache: within its time a computed report is served again (a
// case added meanwhile shows only once it expires); access is still
// decided on every request, and every request is audited.
func TestReportCache(t *testing.T) {
	e := storetest.Engines(t)[0]
	ctx := context.Background()
	clock := newMovable(now)
	w := newWorldAt(t, e, clock.now)
	w.svc.Reports = service.NewReportCache(10 * time.Minute)
	lead := w.actor(t, "lead")
	perpetrators := func() outcomes.Measure {
		t.Helper()
		rep, err := w.svc.Outcomes(ctx, lead, service.OutcomeFilter{SiteIDs: []int64{w.siteA.ID}})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range rep.Measures {
			if m.Name == "perpetrators" && m.Site == "all" && m.Programme == "all" {
				return m
			}
		}
		t.Fatal("no perpetrators measure")
		return outcomes.Measure{}
	}
	before := perpetrators()
	for range 12 {
		w.newCase(t)
	}
	head := w.head(t)
	if got := perpetrators(); got.Numerator != before.Numerator || got.Suppressed != before.Suppressed {
		t.Fatalf("within the cache's time the report changed: %+v, was %+v", got, before)
	}
	if es := w.events(t, head); len(es) != 1 || es[0].RecordType != "report" {
		t.Fatalf("a cached read was not audited: %s", summary(es))
	}
	if _, err := w.svc.Outcomes(ctx, w.actor(t, "otherCM"), service.OutcomeFilter{SiteIDs: []int64{w.siteA.ID}}); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Fatalf("another site's case manager got the cached report: %v", err)
	}
	clock.set(now.Add(11 * time.Minute))
	if got := perpetrators(); got.Suppressed || got.Numerator < 10 {
		t.Fatalf("after the cache's time the new cases do not show: %+v", got)
	}
}

// TestSiteReferencePopulation: a site's equality tables compare with its
// own reference population once one is set, and with England and Wales
// otherwise; only configuration writers may set it.
func TestSiteReferencePopulation(t *testing.T) {
	e := storetest.Engines(t)[0]
	ctx := context.Background()
	w := newWorld(t, e)
	lead := w.actor(t, "lead")
	source := func() string {
		t.Helper()
		rep, err := w.svc.Outcomes(ctx, lead, service.OutcomeFilter{SiteIDs: []int64{w.siteA.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Equality) == 0 {
			t.Fatal("no equality tables")
		}
		return rep.Equality[0].Reference
	}
	if got := source(); !strings.Contains(got, "England and Wales") {
		t.Fatalf("reference before a site's own: %q", got)
	}
	ref, err := service.ParseReferencePopulation([]byte(`{"source": "ONS Census 2021, Northmoor", "shares": {"ethnicity": {"white": 0.7, "asian": 0.2}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.SetReferencePopulation(ctx, lead, w.siteA.ID, ref); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Fatalf("a team leader setting the reference: %v; want not found", err)
	}
	if err := w.svc.SetReferencePopulation(ctx, service.CommandLine(), w.siteA.ID, ref); err != nil {
		t.Fatal(err)
	}
	if got := source(); got != "ONS Census 2021, Northmoor" {
		t.Fatalf("reference after the site's own was set: %q", got)
	}
	for _, bad := range []string{`{"shares": {"sex": {"female": 0.5}}}`, `{"source": "x", "shares": {"height": {"tall": 0.5}}}`,
		`{"source": "x", "shares": {"sex": {"female": 1.5}}}`, `{"source": "x", "shares": {}, "extra": 1}`, `not json`} {
		if _, err := service.ParseReferencePopulation([]byte(bad)); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: %v; want invalid", bad, err)
		}
	}
}
