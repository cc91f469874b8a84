package linkage

import (
	"context"
	"fmt"
	"testing"

	"github.com/drive-platform/drive/linkage/synth"
)

// TestPartialDatesAddEvidence checks that a date of birth written with its
// year and month only is evidence, not a missing value: when a third of the
// records carry only the year and month of birth, the linker finds more of
// the true pairs than when those records carry no date at all, and no fewer
// of its pairs are true.
func TestPartialDatesAddEvidence(t *testing.T) {
	recs := synth.Generate(synth.Config{Records: 6000, Seed: 3})
	run := func(partial bool) Scores {
		tb, err := NewTable([]Field{{"given", KindGiven}, {"surname", KindSurname}, {"dob", KindDate}, {"postcode", KindPostcode}, {"town", KindPlace}})
		if err != nil {
			t.Fatal(err)
		}
		truth := make([]string, len(recs))
		for i, r := range recs {
			dob := r.DOB
			if i%3 == 0 {
				dob = ""
				if d, err := ParseDate(r.DOB); partial && err == nil {
					dob = fmt.Sprintf("%04d-%02d", d.Year, d.Month)
				}
			}
			if err := tb.Add(0, r.ID, []string{r.Given, r.Surname, dob, r.Postcode, r.Town}); err != nil {
				t.Fatal(err)
			}
			truth[i] = r.PersonID
		}
		res, err := Link(context.Background(), tb, Options{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		return PairwiseScores(truth, res.Cluster)
	}
	none, part := run(false), run(true)
	t.Logf("a third of dates missing: precision %.4f recall %.4f; year and month only: precision %.4f recall %.4f", none.Precision, none.Recall, part.Precision, part.Recall)
	if part.Recall <= none.Recall {
		t.Errorf("recall with year and month %.4f, without the dates %.4f: want the partial dates to find more", part.Recall, none.Recall)
	}
	if part.Precision < none.Precision-0.002 {
		t.Errorf("precision with year and month %.4f, without the dates %.4f: want no loss", part.Precision, none.Precision)
	}
}
