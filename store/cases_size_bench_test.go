package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// BenchmarkPersonCasesAtSize times reading one person's cases, as the
// person page does, in a site of 100,000 cases (storetest.FillSite), beside
// the page of the site's 1,000 newest cases the page used to read and
// filter. On SQLite unless DRIVE_BENCH_ENGINE=postgres.
//
//	go test ./store -run '^$' -bench PersonCasesAtSize -benchtime 2s
func BenchmarkPersonCasesAtSize(b *testing.B) {
	e := storetest.Engine{Name: "sqlite"}
	if os.Getenv("DRIVE_BENCH_ENGINE") == "postgres" {
		e.Name = "postgres"
	}
	dsn := e.Blank(b)
	db := storetest.OpenAt(b, dsn, storetest.FixedClock(benchNow))
	ctx := context.Background()
	var siteID, personID int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		s := &account.Site{Code: "BIG", Name: "Big site", Region: "North West"}
		if err := tx.CreateSite(ctx, s); err != nil {
			return err
		}
		if err := tx.SeedProgrammes(ctx, s.ID); err != nil {
			return err
		}
		p := &people.Person{SiteID: s.ID, GivenName: "Darren", FamilyName: "Hollis"}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		for i := 0; i < 3; i++ {
			c := &casework.Case{SiteID: s.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC,
				ReferredAt: drive.DateOf(benchNow).AddDays(-100 * i), Summary: "Referral", Evidence: programme.Evidence{DASHScore: 15}}
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
		}
		siteID, personID = s.ID, p.ID
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	storetest.FillSite(b, dsn, siteID, 100_000, casework.Referred, benchNow.Add(1))
	today := drive.DateOf(benchNow)
	b.Run("PersonCases", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			err := db.View(ctx, func(tx *store.Tx) error {
				rows, err := tx.PersonCases(ctx, siteID, personID, today)
				if err == nil && len(rows) != 3 {
					b.Fatalf("got %d cases; want 3", len(rows))
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("SiteNewest1000", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			err := db.View(ctx, func(tx *store.Tx) error {
				_, _, err := tx.Cases(ctx, store.CaseFilter{SiteIDs: []int64{siteID}, Limit: 1000}, today)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDuplicateCheckAtSize times what the referral's duplicate check
// reads in a site of 100,000 people (storetest.FillSite): the records near
// a date of birth (PeopleNear) beside every record at the site
// (PeopleAtSites, what the check used to read and compare). On SQLite
// unless DRIVE_BENCH_ENGINE=postgres.
//
//	go test ./store -run '^$' -bench DuplicateCheckAtSize -benchtime 2s
func BenchmarkDuplicateCheckAtSize(b *testing.B) {
	e := storetest.Engine{Name: "sqlite"}
	if os.Getenv("DRIVE_BENCH_ENGINE") == "postgres" {
		e.Name = "postgres"
	}
	dsn := e.Blank(b)
	db := storetest.OpenAt(b, dsn, storetest.FixedClock(benchNow))
	ctx := context.Background()
	var siteID int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		s := &account.Site{Code: "BIG", Name: "Big site", Region: "North West"}
		if err := tx.CreateSite(ctx, s); err != nil {
			return err
		}
		siteID = s.ID
		return tx.SeedProgrammes(ctx, s.ID)
	})
	if err != nil {
		b.Fatal(err)
	}
	storetest.FillSite(b, dsn, siteID, 100_000, casework.Referred, benchNow.Add(-1))
	born := drive.MustDate("1960-01-01").AddDays(123)
	near := people.BirthDatesNear(born)
	b.Run("PeopleNear", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			err := db.View(ctx, func(tx *store.Tx) error {
				ps, err := tx.PeopleNear(ctx, []int64{siteID}, near, "")
				if err == nil && len(ps) == 0 {
					b.Fatal("no one near")
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PeopleAtSites", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			err := db.View(ctx, func(tx *store.Tx) error {
				_, err := tx.PeopleAtSites(ctx, []int64{siteID})
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCasePagesAtSize times one page of 50 cases of the case list
// (CasesPage, with its count), as /cases and GET /api/v1/cases read it,
// at the first page, the 500th and the 1,000th (the last) of a site of
// 50,000 cases (storetest.FillSite), in the list's orders. Pages are found
// by a keyset from the previous page's edge, so the 500th should cost
// what the first does. On SQLite unless DRIVE_BENCH_ENGINE=postgres.
//
//	go test ./store -run '^$' -bench CasePagesAtSize -benchtime 20x
func BenchmarkCasePagesAtSize(b *testing.B) {
	e := storetest.Engine{Name: "sqlite"}
	if os.Getenv("DRIVE_BENCH_ENGINE") == "postgres" {
		e.Name = "postgres"
	}
	dsn := e.Blank(b)
	db := storetest.OpenAt(b, dsn, storetest.FixedClock(benchNow))
	ctx := context.Background()
	var siteID int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		s := &account.Site{Code: "BIG", Name: "Big site", Region: "North West"}
		if err := tx.CreateSite(ctx, s); err != nil {
			return err
		}
		siteID = s.ID
		return tx.SeedProgrammes(ctx, s.ID)
	})
	if err != nil {
		b.Fatal(err)
	}
	const size, page = 50_000, 50
	storetest.FillSite(b, dsn, siteID, size, casework.Referred, benchNow.Add(1))
	spreadChanges(b, db, e.Name, siteID)
	today := drive.DateOf(benchNow)
	for _, order := range []string{"-updated", "referred", "name", "state", "-state"} {
		// The cursors at the edge of pages 499 and 999, found by walking
		// the list a thousand cases at a time.
		edges := map[int]*store.CaseCursor{}
		f := store.CaseFilter{SiteIDs: []int64{siteID}, Sort: order, Limit: 1000}
		for read := 0; read < size; {
			var p store.CasePage
			if err := db.View(ctx, func(tx *store.Tx) (err error) { p, err = tx.CasesPage(ctx, f, today); return err }); err != nil {
				b.Fatal(err)
			}
			for i, r := range p.Rows {
				if n := read + i + 1; n == 499*page || n == 999*page {
					cur := store.CaseCursorAt(order, r)
					edges[n/page+1] = &cur
				}
			}
			read += len(p.Rows)
			if !p.More {
				if read != size {
					b.Fatalf("%s: walked %d cases; want %d", order, read, size)
				}
				break
			}
			cur := store.CaseCursorAt(order, p.Rows[len(p.Rows)-1])
			f.After = &cur
		}
		for _, n := range []int{1, 500, 1000} {
			b.Run(fmt.Sprintf("%s/page-%d", order, n), func(b *testing.B) {
				f := store.CaseFilter{SiteIDs: []int64{siteID}, Sort: order, Limit: page, After: edges[n]}
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					var p store.CasePage
					if err := db.View(ctx, func(tx *store.Tx) (err error) { p, err = tx.CasesPage(ctx, f, today); return err }); err != nil {
						b.Fatal(err)
					}
					if len(p.Rows) != page || p.Total != store.CaseCountLimit || !p.Over {
						b.Fatalf("page %d: %d rows of %d", n, len(p.Rows), p.Total)
					}
				}
			})
		}
	}
}

// BenchmarkTeamListsAtSize times one page of 50 of each of the team
// leader's lists (TeamListPage, with its count) at the first page, the
// middle one and the last, in a site of 50,000 cases of which seven in ten
// are closed and 2,500 are on each list (mixStates), beside the read each
// list's page made before: every open case of the site (TeamDashboard),
// filtered and cut in Go. On SQLite unless DRIVE_BENCH_ENGINE=postgres.
//
//	go test ./store -run '^$' -bench TeamListsAtSize -benchtime 20x
func BenchmarkTeamListsAtSize(b *testing.B) {
	e := storetest.Engine{Name: "sqlite"}
	if os.Getenv("DRIVE_BENCH_ENGINE") == "postgres" {
		e.Name = "postgres"
	}
	dsn := e.Blank(b)
	db := storetest.OpenAt(b, dsn, storetest.FixedClock(benchNow))
	ctx := context.Background()
	var siteID, otherID, managerID int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		s := &account.Site{Code: "BIG", Name: "Big site", Region: "North West"}
		if err := tx.CreateSite(ctx, s); err != nil {
			return err
		}
		o := &account.Site{Code: "OTH", Name: "Other site", Region: "North West"}
		if err := tx.CreateSite(ctx, o); err != nil {
			return err
		}
		siteID, otherID = s.ID, o.ID
		org := &account.Organisation{Name: "Provider", Kind: account.Provider, SiteIDs: []int64{s.ID}}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		u := &account.User{Username: "case.manager", DisplayName: "Case Manager", OrganisationID: org.ID, PasswordHash: "x",
			Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: s.ID}}}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		managerID = u.ID
		return tx.SeedProgrammes(ctx, s.ID)
	})
	if err != nil {
		b.Fatal(err)
	}
	const size, page = 50_000, 50
	storetest.FillSite(b, dsn, siteID, size, casework.Referred, benchNow.Add(1))
	spreadChanges(b, db, e.Name, siteID)
	mixStates(b, db, siteID, otherID, managerID)
	today := drive.DateOf(benchNow)
	cutoff := today.AddDays(-13).Time()
	lists := []struct {
		list store.TeamList
		site int64
	}{
		{store.TeamUnallocated, siteID}, {store.TeamOverdue, siteID}, {store.TeamNoContact, siteID},
		{store.TeamReviews, siteID}, {store.TeamTransfers, otherID},
	}
	for _, l := range lists {
		// The case at the edge of every page, walking the list.
		f := store.TeamListFilter{SiteID: l.site, List: l.list, Limit: page, NoContactBefore: map[string]time.Time{"drive": cutoff}, NoContactOther: cutoff}
		edges := []int64{0}
		total := 0
		for {
			var p store.CasePage
			if err := db.View(ctx, func(tx *store.Tx) (err error) { p, err = tx.TeamListPage(ctx, f, today); return err }); err != nil {
				b.Fatal(err)
			}
			total += len(p.Rows)
			if !p.More {
				if total != p.Total {
					b.Fatalf("%s: walked %d cases; the count says %d", l.list, total, p.Total)
				}
				break
			}
			f.After = p.Rows[len(p.Rows)-1].Case.ID
			edges = append(edges, f.After)
		}
		pages := len(edges)
		for _, n := range []int{1, (pages + 1) / 2, pages} {
			b.Run(fmt.Sprintf("%s/page-%d-of-%d", l.list, n, pages), func(b *testing.B) {
				f.After = edges[n-1]
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					var p store.CasePage
					if err := db.View(ctx, func(tx *store.Tx) (err error) { p, err = tx.TeamListPage(ctx, f, today); return err }); err != nil {
						b.Fatal(err)
					}
					if len(p.Rows) == 0 || p.Total != total {
						b.Fatalf("page %d: %d rows of %d", n, len(p.Rows), p.Total)
					}
				}
			})
		}
	}
	b.Run("before/TeamDashboard", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if err := db.View(ctx, func(tx *store.Tx) error { _, err := tx.TeamDashboard(ctx, siteID, today, 14, 12); return err }); err != nil {
				b.Fatal(err)
			}
		}
	})
}
