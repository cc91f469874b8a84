// Package synth generates synthetic person records with known truth, for
// testing and benchmarking the record linker.
//
// People are drawn from the given names and surnames of England and Wales,
// either from short lists of common names (CompactNames) or with the names'
// published frequencies and a long tail of rare invented names
// (PopulationNames), dates of birth between 1940
// and 2008, and UK-style postcodes and towns; households share a surname and
// address. Each person has one or more records, and each record is noisy the
// way administrative records are: typos, nicknames, initials, missing values,
// given and surname swapped, mistyped or swapped date parts, a moved or
// mistyped address, mixed date formats and letter case. Everything is
// invented; no record describes a real person.
//
// Generation is deterministic for a given Config.
package synth

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
)

// Config says what to generate.
type Config struct {
	Records int    // number of records
	Seed    uint64 // the same seed gives the same records
	// Names is the distribution names are drawn from; the zero value is
	// CompactNames.
	Names Names
}

// Record is one synthetic record. PersonID is the truth: records with equal
// PersonID describe the same person.
type Record struct {
	ID       string
	PersonID string
	Given    string
	Surname  string
	DOB      string
	Postcode string
	Town     string
	// Female is the person's true sex, which the given names follow: for
	// generators that build on these people (the synthetic police data
	// casts perpetrators and victims by it). It is not written to CSV.
	Female bool
}

// Header is the CSV header WriteCSV writes, in column order.
func Header() []string {
	return []string{"id", "given_name", "surname", "dob", "postcode", "town", "person_id"}
}

