package linkage

import "math"

// estimation is the learned parameters before they become a model.
type estimation struct {
	m, u        [][]float64
	trained     []bool
	prior       float64 // log2 odds that two records drawn at random match
	ruleMatches []float64
	rounds      int
}

// estimate learns m, u and the prior.
//
// Round one takes u from the random pairs as they are and runs one EM pass
// per blocking rule over that rule's pairs, each pass training the fields
// the rule does not read; a field's m is the average of its passes,
// weighted by each pass's expected matches. The prior comes from EM over
// all possible pairs (see estimateLambda). Round two removes from the random
// pairs the share that the round-one model thinks are matches (in a small
// file of many duplicates, random pairs hold enough true matches to make
// agreement look common) and runs the passes again.
//
// exactAgreement, when not nil, gives per field the share of all pairs (with
// both values present) that agree exactly, counted from the values, or a
// negative number where it does not apply. Round two then takes u of exact
// agreement from it, less the expected matches, instead of from the sample:
// for a field such as the date of birth, a million random pairs hold only a
// few dozen exact agreements, and their chance count would move the weight.
//
// patterns are the counts of a sample of the candidate pairs; scale turns
// them into counts of all candidate pairs.
func estimate(rules []compiledRule, patterns []patternCount, scale float64, random []patternCount, nlevels []int, totalPairs float64, exactAgreement []float64) estimation {
	nf := len(nlevels)
	est := estimation{u: estimateU(random, nlevels, nil), rounds: 2}
	m := make([][]float64, nf)
	for f, L := range nlevels {
		m[f] = defaultM(L)
	}
	perRule := make([][]patternCount, len(rules))
	for _, p := range patterns {
		for r := range rules {
			if p.mask&(1<<r) != 0 {
				perRule[r] = append(perRule[r], p)
			}
		}
	}
	for round := 0; round < est.rounds; round++ {
		sum := make([][]float64, nf)
		weight := make([]float64, nf)
		for f, L := range nlevels {
			sum[f] = make([]float64, L)
		}
		est.ruleMatches = make([]float64, len(rules))
		for r, cr := range rules {
			train := make([]bool, nf)
			any := false
			for f := range train {
				train[f] = !cr.fields[f]
				any = any || train[f]
			}
			if !any || len(perRule[r]) == 0 {
				continue
			}
			res := emPass(perRule[r], train, est.u, m, nlevels)
			est.ruleMatches[r] = res.matches
			if res.matches < 1 {
				continue // a pass that found no matches has nothing to teach
			}
			for f := range train {
				if !train[f] {
					continue
				}
				weight[f] += res.matches
				for l := range res.m[f] {
					sum[f][l] += res.matches * res.m[f][l]
				}
			}
		}
		est.trained = make([]bool, nf)
		next := make([][]float64, nf)
		for f, L := range nlevels {
			if weight[f] == 0 {
				next[f] = m[f]
				continue
			}
			est.trained[f] = true
			next[f] = make([]float64, L)
			for l := 1; l < L; l++ {
				next[f][l] = sum[f][l] / weight[f]
			}
		}
		m = next
		share := estimateLambda(patterns, m, est.u, nlevels, totalPairs/scale)
		est.prior = math.Log2(share / (1 - share))
		if round+1 < est.rounds {
			prior, mm, uu := est.prior, m, est.u
			est.u = estimateU(random, nlevels, func(vec uint64) float64 {
				return 1 - posterior(vec, prior, mm, uu, nlevels)
			})
			lambda := math.Exp2(prior) / (1 + math.Exp2(prior))
			for f := range exactAgreement {
				if exactAgreement[f] >= 0 {
					setExactU(est.u[f], (exactAgreement[f]-lambda*m[f][1])/(1-lambda))
				}
			}
		}
	}
	est.m = m
	return est
}

// posterior is the match probability of a comparison vector, without
// term-frequency adjustments.
func posterior(vec uint64, prior float64, m, u [][]float64, nlevels []int) float64 {
	w := prior
	for f := range nlevels {
		if l := levelOf(vec, f); l > 0 {
			w += clampWeight(math.Log2(m[f][l] / u[f][l]))
		}
	}
	return probability(w)
}

// estimateLambda finds the share of matches among all possible pairs, with m
// and u fixed, by EM over every pair: the candidate pairs are scored, and the
// pairs no blocking rule brought together are taken as non-matches, which
// they almost all are.
//
// The E-step uses the prior of all pairs, not of the candidate pairs. Among
// candidates the share of matches is high, and at that prior a pair of two
// people who merely share a name and a year of birth would count as most of a
// match; over all pairs it counts as the coincidence it is.
func estimateLambda(patterns []patternCount, m, u [][]float64, nlevels []int, totalPairs float64) float64 {
	bf := make([]float64, len(patterns)) // log2 Bayes factor of each pattern
	var total float64
	for i, p := range patterns {
		for f := range nlevels {
			if l := levelOf(p.vec, f); l > 0 {
				bf[i] += clampWeight(math.Log2(m[f][l] / u[f][l]))
			}
		}
		total += float64(p.n)
	}
	if total == 0 || totalPairs <= 0 {
		return 1e-12
	}
	lambda := min(0.5*total/totalPairs, 0.5)
	for iter := 0; iter < 1000; iter++ {
		prior := math.Log2(lambda / (1 - lambda))
		var w float64
		for i, p := range patterns {
			w += float64(p.n) * probability(bf[i]+prior)
		}
		next := min(max(w/totalPairs, 1e-12), 0.5)
		done := math.Abs(next-lambda) < 1e-6*lambda
		lambda = next
		if done {
			break
		}
	}
	return lambda
}

// setExactU sets the u of exact agreement (level 1) and rescales the other
// levels so that they still sum to one with it.
func setExactU(u []float64, exact float64) {
	exact = min(max(exact, 1e-9), 0.999)
	rest := 0.0
	for l := 2; l < len(u); l++ {
		rest += u[l]
	}
	if rest <= 0 {
		return
	}
	for l := 2; l < len(u); l++ {
		u[l] *= (1 - exact) / rest
	}
	u[1] = exact
}
