package linkage

import (
	"fmt"
	"math"
	"slices"
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
	Threshold   float64 // the run's threshold
	SameCluster bool    // the records ended in one cluster
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
	// Household is the household adjustment (Model.Household) on a
	// postcode that agrees exactly with the surname: the two agreements
	// are partly one fact, shared by everyone at one address; 0 otherwise.
	// The surname and postcode then have no term-frequency adjustment.
	Household float64
	// Deferred is set when both values are present but the field is not
	// counted because another field already says the same (a town where the
	// postcodes are compared, a surname where the given field saw the names
	// swapped).
	Deferred bool
}

// Total is the field's whole contribution to the match weight.
func (f FieldEvidence) Total() float64 { return f.Weight + f.TermFrequency + f.Household }

// Explain returns the explanation of records a and b (record numbers, as
// from Table.Lookup).
func (r *Result) Explain(a, b int) Explanation {
	t := r.md.t
	lo, hi := min(a, b), max(a, b)
	vec := r.cmp.vector(lo, hi)
	e := Explanation{A: a, B: b, IDA: t.ids[a], IDB: t.ids[b], Prior: r.md.prior, Threshold: r.Model.Threshold, SameCluster: r.Cluster[a] == r.Cluster[b]}
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
		fe.TermFrequency, fe.Household = r.md.adjust(f, vec, lo)
		if l == levelMissing && t.vals[a*nf+f] != 0 && t.vals[b*nf+f] != 0 {
			fe.Deferred = r.cmp.postcode[f] >= 0 || t.fields[f].Kind == KindSurname && r.cmp.partner[f] >= 0
		}
		e.Weight += fe.Total()
		e.Fields = append(e.Fields, fe)
	}
	e.Probability = probability(e.Weight)
	return e
}

// String lays the explanation out for a terminal: a table of the fields,
// then the same evidence as a waterfall, from the prior through each field
// to the final weight, then in words (see Words).
func (e Explanation) String() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "field\tkind\t%s\t%s\tlevel\tweight\tterm freq\trunning total\n", e.IDA, e.IDB)
	// The household adjustment is shown with the term frequency: both
	// correct the weight of one exact agreement.
	fmt.Fprintf(tw, "prior\t\t\t\t\t%+.2f\t\t%+.2f\n", e.Prior, e.Prior)
	running := e.Prior
	for _, f := range e.Fields {
		tf := ""
		if f.TermFrequency != 0 {
			tf = fmt.Sprintf("%+.2f", f.TermFrequency)
		}
		if f.Household != 0 {
			tf += fmt.Sprintf(" household %+.2f", f.Household)
		}
		running += f.Total()
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%+.2f\t%s\t%+.2f %s\n", f.Field.Name, f.Field.Kind, show(f.A), show(f.B), f.Level, f.Weight, tf, running, bar(f.Total()))
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t%+.2f\t\t\n", e.Weight)
	tw.Flush()
	fmt.Fprintf(&b, "match probability %.6f (weights in bits, log2 of likelihood ratios)\n", e.Probability)
	for _, line := range e.Words() {
		fmt.Fprintf(&b, "  %s\n", line)
	}
	return b.String()
}

// bar draws a weight as a bar of one character per two bits, + for evidence
// for and - for evidence against, so that the waterfall reads at a glance.
func bar(w float64) string {
	n := int(math.Round(math.Abs(w) / 2))
	switch {
	case w > 0:
		return strings.Repeat("+", max(n, 1))
	case w < 0:
		return strings.Repeat("-", max(n, 1))
	}
	return ""
}