// WriteCSV writes records with Header as the first row.
func WriteCSV(w io.Writer, recs []Record) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(Header()); err != nil {
		return err
	}
	row := make([]string, 7)
	for _, r := range recs {
		row[0], row[1], row[2], row[3], row[4], row[5], row[6] = r.ID, r.Given, r.Surname, r.DOB, r.Postcode, r.Town, r.PersonID
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// person is the true identity behind a person's records.
type person struct {
	given, surname string
	female         bool
	year, month    int
	day            int
	addr           address
}

type address struct {
	postcode string
	town     string
}

// lists holds the parsed name data with cumulative weights for drawing.
type lists struct {
	male, female, surnames []string
	maleCum, femaleCum     []float64
	surnameCum             []float64
	starts, ends           []string
	towns                  []town
	nick                   map[string][]string
}

type town struct{ name, area string }

func words(s string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range strings.Fields(s) {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// zipf returns cumulative weights proportional to 1/(rank+2): a few names are
// very common and most are rare, as in real populations.
func zipf(n int) []float64 {
	cum := make([]float64, n)
	total := 0.0
	for i := range cum {
		total += 1 / float64(i+2)
		cum[i] = total
	}
	for i := range cum {
		cum[i] /= total
	}
	return cum
}

func loadLists() *lists {
	l := &lists{
		male:     words(maleNames),
		female:   words(femaleNames),
		surnames: words(surnames),
		starts:   words(surnameStarts),
		ends:     words(surnameEnds),
		nick:     map[string][]string{},
	}
	l.maleCum, l.femaleCum, l.surnameCum = zipf(len(l.male)), zipf(len(l.female)), zipf(len(l.surnames))
	for _, line := range strings.Split(towns, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			l.towns = append(l.towns, town{strings.Join(f[:len(f)-1], " "), f[len(f)-1]})
		}
	}
	for _, line := range strings.Split(nicknames, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			l.nick[f[0]] = f[1:]
		}
	}
	return l
}

// generator draws people and records from one random stream.
type generator struct {
	rng *rand.Rand
	l   *lists
	// composeSurnames is true for CompactNames, whose rare surnames are
	// composed at random; PopulationNames holds its rare surnames in l.
	composeSurnames bool
}

// Generate returns cfg.Records records in random order.
func Generate(cfg Config) []Record {
	g := &generator{rng: rand.New(rand.NewPCG(cfg.Seed, 0x7e57da7a))}
	if cfg.Names == PopulationNames {
		g.l = populationLists()
	} else {
		g.l, g.composeSurnames = loadLists(), true
	}
	recs := make([]Record, 0, cfg.Records)
	var prev *person
	for p := 0; len(recs) < cfg.Records; p++ {
		var who person
		if prev != nil && g.chance(0.2) {
			who = g.relative(prev)
		} else {
			who = g.person()
		}
		prev = &who
		pid := fmt.Sprintf("p%d", p)
		n := g.recordCount()
		for k := 0; k < n && len(recs) < cfg.Records; k++ {
			r := g.record(&who, k)
			r.PersonID = pid
			recs = append(recs, r)
		}
	}
	g.rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	for i := range recs {
		recs[i].ID = fmt.Sprintf("r%d", i+1)
	}
	return recs
}

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func (g *generator) pick(names []string, cum []float64) string {
	x := g.rng.Float64()
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return names[lo]
}

func (g *generator) person() person {
	p := person{female: g.chance(0.5)}
	p.given = g.givenName(p.female)
	p.surname = g.surname()
	g.birthDate(&p)
	p.addr = g.address()
	return p
}

// relative is someone of the same household: surname and address shared.
func (g *generator) relative(of *person) person {
	p := person{female: g.chance(0.5), surname: of.surname, addr: of.addr}
	p.given = g.givenName(p.female)
	if g.chance(0.02) {
		p.given = of.given // a parent and child of the same name happen too
	}
	g.birthDate(&p)
	return p
}

func (g *generator) givenName(female bool) string {
	if female {
		return g.pick(g.l.female, g.l.femaleCum)
	}
	return g.pick(g.l.male, g.l.maleCum)
}

func (g *generator) surname() string {
	if g.composeSurnames && g.chance(0.35) {
		return g.l.starts[g.rng.IntN(len(g.l.starts))] + g.l.ends[g.rng.IntN(len(g.l.ends))]
	}
	return g.pick(g.l.surnames, g.l.surnameCum)
}

func (g *generator) birthDate(p *person) {
	p.year = 1940 + g.rng.IntN(69)
	p.month = 1 + g.rng.IntN(12)
	p.day = 1 + g.rng.IntN(daysIn(p.year, p.month))
}

func (g *generator) address() address {
	t := g.l.towns[g.rng.IntN(len(g.l.towns))]
	district := 1 + int(math.Floor(math.Pow(g.rng.Float64(), 1.5)*30))
	const units = "ABDEFGHJLNPQRSTUWXYZ"
	pc := fmt.Sprintf("%s%d %d%c%c", t.area, district, g.rng.IntN(10), units[g.rng.IntN(len(units))], units[g.rng.IntN(len(units))])
	return address{pc, t.name}
}

// recordCount draws how many records a person has: most have one or two.
func (g *generator) recordCount() int {
	x := g.rng.Float64()
	switch {
	case x < 0.50:
		return 1
	case x < 0.72:
		return 2
	case x < 0.85:
		return 3
	case x < 0.93:
		return 4
	case x < 0.97:
		return 5
	}
	return 6 + g.rng.IntN(3)
}

// record writes one noisy record of a person. The first record (k == 0) is
// noisy too, only less so: no source is clean.
func (g *generator) record(p *person, k int) Record {
	scale := 1.0
	if k == 0 {
		scale = 0.5
	}
	ch := func(prob float64) bool { return g.chance(prob * scale) }
	r := Record{Given: p.given, Surname: p.surname, Female: p.female}

	switch {
	case ch(0.06):
		r.Given = g.typo(r.Given)
	case ch(0.07):
		if alts := g.l.nick[r.Given]; len(alts) > 0 {
			r.Given = alts[g.rng.IntN(len(alts))]
		}
	case ch(0.03):
		r.Given = ""
	case ch(0.02):
		r.Given = r.Given[:1]
	}
	switch {
	case ch(0.06):
		r.Surname = g.typo(r.Surname)
	case ch(0.03):
		r.Surname = ""
	case p.female && ch(0.02):
		r.Surname = g.surname() // a surname changed by marriage
	}
	if ch(0.02) {
		r.Given, r.Surname = r.Surname, r.Given
	}

	y, m, d := p.year, p.month, p.day
	missingDOB := false
	switch {
	case ch(0.04):
		s := []byte(fmt.Sprintf("%04d%02d%02d", y, m, d))
		i := g.rng.IntN(8)
		s[i] = byte('0' + (int(s[i]-'0')+1+g.rng.IntN(9))%10)
		y, m, d = atoi(string(s[:4])), atoi(string(s[4:6])), atoi(string(s[6:]))
	case d <= 12 && ch(0.03):
		m, d = d, m
	case ch(0.01):
		y += 1 - 2*g.rng.IntN(2)
	case ch(0.03):
		missingDOB = true
	}
	if !missingDOB {
		r.DOB = g.formatDate(y, m, d)
	}

	addr := p.addr
	if k > 0 && g.chance(0.15) {
		addr = g.address() // moved house
	}
	r.Postcode, r.Town = addr.postcode, addr.town
	switch {
	case ch(0.03):
		r.Postcode = g.typo(r.Postcode)
	case ch(0.05):
		r.Postcode = ""
	case ch(0.03):
		r.Postcode = strings.ReplaceAll(r.Postcode, " ", "")
	}
	switch {
	case ch(0.04):
		r.Town = g.typo(r.Town)
	case ch(0.10):
		r.Town = ""
	}
	r.Given, r.Surname = g.letterCase(r.Given), g.letterCase(r.Surname)
	r.Town = g.letterCase(r.Town)
	if g.chance(0.5) {
		r.Postcode = strings.ToUpper(r.Postcode)
	}
	return r
}

// formatDate writes a date the way different systems do. A date made
// impossible by a typo (month 13) is written as digits only, as such values
// reach real files through systems that store dates as text.
func (g *generator) formatDate(y, m, d int) string {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return fmt.Sprintf("%04d%02d%02d", y, m, d)
	}
	switch x := g.rng.Float64(); {
	case x < 0.8:
		return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
	case x < 0.9:
		return fmt.Sprintf("%02d/%02d/%04d", d, m, y)
	default:
		return fmt.Sprintf("%04d%02d%02d", y, m, d)
	}
}

// letterCase writes a name in title case mostly, sometimes in capitals.
func (g *generator) letterCase(s string) string {
	if s == "" {
		return s
	}
	if g.chance(0.1) {
		return strings.ToUpper(s)
	}
	b := []byte(s)
	up := true
	for i, c := range b {
		if up && c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
		up = c == ' ' || c == '-'
	}
	return string(b)
}

// typo makes one keying error: a letter replaced, dropped, doubled or
// swapped with its neighbour.
func (g *generator) typo(s string) string {
	if len(s) < 2 {
		return s
	}
	b := []byte(s)
	i := g.rng.IntN(len(b))
	const letters = "abcdefghijklmnopqrstuvwxyz"
	switch g.rng.IntN(4) {
	case 0:
		if b[i] >= '0' && b[i] <= '9' {
			b[i] = byte('0' + g.rng.IntN(10))
		} else {
			b[i] = letters[g.rng.IntN(26)]
		}
	case 1:
		b = append(b[:i], b[i+1:]...)
	case 2:
		b = append(b[:i+1], b[i:]...)
	default:
		if i+1 < len(b) {
			b[i], b[i+1] = b[i+1], b[i]
		} else {
			b[i-1], b[i] = b[i], b[i-1]
		}
	}
	return string(b)
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
