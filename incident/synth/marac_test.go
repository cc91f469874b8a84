package synth

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
)

// TestMARACShape checks the list is one a MARAC could have heard from the
// extract: every hearing follows an incident by its true perpetrator,
// names people as the extract writes them, keeps no victim's address,
// favours the gravest abuse, and has about the national share of repeats.
func TestMARACShape(t *testing.T) {
	recs, truth := Generate(Config{Incidents: 8000, Seed: 9, End: end})
	hs, perps := MARAC(recs, truth, 21)
	if len(hs) == 0 || len(perps) != len(hs) {
		t.Fatalf("%d hearings, %d perpetrators", len(hs), len(perps))
	}
	if len(hs) < len(recs)/20 || len(hs) > len(recs)/5 {
		t.Errorf("%d hearings for %d incidents", len(hs), len(recs))
	}
	last := recs[len(recs)-1].On
	ways := map[int]map[incident.Person]bool{} // how the extract writes each perpetrator
	incidentsOf := map[int][]incident.Record{}
	for i, r := range recs {
		p := truth.Suspect[i]
		if ways[p] == nil {
			ways[p] = map[incident.Person]bool{}
		}
		ways[p][r.Suspect] = true
		incidentsOf[p] = append(incidentsOf[p], r)
	}
	type hearing struct {
		on   drive.Date
		perp int
	}
	lastOf := map[string]hearing{}
	repeats := 0
	heardWays := map[int]map[incident.Person]bool{}
	for i, h := range hs {
		p := perps[i]
		if i > 0 && h.HeardOn.Before(hs[i-1].HeardOn) {
			t.Fatalf("hearings not oldest first at %d", i)
		}
		if h.HeardOn.After(last) {
			t.Fatalf("%s heard on %s, after the extract's last incident on %s", h.Ref, h.HeardOn, last)
		}
		if h.Victim.Postcode != "" || h.Victim.Age != 0 || h.Perpetrator.Age != 0 {
			t.Fatalf("%s keeps what a list must not: %+v", h.Ref, h)
		}
		if h.Perpetrator.FamilyName == "" || (h.Victim.GivenName == "" && h.Victim.FamilyName == "") {
			t.Fatalf("%s does not name both people: %+v", h.Ref, h)
		}
		if !ways[p][h.Perpetrator] {
			t.Fatalf("%s names perpetrator %d as %+v, which the extract never does", h.Ref, p, h.Perpetrator)
		}
		if heardWays[p] == nil {
			heardWays[p] = map[incident.Person]bool{}
		}
		heardWays[p][h.Perpetrator] = true
		after := false
		for _, r := range incidentsOf[p] {
			days := r.On.DaysUntil(h.HeardOn)
			after = after || (days >= 7 && days <= 42)
		}
		if !after {
			t.Fatalf("%s on %s follows no incident by perpetrator %d by one to six weeks", h.Ref, h.HeardOn, p)
		}
		if prev, ok := lastOf[h.Ref]; ok {
			if prev.perp != p {
				t.Fatalf("case %s is heard against perpetrators %d and %d", h.Ref, prev.perp, p)
			}
			if !prev.on.Before(h.HeardOn) || h.HeardOn.After(prev.on.AddMonths(12).AddDays(42)) {
				t.Fatalf("case %s heard again on %s after %s: not a repeat within 12 months", h.Ref, h.HeardOn, prev.on)
			}
			repeats++
		}
		lastOf[h.Ref] = hearing{h.HeardOn, p}
	}
	if share := float64(repeats) / float64(len(hs)); share < 0.2 || share > 0.42 {
		t.Errorf("%d of %d hearings are repeats (%.2f); want about 0.31", repeats, len(hs), share)
	}
	varied := 0
	for _, w := range heardWays {
		if len(w) > 1 {
			varied++
		}
	}
	if varied == 0 {
		t.Error("no perpetrator is written more than one way across his hearings")
	}

	// The gravest abuse reaches MARAC far more often than the rest.
	points := map[string]float64{}
	for _, g := range identify.Default().Gravity {
		points[g.Type] = g.Points
	}
	heard := map[int]bool{}
	for _, p := range perps {
		heard[p] = true
	}
	var graveN, graveHeard, lightN, lightHeard int
	for p, rs := range incidentsOf {
		grave := false
		for _, r := range rs {
			grave = grave || points[r.Type] >= 6
		}
		switch {
		case grave:
			graveN++
			if heard[p] {
				graveHeard++
			}
		case len(rs) == 1:
			lightN++
			if heard[p] {
				lightHeard++
			}
		}
	}
	graveShare, lightShare := float64(graveHeard)/float64(graveN), float64(lightHeard)/float64(lightN)
	if graveShare < 0.3 || lightShare > 0.1 || graveShare < 4*lightShare {
		t.Errorf("heard: %d of %d with grave abuse (%.2f), %d of %d with one lesser incident (%.2f)",
			graveHeard, graveN, graveShare, lightHeard, lightN, lightShare)
	}
	t.Logf("%d hearings, %.2f repeats; heard: %.2f of perpetrators with grave abuse, %.2f with one lesser incident",
		len(hs), float64(repeats)/float64(len(hs)), graveShare, lightShare)
	if len(heard)*2 > truth.Perpetrators() {
		t.Errorf("%d of %d perpetrators heard at MARAC", len(heard), truth.Perpetrators())
	}
}

func TestMARACIsDeterministic(t *testing.T) {
	recs, truth := Generate(Config{Incidents: 3000, Seed: 3, End: end})
	a, pa := MARAC(recs, truth, 5)
	b, pb := MARAC(recs, truth, 5)
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(pa, pb) {
		t.Fatal("the same seed gave different lists")
	}
	if c, _ := MARAC(recs, truth, 6); reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same list")
	}
	if hs, perps := MARAC(nil, Truth{}, 5); hs != nil || perps != nil {
		t.Fatalf("no incidents gave %d hearings", len(hs))
	}
}

// TestWriteMARACCSVReadsBack checks the list passes validation whole, as
// of the extract's last day, and reads back as drawn.
func TestWriteMARACCSVReadsBack(t *testing.T) {
	recs, truth := Generate(Config{Incidents: 5000, Seed: 11, End: end})
	hs, _ := MARAC(recs, truth, 11)
	var buf bytes.Buffer
	if err := WriteMARACCSV(&buf, hs); err != nil {
		t.Fatal(err)
	}
	got, rowErrs, err := incident.ReadMARAC(&buf, incident.DefaultMARACMapping(), recs[len(recs)-1].On)
	if err != nil || len(rowErrs) != 0 {
		t.Fatalf("read: %v, %d row errors, first %v", err, len(rowErrs), rowErrs)
	}
	if !reflect.DeepEqual(got, hs) {
		for i := range got {
			if !reflect.DeepEqual(got[i], hs[i]) {
				t.Fatalf("hearing %d read back as\n%+v\nwritten as\n%+v", i, got[i], hs[i])
			}
		}
		t.Fatalf("read %d hearings, wrote %d", len(got), len(hs))
	}
}
