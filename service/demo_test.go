package service_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// TestBackdated checks on both engines that a use case run through a
// backdated service dates what it writes (the note and its audit event)
// then, leaves the service it came from on the clock, and that no time
// after the clock's reading is accepted. Totals counts for the command
// line only.
func TestBackdated(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			cm := w.actor(t, "cm")
			if _, err := w.svc.Backdated(now.Add(time.Minute)); drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("backdated into the future: %v; want invalid", err)
			}
			then := now.AddDate(0, -3, 0).Add(123 * time.Millisecond)
			old, err := w.svc.Backdated(then)
			if err != nil {
				t.Fatal(err)
			}
			head := w.head(t)
			if err := old.AddNote(ctx, cm, w.caseID, &casework.Note{Text: "Met him with his probation practitioner."}); err != nil {
				t.Fatal(err)
			}
			if err := w.svc.AddNote(ctx, cm, w.caseID, &casework.Note{Text: "Discussed the case with the team leader."}); err != nil {
				t.Fatal(err)
			}
			es := w.events(t, head)
			if len(es) != 4 {
				t.Fatalf("audit: %s; want a screen and a write for each note", summary(es))
			}
			for i, e := range es {
				if want := []time.Time{then, then, now, now}[i]; !e.At.Equal(want) {
					t.Errorf("event %d (%s) at %v; want %v", i, e.Action, e.At, want)
				}
			}
			v, err := w.svc.Case(ctx, cm, w.caseID)
			if err != nil {
				t.Fatal(err)
			}
			dated := map[string]time.Time{}
			for _, n := range v.Notes {
				dated[n.Text] = n.CreatedAt
			}
			if got := dated["Met him with his probation practitioner."]; !got.Equal(then) {
				t.Errorf("backdated note dated %v; want %v", got, then)
			}
			if got := dated["Discussed the case with the team leader."]; !got.Equal(now) {
				t.Errorf("note dated %v; want %v", got, now)
			}

			if _, _, err := w.svc.Totals(ctx, cm, []int64{w.siteA.ID}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a case manager counting: %v; want not found", err)
			}
			cases, victims, err := w.svc.Totals(ctx, service.CommandLine(), []int64{w.siteA.ID, w.siteB.ID})
			if err != nil || cases != 1 || victims != 1 {
				t.Errorf("totals: %d cases, %d victim-survivors, %v; want 1 and 1", cases, victims, err)
			}
		})
	}
}

// TestRecordNote checks on both engines that a trusted entry point keeps
// a note written by someone else, with its author and date, sealed and
// screened like any other and audited as the entry point; that a
// correction can name it; and that a person may not ask.
func TestRecordNote(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			cm, lead := w.actor(t, "cm"), w.actor(t, "lead")
			author := w.users["otherCM"].ID // at another site: could not write it today
			if err := w.svc.RecordNote(ctx, lead, w.caseID, &casework.Note{Text: "x", CreatedBy: author}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a person recording a note: %v; want not found", err)
			}
			if err := w.svc.RecordNote(ctx, service.System("demo"), w.caseID+1000, &casework.Note{Text: "x", CreatedBy: author}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a note on no case: %v; want not found", err)
			}
			then := now.AddDate(0, -2, 0)
			old, err := w.svc.Backdated(then)
			if err != nil {
				t.Fatal(err)
			}
			head := w.head(t)
			n := &casework.Note{Text: "Joint visit with probation.", CreatedBy: author}
			if err := old.RecordNote(ctx, service.System("demo"), w.caseID, n); err != nil {
				t.Fatal(err)
			}
			fix := &casework.Note{Text: "Correction: the visit was by video.", CreatedBy: author, Amends: n.ID}
			if err := old.RecordNote(ctx, service.System("demo"), w.caseID, fix); err != nil {
				t.Fatal(err)
			}
			es := w.events(t, head)
			if len(es) != 4 || es[1].Action != "record.write" || es[1].ActorRole != "system" || es[1].Remote != "demo" || !es[1].At.Equal(then) {
				t.Fatalf("audit = %s", summary(es))
			}
			v, err := w.svc.Case(ctx, cm, w.caseID)
			if err != nil {
				t.Fatal(err)
			}
			var got []casework.Note
			for _, vn := range v.Notes {
				if vn.CreatedBy == author {
					got = append(got, vn)
				}
			}
			if len(got) != 2 || got[0].Text != n.Text || !got[0].CreatedAt.Equal(then) || got[1].Amends != n.ID {
				t.Fatalf("notes read back = %+v", got)
			}
		})
	}
}

