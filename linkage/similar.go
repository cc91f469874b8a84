package linkage

// Evidence returns how strongly the learned model says records a and b
// are one person, in bits: the sum of the weights of the pair's comparison
// levels, with the term-frequency adjustments, and without the prior. It
// is the match weight Explain shows less its prior line.
//
// The table-wide prior is the chance that two records drawn at random
// from the whole table are one person. A caller who knows that a pair was
// not drawn at random (two victims named on the incidents of one suspect
// are far likelier to be one woman than two names picked from a force's
// whole extract) adds its own prior, in log2 odds, to the evidence to get
// that pair's log2 odds of a match. Unlike Probability it does not
// saturate, so strong evidence keeps its size.
func (r *Result) Evidence(a, b int) float64 {
	lo, hi := min(a, b), max(a, b)
	return r.md.score(lo, hi, r.cmp.vector(lo, hi)) - r.md.prior
}

// FieldEvidence is Evidence field by field: it sets weights[f] to the
// weight of field f's comparison level for records a and b (with the
// term-frequency adjustment of an exact agreement, and the household
// adjustment of a postcode agreeing with the surname), and counted[f] to
// whether the field was weighed at all. A field is not weighed where
// either record leaves it empty, or where another field already counts
// what it would say (a surname when the given field found the names
// swapped; a place when the postcodes agree). The weights sum to Evidence.
// Both slices need one element per field.
//
// A caller comparing two groups of records can so weigh each field over
// the pairs that have it, and a record with a value missing then neither
// adds to nor dilutes what the others say about that field.
func (r *Result) FieldEvidence(a, b int, weights []float64, counted []bool) {
	lo, hi := min(a, b), max(a, b)
	vec := r.cmp.vector(lo, hi)
	nf := len(r.md.weights)
	for f := 0; f < nf; f++ {
		l := levelOf(vec, f)
		tf, household := r.md.adjust(f, vec, lo)
		w := r.md.weights[f][l] + tf + household
		weights[f], counted[f] = w, l != levelMissing
	}
}

// DatesDiffer reports whether records a and b both hold a date in field f
// and the two dates plainly differ: they are neither equal nor one common
// recording error apart. The errors allowed for are one digit of YYYYMMDD
// mistyped, two neighbouring digits swapped, day and month swapped (a date
// read in the other order) and a year one out with the day and month right
// (a birth year worked out from an age). Two dates further apart than that
// are not one person's date written twice. A field that is not a date
// never differs.
//
// This is stricter than the clusterer's own date check (see
// clusterer.conflict), which lets dates that still share most digits
// through: there the check guards joins that strong evidence under a low
// prior already supports, while a caller using DatesDiffer is usually about
// to apply a high prior of its own and needs the date to hold people apart.
func (r *Result) DatesDiffer(a, b, f int) bool {
	if f < 0 || f >= len(r.cmp.kinds) || r.cmp.kinds[f] != KindDate {
		return false
	}
	nf := r.cmp.nf
	x, y := r.md.t.vals[a*nf+f], r.md.t.vals[b*nf+f]
	if x == 0 || y == 0 || x == y {
		return false
	}
	ix, iy := &r.cmp.dicts[f][x], &r.cmp.dicts[f][y]
	switch compareDates(ix, iy) {
	case dateTypo, dateTransposed, dateSwapped:
		return false
	}
	if ix.month == iy.month && ix.day == iy.day && (ix.year-iy.year == 1 || iy.year-ix.year == 1) {
		return false
	}
	return true
}
