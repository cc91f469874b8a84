package service_test

import (
	"context"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// TestSitesAndOrganisations checks configuration through the service on
// both engines: the command line adds a site (with its programmes) and an
// organisation, audited; a case manager is told "not found"; a site code
// that names no site is refused and nothing is written; a programme's
// settings change only for those who administer them, audited.
func TestSitesAndOrganisations(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			cli := service.CommandLine()
			head := w.head(t)
			if err := w.svc.CreateSite(ctx, w.actor(t, "cm"), &account.Site{Code: "ZZA", Name: "Zedland", Region: "South"}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a case manager adding a site: %v, want not found", err)
			}
			if err := w.svc.CreateOrganisation(ctx, cli, &account.Organisation{Name: "Zed Police", Kind: account.PoliceForce}, []string{"NOPE"}); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("an organisation at an unknown site: %v, want invalid", err)
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Fatalf("refusals wrote %d events", len(es))
			}
			site := &account.Site{Code: "ZZA", Name: "Zedland", Region: "South"}
			if err := w.svc.CreateSite(ctx, cli, site); err != nil {
				t.Fatal(err)
			}
			org := &account.Organisation{Name: "Zed Police", Kind: account.PoliceForce}
			if err := w.svc.CreateOrganisation(ctx, cli, org, []string{"ZZA"}); err != nil {
				t.Fatal(err)
			}
			if len(org.SiteIDs) != 1 || org.SiteIDs[0] != site.ID {
				t.Errorf("organisation sites = %v, want [%d]", org.SiteIDs, site.ID)
			}
			es := w.events(t, head)
			if len(es) != 2 || es[0].Action != "site.create" || es[1].Action != "organisation.create" || es[0].ActorRole != "system" || es[0].Remote != "cli" {
				t.Errorf("audit = %+v", summary(es))
			}
			sites, err := w.svc.Sites(ctx, cli)
			if err != nil || len(sites) != 3 {
				t.Errorf("sites = %d, %v; want 3", len(sites), err)
			}

			// The new site has its programmes; their settings are
			// configuration, changed only by those who administer it.
			_, progs, err := w.svc.Programmes(ctx, cli, "ZZA")
			if err != nil || len(progs) != 2 {
				t.Fatalf("programmes at the new site: %d, %v; want Drive and Restart", len(progs), err)
			}
			p, err := w.svc.Programme(ctx, cli, "ZZA", "drive")
			if err != nil {
				t.Fatal(err)
			}
			p.CaseloadLimit = 9
			head = w.head(t)
			if _, err := w.svc.SetProgramme(ctx, w.actor(t, "cm"), "ZZA", p); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a case manager at another site changing a programme: %v, want not found", err)
			}
			if _, err := w.svc.SetProgramme(ctx, cli, "ZZA", p); err != nil {
				t.Fatal(err)
			}
			if got, err := w.svc.Programme(ctx, cli, "ZZA", "drive"); err != nil || got.CaseloadLimit != 9 {
				t.Errorf("caseload limit after the change: %v", err)
			}
			if es := w.events(t, head); len(es) != 1 || es[0].Action != "programme.set" || es[0].SiteID != site.ID {
				t.Errorf("programme change audited as %s", summary(es))
			}
		})
	}
}
