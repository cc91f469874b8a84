package evaluation

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

func secret(b byte) []byte { return bytes.Repeat([]byte{b}, SecretSize) }

func mustPseudonymiser(t *testing.T, s []byte) *Pseudonymiser {
	t.Helper()
	p, err := NewPseudonymiser(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPseudonymForm(t *testing.T) {
	p := mustPseudonymiser(t, secret(1))
	tests := []struct {
		kind string
		id   int64
	}{
		{KindPerpetrator, 1}, {KindVictimSurvivor, 1}, {KindChild, 42}, {KindCase, 0}, {KindMeeting, -3},
		{KindIncident, 1 << 62},
	}
	for _, tt := range tests {
		got := p.Pseudonym(tt.kind, tt.id)
		if !regexp.MustCompile(`^` + tt.kind + `_[a-z2-7]{16}$`).MatchString(got) {
			t.Errorf("Pseudonym(%q, %d) = %q, want %s_ and 16 base32 characters", tt.kind, tt.id, got, tt.kind)
		}
		if strings.Contains(got, "42") && tt.id == 42 {
			t.Errorf("Pseudonym(%q, 42) = %q shows the id", tt.kind, got)
		}
	}
}

// TestPseudonymIsHMAC recomputes a pseudonym independently from its
// definition, so a change to the recipe (which would break every join
// between a project's extracts) is caught.
func TestPseudonymIsHMAC(t *testing.T) {
	s := secret(9)
	m := hmac.New(sha256.New, s)
	m.Write([]byte("p\x00"))
	m.Write(binary.BigEndian.AppendUint64(nil, 1234))
	want := "p_" + lowerBase32.EncodeToString(m.Sum(nil))[:16]
	if got := mustPseudonymiser(t, s).Pseudonym("p", 1234); got != want {
		t.Errorf("Pseudonym = %q, want %q", got, want)
	}
}

func TestPseudonymStableWithinProject(t *testing.T) {
	a := mustPseudonymiser(t, secret(1))
	b := mustPseudonymiser(t, secret(1)) // the same project's secret, loaded again
	for id := int64(1); id <= 200; id++ {
		if a.Pseudonym(KindPerpetrator, id) != b.Pseudonym(KindPerpetrator, id) {
			t.Fatalf("pseudonym of %d differs between two loads of one secret", id)
		}
	}
}

func TestPseudonymsDifferBetweenProjectsKindsAndIds(t *testing.T) {
	a := mustPseudonymiser(t, secret(1))
	b := mustPseudonymiser(t, secret(2))
	seen := map[string]string{}
	for _, kind := range []string{KindPerpetrator, KindVictimSurvivor, KindChild} {
		for id := int64(1); id <= 500; id++ {
			pa, pb := a.Pseudonym(kind, id), b.Pseudonym(kind, id)
			if pa[2:] == pb[2:] {
				t.Errorf("%s %d has the same pseudonym in two projects: %s", kind, id, pa)
			}
			for _, ps := range []string{pa, pb} {
				if prev, ok := seen[ps[2:]]; ok {
					t.Errorf("hash part of %s repeats %s", ps, prev)
				}
				seen[ps[2:]] = ps
			}
		}
	}
}

func TestPseudonymBadKindPanics(t *testing.T) {
	p := mustPseudonymiser(t, secret(1))
	for _, kind := range []string{"", "P", "p_", "p 1"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Pseudonym(%q) did not panic", kind)
				}
			}()
			p.Pseudonym(kind, 1)
		}()
	}
}

func TestNewPseudonymiserSecretLength(t *testing.T) {
	for _, n := range []int{0, 16, 31, 33} {
		if _, err := NewPseudonymiser(make([]byte, n)); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("NewPseudonymiser with %d bytes = %v, want EINVALID", n, err)
		}
	}
}

func TestNewPseudonymiserCopiesSecret(t *testing.T) {
	s := secret(3)
	p := mustPseudonymiser(t, s)
	before := p.Pseudonym(KindCase, 5)
	s[0] ^= 0xff
	if p.Pseudonym(KindCase, 5) != before {
		t.Error("changing the caller's slice changed the pseudonyms")
	}
}

type failReader struct{}

func (failReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

func TestNewSecret(t *testing.T) {
	src := bytes.NewReader(append(secret(5), secret(6)...))
	a, err := NewSecret(src)
	if err != nil || !bytes.Equal(a, secret(5)) {
		t.Fatalf("NewSecret = %x, %v", a, err)
	}
	b, err := NewSecret(src)
	if err != nil || !bytes.Equal(b, secret(6)) {
		t.Fatalf("second NewSecret = %x, %v", b, err)
	}
	if _, err := NewSecret(bytes.NewReader(make([]byte, 10))); drive.ErrorCode(err) != drive.EINTERNAL {
		t.Errorf("NewSecret from a short reader = %v, want EINTERNAL", err)
	}
	if _, err := NewSecret(failReader{}); drive.ErrorCode(err) != drive.EINTERNAL {
		t.Errorf("NewSecret from a failing reader = %v, want EINTERNAL", err)
	}
}
