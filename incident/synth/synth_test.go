package synth

import (
	"bytes"
	"reflect"
	"strconv"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
)

var end = drive.MustDate("2026-11-01")

func TestGenerateShape(t *testing.T) {
	const n = 5000
	recs, truth := Generate(Config{Incidents: n, Seed: 7, End: end})
	if len(recs) != n || len(truth.Suspect) != n || len(truth.Victim) != n {
		t.Fatalf("got %d records, %d suspects, %d victims of truth", len(recs), len(truth.Suspect), len(truth.Victim))
	}
	known := map[string]bool{}
	for _, g := range identify.Default().Gravity {
		known[g.Type] = true
	}
	start := end.AddMonths(-36)
	refs := map[string]bool{}
	typeCount := map[string]int{}
	perPerp := make([]int, truth.Perpetrators())
	victimsOf := make([]map[int]bool, truth.Perpetrators())
	for i, r := range recs {
		if refs[r.Ref] {
			t.Fatalf("reference %s repeated", r.Ref)
		}
		refs[r.Ref] = true
		if r.On.Before(start) || r.On.After(end) {
			t.Fatalf("%s on %s outside the window", r.Ref, r.On)
		}
		if i > 0 && r.On.Before(recs[i-1].On) {
			t.Fatalf("records not oldest first at %d", i)
		}
		if !known[r.Type] {
			t.Fatalf("type %q not in the default gravity table", r.Type)
		}
		if r.Crime != (r.Type != "non_crime") {
			t.Fatalf("%s: crime %v for type %s", r.Ref, r.Crime, r.Type)
		}
		if r.Suspect.GivenName == "" && r.Suspect.FamilyName == "" {
			t.Fatalf("%s names no suspect", r.Ref)
		}
		if r.Victim.Postcode != "" {
			t.Fatalf("%s keeps a victim's postcode", r.Ref)
		}
		typeCount[r.Type]++
		p := truth.Suspect[i]
		perPerp[p]++
		if victimsOf[p] == nil {
			victimsOf[p] = map[int]bool{}
		}
		victimsOf[p][truth.Victim[i]] = true
	}
	if typeCount["non_crime"] < typeCount["common_assault"] || typeCount["common_assault"] < 5*typeCount["rape"] {
		t.Errorf("type mix not weighted as expected: %v", typeCount)
	}
	var one, prolific, serial int
	for p, c := range perPerp {
		if c == 1 {
			one++
		}
		if c >= 8 {
			prolific++
		}
		if truth.Serial[p] {
			serial++
		}
		if got := len(victimsOf[p]); got != truth.Victims[p] || (got >= 2) != truth.Serial[p] || got > 4 {
			t.Fatalf("perpetrator %d: %d victims, truth says %d serial %v", p, got, truth.Victims[p], truth.Serial[p])
		}
	}
	perps := truth.Perpetrators()
	if one*2 < perps || prolific == 0 || serial == 0 || serial*5 > perps {
		t.Errorf("%d perpetrators: %d with one incident, %d with 8 or more, %d serial", perps, one, prolific, serial)
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, ta := Generate(Config{Incidents: 1500, Seed: 3, End: end})
	b, tb := Generate(Config{Incidents: 1500, Seed: 3, End: end})
	if !reflect.DeepEqual(a, b) || !reflect.DeepEqual(ta, tb) {
		t.Fatal("the same config gave different records")
	}
	c, _ := Generate(Config{Incidents: 1500, Seed: 4, End: end})
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same records")
	}
}

