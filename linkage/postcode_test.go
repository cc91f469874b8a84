package linkage

import "testing"

func TestSplitPostcode(t *testing.T) {
	tests := []struct {
		in   string
		want postcodeParts
	}{
		{"SW1A 1AA", postcodeParts{"SW1A 1AA", "SW1A 1", "SW1A", "SW"}},
		{"sw1a1aa", postcodeParts{"SW1A 1AA", "SW1A 1", "SW1A", "SW"}},
		{"M1 1AE", postcodeParts{"M1 1AE", "M1 1", "M1", "M"}},
		{"LS12 4QT", postcodeParts{"LS12 4QT", "LS12 4", "LS12", "LS"}},
		{"B33 8TH", postcodeParts{"B33 8TH", "B33 8", "B33", "B"}},
		{"LS12", postcodeParts{"LS12", "", "LS12", "LS"}}, // outward code only
		{"2119", postcodeParts{"2119", "211", "21", "2"}}, // Australian
		{"90210", postcodeParts{"90210", "9021", "902", "9"}},
		{"12", postcodeParts{"12", "", "", "1"}},
		{"7", postcodeParts{"7", "", "", ""}},
	}
	for _, tt := range tests {
		if got := splitPostcode(normalizePostcode(tt.in)); got != tt.want {
			t.Errorf("splitPostcode(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestOneEditApart(t *testing.T) {
	tests := []struct {
		a, b             string
		typo, transposed bool
	}{
		{"2036", "2306", false, true},
		{"2036", "2037", true, false},
		{"2036", "2036", false, false},
		{"2036", "6302", false, false},
		{"2036", "203", false, false},
		{"19710624", "19170624", false, true},
		{"19710624", "19720614", false, false},
	}
	for _, tt := range tests {
		typo, tr := oneEditApart(tt.a, tt.b)
		if typo != tt.typo || tr != tt.transposed {
			t.Errorf("oneEditApart(%q, %q) = %v, %v; want %v, %v", tt.a, tt.b, typo, tr, tt.typo, tt.transposed)
		}
	}
}

func TestOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"4975843", "4957843", true},
		{"abc", "abcd", true},
		{"abcd", "acd", true},
		{"abc", "axc", true},
		{"abc", "abc", false},
		{"abc", "cba", false},
		{"abc", "abcde", false},
		{"", "a", true},
	}
	for _, tt := range tests {
		if got := oneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
