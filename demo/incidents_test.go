package demo_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

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
			if out[code], err = tx.SiteIncidents(context.Background(), site.ID, drive.Date{Year: 1900, Month: 1, Day: 1}); err != nil {
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
	a := siteIncidents(t, generate(t, 42))
	windowStart := demo.ReferenceDate().AddMonths(-36)
	for code, recs := range a {
		if len(recs) != demo.IncidentsPerSite {
			t.Errorf("%s: %d incidents, want %d", code, len(recs), demo.IncidentsPerSite)
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

	if b := siteIncidents(t, generate(t, 42)); !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different incidents")
	}
	if c := siteIncidents(t, generate(t, 43)); reflect.DeepEqual(a["NMR"], c["NMR"]) {
		t.Error("a different seed gave the same incidents")
	}
}