// Words says in sentences what the explanation shows, for an analyst who
// wants to know why two records were or were not joined: where the linker
// started (how likely two records picked at random are one person), the
// evidence for and against in the order of its strength, with each weight
// as odds, and the outcome.
func (e Explanation) Words() []string {
	out := []string{fmt.Sprintf("Before comparing anything, two records picked at random are one person at odds of %s (prior %+.1f bits).", odds(e.Prior), e.Prior)}
	var pro, con, none []FieldEvidence
	for _, f := range e.Fields {
		switch w := f.Total(); {
		case w > 0:
			pro = append(pro, f)
		case w < 0:
			con = append(con, f)
		default:
			none = append(none, f)
		}
	}
	slices.SortStableFunc(pro, func(x, y FieldEvidence) int { return cmpFloat(y.Total(), x.Total()) })
	slices.SortStableFunc(con, func(x, y FieldEvidence) int { return cmpFloat(x.Total(), y.Total()) })
	for _, f := range pro {
		out = append(out, "For: "+f.sentence())
	}
	for _, f := range con {
		out = append(out, "Against: "+f.sentence())
	}
	for _, f := range none {
		out = append(out, "Neither: "+f.sentence())
	}
	verdict := fmt.Sprintf("Together: %+.1f bits, a match probability of %.3f, ", e.Weight, e.Probability)
	if e.Probability >= e.Threshold {
		verdict += fmt.Sprintf("at or above the threshold of %v, so the pair links on its own", e.Threshold)
	} else {
		verdict += fmt.Sprintf("below the threshold of %v, so the pair does not link on its own", e.Threshold)
	}
	switch {
	case e.SameCluster && e.Probability < e.Threshold:
		verdict += "; the records are joined through other records of the same person."
	case e.SameCluster:
		verdict += "; the records are in one cluster."
	case e.Probability >= e.Threshold:
		verdict += "; the records are nonetheless in different clusters, because their groups of records did not hold together (a date of birth or given name set them apart, or they matched too weakly as a whole)."
	default:
		verdict += "; the records are in different clusters."
	}
	return append(out, verdict)
}

// sentence describes one field's evidence.
func (f FieldEvidence) sentence() string {
	name := strings.ReplaceAll(f.Field.Name, "_", " ")
	switch {
	case f.Deferred:
		return fmt.Sprintf("%s (%s, %s): not counted, as another field already says the same.", name, f.A, f.B)
	case f.A == "" || f.B == "":
		return fmt.Sprintf("%s: missing from one record or both, so no evidence either way.", name)
	case f.Level == levelNames(f.Field.Kind)[levelMissing]:
		return fmt.Sprintf("%s (%s, %s): not readable in one record, so no evidence either way.", name, f.A, f.B)
	}
	s := fmt.Sprintf("%s %s (%s, %s): %+.1f bits", name, f.Level, f.A, f.B, f.Total())
	if f.TermFrequency != 0 {
		how := "rare"
		if f.TermFrequency < 0 {
			how = "common"
		}
		s += fmt.Sprintf(", of which %+.1f because the value is %s", f.TermFrequency, how)
	}
	if f.Household != 0 {
		s += fmt.Sprintf(", of which %+.1f because the surname agrees too, as it does for everyone of one household", f.Household)
	}
	switch w := f.Total(); {
	case w > 0:
		s += fmt.Sprintf("; this is %s times likelier for one person than for two.", ratio(w))
	case w < 0:
		s += fmt.Sprintf("; this is %s times likelier for two people than for one.", ratio(-w))
	default:
		s += "; as likely for one person as for two."
	}
	return s
}

// ratio writes 2^bits as a rounded number of times.
func ratio(bits float64) string {
	r := math.Exp2(bits)
	switch {
	case r < 10:
		return fmt.Sprintf("%.1f", r)
	case r < 1e6:
		return fmt.Sprintf("%.0f", r)
	}
	return fmt.Sprintf("%.1e", r)
}

// odds writes log2 odds as "1 to N" or "N to 1".
func odds(bits float64) string {
	if bits < 0 {
		return "1 to " + ratio(-bits)
	}
	return ratio(bits) + " to 1"
}

func cmpFloat(x, y float64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func show(s string) string {
	if s == "" {
		return "(missing)"
	}
	return s
}
