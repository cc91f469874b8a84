package risk

import (
	"math"
	"math/big"
	"reflect"
	"testing"

	"github.com/drive-platform/drive"
)

// ba builds a behaviour assessment: answers are physical, sexual,
// stalking and controlling in that order, "y", "n" or "?".
func ba(id, caseID, victimID int64, tp, on, answers, rating string) BehaviourAssessment {
	tri := func(c byte) Tri {
		switch c {
		case 'y':
			return Used
		case 'n':
			return NotUsed
		}
		return NotKnown
	}
	return BehaviourAssessment{
		ID: id, CaseID: caseID, VictimID: victimID, TimePoint: tp,
		Physical: tri(answers[0]), Sexual: tri(answers[1]), Stalking: tri(answers[2]), Controlling: tri(answers[3]),
		RiskChange: rating, AssessedOn: drive.MustDate(on), AssessedBy: 1,
	}
}

// outcomeData is a small caseload whose measures are worked out by hand
// in the tests below.
func outcomeData() []BehaviourAssessment {
	return []BehaviourAssessment{
		// Case 1, one victim-survivor.
		ba(1, 1, 11, "T1", "2026-01-05", "ynyy", ""),
		ba(2, 1, 11, "T3", "2026-10-05", "nnyn", RiskReducedSignificantly),
		// Case 2, two victim-survivors: the case uses a behaviour if
		// either says yes.
		ba(3, 2, 21, "T1", "2026-01-06", "n??y", ""),
		ba(4, 2, 22, "T1", "2026-01-06", "yn?n", ""),
		ba(5, 2, 21, "T3", "2026-10-06", "nnyn", RiskReducedModerately),
		ba(6, 2, 22, "T3", "2026-10-06", "?nnn", RiskReducedSlightly),
		// Case 3 has no exit assessment: left out of behaviour change.
		ba(7, 3, 31, "T1", "2026-01-07", "yyyy", ""),
		// Case 4: the mid-point assessment is ignored.
		ba(8, 4, 41, "T1", "2026-01-08", "nyny", ""),
		ba(9, 4, 41, "T2", "2026-05-08", "yyyy", ""),
		ba(10, 4, 41, "T3", "2026-10-08", "ynny", RiskIncreased),
		// Case 5: the baseline was entered again two days later; the later
		// entry replaces the earlier. No exit rating.
		ba(11, 5, 51, "T1", "2026-01-01", "ynyy", ""),
		ba(12, 5, 51, "T1", "2026-01-03", "nnyy", ""),
		ba(13, 5, 51, "T3", "2026-10-09", "nnny", ""),
		// Case 6: exit only. An earlier exit entry is replaced by the
		// later one; a rating wrongly held at T1 is ignored.
		ba(14, 6, 61, "T1x", "2026-01-01", "????", RiskIncreased),
		ba(15, 6, 61, "T3", "2026-09-01", "nnnn", RiskIncreased),
		ba(16, 6, 61, "T3", "2026-09-20", "nnnn", RiskReducedModerately),
		// Case 7: an unknown rating code is not a rating.
		ba(17, 7, 71, "T3", "2026-09-20", "nnnn", "much better"),
	}
}

