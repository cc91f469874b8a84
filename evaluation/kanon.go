package evaluation

import (
	"fmt"
	"sort"
	"strings"
)

// OtherOrNotKnown is the category rare values are merged into.
const OtherOrNotKnown = "other_or_not_known"

// Suppressed replaces every quasi-identifier of a record that cannot be
// placed in a group of k any other way.
const Suppressed = "suppressed"

// MinCategory is the fewest people a category of sex or ethnicity may
// describe in an extract, whatever the project's k: smaller categories are
// merged into OtherOrNotKnown.
const MinCategory = 5

// QuasiRecord is one person's quasi-identifiers in an extract: the fields
// that, taken together, could single a person out to someone who knows the
// area.
type QuasiRecord struct {
	AgeBand, Sex, Ethnicity, Site, Month string
}

// KReport is the result of a k-anonymity check.
type KReport struct {
	Smallest int  // the size of the smallest group (0 when there are no records)
	Groups   int  // how many distinct combinations there are
	Below    int  // records in groups smaller than k
	Pass     bool // no group is smaller than k
}

// CheckK groups records by all their quasi-identifiers and reports whether
// every group holds at least k of them. No records pass: there is no one to
// identify.
func CheckK(records []QuasiRecord, k int) KReport {
	groups := map[QuasiRecord]int{}
	for _, r := range records {
		groups[r]++
	}
	rep := KReport{Groups: len(groups)}
	for _, n := range groups {
		if rep.Smallest == 0 || n < rep.Smallest {
			rep.Smallest = n
		}
		if n < k {
			rep.Below += n
		}
	}
	rep.Pass = rep.Below == 0
	return rep
}

// Generalise returns a copy of records, in the same order, coarsened until
// every group holds at least k records, and says what it did, one step per
// change. It first merges sex and ethnicity categories of fewer than
// MinCategory people (always, as the release rule requires), then, only
// while the check fails, in this order: ethnicities below k merged; months
// widened to quarters; age bands widened to under_18, 18_34, 35_54,
// 55_plus; then to under_18 and 18_plus; quarters widened to years; and
// last, every quasi-identifier of a record still in a group below k is set
// to Suppressed (and categories that leaves with fewer than MinCategory
// people merged again). The caller checks the result with CheckK: even
// suppression fails when fewer than k records need it, and then the
// extract must not be released without the dpo's override.
func Generalise(records []QuasiRecord, k int) ([]QuasiRecord, []string) {
	out := append([]QuasiRecord(nil), records...)
	var steps []string
	merge := func(name string, get func(*QuasiRecord) *string, below int) {
		counts := map[string]int{}
		for i := range out {
			counts[*get(&out[i])]++
		}
		rare := map[string]bool{}
		var names []string
		for v, n := range counts {
			if n < below && v != OtherOrNotKnown && v != Suppressed {
				rare[v] = true
				names = append(names, v)
			}
		}
		if len(rare) == 0 {
			return
		}
		moved := 0
		for i := range out {
			if v := get(&out[i]); rare[*v] {
				*v = OtherOrNotKnown
				moved++
			}
		}
		sort.Strings(names)
		steps = append(steps, fmt.Sprintf("%s: %s (fewer than %d people each) merged into %s (%d records)",
			name, strings.Join(names, ", "), below, OtherOrNotKnown, moved))
	}
	recode := func(step string, f func(*QuasiRecord) bool) {
		n := 0
		for i := range out {
			if f(&out[i]) {
				n++
			}
		}
		if n > 0 {
			steps = append(steps, fmt.Sprintf("%s (%d records)", step, n))
		}
	}
	sex := func(r *QuasiRecord) *string { return &r.Sex }
	ethnicity := func(r *QuasiRecord) *string { return &r.Ethnicity }

	merge("sex", sex, MinCategory)
	merge("ethnicity", ethnicity, MinCategory)
	widen := []func(){
		func() { merge("ethnicity", ethnicity, k) },
		func() { recode("month widened to quarter", setField(month, quarter)) },
		func() { recode("age bands widened to 18_34, 35_54, 55_plus", setField(age, widerAge)) },
		func() { recode("age bands widened to 18_plus", setField(age, adultAge)) },
		func() { recode("quarter widened to year", setField(month, year)) },
		func() {
			suppress(out, k, &steps)
			// Suppression can leave fewer than MinCategory people in a
			// category; merging them only joins groups, never splits one.
			merge("sex", sex, MinCategory)
			merge("ethnicity", ethnicity, MinCategory)
		},
	}
	for _, w := range widen {
		if CheckK(out, k).Pass {
			break
		}
		w()
	}
	return out, steps
}

func age(r *QuasiRecord) *string   { return &r.AgeBand }
func month(r *QuasiRecord) *string { return &r.Month }

// setField returns a recoder applying f to one field, reporting a change.
func setField(get func(*QuasiRecord) *string, f func(string) string) func(*QuasiRecord) bool {
	return func(r *QuasiRecord) bool {
		v := get(r)
		w := f(*v)
		if w == *v {
			return false
		}
		*v = w
		return true
	}
}

func widerAge(b string) string {
	switch b {
	case Age18to24, Age25to34:
		return "18_34"
	case Age35to44, Age45to54:
		return "35_54"
	case Age55to64, Age65Plus:
		return "55_plus"
	}
	return b
}

func adultAge(b string) string {
	switch widerAge(b) {
	case "18_34", "35_54", "55_plus":
		return "18_plus"
	}
	return b
}

// suppress blanks every quasi-identifier of the records in groups below k.
// When that leaves fewer than k suppressed records (a group of its own a
// reader could still single out), it suppresses more, one record at a
// time from the largest group that stays at k or above, until the
// suppressed group holds k; if no group can spare one, the check still
// fails and the release needs the dpo's override.
func suppress(out []QuasiRecord, k int, steps *[]string) {
	groups := map[QuasiRecord]int{}
	for _, r := range out {
		groups[r]++
	}
	gone := QuasiRecord{Suppressed, Suppressed, Suppressed, Suppressed, Suppressed}
	n := 0
	for i, r := range out {
		if groups[r] < k && r != gone {
			groups[r]--
			out[i] = gone
			n++
		}
	}
	if n > 0 {
		*steps = append(*steps, fmt.Sprintf("quasi-identifiers suppressed in groups below %d (%d records)", k, n))
	}
	total := groups[gone] + n
	more := 0
	for total > 0 && total < k {
		var donor QuasiRecord
		best := 0
		for g, c := range groups {
			if g == gone || c <= k {
				continue
			}
			if c > best || (c == best && fmt.Sprint(g) < fmt.Sprint(donor)) {
				donor, best = g, c
			}
		}
		if best == 0 {
			break
		}
		for i := len(out) - 1; i >= 0; i-- {
			if out[i] == donor {
				out[i] = gone
				break
			}
		}
		groups[donor]--
		total++
		more++
	}
	if more > 0 {
		*steps = append(*steps, fmt.Sprintf("quasi-identifiers suppressed in %d more records from the largest groups, so the suppressed group holds %d", more, k))
	}
}
