package store_test

import (
	"context"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestIncidents checks, on both engines, that incidents round-trip with
// the people they are stored with, that a reference the site already
// holds is a conflict that leaves nothing of the failed import behind,
// and that the site's references can be listed to tell new from held.
func TestIncidents(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t, storetest.FixedClock(storetest.Epoch))
			ctx := context.Background()
			var site account.Site
			var people []int64
			recs := []incident.Record{
				{Ref: "R1", On: drive.MustDate("2025-01-02"), Type: "abh", Crime: true,
					Suspect: incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11"), Postcode: "NM4 2XY"},
					Victim:  incident.Person{GivenName: "Sam", FamilyName: "Example", DOB: drive.MustDate("1990-05-01"), Age: 34}},
				{Ref: "R2", On: drive.MustDate("2025-03-04"), Type: "non-crime domestic",
					Suspect: incident.Person{GivenName: "Daz", FamilyName: "Hollis"}},
			}
			err := db.Transact(ctx, func(tx *store.Tx) error {
				site = account.Site{Code: "NMR", Name: "Northmoor", Region: "R"}
				if err := tx.CreateSite(ctx, &site); err != nil {
					return err
				}
				var err error
				if people, err = tx.NewPolicePeople(ctx, site.ID, "suspect", 2); err != nil {
					return err
				}
				if err := tx.InsertIncidents(ctx, site.ID, recs, []int64{people[0], people[0]}, []int64{people[1]}, nil); drive.ErrorCode(err) != drive.EINTERNAL {
					t.Errorf("people not matching the incidents: %v; want EINTERNAL", err)
				}
				return tx.InsertIncidents(ctx, site.ID, recs, []int64{people[0], people[0]}, []int64{0, 0}, nil)
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.Transact(ctx, func(tx *store.Tx) error {
				more := append([]incident.Record{{Ref: "R3", On: drive.MustDate("2025-05-05"), Type: "abh",
					Suspect: incident.Person{GivenName: "A", FamilyName: "B"}}}, recs[0])
				return tx.InsertIncidents(ctx, site.ID, more, []int64{0, 0}, []int64{0, 0}, nil)
			})
			if drive.ErrorCode(err) != drive.ECONFLICT {
				t.Fatalf("a reference the site holds: %v; want ECONFLICT", err)
			}
			var got []store.PoliceIncident
			var refs map[string]bool
			if err := db.View(ctx, func(tx *store.Tx) error {
				var err error
				if got, err = tx.SitePoliceIncidents(ctx, site.ID, drive.MustDate("2025-01-01")); err != nil {
					return err
				}
				refs, err = tx.IncidentRefs(ctx, site.ID)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || len(refs) != 2 || !refs["R1"] || !refs["R2"] {
				t.Fatalf("after a failed import: %d incidents, references %v; want R1 and R2 only", len(got), refs)
			}
			if got[0].Ref != "R1" || !got[0].Crime || got[0].On != recs[0].On || got[0].Suspect.DOB != recs[0].Suspect.DOB || got[0].Victim.Age != 34 ||
				got[0].SuspectPerson != people[0] || got[0].VictimPerson != 0 {
				t.Fatalf("round trip: %+v", got[0])
			}
			if got[1].Crime || !got[1].Suspect.DOB.IsZero() || got[1].SuspectPerson != people[0] {
				t.Fatalf("round trip: %+v", got[1])
			}
		})
	}
}
