package linkage

import (
	"context"
	"slices"
)

// edge is a candidate pair whose match probability reached the threshold,
// or, when the clustering checks are on, at least supportedProbability.
type edge struct {
	a, b uint32
	w    float64 // match weight, log2 odds
}

// clusterer groups records into people.
//
// Taking connected components of the links alone lets one bad link chain two
// people together, and through them two whole families of records: a record
// with only a surname and an address links to everyone of that household. So
// links are taken strongest first, and two groups of records are joined only
// when they hold together as a whole: over the pairs across the two groups
// (every pair, not only blocked ones, up to a sample of cohesionSample
// members from each side) the mean match probability must reach the cohesion
// bar (Options.Cohesion), no date of birth or given name may set the
// groups apart (see conflict), and no pair across them may be contradicted
// by its given name and date together (see contradicts). A record then joins a group only if it
// matches the group's members in general, not just one of them; and a parent
// and child of one name at one address, each with a few records, stay apart
// even when a sparse record links to both.
//
// The default bar, 0.3, is below one half on purpose: a pair across the
// groups in which one record has most values missing has a probability near
// the prior, not because it contradicts the join but because it says little,
// and real groups hold many such records. Households are kept apart by the
// conflict check rather than by a high bar. On the benchmark files and the
// synthetic people, bars from 0.3 to 0.5 differ by at most 0.02 in F1;
// higher bars trade recall for precision.
//
// Because the strongest links come first, a person's records gather before the
// weaker, riskier links are considered, and a weak link between two
// established groups is judged against everything known about both. Last
// come the links below the threshold but likelier than not, which join only
// groups whose records as a whole support them (see supported): transitive
// evidence, weighed against the groups rather than the pair.
type clusterer struct {
	md         *model
	cmp        *comparer
	cohesion   float64 // mean match probability a join needs; negative: no check
	acrossOnly bool
	parent     []int32
	members    [][]uint32 // for roots: the members, in the order they joined
	refused    int
	// supportedJoins counts joins made by links below the threshold.
	supportedJoins int
	identity       []int // the given-name, full-name and date fields
	// direct is the match weight of the threshold: a link at or above it
	// joins two groups on its own (subject to cohesion); a weaker one, down
	// to supportedWeight, only with the support of the groups' other records.
	direct float64
}

// supportedProbability is the match probability from which a link below the
// threshold may still join two groups, when the groups support it (see
// clusterer.supported): a pair likelier than not to be one person.
const supportedProbability = 0.5

// supportedWeight is supportedProbability as a match weight.
var supportedWeight = weightFor(supportedProbability)

// cohesionSample bounds the members of each group that are compared when two
// groups are about to join, keeping the cost per link bounded however large
// the groups grow. Members are taken in the order they joined, so the sample
// is the group's earliest, best-linked core.
const cohesionSample = 8

func newClusterer(md *model, cmp *comparer, n int, cohesion float64, acrossOnly bool) *clusterer {
	c := &clusterer{md: md, cmp: cmp, cohesion: cohesion, acrossOnly: acrossOnly, parent: make([]int32, n), members: make([][]uint32, n)}
	for i := range c.parent {
		c.parent[i] = int32(i)
	}
	for f, fl := range md.t.fields {
		if fl.Kind == KindDate || fl.Kind == KindGiven || fl.Kind == KindFullName {
			c.identity = append(c.identity, f)
		}
	}
	return c
}

func (c *clusterer) find(i int32) int32 {
	for c.parent[i] != i {
		c.parent[i] = c.parent[c.parent[i]]
		i = c.parent[i]
	}
	return i
}

func (c *clusterer) group(r int32) []uint32 {
	if c.members[r] == nil {
		return []uint32{uint32(r)}
	}
	return c.members[r]
}

// coheres reports whether two groups may join: whether the mean match
// probability over the sampled pairs across them reaches the cohesion bar,
// and no identity field sets them apart (see conflict).
func (c *clusterer) coheres(ga, gb []uint32) bool {
	ga = ga[:min(len(ga), cohesionSample)]
	gb = gb[:min(len(gb), cohesionSample)]
	if c.conflict(ga, gb) {
		return false
	}
	sum := 0.0
	for _, x := range ga {
		for _, y := range gb {
			if c.acrossOnly && c.md.t.sources[x] == c.md.t.sources[y] {
				return false // two records of one source are different people
			}
			a, b := int(min(x, y)), int(max(x, y))
			vec := c.cmp.vector(a, b)
			if c.contradicts(vec) {
				return false
			}
			sum += probability(c.md.score(a, b, vec))
		}
	}
	return sum >= c.cohesion*float64(len(ga)*len(gb))
}

