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
}

// maxWeight bounds a single level's weight, so that one level estimated from
// a handful of pairs cannot decide a link on its own.
const maxWeight = 20

func newModel(t *Table, m, u [][]float64, trained []bool, prior, threshold float64, counts [][]int32) *model {
	nf := len(t.fields)
	md := &model{t: t, prior: prior, weights: make([][]float64, nf), tf: make([][]float64, nf)}
	pub := &Model{Prior: prior, Threshold: threshold}
	for f := 0; f < nf; f++ {
		names := levelNames(t.fields[f].Kind)
		fm := FieldModel{Field: t.fields[f], Trained: trained[f]}
		md.weights[f] = make([]float64, len(names))
		for l := range names {
			lm := LevelModel{Name: names[l]}
			if l > 0 {
				lm.M, lm.U = m[f][l], u[f][l]
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
