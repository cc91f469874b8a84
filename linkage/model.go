package linkage

import "math"

// Model is what the linker learned: for each field and comparison level the
// m probability (of the level among pairs of the same person), the u
// probability (among pairs of different people) and the weight, log2(m/u),
// in bits of evidence; and the prior, the log2 odds that two records picked
// at random are the same person. A pair's match weight is the prior plus the
// weights of its levels (plus term-frequency adjustments); its match
// probability is 1/(1+2^-weight).
type Model struct {
	Fields []FieldModel
	// Prior is log2 of the odds that two records drawn at random match.
	Prior float64
	// Threshold is the match probability at or above which a pair links.
	Threshold float64
	// Household is the adjustment, in bits (never positive), added to the
	// postcode's weight when the surname and the postcode both agree
	// exactly: the people of one household share both, so the two
	// agreements are not independent evidence (see estimateHousehold).
	// It applies to the first surname and postcode fields.
	Household float64 `json:",omitempty"`
}

// FieldModel is the learned model of one field.
type FieldModel struct {
	Field  Field
	Levels []LevelModel // indexed by level; level 0 is "missing"
	// Trained is false when no blocking rule left the field free to be
	// trained by EM, so its m probabilities are the defaults.
	Trained bool
}

// LevelModel holds the probabilities and weight of one comparison level.
type LevelModel struct {
	Name   string
	M, U   float64
	Weight float64 // log2(M/U); 0 for the missing level
}

// model is the scoring form of a Model: flat weight tables and the
// term-frequency adjustments of exact agreement per value.
type model struct {
	public  *Model
	t       *Table
	prior   float64
	weights [][]float64 // per field, per level
	// tf[f][v] is added to the exact level's weight when both records hold
	// value v of field f (see newModel). A common value ("Smith", 1 January
	// 1900) then counts for less than the average agreement, and a rare one
	// for more.
	tf [][]float64
	// household is Model.Household, applied to field hh.postcode when it
	// and hh.surname both agree exactly (see adjust); 0 when the table has
	// no such pair of fields.
	household float64
	hh        householdFields
}

// maxWeight bounds a single level's weight, so that one level estimated from
// a handful of pairs cannot decide a link on its own.
const maxWeight = 20

func newModel(t *Table, m, u [][]float64, trained []bool, prior, threshold float64, counts [][]int32, household float64) *model {
	nf := len(t.fields)
	md := &model{t: t, prior: prior, weights: make([][]float64, nf), tf: make([][]float64, nf)}
	md.setHousehold(household)
	pub := &Model{Prior: prior, Threshold: threshold, Household: md.household}
	for f := 0; f < nf; f++ {
		names := levelNames(t.fields[f].Kind)
		fm := FieldModel{Field: t.fields[f], Trained: trained[f]}
		md.weights[f] = make([]float64, len(names))
		for l := range names {
			lm := LevelModel{Name: names[l]}
			if l > 0 {
				lm.M, lm.U = m[f][l], u[f][l]
				if t.fields[f].Kind == KindDate && l == dateFar {
					// Dates far apart are no likelier among one person's
					// records than dates a few digits apart: it takes more
					// errors to make them. EM cannot learn this where the
					// pairs of a household (a parent and child of one name
					// at one address) look like one person's.
					lm.M = min(lm.M, m[f][dateOther])
				}
				lm.Weight = clampWeight(math.Log2(lm.M / lm.U))
			}
			md.weights[f][l] = lm.Weight
			fm.Levels = append(fm.Levels, lm)
		}
		pub.Fields = append(pub.Fields, fm)
		// Term frequencies. The chance that two different people agree on
		// value v is taken as share(v) times the chance agreement expected
		// from all shares, sum(share^2); relative to the average this gives
		// the adjustment log2(sum(share^2) / share(v)). Using that sum rather
		// than the u of exact agreement keeps the adjustment neutral on
		// average even when duplicates inflate the shares: a value held by
		// the four records of one person is not "common".
		var present int64
		for _, c := range counts[f] {
			present += int64(c)
		}
		if present == 0 {
			continue
		}
		expected := 0.0
		for _, c := range counts[f] {
			share := float64(c) / float64(present)
			expected += share * share
		}
		adj := make([]float64, len(counts[f]))
		for v, c := range counts[f] {
			if c > 0 {
				share := float64(c) / float64(present)
				adj[v] = clampWeight(md.weights[f][1]+math.Log2(expected/share)) - md.weights[f][1]
			}
		}
		md.tf[f] = adj
	}
	md.public = pub
	return md
}

