package linkage

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/drive-platform/drive"
)

// A BlockingRule says which pairs of records are worth comparing: those whose
// keys are all equal. The linker compares the union of the pairs of all its
// rules, each pair once, and no other pair, so that a million records cost
// millions of comparisons rather than half a trillion. Rules should be
// selective (few records share a key) and varied (a typo in one field must
// not hide a pair from every rule).
type BlockingRule struct {
	Keys []BlockingKey
}

// A BlockingKey is one part of a rule: a transform of one field, or of two
// fields taken as an unordered pair. The pair form, written "given|surname",
// lets a rule ignore which name was recorded in which column.
type BlockingKey struct {
	Fields    []string // one field, or two for an unordered pair
	Transform string   // see BlockingTransforms; "" means "exact"
}

// BlockingTransforms describes the transforms a blocking key may use and
// the kinds they apply to.
func BlockingTransforms() map[string]string {
	return map[string]string{
		"exact":     "the normalised value (any kind)",
		"phonetic":  "the sound code (given, surname, fullname, place)",
		"initial":   "the first letter (given, surname, fullname)",
		"year":      "the year (date)",
		"yearmonth": "the year and month (date)",
		"monthday":  "the month and day (date)",
		"sector":    "the postcode sector (postcode)",
		"district":  "the postcode district (postcode)",
		"area":      "the postcode area (postcode)",
		"prefix":    "the first four characters of the normalised value (text, exact)",
	}
}

// String writes the rule in the form ParseBlockingRule reads.
func (r BlockingRule) String() string {
	parts := make([]string, len(r.Keys))
	for i, k := range r.Keys {
		parts[i] = strings.Join(k.Fields, "|")
		if k.Transform != "" && k.Transform != "exact" {
			parts[i] += ":" + k.Transform
		}
	}
	return strings.Join(parts, "+")
}

// ParseBlockingRule reads a rule written as keys joined by "+", each key a
// field name with an optional ":transform", or two field names joined by "|"
// for an unordered pair: for example "given|surname:phonetic+dob:year" or
// "postcode:district+surname". It checks only the syntax; field names and
// transforms are checked against the table when linking. It returns EINVALID
// for an empty rule or key.
func ParseBlockingRule(s string) (BlockingRule, error) {
	var r BlockingRule
	for _, part := range strings.Split(s, "+") {
		part = strings.TrimSpace(part)
		name, transform, _ := strings.Cut(part, ":")
		var fields []string
		for _, f := range strings.Split(name, "|") {
			if f = strings.TrimSpace(f); f == "" {
				return BlockingRule{}, drive.Errorf(drive.EINVALID, "blocking rule %q has an empty field name: write it like surname:phonetic+dob:year", s)
			}
			fields = append(fields, f)
		}
		if len(fields) > 2 {
			return BlockingRule{}, drive.Errorf(drive.EINVALID, "blocking key %q pairs more than two fields: use at most two, as in given|surname", part)
		}
		r.Keys = append(r.Keys, BlockingKey{Fields: fields, Transform: strings.ToLower(strings.TrimSpace(transform))})
	}
	return r, nil
}

