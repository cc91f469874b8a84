package linkage

import (
	"github.com/drive-platform/drive"
)

// Explainer explains pairs of a set of records under a model learned
// earlier and kept (a Model holds only probabilities and weights, no
// values, so it can be stored after a run and the run's records let go).
// The records are read once, so explaining many of their pairs (every
// pair of one man's incidents) costs a comparison each.
//
// The levels are those Link would give a pair. The term-frequency
// adjustments are not: they need how often each value occurs across the
// whole run, which the model does not keep, so an exactly agreeing rare
// name counts here as an average one. A weight is then the prior plus the
// listed level weights, which can differ from the run's by those
// adjustments alone.
type Explainer struct {
	m   *Model
	t   *Table
	cmp *comparer
	md  *model // for the household adjustment
}

// NewExplainer reads records (ids, and values in the order of m.Fields)
// to explain their pairs under m. It returns EINVALID for a model that
// does not fit the values.
func (m *Model) NewExplainer(ids []string, values [][]string) (*Explainer, error) {
	if m == nil || len(m.Fields) == 0 {
		return nil, drive.Errorf(drive.EINVALID, "no model to explain with")
	}
	fields := make([]Field, len(m.Fields))
	for f, fm := range m.Fields {
		fields[f] = fm.Field
		if len(fm.Levels) != len(levelNames(fm.Field.Kind)) {
			return nil, drive.Errorf(drive.EINVALID, "the model of field %s has %d levels, not the %d of its kind", fm.Field.Name, len(fm.Levels), len(levelNames(fm.Field.Kind)))
		}
	}
	if len(ids) != len(values) {
		return nil, drive.Errorf(drive.EINVALID, "%d ids for %d records", len(ids), len(values))
	}
	t, err := NewTable(fields)
	if err != nil {
		return nil, err
	}
	for i, v := range values {
		if len(v) != len(fields) {
			return nil, drive.Errorf(drive.EINVALID, "a record of %d values for a model of %d fields", len(v), len(fields))
		}
		if err := t.Add(0, ids[i], v); err != nil {
			return nil, err
		}
	}
	md := &model{t: t}
	md.setHousehold(m.Household)
	return &Explainer{m: m, t: t, cmp: newComparer(t), md: md}, nil
}

// Explain explains records a and b (indexes into the records given to
// NewExplainer). SameCluster is left false for the caller to set.
func (x *Explainer) Explain(a, b int) Explanation {
	t, m := x.t, x.m
	lo, hi := min(a, b), max(a, b)
	vec := x.cmp.vector(lo, hi)
	nf := len(t.fields)
	e := Explanation{A: a, B: b, IDA: t.ids[a], IDB: t.ids[b], Prior: m.Prior, Threshold: m.Threshold, Weight: m.Prior}
	for f := 0; f < nf; f++ {
		l := levelOf(vec, f)
		fe := FieldEvidence{Field: t.fields[f], A: t.Value(a, f), B: t.Value(b, f), Level: levelNames(t.fields[f].Kind)[l], Weight: m.Fields[f].Levels[l].Weight}
		_, fe.Household = x.md.adjust(f, vec, lo)
		if l == levelMissing && t.vals[a*nf+f] != 0 && t.vals[b*nf+f] != 0 {
			fe.Deferred = x.cmp.postcode[f] >= 0 || t.fields[f].Kind == KindSurname && x.cmp.partner[f] >= 0
		}
		e.Weight += fe.Total()
		e.Fields = append(e.Fields, fe)
	}
	e.Probability = probability(e.Weight)
	return e
}

// Weigh is Explain's weight for records a and b, and whether their dates
// of birth plainly differ ("different" or "far apart"), without building
// the explanation: linking an import a chunk at a time scores many pairs
// and explains none, and the explanations' values and field lists were
// most of what each chunk allocated.
func (x *Explainer) Weigh(a, b int) (weight float64, datesApart bool) {
	t, m := x.t, x.m
	lo, hi := min(a, b), max(a, b)
	vec := x.cmp.vector(lo, hi)
	weight = m.Prior
	for f := range t.fields {
		l := levelOf(vec, f)
		_, household := x.md.adjust(f, vec, lo)
		weight += m.Fields[f].Levels[l].Weight + household
		if t.fields[f].Kind == KindDate && (l == dateOther || l == dateFar) {
			datesApart = true
		}
	}
	return weight, datesApart
}

// ExplainPair explains one pair of records under m: NewExplainer and
// Explain for two records.
func (m *Model) ExplainPair(idA string, a []string, idB string, b []string) (Explanation, error) {
	x, err := m.NewExplainer([]string{idA, idB}, [][]string{a, b})
	if err != nil {
		return Explanation{}, err
	}
	return x.Explain(0, 1), nil
}
