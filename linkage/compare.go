package linkage

import "math/bits"

// Comparison levels. Each field kind has an ordered list of levels, from the
// strongest agreement to plain disagreement; a pair gets the first level
// whose test it passes. Level 0 is always "missing": one of the two values is
// empty, and the field then adds no evidence either way (weight 0).
//
// Level numbers are per kind and fit in four bits, so a comparison vector of
// up to 16 fields packs into one uint64.
const levelMissing = 0

// Similarity bands of the Jaro-Winkler score. 0.92 keeps one typo in a name of
// five or more letters; 0.80 keeps two, or a short name with one.
const (
	jwClose   = 0.92
	jwSimilar = 0.80
)

// Name levels (given, surname).
const (
	nameExact   = 1 + iota
	nameVariant // listed variants of one given name: bob/robert
	nameClose   // Jaro-Winkler >= jwClose
	nameSound   // same phonetic code
	nameSimilar // Jaro-Winkler >= jwSimilar
	nameInitial // one value is an initial, the first letter of the other
	nameSwapped // given and surname swapped between the records (given field only)
	// nameSwappedPartly: swapped, but one of the two cross comparisons
	// cannot be made (a name missing) or matches only in spelling. A swap
	// seen in full is far stronger evidence, so it has a weight of its own.
	nameSwappedPartly
	nameOther
)

// Full-name levels.
const (
	fullExact     = 1 + iota
	fullReordered // the same words in another order
	fullParts     // first and last words each exact, variant or close
	fullClose     // Jaro-Winkler of the whole >= jwClose
	fullSound     // first and last words sound alike, in either order
	fullInitial   // last words close, first letters equal
	fullSimilar   // Jaro-Winkler of the whole >= jwSimilar
	fullOther
)

// Date levels.
const (
	dateExact      = 1 + iota
	dateTypo       // one digit of YYYYMMDD differs
	dateTransposed // two neighbouring digits swapped
	dateSwapped    // day and month swapped
	dateMonth      // same year and month
	dateYear       // within a year of each other
	// datePartial: one date or both written with the year and month only,
	// or the year only, and they agree as far as both are written. It has
	// its own weight: "1983" agreeing with 12 July 1983 says far less than
	// two full dates agreeing, but far more than nothing.
	datePartial
	dateOther // two or three of the eight digits differ
	dateFar   // four or more digits differ: not one date keyed badly
)

// dateFarDigits is the number of differing digits (of YYYYMMDD) from which
// two dates are "far apart". One keying error changes one digit, and two
// records each with an error two; four or more differ when the dates belong
// to different people (a father and son, two siblings), so the linker learns
// a weight of its own for them rather than counting them with near misses.
const dateFarDigits = 4

// Postcode levels.
const (
	postExact    = 1 + iota
	postSector   // same sector (UK "SW1A 1"), or all but the last character
	postDistrict // same district (UK "SW1A"), or all but the last two characters
	postTypo     // one character wrong or two neighbours swapped
	postArea     // same area (UK "SW"), or the same first character
	postOther
)

// Place levels.
const (
	placeExact   = 1 + iota
	placeClose   // Jaro-Winkler >= jwClose
	placeSound   // same phonetic code
	placeSimilar // Jaro-Winkler >= jwSimilar
	placeOther
)

// Text levels: overlap of word sets (Jaccard), with character pairs as a
// second measure so that a typo or a split word does not make two texts
// strangers.
const (
	textExact  = 1 + iota
	textHigh   // words Jaccard >= 0.6, or character pairs Jaccard >= 0.75
	textMedium // words Jaccard >= 0.3, or character pairs Jaccard >= 0.5
	textOther
)

// Exact levels. An identifier keyed by hand is sometimes one keystroke off;
// that is still strong evidence, so it has a level of its own.
const (
	exactEqual   = 1 + iota
	exactOneEdit // one character inserted, dropped, replaced, or two neighbours swapped
	exactOther
)

