package identify

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/linkage"
)

// Victim resolution in two steps.
//
// First the victims named across the whole extract are linked by the
// record linker, as the suspects are. The linker weighs each pair of
// mentions against a prior fitted to the whole table: the chance that two
// mentions drawn at random from a force's extract are one person, which is
// tiny, and the smaller the larger the extract. Against that prior a
// victim written "Bethany" with nothing else, or "Lauren Green" after a
// marriage where her other records say "Lauren Stanwell", rightly stays
// apart from everyone.
//
// Second, each suspect's victims are revisited. Two victims named on the
// incidents of one man were not drawn at random: most perpetrators known
// to police harm one partner, again and again, and even for a man who
// harms several, two of his incidents are often about the same victim. So
// within one suspect the prior is far higher, and the same evidence (an
// equal given name and nothing else; an equal given name and date of
// birth under another surname) is then enough to say "one person".
// Without this step a prolific perpetrator's one victim, written many ways
// over dozens of incidents, is split into several people, and he is
// wrongly flagged as serial.
//
// The evidence is the linker's own (linkage.Result.FieldEvidence): the
// weights it learned from the extract for each level of agreement of the
// given name, family name and date of birth (exact; listed variants such
// as Beth and Elizabeth; close spelling by Jaro-Winkler; same sound;
// initials; given and family names swapped; dates one digit or a swap
// apart; and the weights of disagreement), without its table-wide prior.
// This step adds victimContextPrior instead and merges two victims of one
// suspect when the odds reach the linker's own threshold and their dates
// of birth (or, failing those, their ages) do not set them apart (see
// victimMerger.apart). Two different victims of one man usually differ in
// given name and in date of birth, and either is enough to keep them
// apart: a different given name outweighs the prior on its own, a
// different date of birth vetoes the merge.

// victimContextPrior is the prior, in log2 odds, that two victim mentions
// on incidents of one suspect are one person: 0, even odds. That is a
// cautious floor rather than an estimate. Most perpetrators have one
// victim, so for most suspects every pair of victim mentions is one
// person, and even for serial perpetrators many pairs are; the true odds
// are well above even. Taking even odds means the names and dates must
// make the case themselves, to the linker's own standard, for every
// merge, and a victim is never merged for want of evidence against it.
const victimContextPrior = 0.0

// victimThresholdWeight is the log2 odds two victims of one suspect must
// reach to be merged: those of the linker's own threshold probability
// (0.9, nine to one), so a merge here is held to the same standard as a
// link there.
var victimThresholdWeight = math.Log2(linkage.DefaultThreshold / (1 - linkage.DefaultThreshold))

// maxVictimGroups bounds the victims of one suspect that are compared
// with each other. A "suspect" with hundreds of different victims is much
// likelier a placeholder identity in the extract ("Unknown", "Not
// known") gathering many men's incidents than one man, and the prior that
// his victims are one woman does not hold for him; his victims are left as
// the extract-wide linkage found them. It also keeps the work per suspect
// bounded.
const maxVictimGroups = 256

// maxSpellings bounds the distinct ways of writing one victim that are
// compared when two victims are weighed, the most used first; a victim
// needs few to be recognised, and the cost per pair stays bounded however
// many incidents she appears on.
const maxSpellings = 16

// ageSlackDays is how far apart (in days) the dates of birth two ages
// imply may be and still be one person's: two years. An age on a police
// record is often the age the victim gave or the officer estimated, not
// one worked out from a date of birth, and may be recorded a year or so
// out; beyond two years, every age of one victim disagreeing with every
// age of the other is not a recording error.
const ageSlackDays = 2 * 366

// victimFields are the fields the victim linkage compares: the same as
// the suspects', so that a victim is recognised as a suspect is. The
// postcode stays empty for victims (their addresses are never kept), so
// it adds no evidence.
var victimFields = []linkage.Field{{Name: "given", Kind: linkage.KindGiven}, {Name: "family", Kind: linkage.KindSurname},
	{Name: "dob", Kind: linkage.KindDate}, {Name: "postcode", Kind: linkage.KindPostcode}}

// victimDOB is the position of the date of birth in victimFields.
const victimDOB = 2

