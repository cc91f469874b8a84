package sealed

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
)

const (
	// kekSize is the size of a key-encryption key: AES-256.
	kekSize = 32
	// keyIDLen is the number of hexadecimal digits in a key id (8 bytes).
	keyIDLen = 16
	// keyIDDomain separates the key id hash from any other use of SHA-256
	// over the same key, so the id says nothing about the key beyond
	// naming it.
	keyIDDomain = "drive/sealed/kek-id\x00"
)

// KEK is a key-encryption key: a 256-bit AES key that wraps the per-record
// data keys, and its key id. Key ids are written into every sealed value so
// that, after a rotation, each value names the key that opens it.
//
// A KEK is obtained from a Keyring; its key bytes cannot be read out. Every
// printed form (fmt verbs, String, slog) shows the key id only, so a KEK
// that reaches a log or an error message reveals nothing secret.
type KEK struct {
	id  string
	key [kekSize]byte
}

// newKEK draws a fresh key from random.
func newKEK(random io.Reader) (KEK, error) {
	if random == nil {
		return KEK{}, errors.New("sealed: no source of randomness for the new key")
	}
	var k KEK
	if _, err := io.ReadFull(random, k.key[:]); err != nil {
		return KEK{}, fmt.Errorf("sealed: reading randomness for the new key: %w", err)
	}
	k.id = keyID(k.key[:])
	return k, nil
}

// keyID is the first 16 hexadecimal digits of SHA-256 over keyIDDomain
// followed by the 32 key bytes.
func keyID(key []byte) string {
	h := sha256.New()
	h.Write([]byte(keyIDDomain))
	h.Write(key)
	return hex.EncodeToString(h.Sum(nil))[:keyIDLen]
}