// levelNames returns the names of a kind's levels, indexed by level number.
// The swap level of a given-name field occurs only when the table also has a
// surname field.
func levelNames(k Kind) []string {
	switch k {
	case KindGiven, KindSurname:
		return []string{"missing", "exact", "variant", "close spelling", "sounds alike", "similar spelling", "initial", "swapped with surname", "swapped, partly seen", "different"}
	case KindFullName:
		return []string{"missing", "exact", "same words reordered", "first and last words match", "close spelling", "sounds alike", "surname and initial", "similar spelling", "different"}
	case KindDate:
		return []string{"missing", "exact", "one digit differs", "digits transposed", "day and month swapped", "same year and month", "within a year", "agrees as far as written", "different", "far apart"}
	case KindPostcode:
		return []string{"missing", "exact", "same sector", "same district", "one character off", "same area", "different"}
	case KindPlace:
		return []string{"missing", "exact", "close spelling", "sounds alike", "similar spelling", "different"}
	case KindText:
		return []string{"missing", "exact", "high overlap", "some overlap", "different"}
	default:
		return []string{"missing", "exact", "one edit apart", "different"}
	}
}

// comparer computes comparison vectors for pairs of records of one table.
// It is read-only and safe for concurrent use.
type comparer struct {
	t       *Table
	nf      int
	kinds   []Kind
	dicts   [][]valueInfo
	lists   [][][]uint32 // per field: its dictionary's word lists
	groups  [][]uint16   // the table's variant groups
	partner []int        // for given and surname fields: the other name field, or -1
	// postcode is, for place fields, the first postcode field, or -1. A town
	// adds nothing once the postcodes agree (records in one postcode area
	// share the town); counting both would count one fact twice and make
	// people of one household look like one person. Nor does a different
	// town where the postcodes are in different areas: that is one move,
	// already counted against the pair by the postcode, and counting it
	// twice splits people who moved (at a million records, the commonest
	// missed link). A town that agrees where the postcodes do not still
	// counts: a move within a town.
	postcode []int
}

func newComparer(t *Table) *comparer {
	c := &comparer{t: t, nf: len(t.fields), groups: t.variantGroups}
	given, surname, postcode := -1, -1, -1
	for f, fl := range t.fields {
		if fl.Kind == KindPostcode && postcode < 0 {
			postcode = f
		}
		if fl.Kind == KindGiven && given < 0 {
			given = f
		}
		if fl.Kind == KindSurname && surname < 0 {
			surname = f
		}
	}
	for f, fl := range t.fields {
		c.kinds = append(c.kinds, fl.Kind)
		c.dicts = append(c.dicts, t.cols[f].d.infos)
		c.lists = append(c.lists, t.cols[f].d.lists)
		p := -1
		if f == given && surname >= 0 {
			p = surname
		}
		if f == surname && given >= 0 {
			p = given
		}
		c.partner = append(c.partner, p)
		pc := -1
		if fl.Kind == KindPlace {
			pc = postcode
		}
		c.postcode = append(c.postcode, pc)
	}
	return c
}

// vector returns the comparison levels of records a and b, four bits per
// field, field 0 in the lowest bits.
//
// Two fields depend on others: a place is neutral where the postcodes agree,
// and where both postcode and place plainly differ (see comparer.postcode),
// and a surname is neutral where the given field
// found the names swapped, so that a swap counts once.
func (c *comparer) vector(a, b int) uint64 { return c.vectorWith(nil, a, b) }

