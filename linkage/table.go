package linkage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/drive-platform/drive"
)

// Table holds the records to link, each encoded once on the way in: every
// value is normalised, parsed and interned when it is added, and a record
// keeps only small integer value numbers. Comparing two records then reads
// a few integers and, only where values differ, looks at the two distinct
// values; nothing is parsed or allocated per pair.
//
// A Table is built by one goroutine with Add and is read-only afterwards;
// Link may then read it from many goroutines.
type Table struct {
	fields  []Field
	cols    []*column
	ids     []string
	sources []uint8
	// index finds a record by a hash of its source and id; the rare record
	// whose hash another record already holds goes to collided. A map keyed
	// by the id strings themselves would cost twice the memory on a large
	// file.
	index    map[uint64]int32
	collided map[recordKey]int32
	// vals and raw are record-major: record i's values are at
	// [i*len(fields) : (i+1)*len(fields)], so one comparison touches one or
	// two cache lines per record.
	vals []uint32
	raw  []uint32

	names    *dict // name values of every name column, so given and surname can be compared across
	codes    map[string]uint32
	variants map[string]uint16 // name -> entry in variantGroups
	// variantGroups holds, per entry, the sorted numbers of the variant
	// groups a name belongs to; entry 0 is empty.
	variantGroups [][]uint16
}

type recordKey struct {
	source uint8
	id     string
}

// column holds what the table knows about one field.
type column struct {
	field    Field
	d        *dict
	rawIndex map[string]uint32 // raw value as read (trimmed) -> raw number
	rawText  []string          // raw number -> raw value; 0 is the empty value
	rawVal   []uint32          // raw number -> value number (0 if missing or unreadable)
	// unreadable counts values that could not be read as the kind needs
	// (dates only) and were therefore treated as missing.
	unreadable int
}

// dict interns normalised values and keeps what comparisons need about each.
type dict struct {
	index map[string]uint32
	infos []valueInfo // infos[0] is the missing value
	lists [][]uint32  // word and character-pair lists; lists[0] is empty
}

// valueInfo is everything the comparisons and blocking keys need to know about
// one distinct normalised value. Only the members that belong to the column's
// kind are set. It is kept small (64 bytes), with variable-length parts in
// side tables, because a large file has hundreds of thousands of distinct
// postcodes and the dictionary is read for every compared pair.
type valueInfo struct {
	norm  string // normal form; the dictionary key
	phon  uint32 // phonetic code number (names, places; fullname: first word)
	phon2 uint32 // fullname: phonetic code number of the last word
	// postcode parts as code numbers; 0 when the code is too short to have one
	sector, district, area uint32
	// date parts, as written (a typo may make them impossible), and the
	// eight digits YYYYMMDD packed one per byte for quick digit comparison
	digits     uint64
	dayNumber  int32 // days since a fixed origin, only when dateOK
	year       int16
	month, day int8
	dateOK     bool // the date exists in the calendar
	// partial marks a date written with its year and month only, or its
	// year only (month 0); its day is 0 and it has no digits.
	partial bool
	initial byte // first letter (names)
	// variant is the given-name variant entry (Table.variantGroups), 0 if none.
	variant uint16
	// words is the index in dict.lists of the value's words (text: sorted
	// unique word numbers, followed at words+1 by its character-pair
	// hashes; fullname: its words as numbers in the shared name
	// dictionary, in order). 0 if none.
	words uint32
}

func newDict() *dict {
	return &dict{index: map[string]uint32{}, infos: []valueInfo{{}}, lists: [][]uint32{nil}}
}

// NewTable returns an empty table for records with the given fields. It
// returns EINVALID if the fields are empty, too many, unnamed, repeated or of
// an unknown kind.
func NewTable(fields []Field) (*Table, error) {
	if err := validateFields(fields); err != nil {
		return nil, err
	}
	t := &Table{
		fields:   slices.Clone(fields),
		index:    map[uint64]int32{},
		collided: map[recordKey]int32{},
		names:    newDict(),
		codes:    map[string]uint32{"": 0},
	}
	t.variants, t.variantGroups = variantIndex()
	for _, f := range fields {
		c := &column{field: f, rawIndex: map[string]uint32{"": 0}, rawText: []string{""}, rawVal: []uint32{0}}
		if f.Kind == KindGiven || f.Kind == KindSurname {
			c.d = t.names
		} else {
			c.d = newDict()
		}
		t.cols = append(t.cols, c)
	}
	return t, nil
}

// Fields returns the table's fields in order.
func (t *Table) Fields() []Field { return slices.Clone(t.fields) }

// Len returns the number of records.
func (t *Table) Len() int { return len(t.ids) }

// ID returns the identifier of record i, as given to Add.
func (t *Table) ID(i int) string { return t.ids[i] }