// DefaultBlockingRules derives rules for people from the fields present,
// using the first field of each kind. Names are blocked on their sound codes,
// as an unordered given/surname pair where both exist, so that spellings and
// swapped names survive. "where" is the postcode district, or the exact
// place when there is no postcode. The rules, in order:
//
//	names + year of birth            tight: catches a differing address or day
//	names + month and day of birth   tight: catches a wrong year
//	date of birth + surname sound    tight: catches nicknames, given-name typos
//	date of birth + given-name sound tight: catches a changed or misspelt surname
//	date of birth + where            tight: catches both names changed
//	names + where                    tight: catches a wrong or missing date
//	each exact or text field alone   an NHS number, an e-mail address
//	date of birth alone              loose: catches names missing or garbled
//	names alone                      loose: catches date and address both off
//	given-name sound + year of birth loose: catches surname missing or garbled
//	surname sound + year of birth    loose: catches given name missing or garbled
//	given-name sound + where         loose: catches surname and date both off
//	surname sound + where            loose: catches given name and date both off
//	each exact or text field's prefix loose: catches a mistyped e-mail or number
//	                                 when names and dates are missing or garbled
//
// A rule is left out when its fields are absent. At link time a rule on one
// field alone is dropped when on average more than 10 records share a value
// (a "state" column says little, and neither does a date of birth among a
// million people; a date of birth is then kept with the names' initials,
// see usefulDefaultRules), and the loose rules meet the per-rule pair
// budget (Options.RulePairs) on large files, keeping their rarest keys
// whole and splitting the common ones by a tighter key (see buildBlocks).
// Without names, dates or places, each field is a rule on its own exact
// value.
func DefaultBlockingRules(fields []Field) []BlockingRule {
	first := map[Kind]string{}
	for _, f := range fields {
		if _, ok := first[f.Kind]; !ok {
			first[f.Kind] = f.Name
		}
	}
	key := func(transform string, names ...string) *BlockingKey {
		return &BlockingKey{Fields: names, Transform: transform}
	}
	given, hasG := first[KindGiven]
	surname, hasS := first[KindSurname]
	full, hasF := first[KindFullName]
	date, hasD := first[KindDate]
	post, hasP := first[KindPostcode]
	place, hasL := first[KindPlace]

	var names, givenSound, surnameSound, dob, where *BlockingKey
	switch {
	case hasG && hasS:
		names = key("phonetic", given, surname)
	case hasF:
		names = key("phonetic", full)
	case hasS:
		names = key("phonetic", surname)
	case hasG:
		names = key("phonetic", given)
	}
	if hasG {
		givenSound = key("phonetic", given)
	}
	if hasS {
		surnameSound = key("phonetic", surname)
	}
	if hasD {
		dob = key("exact", date)
	}
	switch {
	case hasP:
		where = key("district", post)
	case hasL:
		where = key("exact", place)
	}
	var rules []BlockingRule
	add := func(keys ...*BlockingKey) {
		r := BlockingRule{}
		for _, k := range keys {
			if k == nil {
				return
			}
			r.Keys = append(r.Keys, *k)
		}
		for _, have := range rules {
			if have.String() == r.String() {
				return
			}
		}
		rules = append(rules, r)
	}
	if hasD {
		add(names, key("year", date))
		add(names, key("monthday", date))
	}
	add(dob, surnameSound)
	add(dob, givenSound)
	if hasF && !hasG && !hasS {
		add(dob, key("initial", full))
	}
	add(dob, where)
	add(names, where)
	for _, f := range fields {
		if f.Kind == KindExact || f.Kind == KindText {
			add(key("exact", f.Name))
		}
	}
	add(dob)
	add(names)
	if hasD {
		add(givenSound, key("year", date))
		add(surnameSound, key("year", date))
	}
	add(givenSound, where)
	add(surnameSound, where)
	for _, f := range fields {
		if f.Kind == KindExact || f.Kind == KindText {
			add(key("prefix", f.Name))
		}
	}
	if len(rules) == 0 {
		for _, f := range fields {
			add(key("exact", f.Name))
		}
	}
	return rules
}

// compiledRule is a rule resolved against a table.
type compiledRule struct {
	rule   BlockingRule
	keys   []compiledKey
	fields []bool // fields the rule reads; EM does not train them on its pairs
	// finer is the rule with one key made tighter (see tighter), used to
	// split the rule's blocks that are too large to compare whole; nil
	// when no key can be made tighter.
	finer *compiledRule
}

