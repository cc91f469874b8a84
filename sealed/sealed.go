package sealed

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
)

// ErrTampered means a sealed value is not intact: a byte was changed, it
// was cut short, it is not a sealed value at all, or it was sealed for a
// different place (associated data) than the one it is being opened for,
// typically because it was copied from another row. The value must not be
// shown; log the failure loudly. Errors wrap it, so test with errors.Is.
var ErrTampered = errors.New("sealed value altered, truncated or moved")

// ErrUnknownKey means a value is wrapped under a key-encryption key that
// the keyring does not hold: the key file is missing a key that was
// rotated out too early, or is the wrong deployment's file. The message
// names the key id needed. Errors wrap it, so test with errors.Is.
var ErrUnknownKey = errors.New("key-encryption key not in the keyring")

// Version1 is the only format of sealed values so far: the data key
// wrapped with AES Key Wrap (RFC 3394) under a 256-bit KEK, the record
// encrypted with AES-256-GCM under the data key with a 96-bit nonce.
const Version1 byte = 1

// Sizes of the fields of a Version1 value.
const (
	dekSize        = 32           // AES-256 data key
	wrappedKeySize = dekSize + 8  // RFC 3394 adds one 64-bit block
	nonceSize      = 12           // the GCM standard nonce
	tagSize        = 16           // the GCM tag
	keyIDSize      = keyIDLen / 2 // the key id, as bytes
	headerSize     = 1 + keyIDSize + wrappedKeySize + nonceSize
	minSealedSize  = headerSize + tagSize
	recordDomain   = "drive/sealed/record\x00"
	recordAADExtra = 1 + len(recordDomain)
)

// Sealed is one encrypted value as stored: which key-encryption key wraps
// its data key, the wrapped data key, and the record encrypted under the
// data key. It holds nothing secret. Store it with Marshal and read it back
// with ParseSealed; its fields are exported for inspection and tests, and
// a value whose fields were changed by hand simply fails to open.
type Sealed struct {
	// Version is the format version (Version1).
	Version byte
	// KeyID names the key-encryption key that wraps the data key.
	KeyID string
	// WrappedKey is the data key wrapped under that KEK (40 bytes).
	WrappedKey []byte
	// Nonce is the GCM nonce of the record's encryption (12 bytes).
	Nonce []byte
	// Ciphertext is the encrypted record followed by its 16-byte GCM tag.
	Ciphertext []byte
}

// Seal encrypts plaintext for storing at the place named by aad, under a
// new random data key wrapped with the keyring's current key.
//
// aad must name the value's place exactly and stably, for example
// "victim_compartment.details:42" (table, column, row id): the value opens
// only with the same aad, so a ciphertext copied onto another row fails
// with ErrTampered. It is authenticated, not encrypted, and is not stored
// in the value. random must be a cryptographically secure source
// (crypto/rand.Reader) outside tests.
//
// Seal fails if aad is empty, random is nil or cannot be read, or the
// keyring is nil or has no current key. plaintext may be empty.
func (k *Keyring) Seal(random io.Reader, plaintext, aad []byte) (Sealed, error) {
	if len(aad) == 0 {
		return Sealed{}, errors.New("sealed: seal: no associated data naming the value's place")
	}
	if random == nil {
		return Sealed{}, errors.New("sealed: seal: no source of randomness")
	}
	if k == nil {
		return Sealed{}, errors.New("sealed: seal: no keyring")
	}
	k.mu.RLock()
	kek := k.current
	k.mu.RUnlock()
	if kek == nil {
		return Sealed{}, errors.New("sealed: seal: the keyring has no current key")
	}

	var buf [dekSize + nonceSize]byte
	if _, err := io.ReadFull(random, buf[:]); err != nil {
		return Sealed{}, fmt.Errorf("sealed: seal: reading randomness: %w", err)
	}
	defer clear(buf[:])
	dek, nonce := buf[:dekSize], buf[dekSize:]

	aead, err := newGCM(dek)
	if err != nil {
		return Sealed{}, err
	}
	ct := make([]byte, 0, len(plaintext)+tagSize)
	ct = aead.Seal(ct, nonce, plaintext, recordAAD(Version1, aad))
	return Sealed{
		Version:    Version1,
		KeyID:      kek.id,
		WrappedKey: wrapKey(kek.block(), dek),
		Nonce:      bytes.Clone(nonce),
		Ciphertext: ct,
	}, nil
}

