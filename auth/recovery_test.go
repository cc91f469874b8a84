package auth

import (
	"bytes"
	"math"
	"regexp"
	"strings"
	"testing"
)

func TestRecoveryCodeStrength(t *testing.T) {
	bits := float64(recoveryLen) * math.Log2(float64(len(recoveryAlphabet)))
	if bits < 70 {
		t.Fatalf("recovery codes carry %.1f bits, want at least 70", bits)
	}
	for _, c := range "01ilo" {
		if strings.ContainsRune(recoveryAlphabet, c) {
			t.Errorf("alphabet holds ambiguous %q", c)
		}
	}
	seen := map[rune]bool{}
	for _, c := range recoveryAlphabet {
		if seen[c] {
			t.Errorf("alphabet holds %q twice", c)
		}
		seen[c] = true
	}
}

func TestNewRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(seeded(7), DefaultRecoveryCodes)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 || len(hashes) != 10 {
		t.Fatalf("got %d codes, %d hashes; want 10 each", len(codes), len(hashes))
	}
	format := regexp.MustCompile(`^[` + recoveryAlphabet + `]{5}-[` + recoveryAlphabet + `]{5}-[` + recoveryAlphabet + `]{5}$`)
	seen := map[string]bool{}
	for i, c := range codes {
		if !format.MatchString(c) {
			t.Errorf("code %q has the wrong form", c)
		}
		if seen[c] {
			t.Errorf("code %q issued twice", c)
		}
		seen[c] = true
		if len(hashes[i]) != 32 {
			t.Errorf("hash %d has %d bytes, want 32 (SHA-256)", i, len(hashes[i]))
		}
		if idx, ok := MatchRecoveryCode(c, hashes); !ok || idx != i {
			t.Errorf("MatchRecoveryCode(%q) = %d, %v; want %d, true", c, idx, ok, i)
		}
	}
	other, _, err := NewRecoveryCodes(seeded(8), DefaultRecoveryCodes)
	if err != nil {
		t.Fatal(err)
	}
	if other[0] == codes[0] {
		t.Fatal("different sources gave the same code")
	}
}

func TestNewRecoveryCodesErrors(t *testing.T) {
	for _, n := range []int{-1, 0, 101} {
		if _, _, err := NewRecoveryCodes(seeded(1), n); err == nil {
			t.Errorf("NewRecoveryCodes(%d): no error", n)
		}
	}
	if _, _, err := NewRecoveryCodes(failingReader{}, 10); err == nil {
		t.Error("NewRecoveryCodes with a failing random source: no error")
	}
}

// countingReader yields 0, 1, 2, ... 255, 0, 1, ...
type countingReader struct{ next byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.next
		r.next++
	}
	return len(p), nil
}

// Every byte value below the largest multiple of the alphabet size maps to
// one character, and the rest are skipped, so a full cycle of byte values
// yields each character equally often.
func TestRandomStringUniform(t *testing.T) {
	n := 8 * len(recoveryAlphabet) // bytes 0..247 of one cycle
	s, err := randomString(&countingReader{}, recoveryAlphabet, n)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range recoveryAlphabet {
		if got := strings.Count(s, string(c)); got != 8 {
			t.Errorf("%q drawn %d times, want 8", c, got)
		}
	}
	if _, err := randomString(&countingReader{}, "", 4); err == nil {
		t.Error("empty alphabet: no error")
	}
}

func TestMatchRecoveryCode(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(seeded(9), 3)
	if err != nil {
		t.Fatal(err)
	}
	c := codes[1]
	bare := strings.ReplaceAll(c, "-", "")
	used := [][]byte{hashes[0], nil, hashes[2]}
	tests := []struct {
		name   string
		code   string
		hashes [][]byte
		want   int
	}{
		{"as issued", c, hashes, 1},
		{"upper case", strings.ToUpper(c), hashes, 1},
		{"no dashes", bare, hashes, 1},
		{"spaces", bare[:5] + " " + bare[5:10] + " " + bare[10:], hashes, 1},
		{"surrounding space", "  " + c + "\n", hashes, 1},
		{"extra dashes", "-" + strings.Join(strings.Split(bare, ""), "-") + "-", hashes, 1},
		{"used", c, used, -1},
		{"no hashes", c, nil, -1},
		{"wrong", wrongRecovery(codes), hashes, -1},
		{"one character changed", c[:len(c)-1] + nextRecoveryChar(c[len(c)-1]), hashes, -1},
		{"too short", c[:len(c)-1], hashes, -1},
		{"too long", c + "a", hashes, -1},
		{"ambiguous character", "o" + c[1:], hashes, -1},
		{"empty", "", hashes, -1},
		{"unicode", strings.Replace(c, "-", "–", 1), hashes, -1},
		{"empty hash", c, [][]byte{{}, {}, {}}, -1},
	}
	for _, tt := range tests {
		idx, ok := MatchRecoveryCode(tt.code, tt.hashes)
		if idx != tt.want || ok != (tt.want >= 0) {
			t.Errorf("%s: MatchRecoveryCode(%q) = %d, %v; want %d", tt.name, tt.code, idx, ok, tt.want)
		}
	}
	// The same hashes stored twice: the first is reported.
	if idx, ok := MatchRecoveryCode(c, [][]byte{hashes[1], bytes.Clone(hashes[1])}); idx != 0 || !ok {
		t.Errorf("duplicate hashes: %d, %v; want 0, true", idx, ok)
	}
}

func wrongRecovery(codes []string) string {
	w := "aaaaa-bbbbb-ccccc"
	for _, c := range codes {
		if c == w {
			panic("test code collides")
		}
	}
	return w
}

func nextRecoveryChar(c byte) string {
	i := strings.IndexByte(recoveryAlphabet, c)
	return string(recoveryAlphabet[(i+1)%len(recoveryAlphabet)])
}
