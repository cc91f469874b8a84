package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestPolicePeople checks, on both engines, the people a resolution
// stores: many created and assigned at once (more than one statement's
// batch), confirmation, rulings, cross-site groups and a case's scores.
func TestPolicePeople(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t, storetest.FixedClock(storetest.Epoch))
			ctx := context.Background()
			err := db.Transact(ctx, func(tx *store.Tx) error {
				site := account.Site{Code: "NMR", Name: "Northmoor", Region: "R"}
				if err := tx.CreateSite(ctx, &site); err != nil {
					return err
				}
				org := &account.Organisation{Name: "Org", Kind: account.Provider}
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				u := &account.User{Username: "ana", DisplayName: "Ana", OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X"}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				const n = 1234
				var recs []incident.Record
				for i := range n {
					recs = append(recs, incident.Record{Ref: fmt.Sprintf("R%d", i), On: drive.MustDate("2025-01-01").AddDays(i % 300), Type: "abh",
						Suspect: incident.Person{GivenName: "A", FamilyName: fmt.Sprintf("B%d", i)}})
				}
				if err := tx.InsertIncidents(ctx, site.ID, recs, make([]int64, n), make([]int64, n), nil); err != nil {
					return err
				}
				ids, err := tx.NewPolicePeople(ctx, site.ID, "suspect", n)
				if err != nil {
					return err
				}
				seen := map[int64]bool{}
				for _, id := range ids {
					seen[id] = true
				}
				if len(ids) != n || len(seen) != n {
					t.Fatalf("%d ids, %d distinct; want %d", len(ids), len(seen), n)
				}
				victims, err := tx.NewPolicePeople(ctx, site.ID, "victim", 1)
				if err != nil {
					return err
				}
				rows, err := tx.SitePoliceIncidents(ctx, site.ID, drive.Date{})
				if err != nil {
					return err
				}
				var as []store.PersonAssignment
				want := map[int64]int64{}
				for i, r := range rows {
					a := store.PersonAssignment{Incident: r.ID, Suspect: ids[i]}
					if i%2 == 0 {
						a.Victim = victims[0]
					}
					as = append(as, a)
					want[r.ID] = ids[i]
				}
				if err := tx.AssignPeople(ctx, as); err != nil {
					return err
				}
				rows, err = tx.SitePoliceIncidents(ctx, site.ID, drive.Date{})
				if err != nil {
					return err
				}
				withVictim := 0
				for _, r := range rows {
					if r.SuspectPerson != want[r.ID] {
						t.Fatalf("incident %d: suspect %d; want %d", r.ID, r.SuspectPerson, want[r.ID])
					}
					if r.VictimPerson != 0 {
						withVictim++
					}
				}
				if withVictim != (n+1)/2 {
					t.Fatalf("%d incidents with the victim; want %d", withVictim, (n+1)/2)
				}
				if got, err := tx.PersonIncidents(ctx, victims[0]); err != nil || len(got) != (n+1)/2 {
					t.Fatalf("the victim's incidents: %d %v", len(got), err)
				}

				if err := tx.SetConfirmed(ctx, ids[0], u.ID); err != nil {
					return err
				}
				p, err := tx.PolicePerson(ctx, ids[0])
				if err != nil || p.ConfirmedBy != u.ID || p.ConfirmedAt == nil || p.Role != "suspect" {
					t.Fatalf("confirmed person: %+v %v", p, err)
				}
				if err := tx.SetConfirmed(ctx, ids[0], 0); err != nil {
					return err
				}
				if p, _ = tx.PolicePerson(ctx, ids[0]); p.ConfirmedAt != nil {
					t.Fatal("confirmation not cleared")
				}
				if _, err := tx.PolicePerson(ctx, 999999); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Fatalf("missing person: %v", err)
				}

				d := &store.Ruling{SiteID: site.ID, Role: "suspect", Kind: "split", PersonID: ids[0], Incidents: []int64{rows[0].ID, rows[1].ID}, Reason: "Custody record", UserID: u.ID}
				if err := tx.AddRuling(ctx, d); err != nil {
					return err
				}
				ds, err := tx.Rulings(ctx, site.ID)
				if err != nil || len(ds) != 1 || len(ds[0].Incidents) != 2 || ds[0].Incidents[1] != rows[1].ID || ds[0].Reason != "Custody record" {
					t.Fatalf("decisions: %+v %v", ds, err)
				}

				if err := tx.SetNationalMatches(ctx, map[int64]int64{ids[1]: ids[1], ids[2]: ids[1]}); err != nil {
					return err
				}
				if m, err := tx.NationalMatchPeople(ctx); err != nil || len(m) != 2 || m[0].NationalMatch != ids[1] {
					t.Fatalf("matches: %+v %v", m, err)
				}
				if err := tx.SetNationalMatches(ctx, nil); err != nil {
					return err
				}
				if m, _ := tx.NationalMatchPeople(ctx); len(m) != 0 {
					t.Fatal("matches not replaced")
				}

				if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
					return err
				}
				person := &people.Person{SiteID: site.ID, GivenName: "A", FamilyName: "B0"}
				if err := tx.CreatePerson(ctx, person); err != nil {
					return err
				}
				c := &casework.Case{SiteID: site.ID, PersonID: person.ID, Programme: "drive", State: casework.Referred, Engagement: casework.NotYetContacted,
					Source: casework.FromPoliceList, ReferredAt: drive.DateOf(storetest.Epoch), Summary: "From the list", Evidence: programme.Evidence{DASHScore: -1}}
				if err := tx.CreateCase(ctx, c); err != nil {
					return err
				}
				for _, sc := range []store.CaseScore{
					{CaseID: c.ID, Kind: "exit", PolicePerson: ids[0], ScoredOn: drive.MustDate("2026-06-01"), StrategyCode: "x", StrategyVersion: "1", Total: 10, Components: "{}", Incidents: 2},
					{CaseID: c.ID, Kind: "entry", PolicePerson: ids[0], ScoredOn: drive.MustDate("2026-01-01"), StrategyCode: "x", StrategyVersion: "1", Total: 40, Components: "{}", Incidents: 6},
					{CaseID: c.ID, Kind: "exit", PolicePerson: ids[0], ScoredOn: drive.MustDate("2026-07-01"), StrategyCode: "x", StrategyVersion: "1", Total: 8, Components: "{}", Incidents: 1},
				} {
					if err := tx.SetCaseScore(ctx, sc); err != nil {
						return err
					}
				}
				scores, err := tx.CaseScores(ctx, c.ID)
				if err != nil || len(scores) != 2 || scores[0].Kind != "entry" || scores[1].Total != 8 || scores[1].ScoredOn != drive.MustDate("2026-07-01") {
					t.Fatalf("case scores: %+v %v", scores, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
