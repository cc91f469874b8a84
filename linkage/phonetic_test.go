package linkage

import "testing"

func TestPhoneticCodeAlike(t *testing.T) {
	alike := [][2]string{
		{"smith", "smyth"},
		{"catherine", "kathryn"},
		{"stephen", "steven"},
		{"philip", "filip"},
		{"knight", "night"},
		{"mcdonald", "macdonald"},
		{"jon", "john"},
		{"rogers", "rodgers"},
		{"gerald", "jerald"},
		{"clark", "clarke"},
		{"thompson", "tompson"},
		{"allen", "alan"},
		{"wright", "right"},
		{"shaun", "shawn"},
	}
	for _, p := range alike {
		if a, b := phoneticCode(p[0]), phoneticCode(p[1]); a != b {
			t.Errorf("phoneticCode(%q) = %q and phoneticCode(%q) = %q, want equal", p[0], a, p[1], b)
		}
	}
}

func TestPhoneticCodeDifferent(t *testing.T) {
	different := [][2]string{
		{"smith", "jones"},
		{"robert", "richard"},
		{"mary", "martin"},
		{"green", "brown"},
		{"taylor", "turner"},
	}
	for _, p := range different {
		if a, b := phoneticCode(p[0]), phoneticCode(p[1]); a == b {
			t.Errorf("phoneticCode(%q) = phoneticCode(%q) = %q, want different codes", p[0], p[1], a)
		}
	}
}

func TestPhoneticCodeEdges(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"h", "h"},                // only a silent letter: the name is its own code
		{"ольга", "ольга"},        // another script: its own code
		{"christopher", "KRSTFR"}, // "chr" is hard, code cut at six classes
		{"xavier", "SFR"},
	}
	for _, tt := range tests {
		if got := phoneticCode(tt.in); got != tt.want {
			t.Errorf("phoneticCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
