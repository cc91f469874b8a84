package outcomes

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// published is every integer a report publishes, by a key naming it.
type published struct {
	cells    map[string]Count
	measures map[string]bool // measures present, so an absent exclusion is a known 0
}

func publishedOf(r Report) published {
	p := published{cells: map[string]Count{}, measures: map[string]bool{}}
	for _, m := range r.Measures {
		key := m.Name + "|" + m.Site + "|" + m.Programme
		p.measures[key] = true
		for _, e := range m.Exclusions {
			p.cells[key+"|excl|"+e.Reason] = e.Cases
		}
		if m.Suppressed || m.NoData {
			continue // nothing but the exclusions is published
		}
		p.cells[key+"|num"] = Count{Value: m.Numerator}
		if m.Name != "caseload_per_case_manager" { // staff, published as they are
			p.cells[key+"|den"] = Count{Value: m.Denominator}
		}
		if m.Paired != nil {
			p.cells[key+"|yn"] = m.Paired.YesToNo
			p.cells[key+"|ny"] = m.Paired.NoToYes
			p.cells[key+"|yy"] = m.Paired.YesToYes
			p.cells[key+"|nn"] = m.Paired.NoToNo
		}
	}
	for _, e := range r.Equality {
		key := strings.Join([]string{"eq", e.Population, e.Dimension, e.Site, e.Programme}, "|")
		p.cells[key+"|total"] = e.Total
		p.cells[key+"|known"] = e.Known
		for _, row := range e.Rows {
			p.cells[key+"|"+row.Category] = row.Count
		}
	}
	return p
}

// lookup returns what a reader knows of a key: the published count, a 0
// for an exclusion not listed under a published measure, or nothing.
func (p published) lookup(key string) (Count, bool) {
	if c, ok := p.cells[key]; ok {
		return c, true
	}
	if m, _, ok := strings.Cut(key, "|excl|"); ok && p.measures[m] {
		return Count{}, true
	}
	return Count{}, false
}

// feasible is what a reader who knows the rules can hold possible behind a
// published count: a list when it is bounded, and a test of membership.
// A withheld cell of an equality table may be withheld only to protect
// another (secondary suppression), so it can hold any count from 1 up;
// elsewhere a withheld count is 1 to the threshold in size.
type feasible struct {
	values  []int // nil when unbounded
	holds   func(int) bool
	bounded bool
}

func (r rules) feasible(key string, c Count) feasible {
	if c.Suppressed && strings.HasPrefix(key, "eq|") {
		return feasible{holds: func(x int) bool { return x >= 1 }}
	}
	f := feasible{bounded: true}
	if c.Suppressed {
		for x := 1; x <= r.limit(); x++ {
			f.values = append(f.values, x, -x)
		}
	} else {
		for x := c.Value - 3*r.base; x <= c.Value+3*r.base; x++ {
			if r.count(x) == c {
				f.values = append(f.values, x)
			}
		}
	}
	f.holds = func(x int) bool {
		for _, v := range f.values {
			if v == x {
				return true
			}
		}
		return false
	}
	return f
}

// attack tries to work out every small difference between two reports by
// subtraction. truthA and truthB are the same reports with nothing
// withheld or rounded (the true figures); pubA and pubB are what is
// published. It returns the differences it pinned down to one value.
func attack(t *testing.T, r rules, truthA, truthB, pubA, pubB published) []string {
	t.Helper()
	var recovered []string
	for key, ta := range truthA.cells {
		tb, ok := truthB.lookup(key)
		if !ok {
			continue
		}
		d := ta.Value - tb.Value
		if d == 0 || d > r.threshold || d < -r.threshold {
			continue // not a small number
		}
		pa, okA := pubA.lookup(key)
		pb, okB := pubB.lookup(key)
		if !okA || !okB {
			continue // withheld whole: nothing to subtract
		}
		fa, fb := r.feasible(key, pa), r.feasible(key, pb)
		// The small differences x = a - b the two published counts allow.
		candidates := map[int]bool{}
		for x := -r.threshold; x <= r.threshold; x++ {
			if x == 0 {
				continue
			}
			switch {
			case fb.bounded:
				for _, b := range fb.values {
					if fa.holds(b + x) {
						candidates[x] = true
					}
				}
			case fa.bounded:
				for _, a := range fa.values {
					if fb.holds(a - x) {
						candidates[x] = true
					}
				}
			default:
				candidates[x] = true
			}
		}
		if !candidates[d] {
			t.Fatalf("%s: the attacker's model is wrong: true difference %d not among %v (published %v and %v)", key, d, candidates, pa, pb)
		}
		if len(candidates) == 1 {
			recovered = append(recovered, fmt.Sprintf("%s = %d (published %v and %v)", key, d, pa, pb))
		}
	}
	return recovered
}

// scopePair is two scopes differing by one filter, over a case set built
// so the difference is small.
type scopePair struct {
	name  string
	cases []CaseFacts
	a, b  Scope
}

