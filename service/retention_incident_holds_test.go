package service_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/retention"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestRetentionKeepsHeldIncident holds one of two expired police
// incidents of site A by its site and police reference, and runs the
// schedule on a fake today, 1 June 2032: the dry run lists the held one
// as held and changes nothing; the run anonymises the other expired one
// and keeps the held one and the recent one whole; once the hold is
// lifted the next run anonymises it. Site B's officer, placing a hold on
// a site A incident, is told what a reference no incident has is told;
// the hold is audited by class and number, never the reason.
func TestRetentionKeepsHeldIncident(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			addDPOs(t, w)
			cli, dpo, dpoB := service.CommandLine(), w.actor(t, "dpo"), w.actor(t, "dpoB")
			var recs []incident.Record
			for i, on := range []string{"2026-02-01", "2026-02-02", "2027-02-01"} {
				recs = append(recs, incident.Record{Ref: fmt.Sprintf("NMR-H%d", i+1), On: drive.MustDate(on), Type: "Assault", Crime: true,
					Suspect: incident.Person{GivenName: "Gareth", FamilyName: "Suspectson", DOB: drive.MustDate("1980-01-01"), Postcode: "NM2 2BB"},
					Victim:  incident.Person{GivenName: "Vera", FamilyName: "Victimson", DOB: drive.MustDate("1985-01-01")}})
			}
			if _, _, err := w.svc.ImportIncidents(ctx, cli, w.siteA.Code, recs, nil); err != nil {
				t.Fatal(err)
			}

			// Site B's officer: the same answer as for a reference no
			// incident of the site has.
			errOther := w.svc.PlaceHold(ctx, dpoB, &retention.Hold{Class: retention.Incident, SiteID: w.siteA.ID, Ref: "NMR-H2", Reason: "Claim", Owner: "DPO"})
			errNone := w.svc.PlaceHold(ctx, dpo, &retention.Hold{Class: retention.Incident, SiteID: w.siteA.ID, Ref: "NMR-H9", Reason: "Claim", Owner: "DPO"})
			if drive.ErrorCode(errOther) != drive.EINVALID || strings.ReplaceAll(describeFields(errOther), "H2", "Hn") != strings.ReplaceAll(describeFields(errNone), "H9", "Hn") {
				t.Errorf("site B's officer holding a site A incident: %v %s; a reference no incident has: %v %s", errOther, describeFields(errOther), errNone, describeFields(errNone))
			}
			if err := w.svc.PlaceHold(ctx, w.actor(t, "cm"), &retention.Hold{Class: retention.Incident, SiteID: w.siteA.ID, Ref: "NMR-H2", Reason: "x", Owner: "y"}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a case manager holding an incident: %v, want ENOTFOUND", err)
			}
			start := w.head(t)
			hold := &retention.Hold{Class: retention.Incident, SiteID: w.siteA.ID, Ref: " NMR-H2 ", Reason: "Claim ref. C-31", Owner: "Data protection officer"}
			if err := w.svc.PlaceHold(ctx, dpo, hold); err != nil {
				t.Fatal(err)
			}
			held, err := w.svc.Holds(ctx, dpo, true)
			if err != nil || len(held) != 1 || held[0].Class != retention.Incident || held[0].Ref != "NMR-H2" || held[0].SiteID != w.siteA.ID || held[0].RecordID != hold.RecordID {
				t.Fatalf("holds in force: %+v %v", held, err)
			}
			if mine, err := w.svc.Holds(ctx, dpoB, true); err != nil || len(mine) != 0 {
				t.Errorf("site B's officer sees %+v %v", mine, err)
			}
			var placed []string
			for _, ev := range w.events(t, start) {
				if ev.Action == "retention.hold" {
					placed = append(placed, ev.RecordType+" "+ev.RecordID+" "+ev.Reason)
				}
				if strings.Contains(ev.Reason, "C-31") {
					t.Errorf("an audit event holds the hold's reason: %+v", ev)
				}
			}
			if want := fmt.Sprintf("incident %d legal hold %d", hold.RecordID, hold.ID); len(placed) != 1 || placed[0] != want {
				t.Errorf("the hold's audit events: %q, want %q", placed, want)
			}

			// names gives each incident of site A's names as they stand.
			names := func() map[string]string {
				out := map[string]string{}
				err := w.db.View(ctx, func(tx *store.Tx) error {
					incs, err := tx.SitePoliceIncidents(ctx, w.siteA.ID, drive.Date{})
					for _, r := range incs {
						out[r.Ref] = r.Suspect.GivenName + r.Suspect.FamilyName + r.Victim.GivenName + r.Victim.FamilyName
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			police := func(rep service.RetentionReport) (due, kept []string) {
				for _, c := range rep.Classes {
					if c.Rule.Class != retention.PoliceExtract {
						continue
					}
					for _, x := range c.Due {
						due = append(due, fmt.Sprintf("%s %d", x.Kind, x.RecordID))
					}
					for _, x := range c.Held {
						kept = append(kept, fmt.Sprintf("%s %d", x.Kind, x.RecordID))
					}
				}
				return due, kept
			}
			ids := map[string]int64{}
			err = w.db.View(ctx, func(tx *store.Tx) error {
				for _, ref := range []string{"NMR-H1", "NMR-H2", "NMR-H3"} {
					id, err := tx.IncidentByRef(ctx, w.siteA.ID, ref)
					if err != nil {
						return err
					}
					ids[ref] = id
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			later := func(day int) *service.Service {
				return &service.Service{DB: w.db.WithClock(storetest.FixedClock(time.Date(2032, 6, day, 12, 0, 0, 0, time.UTC))), Keys: w.svc.Keys}
			}

			before := names()
			dry, err := later(1).RetentionRun(ctx, cli, retention.DefaultSchedule(), true)
			if err != nil {
				t.Fatal(err)
			}
			due, kept := police(dry)
			if !slices.Equal(due, []string{fmt.Sprintf("incident %d", ids["NMR-H1"])}) || !slices.Equal(kept, []string{fmt.Sprintf("incident %d", ids["NMR-H2"])}) {
				t.Errorf("dry run: due %v, held %v", due, kept)
			}
			if after := names(); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("a dry run changed incidents: %v then %v", before, after)
			}

			run, err := later(1).RetentionRun(ctx, cli, retention.DefaultSchedule(), false)
			if err != nil {
				t.Fatal(err)
			}
			if due, kept := police(run); len(due) != 1 || len(kept) != 1 {
				t.Errorf("run: due %v, held %v", due, kept)
			}
			got := names()
			if got["NMR-H1"] != "" || got["NMR-H2"] != "GarethSuspectsonVeraVictimson" || got["NMR-H3"] != "GarethSuspectsonVeraVictimson" {
				t.Errorf("incidents after the run: %v; want the expired one anonymised, the held and the recent ones whole", got)
			}

			if err := w.svc.ReleaseHold(ctx, dpo, hold.ID, "Claim settled"); err != nil {
				t.Fatal(err)
			}
			final, err := later(2).RetentionRun(ctx, cli, retention.DefaultSchedule(), false)
			if err != nil {
				t.Fatal(err)
			}
			if due, kept := police(final); !slices.Equal(due, []string{fmt.Sprintf("incident %d", ids["NMR-H2"])}) || len(kept) != 0 {
				t.Errorf("after the hold was lifted: due %v, held %v", due, kept)
			}
			if got := names(); got["NMR-H2"] != "" || got["NMR-H3"] == "" {
				t.Errorf("incidents after the hold was lifted: %v", got)
			}
		})
	}
}
