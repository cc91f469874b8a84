package linkage

import (
	"context"
	"slices"
)

// patternKey is a comparison vector together with the set of blocking rules
// whose blocks hold the pair. EM needs, for each rule, the distribution of
// vectors among that rule's pairs; keeping the rule set with each vector gives
// all of them from one pass.
type patternKey struct {
	vec  uint64
	mask uint32
}

// patternCount is a patternKey with the number of pairs that have it.
type patternCount struct {
	patternKey
	n int64
}

// workUnit is a slice of the pair work of one rule: whole blocks b0..b1-1, or
// when rows are given, the rows x0..x1-1 (positions in members) of block b0.
type workUnit struct {
	rule           int
	b0, b1, x0, x1 int
}

// unitPairs is the target number of pairs per work unit: large enough that
// handing out units costs nothing, small enough to balance the goroutines.
const unitPairs = 1 << 15

func planWork(b *blocks) []workUnit {
	var units []workUnit
	for r := 0; r < b.nrules; r++ {
		starts := b.starts[r]
		acc, first := 0, 0
		for blk := 0; blk+1 < len(starts); blk++ {
			size := starts[blk+1] - starts[blk]
			p := size * (size - 1) / 2
			if p > unitPairs {
				if acc > 0 {
					units = append(units, workUnit{rule: r, b0: first, b1: blk})
					acc = 0
				}
				x0, got := starts[blk], 0
				for x := starts[blk]; x < starts[blk+1]; x++ {
					got += starts[blk+1] - 1 - x
					if got >= unitPairs || x == starts[blk+1]-1 {
						units = append(units, workUnit{rule: r, b0: blk, b1: blk + 1, x0: x0, x1: x + 1})
						x0, got = x+1, 0
					}
				}
				first = blk + 1
				continue
			}
			if acc == 0 {
				first = blk
			}
			acc += p
			if acc >= unitPairs {
				units = append(units, workUnit{rule: r, b0: first, b1: blk + 1})
				acc = 0
			}
		}
		if acc > 0 {
			units = append(units, workUnit{rule: r, b0: first, b1: len(starts) - 1})
		}
	}
	return units
}

// pairVisitor is called for each distinct candidate pair (a < b) with the set
// of rules whose blocks hold it; w is the worker number.
type pairVisitor func(w int, a, b uint32, mask uint32)

// visitCandidates calls visit once for every pair that shares a block under
// some rule: a pair is visited by the first rule (in order) whose compared
// block holds it, which is checked from the per-record block numbers without
// any set of seen pairs. With acrossOnly, pairs of records from the same
// source are left out. Work is spread over workers goroutines.
func visitCandidates(ctx context.Context, t *Table, b *blocks, workers int, acrossOnly bool, visit pairVisitor) error {
	units := planWork(b)
	R := b.nrules
	parallelWorkers(len(units), workers, func(w, ui int) {
		if ctx.Err() != nil {
			return
		}
		u := units[ui]
		members := b.members[u.rule]
		starts := b.starts[u.rule]
		for blk := u.b0; blk < u.b1; blk++ {
			lo, hi := starts[blk], starts[blk+1]
			rlo, rhi := lo, hi
			if u.x1 > u.x0 {
				rlo, rhi = u.x0, u.x1
			}
			for i := rlo; i < rhi; i++ {
				x := members[i]
				kx := b.ids[int(x)*R : int(x)*R+R]
			next:
				for j := i + 1; j < hi; j++ {
					y := members[j]
					if acrossOnly && t.sources[x] == t.sources[y] {
						continue
					}
					ky := b.ids[int(y)*R : int(y)*R+R]
					for r := 0; r < u.rule; r++ {
						if kx[r] != 0 && kx[r] == ky[r] {
							continue next // an earlier rule has this pair
						}
					}
					mask := uint32(1) << u.rule
					for r := u.rule + 1; r < R; r++ {
						if kx[r] != 0 && kx[r] == ky[r] {
							mask |= 1 << r
						}
					}
					visit(w, x, y, mask)
				}
			}
		}
	})
	return ctx.Err()
}

