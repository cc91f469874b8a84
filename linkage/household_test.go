package linkage

import (
	"context"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestHouseholdAdjustmentFollowsTheData links synthetic people, in whose
// households surname and postcode go together, and the same records with
// their postcodes shuffled among them, where they do not. The adjustment is
// learned from the data: clearly negative in the first, about zero in the
// second.
func TestHouseholdAdjustmentFollowsTheData(t *testing.T) {
	recs := synthRecords(20000)
	rows := make([][]string, len(recs))
	for i, r := range recs {
		rows[i] = r[1:6]
	}
	res, err := Link(context.Background(), addPeople(t, rows...), Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Model.Household > -2 {
		t.Errorf("households in the data: adjustment %.2f bits, want below -2", res.Model.Household)
	}

	rng := rand.New(rand.NewPCG(3, 4))
	shuffled := make([][]string, len(rows))
	for i, r := range rows {
		shuffled[i] = append([]string(nil), r...)
	}
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i][3], shuffled[j][3] = shuffled[j][3], shuffled[i][3] })
	res2, err := Link(context.Background(), addPeople(t, shuffled...), Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res2.Model.Household < -1 {
		t.Errorf("postcodes drawn apart from surnames: adjustment %.2f bits, want about 0", res2.Model.Household)
	}
}

// TestHouseholdKeepsParentAndChildApart adds a mother and daughter of one
// name at one address, born 30 years apart, each with one record, among
// synthetic people. Counted as independent, the name, surname and postcode
// outweigh the dates; with the household adjustment they do not, and the
// explanation says why.
func TestHouseholdKeepsParentAndChildApart(t *testing.T) {
	rows := [][]string{
		{"Eleanor", "Pardew", "1958-04-11", "LS12 4QT", "Leeds"},
		{"Eleanor", "Pardew", "1988-09-23", "LS12 4QT", "Leeds"},
	}
	for _, r := range synthRecords(20000) {
		rows = append(rows, r[1:6])
	}
	tb := addPeople(t, rows...)
	res, err := Link(context.Background(), tb, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cluster[0] == res.Cluster[1] {
		t.Errorf("mother and daughter joined:\n%s", res.Explain(0, 1))
	}
	e := res.Explain(0, 1)
	sum := e.Prior
	for _, f := range e.Fields {
		sum += f.Total()
		switch f.Field.Name {
		case "postcode":
			if f.Household != res.Model.Household || f.Household >= 0 {
				t.Errorf("postcode household adjustment %v, model's %v", f.Household, res.Model.Household)
			}
			if f.TermFrequency != 0 {
				t.Errorf("postcode term frequency %v counted with the household", f.TermFrequency)
			}
		case "surname":
			if f.TermFrequency != 0 || f.Household != 0 {
				t.Errorf("surname: term frequency %v, household %v; want neither", f.TermFrequency, f.Household)
			}
		}
	}
	if math.Abs(sum-e.Weight) > 1e-9 || math.Abs(probability(e.Weight)-res.Probability(0, 1)) > 1e-12 {
		t.Errorf("parts sum to %v, weight %v, probability %v", sum, e.Weight, res.Probability(0, 1))
	}
	if !strings.Contains(e.String(), "household") || !strings.Contains(strings.Join(e.Words(), " "), "everyone of one household") {
		t.Errorf("the explanation does not mention the household:\n%s", e)
	}
	// A pair with a different postcode gets no adjustment.
	if e := res.Explain(2, 3); e.Fields[3].Level != "exact" && e.Fields[3].Household != 0 {
		t.Errorf("household adjustment on postcodes at level %s", e.Fields[3].Level)
	}
}

// TestFarApartDatesWeighMoreThanNearMisses checks the date's "far apart"
// level against "different": dates four or more digits apart are no
// likelier for one person than dates two or three apart.
func TestFarApartDatesWeighMoreThanNearMisses(t *testing.T) {
	recs := synthRecords(20000)
	rows := make([][]string, len(recs))
	for i, r := range recs {
		rows[i] = r[1:6]
	}
	res, err := Link(context.Background(), addPeople(t, rows...), Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	levels := res.Model.Fields[2].Levels
	if far, other := levels[dateFar], levels[dateOther]; far.M > other.M || far.Weight >= other.Weight {
		t.Errorf("far apart: m %v weight %v; different: m %v weight %v", far.M, far.Weight, other.M, other.Weight)
	}
}
