package demo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

// TestDemoCaseAlerted imports, into the demo as built, a police extract
// naming the perpetrator of an open demo case referred by MARAC (not from
// the identification list): the import itself links him to the police
// person it makes and alerts his case manager and the IDVA of the
// victim-survivor linked to his case, on their sides of the wall; the
// site's perpetrator-side team leaders are told too, and nobody else is.
func TestDemoCaseAlerted(t *testing.T) {
	d := privateDemo(t, 42, built)
	ctx := context.Background()
	svc := &service.Service{DB: d.db, Keys: d.keys}

	var his *casework.Case
	var name, family string
	var dob drive.Date
	var siteCode string
	var idvas []int64
	err := d.db.View(ctx, func(tx *store.Tx) error {
		var after *store.CaseCursor
		for his == nil {
			page, err := tx.CasesPage(ctx, store.CaseFilter{AllSites: true, States: []casework.State{casework.Allocated, casework.Active},
				Sort: "referred", Limit: 1000, After: after}, drive.DateOf(built))
			if err != nil {
				return err
			}
			rows := page.Rows
			if len(rows) == 0 {
				return fmt.Errorf("no open MARAC-referred case with a case manager in the demo")
			}
			cur := store.CaseCursorAt("referred", rows[len(rows)-1])
			after = &cur
			for _, r := range rows {
				c := r.Case
				if c.Source != casework.FromMARAC || c.CaseManagerID == 0 {
					continue
				}
				p, err := tx.Person(ctx, c.PersonID)
				if err != nil {
					return err
				}
				if p.DateOfBirth.IsZero() {
					continue
				}
				links, err := tx.CaseVictimLinks(ctx, c.ID)
				if err != nil {
					return err
				}
				var withIDVA []int64
				for _, l := range links {
					v, err := tx.VictimCase(ctx, l.VictimCaseID)
					if err != nil {
						return err
					}
					if v.Open && v.IDVAID != 0 && !slices.Contains(withIDVA, v.IDVAID) {
						withIDVA = append(withIDVA, v.IDVAID)
					}
				}
				if len(withIDVA) == 0 {
					continue
				}
				site, err := tx.Site(ctx, c.SiteID)
				if err != nil {
					return err
				}
				his, name, family, dob, siteCode, idvas = &c, p.GivenName, p.FamilyName, p.DateOfBirth, site.Code, withIDVA
				break
			}
			if len(rows) < 1000 {
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if his == nil {
		t.Fatal("the demo has no open MARAC-referred case with a date of birth and a victim-survivor with an IDVA")
	}

	// Nobody has been told anything of him before the extract.
	users := demoUsers(t, d.db)
	before := map[int64]int{}
	for _, u := range users {
		before[u] = notifications(t, svc, u)
	}
	extract := []incident.Record{{Ref: "DEMO-ALERT-1", On: drive.DateOf(built).AddDays(-2), Type: "harassment", Crime: true,
		Suspect: incident.Person{GivenName: name, FamilyName: family, DOB: dob},
		Victim:  incident.Person{GivenName: "Unnamed", FamilyName: "Victim"}}}
	if _, _, err := svc.ImportIncidents(ctx, service.System("test"), siteCode, extract, nil); err != nil {
		t.Fatal(err)
	}
	var leaders []int64
	err = d.db.View(ctx, func(tx *store.Tx) error {
		ls, err := tx.NotifiedTeamLeaders(ctx, []int64{his.SiteID})
		leaders = ls[his.SiteID]
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	told := map[int64]bool{his.CaseManagerID: true}
	for _, u := range append(idvas, leaders...) {
		told[u] = true
	}
	for _, u := range users {
		got := notifications(t, svc, u) - before[u]
		switch {
		case told[u] && got != 1:
			t.Errorf("user %d (case manager %v, IDVA %v) has %d new notifications; want 1", u, u == his.CaseManagerID, slices.Contains(idvas, u), got)
		case !told[u] && got != 0:
			t.Errorf("user %d, who has nothing to do with case %d, has %d new notifications", u, his.ID, got)
		}
	}
}

func demoUsers(t *testing.T, db *store.DB) []int64 {
	t.Helper()
	var ids []int64
	err := db.View(context.Background(), func(tx *store.Tx) error {
		us, err := tx.Users(context.Background())
		for _, u := range us {
			ids = append(ids, u.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func notifications(t *testing.T, svc *service.Service, userID int64) int {
	t.Helper()
	ns, err := svc.Notifications(context.Background(), service.Actor{UserID: userID}, false)
	if err != nil {
		t.Fatal(err)
	}
	return len(ns)
}
