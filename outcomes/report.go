package outcomes

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/drive-platform/drive/suppress"
)

// Units of a measure's value.
const (
	UnitPercent = "percent" // a proportion: 0.82 is 82%
	UnitMean    = "mean"
	UnitDays    = "days"
	UnitCount   = "count"
)

// WilsonMethod names the interval given for proportions.
const WilsonMethod = "Wilson score, 95%"

// Count is a published count: already rounded to base 5, or withheld.
// Value is 0 when Suppressed, so a Count never carries a withheld number.
type Count struct {
	Value      int
	Suppressed bool
}

// String writes the count as published: "[c]" when withheld.
func (c Count) String() string {
	if c.Suppressed {
		return suppress.Withheld
	}
	return strconv.Itoa(c.Value)
}

// MarshalJSON writes a shown count as its number and a withheld one as
// "[c]", as suppress.Cell does.
func (c Count) MarshalJSON() ([]byte, error) {
	if c.Suppressed {
		return json.Marshal(suppress.Withheld)
	}
	return json.Marshal(c.Value)
}

// Interval is a 95% confidence interval and how it was worked out.
type Interval struct {
	Low    float64 `json:"low"`
	High   float64 `json:"high"`
	Method string  `json:"method"`
}

// Exclusion is a group of cases (or victim-survivors, or actions, as the
// measure's definition says) left out of a measure, and why. Cases is a
// published count: rounded, or withheld when 1 to the threshold.
type Exclusion struct {
	Reason string `json:"reason"`
	Cases  Count  `json:"cases"`
}

// Paired is the paired table of a behaviour measure, T1 against T3: cases
// that stopped (yes to no), started (no to yes), continued (yes to yes) and
// never used it (no to no). Each cell is published on its own.
type Paired struct {
	YesToNo  Count `json:"yes_to_no"`
	NoToYes  Count `json:"no_to_yes"`
	YesToYes Count `json:"yes_to_yes"`
	NoToNo   Count `json:"no_to_no"`
}

// Measure is one published figure. Numerator and Denominator are published
// counts (withheld from 1 to 7, otherwise rounded to base 5) and Value is
// computed from them, with two exceptions the definitions state: the
// median days from referral to allocation (Value is the median, over
// Denominator cases) and the caseload per case manager (Denominator counts
// staff, published as it is). For a count (UnitCount) Value equals
// Numerator and Denominator is 0. When Suppressed,
// Numerator, Denominator, Value, Interval, PValue and Paired are all zero
// or nil and the JSON value is null; when NoData (nothing to measure) the
// JSON value is null too.
type Measure struct {
	Name        string  `json:"measure"`
	Label       string  `json:"label"`
	Site        string  `json:"site"`
	Programme   string  `json:"programme"`
	Numerator   int     `json:"numerator"`
	Denominator int     `json:"denominator"`
	Value       float64 `json:"-"`
	Unit        string  `json:"unit"`
	Suppressed  bool    `json:"suppressed"`
	NoData      bool    `json:"no_data,omitempty"`
	// Interval is the Wilson score 95% interval of a proportion; nil for
	// other units and for the behaviour reductions (see PValue).
	Interval *Interval `json:"interval,omitempty"`
	// PValue is the two-sided exact McNemar p-value of a paired measure.
	PValue *float64 `json:"p_value,omitempty"`
	// PValueBound is true when a discordant count is withheld and PValue
	// is the largest p-value it could give.
	PValueBound bool        `json:"p_value_bound,omitempty"`
	Paired      *Paired     `json:"paired,omitempty"`
	Definition  string      `json:"definition"`
	Exclusions  []Exclusion `json:"exclusions"`
	// Arm names the trial arm a measure is for (ArmIntervention,
	// ArmComparison) in Flat's list; empty for every other measure.
	Arm string `json:"arm,omitempty"`
}

// MarshalJSON writes the measure with "value" null when it is suppressed
// or has no data.
func (m Measure) MarshalJSON() ([]byte, error) {
	type plain Measure
	out := struct {
		plain
		Value *float64 `json:"value"`
	}{plain: plain(m)}
	if !m.Suppressed && !m.NoData {
		v := m.Value
		out.Value = &v
	}
	if out.Exclusions == nil {
		out.Exclusions = []Exclusion{}
	}
	return json.Marshal(out)
}