func TestBehaviourChange(t *testing.T) {
	got := BehaviourChange(outcomeData(), "T1", "T3")
	// By hand, cases 1, 2, 4 and 5 have both time points:
	//   physical:    1 y->n, 2 y->n, 4 n->y, 5 n->n
	//   sexual:      1 n->n, 2 n->n, 4 y->n, 5 n->n
	//   stalking:    1 y->y, 2 unknown at T1, 4 n->n, 5 y->n
	//   controlling: 1 y->n, 2 y->n, 4 y->y, 5 y->y
	want := []BehaviourOutcome{
		{Category: Categories()[0], Cases: 4, N1: 2, N3: 1, YesToNo: 2, NoToYes: 1, NoToNo: 1, PValue: 1},
		{Category: Categories()[1], Cases: 4, N1: 1, N3: 0, YesToNo: 1, NoToNo: 3, PValue: 1},
		{Category: Categories()[2], Cases: 3, Unknown: 1, N1: 2, N3: 1, YesToNo: 1, YesToYes: 1, NoToNo: 1, PValue: 1},
		{Category: Categories()[3], Cases: 4, N1: 4, N3: 2, YesToNo: 2, YesToYes: 2, PValue: 0.5},
	}
	wantReduction := []float64{0.5, 1, 0.5, 0.5}
	if len(got) != len(want) {
		t.Fatalf("%d outcomes; want %d", len(got), len(want))
	}
	for i := range want {
		want[i].Baseline, want[i].Exit = "T1", "T3"
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s:\n got %+v\nwant %+v", want[i].Category.Code, got[i], want[i])
		}
		if r, ok := got[i].Reduction(); !ok || r != wantReduction[i] {
			t.Errorf("%s: reduction %v, %v; want %v", want[i].Category.Code, r, ok, wantReduction[i])
		}
	}

	// No baseline use: the reduction is undefined, not zero.
	none := BehaviourChange([]BehaviourAssessment{
		ba(1, 1, 1, "T1", "2026-01-01", "nnnn", ""),
		ba(2, 1, 1, "T3", "2026-06-01", "ynnn", ""),
	}, "T1", "T3")
	if _, ok := none[1].Reduction(); ok {
		t.Error("reduction defined with n1 = 0")
	}
	if r, ok := none[0].Reduction(); ok || r != 0 {
		t.Errorf("physical: n1=0 but reduction %v, %v", r, ok)
	}
	if none[0].NoToYes != 1 || none[0].N3 != 1 {
		t.Errorf("physical started: %+v", none[0])
	}
	// A rise is a negative reduction.
	rise := BehaviourOutcome{N1: 2, N3: 3}
	if r, ok := rise.Reduction(); !ok || r != -0.5 {
		t.Errorf("rise: %v, %v", r, ok)
	}
	// Comparing a time point with itself measures nothing.
	for _, o := range BehaviourChange(outcomeData(), "T1", "T1") {
		if o.Cases != 0 {
			t.Errorf("T1 vs T1 counted %d cases", o.Cases)
		}
	}
	if out := BehaviourChange(nil, "T1", "T3"); len(out) != 4 || out[0].Cases != 0 || out[0].PValue != 1 {
		t.Errorf("no data: %+v", out)
	}
}

func TestRiskChangeShare(t *testing.T) {
	// By hand: case 1 reduced significantly; case 2 takes the worse of
	// moderately and slightly (slightly); case 4 increased; case 5 has no
	// rating; case 6's latest exit entry says reduced moderately; case 7's
	// rating is not a known code. Rated 4, reduced 2.
	o := RiskChangeShare(outcomeData(), "T3")
	if o.Exit != "T3" || o.Rated != 4 || o.Reduced != 2 {
		t.Errorf("rated %d reduced %d; want 4, 2", o.Rated, o.Reduced)
	}
	if s, ok := o.Share(); !ok || s != 0.5 {
		t.Errorf("share %v, %v; want 0.5", s, ok)
	}
	wantCounts := []int{1, 0, 1, 1, 1}
	for i, rc := range o.ByRating {
		if rc.Rating != RiskChanges()[i] || rc.Cases != wantCounts[i] {
			t.Errorf("by rating %d: %+v; want %s %d", i, rc, RiskChanges()[i].Code, wantCounts[i])
		}
	}
	empty := RiskChangeShare(nil, "T3")
	if _, ok := empty.Share(); ok || empty.Rated != 0 || len(empty.ByRating) != 5 {
		t.Errorf("empty: %+v", empty)
	}
}

// exactMcNemar computes the two-sided exact McNemar p-value with whole
// numbers, independently of McNemarExact.
func exactMcNemar(b, c int) float64 {
	n, k := b+c, min(b, c)
	if n == 0 {
		return 1
	}
	sum, term := new(big.Int), big.NewInt(1) // term = C(n, i)
	for i := 0; i <= k; i++ {
		if i > 0 {
			term.Mul(term, big.NewInt(int64(n-i+1)))
			term.Quo(term, big.NewInt(int64(i)))
		}
		sum.Add(sum, term)
	}
	p := new(big.Rat).SetFrac(new(big.Int).Lsh(sum, 1), new(big.Int).Lsh(big.NewInt(1), uint(n)))
	if p.Cmp(big.NewRat(1, 1)) > 0 {
		return 1
	}
	f, _ := p.Float64()
	return f
}