// validKeyID reports whether id has the shape of a key id: 16 lowercase
// hexadecimal digits.
func validKeyID(id string) bool {
	if len(id) != keyIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// ID returns the key id: the first 16 hexadecimal digits of SHA-256 over
// "drive/sealed/kek-id", a zero byte and the 32 key bytes. It names the key
// in sealed values, key files and messages; it is not secret, and it is
// empty for the zero KEK.
func (k KEK) ID() string { return k.id }

// String returns "KEK(<key id>)" so that a KEK can be named in messages
// without its key.
func (k KEK) String() string { return "KEK(" + k.id + ")" }

// Format prints the key id only, whatever the verb, so that no formatting
// of a KEK (including %x, %d and %#v) prints its key bytes.
func (k KEK) Format(f fmt.State, verb rune) { io.WriteString(f, k.String()) }

// LogValue logs the key id only.
func (k KEK) LogValue() slog.Value { return slog.StringValue(k.id) }

// block returns the AES cipher of the key.
func (k KEK) block() cipher.Block {
	b, err := aes.NewCipher(k.key[:])
	if err != nil {
		// Unreachable: the key is always 32 bytes.
		panic("sealed: " + err.Error())
	}
	return b
}

// Keyring holds the key-encryption keys of a deployment: one current key,
// which wraps the data keys of new values, and any number of older keys,
// kept so that values sealed before a rotation still open.
//
// A Keyring is made by NewKeyring or ParseKeyring and is safe for
// concurrent use. Like a KEK, it prints its key ids only.
type Keyring struct {
	mu sync.RWMutex
	// keys is in the order the keys were added (oldest first), which is
	// the order of the key file. Pointers, so that even a copied Keyring
	// printed with fmt shows addresses rather than key bytes.
	keys    []*KEK
	current *KEK
}

// NewKeyring returns a keyring holding one new key, drawn from random, as
// its current key. random must be a cryptographically secure source
// (crypto/rand.Reader) outside tests. It fails only if random is nil or
// cannot be read.
func NewKeyring(random io.Reader) (*Keyring, error) {
	k, err := newKEK(random)
	if err != nil {
		return nil, err
	}
	return &Keyring{keys: []*KEK{&k}, current: &k}, nil
}

// Rotate adds a new key, drawn from random, and makes it the current key;
// the keys already held stay so that existing values still open. Values
// sealed from now on use the new key; Rewrap moves existing values to it.
//
// Rotate fails, leaving the keyring unchanged, if random is nil or cannot
// be read, or if the new key's id is already in the keyring (which means
// random is not random).
func (k *Keyring) Rotate(random io.Reader) error {
	if k == nil {
		return errors.New("sealed: rotate: no keyring")
	}
	n, err := newKEK(random)
	if err != nil {
		return err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.lookupLocked(n.id) != nil {
		return fmt.Errorf("sealed: rotate: the new key's id %s is already in the keyring; the source of randomness is not random", n.id)
	}
	k.keys = append(k.keys, &n)
	k.current = &n
	return nil
}

// Remove drops the key with the given id, once no value needs it any more:
// after Rewrap has moved every value (in the database and in every backup
// that may be restored) to a newer key. Values still wrapped under a removed
// key can never be opened again, so keep a copy of the old key file until
// then.
//
// Remove refuses to drop the current key, and returns an error wrapping
// ErrUnknownKey if the keyring has no key with that id.
func (k *Keyring) Remove(id string) error {
	if k == nil {
		return fmt.Errorf("sealed: remove key %q: %w", id, ErrUnknownKey)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.current != nil && k.current.id == id {
		return fmt.Errorf("sealed: remove key %q: it is the current key; rotate first", id)
	}
	for i, kek := range k.keys {
		if kek.id == id {
			k.keys = append(k.keys[:i:i], k.keys[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("sealed: remove key %q: %w", id, ErrUnknownKey)
}

// Current returns the current key, the one new values are wrapped under
// (use its ID to report which key is in use). It returns the zero KEK for a
// nil keyring.
func (k *Keyring) Current() KEK {
	if k == nil {
		return KEK{}
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	if k.current == nil {
		return KEK{}
	}
	return *k.current
}

// Keys returns every key in the keyring, oldest first, for listing by key
// id. It returns nil for a nil keyring.
func (k *Keyring) Keys() []KEK {
	if k == nil {
		return nil
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := make([]KEK, len(k.keys))
	for i, kek := range k.keys {
		out[i] = *kek
	}
	return out
}

// String returns the key ids, oldest first, marking the current one, e.g.
// "Keyring(1f0c9a7e2b3d4c5a, 9a8b7c6d5e4f3a2b current)".
func (k *Keyring) String() string {
	if k == nil {
		return "Keyring(nil)"
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	var b strings.Builder
	b.WriteString("Keyring(")
	for i, kek := range k.keys {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(kek.id)
		if kek == k.current {
			b.WriteString(" current")
		}
	}
	b.WriteString(")")
	return b.String()
}

// Format prints the same as String whatever the verb, so that no
// formatting of a keyring prints key bytes.
func (k *Keyring) Format(f fmt.State, verb rune) { io.WriteString(f, k.String()) }

// LogValue logs the same as String.
func (k *Keyring) LogValue() slog.Value { return slog.StringValue(k.String()) }

// lookupLocked returns the key with the given id, or nil. The caller holds
// k.mu.
func (k *Keyring) lookupLocked(id string) *KEK {
	for _, kek := range k.keys {
		if kek.id == id {
			return kek
		}
	}
	return nil
}

// Name is a keyed name of msg under the current key, for label's use:
// HMAC-SHA256 under a key derived from the current key and the label, so
// that a value kept by it (a wrong-code tryer's address, say) says nothing
// to anyone who holds the database without the key file, and names from
// different labels never match. Every replica sharing the key file names
// alike. It returns nil for a nil or empty keyring.
func (k *Keyring) Name(label string, msg []byte) []byte {
	cur := k.Current()
	if cur.id == "" {
		return nil
	}
	derive := hmac.New(sha256.New, cur.key[:])
	derive.Write([]byte("drive name: " + label))
	m := hmac.New(sha256.New, derive.Sum(nil))
	m.Write(msg)
	return m.Sum(nil)
}
