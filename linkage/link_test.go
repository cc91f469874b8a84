package linkage

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

func TestLinkIsDeterministic(t *testing.T) {
	tb, _ := synthTestTable(t, 4000)
	// A small random-pair count forces sampling, so the seed matters.
	base, err := Link(context.Background(), tb, Options{Seed: 7, Workers: 1, RandomPairs: 50_000})
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{2, 4} {
		res, err := Link(context.Background(), tb, Options{Seed: 7, Workers: workers, RandomPairs: 50_000})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Cluster, base.Cluster) {
			t.Errorf("clusters with %d workers differ from those with 1", workers)
		}
		if res.Model.Prior != base.Model.Prior {
			t.Errorf("prior with %d workers = %v, with 1 = %v", workers, res.Model.Prior, base.Model.Prior)
		}
	}
}

func TestLinkFindsSyntheticPeople(t *testing.T) {
	tb, truth := synthTestTable(t, 10_000)
	res, err := Link(context.Background(), tb, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := PairwiseScores(truth, res.Cluster)
	t.Logf("synthetic 10,000: precision %.4f recall %.4f F1 %.4f", s.Precision, s.Recall, s.F1)
	if s.F1 < 0.95 {
		t.Errorf("pairwise F1 on synthetic people = %.4f, want at least 0.95", s.F1)
	}
	// The model must have learned that agreement is evidence.
	for _, f := range res.Model.Fields {
		if !f.Trained {
			t.Errorf("field %s was not trained", f.Field.Name)
		}
		if f.Levels[1].Weight <= 0 {
			t.Errorf("field %s: exact agreement weight %.2f, want positive", f.Field.Name, f.Levels[1].Weight)
		}
		if last := f.Levels[len(f.Levels)-1]; last.Weight >= 0 {
			t.Errorf("field %s: disagreement weight %.2f, want negative", f.Field.Name, last.Weight)
		}
	}
}

func TestExplainAddsUp(t *testing.T) {
	tb, _ := synthTestTable(t, 2000)
	res, err := Link(context.Background(), tb, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range [][2]int{{0, 1}, {5, 900}, {17, 3}} {
		e := res.Explain(p[0], p[1])
		sum := e.Prior
		for _, f := range e.Fields {
			sum += f.Total()
		}
		if math.Abs(sum-e.Weight) > 1e-9 {
			t.Errorf("explain %v: parts sum to %v, total is %v", p, sum, e.Weight)
		}
		if got := res.Probability(p[0], p[1]); math.Abs(got-e.Probability) > 1e-12 {
			t.Errorf("explain %v: probability %v, Probability says %v", p, e.Probability, got)
		}
		text := e.String()
		for _, want := range []string{"given", "prior", "total", "match probability"} {
			if !strings.Contains(text, want) {
				t.Errorf("explanation lacks %q:\n%s", want, text)
			}
		}
	}
}

// addPeople adds rows of given, surname, dob, postcode, town with ids
// "1", "2", ... and returns the table.
func addPeople(t *testing.T, rows ...[]string) *Table {
	t.Helper()
	tb, err := NewTable([]Field{{"given", KindGiven}, {"surname", KindSurname}, {"dob", KindDate}, {"postcode", KindPostcode}, {"town", KindPlace}})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := tb.Add(0, strconv.Itoa(i+1), r); err != nil {
			t.Fatal(err)
		}
	}
	return tb
}

// TestClusteringResistsChaining builds a household: a father and a son of
// the same name at one address with different dates of birth, each with
// several records, and one record with only the surname and the address that
// links to both. The son and the father must stay apart.
func TestClusteringResistsChaining(t *testing.T) {
	rows := [][]string{
		{"John", "Hartley", "1961-03-14", "LS12 4QT", "Leeds"},
		{"John", "Hartley", "1961-03-14", "LS12 4QT", "Leeds"},
		{"Jon", "Hartley", "1961-03-14", "LS12 4QT", ""},
		{"John", "Hartley", "1991-11-02", "LS12 4QT", "Leeds"},
		{"John", "Hartley", "1991-11-02", "LS12 4QT", "Leeds"},
		{"J", "Hartley", "1991-11-02", "LS12 4QT", ""},
		{"", "Hartley", "", "LS12 4QT", "Leeds"}, // links to either
	}
	// Background people, so that the model has something to learn from.
	for _, r := range synthRecords(3000) {
		rows = append(rows, r[1:6])
	}
	tb := addPeople(t, rows...)
	for _, cohesion := range []float64{0, 0.9} {
		res, err := Link(context.Background(), tb, Options{Cohesion: cohesion})
		if err != nil {
			t.Fatal(err)
		}
		c := res.Cluster
		if c[0] != c[1] || c[1] != c[2] {
			t.Errorf("cohesion %v: the father's records are split: %v", cohesion, c[:3])
		}
		if c[3] != c[4] || c[4] != c[5] {
			t.Errorf("cohesion %v: the son's records are split: %v", cohesion, c[3:6])
		}
		t.Log(res.Explain(0, 3), res.Explain(0, 6), res.Explain(3, 6))
		if c[0] == c[3] {
			t.Errorf("cohesion %v: father and son were chained into one person through the sparse record", cohesion)
		}
	}
	// Plain connected components do chain them: the check is what helps.
	res, err := Link(context.Background(), tb, Options{Cohesion: -1})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cluster[0] != res.Cluster[3] {
		t.Log("without the cohesion check the sparse record did not chain them; the test data may be too weak")
	}
}

func TestLinkAcrossSourcesOnly(t *testing.T) {
	tb, err := NewTable([]Field{{"given", KindGiven}, {"surname", KindSurname}, {"dob", KindDate}})
	if err != nil {
		t.Fatal(err)
	}
	recs := synthRecords(2000)
	for i, r := range recs {
		if err := tb.Add(1+i%2, r[0], r[1:4]); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Link(context.Background(), tb, Options{AcrossSourcesOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	perCluster := map[[2]int]int{}
	for i, c := range res.Cluster {
		perCluster[[2]int{c, tb.Source(i)}]++
	}
	for k, n := range perCluster {
		if n > 1 {
			t.Errorf("cluster %d holds %d records of source %d; across-only must not join records of one source", k[0], n, k[1])
		}
	}
	if res.Stats.Clusters == tb.Len() {
		t.Error("nothing was linked across the sources")
	}
}

func TestLinkRejectsBadInput(t *testing.T) {
	tb, _ := synthTestTable(t, 100)
	one := addPeople(t, []string{"Ann", "Lee", "1970-01-01", "", ""})
	tests := []struct {
		name string
		t    *Table
		opts Options
		want string
	}{
		{"threshold above 1", tb, Options{Threshold: 1.5}, "threshold"},
		{"threshold of 1", tb, Options{Threshold: 1}, "threshold"},
		{"cohesion above 1", tb, Options{Cohesion: 2}, "cohesion"},
		{"tiny blocks", tb, Options{MaxBlockSize: 1}, "block size"},
		{"few random pairs", tb, Options{RandomPairs: 10}, "random pairs"},
		{"one record", one, Options{}, "at least two"},
		{"one source", tb, Options{AcrossSourcesOnly: true}, "two sources"},
		{"unknown field in rule", tb, Options{Blocking: []BlockingRule{{Keys: []BlockingKey{{Fields: []string{"nhs"}}}}}}, "not a compared field"},
		{"empty rule", tb, Options{Blocking: []BlockingRule{{}}}, "no keys"},
	}
	for _, tt := range tests {
		_, err := Link(context.Background(), tt.t, tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		}
		if err != nil && drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: code %q, want %q", tt.name, drive.ErrorCode(err), drive.EINVALID)
		}
	}
}

func TestLinkStopsWhenCancelled(t *testing.T) {
	tb, _ := synthTestTable(t, 2000)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Link(ctx, tb, Options{}); err == nil {
		t.Error("Link with a cancelled context succeeded")
	}
}

func TestTableErrors(t *testing.T) {
	if _, err := NewTable(nil); err == nil {
		t.Error("NewTable(nil) succeeded")
	}
	if _, err := NewTable([]Field{{"a", KindGiven}, {"a", KindSurname}}); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("repeated field: %v", err)
	}
	if _, err := NewTable([]Field{{"a", 0}}); err == nil {
		t.Error("field without a kind accepted")
	}
	tb, _ := NewTable([]Field{{"a", KindGiven}})
	if err := tb.Add(0, "1", []string{"x"}); err != nil {
		t.Fatal(err)
	}
	if err := tb.Add(0, " 1 ", []string{"y"}); err == nil || !strings.Contains(err.Error(), "appears twice") {
		t.Errorf("duplicate id: %v", err)
	}
	if err := tb.Add(1, "1", []string{"y"}); err != nil {
		t.Errorf("the same id in another source: %v", err)
	}
	if err := tb.Add(0, "", []string{"y"}); err == nil {
		t.Error("empty id accepted")
	}
	if err := tb.Add(0, "2", []string{"y", "z"}); err == nil {
		t.Error("wrong number of values accepted")
	}
	if i, ok := tb.Lookup(1, "1"); !ok || i != 1 {
		t.Errorf("Lookup(1, 1) = %d, %v", i, ok)
	}
	if _, ok := tb.Lookup(0, "nope"); ok {
		t.Error("Lookup found a missing id")
	}
}

func TestKinds(t *testing.T) {
	for _, name := range KindNames() {
		k, err := ParseKind(" " + strings.ToUpper(name) + " ")
		if err != nil || k.String() != name {
			t.Errorf("ParseKind(%q) = %v, %v", name, k, err)
		}
	}
	if _, err := ParseKind("dob"); err == nil || !strings.Contains(err.Error(), "use one of") {
		t.Errorf("ParseKind(dob) error = %v", err)
	}
}

func TestPairwiseScores(t *testing.T) {
	tests := []struct {
		name              string
		truth             []string
		pred              []int
		precision, recall float64
	}{
		{"perfect", []string{"a", "a", "b"}, []int{1, 1, 2}, 1, 1},
		{"all apart", []string{"a", "a", "b"}, []int{1, 2, 3}, 1, 0},
		{"all together", []string{"a", "a", "b"}, []int{1, 1, 1}, 1.0 / 3, 1},
		{"empty truth is its own person", []string{"", "", "b"}, []int{1, 1, 2}, 0, 1},
		{"no pairs anywhere", []string{"a", "b"}, []int{1, 2}, 1, 1},
	}
	for _, tt := range tests {
		s := PairwiseScores(tt.truth, tt.pred)
		if math.Abs(s.Precision-tt.precision) > 1e-9 || math.Abs(s.Recall-tt.recall) > 1e-9 {
			t.Errorf("%s: precision %v recall %v, want %v %v", tt.name, s.Precision, s.Recall, tt.precision, tt.recall)
		}
	}
}

// TestLinkDegenerateInputs checks that odd but legal inputs give an answer
// rather than a failure.
func TestLinkDegenerateInputs(t *testing.T) {
	same := make([][]string, 1500)
	for i := range same {
		same[i] = []string{"Ann", "Lee", "1970-01-01", "LS1 1AA", "Leeds"}
	}
	tests := []struct {
		name string
		rows [][]string
	}{
		{"two strangers", [][]string{{"Ann", "Lee", "1970-01-01", "", ""}, {"Bob", "Cole", "1980-02-02", "", ""}}},
		{"two identical", [][]string{{"Ann", "Lee", "1970-01-01", "", ""}, {"Ann", "Lee", "1970-01-01", "", ""}}},
		{"all missing", [][]string{{"", "", "", "", ""}, {"", "", "", "", ""}, {"", "", "", "", ""}}},
		{"one huge block", same},
	}
	for _, tt := range tests {
		res, err := Link(context.Background(), addPeople(t, tt.rows...), Options{})
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(res.Cluster) != len(tt.rows) {
			t.Errorf("%s: %d cluster numbers for %d rows", tt.name, len(res.Cluster), len(tt.rows))
		}
	}
}