// vectorWith is vector with a cache of recent name and place comparisons,
// one per goroutine; nil means no cache.
func (c *comparer) vectorWith(cache *levelCache, a, b int) uint64 {
	va := c.t.vals[a*c.nf : a*c.nf+c.nf]
	vb := c.t.vals[b*c.nf : b*c.nf+c.nf]
	var levels [maxFields]uint8
	for f := 0; f < c.nf; f++ {
		levels[f] = c.level(cache, f, va, vb)
	}
	var vec uint64
	for f := 0; f < c.nf; f++ {
		l := levels[f]
		switch c.kinds[f] {
		case KindPlace:
			if p := c.postcode[f]; p >= 0 && l != levelMissing {
				pl := levels[p]
				if pl >= postExact && pl <= postArea && pl != postTypo {
					l = levelMissing // the postcode already said it
				}
				if pl == postOther && l == placeOther {
					l = levelMissing // a move: the postcode already said it
				}
			}
		case KindSurname:
			if p := c.partner[f]; p >= 0 && l == nameOther {
				if levels[p] == nameSwapped || levels[p] == nameSwappedPartly || levels[p] == levelMissing && c.swapped(cache, p, va, vb) != 0 {
					l = levelMissing // the given field counts the swap
				}
			}
		}
		vec |= uint64(l) << (4 * f)
	}
	return vec
}

// level compares field f of two records given their value rows, on its own;
// vector adjusts the levels of fields that depend on others.
func (c *comparer) level(cache *levelCache, f int, va, vb []uint32) uint8 {
	x, y := va[f], vb[f]
	if x == 0 || y == 0 {
		return levelMissing
	}
	infos := c.dicts[f]
	ix, iy := &infos[x], &infos[y]
	if x == y {
		if ix.partial {
			return datePartial // two equal partial dates are not a full date agreeing
		}
		return 1 // every kind's first level is exact agreement
	}
	switch c.kinds[f] {
	case KindGiven, KindSurname:
		l, ok := cache.get(f, x, y)
		if !ok {
			l = c.compareNames(ix, iy, c.kinds[f] == KindGiven)
			cache.put(f, x, y, l)
		}
		if l == nameOther && c.kinds[f] == KindGiven && c.partner[f] >= 0 {
			if sw := c.swapped(cache, f, va, vb); sw != 0 {
				return sw
			}
		}
		return l
	case KindFullName:
		return c.compareFull(ix, iy, c.lists[f])
	case KindDate:
		return compareDates(ix, iy)
	case KindPostcode:
		return comparePostcodes(ix, iy)
	case KindPlace:
		l, ok := cache.get(f, x, y)
		if !ok {
			l = comparePlaces(ix, iy)
			cache.put(f, x, y, l)
		}
		return l
	case KindText:
		return compareTexts(ix, iy, c.lists[f])
	default:
		if oneEdit(ix.norm, iy.norm) {
			return exactOneEdit
		}
		return exactOther
	}
}

// swapped reports whether the records have given name and surname swapped:
// the given name of each matches the surname of the other (equal, variants,
// or similar in spelling). When one of the two cross comparisons cannot be
// made because a value is missing, the other must match on its own; when
// neither can be made, there is no swap to see. It returns nameSwapped when
// both cross comparisons are made and each is equal or a variant,
// nameSwappedPartly for any other swap, and 0 for none.
func (c *comparer) swapped(cache *levelCache, f int, va, vb []uint32) uint8 {
	p := c.partner[f]
	names := c.t.names.infos
	// cross returns 0 for no match, 1 for similar spelling, 2 for equal or
	// variants, and whether the comparison could be made.
	cross := func(x, y uint32) (match uint8, known bool) {
		if x == 0 || y == 0 {
			return 0, false
		}
		if x == y {
			return 2, true
		}
		if l, ok := cache.get(crossSlot, x, y); ok {
			return l, true
		}
		l := uint8(0)
		switch {
		case c.variants(&names[x], &names[y]):
			l = 2
		case jaroWinklerAtLeast(names[x].norm, names[y].norm, jwSimilar) >= jwSimilar:
			l = 1
		}
		cache.put(crossSlot, x, y, l)
		return l, true
	}
	m1, k1 := cross(va[f], vb[p])
	m2, k2 := cross(va[p], vb[f])
	switch {
	case !k1 && !k2, k1 && m1 == 0, k2 && m2 == 0:
		return 0
	case k1 && k2 && m1 == 2 && m2 == 2:
		return nameSwapped
	}
	return nameSwappedPartly
}