// TestSeed checks on both engines that only a named system actor may
// seed; that what a seed writes is kept, dated as backdated, with one
// audit event for the whole seed; and that a seed that fails keeps
// nothing and audits nothing.
func TestSeed(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			head := w.head(t)
			person := service.System("demo")
			person.UserID = w.users["lead"].ID
			for name, a := range map[string]service.Actor{"a team leader": w.actor(t, "lead"), "no one": {}, "a system with a user": person} {
				called := false
				err := w.svc.Seed(ctx, a, func(*service.Seeder) error { called = true; return nil })
				if drive.ErrorCode(err) != drive.ENOTFOUND || called {
					t.Fatalf("%s seeding: %v (ran: %v); want not found before anything runs", name, err, called)
				}
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Fatalf("refused seeds audited: %s", summary(es))
			}

			orgName := func(sd *service.Seeder, name string) (bool, error) {
				orgs, err := sd.Organisations(ctx)
				for _, o := range orgs {
					if o.Name == name {
						return true, err
					}
				}
				return false, err
			}
			failed := drive.Errorf(drive.EINVALID, "stop")
			err := w.svc.Seed(ctx, service.System("demo"), func(sd *service.Seeder) error {
				if err := sd.CreateOrganisation(ctx, &account.Organisation{Name: "Left Behind", Kind: account.PoliceForce, SiteIDs: []int64{w.siteA.ID}}); err != nil {
					return err
				}
				return failed
			})
			if err != failed {
				t.Fatalf("failed seed: %v; want its own error", err)
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Fatalf("failed seed audited: %s", summary(es))
			}

			then := now.AddDate(0, -4, 0)
			var p *people.Person
			err = w.svc.Seed(ctx, service.System("demo"), func(sd *service.Seeder) error {
				if kept, err := orgName(sd, "Left Behind"); err != nil || kept {
					return fmt.Errorf("a failed seed's organisation kept: %v, %v", kept, err)
				}
				if _, err := sd.Backdated(sd.Now().Add(time.Minute)); drive.ErrorCode(err) != drive.EINVALID {
					return fmt.Errorf("seeding into the future: %v; want invalid", err)
				}
				old, err := sd.Backdated(then)
				if err != nil {
					return err
				}
				if err := old.CreateOrganisation(ctx, &account.Organisation{Name: "Seeded Homes", Kind: account.HousingProvider, SiteIDs: []int64{w.siteA.ID}}); err != nil {
					return err
				}
				p = &people.Person{SiteID: w.siteA.ID, GivenName: "Dean", FamilyName: "Marsh", Gender: "male", DateOfBirth: drive.MustDate("1988-03-02")}
				return old.CreatePerson(ctx, p)
			})
			if err != nil {
				t.Fatal(err)
			}
			es := w.events(t, head)
			if len(es) != 1 || es[0].Action != service.ActionSeed || es[0].ActorRole != "system" || es[0].ActorID != 0 ||
				es[0].Remote != "demo" || es[0].Outcome != "ok" || !es[0].At.Equal(now) {
				t.Fatalf("audit = %+v; want one demo.seed by the demo, now", es)
			}
			err = w.svc.Seed(ctx, service.System("demo"), func(sd *service.Seeder) error {
				if kept, err := orgName(sd, "Seeded Homes"); err != nil || !kept {
					return fmt.Errorf("seeded organisation not kept: %v, %v", kept, err)
				}
				got, err := sd.Person(ctx, p.ID)
				if err != nil {
					return err
				}
				if got.FamilyName != "Marsh" || !got.CreatedAt.Equal(then) {
					return fmt.Errorf("seeded person = %+v; want Marsh created %v", got, then)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