// resolveVictims links the victims named on recs into people and returns
// each record's victim number, counted from 1 in order of each victim's
// first record; 0 for a record naming no victim. suspects holds each
// record's suspect number from the suspect linkage; within each suspect's
// incidents, victims are revisited as described above.
func resolveVictims(ctx context.Context, recs []incident.Record, suspects []int, seed uint64) ([]int, error) {
	clusters, rows, res, err := linkVictims(ctx, recs, seed)
	if err != nil || res == nil {
		return clusters, err
	}
	return mergeVictims(ctx, recs, suspects, clusters, rows, res)
}

// linkVictims is the extract-wide step: it links the victims named on
// recs with the record linker and returns each record's victim number
// (0 for none), its row in the linker's table (-1 for none) and the
// linker's result, nil when there were fewer than two victims to link.
func linkVictims(ctx context.Context, recs []incident.Record, seed uint64) (clusters, rows []int, res *linkage.Result, err error) {
	t, err := linkage.NewTable(victimFields)
	if err != nil {
		return nil, nil, nil, err
	}
	rows = make([]int, len(recs))
	n := 0
	for i, r := range recs {
		rows[i] = -1
		p := r.Victim
		if p.GivenName == "" && p.FamilyName == "" {
			continue
		}
		if err := t.Add(0, strconv.Itoa(i), []string{p.GivenName, p.FamilyName, p.DOB.String(), p.Postcode}); err != nil {
			return nil, nil, nil, err
		}
		rows[i] = n
		n++
	}
	clusters = make([]int, len(recs))
	if n < 2 { // none, or one mention, which is one person
		for i, row := range rows {
			if row == 0 {
				clusters[i] = 1
			}
		}
		return clusters, rows, nil, nil
	}
	res, err = linkage.Link(ctx, t, linkage.Options{Seed: seed})
	if err != nil {
		return nil, nil, nil, err
	}
	for i, row := range rows {
		if row >= 0 {
			clusters[i] = res.Cluster[row]
		}
	}
	return clusters, rows, res, nil
}

// spelling is one distinct way a victim is written: given name, family
// name and date of birth as recorded (letter case aside), with the table
// row of one mention that writes her so and the number of mentions that
// do.
type spelling struct {
	key   string
	row   int
	count int
}

// birthRange is the span of days (as dayNumber counts them) a victim's
// date of birth lies in, as one mention records it: a single day from a
// date of birth, a year from an age at the incident.
type birthRange struct{ lo, hi int }

// victimGroup is what is known about one victim as mentions join her.
type victimGroup struct {
	spellings []spelling // in order of first mention
	dobs      []int      // table rows, one per distinct date of birth
	dobKeys   []drive.Date
	births    []birthRange // distinct
}

func (g *victimGroup) addMention(p incident.Person, on drive.Date, row int) {
	key := strings.ToLower(p.GivenName) + "\x00" + strings.ToLower(p.FamilyName) + "\x00" + p.DOB.String()
	g.addSpelling(spelling{key: key, row: row, count: 1})
	switch {
	case !p.DOB.IsZero():
		if !slices.Contains(g.dobKeys, p.DOB) {
			g.dobKeys = append(g.dobKeys, p.DOB)
			g.dobs = append(g.dobs, row)
		}
		d := dayNumber(p.DOB)
		g.addBirth(birthRange{d, d})
	case p.Age > 0 && !on.IsZero():
		// Born after the same day (age+1) years before the incident,
		// and on or before it age years before.
		g.addBirth(birthRange{dayNumber(on.AddMonths(-12*(p.Age+1))) + 1, dayNumber(on.AddMonths(-12 * p.Age))})
	}
}

func (g *victimGroup) addSpelling(s spelling) {
	for k := range g.spellings {
		if g.spellings[k].key == s.key {
			g.spellings[k].count += s.count
			return
		}
	}
	g.spellings = append(g.spellings, s)
}

func (g *victimGroup) addBirth(b birthRange) {
	if !slices.Contains(g.births, b) {
		g.births = append(g.births, b)
	}
}

// absorb adds everything known about o to g.
func (g *victimGroup) absorb(o *victimGroup) {
	for _, s := range o.spellings {
		g.addSpelling(s)
	}
	for k, d := range o.dobKeys {
		if !slices.Contains(g.dobKeys, d) {
			g.dobKeys = append(g.dobKeys, d)
			g.dobs = append(g.dobs, o.dobs[k])
		}
	}
	for _, b := range o.births {
		g.addBirth(b)
	}
}

