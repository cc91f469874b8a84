package service_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/linkage"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestPoliceLinks: every case's person is linked to the site's police
// people at import and at referral, whatever the referral's source; a
// suggestion is decided by a team leader and the decision is replayed
// over later imports; the victim side is decided by her IDVA and seen by
// no one on the perpetrator side.
func TestPoliceLinks(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			cli := service.CommandLine()
			darren := incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11"), Postcode: "NM4 2XY"}
			sam := incident.Person{GivenName: "Sam", FamilyName: "Example", DOB: drive.MustDate("1991-04-09"), Age: 35}
			lee := incident.Person{GivenName: "Lee", FamilyName: "Fenwick", DOB: drive.MustDate("1979-07-30"), Postcode: "NM1 1AA"}
			mark := incident.Person{GivenName: "Mark", FamilyName: "Tate", DOB: drive.MustDate("1988-12-01")}
			recs := []incident.Record{
				{Ref: "R1", On: drive.MustDate("2026-06-01"), Type: "abh", Crime: true, Suspect: darren, Victim: sam},
				{Ref: "R2", On: drive.MustDate("2026-08-01"), Type: "harassment", Suspect: lee, Victim: incident.Person{GivenName: "Jo", FamilyName: "Second"}},
				{Ref: "R3", On: drive.MustDate("2026-09-01"), Type: "harassment", Suspect: mark, Victim: incident.Person{GivenName: "Ann", FamilyName: "Third"}},
			}
			// The fixture's Darren Hollis (a MARAC referral) has no date of
			// birth: his name alone makes a suggestion.
			if _, _, err := w.svc.ImportIncidents(ctx, cli, "NMR", recs, nil); err != nil {
				t.Fatal(err)
			}
			lead, cm, idva, other := w.actor(t, "lead"), w.actor(t, "cm"), w.actor(t, "idva"), w.actor(t, "otherCM")
			recsOf := func(a service.Actor, caseID int64) *service.PoliceRecords {
				t.Helper()
				r, err := w.svc.CasePoliceRecords(ctx, a, caseID)
				if err != nil {
					t.Fatalf("police records of case %d: %v", caseID, err)
				}
				return r
			}
			got := recsOf(cm, w.caseID)
			if len(got.Records) != 1 || got.Records[0].Status != linkage.Suggested || got.Records[0].Name != "Darren Hollis" ||
				got.Records[0].Incidents != 1 || got.CanDecide {
				t.Fatalf("the case manager sees %+v; want Darren Hollis suggested, not his to decide", got)
			}
			darrenLink := got.Records[0].LinkID
			// Nothing on the perpetrator side names her.
			if s := fmt.Sprintf("%+v", got); strings.Contains(s, "Example") || strings.Contains(s, herPostcode) || strings.Contains(s, "Sam") {
				t.Errorf("the case's police records name the victim-survivor: %s", s)
			}
			if _, err := w.svc.CasePoliceRecords(ctx, other, w.caseID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("another site's case manager: %v, want not found", err)
			}
			if err := w.svc.DecideCaseLink(ctx, cm, w.caseID, darrenLink, true); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("the case manager deciding: %v, want not found", err)
			}
			if !recsOf(lead, w.caseID).CanDecide {
				t.Error("the team leader may not decide")
			}
			head := w.head(t)
			if err := w.svc.DecideCaseLink(ctx, lead, w.caseID, darrenLink, true); err != nil {
				t.Fatal(err)
			}
			if es := w.events(t, head); len(es) != 1 || es[0].Action != "record.write" || es[0].RecordType != "person_police_link" || es[0].ActorID != w.users["lead"].ID {
				t.Errorf("confirming wrote %s", summary(es))
			}
			if err := w.svc.DecideCaseLink(ctx, lead, w.caseID, darrenLink, false); drive.ErrorCode(err) != drive.ECONFLICT {
				t.Errorf("deciding twice: %v, want conflict", err)
			}

			// Referrals after the import are linked at once: Lee Fenwick by
			// name and date of birth, Mark Tate (no date known) suggested.
			lr, err := w.svc.Refer(ctx, lead, referral(w, "Lee", "Fenwick", "1979-07-30"))
			if err != nil {
				t.Fatal(err)
			}
			if r := recsOf(lead, lr.CaseID).Records; len(r) != 1 || r[0].Status != linkage.Linked || r[0].Decided || r[0].Name != "Lee Fenwick" {
				t.Errorf("Lee Fenwick's records at referral: %+v, want one link", r)
			}
			in := referral(w, "Mark", "Tate", "1988-12-01")
			in.Person.DateOfBirth = drive.Date{}
			mr, err := w.svc.Refer(ctx, lead, in)
			if err != nil {
				t.Fatal(err)
			}
			mrecs := recsOf(lead, mr.CaseID).Records
			if len(mrecs) != 1 || mrecs[0].Status != linkage.Suggested {
				t.Fatalf("Mark Tate's records at referral: %+v, want one suggestion", mrecs)
			}
			if err := w.svc.DecideCaseLink(ctx, lead, w.caseID, mrecs[0].LinkID, false); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("deciding another case's link: %v, want not found", err)
			}
			if err := w.svc.DecideCaseLink(ctx, lead, mr.CaseID, mrecs[0].LinkID, false); err != nil {
				t.Fatal(err)
			}

			// The victim side: her IDVA sees and decides; the perpetrator
			// side does not see it at all.
			vrecs, err := w.svc.VictimPoliceRecords(ctx, idva, w.victimID)
			if err != nil || len(vrecs.Records) != 1 || vrecs.Records[0].Status != linkage.Suggested || vrecs.Records[0].Name != "Sam Example" {
				t.Fatalf("her IDVA sees %+v, %v; want Sam Example suggested", vrecs, err)
			}
			for _, a := range []service.Actor{cm, lead, other} {
				if _, err := w.svc.VictimPoliceRecords(ctx, a, w.victimID); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("%d reading her police records: %v, want not found", a.UserID, err)
				}
				if err := w.svc.DecideVictimLink(ctx, a, w.victimID, vrecs.Records[0].LinkID, true); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("%d deciding her link: %v, want not found", a.UserID, err)
				}
			}
			if err := w.svc.DecideVictimLink(ctx, idva, w.victimID, vrecs.Records[0].LinkID, true); err != nil {
				t.Fatal(err)
			}

			// A later import and a run over the whole database replay the
			// decisions: the confirmed link stays, the rejected pair is
			// not suggested again.
			more := []incident.Record{{Ref: "R4", On: drive.MustDate("2026-10-01"), Type: "abh", Crime: true, Suspect: mark, Victim: incident.Person{GivenName: "Ann", FamilyName: "Third"}}}
			if _, _, err := w.svc.ImportIncidents(ctx, cli, "NMR", more, nil); err != nil {
				t.Fatal(err)
			}
			head = w.head(t)
			run, err := w.svc.LinkCases(ctx, cli, "")
			if err != nil {
				t.Fatal(err)
			}
			if run.People != 3 || run.Victims != 1 || run.Count(store.PersonSide, linkage.Linked) != 2 ||
				run.Count(store.PersonSide, linkage.Suggested) != 0 || run.Count(store.VictimSide, linkage.Linked) != 1 {
				t.Errorf("link-cases: %+v", run)
			}
			if es := w.events(t, head); len(es) != 2 || es[0].Action != "police_links.run" || es[0].ActorRole != "system" {
				t.Errorf("link-cases wrote %s", summary(es))
			}
			if r := recsOf(lead, w.caseID).Records; len(r) != 1 || r[0].Status != linkage.Linked || !r[0].Decided || r[0].DecidedBy != "User lead" {
				t.Errorf("Darren's records after a later import: %+v", r)
			}
			if r := recsOf(lead, mr.CaseID).Records; len(r) != 0 {
				t.Errorf("Mark Tate's rejected suggestion came back: %+v", r)
			}
			if _, err := w.svc.LinkCases(ctx, lead, ""); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a person running link-cases: %v, want not found", err)
			}

			// A resolution that merges Darren's police person into another
			// moves the confirmed link there, still confirmed.
			darrenPolice := recsOf(lead, w.caseID).Records[0].PolicePerson
			var moved int64
			err = w.db.Transact(ctx, func(tx *store.Tx) error {
				ids, err := tx.NewPolicePeople(ctx, w.siteA.ID, "suspect", 1)
				if err != nil {
					return err
				}
				moved = ids[0]
				rows, err := tx.PersonIncidents(ctx, darrenPolice)
				if err != nil {
					return err
				}
				var as []store.PersonAssignment
				for _, r := range rows {
					if r.SuspectPerson == darrenPolice {
						as = append(as, store.PersonAssignment{Incident: r.ID, Suspect: moved, Victim: r.VictimPerson})
					}
				}
				if err := tx.AssignPeople(ctx, as); err != nil {
					return err
				}
				return tx.SetMergedInto(ctx, map[int64]int64{darrenPolice: moved}, nil)
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.LinkCases(ctx, cli, "NMR"); err != nil {
				t.Fatal(err)
			}
			if r := recsOf(lead, w.caseID).Records; len(r) != 1 || r[0].PolicePerson != moved || !r[0].Decided || r[0].Status != linkage.Linked {
				t.Errorf("Darren's records after a merge: %+v, want his confirmed link moved to %d", r, moved)
			}

			// A referral from the identification list is linked to the
			// suspect it was referred as, whatever the rules say of the
			// name it was referred under.
			var leePolice int64
			if err := w.db.View(ctx, func(tx *store.Tx) error {
				ls, err := tx.PoliceLinks(ctx, store.PersonSide, lr.PersonID)
				if len(ls) == 1 {
					leePolice = ls[0].PolicePerson
				}
				return err
			}); err != nil || leePolice == 0 {
				t.Fatalf("Lee's police person: %v", err)
			}
			in = referral(w, "Leonard", "Fenwick-Brown", "1969-01-05")
			in.Case.Source = casework.FromPoliceList
			in.Entry = &store.CaseScore{Kind: "entry", PolicePerson: leePolice, ScoredOn: drive.DateOf(now), StrategyCode: "test",
				StrategyVersion: "1", Total: 10, Components: "{}", Incidents: 1}
			pr, err := w.svc.Refer(ctx, lead, in)
			if err != nil {
				t.Fatal(err)
			}
			if r := recsOf(lead, pr.CaseID).Records; len(r) != 1 || r[0].PolicePerson != leePolice || r[0].Status != linkage.Linked ||
				!strings.HasPrefix(r[0].Evidence, "identification list") {
				t.Errorf("a list referral's records: %+v, want the suspect it was referred as", r)
			}
		})
	}
}