// Source returns the source number of record i, as given to Add.
func (t *Table) Source(i int) int { return int(t.sources[i]) }

// Lookup returns the position of the record with the given source and id.
func (t *Table) Lookup(source int, id string) (int, bool) {
	if source < 0 || source > 255 {
		return 0, false
	}
	return t.find(uint8(source), id)
}

// find looks a record up by source and id.
func (t *Table) find(source uint8, id string) (int, bool) {
	h := idHash(source, id)
	if i, ok := t.index[h]; ok {
		if t.sources[i] == source && t.ids[i] == id {
			return int(i), true
		}
		i, ok := t.collided[recordKey{source, id}]
		return int(i), ok
	}
	return 0, false
}

// idHash is 64-bit FNV-1a of the source and id.
func idHash(source uint8, id string) uint64 {
	h := uint64(14695981039346656037)
	h = (h ^ uint64(source)) * 1099511628211
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * 1099511628211
	}
	return h
}

// Value returns record i's value of field f as it was added (trimmed).
func (t *Table) Value(i, f int) string {
	return t.cols[f].rawText[t.raw[i*len(t.fields)+f]]
}

// Unreadable returns, per field, how many added values could not be read as
// the field's kind needs (a date that is not a date) and were treated as
// missing. Callers should warn when these are not zero.
func (t *Table) Unreadable() []int {
	out := make([]int, len(t.cols))
	for f, c := range t.cols {
		out[f] = c.unreadable
	}
	return out
}

// maxRecords keeps record positions within the uint32 pair encoding.
const maxRecords = 1<<31 - 1

// Add appends a record. source tells records from different inputs apart
// (0..255; use 0 when there is one input); id must be unique within its
// source; values are in field order and are trimmed of surrounding spaces.
// An empty value is missing.
//
// It returns EINVALID for a repeated id, an empty id, a wrong number of
// values or a source outside 0..255.
func (t *Table) Add(source int, id string, values []string) error {
	id = strings.TrimSpace(id)
	switch {
	case source < 0 || source > 255:
		return drive.Errorf(drive.EINVALID, "source %d is out of range: use 0 to 255", source)
	case id == "":
		return drive.Errorf(drive.EINVALID, "a record has an empty id: every record needs an id")
	case len(values) != len(t.fields):
		return drive.Errorf(drive.EINVALID, "record %q has %d values for %d fields", id, len(values), len(t.fields))
	case len(t.ids) >= maxRecords:
		return drive.Errorf(drive.EINVALID, "too many records: the linker takes at most %d", maxRecords)
	}
	if _, dup := t.find(uint8(source), id); dup {
		return drive.Errorf(drive.EINVALID, "id %q appears twice: ids must be unique, so remove or renumber the duplicate row", id)
	}
	id = strings.Clone(id) // do not keep the caller's line buffer alive
	h := idHash(uint8(source), id)
	if _, taken := t.index[h]; taken {
		t.collided[recordKey{uint8(source), id}] = int32(len(t.ids))
	} else {
		t.index[h] = int32(len(t.ids))
	}
	t.ids = append(t.ids, id)
	t.sources = append(t.sources, uint8(source))
	for f, c := range t.cols {
		r := t.rawNumber(c, strings.TrimSpace(values[f]))
		t.raw = append(t.raw, r)
		t.vals = append(t.vals, c.rawVal[r])
	}
	return nil
}

// rawNumber interns a raw value and encodes it the first time it is seen.
func (t *Table) rawNumber(c *column, s string) uint32 {
	if r, ok := c.rawIndex[s]; ok {
		return r
	}
	s = strings.Clone(s) // do not keep the caller's line buffer alive
	r := uint32(len(c.rawText))
	c.rawIndex[s] = r
	c.rawText = append(c.rawText, s)
	v, readable := t.encode(c, s)
	if !readable {
		c.unreadable++
	}
	c.rawVal = append(c.rawVal, v)
	return r
}