func clampWeight(w float64) float64 { return min(max(w, -maxWeight), maxWeight) }

// setHousehold sets the household adjustment, where the table has the
// fields it applies to.
func (md *model) setHousehold(h float64) {
	hf, ok := findHouseholdFields(md.t)
	if !ok || h == 0 {
		md.hh, md.household = householdFields{-1, -1, -1, -1}, 0
		return
	}
	md.hh, md.household = hf, h
}

// inHousehold reports whether the household adjustment applies to a pair
// with comparison vector vec: surname and postcode both agree exactly.
func (md *model) inHousehold(vec uint64) bool {
	return md.household != 0 && levelOf(vec, md.hh.postcode) == postExact && levelOf(vec, md.hh.surname) == nameExact
}

// adjust returns the adjustments of field f's weight for a pair with
// comparison vector vec whose first record is lo: the term frequency of an
// exactly agreeing value, and on the postcode the household adjustment.
// Where the household adjustment applies, neither the surname's nor the
// postcode's term frequency counts: everyone at one address shares the
// surname, rare or common, so its rarity does not tell one person from
// two of a household.
func (md *model) adjust(f int, vec uint64, lo int) (tf, household float64) {
	l := levelOf(vec, f)
	if l != 1 {
		return 0, 0
	}
	if md.inHousehold(vec) && (f == md.hh.surname || f == md.hh.postcode) {
		if f == md.hh.postcode {
			return 0, md.household
		}
		return 0, 0
	}
	if md.tf == nil || md.tf[f] == nil {
		return 0, 0
	}
	return md.tf[f][md.t.vals[lo*len(md.weights)+f]], 0
}

// score returns the match weight (log2 odds, prior included) of records a
// and b with comparison vector vec.
func (md *model) score(a, b int, vec uint64) float64 {
	nf := len(md.weights)
	w := md.prior
	va := md.t.vals[a*nf : a*nf+nf]
	for f := 0; f < nf; f++ {
		l := levelOf(vec, f)
		w += md.weights[f][l]
		if l == 1 && md.tf[f] != nil {
			w += md.tf[f][va[f]]
		}
	}
	if md.inHousehold(vec) {
		w += md.household
		if md.tf[md.hh.surname] != nil {
			w -= md.tf[md.hh.surname][va[md.hh.surname]]
		}
		if md.tf[md.hh.postcode] != nil {
			w -= md.tf[md.hh.postcode][va[md.hh.postcode]]
		}
	}
	return w
}

// probability turns a match weight into a match probability.
func probability(w float64) float64 { return 1 / (1 + math.Exp2(-w)) }

// weightFor turns a probability threshold into a match weight threshold.
func weightFor(p float64) float64 { return math.Log2(p / (1 - p)) }

// valueCounts counts, per field, how many records hold each value.
func valueCounts(t *Table) [][]int32 {
	nf := len(t.fields)
	counts := make([][]int32, nf)
	for f, c := range t.cols {
		counts[f] = make([]int32, len(c.d.infos))
	}
	for i := 0; i < t.Len(); i++ {
		for f := 0; f < nf; f++ {
			if v := t.vals[i*nf+f]; v != 0 {
				counts[f][v]++
			}
		}
	}
	return counts
}