// pairs builds the case set of one trial and the scope pairs to compare:
// all sites against all but a small one; a period against the same period
// one day longer, with a few cases referred on that day; each with and
// without the per-site breakdown.
func pairs(rng *rand.Rand) []scopePair {
	sites := 2 + rng.IntN(4)
	cases := genCases(rng, 30+rng.IntN(300), sites)
	// A small site: 1 to 4 cases.
	small := sites + 1
	for i := range 1 + rng.IntN(4) {
		cases = append(cases, genCase(rng, int64(10000+i), small-1))
	}
	var others []int64
	for s := 1; s < small; s++ {
		others = append(others, int64(s))
	}
	// A day with 1 to 4 referrals.
	day := genAsOf.AddDays(-100 - rng.IntN(600))
	for i := range cases {
		if cases[i].ReferredOn == day.AddDays(1) {
			cases[i].ReferredOn = day
		}
	}
	for i := range 1 + rng.IntN(4) {
		c := genCase(rng, int64(20000+i), rng.IntN(sites))
		c.ReferredOn = day.AddDays(1)
		if !c.AllocatedOn.IsZero() && c.AllocatedOn.Before(c.ReferredOn) {
			c.AllocatedOn = c.ReferredOn
		}
		cases = append(cases, c)
	}
	bySite := rng.IntN(2) == 0
	return []scopePair{
		{"all sites against all but one", cases, Scope{AsOf: genAsOf, BySite: bySite}, Scope{AsOf: genAsOf, BySite: bySite, Sites: others}},
		{"a period against one day longer", cases, Scope{AsOf: genAsOf, BySite: bySite, To: day}, Scope{AsOf: genAsOf, BySite: bySite, To: day.AddDays(1)}},
		{"one programme, all sites against all but one", cases, Scope{AsOf: genAsOf, Programme: "drive"}, Scope{AsOf: genAsOf, Programme: "drive", Sites: others}},
	}
}

// runAttack computes each pair of reports under the rules and attacks
// them, returning what it recovered and how many small differences it
// tried.
func runAttack(t *testing.T, seed uint64, trials int, pub rules) (recovered []string, tried int) {
	rng := rand.New(rand.NewPCG(seed, seed))
	truth := rules{threshold: 0, minDen: 1, base: 1}
	ref := DefaultReference()
	for range trials {
		for _, p := range pairs(rng) {
			ta, tb := publishedOf(compute(p.a, p.cases, ref, truth)), publishedOf(compute(p.b, p.cases, ref, truth))
			for key, c := range ta.cells {
				if d, ok := tb.lookup(key); ok && c.Value != d.Value && c.Value-d.Value <= pub.threshold && d.Value-c.Value <= pub.threshold {
					tried++
				}
			}
			pa, pb := compute(p.a, p.cases, ref, pub), compute(p.b, p.cases, ref, pub)
			checkValues(t, pa)
			for _, r := range attack(t, pub, ta, tb, publishedOf(pa), publishedOf(pb)) {
				recovered = append(recovered, p.name+": "+r)
			}
		}
	}
	return recovered, tried
}

// checkValues makes sure a derived figure says nothing the published
// counts do not: every shown share, mean or change is exactly their ratio.
func checkValues(t *testing.T, r Report) {
	t.Helper()
	for _, m := range r.Measures {
		if m.Suppressed || m.NoData || m.Unit == UnitDays || m.Unit == UnitCount {
			continue
		}
		if want := float64(m.Numerator) / float64(m.Denominator); m.Value != want {
			t.Errorf("%s/%s/%s: value %v is not %d/%d", m.Name, m.Site, m.Programme, m.Value, m.Numerator, m.Denominator)
		}
	}
}

// TestDifferencingProperty is the property of the package doc: no small
// count (1 to 4) can be recovered by subtracting two reports whose scopes
// differ by one filter.
func TestDifferencingProperty(t *testing.T) {
	pub := rules{threshold: 4, minDen: DefaultMinDenominator, base: RoundingBase}
	recovered, tried := runAttack(t, 1, 30, pub)
	for _, r := range recovered {
		t.Errorf("recovered %s", r)
	}
	// The trials must give the attack something to bite on.
	if tried < 500 {
		t.Errorf("only %d small differences tried", tried)
	}
	t.Logf("%d small differences between paired reports, none recovered", tried)
}

// TestDifferencingAttackHasTeeth runs the same attack on reports that
// withhold 1 to 4 but do not round: it must then recover small counts, or
// the property test above proves nothing.
func TestDifferencingAttackHasTeeth(t *testing.T) {
	recovered, _ := runAttack(t, 1, 5, rules{threshold: 4, minDen: DefaultMinDenominator, base: 1})
	if len(recovered) == 0 {
		t.Fatal("without rounding the attack recovered nothing: it is too weak to test anything")
	}
	t.Logf("without rounding: %d small counts recovered, e.g. %s", len(recovered), recovered[0])
}
