// Package suppress withholds small numbers from published figures.
//
// Any output below case level (a report, a data return, a dashboard) could
// let a reader who knows the area pick out a family when a count is small:
// "two victim-survivors aged 16 or 17 this quarter" may be enough to name
// them. DOMAIN.md therefore sets the rule: counts from 1 to a threshold
// (4 unless a site sets another) are shown as "[c]", and further cells are
// withheld (secondary suppression) so that a total and the cells still
// shown cannot be used to work a withheld count out.
//
// The package is pure: it takes counts and returns what may be shown. It
// keeps the true value in each Cell so callers can test and check their
// figures, and every way it renders a cell (String, MarshalJSON) writes
// "[c]" instead of the true value of a withheld one.
package suppress

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// DefaultThreshold is the largest count withheld unless a site sets
// another: counts 1..DefaultThreshold are suppressed, and 0 is shown.
const DefaultThreshold = 4

// Withheld is how a suppressed figure is written everywhere.
const Withheld = "[c]"

// Cell is one published count: its true value, whether it is withheld,
// and why. Secondary is true for a cell withheld only to protect another
// one (it is above the threshold); a suppressed cell that is not Secondary
// is itself small. Value is the true count even when Suppressed: never
// publish it directly, write the cell with String or JSON.
type Cell struct {
	Value      int
	Suppressed bool
	Secondary  bool
}

// String writes the cell as published: "[c]" when suppressed, otherwise
// the number with thousands separators ("1,234").
func (c Cell) String() string {
	if c.Suppressed {
		return Withheld
	}
	return group(strconv.Itoa(c.Value))
}

// MarshalJSON writes a shown cell as its number and a withheld one as the
// string "[c]", so a cell handed to encoding/json (an API answer, a page's
// data) never carries the true value of a withheld count, nor the reason it
// was withheld (which would tell a primary cell, 1..threshold, from a
// secondary one, above it).
func (c Cell) MarshalJSON() ([]byte, error) {
	if c.Suppressed {
		return json.Marshal(Withheld)
	}
	return json.Marshal(c.Value)
}

// clamp treats a negative threshold as 0: nothing is withheld. It does not
// panic, because a misread setting should not take a report down; callers
// that publish outside the organisation should refuse such a setting before
// it gets here.
func clamp(threshold int) int {
	if threshold < 0 {
		return 0
	}
	return threshold
}

// Count suppresses a single stand-alone count, one with no total published
// beside it: it is withheld when it is from 1 to threshold. A negative
// threshold is treated as 0 (nothing withheld). Counts are never negative;
// a negative n is shown as given.
func Count(n, threshold int) Cell {
	t := clamp(threshold)
	return Cell{Value: n, Suppressed: n >= 1 && n <= t}
}

// Row suppresses a row of counts published with their total (the sum of
// the counts).
//
// Primary suppression withholds every count from 1 to threshold, and the
// total too when it is itself from 1 to threshold. Zero cells are never
// withheld (a zero names nobody) and never help to protect another.
//
// Secondary suppression then makes sure no withheld cell can be worked out
// from the shown total and the cells still shown. When the total is shown,
// a reader knows the sum S of the k withheld cells, and that each is at
// least 1. A withheld cell is then exactly known in two cases: k is 1 (it
// is S), or S equals k (every withheld cell is 1, as in the row 1, 1, 10
// with total 12). In either case Row also withholds the smallest other
// non-zero cell (the first, on a tie), which is above the threshold and so
// breaks both; when there is no such cell it withholds the total instead.
// Withholding the smallest cell loses the least information.
//
// A negative threshold is treated as 0, and then nothing is withheld.
// Counts are never negative; a negative count is shown as given and never
// chosen to protect another.
func Row(counts []int, threshold int) (cells []Cell, total Cell) {
	t := clamp(threshold)
	cells = make([]Cell, len(counts))
	sum := 0
	for i, n := range counts {
		cells[i] = Count(n, t)
		sum += n
	}
	total = Count(sum, t)
	if total.Suppressed {
		return cells, total
	}
	k, s := 0, 0
	for _, c := range cells {
		if c.Suppressed {
			k++
			s += c.Value
		}
	}
	if k == 0 || (k > 1 && s > k) {
		return cells, total
	}
	pick := -1
	for i, c := range cells {
		if !c.Suppressed && c.Value > 0 && (pick < 0 || c.Value < cells[pick].Value) {
			pick = i
		}
	}
	if pick >= 0 {
		cells[pick].Suppressed, cells[pick].Secondary = true, true
	} else {
		total.Suppressed, total.Secondary = true, true
	}
	return cells, total
}

// Rate is a figure derived from a count (a percentage, a rate per 10,000).
// It is shown only when the counts it is made from are shown: a rate over
// a withheld count would give the count back. Value is 0 when not shown,
// so the rate never carries what it was withheld to protect.
type Rate struct {
	Value float64
	Shown bool
}

// PerN returns numerator / denominator * per (per = 100 for a percentage,
// 10,000 for a rate per 10,000). It is withheld when the numerator is
// withheld, or when the denominator is not a positive finite number (no
// rate can be given). The denominator is a plain number because it is
// often not a count of people (a population); when it is a count that may
// itself be withheld, the caller must not ask for the rate unless that
// count is shown.
func PerN(numerator Cell, denominator float64, per float64) Rate {
	if numerator.Suppressed || !(denominator > 0) || math.IsInf(denominator, 0) {
		return Rate{}
	}
	v := float64(numerator.Value) / denominator * per
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Rate{}
	}
	return Rate{Value: v, Shown: true}
}

// Format writes the rate with the given number of decimal places (a
// negative number counts as 0) and thousands separators, or "[c]" when it
// is not shown.
func (r Rate) Format(decimals int) string {
	if !r.Shown {
		return Withheld
	}
	if decimals < 0 {
		decimals = 0
	}
	s := strconv.FormatFloat(r.Value, 'f', decimals, 64)
	whole, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac {
		return group(whole) + "." + frac
	}
	return group(whole)
}

// MarshalJSON writes a shown rate as its number and a withheld one as the
// string "[c]", as Cell does.
func (r Rate) MarshalJSON() ([]byte, error) {
	if !r.Shown {
		return json.Marshal(Withheld)
	}
	return json.Marshal(r.Value)
}

// group puts thousands separators into a run of digits with an optional
// leading minus sign: "-1234567" becomes "-1,234,567".
func group(digits string) string {
	sign := ""
	if strings.HasPrefix(digits, "-") {
		sign, digits = "-", digits[1:]
	}
	if len(digits) <= 3 {
		return sign + digits
	}
	var b strings.Builder
	b.WriteString(sign)
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if b.Len() > len(sign) {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}
