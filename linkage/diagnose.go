package linkage

import (
	"context"
	"math"
	"slices"

	"github.com/drive-platform/drive"
)

// Diagnosis says, for a run whose truth is known, where its errors come
// from: at which stage each missed true pair was lost, what the missed and
// the wrongly joined pairs look like, and whether the model's match
// probabilities are the share of true pairs among pairs so scored. It is
// what tells a change that can help (true pairs never compared, or kept
// apart by clustering) from errors no threshold can remove (pairs whose
// evidence is as likely for two people as for one).
type Diagnosis struct {
	Scores Scores
	Missed MissedPairs
	// MissedPatterns are the commonest comparison patterns of the missed
	// true pairs that were compared, most frequent first.
	MissedPatterns []PatternCount
	// UncomparedPatterns are the commonest comparison patterns of the
	// missed true pairs that were never compared but would have reached
	// the threshold: what candidate generation could still gain, and which
	// rule would hold it.
	UncomparedPatterns []PatternCount
	// FalsePatterns are the commonest comparison patterns of the false
	// pairs (two people's records in one cluster), most frequent first.
	FalsePatterns []PatternCount
	// Calibration holds the candidate pairs by match weight, one bin per
	// bit from -12 to +12 and one for each side beyond, strongest first.
	Calibration []CalibrationBin
	// Undiagnosed counts the true or predicted pairs left out because their
	// person or cluster has more than diagnoseGroupLimit records.
	Undiagnosed int64
}

// MissedPairs counts the true pairs a run did not put in one cluster, by
// the stage that lost them.
type MissedPairs struct {
	// NoSharedKey: no blocking rule gives the two records one key, so they
	// were never compared.
	NoSharedKey int64
	// BlockSkipped: a rule gives them one key, but its block was skipped
	// (larger than MaxBlockSize, or over the rule's pair budget).
	BlockSkipped int64
	// BelowHalf: compared, with a match probability below one half.
	BelowHalf int64
	// BelowThreshold: compared, likelier than not one person but below the
	// threshold, and no join of their groups was supported.
	BelowThreshold int64
	// KeptApart: compared and at or above the threshold, but the
	// clustering checks kept their groups apart.
	KeptApart int64
	// WouldLink counts the never-compared pairs (of NoSharedKey and
	// BlockSkipped) whose probability reaches the threshold.
	WouldLink int64
}

// Total is the number of missed true pairs.
func (m MissedPairs) Total() int64 {
	return m.NoSharedKey + m.BlockSkipped + m.BelowHalf + m.BelowThreshold + m.KeptApart
}

// PatternCount is one comparison pattern (a level per field) and how many
// pairs of a kind had it.
type PatternCount struct {
	Levels []string // level name per field, in the table's field order
	// Stage is, for missed pairs, the stage that lost them: "below one
	// half", "below the threshold" or "kept apart"; for pairs never
	// compared, "no shared key" or "block skipped".
	Stage      string
	Pairs      int64
	MeanWeight float64 // mean match weight (prior included), in bits
}

// CalibrationBin holds the candidate pairs whose match weight lies in
// [From, To); From is -Inf for the lowest bin, To +Inf for the highest.
type CalibrationBin struct {
	From, To  float64
	Pairs     int64
	TruePairs int64
}

// Share is the share of the bin's pairs that are truly one person's.
func (b CalibrationBin) Share() float64 { return float64(b.TruePairs) / float64(max(b.Pairs, 1)) }

// Probability is the model's match probability at the middle of the bin
// (at its one finite edge, for the two open bins).
func (b CalibrationBin) Probability() float64 {
	switch {
	case math.IsInf(b.From, -1):
		return probability(b.To)
	case math.IsInf(b.To, 1):
		return probability(b.From)
	}
	return probability((b.From + b.To) / 2)
}

// diagnoseGroupLimit bounds the records of one true person or one cluster
// whose pairs are diagnosed, so that a truth column with one value for
// everyone cannot make the diagnosis quadratic in the file.
const diagnoseGroupLimit = 1000

// diagnosePatterns is how many patterns of each kind a Diagnosis lists.
const diagnosePatterns = 12

