package sealed

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
)

// testRand returns a deterministic source of "randomness" for tests, so
// failures reproduce. Production code passes crypto/rand.Reader.
func testRand(seed byte) *mrand.ChaCha8 {
	var s [32]byte
	s[0] = seed
	return mrand.NewChaCha8(s)
}

func newTestKeyring(t testing.TB, seed byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(testRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSeal(t testing.TB, k *Keyring, pt, aad string) Sealed {
	t.Helper()
	s, err := k.Seal(testRand(99), []byte(pt), []byte(aad))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// vectorKeyFile holds the key 00 01 02 … 1f. The vector below was computed
// independently of this package (with another AES Key Wrap and AES-GCM
// implementation) and is repeated in docs/encryption.md.
const vectorKeyFile = `{
  "format": "drive-sealed-keyring/1",
  "current": "665e2a8696ef7625",
  "keys": [
    {
      "id": "665e2a8696ef7625",
      "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    }
  ]
}
`

const (
	vectorPlaintext = "Safe to call on Tuesdays after 10:00."
	vectorAAD       = "victim_compartment:42"
	vectorSealed    = "01665e2a8696ef7625bd2a276ae8c7464c7e8b396674ac6e0e9558c84c6009b3fa413cf06a67a200823e4d720df2419fa9606162636465666768696a6bff496f6027e0ff866ae0155a25e9322b5b598b62735fe87d2e1badccceb027ca10d5dd2e55529391e0e75ffeb71f2b3753aaf3eddf"
)

func vectorRandom() *bytes.Reader {
	b := make([]byte, 0, dekSize+nonceSize)
	for c := 0x40; c < 0x40+dekSize+nonceSize; c++ {
		b = append(b, byte(c))
	}
	return bytes.NewReader(b) // data key 40…5f, then nonce 60…6b
}

func TestKnownAnswer(t *testing.T) {
	k, err := ParseKeyring([]byte(vectorKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if id := k.Current().ID(); id != "665e2a8696ef7625" {
		t.Errorf("key id = %s", id)
	}
	s, err := k.Seal(vectorRandom(), []byte(vectorPlaintext), []byte(vectorAAD))
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(s.Marshal()); got != vectorSealed {
		t.Errorf("sealed =\n%s\nwant\n%s", got, vectorSealed)
	}
	out, _ := hex.DecodeString(vectorSealed)
	s, err = ParseSealed(out)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := k.Open(s, []byte(vectorAAD))
	if err != nil || string(pt) != vectorPlaintext {
		t.Errorf("Open = %q, %v", pt, err)
	}
	if b, _ := k.Marshal(); string(b) != vectorKeyFile {
		t.Errorf("Marshal =\n%s\nwant\n%s", b, vectorKeyFile)
	}
}

func TestRoundTrip(t *testing.T) {
	k := newTestKeyring(t, 1)
	for _, pt := range []string{"", "x", "Flat 3, 12 Example Road; mobile 07700 900123", strings.Repeat("note ", 10000)} {
		s, err := k.Seal(rand.Reader, []byte(pt), []byte("victim_compartment:42"))
		if err != nil {
			t.Fatal(err)
		}
		if s.Version != Version1 || s.KeyID != k.Current().ID() {
			t.Errorf("Seal: version %d key %s", s.Version, s.KeyID)
		}
		if len(pt) > 8 && bytes.Contains(s.Marshal(), []byte(pt[:8])) {
			t.Error("marshalled value contains the plaintext")
		}
		parsed, err := ParseSealed(s.Marshal())
		if err != nil {
			t.Fatal(err)
		}
		got, err := k.Open(parsed, []byte("victim_compartment:42"))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != pt {
			t.Errorf("Open = %q, want %q", got, pt)
		}
		if len(s.Marshal()) != minSealedSize+len(pt) {
			t.Errorf("marshalled size %d for %d bytes", len(s.Marshal()), len(pt))
		}
	}
}

func TestSealFreshKeys(t *testing.T) {
	k := newTestKeyring(t, 1)
	r := testRand(5)
	a, _ := k.Seal(r, []byte("same"), []byte("t:1"))
	b, _ := k.Seal(r, []byte("same"), []byte("t:1"))
	if bytes.Equal(a.WrappedKey, b.WrappedKey) || bytes.Equal(a.Nonce, b.Nonce) || bytes.Equal(a.Ciphertext, b.Ciphertext) {
		t.Error("two seals of the same record share a data key, nonce or ciphertext")
	}
}

// Every single-bit change anywhere in a stored value must fail to open,
// with an error that is one of the two sentinels.
func TestEveryBitFlipFails(t *testing.T) {
	k := newTestKeyring(t, 1)
	aad := []byte("victim_compartment:42")
	data := mustSeal(t, k, "Refuge: 14 Example Lane", string(aad)).Marshal()
	for bit := 0; bit < 8*len(data); bit++ {
		b := bytes.Clone(data)
		b[bit/8] ^= 1 << (bit % 8)
		s, err := ParseSealed(b)
		if err == nil {
			var pt []byte
			pt, err = k.Open(s, aad)
			if err == nil {
				t.Fatalf("bit %d flipped: opened as %q", bit, pt)
			}
		}
		if !errors.Is(err, ErrTampered) && !errors.Is(err, ErrUnknownKey) {
			t.Fatalf("bit %d flipped: error %v is neither ErrTampered nor ErrUnknownKey", bit, err)
		}
	}
}

func TestTruncatedOrExtendedFails(t *testing.T) {
	k := newTestKeyring(t, 1)
	aad := []byte("victim_compartment:42")
	data := mustSeal(t, k, "Refuge: 14 Example Lane", string(aad)).Marshal()
	for n := 0; n < len(data); n++ {
		s, err := ParseSealed(data[:n])
		if err == nil {
			_, err = k.Open(s, aad)
		}
		if !errors.Is(err, ErrTampered) {
			t.Fatalf("cut to %d bytes: error %v, want ErrTampered", n, err)
		}
	}
	s, err := ParseSealed(append(bytes.Clone(data), 0))
	if err == nil {
		_, err = k.Open(s, aad)
	}
	if !errors.Is(err, ErrTampered) {
		t.Errorf("one byte added: error %v, want ErrTampered", err)
	}
}

func TestWrongAADFails(t *testing.T) {
	k := newTestKeyring(t, 1)
	s := mustSeal(t, k, "07700 900123", "victim_compartment:42")
	for _, aad := range []string{"victim_compartment:43", "victim_compartment:4", "victim_compartment:42 ", "victim_note:42", "VICTIM_COMPARTMENT:42"} {
		if pt, err := k.Open(s, []byte(aad)); !errors.Is(err, ErrTampered) {
			t.Errorf("Open with aad %q = %q, %v; want ErrTampered", aad, pt, err)
		}
	}
	if _, err := k.Open(s, nil); err == nil {
		t.Error("Open with no aad succeeded")
	}
	if _, err := k.Seal(rand.Reader, []byte("x"), nil); err == nil {
		t.Error("Seal with no aad succeeded")
	}
}

func TestUnknownKey(t *testing.T) {
	a, b := newTestKeyring(t, 1), newTestKeyring(t, 2)
	s := mustSeal(t, a, "secret", "t:1")
	if _, err := b.Open(s, []byte("t:1")); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Open under another keyring: %v, want ErrUnknownKey", err)
	} else if !strings.Contains(err.Error(), s.KeyID) {
		t.Errorf("error %q does not name the key id %s", err, s.KeyID)
	}
	if _, err := b.Rewrap(s); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Rewrap under another keyring: %v, want ErrUnknownKey", err)
	}
	var nilRing *Keyring
	if _, err := nilRing.Open(s, []byte("t:1")); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Open with nil keyring: %v, want ErrUnknownKey", err)
	}
}

// A key swapped in from the same keyring must not open the value either.
func TestWrappedKeyUnderOtherKeyFails(t *testing.T) {
	k := newTestKeyring(t, 1)
	s := mustSeal(t, k, "secret", "t:1")
	if err := k.Rotate(testRand(2)); err != nil {
		t.Fatal(err)
	}
	s.KeyID = k.Current().ID()
	if _, err := k.Open(s, []byte("t:1")); !errors.Is(err, ErrTampered) {
		t.Errorf("Open with key id changed: %v, want ErrTampered", err)
	}
}

func TestMalformedSealed(t *testing.T) {
	k := newTestKeyring(t, 1)
	good := mustSeal(t, k, "secret", "t:1")
	tests := map[string]func(*Sealed){
		"zero version":  func(s *Sealed) { s.Version = 0 },
		"version 2":     func(s *Sealed) { s.Version = 2 },
		"short key id":  func(s *Sealed) { s.KeyID = s.KeyID[:15] },
		"upper key id":  func(s *Sealed) { s.KeyID = strings.ToUpper(s.KeyID) },
		"no key id":     func(s *Sealed) { s.KeyID = "" },
		"short wrapped": func(s *Sealed) { s.WrappedKey = s.WrappedKey[:39] },
		"nil nonce":     func(s *Sealed) { s.Nonce = nil },
		"long nonce":    func(s *Sealed) { s.Nonce = append(bytes.Clone(s.Nonce), 0) },
		"short ct":      func(s *Sealed) { s.Ciphertext = s.Ciphertext[:15] },
	}
	for name, mutate := range tests {
		t.Run(name, func(t *testing.T) {
			s := good.clone()
			mutate(&s)
			if b := s.Marshal(); b != nil {
				t.Errorf("Marshal = %x, want nil", b)
			}
			if _, err := k.Open(s, []byte("t:1")); !errors.Is(err, ErrTampered) {
				t.Errorf("Open: %v, want ErrTampered", err)
			}
			if _, err := k.Rewrap(s); !errors.Is(err, ErrTampered) {
				t.Errorf("Rewrap: %v, want ErrTampered", err)
			}
		})
	}
	if _, err := k.Open(Sealed{}, []byte("t:1")); !errors.Is(err, ErrTampered) {
		t.Errorf("Open(zero): %v", err)
	}
}

func TestParseSealedCopies(t *testing.T) {
	k := newTestKeyring(t, 1)
	data := mustSeal(t, k, "secret", "t:1").Marshal()
	s, err := ParseSealed(data)
	if err != nil {
		t.Fatal(err)
	}
	clear(data) // as a database driver reusing its buffer might
	if pt, err := k.Open(s, []byte("t:1")); err != nil || string(pt) != "secret" {
		t.Errorf("Open after the input was overwritten = %q, %v", pt, err)
	}
}

func TestSealErrors(t *testing.T) {
	k := newTestKeyring(t, 1)
	if _, err := k.Seal(nil, []byte("x"), []byte("t:1")); err == nil {
		t.Error("Seal with nil random succeeded")
	}
	if _, err := k.Seal(iotest.ErrReader(errors.New("no entropy")), []byte("x"), []byte("t:1")); err == nil {
		t.Error("Seal with a failing random succeeded")
	}
	if _, err := k.Seal(bytes.NewReader(make([]byte, 20)), []byte("x"), []byte("t:1")); err == nil {
		t.Error("Seal with a short random succeeded")
	}
	var nilRing *Keyring
	if _, err := nilRing.Seal(rand.Reader, []byte("x"), []byte("t:1")); err == nil {
		t.Error("Seal with a nil keyring succeeded")
	}
	if _, err := new(Keyring).Seal(rand.Reader, []byte("x"), []byte("t:1")); err == nil {
		t.Error("Seal with an empty keyring succeeded")
	}
}

func TestRotation(t *testing.T) {
	k := newTestKeyring(t, 1)
	oldID := k.Current().ID()
	old := mustSeal(t, k, "sealed before the rotation", "t:1")

	if err := k.Rotate(testRand(2)); err != nil {
		t.Fatal(err)
	}
	newID := k.Current().ID()
	if newID == oldID {
		t.Fatal("Rotate kept the current key")
	}
	if ids := k.Keys(); len(ids) != 2 || ids[0].ID() != oldID || ids[1].ID() != newID {
		t.Errorf("Keys = %v", ids)
	}

	// Old records still open; new ones use the new key.
	if pt, err := k.Open(old, []byte("t:1")); err != nil || string(pt) != "sealed before the rotation" {
		t.Errorf("Open old after Rotate = %q, %v", pt, err)
	}
	fresh := mustSeal(t, k, "sealed after", "t:2")
	if fresh.KeyID != newID {
		t.Errorf("new value uses key %s, want %s", fresh.KeyID, newID)
	}
	if !old.NeedsRewrap(k) || fresh.NeedsRewrap(k) {
		t.Errorf("NeedsRewrap: old %v, fresh %v", old.NeedsRewrap(k), fresh.NeedsRewrap(k))
	}

	// Rewrap moves the old record without touching its ciphertext.
	moved, err := k.Rewrap(old)
	if err != nil {
		t.Fatal(err)
	}
	if moved.KeyID != newID || moved.NeedsRewrap(k) {
		t.Errorf("Rewrap: key %s, NeedsRewrap %v", moved.KeyID, moved.NeedsRewrap(k))
	}
	if !bytes.Equal(moved.Ciphertext, old.Ciphertext) || !bytes.Equal(moved.Nonce, old.Nonce) {
		t.Error("Rewrap changed the ciphertext or nonce")
	}
	if bytes.Equal(moved.WrappedKey, old.WrappedKey) {
		t.Error("Rewrap did not change the wrapped key")
	}
	if pt, err := k.Open(moved, []byte("t:1")); err != nil || string(pt) != "sealed before the rotation" {
		t.Errorf("Open rewrapped = %q, %v", pt, err)
	}
	if _, err := k.Open(moved, []byte("t:2")); !errors.Is(err, ErrTampered) {
		t.Errorf("rewrapped value opened under another aad: %v", err)
	}

	// Rewrapping a value already on the current key changes nothing.
	again, err := k.Rewrap(moved)
	if err != nil || !bytes.Equal(again.Marshal(), moved.Marshal()) {
		t.Errorf("second Rewrap changed the value (%v)", err)
	}

	// A keyring without the old key opens the rewrapped value, not the old one.
	if err := k.Remove(oldID); err != nil {
		t.Fatal(err)
	}
	file, err := k.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	newOnly, err := ParseKeyring(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(newOnly.Keys()) != 1 {
		t.Fatalf("keys after Remove: %v", newOnly)
	}
	if pt, err := newOnly.Open(moved, []byte("t:1")); err != nil || string(pt) != "sealed before the rotation" {
		t.Errorf("Open rewrapped without the old key = %q, %v", pt, err)
	}
	if _, err := newOnly.Open(old, []byte("t:1")); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Open old without the old key: %v, want ErrUnknownKey", err)
	}
}

func TestRewrapTamperedWrappedKey(t *testing.T) {
	k := newTestKeyring(t, 1)
	s := mustSeal(t, k, "secret", "t:1")
	if err := k.Rotate(testRand(2)); err != nil {
		t.Fatal(err)
	}
	s.WrappedKey[3] ^= 0x10
	if _, err := k.Rewrap(s); !errors.Is(err, ErrTampered) {
		t.Errorf("Rewrap of an altered wrapped key: %v, want ErrTampered", err)
	}
}

func TestRotateAndRemoveErrors(t *testing.T) {
	k := newTestKeyring(t, 1)
	// The same "random" stream again yields the same key: refused.
	if err := k.Rotate(testRand(1)); err == nil {
		t.Error("Rotate accepted a key already in the keyring")
	}
	if err := k.Rotate(nil); err == nil {
		t.Error("Rotate with nil random succeeded")
	}
	if len(k.Keys()) != 1 {
		t.Errorf("failed rotations changed the keyring: %v", k)
	}
	if err := k.Remove(k.Current().ID()); err == nil {
		t.Error("Remove dropped the current key")
	}
	if err := k.Remove("0000000000000000"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Remove of an unknown key: %v", err)
	}
	if _, err := NewKeyring(nil); err == nil {
		t.Error("NewKeyring(nil) succeeded")
	}
	if _, err := NewKeyring(bytes.NewReader(make([]byte, 31))); err == nil {
		t.Error("NewKeyring with 31 bytes of randomness succeeded")
	}
}

// No printed form of a key or keyring may contain the key bytes.
func TestKeysNeverPrinted(t *testing.T) {
	k, err := ParseKeyring([]byte(vectorKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	kek := k.Current()
	forbidden := []string{
		"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", // base64
		"000102030405060708090a0b0c0d0e0f",            // hex
		"000102030405060708090A0B0C0D0E0F",
		"[0 1 2 3 4 5 6 7 8 9 10", // decimal
		"\x00\x01\x02\x03\x04\x05\x06\x07",
	}
	var outs []string
	for _, v := range []any{kek, &kek, k, *k.keys[0], []KEK{kek}, struct{ K KEK }{kek}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
			outs = append(outs, fmt.Sprintf(verb, v))
		}
	}
	outs = append(outs, kek.String(), k.String(), kek.LogValue().String(), k.LogValue().String())
	for _, out := range outs {
		for _, f := range forbidden {
			if strings.Contains(out, f) {
				t.Errorf("printed form %q contains key bytes", out)
			}
		}
	}
	if got := k.String(); got != "Keyring(665e2a8696ef7625 current)" {
		t.Errorf("String = %q", got)
	}
	if got := fmt.Sprint(kek); got != "KEK(665e2a8696ef7625)" {
		t.Errorf("Sprint(kek) = %q", got)
	}
}

func BenchmarkSeal1KiB(b *testing.B) {
	k := newTestKeyring(b, 1)
	pt := bytes.Repeat([]byte("a"), 1024)
	aad := []byte("victim_compartment:42")
	b.SetBytes(int64(len(pt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Seal(rand.Reader, pt, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen1KiB(b *testing.B) {
	k := newTestKeyring(b, 1)
	pt := bytes.Repeat([]byte("a"), 1024)
	aad := []byte("victim_compartment:42")
	data := mustSeal(b, k, string(pt), string(aad)).Marshal()
	b.SetBytes(int64(len(pt)))
	b.ReportAllocs()
	for b.Loop() {
		s, err := ParseSealed(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := k.Open(s, aad); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRewrap(b *testing.B) {
	k := newTestKeyring(b, 1)
	s := mustSeal(b, k, strings.Repeat("a", 1024), "t:1")
	if err := k.Rotate(testRand(2)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Rewrap(s); err != nil {
			b.Fatal(err)
		}
	}
}

// Seal, Open and Rewrap may run while another goroutine rotates.
func TestConcurrentUse(t *testing.T) {
	k := newTestKeyring(t, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := byte(2); i < 12; i++ {
			if err := k.Rotate(testRand(i)); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := 0; i < 200; i++ {
		s, err := k.Seal(rand.Reader, []byte("secret"), []byte("t:1"))
		if err != nil {
			t.Fatal(err)
		}
		if s, err = k.Rewrap(s); err != nil {
			t.Fatal(err)
		}
		if pt, err := k.Open(s, []byte("t:1")); err != nil || string(pt) != "secret" {
			t.Fatalf("Open = %q, %v", pt, err)
		}
		_ = s.NeedsRewrap(k)
	}
	<-done
}

func TestNilAndEmptyKeyrings(t *testing.T) {
	var nilRing *Keyring
	empty := new(Keyring)
	s := mustSeal(t, newTestKeyring(t, 1), "secret", "t:1")
	for _, k := range []*Keyring{nilRing, empty} {
		if id := k.Current().ID(); id != "" {
			t.Errorf("Current of %v = %s", k, id)
		}
		if len(k.Keys()) != 0 {
			t.Errorf("Keys of %v = %v", k, k.Keys())
		}
		if s.NeedsRewrap(k) {
			t.Errorf("NeedsRewrap(%v) = true", k)
		}
		if _, err := k.Rewrap(s); err == nil {
			t.Errorf("Rewrap with %v succeeded", k)
		}
		if _, err := k.Marshal(); err == nil {
			t.Errorf("Marshal of %v succeeded", k)
		}
	}
	if err := nilRing.Rotate(rand.Reader); err == nil {
		t.Error("Rotate of a nil keyring succeeded")
	}
	if err := nilRing.Remove("0000000000000000"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("Remove from a nil keyring: %v", err)
	}
	if got := fmt.Sprint(nilRing); got != "Keyring(nil)" {
		t.Errorf("Sprint(nil keyring) = %q", got)
	}
}