// variants reports whether two names are listed variants of one name.
func (c *comparer) variants(a, b *valueInfo) bool {
	return a.variant != 0 && b.variant != 0 && shareGroup(c.groups[a.variant], c.groups[b.variant])
}

// compareNames grades two different normalised names.
func (c *comparer) compareNames(a, b *valueInfo, variants bool) uint8 {
	if variants && c.variants(a, b) {
		return nameVariant
	}
	if len(a.norm) == 1 || len(b.norm) == 1 {
		if a.initial == b.initial {
			return nameInitial
		}
		return nameOther
	}
	jw := jaroWinklerAtLeast(a.norm, b.norm, jwSimilar)
	switch {
	case jw >= jwClose:
		return nameClose
	case a.phon == b.phon:
		return nameSound
	case jw >= jwSimilar:
		return nameSimilar
	}
	return nameOther
}

// compareFull grades two different full names.
func (c *comparer) compareFull(a, b *valueInfo, lists [][]uint32) uint8 {
	at, bt := lists[a.words], lists[b.words]
	if sameWords(at, bt) {
		return fullReordered
	}
	names := c.t.names.infos
	wordMatch := func(x, y uint32) bool {
		if x == y {
			return true
		}
		ix, iy := &names[x], &names[y]
		return c.variants(ix, iy) || jaroWinklerAtLeast(ix.norm, iy.norm, jwClose) >= jwClose
	}
	af, al := at[0], at[len(at)-1]
	bf, bl := bt[0], bt[len(bt)-1]
	if len(at) > 1 && len(bt) > 1 && wordMatch(af, bf) && wordMatch(al, bl) {
		return fullParts
	}
	jw := jaroWinklerAtLeast(a.norm, b.norm, jwSimilar)
	if jw >= jwClose {
		return fullClose
	}
	if (a.phon == b.phon && a.phon2 == b.phon2) || (a.phon == b.phon2 && a.phon2 == b.phon) {
		return fullSound
	}
	if len(at) > 1 && len(bt) > 1 && wordMatch(al, bl) && names[af].initial == names[bf].initial {
		return fullInitial
	}
	if jw >= jwSimilar {
		return fullSimilar
	}
	return fullOther
}