// EqualityRow is one category of an equality table. Share is the count over
// the table's Known (those who answered); Difference is Share less the
// reference share, and Interval is the Wilson 95% interval of the share
// less the reference share, which is treated as exact (a census count, not
// a sample). Pointers are nil where a figure is withheld or undefined.
type EqualityRow struct {
	Category   string    `json:"category"`
	Label      string    `json:"label"`
	Count      Count     `json:"count"`
	Share      *float64  `json:"share"`
	Reference  *float64  `json:"reference"`
	Difference *float64  `json:"difference"`
	Interval   *Interval `json:"difference_interval,omitempty"`
}

// EqualityTable is the caseload by one equality dimension, for
// perpetrators or victim-survivors, against the reference population.
type EqualityTable struct {
	Population string        `json:"population"` // perpetrators or victim_survivors
	Dimension  string        `json:"dimension"`
	Site       string        `json:"site"`
	Programme  string        `json:"programme"`
	Total      Count         `json:"total"`
	Known      Count         `json:"known"`
	Rows       []EqualityRow `json:"rows"`
	Reference  string        `json:"reference_source"`
}

// Report is everything Compute publishes for a scope.
type Report struct {
	Scope    Scope           `json:"-"`
	Measures []Measure       `json:"measures"`
	Equality []EqualityTable `json:"equality"`
	// Arms compares a trial's intervention and comparison arms (arms.go),
	// when allocated referrals are in scope; nil otherwise.
	Arms []ArmFigures `json:"arms,omitempty"`
	// Voice is the victim-survivors' own measures (voice.go), attached by
	// the caller for readers on the IDVA side and the national team only;
	// nil for everyone else and never computed with the other figures, so
	// a perpetrator-side report cannot change when she answers.
	Voice []VoiceMeasure `json:"-"`
}

// Flat lists every measure of the report as one array: the measures,
// then each trial arm's measures with their arm named, as the API and
// `drive report --format json` give them. Never nil.
func (r *Report) Flat() []Measure {
	out := append([]Measure{}, r.Measures...)
	for _, a := range r.Arms {
		for _, m := range a.Measures {
			m.Arm = a.Arm
			out = append(out, m)
		}
	}
	return out
}

// rules are the publication rules of the package doc: the threshold, the
// minimum denominator and the rounding base. Tests switch rounding off to
// show the differencing attack then works.
type rules struct {
	threshold int
	minDen    int
	base      int
}

// limit is the largest count withheld: the threshold, raised when
// rounding is on to the next count that ends a rounding bucket (7 for a
// threshold of 4 and base 5, as NHS Digital publishes: 1 to 7 withheld,
// the rest rounded to 5). Withholding only 1 to 4 would leave 5 to 7
// published as 5 and 8 to 12 as 10, and a withheld 4 in one report beside
// a published 10 (so 8) in the other would give a difference of exactly 4
// away: the differencing test found that case.
func (r rules) limit() int {
	if r.base <= 1 || r.threshold == 0 {
		return r.threshold
	}
	m := r.threshold
	for m%r.base != r.base/2 {
		m++
	}
	return m
}

// count publishes an integer: 0 as 0, withheld when its size is 1 to the
// limit, otherwise rounded to the nearest multiple of base with its sign
// kept.
func (r rules) count(x int) Count {
	a := x
	if a < 0 {
		a = -a
	}
	switch {
	case a == 0:
		return Count{}
	case a <= r.limit():
		return Count{Suppressed: true}
	}
	if r.base > 1 {
		a = (a + r.base/2) / r.base * r.base
	}
	if x < 0 {
		a = -a
	}
	return Count{Value: a}
}

// wilson returns the Wilson score 95% interval of k successes in n.
func wilson(k, n int) *Interval {
	if n <= 0 {
		return nil
	}
	const z = 1.959963984540054
	nf := float64(n)
	p := float64(k) / nf
	den := 1 + z*z/nf
	centre := (p + z*z/(2*nf)) / den
	half := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / den
	return &Interval{Low: math.Max(0, centre-half), High: math.Min(1, centre+half), Method: WilsonMethod}
}
