package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/store"
)

// RunPoliceLinks runs the part of the storage contract that links Drive's
// people and victim-survivors to police people (migration 0013) against
// one engine: finding mentions, recording what the linker found, keeping
// decisions over later runs, and following merges.
func RunPoliceLinks(t *testing.T, e Engine) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *vFixture)
	}{
		{"MentionsAndOpenCases", testLinkMentions},
		{"DecisionsOutliveLaterRuns", testLinkDecisionsKept},
		{"VictimSideIsItsOwnTable", testVictimSideLinks},
		{"MentionsFoundByBlockingKeys", testMentionsLike},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newVictimFixture(t, e.Open(t, FixedClock(Epoch))))
		})
	}
}

// policeFixture stores two incidents at site A: Perry Able against a
// victim, and Paul Stone against another, with their resolved people.
func (f *vFixture) policeFixture(t *testing.T) (perry, paul, vic1, vic2 int64) {
	t.Helper()
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		sus, err := tx.NewPolicePeople(ctx, f.a.ID, "suspect", 2)
		if err != nil {
			return err
		}
		vic, err := tx.NewPolicePeople(ctx, f.a.ID, "victim", 2)
		if err != nil {
			return err
		}
		perry, paul, vic1, vic2 = min(sus[0], sus[1]), max(sus[0], sus[1]), min(vic[0], vic[1]), max(vic[0], vic[1])
		recs := []incident.Record{
			{Ref: "INC-1", On: drive.MustDate("2025-06-01"), Type: "assault", Crime: true,
				Suspect: incident.Person{GivenName: "Perry", FamilyName: "Able", DOB: drive.MustDate("1980-05-05"), Postcode: "M1 1AA"},
				Victim:  incident.Person{GivenName: "Vera", FamilyName: "North", DOB: drive.MustDate("1990-01-02")}},
			{Ref: "INC-2", On: drive.MustDate("2025-07-01"), Type: "harassment",
				Suspect: incident.Person{GivenName: "Paul", FamilyName: "Stone"},
				Victim:  incident.Person{GivenName: "Wendy", FamilyName: "South"}},
			{Ref: "INC-3", On: drive.MustDate("2025-08-01"), Type: "harassment",
				Suspect: incident.Person{GivenName: "Perry", FamilyName: "Able", DOB: drive.MustDate("1980-05-05"), Postcode: "M1 1AA"},
				Victim:  incident.Person{GivenName: "Vera", FamilyName: "North", DOB: drive.MustDate("1990-01-02")}},
		}
		return tx.InsertIncidents(ctx, f.a.ID, recs, []int64{perry, paul, perry}, []int64{vic1, vic2, vic1}, nil)
	})
	return
}

func testLinkMentions(t *testing.T, f *vFixture) {
	perry, paul, vic1, _ := f.policeFixture(t)
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		sus, err := tx.SuspectMentions(ctx, f.a.ID)
		if err != nil {
			return err
		}
		if len(sus) != 2 {
			t.Errorf("suspect mentions = %+v, want Perry once (two identical incidents) and Paul", sus)
		}
		for _, m := range sus {
			if m.Person == perry && (m.FamilyName != "Able" || m.DOB != drive.MustDate("1980-05-05") || m.Postcode != "M1 1AA") {
				t.Errorf("Perry's mention = %+v", m)
			}
			if m.Person != perry && m.Person != paul {
				t.Errorf("mention of someone else: %+v", m)
			}
		}
		vic, err := tx.VictimMentions(ctx, f.a.ID)
		if err != nil {
			return err
		}
		if len(vic) != 2 {
			t.Errorf("victim mentions = %+v, want two", vic)
		}
		for _, m := range vic {
			if m.Postcode != "" {
				t.Errorf("a victim mention carries a postcode: %+v", m)
			}
			if m.Person == vic1 && m.DOB != drive.MustDate("1990-01-02") {
				t.Errorf("Vera's mention = %+v", m)
			}
		}
		if other, err := tx.SuspectMentions(ctx, f.b.ID); err != nil || len(other) != 0 {
			t.Errorf("site B's mentions = %+v, %v; want none", other, err)
		}
		open, err := tx.OpenCasePeople(ctx, f.a.ID)
		if err != nil {
			return err
		}
		if len(open) != 2 || open[0] != f.caseA.PersonID && open[1] != f.caseA.PersonID {
			t.Errorf("open case people at A = %v, want the people of cases A and A2", open)
		}
		return nil
	})
}

