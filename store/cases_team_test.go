package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestListsFollowWrites holds the values the case lists are ordered and
// filtered by, which the database keeps beside each case (migration 0057),
// to the writes they come from, on both engines: an open action due before
// today puts a case on the overdue list and its completion takes it off,
// the earliest open action sets its place, and a person's new name moves
// their case in the name order, pages read from a cursor included.
func TestListsFollowWrites(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := storetest.OpenAt(t, e.Blank(t), storetest.FixedClock(benchNow))
			ctx := context.Background()
			today := drive.DateOf(benchNow)
			var siteID int64
			var cases []*casework.Case
			var persons []*people.Person
			err := db.Transact(ctx, func(tx *store.Tx) error {
				s := &account.Site{Code: "LST", Name: "List site", Region: "North West"}
				if err := tx.CreateSite(ctx, s); err != nil {
					return err
				}
				siteID = s.ID
				if err := tx.SeedProgrammes(ctx, s.ID); err != nil {
					return err
				}
				org := &account.Organisation{Name: "Provider", Kind: account.Provider, SiteIDs: []int64{s.ID}}
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				u := &account.User{Username: "case.manager", DisplayName: "Case Manager", OrganisationID: org.ID, PasswordHash: "x",
					Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: s.ID}}}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				for _, name := range [][2]string{{"Ann", "Carter"}, {"Bob", "Adams"}, {"Cy", "Brown"}} {
					p := &people.Person{SiteID: s.ID, GivenName: name[0], FamilyName: name[1]}
					if err := tx.CreatePerson(ctx, p); err != nil {
						return err
					}
					at := benchNow.Add(-60 * 24 * time.Hour)
					c := &casework.Case{SiteID: s.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: today,
						Summary: "Referred"}
					if err := tx.CreateCase(ctx, c); err != nil {
						return err
					}
					c.State, c.CaseManagerID, c.AllocatedAt = casework.Active, u.ID, &at
					if err := tx.UpdateCase(ctx, c); err != nil {
						return err
					}
					persons, cases = append(persons, p), append(cases, c)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			list := func(f store.TeamListFilter) []int64 {
				t.Helper()
				var ids []int64
				err := db.View(ctx, func(tx *store.Tx) error {
					p, err := tx.TeamListPage(ctx, f, today)
					for _, r := range p.Rows {
						ids = append(ids, r.Case.ID)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return ids
			}
			overdue := store.TeamListFilter{SiteID: siteID, List: store.TeamOverdue}
			write := func(f func(tx *store.Tx) error) {
				t.Helper()
				if err := db.Transact(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
			if got := list(overdue); len(got) != 0 {
				t.Fatalf("overdue with no actions: %v", got)
			}
			// Case 0's action is due in a week, case 1's was due a week
			// ago, case 2's a month ago and another yesterday.
			var late casework.Action
			write(func(tx *store.Tx) error {
				for _, a := range []*casework.Action{
					{CaseID: cases[0].ID, DueOn: today.AddDays(7)},
					{CaseID: cases[1].ID, DueOn: today.AddDays(-7)},
					{CaseID: cases[2].ID, DueOn: today.AddDays(-1)},
					{CaseID: cases[2].ID, DueOn: today.AddDays(-30)},
				} {
					a.Prong, a.Type, a.Agency, a.Owner, a.Status = "disrupt", "other", "Police", "Officer", casework.ActionOpen
					if err := tx.CreateAction(ctx, a); err != nil {
						return err
					}
					late = *a
				}
				return nil
			})
			if got, want := list(overdue), []int64{cases[2].ID, cases[1].ID}; !equalIDs(got, want) {
				t.Errorf("overdue: %v; want %v (the longest overdue first)", got, want)
			}
			// Reading from the first case forwards gives the second.
			if got := list(store.TeamListFilter{SiteID: siteID, List: store.TeamOverdue, After: cases[2].ID}); !equalIDs(got, []int64{cases[1].ID}) {
				t.Errorf("overdue after its first case: %v", got)
			}
			// Done with the month-old action, case 2 is still overdue by a
			// day, now after case 1; done with that too, it is off the list.
			late.Status, late.Outcome = casework.ActionDone, "Done"
			write(func(tx *store.Tx) error { return tx.UpdateAction(ctx, &late) })
			if got, want := list(overdue), []int64{cases[1].ID, cases[2].ID}; !equalIDs(got, want) {
				t.Errorf("overdue after one action is done: %v; want %v", got, want)
			}
			write(func(tx *store.Tx) error {
				acts, err := tx.Actions(ctx, cases[2].ID)
				for _, a := range acts {
					if err == nil && a.Status == casework.ActionOpen {
						a.Status, a.Outcome = casework.ActionDone, "Done"
						err = tx.UpdateAction(ctx, &a)
					}
				}
				return err
			})
			if got, want := list(overdue), []int64{cases[1].ID}; !equalIDs(got, want) {
				t.Errorf("overdue after every action of a case is done: %v; want %v", got, want)
			}
			byName := func(f store.CaseFilter) []int64 {
				t.Helper()
				var ids []int64
				err := db.View(ctx, func(tx *store.Tx) error {
					p, err := tx.CasesPage(ctx, f, today)
					for _, r := range p.Rows {
						ids = append(ids, r.Case.ID)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return ids
			}
			names := store.CaseFilter{SiteIDs: []int64{siteID}, Sort: "name"}
			if got, want := byName(names), []int64{cases[1].ID, cases[2].ID, cases[0].ID}; !equalIDs(got, want) {
				t.Errorf("by name: %v; want Adams, Brown, Carter %v", got, want)
			}
			// Carter becomes Aaronson: first in the order, and the page
			// after Adams no longer holds her.
			persons[0].FamilyName = "Aaronson"
			write(func(tx *store.Tx) error { return tx.UpdatePerson(ctx, persons[0]) })
			if got, want := byName(names), []int64{cases[0].ID, cases[1].ID, cases[2].ID}; !equalIDs(got, want) {
				t.Errorf("by name after a new name: %v; want %v", got, want)
			}
			after := store.CaseCursorAt("name", store.CaseRow{Case: *cases[1]})
			if got, want := byName(store.CaseFilter{SiteIDs: []int64{siteID}, Sort: "name", After: &after}), []int64{cases[2].ID}; !equalIDs(got, want) {
				t.Errorf("by name after Adams: %v; want %v", got, want)
			}
			back := store.CaseCursorAt("-name", store.CaseRow{Case: *cases[1]})
			if got, want := byName(store.CaseFilter{SiteIDs: []int64{siteID}, Sort: "-name", After: &back}), []int64{cases[0].ID}; !equalIDs(got, want) {
				t.Errorf("by name descending after Adams: %v; want %v", got, want)
			}
		})
	}
}

func equalIDs(a, b []int64) bool {
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
