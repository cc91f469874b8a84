package service_test

import (
	"context"
	"os"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/incident/synth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestIdentificationListRankedOncePerVersion holds a server's cached
// identification list to ranking a site once per version of the police
// data and day: views in between are served from memory and are the very
// list an uncached service ranks, an import ranks it again (and the new
// list shows what was imported), and so does the turn of the day.
func TestIdentificationListRankedOncePerVersion(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			clock := &authClock{t: now}
			w := newWorldAt(t, e, clock.Now)
			cache := &service.IdentificationCache{}
			cached := &service.Service{DB: w.db, Keys: w.svc.Keys, Identification: cache}
			fresh := &service.Service{DB: w.db, Keys: w.svc.Keys}
			lead := w.actor(t, "lead")
			recs, _ := synth.Generate(synth.Config{Incidents: 3000, Seed: 5, End: drive.DateOf(now), RefPrefix: "NMR"})
			if _, _, err := w.svc.ImportIncidents(ctx, service.CommandLine(), "NMR", recs, nil); err != nil {
				t.Fatal(err)
			}
			same := func(when string, wantRanked, wantHits int) []service.Suspect {
				t.Helper()
				got, err := cached.IdentificationList(ctx, lead, w.siteA.ID, 25)
				if err != nil {
					t.Fatalf("%s: %v", when, err)
				}
				want, err := fresh.IdentificationList(ctx, lead, w.siteA.ID, 25)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 || !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: the cached list (%d) is not the list ranked afresh (%d)", when, len(got), len(want))
				}
				if cache.Ranked() != wantRanked || cache.Hits() != wantHits {
					t.Fatalf("%s: ranked %d times with %d views from memory; want %d and %d", when, cache.Ranked(), cache.Hits(), wantRanked, wantHits)
				}
				return got
			}
			first := same("first view", 1, 0)
			same("second view", 1, 1)
			same("third view", 1, 2)
			all, err := cached.IdentificationList(ctx, lead, w.siteA.ID, 0)
			if err != nil || len(all) <= len(first) || cache.Ranked() != 1 || cache.Hits() != 3 {
				t.Fatalf("the whole list from memory: %d suspects, %v, ranked %d times", len(all), err, cache.Ranked())
			}
			zeal := func(l []service.Suspect) bool {
				for _, s := range l {
					if s.Latest.FamilyName == "Zeal" {
						return true
					}
				}
				return false
			}
			if zeal(all) {
				t.Fatal("the new man is listed before his incidents are imported")
			}

			// A new man with twelve recent incidents against three women
			// tops the list once they are imported.
			var extra []incident.Record
			for i := 0; i < 12; i++ {
				extra = append(extra, incident.Record{Ref: "NMR-NEW-" + string(rune('A'+i)), On: drive.DateOf(now).AddDays(-i - 1), Type: "domestic", Crime: true,
					Suspect: incident.Person{GivenName: "Quentin", FamilyName: "Zeal", DOB: drive.MustDate("1979-05-05")},
					Victim:  incident.Person{GivenName: []string{"Ada", "Bea", "Cat"}[i%3], FamilyName: "Example", DOB: drive.MustDate("1985-01-0" + string(rune('1'+i%3)))}})
			}
			if _, _, err := w.svc.ImportIncidents(ctx, service.CommandLine(), "NMR", extra, nil); err != nil {
				t.Fatal(err)
			}
			same("after an import", 2, 3)
			if all, err = cached.IdentificationList(ctx, lead, w.siteA.ID, 0); err != nil || !zeal(all) {
				t.Fatalf("after the import the new man is not listed (%v)", err)
			}
			same("again after the import", 2, 5)

			clock.Add(24 * time.Hour)
			same("the next day", 3, 5)
		})
	}
}

// BenchmarkIdentificationList times one view of a site's identification
// list (the first 50) for DRIVE_BENCH_INCIDENTS synthetic incidents
// (default 45,000; a large force holds 450,000): ranked on every view, as
// the commands do, beside served from a server's IdentificationCache. On
// SQLite unless DRIVE_BENCH_ENGINE=postgres.
//
//	go test ./service -run '^$' -bench BenchmarkIdentificationList -benchtime 5x
func BenchmarkIdentificationList(b *testing.B) {
	n := 45000
	if v, err := strconv.Atoi(os.Getenv("DRIVE_BENCH_INCIDENTS")); err == nil && v > 0 {
		n = v
	}
	open := storetest.OpenSQLite
	if os.Getenv("DRIVE_BENCH_ENGINE") == "postgres" {
		open = storetest.OpenPostgres
	}
	ctx := context.Background()
	db := open(b, storetest.FixedClock(now))
	site := account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
	var analyst *account.User
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSite(ctx, &site); err != nil {
			return err
		}
		org := &account.Organisation{Name: "Northmoor Police", Kind: account.PoliceForce, SiteIDs: []int64{site.ID}}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		analyst = &account.User{Username: "analyst", DisplayName: "Analyst", OrganisationID: org.ID, PasswordHash: "x",
			Roles: []account.RoleAssignment{{Role: access.Analyst, SiteID: site.ID}}}
		return tx.CreateUser(ctx, analyst)
	})
	if err != nil {
		b.Fatal(err)
	}
	recs, _ := synth.Generate(synth.Config{Incidents: n, Seed: 9, End: drive.DateOf(now), RefPrefix: "NMR"})
	svc := &service.Service{DB: db}
	if _, _, err := svc.ImportIncidents(ctx, service.CommandLine(), "NMR", recs, nil); err != nil {
		b.Fatal(err)
	}
	a := service.Actor{UserID: analyst.ID, OrganisationID: analyst.OrganisationID, Remote: "bench",
		Subject: access.Subject{UserID: analyst.ID, OrganisationID: analyst.OrganisationID, Grants: []access.Grant{{Role: access.Analyst, SiteID: site.ID}}}}
	for _, c := range []struct {
		name string
		svc  *service.Service
	}{{"ranked", svc}, {"cached", &service.Service{DB: db, Identification: &service.IdentificationCache{}}}} {
		b.Run(c.name, func(b *testing.B) {
			if _, err := c.svc.IdentificationList(ctx, a, site.ID, 50); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if l, err := c.svc.IdentificationList(ctx, a, site.ID, 50); err != nil || len(l) != 50 {
					b.Fatalf("%d suspects, %v", len(l), err)
				}
			}
		})
	}
}