// tighter returns the transform one step more selective than tr on a field
// of kind k, keeping the true pairs a loose rule is there for as far as it
// can: a year becomes a year and month (a mistyped surname leaves the month
// intact), a postcode district its sector (people who did not move share
// it), a sound code the spelling (most records of one person spell a name
// alike). It returns "" when tr is already tight.
func tighter(tr string, k Kind) string {
	switch tr {
	case "year":
		return "yearmonth"
	case "district":
		return "sector"
	case "area":
		return "district"
	case "initial":
		if k == KindFullName {
			return ""
		}
		return "phonetic"
	case "phonetic":
		return "exact"
	}
	return ""
}

// refine sets cr.finer: cr with its coarsest helper key tightened. Dates and
// postcodes are tightened before names, because a rule's name key is
// usually what it is for (a sound code that survives a misspelling), and
// the date or place beside it only narrows the blocks.
func (cr *compiledRule) refine(t *Table) {
	best := -1
	for i, k := range cr.keys {
		if tighter(k.transform, t.fields[k.f1].Kind) == "" {
			continue
		}
		if best < 0 || (t.fields[cr.keys[best].f1].Kind.isName() && !t.fields[k.f1].Kind.isName()) {
			best = i
		}
	}
	if best < 0 {
		return
	}
	finer := &compiledRule{rule: BlockingRule{Keys: slices.Clone(cr.rule.Keys)}, keys: slices.Clone(cr.keys), fields: cr.fields}
	k := &finer.keys[best]
	k.transform = tighter(k.transform, t.fields[k.f1].Kind)
	if k.f2 >= 0 && k.transform == "exact" && t.cols[k.f1].d != t.cols[k.f2].d {
		return // two fields whose exact values cannot be compared
	}
	finer.rule.Keys[best].Transform = k.transform
	cr.finer = finer
}

type compiledKey struct {
	f1, f2    int // f2 < 0 for a single field
	transform string
}

// compileRules checks rules against the table's fields.
func compileRules(t *Table, rules []BlockingRule) ([]compiledRule, error) {
	if len(rules) == 0 {
		return nil, drive.Errorf(drive.EINVALID, "no blocking rules: give at least one, or none at all to use the defaults")
	}
	if len(rules) > 32 {
		return nil, drive.Errorf(drive.EINVALID, "%d blocking rules given; use at most 32", len(rules))
	}
	byName := map[string]int{}
	for i, f := range t.fields {
		byName[f.Name] = i
	}
	transforms := BlockingTransforms()
	var out []compiledRule
	for _, r := range rules {
		cr := compiledRule{rule: r, fields: make([]bool, len(t.fields))}
		if len(r.Keys) == 0 {
			return nil, drive.Errorf(drive.EINVALID, "a blocking rule has no keys: write it like surname:phonetic+dob:year")
		}
		for _, k := range r.Keys {
			tr := k.Transform
			if tr == "" {
				tr = "exact"
			}
			if _, ok := transforms[tr]; !ok {
				return nil, drive.Errorf(drive.EINVALID, "blocking rule %q: unknown transform %q; use one of exact, phonetic, initial, year, yearmonth, monthday, sector, district, area, prefix", r, k.Transform)
			}
			ck := compiledKey{f1: -1, f2: -1, transform: tr}
			for i, name := range k.Fields {
				f, ok := byName[name]
				if !ok {
					return nil, drive.Errorf(drive.EINVALID, "blocking rule %q names %q, which is not a compared field: use one of the fields given", r, name)
				}
				if !transformFits(tr, t.fields[f].Kind) {
					return nil, drive.Errorf(drive.EINVALID, "blocking rule %q: transform %q does not apply to %s field %q", r, tr, t.fields[f].Kind, name)
				}
				cr.fields[f] = true
				if i == 0 {
					ck.f1 = f
				} else {
					ck.f2 = f
				}
			}
			if ck.f2 >= 0 && t.cols[ck.f1].d != t.cols[ck.f2].d && tr == "exact" {
				return nil, drive.Errorf(drive.EINVALID, "blocking rule %q pairs fields whose exact values cannot be compared; pair two name fields, or use a transform such as phonetic", r)
			}
			cr.keys = append(cr.keys, ck)
		}
		cr.refine(t)
		out = append(out, cr)
	}
	return out, nil
}

