package linkage

import (
	"math"
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