// Diagnose compares the run with the truth, one key per record (an empty
// key is a person of its own), and says where its errors come from. It
// builds the run's blocks again and compares every candidate pair again, so
// it costs about as much as the run's own comparing; memory about as much
// as the blocks. It returns EINVALID when truth has not one key per record.
func (r *Result) Diagnose(ctx context.Context, truth []string) (*Diagnosis, error) {
	if r.md == nil {
		return nil, drive.Errorf(drive.EINVALID, "no linking run to diagnose")
	}
	t := r.md.t
	if len(truth) != t.Len() {
		return nil, drive.Errorf(drive.EINVALID, "%d truth keys for %d records: give one per record", len(truth), t.Len())
	}
	d := &Diagnosis{Scores: PairwiseScores(truth, r.Cluster)}
	person := make([]int32, len(truth))
	ids := map[string]int32{}
	for i, k := range truth {
		if k == "" {
			person[i] = -1
			continue
		}
		p, ok := ids[k]
		if !ok {
			p = int32(len(ids))
			ids[k] = p
		}
		person[i] = p
	}
	ids = nil
	blk := buildBlocks(t, r.rules, r.opts.MaxBlockSize, r.budget, r.opts.Workers)

	// Calibration over every candidate pair.
	const lo, bins = -12, 25
	counts := make([][2][bins + 2]int64, max(r.opts.Workers, 1))
	caches := newLevelCaches(r.opts.Workers)
	err := visitCandidates(ctx, t, blk, r.opts.Workers, r.opts.AcrossSourcesOnly, func(w int, x, y uint32, _ uint32) {
		s := r.md.score(int(x), int(y), r.cmp.vectorWith(caches[w], int(x), int(y)))
		b := min(max(int(math.Floor(s))-lo+1, 0), bins+1)
		counts[w][0][b]++
		if person[x] >= 0 && person[x] == person[y] {
			counts[w][1][b]++
		}
	})
	if err != nil {
		return nil, err
	}
	for b := bins + 1; b >= 0; b-- {
		bin := CalibrationBin{From: float64(b + lo - 1), To: float64(b + lo)}
		if b == 0 {
			bin.From = math.Inf(-1)
		}
		if b == bins+1 {
			bin.To = math.Inf(1)
		}
		for w := range counts {
			bin.Pairs += counts[w][0][b]
			bin.TruePairs += counts[w][1][b]
		}
		if bin.Pairs > 0 {
			d.Calibration = append(d.Calibration, bin)
		}
	}

	direct := weightFor(r.Model.Threshold)
	type patternStage struct {
		vec   uint64
		stage string
	}
	type tally struct {
		n   int64
		sum float64
	}
	missed := map[patternStage]*tally{}
	uncompared := map[patternStage]*tally{}
	count := func(m map[patternStage]*tally, k patternStage, w float64) {
		c := m[k]
		if c == nil {
			c = &tally{}
			m[k] = c
		}
		c.n++
		c.sum += w
	}
	compared := func(a, b int) bool {
		R := blk.nrules
		for k := 0; k < R; k++ {
			if x := blk.ids[a*R+k]; x != 0 && x == blk.ids[b*R+k] {
				return !r.opts.AcrossSourcesOnly || t.sources[a] != t.sources[b]
			}
		}
		return false
	}
	sharesKey := func(a, b int) bool {
		for k := range r.rules {
			if x := t.blockKey(a, &r.rules[k], uint64(k)); x != 0 && x == t.blockKey(b, &r.rules[k], uint64(k)) {
				return true
			}
		}
		return false
	}
	groups := func(key []int32) [][]int {
		by := map[int32][]int{}
		for i, k := range key {
			if k >= 0 {
				by[k] = append(by[k], i)
			}
		}
		out := make([][]int, 0, len(by))
		for _, g := range by {
			if len(g) > 1 {
				out = append(out, g)
			}
		}
		return out
	}
	for n, g := range groups(person) {
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if len(g) > diagnoseGroupLimit {
			d.Undiagnosed += int64(len(g)) * int64(len(g)-1) / 2
			continue
		}
		for i, a := range g {
			for _, b := range g[i+1:] {
				if r.Cluster[a] == r.Cluster[b] {
					continue
				}
				vec := r.cmp.vector(a, b)
				w := r.md.score(a, b, vec)
				switch {
				case !compared(a, b):
					stage := "no shared key"
					if sharesKey(a, b) {
						d.Missed.BlockSkipped++
						stage = "block skipped"
					} else {
						d.Missed.NoSharedKey++
					}
					if w >= direct {
						d.Missed.WouldLink++
						count(uncompared, patternStage{vec, stage}, w)
					}
					continue
				case w < 0:
					d.Missed.BelowHalf++
					count(missed, patternStage{vec, "below one half"}, w)
				case w < direct:
					d.Missed.BelowThreshold++
					count(missed, patternStage{vec, "below the threshold"}, w)
				default:
					d.Missed.KeptApart++
					count(missed, patternStage{vec, "kept apart"}, w)
				}
			}
		}
	}
	cluster := make([]int32, len(r.Cluster))
	for i, c := range r.Cluster {
		cluster[i] = int32(c)
	}
	wrong := map[patternStage]*tally{}
	for _, g := range groups(cluster) {
		if len(g) > diagnoseGroupLimit {
			d.Undiagnosed += int64(len(g)) * int64(len(g)-1) / 2
			continue
		}
		for i, a := range g {
			for _, b := range g[i+1:] {
				if person[a] >= 0 && person[a] == person[b] {
					continue
				}
				vec := r.cmp.vector(a, b)
				count(wrong, patternStage{vec: vec}, r.md.score(a, b, vec))
			}
		}
	}
	top := func(m map[patternStage]*tally) []PatternCount {
		var out []PatternCount
		for k, c := range m {
			pc := PatternCount{Stage: k.stage, Pairs: c.n, MeanWeight: c.sum / float64(c.n)}
			for f, fl := range t.fields {
				pc.Levels = append(pc.Levels, levelNames(fl.Kind)[levelOf(k.vec, f)])
			}
			out = append(out, pc)
		}
		// Most pairs first; ties in a fixed order, so the output is
		// reproducible.
		slices.SortFunc(out, func(x, y PatternCount) int {
			switch {
			case x.Pairs != y.Pairs:
				return int(y.Pairs - x.Pairs)
			case x.Stage != y.Stage:
				if x.Stage < y.Stage {
					return -1
				}
				return 1
			}
			return slices.Compare(x.Levels, y.Levels)
		})
		return out[:min(len(out), diagnosePatterns)]
	}
	d.MissedPatterns, d.UncomparedPatterns, d.FalsePatterns = top(missed), top(uncompared), top(wrong)
	return d, nil
}