func transformFits(tr string, k Kind) bool {
	switch tr {
	case "exact":
		return true
	case "phonetic":
		return k.isName() || k == KindPlace
	case "initial":
		return k.isName()
	case "year", "yearmonth", "monthday":
		return k == KindDate
	case "sector", "district", "area":
		return k == KindPostcode
	case "prefix":
		return k == KindText || k == KindExact
	}
	return false
}

// keyPart returns the value of one transform of field f for a record, or 0
// when the record has none. Values of different fields and transforms may
// coincide; that is harmless because a key mixes parts in a fixed order.
func (t *Table) keyPart(i, f int, tr string) uint64 {
	v := t.vals[i*len(t.fields)+f]
	if v == 0 {
		return 0
	}
	info := &t.cols[f].d.infos[v]
	switch tr {
	case "phonetic":
		if t.fields[f].Kind == KindFullName {
			lo, hi := min(info.phon, info.phon2), max(info.phon, info.phon2)
			return uint64(lo)<<32 | uint64(hi)
		}
		return uint64(info.phon)
	case "initial":
		if t.fields[f].Kind == KindFullName {
			return uint64(info.norm[0])
		}
		return uint64(info.initial)
	case "year":
		return uint64(info.year) + 1
	case "yearmonth":
		return uint64(int(info.year)*100+int(info.month)) + 1
	case "monthday":
		if info.partial {
			return 0 // no day: no key
		}
		return uint64(int(info.month)*100+int(info.day)) + 1
	case "sector":
		return uint64(info.sector)
	case "district":
		return uint64(info.district)
	case "area":
		return uint64(info.area)
	case "prefix":
		// Up to four bytes packed with their count, so "ab" and "ab\x00"
		// differ and no prefix is 0.
		n := min(len(info.norm), prefixLen)
		key := uint64(n)
		for j := 0; j < n; j++ {
			key = key<<8 | uint64(info.norm[j])
		}
		return key<<8 | 1
	}
	return uint64(v)
}

// prefixLen is the length of the "prefix" transform: long enough that an
// e-mail address or a reference number sharing it is worth comparing, short
// enough that a keying error later in the value leaves it intact.
const prefixLen = 4

// blockKey returns the key of rule r for record i, or 0 when a part is
// missing (such a record is in no block of the rule).
func (t *Table) blockKey(i int, r *compiledRule, salt uint64) uint64 {
	h := mix64(salt + 0x9e3779b97f4a7c15)
	for _, k := range r.keys {
		p := t.keyPart(i, k.f1, k.transform)
		if p == 0 {
			return 0
		}
		if k.f2 >= 0 {
			q := t.keyPart(i, k.f2, k.transform)
			if q == 0 {
				return 0
			}
			p, q = min(p, q), max(p, q)
			h = mix64(h ^ mix64(p+1))
			p = q
		}
		h = mix64(h ^ mix64(p+1))
	}
	if h == 0 {
		h = 1
	}
	return h
}

// mix64 is the SplitMix64 finaliser: a cheap bijective mixing of 64 bits.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// blocks holds, for each rule, the records grouped by key, and for each
// record its block number under each rule (0 when the record is in no
// compared block of the rule).
type blocks struct {
	nrules  int
	ids     []uint32   // record-major: ids[i*nrules+r], block number from 1
	members [][]uint32 // per rule: record numbers ordered by key, then number
	starts  [][]int    // per rule: start of each kept block in members, plus the end
	skipped []int      // per rule: blocks skipped as too large
	split   []int      // per rule: blocks split by the rule's finer key
	pairs   []int64    // per rule: pairs in kept blocks (before removing repeats)
}

type keyedRecord struct {
	key uint64
	rec uint32
}

// span is a run of entries sharing a key: one block.
type span struct{ lo, hi int }

