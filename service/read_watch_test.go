package service_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestWatchReads: an account that reads more than the threshold at a site
// within the window raises one alert for that site's data protection
// officers, once per window; an account under it raises none; reads
// before the first sweep do not count.
func TestWatchReads(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			clock := now
			w := newWorldAt(t, e, func() time.Time { return clock })
			ctx := context.Background()
			reads := func(user string, n int) {
				t.Helper()
				err := w.db.Transact(ctx, func(tx *store.Tx) error {
					for i := 0; i < n; i++ {
						if err := tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: w.users[user].ID, ActorRole: "case_manager",
							RecordType: "case", RecordID: strconv.Itoa(i), SiteID: w.siteA.ID, Remote: "192.0.2.1", Outcome: audit.OutcomeAllowed}); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			watch := &service.ReadWatch{Window: 10 * time.Minute, Threshold: 50}
			sweep := func() int {
				t.Helper()
				n, err := w.svc.WatchReads(ctx, watch)
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			reads("cm", 80) // before the watch starts: not counted
			if n := sweep(); n != 0 {
				t.Fatalf("first sweep raised %d", n)
			}
			clock = clock.Add(time.Minute)
			reads("cm", 60)
			reads("lead", 20)
			if n := sweep(); n != 1 {
				t.Fatalf("60 reads in a minute: %d alerts, want 1", n)
			}
			clock = clock.Add(time.Minute)
			reads("cm", 60)
			if n := sweep(); n != 0 {
				t.Fatalf("a second alert within the window: %d", n)
			}
			var alerts int
			err := w.db.View(ctx, func(tx *store.Tx) error {
				as, err := tx.Alerts(ctx, []int64{w.siteA.ID}, false, 100)
				for _, a := range as {
					if a.Kind == service.AlertManyReads {
						alerts++
						if a.UserID != w.users["cm"].ID || a.SiteID != w.siteA.ID {
							t.Errorf("alert %+v: want the case manager at site A", a)
						}
					}
				}
				return err
			})
			if err != nil || alerts != 1 {
				t.Fatalf("%d many-reads alerts (%v), want 1", alerts, err)
			}
			// After the window, reading on still alerts again.
			clock = clock.Add(11 * time.Minute)
			sweep()
			clock = clock.Add(time.Minute)
			reads("cm", 60)
			if n := sweep(); n != 1 {
				t.Fatalf("a new window: %d alerts, want 1", n)
			}
		})
	}
}