// TestWriteCSVReadsBack checks the extract passes validation whole and
// reads back as generated.
func TestWriteCSVReadsBack(t *testing.T) {
	recs, _ := Generate(Config{Incidents: 3000, Seed: 11, End: end, RefPrefix: "NM"})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, recs); err != nil {
		t.Fatal(err)
	}
	got, rowErrs, err := incident.Read(&buf, incident.DefaultMapping(), end)
	if err != nil || len(rowErrs) != 0 {
		t.Fatalf("read: %v, %d row errors, first %v", err, len(rowErrs), rowErrs)
	}
	if !reflect.DeepEqual(got, recs) {
		for i := range got {
			if !reflect.DeepEqual(got[i], recs[i]) {
				t.Fatalf("record %d read back as\n%+v\nwritten as\n%+v", i, got[i], recs[i])
			}
		}
		t.Fatalf("read %d records, wrote %d", len(got), len(recs))
	}
}

// TestNoisyMentions checks the same perpetrator is written in more than
// one way, as resolution has to cope with.
func TestNoisyMentions(t *testing.T) {
	recs, truth := Generate(Config{Incidents: 4000, Seed: 5, End: end})
	ways := map[int]map[incident.Person]bool{}
	for i, r := range recs {
		p := truth.Suspect[i]
		if ways[p] == nil {
			ways[p] = map[incident.Person]bool{}
		}
		ways[p][r.Suspect] = true
	}
	varied := 0
	for _, w := range ways {
		if len(w) > 1 {
			varied++
		}
	}
	if varied < len(ways)/10 {
		t.Fatalf("only %d of %d perpetrators written more than one way", varied, len(ways))
	}
}

// TestLargeExtractValidates checks a force-sized sample passes validation:
// rare noise (a mistyped century) must not make an invalid extract.
func TestLargeExtractValidates(t *testing.T) {
	recs, _ := Generate(Config{Incidents: 60000, Seed: 1, End: end})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, recs); err != nil {
		t.Fatal(err)
	}
	_, rowErrs, err := incident.Read(&buf, incident.DefaultMapping(), end)
	if err != nil || len(rowErrs) != 0 {
		t.Fatalf("read: %v, %d row errors, first %v", err, len(rowErrs), rowErrs)
	}
}

// TestPerpetratorsAreMostlyMen: the synthetic records cast perpetrators,
// serial ones included, by the profile of the work (perpetratorWomen).
func TestPerpetratorsAreMostlyMen(t *testing.T) {
	_, truth := Generate(Config{Incidents: 20000, Seed: 11, End: drive.MustDate("2026-06-30")})
	var women, serial, serialWomen int
	for i, f := range truth.Female {
		if f {
			women++
		}
		if truth.Serial[i] {
			serial++
			if f {
				serialWomen++
			}
		}
	}
	n := truth.Perpetrators()
	if len(truth.Female) != n {
		t.Fatalf("%d sexes for %d perpetrators", len(truth.Female), n)
	}
	share := float64(women) / float64(n)
	if share < 0.04 || share > 0.10 {
		t.Errorf("%d of %d perpetrators are women (%.3f); want about %.2f", women, n, share, perpetratorWomen)
	}
	if serial == 0 || float64(serialWomen)/float64(serial) > 0.15 {
		t.Errorf("%d of %d serial perpetrators are women", serialWomen, serial)
	}
	// The people the default strategy ranks highest, by their truth.
	recs, truth := Generate(Config{Incidents: 20000, Seed: 11, End: drive.MustDate("2026-06-30")})
	incs := make([]identify.Incident, len(recs))
	for i, r := range recs {
		incs[i] = identify.Incident{Ref: r.Ref, On: r.On, Type: r.Type, Crime: r.Crime, SuspectID: strconv.Itoa(truth.Suspect[i]),
			VictimIDs: []string{strconv.Itoa(truth.Victim[i])}}
	}
	top := identify.Default().Rank(incs, drive.MustDate("2026-06-30"), 100)
	topWomen := 0
	for _, sc := range top {
		if i, _ := strconv.Atoi(sc.Suspect); truth.Female[i] {
			topWomen++
		}
	}
	if len(top) != 100 || topWomen > 15 {
		t.Errorf("%d of the %d ranked highest are women; want mostly men", topWomen, len(top))
	}
}
