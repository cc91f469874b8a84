package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestMARAC checks MARAC lists round-trip on both engines, a re-import is
// idempotent on (reference, date heard), a repeat hearing of a case is a
// new hearing, another site's hearings stay apart, a victim's postcode is
// never stored, and a failed import leaves nothing behind.
func TestMARAC(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t, storetest.FixedClock(storetest.Epoch))
			ctx := context.Background()
			var site, other account.Site
			hs := []incident.Hearing{
				{Ref: "M-1", HeardOn: drive.MustDate("2025-01-09"),
					Victim:      incident.Person{GivenName: "Sam", FamilyName: "Example", DOB: drive.MustDate("1990-05-01"), Postcode: "NM1 1AA"},
					Perpetrator: incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11"), Postcode: "NM4 2XY"}},
				{Ref: "M-2", HeardOn: drive.MustDate("2025-03-04"), Perpetrator: incident.Person{FamilyName: "Doyle"}},
				{Ref: "M-1", HeardOn: drive.MustDate("2025-07-10"), // a repeat MARAC
					Victim:      incident.Person{GivenName: "Sam", FamilyName: "Example"},
					Perpetrator: incident.Person{GivenName: "Daz", FamilyName: "Hollis"}},
			}
			err := db.Transact(ctx, func(tx *store.Tx) error {
				site = account.Site{Code: "NMR", Name: "Northmoor", Region: "R"}
				other = account.Site{Code: "SVV", Name: "Severn Vale", Region: "R"}
				if err := tx.CreateSite(ctx, &site); err != nil {
					return err
				}
				if err := tx.CreateSite(ctx, &other); err != nil {
					return err
				}
				// Listed newest first, to check the order read back.
				n, skipped, err := tx.ImportMARAC(ctx, site.ID, []incident.Hearing{hs[2], hs[1], hs[0]}, nil)
				if n != 3 || skipped != 0 {
					t.Errorf("first import: %d new, %d skipped", n, skipped)
				}
				if err != nil {
					return err
				}
				n, skipped, err = tx.ImportMARAC(ctx, other.ID, hs[:1], nil)
				if n != 1 || skipped != 0 {
					t.Errorf("the same hearing at another site: %d new, %d skipped", n, skipped)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			boom := errors.New("boom")
			err = db.Transact(ctx, func(tx *store.Tx) error {
				n, skipped, err := tx.ImportMARAC(ctx, site.ID, append(hs, incident.Hearing{Ref: "M-3", HeardOn: drive.MustDate("2025-05-05"),
					Perpetrator: incident.Person{GivenName: "A", FamilyName: "B"}}), nil)
				if err != nil {
					return err
				}
				if n != 1 || skipped != 3 {
					t.Errorf("second import: %d new, %d skipped", n, skipped)
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
			var got, since, others []store.MARACHearing
			if err := db.View(ctx, func(tx *store.Tx) error {
				var err error
				if got, err = tx.SiteMARAC(ctx, site.ID, drive.Date{}); err != nil {
					return err
				}
				if since, err = tx.SiteMARAC(ctx, site.ID, drive.MustDate("2025-03-04")); err != nil {
					return err
				}
				others, err = tx.SiteMARAC(ctx, other.ID, drive.Date{})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 {
				t.Fatalf("hearings after a rolled-back import = %d; want 3", len(got))
			}
			ids := map[int64]bool{}
			for i, h := range got {
				want := hs[i]
				want.Victim.Postcode = "" // never stored
				if h.Hearing != want {
					t.Errorf("hearing %d round trip:\n%+v\nwant\n%+v", i, h.Hearing, want)
				}
				if h.ID == 0 || ids[h.ID] {
					t.Errorf("hearing %d has id %d", i, h.ID)
				}
				ids[h.ID] = true
			}
			if len(since) != 2 || since[0].Ref != "M-2" || since[1].HeardOn != hs[2].HeardOn {
				t.Errorf("hearings since 2025-03-04: %+v", since)
			}
			if len(others) != 1 || others[0].ID == got[0].ID || others[0].Perpetrator != hs[0].Perpetrator {
				t.Errorf("the other site's hearings: %+v", others)
			}
		})
	}
}
