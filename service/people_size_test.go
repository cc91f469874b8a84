package service_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestPersonShowsEveryCaseAtSize holds the person record (the person page
// and GET /api/v1/people/{id} both read it) to every one of the person's
// cases when the site holds 100,000 cases changed more recently than
// theirs. The record used to be cut from a page of the site's newest
// cases, which dropped the person's cases once the site passed 1,000.
func TestPersonShowsEveryCaseAtSize(t *testing.T) {
	const siteCases = 100_000
	ctx := context.Background()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.Blank(t)
			at := storetest.Engine{Name: e.Name, Open: func(t testing.TB, now func() time.Time) *store.DB { return storetest.OpenAt(t, dsn, now) }}
			w := newWorld(t, at)
			// A second, closed case for the same person, so "every" is more
			// than one.
			var closedID int64
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				c := &casework.Case{SiteID: w.siteA.ID, PersonID: w.personID, Programme: "drive", Source: casework.FromMARAC,
					ReferredAt: drive.DateOf(tx.Now).AddDays(-400), Summary: "Earlier referral", Evidence: programme.Evidence{DASHScore: 15}}
				if err := tx.CreateCase(ctx, c); err != nil {
					return err
				}
				closedAt := tx.Now
				c.State, c.DecisionReasons, c.DecidedAt, c.ClosureReason, c.ClosedAt = casework.Closed, "Agreed", &closedAt, "completed", &closedAt
				c.CaseManagerID = w.users["cm"].ID
				closedID = c.ID
				return tx.UpdateCase(ctx, c)
			})
			if err != nil {
				t.Fatal(err)
			}
			storetest.FillSite(t, dsn, w.siteA.ID, siteCases, casework.Referred, now.Add(time.Hour))

			var total int
			if err := w.db.View(ctx, func(tx *store.Tx) error {
				_, n, err := tx.Cases(ctx, store.CaseFilter{SiteIDs: []int64{w.siteA.ID}}, drive.DateOf(now))
				total = n
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if total != siteCases+2 {
				t.Fatalf("the site holds %d cases; want %d", total, siteCases+2)
			}

			for _, who := range []string{"cm", "lead"} {
				p, rows, err := w.svc.Person(ctx, w.actor(t, who), w.personID)
				if err != nil {
					t.Fatalf("%s: %v", who, err)
				}
				if p.ID != w.personID {
					t.Fatalf("%s: got person %d; want %d", who, p.ID, w.personID)
				}
				var ids []int64
				for _, r := range rows {
					ids = append(ids, r.Case.ID)
				}
				slices.Sort(ids)
				want := []int64{w.caseID, closedID}
				slices.Sort(want)
				if !slices.Equal(ids, want) {
					t.Errorf("%s sees cases %v on the person's record; want %v", who, ids, want)
				}
			}
		})
	}
}