// splitLarge chooses the blocks of rule r when its blocks, taken whole, are
// too many pairs for the budget or some are larger than maxBlock. Rather
// than skip the largest blocks, each block is also split by the finer rule
// (see compiledRule.refine) into parts, and the budget is spent on blocks
// and parts alike, smallest first, as buildBlocks spends it on blocks: a
// smaller group is likelier to hold one person's records. A block that
// fits whole after some of its parts were taken replaces them. So the
// rarest keys are compared whole, and the common ones where they also
// agree on the finer key: a common given name with the year of birth
// becomes the name with the year and month.
//
// spans are the rule's blocks of two or more records, smallest first.
// Entries within each span are reordered; the spans returned index into
// them, each ordered by record number.
func (b *blocks) splitLarge(t *Table, r int, finer *compiledRule, entries []keyedRecord, spans []span, maxBlock int, budget int64) []span {
	byRec := func(x, y keyedRecord) int { return int(x.rec) - int(y.rec) }
	byKey := func(x, y keyedRecord) int { return cmp.Or(cmp.Compare(x.key, y.key), byRec(x, y)) }
	// A unit is block i whole, or a part of it. A record lacking a part
	// of the finer key (its key 0) is in no part.
	type unit struct {
		span
		block int
		part  bool
	}
	units := make([]unit, 0, len(spans))
	for i, sp := range spans {
		units = append(units, unit{sp, i, false})
	}
	for i, sp := range spans {
		if sp.hi-sp.lo < 3 {
			continue // a part would be the block itself
		}
		es := entries[sp.lo:sp.hi]
		for j := range es {
			es[j].key = t.blockKey(int(es[j].rec), finer, uint64(r))
		}
		slices.SortFunc(es, byKey)
		for lo := sp.lo; lo < sp.hi; {
			hi := lo + 1
			for hi < sp.hi && entries[hi].key == entries[lo].key {
				hi++
			}
			if entries[lo].key != 0 && hi-lo > 1 && hi-lo < sp.hi-sp.lo {
				units = append(units, unit{span{lo, hi}, i, true})
			}
			lo = hi
		}
	}
	// Smallest first; at one size, whole blocks before parts, each in the
	// order made, so the choice is reproducible.
	slices.SortStableFunc(units, func(x, y unit) int { return (x.hi - x.lo) - (y.hi - y.lo) })
	pairsOf := func(sp span) int64 { n := int64(sp.hi - sp.lo); return n * (n - 1) / 2 }
	whole := make([]bool, len(spans))
	partPairs := make([]int64, len(spans)) // pairs of the parts taken, per block
	taken := make([]bool, len(units))
	var used int64
	for u, un := range units {
		if un.hi-un.lo > maxBlock {
			break
		}
		if !un.part {
			if cost := pairsOf(un.span) - partPairs[un.block]; used+cost <= budget {
				used += cost
				whole[un.block], taken[u] = true, true
			}
			continue
		}
		if p := pairsOf(un.span); !whole[un.block] && used+p <= budget {
			used += p
			partPairs[un.block] += p
			taken[u] = true
		}
	}
	var kept []span
	for u, un := range units {
		switch {
		case !taken[u]:
		case !un.part:
			slices.SortFunc(entries[un.lo:un.hi], byRec)
			kept = append(kept, un.span)
		case !whole[un.block]:
			kept = append(kept, un.span)
		}
	}
	for i := range spans {
		switch {
		case whole[i]:
		case partPairs[i] > 0:
			b.split[r]++
		default:
			b.skipped[r]++
		}
	}
	b.pairs[r] = used
	return kept
}