// Open decrypts s, which must have been sealed for the place named by aad
// (the same aad as given to Seal). It returns the plaintext only if every
// byte of s is as Seal (or Rewrap) made it.
//
// Open returns an error wrapping ErrUnknownKey if the keyring (or a nil
// keyring) does not hold the key s names, and an error wrapping ErrTampered
// if s is malformed, altered, or sealed for a different aad. It fails if
// aad is empty. It never returns partial or unauthenticated plaintext.
func (k *Keyring) Open(s Sealed, aad []byte) ([]byte, error) {
	if len(aad) == 0 {
		return nil, errors.New("sealed: open: no associated data naming the value's place")
	}
	if err := s.check(); err != nil {
		return nil, fmt.Errorf("sealed: open: %w", err)
	}
	kek, err := k.lookup(s.KeyID)
	if err != nil {
		return nil, fmt.Errorf("sealed: open: %w", err)
	}
	dek, err := unwrapKey(kek.block(), s.WrappedKey)
	if err != nil {
		return nil, fmt.Errorf("sealed: open: the data key does not unwrap under key %s: %w", s.KeyID, ErrTampered)
	}
	defer clear(dek)
	aead, err := newGCM(dek)
	if err != nil {
		return nil, err
	}
	plaintext, err := aead.Open(nil, s.Nonce, s.Ciphertext, recordAAD(s.Version, aad))
	if err != nil {
		return nil, fmt.Errorf("sealed: open: the ciphertext does not authenticate for this place: %w", ErrTampered)
	}
	return plaintext, nil
}

// Rewrap returns s with its data key re-wrapped under the keyring's current
// key, for rotation: only the 40-byte wrapped key and the key id change, the
// ciphertext is neither decrypted nor re-encrypted, so no associated data
// is needed and millions of values can be moved cheaply. A value already
// under the current key is returned unchanged. The result shares no memory
// with s.
//
// Rewrap checks the wrapped data key but cannot check the ciphertext (that
// needs the aad), so a value whose ciphertext was altered is re-wrapped and
// fails later in Open. It returns an error wrapping ErrUnknownKey if the
// keyring does not hold the key s names, an error wrapping ErrTampered if s
// is malformed or its wrapped key does not unwrap, and an error if the
// keyring is nil or has no current key.
func (k *Keyring) Rewrap(s Sealed) (Sealed, error) {
	if err := s.check(); err != nil {
		return Sealed{}, fmt.Errorf("sealed: rewrap: %w", err)
	}
	if k == nil {
		return Sealed{}, errors.New("sealed: rewrap: no keyring")
	}
	k.mu.RLock()
	cur := k.current
	old := k.lookupLocked(s.KeyID)
	k.mu.RUnlock()
	if cur == nil {
		return Sealed{}, errors.New("sealed: rewrap: the keyring has no current key")
	}
	if old == nil {
		return Sealed{}, fmt.Errorf("sealed: rewrap: key %s: %w", s.KeyID, ErrUnknownKey)
	}
	if old == cur {
		return s.clone(), nil
	}
	dek, err := unwrapKey(old.block(), s.WrappedKey)
	if err != nil {
		return Sealed{}, fmt.Errorf("sealed: rewrap: the data key does not unwrap under key %s: %w", s.KeyID, ErrTampered)
	}
	defer clear(dek)
	out := s.clone()
	out.KeyID = cur.id
	out.WrappedKey = wrapKey(cur.block(), dek)
	return out, nil
}

