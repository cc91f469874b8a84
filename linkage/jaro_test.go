package linkage

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611},
		{"dwayne", "duane", 0.8400},
		{"dixon", "dicksonx", 0.8133},
		{"jones", "johnson", 0.8324},
		{"smith", "smith", 1},
		{"abc", "xyz", 0},
		{"", "", 0},
		{"a", "", 0},
		{"crate", "trace", 0.7333}, // below 0.7 boost threshold? no: jaro 0.733, prefix 0
	}
	for _, tt := range tests {
		got := jaroWinkler(tt.a, tt.b)
		if math.Abs(got-tt.want) > 0.0005 {
			t.Errorf("jaroWinkler(%q, %q) = %.4f, want %.4f", tt.a, tt.b, got, tt.want)
		}
		if back := jaroWinkler(tt.b, tt.a); math.Abs(back-got) > 1e-12 {
			t.Errorf("jaroWinkler is not symmetric for %q, %q: %v and %v", tt.a, tt.b, got, back)
		}
	}
}

func TestJaroWinklerLongStrings(t *testing.T) {
	a := "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz"
	b := a[:len(a)-1] + "q"
	if got := jaroWinkler(a, b); got < 0.98 || got >= 1 {
		t.Errorf("jaroWinkler of long strings one letter apart = %v, want in [0.98, 1)", got)
	}
}

func TestJaroWinklerAllocatesNothing(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { jaroWinkler("catherine", "kathryn") })
	if allocs != 0 {
		t.Errorf("jaroWinkler allocates %v times per call, want 0", allocs)
	}
}

// TestJaroWinklerAtLeastAgrees checks the bound never hides a similarity
// that reaches the floor: on pairs of random strings and of near copies
// (letters changed, dropped, swapped), whenever the similarity is at least
// the floor the bounded form returns it exactly, and otherwise something
// below the floor. It also checks the bound does skip pairs, or it would
// save nothing.
func TestJaroWinklerAtLeastAgrees(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(alphabet string) string {
		b := make([]byte, 1+rng.IntN(12))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	near := func(s string) string {
		b := []byte(s)
		for range 1 + rng.IntN(3) {
			i := rng.IntN(len(b))
			switch rng.IntN(3) {
			case 0:
				b[i] = 'a' + byte(rng.IntN(26))
			case 1:
				if len(b) > 1 {
					b = append(b[:i], b[i+1:]...)
				}
			default:
				if i+1 < len(b) {
					b[i], b[i+1] = b[i+1], b[i]
				}
			}
		}
		return string(b)
	}
	skipped, reached := 0, 0
	for n := range 200_000 {
		alphabet := "abcdefghijklmnopqrstuvwxyz"
		if n%3 == 0 {
			alphabet = "aeinrst"
		}
		a := word(alphabet)
		b := word(alphabet)
		if n%2 == 0 {
			b = near(a)
		}
		jw := jaroWinkler(a, b)
		for _, floor := range []float64{jwSimilar, 0.9, jwClose} {
			got := jaroWinklerAtLeast(a, b, floor)
			switch {
			case jw >= floor && got != jw:
				t.Fatalf("jaroWinklerAtLeast(%q, %q, %v) = %v, want %v", a, b, floor, got, jw)
			case jw < floor && got >= floor:
				t.Fatalf("jaroWinklerAtLeast(%q, %q, %v) = %v, reaching the floor that %v does not", a, b, floor, got, jw)
			case jw >= floor:
				reached++
			case got == 0 && jw > 0:
				skipped++
			}
		}
	}
	if skipped == 0 || reached == 0 {
		t.Fatalf("%d pairs skipped by the bound and %d reaching the floor: the test compares nothing", skipped, reached)
	}
	t.Logf("%d comparisons skipped by the bound, %d reached the floor", skipped, reached)
}

func BenchmarkJaroWinklerRandomNames(b *testing.B) {
	names := []string{"catherine", "kathryn", "mohammed", "oliver", "siobhan", "aaliyah", "daniel", "priya", "grzegorz", "oluwaseun", "li", "charlotte"}
	b.Run("full", func(b *testing.B) {
		for i := range b.N {
			jaroWinkler(names[i%len(names)], names[(i*7+3)%len(names)])
		}
	})
	b.Run("atLeast", func(b *testing.B) {
		for i := range b.N {
			jaroWinklerAtLeast(names[i%len(names)], names[(i*7+3)%len(names)], jwSimilar)
		}
	})
}