// buildBlocks groups records by each rule's key.
//
// Two limits keep the work bounded whatever the data. A block of more than
// maxBlock records is skipped: a key shared by that many records says little,
// and its pairs would swamp the run. And a rule compares at most budget
// pairs: its blocks are taken from the smallest up, since a rarer key says
// more, until the next block would exceed the budget. A tight rule never
// meets the budget; a loose one ("same date of birth") is used in full on a
// small file and only in part on a large one. Where a rule that meets a
// limit can be made tighter (compiledRule.finer), its blocks are also split
// by the tighter rule and the budget spent on blocks and parts alike (see
// splitLarge), so that common keys are compared where they also agree on
// the finer key instead of not at all. True matches in skipped blocks are
// left to the other rules.
func buildBlocks(t *Table, rules []compiledRule, maxBlock int, budget int64, workers int) *blocks {
	n := t.Len()
	b := &blocks{
		nrules:  len(rules),
		ids:     make([]uint32, n*len(rules)),
		members: make([][]uint32, len(rules)),
		starts:  make([][]int, len(rules)),
		skipped: make([]int, len(rules)),
		split:   make([]int, len(rules)),
		pairs:   make([]int64, len(rules)),
	}
	// One buffer per goroutine, reused from rule to rule: fresh memory is
	// costly to touch on some machines, and the buffers are the largest
	// allocation here.
	buffers := make([][]keyedRecord, max(workers, 1))
	parallelWorkers(len(rules), workers, func(w, r int) {
		entries := buffers[w][:0]
		defer func() { buffers[w] = entries }()
		for i := 0; i < n; i++ {
			if k := t.blockKey(i, &rules[r], uint64(r)); k != 0 {
				entries = append(entries, keyedRecord{k, uint32(i)})
			}
		}
		slices.SortFunc(entries, func(x, y keyedRecord) int {
			if x.key != y.key {
				if x.key < y.key {
					return -1
				}
				return 1
			}
			return int(x.rec) - int(y.rec)
		})
		var spans []span
		var whole int64 // pairs of the blocks up to maxBlock
		over := false   // a block is larger than maxBlock
		for lo := 0; lo < len(entries); {
			hi := lo + 1
			for hi < len(entries) && entries[hi].key == entries[lo].key {
				hi++
			}
			if size := int64(hi - lo); size > 1 {
				spans = append(spans, span{lo, hi})
				if size > int64(maxBlock) {
					over = true
				} else {
					whole += size * (size - 1) / 2
				}
			}
			lo = hi
		}
		// Smallest blocks first; equal sizes in key order, so the choice
		// is reproducible.
		slices.SortStableFunc(spans, func(x, y span) int { return (x.hi - x.lo) - (y.hi - y.lo) })
		var kept []span
		if finer := rules[r].finer; finer != nil && (over || whole > budget) {
			kept = b.splitLarge(t, r, finer, entries, spans, maxBlock, budget)
		} else {
			for k, sp := range spans {
				size := int64(sp.hi - sp.lo)
				if size > int64(maxBlock) || b.pairs[r]+size*(size-1)/2 > budget {
					b.skipped[r] += len(spans) - k
					break
				}
				kept = append(kept, sp)
				b.pairs[r] += size * (size - 1) / 2
			}
		}
		members := make([]uint32, 0, len(entries))
		var starts []int
		for _, sp := range kept {
			starts = append(starts, len(members))
			for _, e := range entries[sp.lo:sp.hi] {
				members = append(members, e.rec)
				b.ids[int(e.rec)*len(rules)+r] = uint32(len(starts))
			}
		}
		starts = append(starts, len(members))
		b.members[r] = members
		b.starts[r] = starts
	})
	return b
}

// describe returns a line per rule for progress output.
func (b *blocks) describe(rules []compiledRule) []string {
	var out []string
	for r, cr := range rules {
		line := fmt.Sprintf("rule %d %s: %d blocks, %d pairs", r+1, cr.rule, len(b.starts[r])-1, b.pairs[r])
		if b.split[r] > 0 {
			line += fmt.Sprintf(", %d blocks split by %s", b.split[r], cr.finer.rule)
		}
		if b.skipped[r] > 0 {
			line += fmt.Sprintf(", %d blocks skipped as too large", b.skipped[r])
		}
		out = append(out, line)
	}
	return out
}
