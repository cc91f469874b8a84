package linkage

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"

	"github.com/drive-platform/drive"
)

// Defaults of Options.
const (
	DefaultThreshold    = 0.9
	DefaultCohesion     = 0.3
	DefaultMaxBlockSize = 1000
	DefaultRandomPairs  = 1_000_000
)

// Options tune a Link run. The zero value is valid and uses the defaults.
type Options struct {
	// Threshold is the match probability at or above which a pair of
	// records links. Default 0.9: a link is nine times likelier to join one
	// person's records than two people's.
	Threshold float64
	// Cohesion is the mean match probability that two groups of records
	// must reach across their pairs to be joined into one person (see
	// clusterer). Default 0.3. A negative value joins every linked group
	// (plain connected components) and turns the date of birth and given
	// name checks off too, and with them the joins by links below the
	// threshold (see clusterer.supported).
	Cohesion float64
	// Seed seeds the choice of random pairs that estimate u. The same input
	// and seed give the same result.
	Seed uint64
	// Blocking rules; nil uses DefaultBlockingRules for the table's fields.
	Blocking []BlockingRule
	// MaxBlockSize is the largest block whose pairs are compared; larger
	// blocks are skipped and counted in Stats. Default 1000.
	MaxBlockSize int
	// RulePairs is the most pairs one blocking rule may contribute; a rule
	// with more keeps its smallest blocks (see buildBlocks). Default 5 per
	// record, and at least 200,000.
	RulePairs int64
	// RandomPairs is the number of random pairs that estimate u.
	// Default 1,000,000 (or every pair, for a table with fewer pairs).
	RandomPairs int
	// Workers is the number of goroutines; default GOMAXPROCS.
	Workers int
	// AcrossSourcesOnly compares only records of different sources, for
	// inputs that are each known to hold one record per person. By default
	// records are linked within and across sources alike.
	AcrossSourcesOnly bool
	// Progress, if set, receives a line at each stage of a run.
	Progress func(message string)
}

