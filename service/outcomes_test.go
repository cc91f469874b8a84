package service_test

import (
	"context"
	"testing"

	"github.com/drive-platform/drive"
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