// NeedsRewrap reports whether s is wrapped under a key other than k's
// current key, so that a rotation job can skip values already moved. It
// is false for a nil keyring or one without a current key, which have
// nothing to move values to.
func (s Sealed) NeedsRewrap(k *Keyring) bool {
	if k == nil {
		return false
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.current != nil && s.KeyID != k.current.id
}

// Marshal encodes s for a BLOB or BYTEA column. The Version1 layout is:
//
//	offset  size  field
//	0       1     version, 0x01
//	1       8     key id (the 8 bytes its 16 hexadecimal digits spell)
//	9       40    data key wrapped with AES Key Wrap (RFC 3394) under the KEK
//	49      12    GCM nonce
//	61      n+16  ciphertext of the n-byte record, then the GCM tag
//
// The record is encrypted with AES-256-GCM under the data key, with
// associated data 0x01, "drive/sealed/record", a zero byte and the caller's
// associated data. Every value from Seal, Rewrap or ParseSealed marshals;
// for any other (the zero Sealed, or fields of the wrong size) Marshal
// returns nil, which ParseSealed rejects, rather than bytes that could be
// mistaken for a value.
func (s Sealed) Marshal() []byte {
	if s.check() != nil {
		return nil
	}
	out := make([]byte, 0, headerSize+len(s.Ciphertext))
	out = append(out, s.Version)
	out, _ = hex.AppendDecode(out, []byte(s.KeyID))
	out = append(out, s.WrappedKey...)
	out = append(out, s.Nonce...)
	out = append(out, s.Ciphertext...)
	return out
}

// ParseSealed decodes a value written by Marshal. It checks the layout
// only; Open checks the contents. The result shares no memory with data, so
// a database driver may reuse its buffer.
//
// It returns an error wrapping ErrTampered if data is too short to be a
// value or has an unknown format version.
func ParseSealed(data []byte) (Sealed, error) {
	if len(data) == 0 {
		return Sealed{}, fmt.Errorf("sealed: parse: empty value: %w", ErrTampered)
	}
	if data[0] != Version1 {
		return Sealed{}, fmt.Errorf("sealed: parse: unknown format version %d: %w", data[0], ErrTampered)
	}
	if len(data) < minSealedSize {
		return Sealed{}, fmt.Errorf("sealed: parse: %d bytes is too short for a value: %w", len(data), ErrTampered)
	}
	p := 1
	next := func(n int) []byte {
		b := data[p : p+n]
		p += n
		return b
	}
	s := Sealed{Version: data[0]}
	s.KeyID = hex.EncodeToString(next(keyIDSize))
	s.WrappedKey = bytes.Clone(next(wrappedKeySize))
	s.Nonce = bytes.Clone(next(nonceSize))
	s.Ciphertext = bytes.Clone(data[p:])
	return s, nil
}

// check reports, wrapping ErrTampered, whether s has the shape of a value
// of a known version.
func (s Sealed) check() error {
	switch {
	case s.Version != Version1:
		return fmt.Errorf("unknown format version %d: %w", s.Version, ErrTampered)
	case !validKeyID(s.KeyID):
		return fmt.Errorf("malformed key id: %w", ErrTampered)
	case len(s.WrappedKey) != wrappedKeySize:
		return fmt.Errorf("wrapped key of %d bytes: %w", len(s.WrappedKey), ErrTampered)
	case len(s.Nonce) != nonceSize:
		return fmt.Errorf("nonce of %d bytes: %w", len(s.Nonce), ErrTampered)
	case len(s.Ciphertext) < tagSize:
		return fmt.Errorf("ciphertext of %d bytes: %w", len(s.Ciphertext), ErrTampered)
	}
	return nil
}

// clone returns a copy of s sharing no memory with it.
func (s Sealed) clone() Sealed {
	s.WrappedKey = bytes.Clone(s.WrappedKey)
	s.Nonce = bytes.Clone(s.Nonce)
	s.Ciphertext = bytes.Clone(s.Ciphertext)
	return s
}

// lookup returns the key with the given id, or an error wrapping
// ErrUnknownKey naming it.
func (k *Keyring) lookup(id string) (*KEK, error) {
	if k != nil {
		k.mu.RLock()
		kek := k.lookupLocked(id)
		k.mu.RUnlock()
		if kek != nil {
			return kek, nil
		}
	}
	return nil, fmt.Errorf("key %s: %w", id, ErrUnknownKey)
}

// recordAAD is the associated data of a record's GCM encryption: the
// format version and a domain label before the caller's aad, so that a
// value cannot be replayed as another version or another use of the key.
// The prefix has a fixed length, so the encoding is unambiguous.
func recordAAD(version byte, aad []byte) []byte {
	out := make([]byte, 0, recordAADExtra+len(aad))
	out = append(out, version)
	out = append(out, recordDomain...)
	return append(out, aad...)
}

// newGCM returns AES-256-GCM with the standard nonce and tag sizes.
func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sealed: %w", err)
	}
	return aead, nil
}