func (o *Options) fill() error {
	if o.Threshold == 0 {
		o.Threshold = DefaultThreshold
	}
	if o.Threshold <= 0 || o.Threshold >= 1 || math.IsNaN(o.Threshold) {
		return drive.Errorf(drive.EINVALID, "threshold %v is not a probability strictly between 0 and 1: use e.g. 0.9", o.Threshold)
	}
	if o.Cohesion == 0 {
		o.Cohesion = DefaultCohesion
	}
	if math.IsNaN(o.Cohesion) || o.Cohesion > 1 {
		return drive.Errorf(drive.EINVALID, "cohesion %v is not a probability: use a value up to 1, or a negative one to turn the check off", o.Cohesion)
	}
	if o.MaxBlockSize == 0 {
		o.MaxBlockSize = DefaultMaxBlockSize
	}
	if o.MaxBlockSize < 2 {
		return drive.Errorf(drive.EINVALID, "maximum block size %d is too small: use at least 2", o.MaxBlockSize)
	}
	if o.RulePairs < 0 {
		return drive.Errorf(drive.EINVALID, "pairs per rule %d is negative", o.RulePairs)
	}
	if o.RandomPairs == 0 {
		o.RandomPairs = DefaultRandomPairs
	}
	if o.RandomPairs < 1000 {
		return drive.Errorf(drive.EINVALID, "%d random pairs are too few to estimate u: use at least 1000", o.RandomPairs)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return nil
}

// Stats counts what a run did.
type Stats struct {
	Records        int
	Rules          []RuleStats
	CandidatePairs int64 // distinct blocked pairs compared
	RandomPairs    int64 // random pairs compared to estimate u
	Links          int   // candidate pairs at or above the threshold
	RefusedJoins   int   // links not followed because the groups did not cohere
	// SupportedJoins counts joins made by pairs below the threshold (but
	// likelier than not to match) because the two groups as a whole
	// supported them (see clusterer.supported).
	SupportedJoins int
	Clusters       int
	EMRounds       int
}

// RuleStats counts the blocks and pairs of one blocking rule.
type RuleStats struct {
	Rule    string
	Blocks  int   // blocks of two or more records that were kept
	Pairs   int64 // pairs in kept blocks, counting pairs that other rules share
	Skipped int   // blocks not compared: larger than MaxBlockSize, or over the rule's pair budget
	// Split counts blocks too large to compare whole that were split by a
	// tighter form of the rule (see buildBlocks); their parts are counted
	// in Blocks, or in Skipped when still too large.
	Split int
	// Matches is EM's expected number of matches among the rule's pairs.
	Matches float64
}

// Result is the outcome of Link.
type Result struct {
	// Cluster holds each record's cluster (person) number, counted from 1 in
	// order of each cluster's first record.
	Cluster []int
	Model   *Model
	Stats   Stats

	md  *model
	cmp *comparer
	// What Diagnose needs to build the run's blocks again.
	rules  []compiledRule
	opts   Options
	budget int64
}

// Link finds the records of t that belong to the same person.
//
// The method is Fellegi-Sunter record linkage:
//
//  1. Blocking: only pairs that share a key of some blocking rule are
//     compared (Options.Blocking, DefaultBlockingRules).
//  2. Comparison: each field of a pair gets a graded level (exact, close
//     spelling, one digit off...; see the Kind constants), missing values a
//     neutral level.
//  3. Estimation: u probabilities come from random pairs, m probabilities
//     from EM over the blocked pairs, one pass per rule, each pass
//     training only the fields its rule does not read; u is then refined by
//     removing the expected matches among the random pairs, and m
//     re-estimated. Exact agreement is weighted by how common the value is.
//  4. Scoring: a pair's match weight is the prior log2 odds plus its level
//     weights; its probability 1/(1+2^-weight).
//  5. Clustering: links at or above the threshold join records into people,
//     strongest first, refusing joins between groups that do not cohere or
//     that a name and date contradict; links below the threshold but
//     likelier than not join groups whose records as a whole support them
//     (see clusterer).
//
// The result depends only on the records, their order, the options and the
// seed, not on the number of workers or on timing.
//
// It returns EINVALID for bad options or rules, and ctx's error if ctx ends.
func Link(ctx context.Context, t *Table, opts Options) (*Result, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	if t.Len() < 2 {
		return nil, drive.Errorf(drive.EINVALID, "%d records: linking needs at least two", t.Len())
	}
	if opts.AcrossSourcesOnly && len(distinctSources(t)) < 2 {
		return nil, drive.Errorf(drive.EINVALID, "linking across sources needs records from at least two sources")
	}
	progress := opts.Progress
	if progress == nil {
		progress = func(string) {}
	}
	rules := opts.Blocking
	if rules == nil {
		rules = usefulDefaultRules(t)
	}
	compiled, err := compileRules(t, rules)
	if err != nil {
		return nil, err
	}
	nf := len(t.fields)
	nlevels := make([]int, nf)
	for f, fl := range t.fields {
		nlevels[f] = len(levelNames(fl.Kind))
	}
	cmp := newComparer(t)
	res := &Result{cmp: cmp}
	res.Stats.Records = t.Len()

	progress(fmt.Sprintf("comparing up to %d random pairs to estimate u", opts.RandomPairs))
	random, nrandom, err := sampleRandomPairs(ctx, t, cmp, opts.RandomPairs, opts.Seed, opts.Workers, opts.AcrossSourcesOnly)
	if err != nil {
		return nil, err
	}
	res.Stats.RandomPairs = nrandom

	progress(fmt.Sprintf("blocking %d records with %d rules", t.Len(), len(compiled)))
	budget := opts.RulePairs
	if budget == 0 {
		budget = max(5*int64(t.Len()), 200_000)
	}
	res.rules, res.opts, res.budget = compiled, opts, budget
	res.opts.Progress = nil
	blk := buildBlocks(t, compiled, opts.MaxBlockSize, budget, opts.Workers)
	for _, line := range blk.describe(compiled) {
		progress(line)
	}
	sample, err := sampleCandidates(ctx, t, cmp, blk, opts.Workers, opts.AcrossSourcesOnly, opts.Seed)
	if err != nil {
		return nil, err
	}
	progress(fmt.Sprintf("compared %d candidate pairs for estimation", sample.sampled))

	totalPairs := possiblePairs(t, opts.AcrossSourcesOnly)
	var exactAgreement []float64
	counts := valueCounts(t)
	if nrandom < int64(totalPairs) && !opts.AcrossSourcesOnly {
		exactAgreement = exactAgreementShares(counts, cmp)
	}
	est := estimate(compiled, sample.patterns, sample.scale, random, nlevels, totalPairs, exactAgreement)
	res.Stats.EMRounds = est.rounds
	progress(fmt.Sprintf("estimated m and u; prior match probability %.3g", math.Exp2(est.prior)/(1+math.Exp2(est.prior))))

	household := estimateHousehold(t, cmp, est.m, est.u, est.prior)
	md := newModel(t, est.m, est.u, est.trained, est.prior, opts.Threshold, counts, household)
	res.md, res.Model = md, md.public
	for r, cr := range compiled {
		res.Stats.Rules = append(res.Stats.Rules, RuleStats{
			Rule: cr.rule.String(), Blocks: len(blk.starts[r]) - 1, Pairs: blk.pairs[r],
			Skipped: blk.skipped[r], Split: blk.split[r], Matches: est.ruleMatches[r] * sample.scale,
		})
	}

	direct, least := weightFor(opts.Threshold), weightFor(opts.Threshold)
	if opts.Cohesion >= 0 {
		least = min(direct, supportedWeight) // weaker links may join supported groups
	}
	edges, compared, err := linkCandidates(ctx, t, cmp, md, blk, opts.Workers, opts.AcrossSourcesOnly, least)
	if err != nil {
		return nil, err
	}
	blk = nil // the blocks are not needed for clustering; let them go
	res.Stats.CandidatePairs = compared
	for _, e := range edges {
		if e.w >= direct {
			res.Stats.Links++
		}
	}
	progress(fmt.Sprintf("compared %d candidate pairs; %d at or above probability %v; clustering", compared, len(edges), opts.Threshold))

	cl := newClusterer(md, cmp, t.Len(), opts.Cohesion, opts.AcrossSourcesOnly)
	cl.direct = direct
	cluster, n, err := cl.run(ctx, edges)
	if err != nil {
		return nil, err
	}
	res.Cluster = cluster
	res.Stats.Clusters = n
	res.Stats.RefusedJoins = cl.refused
	res.Stats.SupportedJoins = cl.supportedJoins
	return res, nil
}

// usefulDefaultRules returns DefaultBlockingRules without the rules on one
// field alone (its exact value or its prefix) whose keys are too common to
// block on: on average more than 10 records share a key (a "state" column;
// a date of birth in a file of a million people). Such a rule would bring
// many pairs and few matches. A date of birth too common alone is kept with
// the initials of the names beside it (see withInitials), so that records
// whose names are both misspelt still meet in a large file as in a small
// one.
func usefulDefaultRules(t *Table) []BlockingRule {
	byName := map[string]int{}
	for f, fl := range t.fields {
		byName[fl.Name] = f
	}
	var out []BlockingRule
	for _, r := range DefaultBlockingRules(t.fields) {
		if len(r.Keys) == 1 && len(r.Keys[0].Fields) == 1 && (r.Keys[0].Transform == "exact" || r.Keys[0].Transform == "prefix") {
			f := byName[r.Keys[0].Fields[0]]
			keys := map[uint64]bool{}
			present := 0
			for i := 0; i < t.Len(); i++ {
				if k := t.keyPart(i, f, r.Keys[0].Transform); k != 0 {
					keys[k] = true
					present++
				}
			}
			if len(keys) == 0 || present > 10*len(keys) {
				if tighter, ok := withInitials(t, r); ok && len(keys) > 0 {
					out = append(out, tighter)
				}
				continue
			}
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return DefaultBlockingRules(t.fields)
	}
	return out
}

// withInitials returns rule r, a date alone, with the initials of the
// given name and surname (as an unordered pair, so that swapped names keep
// it) beside it, where the table has both name fields. A typo or a
// nickname changes a name's sound code more often than its first letter.
func withInitials(t *Table, r BlockingRule) (BlockingRule, bool) {
	var date, given, surname string
	for _, f := range t.fields {
		switch {
		case f.Name == r.Keys[0].Fields[0]:
			if f.Kind != KindDate || r.Keys[0].Transform != "exact" {
				return BlockingRule{}, false
			}
			date = f.Name
		case f.Kind == KindGiven && given == "":
			given = f.Name
		case f.Kind == KindSurname && surname == "":
			surname = f.Name
		}
	}
	if date == "" || given == "" || surname == "" {
		return BlockingRule{}, false
	}
	return BlockingRule{Keys: []BlockingKey{{Fields: []string{date}, Transform: "exact"}, {Fields: []string{given, surname}, Transform: "initial"}}}, true
}

func distinctSources(t *Table) []uint8 {
	s := slices.Clone(t.sources)
	slices.Sort(s)
	return slices.Compact(s)
}

// possiblePairs counts the pairs that could be compared: all pairs, or only
// pairs across sources.
func possiblePairs(t *Table, acrossOnly bool) float64 {
	n := float64(t.Len())
	if !acrossOnly {
		return n * (n - 1) / 2
	}
	per := map[uint8]float64{}
	for _, s := range t.sources {
		per[s]++
	}
	same := 0.0
	for _, k := range per {
		same += k * (k - 1) / 2
	}
	return n*(n-1)/2 - same
}

// Probability returns the match probability of records a and b under the
// learned model, whether or not they were compared during the run.
func (r *Result) Probability(a, b int) float64 {
	if a > b {
		a, b = b, a
	}
	return probability(r.md.score(a, b, r.cmp.vector(a, b)))
}

// exactAgreementShares returns, per field, the share of pairs of records with
// both values present that agree exactly, computed from the value counts;
// negative for a place compared only where postcodes disagree, whose exact
// agreement is not a plain count.
func exactAgreementShares(counts [][]int32, cmp *comparer) []float64 {
	out := make([]float64, len(counts))
	for f, cs := range counts {
		if cmp.postcode[f] >= 0 {
			out[f] = -1
			continue
		}
		var n, agree float64
		for _, c := range cs {
			n += float64(c)
			agree += float64(c) * float64(c-1)
		}
		if n < 2 {
			out[f] = -1
			continue
		}
		out[f] = agree / (n * (n - 1))
	}
	return out
}