// candidateSample is what EM learns from: the pattern counts of a sample of
// the candidate pairs, and the factor that scales its counts to all of them.
type candidateSample struct {
	patterns []patternCount // sorted, so that sums over them are reproducible
	sampled  int64
	scale    float64
}

// emSamplePairs is about how many candidate pairs EM learns from. Patterns
// are aggregated, so more pairs would not change the estimates, only the time.
const emSamplePairs = 4_000_000

// sampleCandidates compares a sample of the candidate pairs and counts their
// comparison patterns. The sample is chosen by a hash of the pair, so it is
// the same whatever the number of goroutines; on small inputs it is every
// pair.
func sampleCandidates(ctx context.Context, t *Table, cmp *comparer, b *blocks, workers int, acrossOnly bool, seed uint64) (*candidateSample, error) {
	var upper int64
	for _, p := range b.pairs {
		upper += p
	}
	every := uint64(max(1, upper/emSamplePairs))
	counts := make([]map[patternKey]int64, max(workers, 1))
	seen := make([]int64, len(counts))
	for w := range counts {
		counts[w] = map[patternKey]int64{}
	}
	caches := newLevelCaches(workers)
	err := visitCandidates(ctx, t, b, workers, acrossOnly, func(w int, x, y uint32, mask uint32) {
		seen[w]++
		if every > 1 && mix64(uint64(x)<<32|uint64(y)^seed)%every != 0 {
			return
		}
		counts[w][patternKey{cmp.vectorWith(caches[w], int(x), int(y)), mask}]++
	})
	if err != nil {
		return nil, err
	}
	merged := map[patternKey]int64{}
	for _, c := range counts {
		for k, n := range c {
			merged[k] += n
		}
	}
	s := &candidateSample{}
	var total int64
	for k, n := range merged {
		s.patterns = append(s.patterns, patternCount{k, n})
		s.sampled += n
	}
	for _, n := range seen {
		total += n
	}
	sortPatterns(s.patterns)
	s.scale = 1
	if s.sampled > 0 {
		s.scale = float64(total) / float64(s.sampled)
	}
	return s, nil
}

func sortPatterns(p []patternCount) {
	slices.SortFunc(p, func(x, y patternCount) int {
		switch {
		case x.vec < y.vec:
			return -1
		case x.vec > y.vec:
			return 1
		case x.mask < y.mask:
			return -1
		case x.mask > y.mask:
			return 1
		}
		return 0
	})
}

// linkCandidates compares every candidate pair under the model and returns
// those whose match weight reaches minWeight, with the number of pairs
// compared. Only the links are kept: storing every candidate pair would
// cost more memory than everything else together.
func linkCandidates(ctx context.Context, t *Table, cmp *comparer, md *model, b *blocks, workers int, acrossOnly bool, minWeight float64) ([]edge, int64, error) {
	found := make([][]edge, max(workers, 1))
	seen := make([]int64, len(found))
	caches := newLevelCaches(workers)
	err := visitCandidates(ctx, t, b, workers, acrossOnly, func(w int, x, y uint32, _ uint32) {
		seen[w]++
		vec := cmp.vectorWith(caches[w], int(x), int(y))
		if s := md.score(int(x), int(y), vec); s >= minWeight {
			found[w] = append(found[w], edge{x, y, s})
		}
	})
	if err != nil {
		return nil, 0, err
	}
	var n int
	var total int64
	for w := range found {
		n += len(found[w])
		total += seen[w]
	}
	edges := make([]edge, 0, n)
	for _, f := range found {
		edges = append(edges, f...)
	}
	return edges, total, nil
}

// levelOf extracts field f's level from a packed vector.
func levelOf(vec uint64, f int) int { return int(vec>>(4*f)) & 0xf }
