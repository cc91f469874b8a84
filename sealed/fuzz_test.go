package sealed

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"
)

// FuzzParseSealed checks that no input makes ParseSealed or Open panic,
// that every value ParseSealed accepts marshals back to the same bytes,
// and that nothing but the genuine value opens.
func FuzzParseSealed(f *testing.F) {
	k, err := ParseKeyring([]byte(vectorKeyFile))
	if err != nil {
		f.Fatal(err)
	}
	genuine, _ := hex.DecodeString(vectorSealed)
	f.Add(genuine)
	f.Add(genuine[:minSealedSize])
	f.Add(genuine[:minSealedSize-1])
	f.Add([]byte{})
	f.Add([]byte{Version1})
	f.Add([]byte{2})
	f.Add(append([]byte{Version1}, make([]byte, 100)...))
	empty, _ := k.Seal(vectorRandom(), nil, []byte(vectorAAD))
	f.Add(empty.Marshal())
	aad := []byte(vectorAAD)

	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSealed(data)
		if err != nil {
			if !errors.Is(err, ErrTampered) {
				t.Fatalf("ParseSealed error %v does not wrap ErrTampered", err)
			}
			return
		}
		if got := s.Marshal(); !bytes.Equal(got, data) {
			t.Fatalf("Marshal(ParseSealed(%x)) = %x", data, got)
		}
		pt, err := k.Open(s, aad)
		switch {
		case err == nil && bytes.Equal(data, genuine):
			if string(pt) != vectorPlaintext {
				t.Fatalf("genuine value opened as %q", pt)
			}
		case err == nil && bytes.Equal(data, empty.Marshal()):
		case err == nil:
			t.Fatalf("forged value %x opened as %q", data, pt)
		case !errors.Is(err, ErrTampered) && !errors.Is(err, ErrUnknownKey):
			t.Fatalf("Open error %v wraps neither sentinel", err)
		}
		if _, err := k.Rewrap(s); err == nil && s.KeyID != k.Current().ID() {
			t.Fatalf("Rewrap accepted a value under unknown key %s", s.KeyID)
		}
	})
}

// FuzzParseKeyring checks that no input makes ParseKeyring panic and that
// every keyring it accepts survives Marshal and ParseKeyring unchanged.
func FuzzParseKeyring(f *testing.F) {
	f.Add([]byte(vectorKeyFile))
	k := newTestKeyring(f, 1)
	k.Rotate(testRand(2))
	two, _ := k.Marshal()
	f.Add(two)
	f.Add([]byte(`{"format":"drive-sealed-keyring/1","current":"665e2a8696ef7625","keys":[{"id":"665e2a8696ef7625","key":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"format":"drive-sealed-keyring/1","keys":[]}`))
	f.Add([]byte(``))
	f.Add([]byte(`null`))

	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKeyring(data)
		if err != nil {
			return
		}
		out, err := k.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed keyring: %v", err)
		}
		back, err := ParseKeyring(out)
		if err != nil {
			t.Fatalf("ParseKeyring(Marshal(k)): %v\n%s", err, out)
		}
		again, err := back.Marshal()
		if err != nil || !bytes.Equal(out, again) {
			t.Fatalf("keyring changed on a round trip:\n%s\n%s", out, again)
		}
		if back.String() != k.String() {
			t.Fatalf("keyring %v, want %v", back, k)
		}
	})
}
