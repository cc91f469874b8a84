package service_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident/synth"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// BenchmarkLinkSite measures what linking adds to each import of a large
// site: every import links the site's open cases and IDVA cases again
// (service.LinkCases does the same work on its own, so it is what is
// timed), against the import itself. LINK_BENCH_INCIDENTS sets the
// site's size (default 45,000); the site has 300 open cases and 300 open
// IDVA cases, a busy site's caseload, half of them people in the extract.
//
//	LINK_BENCH_INCIDENTS=450000 go test ./service -run '^$' -bench BenchmarkLinkSite -benchtime 1x
func BenchmarkLinkSite(b *testing.B) {
	n := 45000
	if v, err := strconv.Atoi(os.Getenv("LINK_BENCH_INCIDENTS")); err == nil && v > 0 {
		n = v
	}
	for range b.N {
		ctx := context.Background()
		db := storetest.OpenSQLite(b, storetest.FixedClock(now))
		svc := &service.Service{DB: db}
		site := account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
		recs, _ := synth.Generate(synth.Config{Incidents: n, Seed: 7, End: drive.DateOf(now), RefPrefix: site.Code})
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateSite(ctx, &site); err != nil {
				return err
			}
			if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
				return err
			}
			for i := range 300 {
				p := &people.Person{SiteID: site.ID, GivenName: "Invented", FamilyName: "Person" + strconv.Itoa(i), DateOfBirth: drive.MustDate("1980-01-01").AddDays(i)}
				v := &victim.Case{SiteID: site.ID, GivenName: "Invented", FamilyName: "Woman" + strconv.Itoa(i), Gender: "female", OpenedOn: drive.DateOf(now)}
				if i%2 == 0 { // someone in the extract
					r := recs[(i*7919)%len(recs)]
					p.GivenName, p.FamilyName, p.DateOfBirth = r.Suspect.GivenName, r.Suspect.FamilyName, r.Suspect.DOB
					if r.Victim.GivenName != "" && r.Victim.FamilyName != "" {
						v.GivenName, v.FamilyName, v.DateOfBirth = r.Victim.GivenName, r.Victim.FamilyName, r.Victim.DOB
					}
				}
				if p.GivenName == "" || p.FamilyName == "" || p.DateOfBirth.Year < 1920 {
					p.GivenName, p.FamilyName, p.DateOfBirth = "Invented", "Person"+strconv.Itoa(i), drive.Date{}
				}
				if err := tx.CreatePerson(ctx, p); err != nil {
					return err
				}
				c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.DateOf(now),
					Summary: "Measured", Evidence: programme.Evidence{DASHScore: 16}}
				if err := tx.CreateCase(ctx, c); err != nil {
					return err
				}
				if err := tx.CreateVictimCase(ctx, v); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		cli := service.CommandLine()
		start := time.Now()
		if _, _, err := svc.ImportIncidents(ctx, cli, site.Code, recs, nil); err != nil {
			b.Fatal(err)
		}
		imported := time.Since(start)
		start = time.Now()
		run, err := svc.LinkCases(ctx, cli, site.Code)
		if err != nil {
			b.Fatal(err)
		}
		linked := time.Since(start)
		b.ReportMetric(imported.Seconds(), "import-with-linking-s")
		b.ReportMetric(linked.Seconds(), "linking-s")
		b.ReportMetric(100*linked.Seconds()/(imported.Seconds()-linked.Seconds()), "linking-%-of-import")
		b.ReportMetric(float64(len(run.Pairs)), "pairs")
	}
}
