package linkage

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/drive-platform/drive"
)

// Linking a person the service works with to the people police extracts
// name is a different question from resolving the extracts themselves:
// one side is a single record typed carefully by a practitioner, the
// other a handful of mentions per police person, each written in a hurry.
// There are too few known pairs at a site to learn weights from, so the
// rules below use fixed weights, in bits of evidence (log2 of the odds
// that a field agrees this well for the same person rather than for two
// people), set from how often each field agrees by chance in a town's
// worth of names and dates of birth. docs/police-links.md explains them.

// Weights of each field's agreement, in bits.
const (
	familyExact   = 5.0  // the same family name, letter for letter
	familyClose   = 3.0  // a typo or a spelling that sounds the same
	familyDiffers = -4.0 // no likeness: a different family, or a new name
	givenExact    = 4.0
	givenClose    = 2.5 // a known short form (Bill, William) or a typo
	givenInitial  = 1.0 // one side is an initial that fits
	givenDiffers  = -3.0
	dobExact      = 7.0 // one day in about 25,000 at a town's ages
	dobTypo       = 3.0 // one digit wrong, or day and month swapped
	dobDiffers    = -6.0
	postcodeFull  = 3.0 // the same address, as near as a postcode says
	postcodeSect  = 1.5
	postcodeDist  = 0.5
)

// LinkAt is the weight at or above which a person and a police person are
// taken to be one ("linked" without asking anyone): an exact name and an
// exact date of birth (16 bits), or an exact name, a date with a typo and
// the same postcode (15). A name alone, however rare, never reaches it.
const LinkAt = 14.0

// SuggestAt is the weight at or above which a pair is put to an analyst or
// team leader as a suggestion: an exact name with nothing else to go on
// (9 bits), or a close name with an exact date of birth (12.5). Below it
// nothing is recorded, because a common name alone is most often someone
// else.
const SuggestAt = 8.0

// Who is a person on either side: names (the first is the main one; the
// rest are other names the person is known by), a date of birth (zero if
// not known) and postcodes of addresses (none for a victim-survivor: her
// addresses are never compared, police extracts hold no victim address).
type Who struct {
	Names     []Name
	DOB       drive.Date
	Postcodes []string
}

// Name is a given and a family name.
type Name struct{ Given, Family string }

// ParseAlias reads an other name written as free text ("Johnny Smith",
// "Smith, Johnny" or just "Smithy"): the last word is the family name,
// except after a comma; a single word is taken as a given name, the way
// nicknames are written.
func ParseAlias(s string) Name {
	s = strings.TrimSpace(s)
	if f, g, ok := strings.Cut(s, ","); ok {
		return Name{Given: strings.TrimSpace(g), Family: strings.TrimSpace(f)}
	}
	words := strings.Fields(s)
	switch len(words) {
	case 0:
		return Name{}
	case 1:
		return Name{Given: words[0]}
	}
	return Name{Given: strings.Join(words[:len(words)-1], " "), Family: words[len(words)-1]}
}

// Mention is one way a police person was written: on an incident or a
// MARAC list.
type Mention struct {
	Person int64 // the police person
	Who
}

// Found is a police person the rules found for a person: the best weight
// over his mentions, what agreed on that mention (field names, never
// values), and what it means.
type Found struct {
	Person   int64
	Weight   float64
	Evidence []string
	Status   LinkStatus
}

// LinkStatus is what a weight means, or what someone decided.
type LinkStatus string

// The statuses of a link; they are the values stored.
const (
	Linked    LinkStatus = "linked"
	Suggested LinkStatus = "suggested"
	Rejected  LinkStatus = "rejected"
)

// StatusOf says what a weight means: linked at or above LinkAt, suggested
// from SuggestAt, nothing ("") below.
func StatusOf(w float64) LinkStatus {
	switch {
	case w >= LinkAt:
		return Linked
	case w >= SuggestAt:
		return Suggested
	}
	return ""
}

// Index holds a site's police mentions, blocked so that a person is
// compared only with mentions sharing the sound or the first four letters
// of a family name, or the date of birth: a site holds hundreds of thousands of mentions, and any
// pair that shares neither cannot reach SuggestAt (a given name, a
// postcode and nothing else are 7 bits at best).
type Index struct {
	mentions []prepared
	byFamily map[string][]int32
	byDOB    map[drive.Date][]int32
	variants map[string]uint16
	groups   [][]uint16
}

type prepared struct {
	person    int64
	names     []normName
	dob       drive.Date
	postcodes []postcodeParts
}

type normName struct{ given, family, familySound string }

// NewIndex prepares mentions for matching.
func NewIndex(ms []Mention) *Index {
	ix := &Index{byFamily: map[string][]int32{}, byDOB: map[drive.Date][]int32{}}
	ix.variants, ix.groups = variantIndex()
	for _, m := range ms {
		p := prepare(m.Person, m.Who)
		if len(p.names) == 0 {
			continue
		}
		i := int32(len(ix.mentions))
		ix.mentions = append(ix.mentions, p)
		for _, k := range p.keys() {
			ix.byFamily[k] = append(ix.byFamily[k], i)
		}
		if !p.dob.IsZero() {
			ix.byDOB[p.dob] = append(ix.byDOB[p.dob], i)
		}
	}
	return ix
}

func prepare(id int64, w Who) prepared {
	p := prepared{person: id, dob: w.DOB}
	for _, n := range w.Names {
		g, f := normalizeName(firstWord(n.Given)), normalizeName(n.Family)
		if g == "" && f == "" {
			continue
		}
		p.names = append(p.names, normName{given: g, family: f, familySound: phoneticCode(f)})
	}
	for _, pc := range w.Postcodes {
		if n := normalizePostcode(pc); n != "" {
			p.postcodes = append(p.postcodes, splitPostcode(n))
		}
	}
	return p
}