func testLinkDecisionsKept(t *testing.T, f *vFixture) {
	perry, paul, _, _ := f.policeFixture(t)
	var suggested, linked store.PoliceLink
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		linked = store.PoliceLink{SiteID: f.a.ID, Subject: f.caseA.PersonID, PolicePerson: perry, Status: "linked", Score: 16, Evidence: "family name; given name; date of birth"}
		if err := tx.PutPoliceLink(ctx, store.PersonSide, &linked); err != nil {
			return err
		}
		suggested = store.PoliceLink{SiteID: f.a.ID, Subject: f.caseA.PersonID, PolicePerson: paul, Status: "suggested", Score: 9}
		return tx.PutPoliceLink(ctx, store.PersonSide, &suggested)
	})
	if linked.ID == 0 || suggested.ID == 0 || linked.ID == suggested.ID {
		t.Fatalf("ids %d and %d", linked.ID, suggested.ID)
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.DecidePoliceLink(ctx, store.PersonSide, suggested.ID, "rejected", f.lead.ID); err != nil {
			return err
		}
		if err := tx.DecidePoliceLink(ctx, store.PersonSide, 999999, "rejected", f.lead.ID); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("deciding no link: %v, want ENOTFOUND", err)
		}
		// A later run finds both again: the rejected pair stays rejected,
		// the undecided one takes the new weight, and the ids stay.
		again := store.PoliceLink{SiteID: f.a.ID, Subject: f.caseA.PersonID, PolicePerson: paul, Status: "suggested", Score: 10}
		if err := tx.PutPoliceLink(ctx, store.PersonSide, &again); err != nil {
			return err
		}
		if again.ID != suggested.ID {
			t.Errorf("a second run made a new row %d, want %d", again.ID, suggested.ID)
		}
		weaker := store.PoliceLink{SiteID: f.a.ID, Subject: f.caseA.PersonID, PolicePerson: perry, Status: "suggested", Score: 12, Evidence: "family name; given name"}
		return tx.PutPoliceLink(ctx, store.PersonSide, &weaker)
	})
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		ls, err := tx.PoliceLinks(ctx, store.PersonSide, f.caseA.PersonID)
		if err != nil {
			return err
		}
		if len(ls) != 2 {
			t.Fatalf("links = %+v", ls)
		}
		if ls[0].Status != "suggested" || ls[0].Score != 12 || ls[0].DecidedBy != 0 || !ls[0].CreatedAt.Equal(Epoch.Truncate(time.Microsecond)) {
			t.Errorf("undecided link after a later run = %+v", ls[0])
		}
		if ls[1].Status != "rejected" || ls[1].Score != 9 || ls[1].DecidedBy != f.lead.ID || ls[1].DecidedAt == nil || !ls[1].DecidedAt.Equal(Epoch.Truncate(time.Microsecond)) {
			t.Errorf("rejected link after a later run = %+v", ls[1])
		}
		if err := tx.DecidePoliceLink(ctx, store.PersonSide, ls[0].ID, "linked", f.lead.ID); err != nil {
			return err
		}
		by, err := tx.LinkedSubjects(ctx, store.PersonSide, []int64{perry, paul})
		if err != nil {
			return err
		}
		if len(by) != 1 || len(by[perry]) != 1 || by[perry][0] != f.caseA.PersonID {
			t.Errorf("linked subjects = %v, want Perry to case A's person only", by)
		}
		return nil
	})
	err := f.db.Transact(context.Background(), func(tx *store.Tx) error {
		ls, _ := tx.PoliceLinks(context.Background(), store.PersonSide, f.caseA.PersonID)
		return tx.MovePoliceLink(context.Background(), store.PersonSide, ls[1].ID, perry+1000)
	})
	if drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("moving a link to no police person: %v, want EINVALID", err)
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		ls, _ := tx.PoliceLinks(ctx, store.PersonSide, f.caseA.PersonID)
		if err := tx.DeletePoliceLink(ctx, store.PersonSide, ls[0].ID); err != nil {
			return err
		}
		site, err := tx.SitePoliceLinks(ctx, store.PersonSide, f.a.ID)
		if err != nil {
			return err
		}
		if len(site) != 1 || site[0].ID != ls[1].ID {
			t.Errorf("site links after a delete = %+v", site)
		}
		if _, err := tx.PoliceLink(ctx, store.PersonSide, ls[0].ID); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("a deleted link: %v, want ENOTFOUND", err)
		}
		return nil
	})
}

func testVictimSideLinks(t *testing.T, f *vFixture) {
	_, _, vic1, vic2 := f.policeFixture(t)
	vc := f.victim(t, f.a, "Vera", "North", f.idva1, nil)
	closed := f.victim(t, f.a, "Wendy", "South", f.idva1, nil)
	closed.Open, closed.ClosedOn = false, cwToday
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateVictimCase(ctx, closed) })
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		l := store.PoliceLink{SiteID: f.a.ID, Subject: vc.ID, PolicePerson: vic1, Status: "linked", Score: 16}
		if err := tx.PutPoliceLink(ctx, store.VictimSide, &l); err != nil {
			return err
		}
		if err := tx.MovePoliceLink(ctx, store.VictimSide, l.ID, vic2); err != nil {
			return err
		}
		got, err := tx.PoliceLink(ctx, store.VictimSide, l.ID)
		if err != nil {
			return err
		}
		if got.Subject != vc.ID || got.PolicePerson != vic2 {
			t.Errorf("victim link = %+v", got)
		}
		if ls, err := tx.PoliceLinks(ctx, store.PersonSide, vc.ID); err != nil || len(ls) != 0 {
			t.Errorf("the perpetrator side holds %+v, %v", ls, err)
		}
		open, err := tx.OpenVictimCases(ctx, f.a.ID)
		if err != nil {
			return err
		}
		if len(open) != 1 || open[0].ID != vc.ID {
			t.Errorf("open victim cases = %+v, want Vera's only", open)
		}
		return nil
	})
}
