package synth

import (
	"math"
	"slices"
	"testing"
)

// The population's surname shares match the published shares of the leading
// surnames of England and Wales (top 10 5.7%, top 100 20.8%, top 500 39.3%)
// to within a few points, and its given names the 2008 baby names (boys'
// top 100 57.7%, girls' 47.4%).
func TestPopulationNamesFollowPublishedShares(t *testing.T) {
	l := populationLists()
	for _, c := range []struct {
		what       string
		cum        []float64
		rank       int
		want, plus float64
	}{
		{"surnames, top 10", l.surnameCum, 10, 0.057, 0.01},
		{"surnames, top 100", l.surnameCum, 100, 0.208, 0.02},
		{"surnames, top 500", l.surnameCum, 500, 0.393, 0.04},
		{"boys' names, top 1", l.maleCum, 1, 0.0221, 0.003},
		{"boys' names, top 100", l.maleCum, 100, 0.577, 0.02},
		{"girls' names, top 1", l.femaleCum, 1, 0.0154, 0.003},
		{"girls' names, top 100", l.femaleCum, 100, 0.474, 0.02},
	} {
		got := c.cum[c.rank-1]
		t.Logf("%s: %.4f (published %.4f)", c.what, got, c.want)
		if math.Abs(got-c.want) > c.plus {
			t.Errorf("%s: share %.4f, want %.3f within %.3f", c.what, got, c.want, c.plus)
		}
	}
	if len(l.surnames) != surnameRanks {
		t.Errorf("%d surnames, want %d", len(l.surnames), surnameRanks)
	}
	if len(l.male) < 26_000 || len(l.female) < 33_000 {
		t.Errorf("%d boys' and %d girls' names, want the 26,815 and 34,043 of the published year", len(l.male), len(l.female))
	}
	seen := map[string]bool{}
	for _, n := range l.surnames {
		if seen[n] {
			t.Fatalf("surname %q twice", n)
		}
		seen[n] = true
	}
}

// Namesakes: among the people of a file, the commonest surname is about as
// common as Smith is in England and Wales (1.2%), not five times as common
// as it is with the compact lists.
func TestPopulationNamesCommonestSurname(t *testing.T) {
	share := func(names Names) float64 {
		recs := Generate(Config{Records: 100_000, Seed: 1, Names: names})
		surname := map[string]string{}
		for _, r := range recs {
			if r.Surname != "" {
				surname[r.PersonID] = r.Surname // noise aside, one a person
			}
		}
		counts := map[string]int{}
		for _, s := range surname {
			counts[s]++
		}
		most := 0
		for _, n := range counts {
			most = max(most, n)
		}
		return float64(most) / float64(len(surname))
	}
	if got := share(PopulationNames); got < 0.008 || got > 0.018 {
		t.Errorf("commonest surname held by %.4f of people, want about 0.012", got)
	}
	if got := share(CompactNames); got < 0.04 {
		t.Errorf("commonest compact surname held by %.4f of people; the compact lists have changed", got)
	}
}

func TestPopulationNamesAreDeterministic(t *testing.T) {
	a := Generate(Config{Records: 2000, Seed: 3, Names: PopulationNames})
	b := Generate(Config{Records: 2000, Seed: 3, Names: PopulationNames})
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different records")
	}
	c := Generate(Config{Records: 2000, Seed: 3})
	if slices.Equal(a, c) {
		t.Error("the population's names gave the same records as the compact lists")
	}
}