// firstWord keeps the first of several given names: extracts carry one,
// a referral may carry a middle name too.
func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

func (p prepared) keys() []string {
	var out []string
	add := func(k string) {
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	for _, n := range p.names {
		if n.familySound != "" {
			add("s:" + n.familySound)
		}
		if n.family != "" {
			add("p:" + n.family[:min(4, len(n.family))])
		}
	}
	return out
}

// Match returns the police people whose best mention weighs at least
// SuggestAt against w, best first (by person id on a tie).
func (ix *Index) Match(w Who) []Found {
	p := prepare(0, w)
	seen := map[int32]bool{}
	best := map[int64]Found{}
	try := func(i int32) {
		if seen[i] {
			return
		}
		seen[i] = true
		m := &ix.mentions[i]
		wt, ev := ix.weigh(&p, m)
		if f, ok := best[m.person]; !ok || wt > f.Weight {
			best[m.person] = Found{Person: m.person, Weight: wt, Evidence: ev}
		}
	}
	for _, k := range p.keys() {
		for _, i := range ix.byFamily[k] {
			try(i)
		}
	}
	if !p.dob.IsZero() {
		for _, i := range ix.byDOB[p.dob] {
			try(i)
		}
	}
	var out []Found
	for _, f := range best {
		if f.Status = StatusOf(f.Weight); f.Status != "" {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(x, y Found) int {
		return cmp.Or(cmp.Compare(y.Weight, x.Weight), cmp.Compare(x.Person, y.Person))
	})
	return out
}

// Weigh returns the weight of two people being one, and what agreed.
func Weigh(a, b Who) (float64, []string) {
	ix := &Index{}
	ix.variants, ix.groups = variantIndex()
	pa, pb := prepare(0, a), prepare(0, b)
	return ix.weigh(&pa, &pb)
}

// weigh adds the best pair of names (each side may have several), the
// date of birth and the closest pair of postcodes.
func (ix *Index) weigh(a, b *prepared) (float64, []string) {
	nameW, nameEv := math.Inf(-1), []string(nil)
	for _, x := range a.names {
		for _, y := range b.names {
			w, ev := ix.names(x, y)
			if w > nameW {
				nameW, nameEv = w, ev
			}
		}
	}
	if math.IsInf(nameW, -1) {
		return nameW, nil
	}
	total, ev := nameW, nameEv
	if !a.dob.IsZero() && !b.dob.IsZero() {
		switch {
		case a.dob == b.dob:
			total += dobExact
			ev = append(ev, "date of birth")
		case dobTypoOf(a.dob, b.dob):
			total += dobTypo
			ev = append(ev, "date of birth (near)")
		default:
			total += dobDiffers
			ev = append(ev, "date of birth differs")
		}
	}
	pcW, pcEv := 0.0, ""
	for _, x := range a.postcodes {
		for _, y := range b.postcodes {
			switch {
			case x.Full != "" && x.Full == y.Full && x.Sector != "" && pcW < postcodeFull:
				pcW, pcEv = postcodeFull, "postcode"
			case x.Sector != "" && x.Sector == y.Sector && pcW < postcodeSect:
				pcW, pcEv = postcodeSect, "postcode sector"
			case x.District != "" && x.District == y.District && pcW < postcodeDist:
				pcW, pcEv = postcodeDist, "postcode district"
			}
		}
	}
	if pcEv != "" {
		total += pcW
		ev = append(ev, pcEv)
	}
	return total, ev
}

// names weighs one pair of names. A missing family name (a nickname
// alone) counts neither way.
func (ix *Index) names(x, y normName) (float64, []string) {
	var w float64
	var ev []string
	switch {
	case x.family == "" || y.family == "":
	case x.family == y.family:
		w += familyExact
		ev = append(ev, "family name")
	case x.familySound == y.familySound || jaroWinklerAtLeast(x.family, y.family, 0.92) >= 0.92:
		w += familyClose
		ev = append(ev, "family name (close)")
	default:
		w += familyDiffers
	}
	switch {
	case x.given == "" || y.given == "":
	case x.given == y.given:
		w += givenExact
		ev = append(ev, "given name")
	case ix.shortForm(x.given, y.given) || jaroWinklerAtLeast(x.given, y.given, 0.9) >= 0.9:
		w += givenClose
		ev = append(ev, "given name (close)")
	case (len(x.given) == 1 || len(y.given) == 1) && x.given[0] == y.given[0]:
		w += givenInitial
		ev = append(ev, "initial")
	default:
		w += givenDiffers
	}
	return w, ev
}

func (ix *Index) shortForm(a, b string) bool {
	ia, oka := ix.variants[a]
	ib, okb := ix.variants[b]
	return oka && okb && shareGroup(ix.groups[ia], ix.groups[ib])
}

// dobTypoOf reports dates one keying slip apart: one digit of the eight
// differs, or the day and month are swapped.
func dobTypoOf(a, b drive.Date) bool {
	if a.Day == int(b.Month) && int(a.Month) == b.Day && a.Year == b.Year {
		return true
	}
	// The eight digits of each date, compared without formatting: this
	// runs for every candidate mention.
	x := [8]int{a.Year / 1000 % 10, a.Year / 100 % 10, a.Year / 10 % 10, a.Year % 10, int(a.Month) / 10, int(a.Month) % 10, a.Day / 10, a.Day % 10}
	y := [8]int{b.Year / 1000 % 10, b.Year / 100 % 10, b.Year / 10 % 10, b.Year % 10, int(b.Month) / 10, int(b.Month) % 10, b.Day / 10, b.Day % 10}
	diff := 0
	for i := range x {
		if x[i] != y[i] {
			diff++
		}
	}
	return diff == 1
}
