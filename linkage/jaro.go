package linkage

// jaroWinkler returns the Jaro-Winkler similarity of two strings, 1 for
// equal strings and 0 for strings with nothing in common. It works on bytes:
// values are normalised to ASCII letters before they get here, and for other
// scripts a byte-wise score still orders similar spellings sensibly.
//
// The matching flags live in fixed arrays for strings up to 64 bytes, so the
// comparison of ordinary names allocates nothing; it runs for every candidate
// pair and must stay cheap.
func jaroWinkler(a, b string) float64 {
	j := jaro(a, b)
	if j <= 0.7 {
		return j
	}
	prefix := 0
	for prefix < 4 && prefix < len(a) && prefix < len(b) && a[prefix] == b[prefix] {
		prefix++
	}
	return j + float64(prefix)*0.1*(1-j)
}

// jaro returns the Jaro similarity of a and b.
func jaro(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > lb {
		a, b = b, a
		la, lb = lb, la
	}
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	var fa, fb [64]bool
	matchA, matchB := fa[:], fb[:]
	if la > len(fa) || lb > len(fb) {
		matchA, matchB = make([]bool, la), make([]bool, lb)
	}
	matches := 0
	for i := 0; i < la; i++ {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > lb {
			hi = lb
		}
		for k := lo; k < hi; k++ {
			if !matchB[k] && a[i] == b[k] {
				matchA[i], matchB[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	transposed, k := 0, 0
	for i := 0; i < la; i++ {
		if !matchA[i] {
			continue
		}
		for !matchB[k] {
			k++
		}
		if a[i] != b[k] {
			transposed++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(la) + m/float64(lb) + (m-float64(transposed)/2)/m) / 3
}

// jaroWinklerAtLeast returns the Jaro-Winkler similarity of a and b when it
// may reach floor, and 0 when it cannot, without comparing them letter by
// letter. Every grade of names and places starts at a similarity of 0.80 or
// more, and most pairs the linker compares (above all the million random
// pairs that estimate u) share too few letters to reach it: counting the
// letters they share, in any position, bounds the similarity from above at
// a fraction of the comparison's cost.
//
// The bound: Jaro's matches m are letters both strings hold, so m is at most
// the size of the multiset of letters they share, M (counted here in 32
// buckets by the letter's low five bits, which can only over-count); with
// no transpositions Jaro is at most (M/|a| + M/|b| + 1)/3, and Winkler's
// bonus for a common prefix of p letters only grows with Jaro, so the
// similarity is at most that plus p/10 of what is left.
func jaroWinklerAtLeast(a, b string, floor float64) float64 {
	la, lb := len(a), len(b)
	if a == b || la == 0 || lb == 0 || la > 255 || lb > 255 {
		return jaroWinkler(a, b)
	}
	var counts [32]uint8
	for i := 0; i < la; i++ {
		counts[a[i]&31]++
	}
	shared := 0
	for i := 0; i < lb; i++ {
		if c := b[i] & 31; counts[c] > 0 {
			counts[c]--
			shared++
		}
	}
	if shared == 0 {
		return 0
	}
	m := float64(shared)
	most := (m/float64(la) + m/float64(lb) + 1) / 3
	prefix := 0
	for prefix < 4 && prefix < la && prefix < lb && a[prefix] == b[prefix] {
		prefix++
	}
	most += float64(prefix) * 0.1 * (1 - most)
	// The margin keeps rounding in the two formulas from turning a
	// similarity exactly at the bound into a miss.
	if most < floor-1e-9 {
		return 0
	}
	return jaroWinkler(a, b)
}
