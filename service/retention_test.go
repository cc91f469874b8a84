package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/retention"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// TestRetentionRun runs the default schedule on a fake today, 10 January
// 2033, over cases closed either side of the six years, one of them held
// and one linked to a young child, and notifications either side of a
// year: exactly the expired records go, the held one stays until its hold
// is released, and a second run finds nothing more.
func TestRetentionRun(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			w.svc.TextLimit = 1 << 20
			closed := func(on string) (caseID, personID int64) {
				t.Helper()
				err := w.db.Transact(ctx, func(tx *store.Tx) error {
					p := &people.Person{SiteID: w.siteA.ID, GivenName: "Gareth", FamilyName: "Synthetic" + on[:4], DateOfBirth: drive.MustDate("1980-02-03")}
					if err := tx.CreatePerson(ctx, p); err != nil {
						return err
					}
					personID = p.ID
					var err error
					caseID, err = activeCase(ctx, tx, w.siteA.ID, p.ID, w.users["cm"].ID)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				// A document attached while the case is open.
				if _, err := w.svc.AttachCaseDocument(ctx, w.actor(t, "cm"), caseID, "Court order", "order.pdf", []byte("%PDF-1.7 Order")); err != nil {
					t.Fatal(err)
				}
				// A note while the case is open.
				if err := w.svc.AddNote(ctx, w.actor(t, "cm"), caseID, &casework.Note{Text: "Discussed the week."}); err != nil {
					t.Fatal(err)
				}
				err = w.db.Transact(ctx, func(tx *store.Tx) error {
					c, err := tx.Case(ctx, caseID)
					if err != nil {
						return err
					}
					at := drive.MustDate(on).Time().Add(10 * time.Hour)
					c.State, c.ClosedAt, c.ClosureReason = casework.Closed, &at, "completed"
					return tx.UpdateCase(ctx, c)
				})
				if err != nil {
					t.Fatal(err)
				}
				return caseID, personID
			}
			expired, expiredPerson := closed("2026-12-01") // six years end 2032-12-01
			recent, _ := closed("2027-06-01")              // 2033-06-01: not yet
			held, _ := closed("2026-01-01")
			withChild, _ := closed("2026-01-02")
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				if err := tx.LinkVictim(ctx, victim.Link{VictimCaseID: w.victimID, PerpetratorCase: withChild, Relationship: victim.ExPartner}); err != nil {
					return err
				}
				return tx.CreateChild(ctx, &victim.Child{VictimCaseID: w.victimID, PerpetratorCase: withChild, GivenName: "Child",
					DateOfBirth: drive.MustDate("2020-05-01"), Relationship: "both", SocialCare: "none"})
			})
			if err != nil {
				t.Fatal(err)
			}
			for i, at := range []time.Time{time.Date(2031, 12, 1, 9, 0, 0, 0, time.UTC), time.Date(2032, 6, 1, 9, 0, 0, 0, time.UTC)} {
				err := w.db.WithClock(storetest.FixedClock(at)).Transact(ctx, func(tx *store.Tx) error {
					_, err := tx.CreateNotifications(ctx, []store.Notification{{UserID: w.users["cm"].ID, SiteID: w.siteA.ID, Kind: "incident",
						Summary: "New incident", SourceKey: "k" + string(rune('a'+i))}})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
			}

			cli := service.CommandLine()
			hold := &retention.Hold{Class: retention.PerpetratorCase, RecordID: held, Reason: "Civil claim pending", Owner: "Data protection officer"}
			if err := w.svc.PlaceHold(ctx, cli, hold); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.PlaceHold(ctx, w.actor(t, "lead"), &retention.Hold{Class: retention.PerpetratorCase, RecordID: held, Reason: "x", Owner: "y"}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a team leader placing a hold: %v, want ENOTFOUND", err)
			}

			later := &service.Service{DB: w.db.WithClock(storetest.FixedClock(time.Date(2033, 1, 10, 12, 0, 0, 0, time.UTC))), Keys: w.svc.Keys}
			ids := func(cs []retention.Candidate) []int64 {
				var out []int64
				for _, c := range cs {
					out = append(out, c.RecordID)
				}
				return out
			}
			same := func(a, b []int64) bool {
				if len(a) != len(b) {
					return false
				}
				for i := range a {
					if a[i] != b[i] {
						return false
					}
				}
				return true
			}
			// The state without its first line, the audit log's length: a dry
			// run is audited, and changes nothing else.
			records := func() string {
				_, rest, _ := strings.Cut(w.state(t), "\n")
				return rest
			}
			before := records()
			dry, err := later.RetentionRun(ctx, cli, retention.DefaultSchedule(), true)
			if err != nil {
				t.Fatal(err)
			}
			cases, notes := dry.Classes[0], dry.Classes[1]
			if !same(ids(cases.Due), []int64{expired}) || !same(ids(cases.Held), []int64{held}) || len(notes.Due) != 1 {
				t.Fatalf("dry run: cases due %v held %v, notifications due %v", ids(cases.Due), ids(cases.Held), ids(notes.Due))
			}
			if after := records(); after != before {
				t.Errorf("a dry run changed records:\n%s\nthen\n%s", before, after)
			}

			run, err := later.RetentionRun(ctx, cli, retention.DefaultSchedule(), false)
			if err != nil {
				t.Fatal(err)
			}
			if !same(ids(run.Classes[0].Due), []int64{expired}) || !same(ids(run.Classes[0].Held), []int64{held}) {
				t.Fatalf("run: due %v held %v", ids(run.Classes[0].Due), ids(run.Classes[0].Held))
			}
			summary := func(id int64) string {
				var s string
				if err := w.db.View(ctx, func(tx *store.Tx) error {
					c, err := tx.Case(ctx, id)
					if err == nil {
						s = c.Summary
					}
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return s
			}
			sealedNotes := func(caseID int64) int {
				n := 0
				if err := w.db.View(ctx, func(tx *store.Tx) error {
					notes, err := tx.Notes(ctx, caseID)
					for _, note := range notes {
						if !note.Body.IsZero() {
							n++
						}
					}
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			name := func(personID int64) string {
				var s string
				if err := w.db.View(ctx, func(tx *store.Tx) error {
					p, err := tx.Person(ctx, personID)
					if err == nil {
						s = p.GivenName + " " + p.FamilyName
					}
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return s
			}
			if !strings.Contains(summary(expired), "removed") {
				t.Errorf("the expired case's summary is %q", summary(expired))
			}
			for _, id := range []int64{recent, held, withChild, w.caseID} {
				if strings.Contains(summary(id), "removed") {
					t.Errorf("case %d was anonymised but has not expired or is held", id)
				}
			}
			if n := sealedNotes(expired); n != 0 {
				t.Errorf("the expired case keeps %d sealed notes", n)
			}
			docs := func(caseID int64) int {
				var n int
				if err := w.db.View(ctx, func(tx *store.Tx) error {
					d, err := tx.CaseDocuments(ctx, caseID)
					n = len(d)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if n := docs(expired); n != 0 {
				t.Errorf("the expired case keeps %d documents", n)
			}
			if n := docs(held); n != 1 {
				t.Errorf("the held case has %d documents, want its 1", n)
			}
			if n := sealedNotes(held); n != 1 {
				t.Errorf("the held case has %d sealed notes, want its 1", n)
			}
			if got := name(expiredPerson); got != "Removed Removed" {
				t.Errorf("the expired case's person is still %q", got)
			}
			if got := name(w.personID); got != "Darren Hollis" {
				t.Errorf("a person with an open case was anonymised: %q", got)
			}
			var left []store.Notification
			if err := w.db.View(ctx, func(tx *store.Tx) error {
				var err error
				left, err = tx.Notifications(ctx, w.users["cm"].ID, false, 100)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(left) != 1 || left[0].SourceKey != "kb" {
				t.Errorf("notifications left: %+v, want the one less than a year old", left)
			}
			var reasons []string
			for _, ev := range w.events(t, 0) {
				if ev.Action == "retention.run" {
					reasons = append(reasons, ev.RecordType+": "+ev.Reason)
				}
			}
			if strings.Join(reasons, "; ") != "perpetrator_case: 1 anonymised, 1 held; notification: 1 deleted, 0 held; victim_case: 0 anonymised, 0 held; police_extract: 0 anonymised, 0 held" {
				t.Errorf("audit events of the run: %q", reasons)
			}

			// Nothing is done twice; a released hold lets its case go.
			again, err := later.RetentionRun(ctx, cli, retention.DefaultSchedule(), false)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Classes[0].Due) != 0 || len(again.Classes[1].Due) != 0 {
				t.Errorf("a second run found more: %v, %v", ids(again.Classes[0].Due), ids(again.Classes[1].Due))
			}
			if err := w.svc.ReleaseHold(ctx, cli, hold.ID, "Claim settled"); err != nil {
				t.Fatal(err)
			}
			final, err := later.RetentionRun(ctx, cli, retention.DefaultSchedule(), false)
			if err != nil {
				t.Fatal(err)
			}
			if !same(ids(final.Classes[0].Due), []int64{held}) {
				t.Errorf("after the hold's release: due %v, want the held case", ids(final.Classes[0].Due))
			}
		})
	}
}

// TestDailyRetentionRunOnce has two servers start the daily retention run
// at the same moment, on each of three days: each day exactly one of them
// runs it, as its audit events show, and the other changes nothing. The
// expired notification is deleted by the first day's run; the run is
// audited as a retention run is, by the schedule.
func TestDailyRetentionRunOnce(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			err := w.db.WithClock(storetest.FixedClock(time.Date(2031, 12, 1, 9, 0, 0, 0, time.UTC))).Transact(ctx, func(tx *store.Tx) error {
				_, err := tx.CreateNotifications(ctx, []store.Notification{{UserID: w.users["cm"].ID, SiteID: w.siteA.ID, Kind: "incident",
					Summary: "New incident", SourceKey: "old"}})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := w.svc.DailyRetentionRun(ctx, w.actor(t, "lead"), retention.DefaultSchedule(), "a person"); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a person asking for the daily run: %v, want ENOTFOUND", err)
			}
			ranOn := map[string]int{}
			deleted := 0
			for day := 10; day <= 12; day++ {
				at := storetest.FixedClock(time.Date(2033, 1, day, 2, 0, 0, 0, time.UTC))
				start := make(chan struct{})
				type result struct {
					rep service.RetentionReport
					ran bool
					err error
				}
				results := make(chan result, 2)
				for _, name := range []string{"server-a", "server-b"} {
					svc := &service.Service{DB: w.db.WithClock(at), Keys: w.svc.Keys}
					go func() {
						<-start
						rep, ran, err := svc.DailyRetentionRun(ctx, service.Scheduler(), retention.DefaultSchedule(), name)
						results <- result{rep, ran, err}
					}()
				}
				close(start)
				for range 2 {
					r := <-results
					if r.err != nil {
						t.Fatalf("day %d: %v", day, r.err)
					}
					if r.ran {
						ranOn[drive.DateOf(at()).String()]++
						deleted += len(r.rep.Classes[1].Due)
					} else if len(r.rep.Classes) != 0 {
						t.Errorf("day %d: a run that did not run reports %+v", day, r.rep)
					}
				}
			}
			if len(ranOn) != 3 || ranOn["2033-01-10"] != 1 || ranOn["2033-01-11"] != 1 || ranOn["2033-01-12"] != 1 {
				t.Errorf("runs by day: %v, want one on each of three days", ranOn)
			}
			if deleted != 1 {
				t.Errorf("%d notifications deleted, want the one expired", deleted)
			}
			var runs []string
			for _, ev := range w.events(t, 0) {
				if ev.Action == "retention.run" {
					runs = append(runs, ev.Remote+" "+ev.RecordType+": "+ev.Reason)
				}
			}
			want := []string{
				"schedule perpetrator_case: 0 anonymised, 0 held", "schedule notification: 1 deleted, 0 held",
				"schedule victim_case: 0 anonymised, 0 held", "schedule police_extract: 0 anonymised, 0 held",
				"schedule perpetrator_case: 0 anonymised, 0 held", "schedule notification: 0 deleted, 0 held",
				"schedule victim_case: 0 anonymised, 0 held", "schedule police_extract: 0 anonymised, 0 held",
				"schedule perpetrator_case: 0 anonymised, 0 held", "schedule notification: 0 deleted, 0 held",
				"schedule victim_case: 0 anonymised, 0 held", "schedule police_extract: 0 anonymised, 0 held",
			}
			if strings.Join(runs, "\n") != strings.Join(want, "\n") {
				t.Errorf("retention.run events:\n%s\nwant\n%s", strings.Join(runs, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
