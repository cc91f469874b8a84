package sealed

import (
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
)

// Data keys are wrapped with AES Key Wrap (RFC 3394, NIST SP 800-38F "KW")
// rather than AES-GCM, for three reasons:
//
//   - It needs no nonce. Rewrap takes no source of randomness (so rotation
//     can run as a plain batch job), and one KEK wraps every data key of the
//     deployment, possibly many millions over its life, with no nonce-reuse
//     bound to watch: GCM with random 96-bit nonces must stay well below 2^32
//     messages per key, and a repeated nonce would expose the KEK's
//     authentication key.
//   - It is made for exactly this job: wrapping a uniformly random key. Its
//     determinism leaks nothing because no data key is ever wrapped twice
//     under the same KEK.
//   - It authenticates: unwrapping with the wrong KEK, or a wrapped key with
//     any bit changed, fails its 64-bit integrity check, and if that were
//     ever passed by chance the resulting data key would still fail the
//     record's GCM tag.
//
// It has no associated data, and needs none: what binds a value to its
// place is the associated data of the record's own GCM encryption.

// kwIV is the default initial value of RFC 3394, section 2.2.3.1.
const kwIV uint64 = 0xa6a6a6a6a6a6a6a6

// errUnwrap is returned when a wrapped key fails its integrity check.
var errUnwrap = errors.New("wrapped key fails its integrity check")

// wrapKey wraps plaintext key material (a multiple of 8 bytes, at least 16)
// under block, which must be AES. The result is 8 bytes longer.
func wrapKey(block cipher.Block, key []byte) []byte {
	n := len(key) / 8
	if len(key)%8 != 0 || n < 2 {
		panic("sealed: wrapKey: key length must be a multiple of 8, at least 16")
	}
	out := make([]byte, 8+len(key))
	copy(out[8:], key)
	a := kwIV
	var b [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			r := out[8*i : 8*i+8]
			binary.BigEndian.PutUint64(b[:8], a)
			copy(b[8:], r)
			block.Encrypt(b[:], b[:])
			a = binary.BigEndian.Uint64(b[:8]) ^ uint64(n*j+i)
			copy(r, b[8:])
		}
	}
	binary.BigEndian.PutUint64(out[:8], a)
	clear(b[:])
	return out
}

// unwrapKey reverses wrapKey. It returns errUnwrap if wrapped has the wrong
// length or fails the integrity check, and never returns partial key
// material.
func unwrapKey(block cipher.Block, wrapped []byte) ([]byte, error) {
	n := len(wrapped)/8 - 1
	if len(wrapped)%8 != 0 || n < 2 {
		return nil, errUnwrap
	}
	key := make([]byte, 8*n)
	copy(key, wrapped[8:])
	a := binary.BigEndian.Uint64(wrapped[:8])
	var b [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			r := key[8*(i-1) : 8*i]
			binary.BigEndian.PutUint64(b[:8], a^uint64(n*j+i))
			copy(b[8:], r)
			block.Decrypt(b[:], b[:])
			a = binary.BigEndian.Uint64(b[:8])
			copy(r, b[8:])
		}
	}
	clear(b[:])
	var got, want [8]byte
	binary.BigEndian.PutUint64(got[:], a)
	binary.BigEndian.PutUint64(want[:], kwIV)
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		clear(key)
		return nil, errUnwrap
	}
	return key, nil
}
