package sealed_test

import (
	"bytes"
	"crypto/rand"
	"testing"

	"github.com/drive-platform/drive/sealed"
)

// TestName: a keyed name is the same for the same label and message under
// one key, differs by label, by message and by key, never holds the
// message, and a keyring with no key names nothing.
func TestName(t *testing.T) {
	k, err := sealed.NewKeyring(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := sealed.NewKeyring(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("203.0.113.9")
	a := k.Name("feedback-tryer", msg)
	if len(a) != 32 || !bytes.Equal(a, k.Name("feedback-tryer", msg)) {
		t.Fatalf("name %x is not 32 bytes or not repeatable", a)
	}
	for what, b := range map[string][]byte{
		"another label":   k.Name("another", msg),
		"another message": k.Name("feedback-tryer", []byte("203.0.113.10")),
		"another key":     other.Name("feedback-tryer", msg),
	} {
		if bytes.Equal(a, b) {
			t.Errorf("%s gives the same name", what)
		}
	}
	if bytes.Contains(a, msg) {
		t.Error("the name holds the message")
	}
	var none *sealed.Keyring
	if n := none.Name("feedback-tryer", msg); n != nil {
		t.Errorf("a nil keyring named %x", n)
	}
}
