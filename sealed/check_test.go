package sealed

import (
	"crypto/rand"
	"errors"
	"testing"
)

func TestCheckKey(t *testing.T) {
	k, err := NewKeyring(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := k.Seal(rand.Reader, []byte("synthetic text"), []byte("place:1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := k.CheckKey(s); err != nil {
		t.Fatalf("CheckKey of a value it sealed: %v", err)
	}
	other, err := NewKeyring(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.CheckKey(s); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("CheckKey with another keyring = %v, want ErrUnknownKey", err)
	}
	bad := s.clone()
	bad.WrappedKey[3] ^= 1
	if err := k.CheckKey(bad); !errors.Is(err, ErrTampered) {
		t.Errorf("CheckKey of a damaged wrapped key = %v, want ErrTampered", err)
	}
}
