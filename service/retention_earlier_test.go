package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/document"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/retention"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// TestRetentionRemovesTextLeftByEarlierRuns has two closed cases and a
// victim-survivor's case anonymised by a run on a fake today, 10 January
// 2033, then given the free text an earlier version of the run left
// behind (an action's outcome, a contact's and a review's summary, a
// document, whom an appointment was with), one case then held. A dry run
// the next day lists the two not held and changes nothing; the run
// removes their text and keeps the held case's, audited by class and
// count; a third run finds nothing and adds no such event; once the hold
// is released the next run removes the held case's text too.
func TestRetentionRemovesTextLeftByEarlierRuns(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			cli := service.CommandLine()
			at := func(day int) *service.Service {
				return &service.Service{DB: w.db.WithClock(storetest.FixedClock(time.Date(2033, 1, day, 12, 0, 0, 0, time.UTC))), Keys: w.svc.Keys}
			}

			var caseA, caseB, victimID int64
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				for i, id := range []*int64{&caseA, &caseB} {
					p := &people.Person{SiteID: w.siteA.ID, GivenName: "Gareth", FamilyName: "Earlier" + string(rune('A'+i)), DateOfBirth: drive.MustDate("1980-02-03")}
					if err := tx.CreatePerson(ctx, p); err != nil {
						return err
					}
					var err error
					if *id, err = activeCase(ctx, tx, w.siteA.ID, p.ID, w.users["cm"].ID); err != nil {
						return err
					}
					c, err := tx.Case(ctx, *id)
					if err != nil {
						return err
					}
					closed := drive.MustDate("2026-12-01").Time().Add(10 * time.Hour)
					c.State, c.ClosedAt, c.ClosureReason = casework.Closed, &closed, "completed"
					if err := tx.UpdateCase(ctx, c); err != nil {
						return err
					}
				}
				v := &victim.Case{SiteID: w.siteA.ID, GivenName: "Olive", FamilyName: "Earlier", OpenedOn: drive.MustDate("2025-01-01")}
				if err := tx.CreateVictimCase(ctx, v); err != nil {
					return err
				}
				v.Open, v.ClosedOn = false, drive.MustDate("2026-01-05")
				victimID = v.ID
				return tx.UpdateVictimCase(ctx, v)
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := at(10).RetentionRun(ctx, cli, retention.DefaultSchedule(), false); err != nil {
				t.Fatal(err)
			}

			// What a run of an earlier version left behind.
			leave := func(tx *store.Tx, caseID, victimCaseID int64) error {
				ap := &appointment.Appointment{SiteID: w.siteA.ID, CaseID: caseID, VictimCaseID: victimCaseID, OwnerID: w.users["cm"].ID,
					StartsAt: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC), Minutes: 30, Place: appointment.Office, With: "his sister at 4 Leftover Lane"}
				if err := tx.CreateAppointment(ctx, ap); err != nil {
					return err
				}
				d := &document.Document{SiteID: w.siteA.ID, CaseID: caseID, VictimCaseID: victimCaseID, Title: "Letter about Leftover Lane",
					FileName: "letter.pdf", Kind: document.PDF, Size: 10, UploadedBy: w.users["cm"].ID}
				if err := tx.CreateDocument(ctx, d, store.SealedValue{Data: []byte("0123456789"), KeyID: "0123456789abcdef"}); err != nil {
					return err
				}
				if caseID == 0 {
					return nil
				}
				on := drive.MustDate("2026-11-01")
				if err := tx.CreateAction(ctx, &casework.Action{CaseID: caseID, Prong: "disrupt", Type: "other", Owner: "Police",
					DueOn: on, Status: casework.ActionDone, Outcome: "Seen at Leftover Lane"}); err != nil {
					return err
				}
				if err := tx.CreateContact(ctx, &casework.Contact{CaseID: caseID, Kind: casework.ContactMade, On: on, Summary: "Talked of Leftover Lane"}); err != nil {
					return err
				}
				return tx.CreateReview(ctx, &casework.Review{CaseID: caseID, On: on, RiskLevel: "high", RiskChange: "unchanged",
					Summary: "Review at Leftover Lane", NextDue: on.AddMonths(3)})
			}
			err = w.db.Transact(ctx, func(tx *store.Tx) error {
				if err := leave(tx, caseA, 0); err != nil {
					return err
				}
				if err := leave(tx, caseB, 0); err != nil {
					return err
				}
				return leave(tx, 0, victimID)
			})
			if err != nil {
				t.Fatal(err)
			}
			hold := &retention.Hold{Class: retention.PerpetratorCase, RecordID: caseB, Reason: "Claim ref. C-12", Owner: "Data protection officer"}
			if err := w.svc.PlaceHold(ctx, cli, hold); err != nil {
				t.Fatal(err)
			}

			// left says how many texts of the case still hold the planted words.
			left := func(caseID, victimCaseID int64) int {
				t.Helper()
				n := 0
				err := w.db.View(ctx, func(tx *store.Tx) error {
					var aps []appointment.Appointment
					var docs []document.Document
					var err error
					if caseID != 0 {
						acts, err := tx.Actions(ctx, caseID)
						if err != nil {
							return err
						}
						cts, err := tx.Contacts(ctx, caseID)
						if err != nil {
							return err
						}
						rvs, err := tx.Reviews(ctx, caseID)
						if err != nil {
							return err
						}
						for _, x := range acts {
							n += strings.Count(x.Outcome, "Leftover")
						}
						for _, x := range cts {
							n += strings.Count(x.Summary, "Leftover")
						}
						for _, x := range rvs {
							n += strings.Count(x.Summary, "Leftover")
						}
						if aps, err = tx.CaseAppointments(ctx, caseID); err != nil {
							return err
						}
						if docs, err = tx.CaseDocuments(ctx, caseID); err != nil {
							return err
						}
					} else {
						if aps, err = tx.VictimAppointments(ctx, victimCaseID); err != nil {
							return err
						}
						docs, err = tx.VictimDocuments(ctx, victimCaseID)
					}
					for _, x := range aps {
						n += strings.Count(x.With, "Leftover")
					}
					n += len(docs)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if a, b, v := left(caseA, 0), left(caseB, 0), left(0, victimID); a != 5 || b != 5 || v != 2 {
				t.Fatalf("texts planted: %d, %d, %d; want 5, 5, 2", a, b, v)
			}
			ids := func(cs []retention.Candidate) []int64 {
				var out []int64
				for _, c := range cs {
					out = append(out, c.RecordID)
				}
				return out
			}
			reasons := func(action string, after int64) string {
				var out []string
				for _, ev := range w.events(t, after) {
					if ev.Action == action && strings.Contains(ev.Reason, "earlier") {
						out = append(out, ev.RecordType+": "+ev.Reason)
					}
				}
				return strings.Join(out, "; ")
			}

			records := func() string {
				_, rest, _ := strings.Cut(w.state(t), "\n")
				return rest
			}
			before, mark := records(), w.head(t)
			dry, err := at(11).RetentionRun(ctx, cli, retention.DefaultSchedule(), true)
			if err != nil {
				t.Fatal(err)
			}
			cases, victims := dry.Classes[0], dry.Classes[2]
			if got := ids(cases.Earlier); len(got) != 1 || got[0] != caseA {
				t.Errorf("dry run: cases anonymised earlier to clear %v, want [%d]", got, caseA)
			}
			if got := ids(cases.EarlierHeld); len(got) != 1 || got[0] != caseB {
				t.Errorf("dry run: held %v, want [%d]", got, caseB)
			}
			if got := ids(victims.Earlier); len(got) != 1 || got[0] != victimID {
				t.Errorf("dry run: victim-survivors' cases %v, want [%d]", got, victimID)
			}
			if after := records(); after != before {
				t.Errorf("a dry run changed records:\n%s\nthen\n%s", before, after)
			}
			if got := reasons("retention.dry_run", mark); got != "perpetrator_case: 1 anonymised earlier still hold free text to remove, 1 held; "+
				"victim_case: 1 anonymised earlier still hold free text to remove, 0 held" {
				t.Errorf("the dry run's events: %q", got)
			}

			mark = w.head(t)
			if _, err := at(11).RetentionRun(ctx, cli, retention.DefaultSchedule(), false); err != nil {
				t.Fatal(err)
			}
			if a, b, v := left(caseA, 0), left(caseB, 0), left(0, victimID); a != 0 || b != 5 || v != 0 {
				t.Errorf("texts left after the run: %d, %d, %d; want 0, 5 (held), 0", a, b, v)
			}
			if got := reasons("retention.run", mark); got != "perpetrator_case: 1 anonymised earlier had the free text they still held removed, 1 held; "+
				"victim_case: 1 anonymised earlier had the free text they still held removed, 0 held" {
				t.Errorf("the run's events: %q", got)
			}
			for _, ev := range w.events(t, mark) {
				if strings.Contains(ev.Reason, "Leftover") || strings.Contains(ev.Reason, "Claim") {
					t.Errorf("an audit event holds a record's text: %+v", ev)
				}
			}

			// Nothing is done twice, and nothing said of it.
			mark = w.head(t)
			again, err := at(12).RetentionRun(ctx, cli, retention.DefaultSchedule(), false)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Classes[0].Earlier)+len(again.Classes[2].Earlier) != 0 || len(again.Classes[0].EarlierHeld) != 1 {
				t.Errorf("a second run: %v %v held %v", ids(again.Classes[0].Earlier), ids(again.Classes[2].Earlier), ids(again.Classes[0].EarlierHeld))
			}
			if got := reasons("retention.run", mark); got != "perpetrator_case: 0 anonymised earlier had the free text they still held removed, 1 held" {
				t.Errorf("the second run's events: %q", got)
			}

			if err := w.svc.ReleaseHold(ctx, cli, hold.ID, "Claim settled"); err != nil {
				t.Fatal(err)
			}
			final, err := at(13).RetentionRun(ctx, cli, retention.DefaultSchedule(), false)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(final.Classes[0].Earlier); len(got) != 1 || got[0] != caseB || left(caseB, 0) != 0 {
				t.Errorf("after the hold's release: %v, %d texts left", got, left(caseB, 0))
			}
			mark = w.head(t)
			if _, err := at(14).RetentionRun(ctx, cli, retention.DefaultSchedule(), false); err != nil {
				t.Fatal(err)
			}
			if got := reasons("retention.run", mark); got != "" {
				t.Errorf("a run with nothing left to remove says %q", got)
			}
		})
	}
}
