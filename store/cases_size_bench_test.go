package store_test

import (
	"context"
	"os"
	"testing"

	"github.com/drive-platform/drive"
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