func TestMcNemarExact(t *testing.T) {
	// Worked by hand: p = 2 * sum_{i<=k} C(n,i) / 2^n, at most 1.
	for _, tc := range []struct {
		b, c int
		p    float64
	}{
		{10, 2, 2 * 79.0 / 4096},        // 1+12+66 = 79; 0.0386
		{2, 10, 2 * 79.0 / 4096},        // symmetric
		{5, 0, 2.0 / 32},                // 0.0625
		{6, 0, 2.0 / 64},                // 0.03125: the smallest n that can reach 5%
		{2, 0, 0.5},                     // 2 * 1/4
		{3, 1, 2 * 5.0 / 16},            // 0.625
		{7, 3, 2 * 176.0 / 1024},        // 1+10+45+120 = 176; 0.34375
		{12, 4, 2 * 2517.0 / 65536},     // 1+16+120+560+1820 = 2517; 0.0768
		{20, 5, 2 * 68406.0 / 33554432}, // 1+25+300+2300+12650+53130 = 68406; 0.00408
		{1, 0, 1},
		{0, 0, 1},
		{4, 4, 1},
		{5, 4, 1},
		{2, 1, 1},
	} {
		got := McNemarExact(tc.b, tc.c)
		if math.Abs(got-tc.p) > 1e-12*math.Max(tc.p, 1e-300) {
			t.Errorf("McNemarExact(%d, %d) = %.15g; want %.15g", tc.b, tc.c, got, tc.p)
		}
	}
	if p := McNemarExact(10, 2); math.Round(p*10000)/10000 != 0.0386 {
		t.Errorf("b=10, c=2: p rounds to %.4f; want 0.0386", p)
	}
	if !math.IsNaN(McNemarExact(-1, 3)) {
		t.Error("negative count did not give NaN")
	}
}

func TestMcNemarExactAgreesWithWholeNumbers(t *testing.T) {
	check := func(b, c int) {
		t.Helper()
		got, want := McNemarExact(b, c), exactMcNemar(b, c)
		if want == 0 {
			if got != 0 {
				t.Errorf("McNemarExact(%d, %d) = %g; want 0 (underflow)", b, c, got)
			}
			return
		}
		if rel := math.Abs(got-want) / want; rel > 1e-9 {
			t.Errorf("McNemarExact(%d, %d) = %.15g; want %.15g (relative error %g)", b, c, got, want, rel)
		}
	}
	for b := 0; b <= 60; b++ {
		for c := 0; c <= 60; c++ {
			check(b, c)
		}
	}
	// Large counts, where 2^-n underflows a float64 but the p-value does
	// not.
	for _, bc := range [][2]int{{300, 200}, {1000, 900}, {1100, 1000}, {2600, 2400}, {5200, 4800}, {5000, 4000}, {1500, 600}} {
		check(bc[0], bc[1])
	}
}

func TestMcNemarExactHuge(t *testing.T) {
	// A national-scale table: a normal approximation with continuity
	// correction is very close at this size.
	b, c := 500000, 499000
	z := (math.Abs(float64(b-c)) - 1) / math.Sqrt(float64(b+c))
	approx := math.Erfc(z / math.Sqrt2)
	got := McNemarExact(b, c)
	if math.Abs(got-approx) > 1e-3 {
		t.Errorf("McNemarExact(%d, %d) = %g; normal approximation %g", b, c, got, approx)
	}
	if p := McNemarExact(3_000_000, 0); p != 0 {
		t.Errorf("McNemarExact(3e6, 0) = %g; want 0 (below the smallest float64)", p)
	}
	if p := McNemarExact(2_000_000, 2_000_000); p != 1 {
		t.Errorf("balanced huge table: %g", p)
	}
}