// encode turns a raw value into a value number of the column's dictionary;
// 0 means missing. readable is false for a non-empty value the kind cannot
// read.
func (t *Table) encode(c *column, s string) (v uint32, readable bool) {
	switch c.field.Kind {
	case KindGiven, KindSurname:
		return t.nameValue(normalizeName(s)), true
	case KindFullName:
		words := nameTokens(s)
		if len(words) == 0 {
			return 0, true
		}
		return c.d.intern(strings.Join(words, " "), func(info *valueInfo) {
			ids := make([]uint32, len(words))
			for i, w := range words {
				ids[i] = t.nameValue(w)
			}
			info.words = c.d.addList(ids)
			info.phon = t.names.infos[ids[0]].phon
			info.phon2 = t.names.infos[ids[len(ids)-1]].phon
			info.initial = info.norm[0]
		}), true
	case KindDate:
		if s == "" {
			return 0, true
		}
		// A date with an impossible part (month 13, year 0976) is kept: its
		// digits still match a correct record's with one typo.
		d, ok := parseDateParts(s)
		if !ok {
			// A year and month, or a year alone: compared as far as written
			// (see compareDates), never as a full date.
			if d, ok = parsePartialDate(s); !ok {
				return 0, false
			}
			norm := fmt.Sprintf("%04d", d.Year)
			if d.Month > 0 {
				norm += fmt.Sprintf("-%02d", d.Month)
			}
			return c.d.intern(norm, func(info *valueInfo) {
				info.year, info.month = int16(d.Year), int8(d.Month)
				info.partial = true
			}), true
		}
		return c.d.intern(dateDigits(d), func(info *valueInfo) {
			info.year, info.month, info.day = int16(d.Year), int8(d.Month), int8(d.Day)
			for i := 0; i < 8; i++ {
				info.digits |= uint64(info.norm[i]) << (8 * i)
			}
			info.dateOK = d.valid()
			if info.dateOK {
				info.dayNumber = int32(d.dayNumber())
			}
		}), true
	case KindPostcode:
		p := normalizePostcode(s)
		if p == "" {
			return 0, true
		}
		parts := splitPostcode(p)
		return c.d.intern(parts.Full, func(info *valueInfo) {
			info.sector = t.code("s:" + parts.Sector)
			info.district = t.code("d:" + parts.District)
			info.area = t.code("a:" + parts.Area)
		}), true
	case KindPlace:
		n := normalizeText(s)
		if n == "" {
			return 0, true
		}
		return c.d.intern(n, func(info *valueInfo) {
			info.phon = t.code(phoneticCode(normalizeName(n)))
		}), true
	case KindText:
		n := normalizeText(s)
		if n == "" {
			return 0, true
		}
		return c.d.intern(n, func(info *valueInfo) {
			info.words = c.d.addList(textTokens(n, t.code))
			c.d.addList(bigrams(n))
		}), true
	default: // KindExact
		n := strings.ToLower(s)
		if n == "" {
			return 0, true
		}
		return c.d.intern(n, nil), true
	}
}

// nameValue interns a normalised name in the shared name dictionary.
func (t *Table) nameValue(n string) uint32 {
	if n == "" {
		return 0
	}
	return t.names.intern(n, func(info *valueInfo) {
		info.phon = t.code(phoneticCode(n))
		info.initial = n[0]
		info.variant = t.variants[n]
	})
}

// code interns a derived string (phonetic code, postcode part, word) and
// returns its number; the empty string is 0, meaning "none".
func (t *Table) code(s string) uint32 {
	if i := strings.IndexByte(s, ':'); i >= 0 && i == len(s)-1 {
		return 0 // a postcode part that does not exist
	}
	if s == "" {
		return 0
	}
	if n, ok := t.codes[s]; ok {
		return n
	}
	n := uint32(len(t.codes))
	t.codes[s] = n
	return n
}

// intern returns the number of value n, adding it with fill the first time.
func (d *dict) intern(n string, fill func(*valueInfo)) uint32 {
	if v, ok := d.index[n]; ok {
		return v
	}
	v := uint32(len(d.infos))
	d.index[n] = v
	info := valueInfo{norm: n}
	if fill != nil {
		fill(&info)
	}
	d.infos = append(d.infos, info)
	return v
}

// addList stores a list and returns its index in d.lists.
func (d *dict) addList(l []uint32) uint32 {
	d.lists = append(d.lists, l)
	return uint32(len(d.lists) - 1)
}

// dateDigits writes year, month and day as eight digits, the form in which
// one-digit typos and transpositions are looked for.
func dateDigits(d Date) string {
	var b [8]byte
	put := func(at, width, n int) {
		for i := at + width - 1; i >= at; i-- {
			b[i] = byte('0' + n%10)
			n /= 10
		}
	}
	put(0, 4, d.Year)
	put(4, 2, d.Month)
	put(6, 2, d.Day)
	return string(b[:])
}

// textTokens returns the sorted, unique word numbers of a normalised text.
func textTokens(n string, code func(string) uint32) []uint32 {
	var out []uint32
	for _, w := range strings.Fields(n) {
		out = append(out, code("w:"+w))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// bigrams returns the sorted, unique hashes of the character pairs of a
// normalised text, spaces removed, so that "lubuma place" and "lubum aplace"
// share almost all of them.
func bigrams(n string) []uint32 {
	s := strings.ReplaceAll(n, " ", "")
	if len(s) < 2 {
		return nil
	}
	out := make([]uint32, 0, len(s)-1)
	for i := 0; i+1 < len(s); i++ {
		out = append(out, uint32(s[i])<<8|uint32(s[i+1]))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