// top returns the spellings to compare: all of them, or the maxSpellings
// most used (earliest first among equals).
func (g *victimGroup) top() []spelling {
	if len(g.spellings) <= maxSpellings {
		return g.spellings
	}
	s := slices.Clone(g.spellings)
	slices.SortStableFunc(s, func(a, b spelling) int { return cmp.Compare(b.count, a.count) })
	return s[:maxSpellings]
}

// victimMerger joins the victims of one suspect that are one person.
type victimMerger struct {
	res    *linkage.Result
	parent []int // union-find over victim numbers from the linker
	groups []*victimGroup
	// fresh marks groups that are still exactly as the linker left them,
	// so a candidate judged on them need not be judged again.
	fresh []bool
	// scratch for judge, one element per field
	sum, n, w []float64
	counted   []bool
}

func (m *victimMerger) find(v int) int {
	for m.parent[v] != v {
		m.parent[v] = m.parent[m.parent[v]]
		v = m.parent[v]
	}
	return v
}

// apart reports whether the two victims' dates of birth set them apart:
// both have dates of birth, and every date of one plainly differs from
// every date of the other (linkage.Result.DatesDiffer: not one recording
// error apart). Every date recorded for a victim is given the benefit of
// the doubt, since any one of them may be her true date; what cannot be
// explained is two victims with no date in common. Where one has no date
// of birth, ages are used the same way: the victims are apart when every
// birth date one's dates and ages allow lies more than ageSlackDays from
// every birth date the other's allow. Where either has neither, nothing
// sets them apart.
//
// This is what stops a chain: a victim with no date of birth who fits two
// victims of one suspect may join one of them, but the group she joined
// then carries that victim's date, and a second victim with a different
// date stays apart from the whole group.
func (m *victimMerger) apart(a, b *victimGroup) bool {
	if len(a.dobs) > 0 && len(b.dobs) > 0 {
		for _, x := range a.dobs {
			for _, y := range b.dobs {
				if !m.res.DatesDiffer(x, y, victimDOB) {
					return false
				}
			}
		}
		return true
	}
	if len(a.births) == 0 || len(b.births) == 0 {
		return false
	}
	for _, x := range a.births {
		for _, y := range b.births {
			if max(x.lo, y.lo)-min(x.hi, y.hi) <= ageSlackDays {
				return false
			}
		}
	}
	return true
}

// same reports whether two victims of one suspect are one person: not
// apart, and their log2 odds of being one (see judge) reach
// victimThresholdWeight.
func (m *victimMerger) same(a, b *victimGroup) bool {
	w, ok := m.judge(a, b)
	return ok && w >= victimThresholdWeight
}

// judge returns the log2 odds that two victims of one suspect are one
// person, and false when their dates set them apart (see apart).
//
// The odds are victimContextPrior plus the linker's evidence, weighed
// field by field over every pair of the two victims' mentions (each
// distinct spelling counted as often as it is used): a field's evidence is
// its mean weight over the pairs in which both mentions hold it. A victim
// is so compared as a whole, not through her closest mention, so one odd
// mention cannot join her to someone else; and a mention with a field
// missing neither adds to nor dilutes what her other mentions say about
// it. "Mary Fairley" recorded once without a date of birth and five times
// with it, against "Mary Hill" with the same date, is a woman whose date
// of birth agrees and whose surname changed, which is what she is.
func (m *victimMerger) judge(a, b *victimGroup) (float64, bool) {
	if m.apart(a, b) {
		return 0, false
	}
	sum, n, w, counted := m.sum, m.n, m.w, m.counted
	clear(sum)
	clear(n)
	for _, x := range a.top() {
		for _, y := range b.top() {
			m.res.FieldEvidence(x.row, y.row, w, counted)
			k := float64(x.count) * float64(y.count)
			for f := range w {
				if counted[f] {
					sum[f] += k * w[f]
					n[f] += k
				}
			}
		}
	}
	odds := victimContextPrior
	for f := range sum {
		if n[f] > 0 {
			odds += sum[f] / n[f]
		}
	}
	return odds, true
}

