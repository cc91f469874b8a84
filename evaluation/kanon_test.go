package evaluation

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// repeat returns n copies of r.
func repeat(n int, r QuasiRecord) []QuasiRecord {
	out := make([]QuasiRecord, n)
	for i := range out {
		out[i] = r
	}
	return out
}

func join(sets ...[]QuasiRecord) []QuasiRecord {
	var out []QuasiRecord
	for _, s := range sets {
		out = append(out, s...)
	}
	return out
}

var (
	qA = QuasiRecord{Age25to34, "male", "white_british", "site-1", "2026-01"}
	qB = QuasiRecord{Age35to44, "male", "white_british", "site-1", "2026-01"}
	qC = QuasiRecord{Age25to34, "male", "white_british", "site-2", "2026-02"}
)

func TestCheckK(t *testing.T) {
	tests := []struct {
		name    string
		records []QuasiRecord
		k       int
		want    KReport
	}{
		{"none", nil, 5, KReport{Smallest: 0, Groups: 0, Below: 0, Pass: true}},
		{"one group of 5", repeat(5, qA), 5, KReport{Smallest: 5, Groups: 1, Below: 0, Pass: true}},
		{"one group of 4", repeat(4, qA), 5, KReport{Smallest: 4, Groups: 1, Below: 4, Pass: false}},
		{"6, 3 and 1", join(repeat(6, qA), repeat(3, qB), repeat(1, qC)), 5,
			KReport{Smallest: 1, Groups: 3, Below: 4, Pass: false}},
		{"6, 3 and 1 at k 3", join(repeat(6, qA), repeat(3, qB), repeat(1, qC)), 3,
			KReport{Smallest: 1, Groups: 3, Below: 1, Pass: false}},
		{"7 and 5 interleaved", join(repeat(2, qB), repeat(7, qA), repeat(3, qB)), 5,
			KReport{Smallest: 5, Groups: 2, Below: 0, Pass: true}},
		{"one field differs", []QuasiRecord{qA, {Age25to34, "male", "white_british", "site-1", "2026-02"}}, 1,
			KReport{Smallest: 1, Groups: 2, Below: 0, Pass: true}},
	}
	for _, tt := range tests {
		if got := CheckK(tt.records, tt.k); got != tt.want {
			t.Errorf("%s: CheckK = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}

func TestGeneralise(t *testing.T) {
	tests := []struct {
		name    string
		records []QuasiRecord
		k       int
		steps   []string // each step must contain this text, in order
		pass    bool
	}{
		{"already k-anonymous", join(repeat(5, qA), repeat(6, qB)), 5, nil, true},
		{
			"rare ethnicity merged even when the check passes",
			join(repeat(5, qA), repeat(3, QuasiRecord{Age25to34, "male", "irish_traveller", "site-1", "2026-01"}),
				repeat(2, QuasiRecord{Age25to34, "male", "bangladeshi", "site-1", "2026-01"})),
			1, []string{"ethnicity: bangladeshi, irish_traveller (fewer than 5 people each) merged into other_or_not_known (5 records)"}, true,
		},
		{
			"months widened to quarters",
			join(repeat(3, qA), repeat(3, QuasiRecord{Age25to34, "male", "white_british", "site-1", "2026-02"})),
			5, []string{"month widened to quarter (6 records)"}, true,
		},
		{
			"age bands widened",
			join(repeat(3, QuasiRecord{Age18to24, "male", "white_british", "site-1", "2026-01"}),
				repeat(3, QuasiRecord{Age25to34, "male", "white_british", "site-1", "2026-03"})),
			5, []string{"month widened to quarter (6 records)", "age bands widened to 18_34, 35_54, 55_plus (6 records)"}, true,
		},
		{
			"to adults and years",
			join(repeat(2, QuasiRecord{Age18to24, "female", "white_british", "site-1", "2026-01"}),
				repeat(3, QuasiRecord{Age55to64, "female", "white_british", "site-1", "2026-11"}),
				repeat(5, QuasiRecord{Age45to54, "male", "white_british", "site-1", "2026-11"})),
			5, []string{"month widened to quarter", "age bands widened to 18_34", "age bands widened to 18_plus", "quarter widened to year"}, true,
		},
		{
			"suppression when nothing else helps",
			join(repeat(6, qA), repeat(3, QuasiRecord{AgeUnder18, "male", "white_british", "site-9", "2026-01"}),
				repeat(3, QuasiRecord{AgeUnder18, "male", "white_british", "site-8", "2026-01"})),
			5, []string{"age bands widened to 18_34", "age bands widened to 18_plus", "quasi-identifiers suppressed in groups below 5 (6 records)"}, true,
		},
		{
			"suppression topped up from the largest group",
			join(repeat(10, qA), repeat(2, QuasiRecord{AgeUnder18, "male", "white_british", "site-9", "2026-01"})),
			5, []string{"quasi-identifiers suppressed in groups below 5 (2 records)", "suppressed in 3 more records from the largest groups"}, true,
		},
		{
			"suppression cannot reach k",
			join(repeat(6, qA), repeat(2, QuasiRecord{AgeUnder18, "male", "white_british", "site-9", "2026-01"})),
			5, []string{"quasi-identifiers suppressed in groups below 5 (2 records)"}, false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := append([]QuasiRecord(nil), tt.records...)
			out, steps := Generalise(tt.records, tt.k)
			if !reflect.DeepEqual(in, tt.records) {
				t.Error("Generalise changed its input")
			}
			if len(out) != len(in) {
				t.Fatalf("got %d records, want %d", len(out), len(in))
			}
			if rep := CheckK(out, tt.k); rep.Pass != tt.pass {
				t.Errorf("CheckK after Generalise = %+v, want pass %v", rep, tt.pass)
			}
			i := 0
			for _, s := range steps {
				if i < len(tt.steps) && strings.Contains(s, tt.steps[i]) {
					i++
				}
			}
			if i != len(tt.steps) {
				t.Errorf("steps = %q\nwant, in order, %q", steps, tt.steps)
			}
			if tt.steps == nil && len(steps) != 0 {
				t.Errorf("steps = %q, want none", steps)
			}
		})
	}
}

// TestGeneraliseProperties generalises many random sets and checks what
// must always hold: order and length kept, each field either kept or
// replaced by a coarser form of itself, no sex or ethnicity of fewer than
// MinCategory people left, and the check passed unless the only small group
// is the suppressed one.
func TestGeneraliseProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2026))
	ages := []string{AgeUnder18, Age18to24, Age25to34, Age35to44, Age45to54, Age55to64, Age65Plus, AgeNotKnown}
	sexes := []string{"male", "female", "not_known"}
	eths := []string{"white_british", "white_other", "black_caribbean", "indian", "pakistani", "mixed", "not_known"}
	coarser := func(orig, got string, forms ...func(string) string) bool {
		if got == orig || got == Suppressed {
			return true
		}
		for _, f := range forms {
			if f(orig) == got {
				return true
			}
		}
		return false
	}
	toOther := func(string) string { return OtherOrNotKnown }
	for round := 0; round < 300; round++ {
		n := 1 + r.IntN(200)
		k := MinK + r.IntN(8)
		in := make([]QuasiRecord, n)
		for i := range in {
			in[i] = QuasiRecord{
				AgeBand:   ages[r.IntN(len(ages))],
				Sex:       sexes[r.IntN(len(sexes))],
				Ethnicity: eths[r.IntN(1+r.IntN(len(eths)))],
				Site:      fmt.Sprintf("site-%d", 1+r.IntN(3)),
				Month:     fmt.Sprintf("2026-%02d", 1+r.IntN(12)),
			}
		}
		out, steps := Generalise(in, k)
		if len(out) != n {
			t.Fatalf("round %d: %d records out of %d", round, len(out), n)
		}
		for i := range in {
			a, b := in[i], out[i]
			if !coarser(a.AgeBand, b.AgeBand, widerAge, adultAge) || !coarser(a.Sex, b.Sex, toOther) ||
				!coarser(a.Ethnicity, b.Ethnicity, toOther) || !coarser(a.Site, b.Site) ||
				!coarser(a.Month, b.Month, quarter, year) {
				t.Fatalf("round %d: record %d went from %+v to %+v", round, i, a, b)
			}
		}
		sex, eth := map[string]int{}, map[string]int{}
		for _, q := range out {
			sex[q.Sex]++
			eth[q.Ethnicity]++
		}
		for cats, what := range map[*map[string]int]string{&sex: "sex", &eth: "ethnicity"} {
			for v, c := range *cats {
				if c < MinCategory && v != OtherOrNotKnown && v != Suppressed {
					t.Fatalf("round %d: %s %q left with %d people", round, what, v, c)
				}
			}
		}
		groups := map[QuasiRecord]int{}
		for _, q := range out {
			groups[q]++
		}
		for g, c := range groups {
			if c < k && g.Site != Suppressed {
				t.Fatalf("round %d (n=%d, k=%d): group %+v of %d left after %q", round, n, k, g, c, steps)
			}
		}
	}
}
