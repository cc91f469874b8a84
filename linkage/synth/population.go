package synth

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Names says from which distribution of names people are drawn.
type Names int

const (
	// CompactNames draws from the common names of names.go alone (about
	// 130 given names of each sex and 1,350 surnames, a few of them very
	// common). The synthetic police data, the demo and the fixtures built
	// on them use it; in a file of millions of people it makes namesakes
	// far commoner than they are in England and Wales.
	CompactNames Names = iota
	// PopulationNames draws names with the frequencies of England and
	// Wales: a head of common names whose shares follow published counts
	// and a long tail of rare ones (see populationLists), the same at
	// every size of file, so that ten million people share names as often
	// as ten million real people do.
	PopulationNames
)

// Surname shares by rank, in bearers per million, from published counts for
// England and Wales and Great Britain. Ranks 1 to 10 are the percentages of
// the 1996 electoral register of the United Kingdom in the Guild of One-Name
// Studies' "Comparative Table of 300 Leading Surnames" (Smith 1.20%, Jones
// 0.90%, ...); the ranks from 15 on are surnames' frequencies per million and
// their ranks in the Great Britain Family Names Profiler of University
// College London (for example rank 128 at 942 per million, rank 4,435 at 31,
// rank 16,554 at 5). Between anchors the share is interpolated on log rank and
// log share; past the last anchor it falls with the slope of the last three
// (about rank^-1.4). The distribution is cut at surnameRanks and normalised.
// Checked against the shares of the leading surnames of England and Wales
// (top 10 5.7%, top 50 14.6%, top 100 20.8%, top 500 39.3%): this gives
// 5.3%, 14.4%, 21.3% and 42.0%.
var surnameAnchors = [][2]float64{
	{1, 12000}, {2, 9000}, {3, 6200}, {4, 5800}, {5, 5600}, {6, 4700},
	{7, 4200}, {8, 4000}, {9, 3800}, {10, 3400}, {15, 3000}, {43, 2171},
	{49, 2082}, {77, 1449}, {93, 1294}, {128, 942}, {390, 420}, {563, 288},
	{788, 206}, {1318, 146}, {1942, 86}, {2534, 63}, {3176, 45}, {4435, 31},
	{5799, 22}, {11886, 9}, {16554, 5},
}

// surnameRanks is how many surnames the population holds. With the shares
// above, 200,000 surnames make the leading ones' shares match the published
// ones; England and Wales have some hundreds of thousands of surnames, most of
// them held by a few families.
const surnameRanks = 200_000

// Given names follow a Zipf-like law, share proportional to
// (rank+offset)^-exponent over a given number of names, fitted to the baby
// names of England and Wales for 2008 published by the Office for National
// Statistics: boys' top name 2.21%, top 10 16.4%, top 100 57.7%, 26,815
// different names; girls' 1.54%, 12.8%, 47.4%, 34,043 names. The fit gives
// boys 2.17%, 16.7%, 56.5% (offset 20, exponent 1.44) and girls 1.54%, 12.5%,
// 47.8% (offset 24, exponent 1.36). One year's births are less varied than a
// population born over seventy years, whose names follow the fashions of
// many years, so these shares, if anything, make namesakes too common.
var (
	maleGiven   = zipfLaw{names: 26_815, offset: 20, exponent: 1.44}
	femaleGiven = zipfLaw{names: 34_043, offset: 24, exponent: 1.36}
)

type zipfLaw struct {
	names            int
	offset, exponent float64
}

func (z zipfLaw) cum() []float64 {
	cum := make([]float64, z.names)
	total := 0.0
	for i := range cum {
		total += math.Pow(float64(i+1)+z.offset, -z.exponent)
		cum[i] = total
	}
	for i := range cum {
		cum[i] /= total
	}
	return cum
}

// surnameShare is the unnormalised share of the surname of rank r (from 1).
func surnameShare(r int) float64 {
	x := math.Log(float64(r))
	a := surnameAnchors
	for i := 1; i < len(a); i++ {
		if float64(r) <= a[i][0] {
			x0, x1 := math.Log(a[i-1][0]), math.Log(a[i][0])
			y0, y1 := math.Log(a[i-1][1]), math.Log(a[i][1])
			return math.Exp(y0 + (x-x0)/(x1-x0)*(y1-y0))
		}
	}
	// The slope over the last three anchors: the last two alone are too
	// close in rank to give a steady one.
	n := len(a) - 1
	slope := math.Log(a[n][1]/a[n-2][1]) / math.Log(a[n][0]/a[n-2][0])
	return a[n][1] * math.Pow(float64(r)/a[n][0], slope)
}

func normalised(shares []float64) []float64 {
	cum := make([]float64, len(shares))
	total := 0.0
	for i, s := range shares {
		total += s
		cum[i] = total
	}
	for i := range cum {
		cum[i] /= total
	}
	return cum
}

var (
	populationOnce sync.Once
	population     *lists
)

// populationLists returns the lists of PopulationNames, built once. The
// common names of the compact lists take the leading ranks in their order;
// the ranks after them are invented names composed from parts (populationParts),
// put in an order drawn once with a fixed seed, so that a rank does not
// depend on spelling and every run draws from the same population.
func populationLists() *lists {
	populationOnce.Do(func() {
		base := loadLists()
		l := *base
		rng := rand.New(rand.NewPCG(0x5eed, 0x9a3e5))
		taken := map[string]bool{}
		for _, n := range base.male {
			taken[n] = true
		}
		for _, n := range base.female {
			taken[n] = true
		}
		for _, n := range base.surnames {
			taken[n] = true
		}
		l.male = extend(base.male, compose(rng, taken, words(givenOnsets), words(givenMiddles), words(maleEndings)), maleGiven.names)
		l.female = extend(base.female, compose(rng, taken, words(givenOnsets), words(givenMiddles), words(femaleEndings)), femaleGiven.names)
		z := maleGiven
		z.names = len(l.male)
		l.maleCum = z.cum()
		z = femaleGiven
		z.names = len(l.female)
		l.femaleCum = z.cum()
		l.surnames = extend(base.surnames, compose(rng, taken, words(surnameStarts+surnameMoreStarts), words(surnameMiddles), words(surnameEnds+surnameMoreEnds)), surnameRanks)
		shares := make([]float64, len(l.surnames))
		for i := range shares {
			shares[i] = surnameShare(i + 1)
		}
		l.surnameCum = normalised(shares)
		population = &l
	})
	return population
}

// compose returns every name made of one part from each list, less those
// already taken (which it marks taken), in an order drawn from rng.
func compose(rng *rand.Rand, taken map[string]bool, a, b, c []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if y == "-" {
				y = ""
			}
			for _, z := range c {
				n := x + y + z
				if !taken[n] {
					taken[n] = true
					out = append(out, n)
				}
			}
		}
	}
	rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// extend returns head followed by as much of tail as makes n names (fewer if
// tail runs out).
func extend(head, tail []string, n int) []string {
	out := slices.Clone(head)
	if k := n - len(out); k > 0 {
		out = append(out, tail[:min(k, len(tail))]...)
	}
	return out
}
