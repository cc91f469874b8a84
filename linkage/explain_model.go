package linkage

import (
	"github.com/drive-platform/drive"
)

// ExplainPair explains two records under a model learned earlier and kept
// (a Model holds only probabilities and weights, no values, so it can be
// stored after a run and the run's records let go). a and b are the two
// records' values in the order of m.Fields; idA and idB name them.
//
// The levels are those Link would give the pair. The term-frequency
// adjustments are not: they need how often each value occurs across the
// whole run, which the model does not keep, so an exactly agreeing rare
// name counts here as an average one. The weight is then the prior plus the
// listed level weights, which can differ from the run's by those
// adjustments alone. SameCluster is left false for the caller to set.
//
// It returns EINVALID for a model that does not fit the values.
func (m *Model) ExplainPair(idA string, a []string, idB string, b []string) (Explanation, error) {
	if m == nil || len(m.Fields) == 0 {
		return Explanation{}, drive.Errorf(drive.EINVALID, "no model to explain with")
	}
	fields := make([]Field, len(m.Fields))
	for f, fm := range m.Fields {
		fields[f] = fm.Field
		if len(fm.Levels) != len(levelNames(fm.Field.Kind)) {
			return Explanation{}, drive.Errorf(drive.EINVALID, "the model of field %s has %d levels, not the %d of its kind", fm.Field.Name, len(fm.Levels), len(levelNames(fm.Field.Kind)))
		}
	}
	if len(a) != len(fields) || len(b) != len(fields) {
		return Explanation{}, drive.Errorf(drive.EINVALID, "records of %d and %d values for a model of %d fields", len(a), len(b), len(fields))
	}
	t, err := NewTable(fields)
	if err != nil {
		return Explanation{}, err
	}
	if err := t.Add(0, idA, a); err != nil {
		return Explanation{}, err
	}
	if err := t.Add(0, idB, b); err != nil {
		return Explanation{}, err
	}
	cmp := newComparer(t)
	vec := cmp.vector(0, 1)
	nf := len(fields)
	e := Explanation{A: 0, B: 1, IDA: t.ids[0], IDB: t.ids[1], Prior: m.Prior, Threshold: m.Threshold, Weight: m.Prior}
	for f := 0; f < nf; f++ {
		l := levelOf(vec, f)
		fe := FieldEvidence{Field: fields[f], A: t.Value(0, f), B: t.Value(1, f), Level: levelNames(fields[f].Kind)[l], Weight: m.Fields[f].Levels[l].Weight}
		if l == levelMissing && t.vals[f] != 0 && t.vals[nf+f] != 0 {
			fe.Deferred = cmp.postcode[f] >= 0 || fields[f].Kind == KindSurname && cmp.partner[f] >= 0
		}
		e.Weight += fe.Total()
		e.Fields = append(e.Fields, fe)
	}
	e.Probability = probability(e.Weight)
	return e, nil
}