// mergeVictims revisits each suspect's victims. clusters holds each
// record's victim number from the extract-wide linkage (0 for none), rows
// each record's row in res's table (-1 for none). It returns each
// record's victim number after merging, counted from 1 in order of each
// victim's first record.
//
// Candidates are the pairs of victims named together under one suspect.
// Each is judged on the victims as the linker left them, and those judged
// one person are merged strongest first; a merge between victims that
// earlier merges have grown is judged again on the grown victims (so a
// weak link cannot chain two people together, see apart). A merge joins
// the two victims everywhere, not only under that suspect: she is one
// woman, whoever harmed her. The result depends only on the input.
func mergeVictims(ctx context.Context, recs []incident.Record, suspects, clusters, rows []int, res *linkage.Result) ([]int, error) {
	nv := 0
	// Each suspect's distinct victims, as (suspect, victim) pairs in order.
	var pairs [][2]int
	for i, c := range clusters {
		if c > 0 {
			nv = max(nv, c)
			pairs = append(pairs, [2]int{suspects[i], c})
		}
	}
	slices.SortFunc(pairs, func(x, y [2]int) int {
		if r := cmp.Compare(x[0], y[0]); r != 0 {
			return r
		}
		return cmp.Compare(x[1], y[1])
	})
	pairs = slices.Compact(pairs)

	type candidate struct {
		a, b int     // victim numbers, a < b
		w    float64 // log2 odds of one person
	}
	var cands []candidate
	for lo := 0; lo < len(pairs); {
		hi := lo + 1
		for hi < len(pairs) && pairs[hi][0] == pairs[lo][0] {
			hi++
		}
		if k := hi - lo; k >= 2 && k <= maxVictimGroups {
			for x := lo; x < hi; x++ {
				for y := x + 1; y < hi; y++ {
					cands = append(cands, candidate{a: pairs[x][1], b: pairs[y][1]})
				}
			}
		}
		lo = hi
	}
	slices.SortFunc(cands, func(x, y candidate) int {
		if r := cmp.Compare(x.a, y.a); r != 0 {
			return r
		}
		return cmp.Compare(x.b, y.b)
	})
	cands = slices.CompactFunc(cands, func(x, y candidate) bool { return x.a == y.a && x.b == y.b })

	// Gather what is known about the victims in a candidate; most victims
	// are their suspect's only one and are never compared.
	nf := len(victimFields)
	m := &victimMerger{res: res, parent: make([]int, nv+1), groups: make([]*victimGroup, nv+1), fresh: make([]bool, nv+1),
		sum: make([]float64, nf), n: make([]float64, nf), w: make([]float64, nf), counted: make([]bool, nf)}
	for v := range m.parent {
		m.parent[v] = v
		m.fresh[v] = true
	}
	for _, c := range cands {
		for _, v := range [2]int{c.a, c.b} {
			if m.groups[v] == nil {
				m.groups[v] = &victimGroup{}
			}
		}
	}
	for i, c := range clusters {
		if c > 0 && m.groups[c] != nil {
			m.groups[c].addMention(recs[i].Victim, recs[i].On, rows[i])
		}
	}

	// Judge every candidate on the victims as the linker left them; keep
	// those that are one person, with the strength of the case.
	kept := cands[:0]
	for k, c := range cands {
		if k%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		w, ok := m.judge(m.groups[c.a], m.groups[c.b])
		if !ok || w < victimThresholdWeight {
			continue
		}
		c.w = w
		kept = append(kept, c)
	}
	slices.SortFunc(kept, func(x, y candidate) int {
		if r := cmp.Compare(y.w, x.w); r != 0 {
			return r
		}
		if r := cmp.Compare(x.a, y.a); r != 0 {
			return r
		}
		return cmp.Compare(x.b, y.b)
	})
	for _, c := range kept {
		ra, rb := m.find(c.a), m.find(c.b)
		if ra == rb {
			continue
		}
		if !(m.fresh[ra] && m.fresh[rb]) && !m.same(m.groups[ra], m.groups[rb]) {
			continue
		}
		if ra > rb {
			ra, rb = rb, ra // the earlier victim number stays the root
		}
		m.parent[rb] = ra
		m.groups[ra].absorb(m.groups[rb])
		m.groups[rb] = nil
		m.fresh[ra] = false
	}

	out := make([]int, len(recs))
	number := make([]int, nv+1)
	next := 0
	for i, c := range clusters {
		if c == 0 {
			continue
		}
		r := m.find(c)
		if number[r] == 0 {
			next++
			number[r] = next
		}
		out[i] = number[r]
	}
	return out, nil
}