// sameWords reports whether two short word lists hold the same words in any
// order (as multisets).
func sameWords(a, b []uint32) bool {
	if len(a) != len(b) || len(a) > 8 {
		return false
	}
	var used [8]bool
	for _, x := range a {
		found := false
		for j, y := range b {
			if !used[j] && x == y {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// differingBytes turns the XOR of two packed byte strings into a mask with
// the lowest bit set in each byte that differs.
func differingBytes(x uint64) uint64 {
	x |= x >> 4
	x |= x >> 2
	x |= x >> 1
	return x & 0x0101010101010101
}

// compareDates grades two different dates.
func compareDates(a, b *valueInfo) uint8 {
	if a.partial || b.partial {
		return comparePartialDates(a, b)
	}
	diff := differingBytes(a.digits ^ b.digits)
	n := bits.OnesCount64(diff)
	switch {
	case n == 1:
		return dateTypo
	case n == 2:
		i := bits.TrailingZeros64(diff) / 8
		if j := (63 - bits.LeadingZeros64(diff)) / 8; j == i+1 && a.norm[i] == b.norm[j] && a.norm[j] == b.norm[i] {
			return dateTransposed
		}
	}
	switch {
	case a.year == b.year && a.month == b.day && a.day == b.month:
		return dateSwapped
	case a.year == b.year && a.month == b.month:
		return dateMonth
	case a.dateOK && b.dateOK && abs32(a.dayNumber-b.dayNumber) <= 366:
		return dateYear
	case n >= dateFarDigits:
		return dateFar
	}
	return dateOther
}

// comparePartialDates grades two dates of which at least one is written with
// its year and month only, or its year only: they agree as far as written when
// the years agree and so do the months where both have one; otherwise they are
// within a year, or different.
func comparePartialDates(a, b *valueInfo) uint8 {
	switch y := abs32(int32(a.year) - int32(b.year)); {
	case y == 0 && (a.month == 0 || b.month == 0 || a.month == b.month):
		return datePartial
	case y <= 1:
		return dateYear
	}
	return dateOther
}

// comparePostcodes grades two different postcodes.
func comparePostcodes(a, b *valueInfo) uint8 {
	switch {
	case a.sector != 0 && a.sector == b.sector:
		return postSector
	case a.district != 0 && a.district == b.district:
		return postDistrict
	}
	if typo, transposed := oneEditApart(a.norm, b.norm); typo || transposed {
		return postTypo
	}
	if a.area != 0 && a.area == b.area {
		return postArea
	}
	return postOther
}

// comparePlaces grades two different place names.
func comparePlaces(a, b *valueInfo) uint8 {
	jw := jaroWinklerAtLeast(a.norm, b.norm, jwSimilar)
	switch {
	case jw >= jwClose:
		return placeClose
	case a.phon == b.phon:
		return placeSound
	case jw >= jwSimilar:
		return placeSimilar
	}
	return placeOther
}

// compareTexts grades two different texts by the overlap of their words and
// of their character pairs.
func compareTexts(a, b *valueInfo, lists [][]uint32) uint8 {
	words := jaccard(lists[a.words], lists[b.words])
	pairs := jaccard(lists[a.words+1], lists[b.words+1])
	switch {
	case words >= 0.6 || pairs >= 0.75:
		return textHigh
	case words >= 0.3 || pairs >= 0.5:
		return textMedium
	}
	return textOther
}

// jaccard returns |a∩b| / |a∪b| for two sorted sets without duplicates.
func jaccard(a, b []uint32) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 0
	}
	i, j, common := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(common) / float64(len(a)+len(b)-common)
}

func abs32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

// oneEdit reports whether two different strings are one edit apart: one
// character inserted, deleted or replaced, or two neighbours swapped.
func oneEdit(a, b string) bool {
	if len(a) == len(b) {
		typo, transposed := oneEditApart(a, b)
		return typo || transposed
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) != 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	return a[i:] == b[i+1:]
}

// levelCache remembers the outcome of recent comparisons of two distinct
// values, so that a common pair of names ("john" and "jon") is graded once per
// goroutine rather than once per pair of records. It is direct-mapped and of
// fixed size: one per goroutine needs no locking, it allocates nothing after
// creation, and a collision only costs a recomputation. The methods accept a
// nil cache, which remembers nothing.
type levelCache struct {
	keys [levelCacheSize]uint64
	vals [levelCacheSize]uint8
}

const (
	levelCacheSize = 1 << 14
	// crossSlot is the field slot of given-name/surname cross comparisons
	// (in the shared name dictionary), beyond every real field.
	crossSlot = maxFields
)

// cacheKey packs a field slot and two value numbers, smaller first; 0 when
// the numbers are too large to pack, which is never cached.
func cacheKey(f int, x, y uint32) uint64 {
	if x > y {
		x, y = y, x
	}
	if y >= 1<<29 {
		return 0
	}
	return uint64(f+1)<<58 | uint64(x)<<29 | uint64(y)
}

func (c *levelCache) get(f int, x, y uint32) (uint8, bool) {
	if c == nil {
		return 0, false
	}
	k := cacheKey(f, x, y)
	i := mix64(k) % levelCacheSize
	if k != 0 && c.keys[i] == k {
		return c.vals[i], true
	}
	return 0, false
}

func (c *levelCache) put(f int, x, y uint32, l uint8) {
	if c == nil {
		return
	}
	if k := cacheKey(f, x, y); k != 0 {
		i := mix64(k) % levelCacheSize
		c.keys[i], c.vals[i] = k, l
	}
}

// newLevelCaches returns one cache per worker.
func newLevelCaches(workers int) []*levelCache {
	out := make([]*levelCache, max(workers, 1))
	for i := range out {
		out[i] = new(levelCache)
	}
	return out
}
