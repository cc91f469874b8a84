package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestIncidents checks extracts round-trip on both engines, re-imports
// are idempotent, and a failed import leaves nothing behind.
func TestIncidents(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t, storetest.FixedClock(storetest.Epoch))
			ctx := context.Background()
			var site identity.Site
			recs := []incident.Record{
				{Ref: "R1", On: drive.MustDate("2025-01-02"), Type: "abh", Crime: true,
					Suspect: incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11"), Postcode: "NM4 2XY"},
					Victim:  incident.Person{GivenName: "Sam", FamilyName: "Example", DOB: drive.MustDate("1990-05-01"), Age: 34}},
				{Ref: "R2", On: drive.MustDate("2025-03-04"), Type: "non-crime domestic",
					Suspect: incident.Person{GivenName: "Daz", FamilyName: "Hollis"}},
			}
			err := db.Transact(ctx, func(tx *store.Tx) error {
				site = identity.Site{Code: "NMR", Name: "Northmoor", Region: "R"}
				if err := tx.CreateSite(ctx, &site); err != nil {
					return err
				}
				n, skipped, err := tx.ImportIncidents(ctx, site.ID, recs, nil)
				if n != 2 || skipped != 0 {
					t.Errorf("first import: %d new, %d skipped", n, skipped)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			boom := errors.New("boom")
			err = db.Transact(ctx, func(tx *store.Tx) error {
				n, skipped, err := tx.ImportIncidents(ctx, site.ID, append(recs, incident.Record{Ref: "R3", On: drive.MustDate("2025-05-05"), Type: "abh",
					Suspect: incident.Person{GivenName: "A", FamilyName: "B"}}), nil)
				if err != nil {
					return err
				}
				if n != 1 || skipped != 2 {
					t.Errorf("second import: %d new, %d skipped", n, skipped)
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatal(err)
			}
			var got []incident.Record
			if err := db.View(ctx, func(tx *store.Tx) error {
				var err error
				got, err = tx.SiteIncidents(ctx, site.ID, drive.MustDate("2025-01-01"))
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("incidents after a rolled-back import = %d; want 2", len(got))
			}
			if got[0].Ref != "R1" || !got[0].Crime || got[0].On != recs[0].On || got[0].Suspect.DOB != recs[0].Suspect.DOB || got[0].Victim.Age != 34 {
				t.Fatalf("round trip: %+v", got[0])
			}
			if got[1].Crime || !got[1].Suspect.DOB.IsZero() {
				t.Fatalf("round trip: %+v", got[1])
			}
		})
	}
}
