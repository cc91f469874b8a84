package service_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestPersonShowsEveryCaseAtSize holds the person record (the person page
// and GET /api/v1/people/{id} both read it) to every one of the person's
// cases when the site holds 100,000 cases changed more recently than
// theirs. The record used to be cut from a page of the site's newest
// cases, which dropped the person's cases once the site passed 1,000.
func TestPersonShowsEveryCaseAtSize(t *testing.T) {
	const siteCases = 100_000
	ctx := context.Background()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.Blank(t)
			at := storetest.Engine{Name: e.Name, Open: func(t testing.TB, now func() time.Time) *store.DB { return storetest.OpenAt(t, dsn, now) }}
			w := newWorld(t, at)
			// A second, closed case for the same person, so "every" is more
			// than one.
			var closedID int64
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				c := &casework.Case{SiteID: w.siteA.ID, PersonID: w.personID, Programme: "drive", Source: casework.FromMARAC,
					ReferredAt: drive.DateOf(tx.Now).AddDays(-400), Summary: "Earlier referral", Evidence: programme.Evidence{DASHScore: 15}}
				if err := tx.CreateCase(ctx, c); err != nil {
					return err
				}
				closedAt := tx.Now
				c.State, c.DecisionReasons, c.DecidedAt, c.ClosureReason, c.ClosedAt = casework.Closed, "Agreed", &closedAt, "completed", &closedAt
				c.CaseManagerID = w.users["cm"].ID
				closedID = c.ID
				return tx.UpdateCase(ctx, c)
			})
			if err != nil {
				t.Fatal(err)
			}
			storetest.FillSite(t, dsn, w.siteA.ID, siteCases, casework.Referred, now.Add(time.Hour))

			var total int
			if err := w.db.View(ctx, func(tx *store.Tx) error {
				_, n, err := tx.Cases(ctx, store.CaseFilter{SiteIDs: []int64{w.siteA.ID}, CountAll: true}, drive.DateOf(now))
				total = n
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if total != siteCases+2 {
				t.Fatalf("the site holds %d cases; want %d", total, siteCases+2)
			}

			for _, who := range []string{"cm", "lead"} {
				p, rows, err := w.svc.Person(ctx, w.actor(t, who), w.personID)
				if err != nil {
					t.Fatalf("%s: %v", who, err)
				}
				if p.ID != w.personID {
					t.Fatalf("%s: got person %d; want %d", who, p.ID, w.personID)
				}
				var ids []int64
				for _, r := range rows {
					ids = append(ids, r.Case.ID)
				}
				slices.Sort(ids)
				want := []int64{w.caseID, closedID}
				slices.Sort(want)
				if !slices.Equal(ids, want) {
					t.Errorf("%s sees cases %v on the person's record; want %v", who, ids, want)
				}
			}
		})
	}
}

// TestReferralDuplicatesAtSize holds the referral's duplicate check, which
// now asks the database only for records near the date of birth
// (store.PeopleNear), to the very candidates, scores and order that
// comparing the new person with every person at the site gives, in a site
// of 30,000 people.
func TestReferralDuplicatesAtSize(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.Blank(t)
			at := storetest.Engine{Name: e.Name, Open: func(t testing.TB, now func() time.Time) *store.DB { return storetest.OpenAt(t, dsn, now) }}
			w := newWorld(t, at)
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				for _, p := range []*people.Person{
					{GivenName: "Jon", FamilyName: "Smyth", DateOfBirth: drive.MustDate("1971-04-03"), PoliceRef: "NM/77"},
					{GivenName: "John", FamilyName: "Smith", DateOfBirth: drive.MustDate("1971-03-04")},
					{GivenName: "John", FamilyName: "Smith", DateOfBirth: drive.MustDate("1981-09-23")},
					{GivenName: "Johnny", FamilyName: "Smith", Aliases: []string{"John Smith"}},
				} {
					p.SiteID = w.siteA.ID
					if err := tx.CreatePerson(ctx, p); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			storetest.FillSite(t, dsn, w.siteA.ID, 30_000, casework.Referred, now.Add(-time.Hour))
			bulkBorn := drive.MustDate("1960-01-01").AddDays(123).String()
			for _, in := range []struct{ given, family, born, ref string }{
				{"John", "Smith", "1971-04-03", ""},
				{"Bulk123", "Filler123", bulkBorn, ""},
				{"Darren", "Hollis", "1984-06-15", ""},
				{"Unrelated", "Nobody", "1950-01-01", "NM/77"},
				{"Jon", "Smyth", "", ""},
			} {
				r := referral(w, in.given, in.family, "2000-01-01")
				r.Person.DateOfBirth, r.Person.PoliceRef = drive.Date{}, in.ref
				if in.born != "" {
					r.Person.DateOfBirth = drive.MustDate(in.born)
				}
				probe := *r.Person
				probe.SiteID = w.siteA.ID
				var want []people.Candidate
				if err := w.db.View(ctx, func(tx *store.Tx) error {
					all, err := tx.PeopleAtSites(ctx, []int64{w.siteA.ID})
					want = people.Duplicates(&probe, all)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 {
					t.Fatalf("%s %s: the fixture gives no candidates to compare", in.given, in.family)
				}
				res, err := w.svc.Refer(ctx, w.actor(t, "lead"), r)
				if err != nil {
					t.Fatalf("%s %s: %v", in.given, in.family, err)
				}
				if !sameCandidates(res.Duplicates, want) {
					t.Errorf("%s %s born %q: candidates %v; comparing with everyone gives %v", in.given, in.family, in.born, candidateList(res.Duplicates), candidateList(want))
				}
			}
		})
	}
}

func sameCandidates(a, b []people.Candidate) bool {
	return slices.EqualFunc(a, b, func(x, y people.Candidate) bool {
		return x.Person.ID == y.Person.ID && x.Score == y.Score && slices.Equal(x.Reasons, y.Reasons)
	})
}

func candidateList(cs []people.Candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%d %s %s %.3f", c.Person.ID, c.Person.GivenName, c.Person.FamilyName, c.Score))
	}
	return out
}
