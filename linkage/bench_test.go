package linkage_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/drive-platform/drive/linkage"
	"github.com/drive-platform/drive/linkage/synth"
)

// synthTable builds a table of n synthetic records, with the names of a
// population (synth.PopulationNames), and their truth keys.
func synthTable(tb testing.TB, n int, seed uint64) (*linkage.Table, []string) {
	tb.Helper()
	t, err := linkage.NewTable([]linkage.Field{
		{Name: "given_name", Kind: linkage.KindGiven},
		{Name: "surname", Kind: linkage.KindSurname},
		{Name: "dob", Kind: linkage.KindDate},
		{Name: "postcode", Kind: linkage.KindPostcode},
		{Name: "town", Kind: linkage.KindPlace},
	})
	if err != nil {
		tb.Fatal(err)
	}
	var truth []string
	for _, r := range synth.Generate(synth.Config{Records: n, Seed: seed, Names: synth.PopulationNames}) {
		if err := t.Add(0, r.ID, []string{r.Given, r.Surname, r.DOB, r.Postcode, r.Town}); err != nil {
			tb.Fatal(err)
		}
		truth = append(truth, r.PersonID)
	}
	return t, truth
}

// BenchmarkLink links synthetic tables of growing size (the table is built
// outside the timer). Run with -bench Link -benchtime 1x.
func BenchmarkLink(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			t, truth := synthTable(b, n, 1)
			b.ResetTimer()
			var res *linkage.Result
			for i := 0; i < b.N; i++ {
				var err error
				if res, err = linkage.Link(context.Background(), t, linkage.Options{Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			s := linkage.PairwiseScores(truth, res.Cluster)
			b.ReportMetric(s.F1, "F1")
			b.ReportMetric(float64(res.Stats.CandidatePairs), "pairs")
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}
