package linkage

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

// TestExplainInWords checks the sentences of an explanation against its
// numbers: one sentence per field, each under "For", "Against" or "Neither"
// as its weight's sign says, the strongest evidence first, and a verdict
// that agrees with the probability, the threshold and the clusters.
func TestExplainInWords(t *testing.T) {
	tb, truth := synthTestTable(t, 3000)
	res, err := Link(context.Background(), tb, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var linked, apart [2]int
	foundLinked, foundApart := false, false
	for a := 0; a < tb.Len() && !(foundLinked && foundApart); a++ {
		for b := a + 1; b < tb.Len(); b++ {
			p := res.Probability(a, b)
			if !foundLinked && truth[a] == truth[b] && p >= 0.9 && res.Cluster[a] == res.Cluster[b] {
				linked, foundLinked = [2]int{a, b}, true
			}
			if !foundApart && truth[a] != truth[b] && p < 0.01 && res.Cluster[a] != res.Cluster[b] {
				apart, foundApart = [2]int{a, b}, true
			}
		}
	}
	if !foundLinked || !foundApart {
		t.Fatal("no linked pair or no pair apart among the synthetic records")
	}
	for _, tc := range []struct {
		pair    [2]int
		verdict string
	}{
		{linked, "so the pair links on its own; the records are in one cluster."},
		{apart, "so the pair does not link on its own; the records are in different clusters."},
	} {
		e := res.Explain(tc.pair[0], tc.pair[1])
		words := e.Words()
		if !strings.HasPrefix(words[0], "Before comparing anything") {
			t.Errorf("%v: first sentence %q, want the prior", tc.pair, words[0])
		}
		if last := words[len(words)-1]; !strings.HasSuffix(last, tc.verdict) {
			t.Errorf("%v: verdict %q, want it to end %q", tc.pair, last, tc.verdict)
		}
		body := words[1 : len(words)-1]
		if len(body) != len(e.Fields) {
			t.Fatalf("%v: %d field sentences for %d fields: %q", tc.pair, len(body), len(e.Fields), body)
		}
		byName := map[string]FieldEvidence{}
		for _, f := range e.Fields {
			byName[f.Field.Name] = f
		}
		prev := ""
		var prevW float64
		for _, s := range body {
			side, rest, _ := strings.Cut(s, ": ")
			name := strings.Fields(rest)[0]
			f, ok := byName[name]
			if !ok {
				t.Fatalf("%v: sentence %q names no field", tc.pair, s)
			}
			want := "Neither"
			switch w := f.Total(); {
			case w > 0:
				want = "For"
			case w < 0:
				want = "Against"
			}
			if side != want {
				t.Errorf("%v: %q is under %q, its weight %+.2f puts it under %q", tc.pair, s, side, f.Total(), want)
			}
			if side == prev && side == "For" && f.Total() > prevW || side == prev && side == "Against" && f.Total() < prevW {
				t.Errorf("%v: %q comes after weaker evidence (%+.2f)", tc.pair, s, prevW)
			}
			prev, prevW = side, f.Total()
		}
		if !strings.Contains(e.String(), "running total") {
			t.Errorf("%v: the table has no running total:\n%s", tc.pair, e.String())
		}
	}
}

// TestExplainPairWithStoredModel checks that a model kept after a run and
// read back explains a pair with the run's levels and level weights, so
// that its total differs from the run's own explanation by the
// term-frequency adjustments alone.
func TestExplainPairWithStoredModel(t *testing.T) {
	tb, _ := synthTestTable(t, 2000)
	res, err := Link(context.Background(), tb, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(res.Model)
	if err != nil {
		t.Fatal(err)
	}
	var m Model
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	nf := len(res.Model.Fields)
	values := func(i int) []string {
		out := make([]string, nf)
		for f := range out {
			out[f] = tb.Value(i, f)
		}
		return out
	}
	checked, linked := 0, 0
	for a := 0; a+7 < tb.Len() && checked < 200; a += 7 {
		b := a + 7
		if res.Cluster[a] != res.Cluster[b] && checked%2 == 0 {
			// Look for the next record of a's person, so linked pairs are
			// checked as well as pairs apart.
			for c := a + 1; c < tb.Len(); c++ {
				if res.Cluster[c] == res.Cluster[a] {
					b = c
					break
				}
			}
		}
		want := res.Explain(a, b)
		got, err := m.ExplainPair(tb.ID(a), values(a), tb.ID(b), values(b))
		if err != nil {
			t.Fatal(err)
		}
		sum, tf := got.Prior, 0.0
		for f := range got.Fields {
			g, w := got.Fields[f], want.Fields[f]
			if g.Level != w.Level || g.Weight != w.Weight || g.Deferred != w.Deferred {
				t.Fatalf("pair %d,%d field %s: level %s weight %v deferred %v, want %s %v %v", a, b, g.Field.Name, g.Level, g.Weight, g.Deferred, w.Level, w.Weight, w.Deferred)
			}
			if g.TermFrequency != 0 {
				t.Fatalf("pair %d,%d field %s: term frequency %v from a stored model", a, b, g.Field.Name, g.TermFrequency)
			}
			sum += g.Total()
			tf += w.TermFrequency
		}
		if math.Abs(sum-got.Weight) > 1e-9 || math.Abs(got.Weight+tf-want.Weight) > 1e-9 {
			t.Fatalf("pair %d,%d: weight %v (fields sum to %v), run's %v with %v of term frequencies", a, b, got.Weight, sum, want.Weight, tf)
		}
		if res.Cluster[a] == res.Cluster[b] {
			linked++
		}
		checked++
	}
	if linked == 0 || linked == checked {
		t.Fatalf("%d of %d pairs checked were linked: want some of each", linked, checked)
	}
	if _, err := m.ExplainPair("x", []string{"a"}, "y", []string{"b"}); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("too few values: %v, want EINVALID", err)
	}
}

// BenchmarkExplainPair measures explaining one pair from a kept model, as
// a suspect's page does up to 60*59 times to find his weakest link.
func BenchmarkExplainPair(b *testing.B) {
	tb, _ := synthTestTable(b, 2000)
	res, err := Link(context.Background(), tb, Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	nf := len(res.Model.Fields)
	values := func(i int) []string {
		out := make([]string, nf)
		for f := range out {
			out[f] = tb.Value(i, f)
		}
		return out
	}
	x, y := values(0), values(1)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := res.Model.ExplainPair("a", x, "b", y); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExplainerWeakestLink measures explaining every ordered pair of
// 60 records with one Explainer, as a suspect's page does to find his
// weakest link.
func BenchmarkExplainerWeakestLink(b *testing.B) {
	tb, _ := synthTestTable(b, 2000)
	res, err := Link(context.Background(), tb, Options{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	nf := len(res.Model.Fields)
	var ids []string
	var vals [][]string
	for i := range 60 {
		v := make([]string, nf)
		for f := range v {
			v[f] = tb.Value(i, f)
		}
		ids, vals = append(ids, tb.ID(i)), append(vals, v)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		x, err := res.Model.NewExplainer(ids, vals)
		if err != nil {
			b.Fatal(err)
		}
		for i := range 60 {
			for j := range 60 {
				if i != j {
					x.Explain(i, j)
				}
			}
		}
	}
}

// TestWeighIsExplainsWeight: for every pair of 300 synthetic records,
// Weigh gives Explain's weight to the bit and says the dates of birth
// plainly differ exactly when the explanation's date level is
// "different" or "far apart"; and both kinds of pair occur.
func TestWeighIsExplainsWeight(t *testing.T) {
	tb, _ := synthTestTable(t, 2000)
	res, err := Link(context.Background(), tb, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	nf := len(res.Model.Fields)
	var ids []string
	var vals [][]string
	for i := range 300 {
		v := make([]string, nf)
		for f := range v {
			v[f] = tb.Value(i, f)
		}
		ids, vals = append(ids, tb.ID(i)), append(vals, v)
	}
	x, err := res.Model.NewExplainer(ids, vals)
	if err != nil {
		t.Fatal(err)
	}
	apart := 0
	for i := range 300 {
		for j := range 300 {
			if i == j {
				continue
			}
			e := x.Explain(i, j)
			w, da := x.Weigh(i, j)
			if math.Abs(w-e.Weight) > 1e-9 {
				t.Fatalf("pair %d,%d: Weigh %.6f, Explain %.6f", i, j, w, e.Weight)
			}
			want := false
			for _, f := range e.Fields {
				if f.Field.Kind == KindDate && (f.Level == "different" || f.Level == "far apart") {
					want = true
				}
			}
			if da != want {
				t.Fatalf("pair %d,%d: dates apart %v; the explanation says %v", i, j, da, want)
			}
			if da {
				apart++
			}
		}
	}
	if apart == 0 || apart == 300*299 {
		t.Fatalf("%d of %d pairs have dates apart: the test needs both kinds", apart, 300*299)
	}
}
