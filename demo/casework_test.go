package demo_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/demo"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// built is the clock the tests build the demo at: after the reference
// date, as a real build is.
var built = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// generate returns the shared demo built from seed at the build clock,
// for a test that only reads it.
func generate(t *testing.T, seed uint64) *store.DB {
	t.Helper()
	return sharedDemo(t, seed, built).db
}

// allCases lists every case with what lists show, as of the reference date.
func allCases(t *testing.T, db *store.DB) []store.CaseRow {
	t.Helper()
	var rows []store.CaseRow
	err := db.View(context.Background(), func(tx *store.Tx) error {
		var after *store.CaseCursor
		for {
			page, err := tx.CasesPage(context.Background(), store.CaseFilter{AllSites: true, Sort: "referred", Limit: 1000, After: after}, demo.ReferenceDate())
			if err != nil {
				return err
			}
			rows = append(rows, page.Rows...)
			if !page.More || len(page.Rows) == 0 {
				return nil
			}
			cur := store.CaseCursorAt("referred", page.Rows[len(page.Rows)-1])
			after = &cur
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestCaseworkCoverage checks the demo cases show every part of the
// casework: each state, engagement status, prong and referral source, both
// programmes, overdue actions, quiet cases, reviews due, amended notes,
// merges, and a history entry for each state a case is in.
func TestCaseworkCoverage(t *testing.T) {
	db := generate(t, 42)
	ctx := context.Background()
	ref := demo.ReferenceDate()
	rows := allCases(t, db)
	type tally struct {
		cases   int
		states  map[casework.State]int
		overdue int
	}
	perSite := map[int64]*tally{}
	engagements := map[casework.Engagement]bool{}
	sources := map[casework.Source]bool{}
	programmes := map[string]bool{}
	for _, r := range rows {
		c := r.Case
		s := perSite[c.SiteID]
		if s == nil {
			s = &tally{states: map[casework.State]int{}}
			perSite[c.SiteID] = s
		}
		s.cases++
		s.states[c.State]++
		if r.OverdueActions > 0 && c.State.Open() {
			s.overdue++
		}
		engagements[c.Engagement] = true
		sources[c.Source] = true
		programmes[c.Programme] = true
		if c.ReferredAt.Before(ref.AddDays(-740)) || !c.ReferredAt.Before(ref) {
			t.Errorf("case %d referred on %s: outside the two years before %s", c.ID, c.ReferredAt, ref)
		}
	}
	if len(perSite) != 2 {
		t.Fatalf("cases at %d sites; want 2", len(perSite))
	}
	for site, s := range perSite {
		if s.cases < 240 || s.cases > 310 {
			t.Errorf("site %d has %d cases; want about 250-300", site, s.cases)
		}
		for _, st := range casework.States() {
			if s.states[st] == 0 {
				t.Errorf("site %d has no %s case", site, st)
			}
		}
		if s.overdue == 0 {
			t.Errorf("site %d has no open case with an overdue action", site)
		}
		t.Logf("site %d: %d cases, %v, %d with overdue actions", site, s.cases, s.states, s.overdue)
	}
	for _, e := range casework.Engagements() {
		if !engagements[e] {
			t.Errorf("no case with engagement %s", e)
		}
	}
	for _, s := range casework.Sources() {
		if !sources[s] {
			t.Errorf("no referral from %s", s)
		}
	}
	if !programmes["drive"] || !programmes["restart"] {
		t.Errorf("programmes = %v; want drive and restart", programmes)
	}

	err := db.View(ctx, func(tx *store.Tx) error {
		prongs := map[string]bool{}
		amended, merged := 0, 0
		for _, r := range rows {
			c := r.Case
			acts, err := tx.Actions(ctx, c.ID)
			if err != nil {
				return err
			}
			prog := programme.Drive()
			if c.Programme == "restart" {
				prog = programme.Restart()
			}
			for _, a := range acts {
				prongs[a.Prong] = true
				if _, ok := prog.Action(a.Type); !ok {
					t.Errorf("case %d: action %q is not in the %s catalogue", c.ID, a.Type, c.Programme)
				}
			}
			notes, err := tx.Notes(ctx, c.ID)
			if err != nil {
				return err
			}
			for _, n := range notes {
				if n.Amends != 0 {
					amended++
				}
			}
			hs, err := tx.History(ctx, c.ID)
			if err != nil {
				return err
			}
			var last casework.State
			for _, h := range hs {
				if h.Event != "engagement" {
					last = h.ToState
				}
			}
			if len(hs) == 0 || hs[0].Event != "referred" || last != c.State {
				t.Errorf("case %d (%s): history does not end in its state: %+v", c.ID, c.State, hs)
			}
		}
		for _, p := range programme.Prongs() {
			if !prongs[p] {
				t.Errorf("no action on the %s prong", p)
			}
		}
		if amended == 0 {
			t.Error("no amended note")
		}
		for id := int64(1); ; id++ {
			p, err := tx.Person(ctx, id)
			if drive.ErrorCode(err) == drive.ENOTFOUND {
				break
			}
			if err != nil {
				return err
			}
			if p.MergedInto != 0 {
				merged++
			}
			if age := p.DateOfBirth.AgeOn(ref); age < 18 || age > 67 {
				t.Errorf("person %d is %d", p.ID, age)
			}
		}
		if merged < 2 {
			t.Errorf("%d merged records; want a couple", merged)
		}
		// The team leader's page for each site has something on every list.
		for site := range perSite {
			d, err := tx.TeamDashboard(ctx, site, ref, 14, 12)
			if err != nil {
				return err
			}
			if len(d.Unallocated) == 0 || len(d.Overdue) == 0 || len(d.NoContact) == 0 || len(d.ReviewsDue) == 0 || len(d.TransfersIn) == 0 {
				t.Errorf("site %d dashboard lists: %d unallocated, %d overdue, %d no contact, %d reviews due, %d transfers in",
					site, len(d.Unallocated), len(d.Overdue), len(d.NoContact), len(d.ReviewsDue), len(d.TransfersIn))
			}
			over := 0
			for _, cl := range d.Caseloads {
				if cl.OverLimit() {
					over++
				}
				if cl.Open > cl.Limit+4 || cl.Open < 5 {
					t.Errorf("site %d: %s holds %d cases against a limit of %d", site, cl.Name, cl.Open, cl.Limit)
				}
			}
			if len(d.Caseloads) != 4 {
				t.Errorf("site %d: %d caseloads; want the 4 case managers", site, len(d.Caseloads))
			}
			t.Logf("site %d: %d unallocated, %d overdue, %d no contact, %d reviews due, %d transfers in, caseloads %+v",
				site, len(d.Unallocated), len(d.Overdue), len(d.NoContact), len(d.ReviewsDue), len(d.TransfersIn), d.Caseloads)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCaseworkDeterministic checks the same seed gives the same cases and
// people, whatever the clock says when the demo is built.
func TestCaseworkDeterministic(t *testing.T) {
	a := generate(t, 42)
	other := sharedDemo(t, 42, built.Add(90*24*time.Hour)).db
	ra, rb := allCases(t, a), allCases(t, other)
	if len(ra) == 0 || !reflect.DeepEqual(ra, rb) {
		t.Fatalf("the same seed gave different cases (%d and %d rows)", len(ra), len(rb))
	}
	peopleOf := func(db *store.DB) []*people.Person {
		var ps []*people.Person
		err := db.View(context.Background(), func(tx *store.Tx) error {
			for _, r := range ra {
				p, err := tx.Person(context.Background(), r.Case.PersonID)
				if err != nil {
					return err
				}
				ps = append(ps, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}
	if !reflect.DeepEqual(peopleOf(a), peopleOf(other)) {
		t.Fatal("the same seed gave different people")
	}
	c := generate(t, 43)
	if reflect.DeepEqual(ra, allCases(t, c)) {
		t.Fatal("a different seed gave the same cases")
	}
}

// TestCaseworkRefusesAnEarlyClock checks a clock before the reference date
// is refused rather than giving cases dated in the future.
func TestCaseworkRefusesAnEarlyClock(t *testing.T) {
	db := storetest.OpenSQLite(t, storetest.FixedClock(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)))
	_, err := demo.Generate(context.Background(), &service.Service{DB: db}, demo.Options{Seed: 1, Params: auth.TestParams()})
	if drive.ErrorCode(err) != drive.EINVALID {
		t.Fatalf("err = %v; want invalid", err)
	}
	var n int
	_ = db.View(context.Background(), func(tx *store.Tx) error { var err error; n, err = tx.CountUsers(context.Background()); return err })
	if n != 0 {
		t.Fatalf("%d users left behind by a refused demo", n)
	}
}
