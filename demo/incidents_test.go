package demo_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/demo"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/store"
)

// siteIncidents returns each site's incidents by site code.
func siteIncidents(t *testing.T, db *store.DB) map[string][]incident.Record {
	t.Helper()
	out := map[string][]incident.Record{}
	err := db.View(context.Background(), func(tx *store.Tx) error {
		for _, code := range []string{"NMR", "SVV"} {
			site, err := tx.SiteByCode(context.Background(), code)
			if err != nil {
				return err
			}
			rows, err := tx.SitePoliceIncidents(context.Background(), site.ID, drive.Date{})
			if err != nil {
				return err
			}
			for _, r := range rows {
				out[code] = append(out[code], r.Record)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// siteHearings returns each site's MARAC hearings by site code.
func siteHearings(t *testing.T, db *store.DB) map[string][]store.MARACHearing {
	t.Helper()
	out := map[string][]store.MARACHearing{}
	err := db.View(context.Background(), func(tx *store.Tx) error {
		for _, code := range []string{"NMR", "SVV"} {
			site, err := tx.SiteByCode(context.Background(), code)
			if err != nil {
				return err
			}
			if out[code], err = tx.SiteMARAC(context.Background(), site.ID, drive.Date{}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDemoIncidents(t *testing.T) {
	dbA := generate(t, 42)
	a := siteIncidents(t, dbA)
	windowStart := demo.ReferenceDate().AddMonths(-36)
	for code, recs := range a {
		// The second site also holds the first site's moved suspects'
		// incidents (demo.MovedSuspects men, two or three each).
		moved, cases := 0, 0
		for _, r := range recs {
			if strings.HasPrefix(r.Ref, code+"-MV") {
				moved++
			}
			if strings.HasPrefix(r.Ref, code+"-DP") {
				cases++ // its closed cases' perpetrators' history (demo/outcomes.go)
			}
		}
		if want := demo.IncidentsPerSite; len(recs)-moved-cases != want || cases == 0 || (code == "SVV") != (moved >= 2*demo.MovedSuspects) {
			t.Errorf("%s: %d incidents (%d moved in), want %d from its extract", code, len(recs), moved, want)
		}
		for _, r := range recs {
			if !strings.HasPrefix(r.Ref, code+"-") {
				t.Fatalf("%s: reference %s lacks the site prefix", code, r.Ref)
			}
			if r.On.Before(windowStart) || r.On.After(demo.ReferenceDate()) {
				t.Fatalf("%s: %s on %s, outside the three years to the reference date", code, r.Ref, r.On)
			}
		}
		// What drive identify shows: a ranked list with serial suspects.
		incidents, err := identify.Resolve(context.Background(), recs, 1)
		if err != nil {
			t.Fatal(err)
		}
		scores := identify.Default().Rank(incidents, demo.ReferenceDate(), 20)
		serial := 0
		for _, s := range scores {
			if s.Serial {
				serial++
			}
		}
		if len(scores) != 20 || serial == 0 || scores[0].Incidents < 5 {
			t.Errorf("%s: top 20 has %d suspects, %d serial, the first with %d incidents", code, len(scores), serial, scores[0].Incidents)
		}
	}
	if reflect.DeepEqual(a["NMR"], a["SVV"]) {
		t.Error("both sites have the same incidents")
	}

	// Each site's MARAC heard cases from its incidents: some of them
	// again (repeats), none after the reference date.
	ha := siteHearings(t, dbA)
	for code, hs := range ha {
		if len(hs) < demo.IncidentsPerSite/20 {
			t.Errorf("%s: %d MARAC hearings for %d incidents", code, len(hs), demo.IncidentsPerSite)
		}
		refs := map[string]int{}
		for _, h := range hs {
			if h.HeardOn.Before(windowStart) || h.HeardOn.After(demo.ReferenceDate()) || h.Perpetrator.FamilyName == "" || h.Victim.Postcode != "" {
				t.Fatalf("%s: hearing %+v", code, h)
			}
			refs[h.Ref]++
		}
		if len(refs) == len(hs) {
			t.Errorf("%s: no case heard twice in %d hearings", code, len(hs))
		}
	}

	dbB := sharedDemo(t, 42, built.Add(90*24*time.Hour)).db // built apart, at another clock
	if b := siteIncidents(t, dbB); !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different incidents")
	}
	if hb := siteHearings(t, dbB); !reflect.DeepEqual(ha, hb) {
		t.Error("the same seed gave different MARAC lists")
	}
	dbC := generate(t, 43)
	if c := siteIncidents(t, dbC); reflect.DeepEqual(a["NMR"], c["NMR"]) {
		t.Error("a different seed gave the same incidents")
	}
	if hc := siteHearings(t, dbC); reflect.DeepEqual(ha["NMR"], hc["NMR"]) {
		t.Error("a different seed gave the same MARAC list")
	}
}

// TestDemoIdentification: every demo incident is resolved to a suspect,
// and the suspects moved to the second site are matched across sites.
func TestDemoIdentification(t *testing.T) {
	db := generate(t, 42)
	err := db.View(context.Background(), func(tx *store.Tx) error {
		matched, err := tx.NationalMatchPeople(context.Background())
		if err != nil {
			return err
		}
		groups := map[int64]map[int64]bool{}
		for _, p := range matched {
			if groups[p.NationalMatch] == nil {
				groups[p.NationalMatch] = map[int64]bool{}
			}
			groups[p.NationalMatch][p.SiteID] = true
		}
		if len(groups) < demo.MovedSuspects {
			t.Errorf("%d cross-site matches; want at least the %d moved suspects", len(groups), demo.MovedSuspects)
		}
		for g, sites := range groups {
			if len(sites) < 2 {
				t.Errorf("match %d spans %d site", g, len(sites))
			}
		}
		for _, code := range []string{"NMR", "SVV"} {
			site, err := tx.SiteByCode(context.Background(), code)
			if err != nil {
				return err
			}
			rows, err := tx.SitePoliceIncidents(context.Background(), site.ID, drive.Date{})
			if err != nil {
				return err
			}
			for _, r := range rows {
				if r.SuspectPerson == 0 || (r.Victim.FamilyName != "" && r.VictimPerson == 0) {
					t.Fatalf("%s: incident %s not resolved", code, r.Ref)
				}
			}
			hs, err := tx.SiteMARAC(context.Background(), site.ID, drive.Date{})
			if err != nil {
				return err
			}
			for _, h := range hs {
				if h.PerpetratorPerson == 0 {
					t.Fatalf("%s: hearing %s not resolved", code, h.Ref)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