// conflict reports whether the two groups each hold a settled value of a
// date or given-name field and the two values plainly differ: names at the
// "different" level, dates at the "far apart" level (at least half of
// their eight digits apart). A settled value
// is one that at least two records of the group share and that at least half
// of the group's records with the field hold.
//
// A person's date of birth is sometimes mistyped but not recorded one way in
// several records and another way in several others; two groups that do so
// are two people, however much else they share. This is what keeps a father
// and a son of one name at one address apart, whom a pairwise model, weighing
// the shared name and address against one disagreeing date, may well join.
// Surnames and addresses are left out: people marry and move, and their
// records then do settle on two values.
func (c *clusterer) conflict(ga, gb []uint32) bool {
	nf := len(c.md.t.fields)
	vals := c.md.t.vals
	for f, fl := range c.md.t.fields {
		if fl.Kind != KindDate && fl.Kind != KindGiven {
			continue
		}
		ra, ok := settled(ga, f, nf, vals)
		if !ok {
			continue
		}
		rb, ok := settled(gb, f, nf, vals)
		if !ok {
			continue
		}
		a, b := int(min(ra, rb)), int(max(ra, rb))
		// The last level is "different" for names and "far apart" for
		// dates: dates that still share most digits may be one date
		// garbled twice; only dates far apart in writing set groups apart.
		if levelOf(c.cmp.vector(a, b), f) != len(levelNames(fl.Kind))-1 {
			continue
		}
		return true
	}
	return false
}

// supported reports whether a link below the threshold may join two groups:
// transitive evidence. Taken alone, such a pair is likelier than not to be
// one person but not enough to link; with the other records of its groups it
// may be. The join is made when at least one side is a group of two or more
// records (the caller checks) and, over the sampled pairs across the two
// groups, the mean match probability is at least supportedProbability: the
// groups as a whole are likelier than not one person, a stricter bar than the
// cohesion asked of links at the threshold. The cost of the merge is thus
// measured against both groups, not against the one pair.
func (c *clusterer) supported(ga, gb []uint32) bool {
	ga = ga[:min(len(ga), cohesionSample)]
	gb = gb[:min(len(gb), cohesionSample)]
	sum := 0.0
	for _, x := range ga {
		for _, y := range gb {
			a, b := int(min(x, y)), int(max(x, y))
			sum += probability(c.md.score(a, b, c.cmp.vector(a, b)))
		}
	}
	return sum >= supportedProbability*float64(len(ga)*len(gb))
}

// contradicts reports whether a pair's comparison vector says, from who
// the two records are alone, that they are different people: the weights of
// its given-name and date fields add up to at most -contradictionBits. The
// weights are learned from the data at hand, so the check adapts to it: where
// one person's records often disagree on a name and a date (heavily
// corrupted files), those disagreements weigh little and the check does not
// fire; where they rarely do, a parent and child or two siblings of one
// household stay apart even when a sparse record (a surname and an address)
// links to both.
func (c *clusterer) contradicts(vec uint64) bool {
	sum := 0.0
	for _, f := range c.identity {
		if w := c.md.weights[f][levelOf(vec, f)]; w < 0 {
			sum += w
		}
	}
	return sum <= -contradictionBits
}

// contradictionBits is the evidence against, from the given name and date of
// birth alone, at which no join is made: 12 bits, odds of 4096 to 1.
const contradictionBits = 12

// settled returns a record of the group holding the group's settled value of
// field f, if it has one.
func settled(g []uint32, f, nf int, vals []uint32) (uint32, bool) {
	var present int
	best, bestN := uint32(0), 0
	for i, x := range g {
		v := vals[int(x)*nf+f]
		if v == 0 {
			continue
		}
		present++
		n := 0
		for _, y := range g[i:] {
			if vals[int(y)*nf+f] == v {
				n++
			}
		}
		if n > bestN {
			best, bestN = x, n
		}
	}
	return best, bestN >= 2 && 2*bestN >= present
}

// run processes the edges, strongest first, and returns each record's
// cluster number, counted from 1 in order of each cluster's first record.
func (c *clusterer) run(ctx context.Context, edges []edge) ([]int, int, error) {
	slices.SortFunc(edges, func(x, y edge) int {
		switch {
		case x.w > y.w:
			return -1
		case x.w < y.w:
			return 1
		case x.a != y.a:
			return int(x.a) - int(y.a)
		}
		return int(x.b) - int(y.b)
	})
	for k, e := range edges {
		if k%4096 == 0 && ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		ra, rb := c.find(int32(e.a)), c.find(int32(e.b))
		if ra == rb {
			continue
		}
		ga, gb := c.group(ra), c.group(rb)
		if e.w < c.direct {
			// Below the threshold: joined only with the groups' support.
			if len(ga) == 1 && len(gb) == 1 || c.cohesion < 0 || !c.supported(ga, gb) || !c.coheres(ga, gb) {
				continue
			}
			c.supportedJoins++
		} else if c.cohesion >= 0 {
			pair := len(ga)+len(gb) == 2
			if !pair && !c.coheres(ga, gb) || pair && c.contradicts(c.cmp.vector(int(min(e.a, e.b)), int(max(e.a, e.b)))) {
				c.refused++
				continue
			}
		}
		// Attach the smaller group under the larger; keep the larger's
		// members first so its core stays the sample.
		if len(ga) < len(gb) {
			ra, rb, ga, gb = rb, ra, gb, ga
		}
		c.parent[rb] = ra
		c.members[ra] = append(ga, gb...)
		c.members[rb] = nil
	}
	cluster := make([]int, len(c.parent))
	number := make([]int, len(c.parent)) // by root; 0 until numbered
	clusters := 0
	for i := range c.parent {
		r := c.find(int32(i))
		if number[r] == 0 {
			clusters++
			number[r] = clusters
		}
		cluster[i] = number[r]
	}
	return cluster, clusters, nil
}
