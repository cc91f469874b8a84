package evaluation

import "testing"

// trialOf allocates n referrals spread over the three bands of one site,
// as a trial of the pilot's size would hold them.
func trialOf(b *testing.B, a *Allocator, n int) []Recorded {
	b.Helper()
	bands := []string{BandHigh, BandMedium, BandStandard}
	seq := map[string]int{}
	out := make([]Recorded, 0, n)
	for i := 0; i < n; i++ {
		band := bands[i%3]
		seq[band]++
		al, err := a.Allocate(1, band, seq[band])
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, Recorded{CaseID: int64(i + 1), Allocation: al})
	}
	return out
}

// BenchmarkAllocateLate is one allocation at place 1,000 of its stratum,
// the cost the panel's acceptance pays late in a large trial (the
// allocator walks the stratum's blocks from the first).
func BenchmarkAllocateLate(b *testing.B) {
	a := NewAllocator(20260601)
	for i := 0; i < b.N; i++ {
		if _, err := a.Allocate(1, BandHigh, 1000); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyPilot recomputes a trial the size of the 2016-2019
// pilot (2,627 referrals) from its seed.
func BenchmarkVerifyPilot(b *testing.B) {
	a := NewAllocator(20260601)
	recs := trialOf(b, a, 2627)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if m := Verify(a, recs); len(m) != 0 {
			b.Fatal(m)
		}
	}
}
