package outcomes

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkNational computes the national report, per site and per
// programme, over 100,000 synthetic cases in 40 sites: the page target is
// under a second for the whole page.
func BenchmarkNational(b *testing.B) {
	cases := genCases(rand.New(rand.NewPCG(1, 2)), 100_000, 40)
	scope := Scope{AsOf: genAsOf, BySite: true}
	ref := DefaultReference()
	b.ReportAllocs()
	for b.Loop() {
		r := Compute(scope, cases, ref, 4)
		if len(r.Measures) == 0 {
			b.Fatal("no measures")
		}
	}
}
