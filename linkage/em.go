package linkage

import (
	"context"
	"math"
	"math/rand/v2"
)

// sampleRandomPairs compares pairs of records drawn at random and returns the
// counts of their comparison vectors. Almost all random pairs are of
// different people, so these counts estimate the u probabilities: how often
// each level occurs by chance.
//
// Drawing pairs at random rather than taking them from the blocks matters: a
// blocked pair agrees on its blocking key by construction, so u estimated
// from blocked pairs would say that agreeing on a name is common among
// different people, and the name would lose most of its weight.
//
// When the table has no more pairs than wanted, every pair is compared once
// instead, which is exact and needs no randomness.
func sampleRandomPairs(ctx context.Context, t *Table, cmp *comparer, want int, seed uint64, workers int, acrossOnly bool) ([]patternCount, int64, error) {
	n := t.Len()
	total := int64(n) * int64(n-1) / 2
	var xs, ys []uint32
	if total <= int64(want) {
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				if acrossOnly && t.sources[i] == t.sources[j] {
					continue
				}
				xs, ys = append(xs, uint32(i)), append(ys, uint32(j))
			}
		}
	} else {
		rng := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
		xs, ys = make([]uint32, 0, want), make([]uint32, 0, want)
		for tries := 0; len(xs) < want && tries < 20*want; tries++ {
			a, b := rng.IntN(n), rng.IntN(n)
			if a == b || (acrossOnly && t.sources[a] == t.sources[b]) {
				continue
			}
			xs, ys = append(xs, uint32(min(a, b))), append(ys, uint32(max(a, b)))
		}
	}
	const chunk = 1 << 14
	parts := (len(xs) + chunk - 1) / chunk
	counts := make([]map[uint64]int64, max(workers, 1))
	for w := range counts {
		counts[w] = map[uint64]int64{}
	}
	caches := newLevelCaches(workers)
	parallelWorkers(parts, workers, func(w, p int) {
		if ctx.Err() != nil {
			return
		}
		end := min((p+1)*chunk, len(xs))
		for k := p * chunk; k < end; k++ {
			counts[w][cmp.vectorWith(caches[w], int(xs[k]), int(ys[k]))]++
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	merged := map[uint64]int64{}
	for _, c := range counts {
		for v, k := range c {
			merged[v] += k
		}
	}
	out := make([]patternCount, 0, len(merged))
	for v, k := range merged {
		out = append(out, patternCount{patternKey{vec: v}, k})
	}
	sortPatterns(out)
	return out, int64(len(xs)), nil
}

// estimateU returns, per field and level, the probability of the level among
// pairs of different people in which both values are present. weight, if not
// nil, gives each pattern's probability of being a non-match (to remove the
// few true matches that random pairs contain); otherwise every random pair
// counts as a non-match. Half a pair is added to every level so that a level
// never seen by chance gets a small probability rather than zero.
func estimateU(patterns []patternCount, nlevels []int, weight func(vec uint64) float64) [][]float64 {
	u := make([][]float64, len(nlevels))
	for f, L := range nlevels {
		u[f] = make([]float64, L)
	}
	for _, p := range patterns {
		w := float64(p.n)
		if weight != nil {
			w *= weight(p.vec)
		}
		for f := range nlevels {
			u[f][levelOf(p.vec, f)] += w
		}
	}
	for f, L := range nlevels {
		sum := 0.0
		for l := 1; l < L; l++ {
			u[f][l] += 0.5
			sum += u[f][l]
		}
		u[f][0] = 0
		for l := 1; l < L; l++ {
			u[f][l] /= sum
		}
	}
	return u
}

// emResult is what one EM pass learns.
type emResult struct {
	m       [][]float64 // per field and level; nil rows for fields not trained
	lambda  float64     // share of matches among the pass's pairs
	matches float64     // expected number of matches among them
}

// emPass estimates m probabilities and the share of matches by
// expectation-maximisation over pattern counts, with u held fixed.
// Only fields marked in train are used and trained: the fields a blocking
// rule reads agree on its pairs by construction, so they would teach EM
// nothing but the rule itself.
func emPass(patterns []patternCount, train []bool, u, m0 [][]float64, nlevels []int) emResult {
	const (
		maxIter = 200
		tol     = 1e-6
		floor   = 1e-6
	)
	m := make([][]float64, len(nlevels))
	for f := range nlevels {
		if train[f] {
			m[f] = append([]float64(nil), m0[f]...)
		}
	}
	// Log Bayes factors, recomputed from m each iteration.
	lbf := make([][]float64, len(nlevels))
	for f, L := range nlevels {
		lbf[f] = make([]float64, L)
	}
	acc := make([][]float64, len(nlevels))
	for f, L := range nlevels {
		acc[f] = make([]float64, L)
	}
	lambda := 0.1
	var res emResult
	for iter := 0; iter < maxIter; iter++ {
		for f, L := range nlevels {
			if !train[f] {
				continue
			}
			for l := 1; l < L; l++ {
				lbf[f][l] = math.Log(m[f][l] / u[f][l])
			}
			clear(acc[f])
		}
		prior := math.Log(lambda / (1 - lambda))
		var wsum, nsum float64
		for _, p := range patterns {
			s := prior
			for f := range nlevels {
				if train[f] {
					s += lbf[f][levelOf(p.vec, f)]
				}
			}
			post := 1 / (1 + math.Exp(-s))
			w := post * float64(p.n)
			wsum += w
			nsum += float64(p.n)
			for f := range nlevels {
				if train[f] {
					acc[f][levelOf(p.vec, f)] += w
				}
			}
		}
		if nsum == 0 {
			break
		}
		newLambda := min(max(wsum/nsum, floor), 1-floor)
		change := math.Abs(newLambda - lambda)
		lambda = newLambda
		for f, L := range nlevels {
			if !train[f] {
				continue
			}
			sum := 0.0
			for l := 1; l < L; l++ {
				sum += acc[f][l]
			}
			if sum <= 0 {
				continue
			}
			for l := 1; l < L; l++ {
				v := max(acc[f][l]/sum, floor)
				change = max(change, math.Abs(v-m[f][l]))
				m[f][l] = v
			}
		}
		res.matches = wsum
		if change < tol {
			break
		}
	}
	res.m, res.lambda = m, lambda
	return res
}

// defaultM is the starting point of EM for a field with L levels (level 0
// missing): most matches agree exactly, a few fall in each fuzzy level, and
// few disagree outright. EM moves away from it quickly; it matters only
// for a field that no pass can train, which keeps these values.
func defaultM(L int) []float64 {
	m := make([]float64, L)
	if L <= 2 {
		return m
	}
	if L == 3 {
		m[1], m[2] = 0.9, 0.1
		return m
	}
	m[1] = 0.8
	m[L-1] = 0.05
	for l := 2; l < L-1; l++ {
		m[l] = 0.15 / float64(L-3)
	}
	return m
}
