package linkage

import (
	"fmt"
	"strings"
	"text/tabwriter"
)

// Explanation shows how the model scored one pair of records: the evidence
// each field added, in bits (log2 of the likelihood ratio), the prior, and
// the resulting match probability.
type Explanation struct {
	A, B        int     // record numbers
	IDA, IDB    string  // record ids
	Prior       float64 // log2 odds that two random records match
	Fields      []FieldEvidence
	Weight      float64 // prior plus all field weights: log2 odds of a match
	Probability float64
	SameCluster bool // the records ended in one cluster
}

// FieldEvidence is one field's part of an Explanation.
type FieldEvidence struct {
	Field  Field
	A, B   string // the values as given
	Level  string
	Weight float64 // the level's weight
	// TermFrequency is the adjustment for how common an exactly agreeing
	// value is; 0 for other levels.
	TermFrequency float64
}

// Explain returns the explanation of records a and b (record numbers, as
// from Table.Lookup).
func (r *Result) Explain(a, b int) Explanation {
	t := r.md.t
	lo, hi := min(a, b), max(a, b)
	vec := r.cmp.vector(lo, hi)
	e := Explanation{A: a, B: b, IDA: t.ids[a], IDB: t.ids[b], Prior: r.md.prior, SameCluster: r.Cluster[a] == r.Cluster[b]}
	e.Weight = r.md.prior
	nf := len(t.fields)
	for f := 0; f < nf; f++ {
		l := levelOf(vec, f)
		fe := FieldEvidence{
			Field:  t.fields[f],
			A:      t.Value(a, f),
			B:      t.Value(b, f),
			Level:  levelNames(t.fields[f].Kind)[l],
			Weight: r.md.weights[f][l],
		}
		if l == 1 && r.md.tf[f] != nil {
			fe.TermFrequency = r.md.tf[f][t.vals[lo*nf+f]]
		}
		e.Weight += fe.Weight + fe.TermFrequency
		e.Fields = append(e.Fields, fe)
	}
	e.Probability = probability(e.Weight)
	return e
}

// String lays the explanation out as a table for a terminal.
func (e Explanation) String() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "field\tkind\t%s\t%s\tlevel\tweight\tterm freq\n", e.IDA, e.IDB)
	for _, f := range e.Fields {
		tf := ""
		if f.TermFrequency != 0 {
			tf = fmt.Sprintf("%+.2f", f.TermFrequency)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%+.2f\t%s\n", f.Field.Name, f.Field.Kind, show(f.A), show(f.B), f.Level, f.Weight, tf)
	}
	fmt.Fprintf(tw, "prior\t\t\t\t\t%+.2f\t\n", e.Prior)
	fmt.Fprintf(tw, "total\t\t\t\t\t%+.2f\t\n", e.Weight)
	tw.Flush()
	same := "different clusters"
	if e.SameCluster {
		same = "the same cluster"
	}
	fmt.Fprintf(&b, "match probability %.6f (weights in bits, log2 of likelihood ratios); the records are in %s\n", e.Probability, same)
	return b.String()
}

func show(s string) string {
	if s == "" {
		return "(missing)"
	}
	return s
}
