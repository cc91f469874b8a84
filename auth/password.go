package auth

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"github.com/drive-platform/drive"
)

// Params are the argon2id cost parameters of a password hash. They are
// written into every hash string, so they can be raised later: hashes made
// with older parameters still verify, and VerifyPassword reports that they
// need rehashing.
type Params struct {
	Memory  uint32 // memory in KiB
	Time    uint32 // number of passes over the memory
	Threads uint8  // degree of parallelism (lanes)
	SaltLen uint32 // salt length in bytes
	KeyLen  uint32 // hash length in bytes
}

// DefaultParams returns the parameters for production hashes: 19 MiB of
// memory, two passes, one lane, the minimum that OWASP recommends for
// argon2id. It is a function rather than a variable so that no code can
// lower the production cost by assignment.
func DefaultParams() Params {
	return Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// TestParams returns cheap parameters for tests that hash many passwords.
// They are far too weak for real passwords; never use them outside tests.
// A hash made with them reports needsRehash when verified against
// DefaultParams.
func TestParams() Params {
	return Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Bounds on parameters. The upper bounds matter when verifying: a hash
// string comes from storage, and a tampered one must not be able to make a
// single sign-in allocate gigabytes or run for minutes.
const (
	maxMemory  = 1 << 20 // KiB, 1 GiB
	maxTime    = 64
	maxThreads = 64
	minSaltLen = 16
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64

	// maxPasswordBytes bounds the input to argon2. CheckPassword allows
	// 128 characters, at most 512 bytes of UTF-8; normalisation can grow a
	// string a little, so the bound leaves room.
	maxPasswordBytes = 4096

	argonVersion = argon2.Version // 0x13, written as v=19
)

// ErrMalformedHash is returned, wrapped, when a stored password hash is not a
// well-formed argon2id PHC string within the accepted bounds. It means the
// stored data is damaged or was tampered with; the error text never includes
// the hash itself.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// validate reports whether p is within the bounds this package accepts. The
// lower bounds are those of argon2 itself and of a sound salt, not of a sound
// cost: TestParams must pass.
func (p Params) validate() error {
	switch {
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("threads %d out of range 1..%d", p.Threads, maxThreads)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d out of range 1..%d", p.Time, maxTime)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB out of range %d..%d", p.Memory, 8*uint32(p.Threads), maxMemory)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d out of range %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d out of range %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// normalisePassword puts a password into Unicode normal form C before it is
// hashed, so that the same characters typed on two devices that compose
// accents differently give the same hash.
func normalisePassword(pw string) string {
	return norm.NFC.String(pw)
}

// HashPassword hashes pw with argon2id and parameters p, using a fresh salt
// read from rand, and returns the PHC string
// $argon2id$v=19$m=...,t=...,p=...$salt$hash to store.
//
// Check the password with CheckPassword first; HashPassword does not apply
// the policy. It returns an EINVALID *drive.Error for a password longer than
// 4096 bytes, and a plain error if p is out of bounds or rand fails.
func HashPassword(rand io.Reader, pw string, p Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("auth: hash password: %w", err)
	}
	pw = normalisePassword(pw)
	if len(pw) > maxPasswordBytes {
		return "", tooLongError()
	}
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return "", fmt.Errorf("auth: hash password: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodePHC(p, salt, key), nil
}

// VerifyPassword reports whether pw matches the stored hash encoded, and
// whether the hash was made with parameters other than DefaultParams and so
// should be replaced by a new hash of pw after a successful sign-in.
//
// The comparison takes the same time whether or not the password matches.
// It returns an error wrapping ErrMalformedHash, with ok false, if encoded is
// not a well-formed argon2id hash within bounds; a wrong password is not an
// error. For accounts that do not exist, call Hasher.DummyVerify so that the
// response takes as long as for accounts that do.
func VerifyPassword(encoded, pw string) (ok bool, needsRehash bool, err error) {
	return verifyPassword(encoded, pw, DefaultParams())
}

func verifyPassword(encoded, pw string, target Params) (ok bool, needsRehash bool, err error) {
	p, salt, want, err := parsePHC(encoded)
	if err != nil {
		return false, false, err
	}
	pw = normalisePassword(pw)
	if len(pw) > maxPasswordBytes {
		// No stored password can be this long, so it cannot match.
		return false, false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	return true, p != target, nil
}

// b64 returns the PHC string format's base64: the standard alphabet without
// padding. Strict decoding refuses non-canonical trailing bits, so that one
// hash has exactly one spelling. It is a function so that the package holds
// no mutable encoder.
func b64() *base64.Encoding { return base64.RawStdEncoding.Strict() }

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argonVersion, p.Memory, p.Time, p.Threads,
		b64().EncodeToString(salt), b64().EncodeToString(key))
}

// parsePHC parses an argon2id PHC string as written by encodePHC. It is
// strict: one spelling per hash, parameters in the order m, t, p, numbers in
// decimal without sign or leading zeros, everything within bounds. Errors
// wrap ErrMalformedHash and never quote the input.
func parsePHC(s string) (p Params, salt, key []byte, err error) {
	fail := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	// "" $ "argon2id" $ "v=19" $ "m=..,t=..,p=.." $ salt $ hash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("not a PHC string of six $-separated fields")
	}
	if parts[1] != "argon2id" {
		return fail("algorithm is not argon2id")
	}
	v, ok := strings.CutPrefix(parts[2], "v=")
	if !ok {
		return fail("missing version")
	}
	if n, err := parseDecimal(v, 1<<8); err != nil || n != argonVersion {
		return fail("unsupported version")
	}
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return fail("parameters are not m, t, p")
	}
	var vals [3]uint64
	for i, name := range [3]string{"m=", "t=", "p="} {
		num, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return fail("parameters are not m, t, p")
		}
		n, err := parseDecimal(num, maxMemory)
		if err != nil {
			return fail("parameter " + name[:1] + " is not a number in range")
		}
		vals[i] = n
	}
	if vals[2] > maxThreads || vals[1] > maxTime {
		return fail("parameters out of range")
	}
	// The decoder skips \r and \n; a stored hash has no business holding
	// them, so only the alphabet itself is allowed.
	if !isB64(parts[4]) || !isB64(parts[5]) {
		return fail("salt or hash is not base64")
	}
	salt, err = b64().DecodeString(parts[4])
	if err != nil {
		return fail("salt is not base64")
	}
	key, err = b64().DecodeString(parts[5])
	if err != nil {
		return fail("hash is not base64")
	}
	p = Params{
		Memory:  uint32(vals[0]),
		Time:    uint32(vals[1]),
		Threads: uint8(vals[2]),
		SaltLen: uint32(len(salt)),
		KeyLen:  uint32(len(key)),
	}
	if err := p.validate(); err != nil {
		return fail("parameters out of range")
	}
	return p, salt, key, nil
}

// isB64 reports whether s holds only characters of the standard base64
// alphabet, without padding.
func isB64(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// parseDecimal parses a non-negative decimal number no greater than max,
// written without sign, spaces or leading zeros.
func parseDecimal(s string, max uint64) (uint64, error) {
	if s == "" || len(s) > 20 || (len(s) > 1 && s[0] == '0') {
		return 0, errors.New("not a canonical decimal")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("not a canonical decimal")
		}
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > max {
		return 0, errors.New("out of range")
	}
	return n, nil
}

// Hasher hashes and verifies passwords with one set of parameters, and holds
// a dummy hash made with the same parameters so that a sign-in for an
// account that does not exist takes as long as one for an account that
// does. Construct one with NewHasher at start-up and share it; it is safe
// for concurrent use because it never changes after construction.
type Hasher struct {
	params Params
	dummy  string
	// computed counts the password hashes computed through this Hasher
	// (Hash, Verify and DummyVerify), for Computed.
	computed atomic.Uint64
}

// NewHasher returns a Hasher for parameters p. It computes the dummy hash
// once, which costs one password hash. It returns a plain error if p is out
// of bounds or rand fails.
func NewHasher(rand io.Reader, p Params) (*Hasher, error) {
	// The dummy password is random and thrown away: nobody can sign in
	// with it, and the hash cannot be attacked to learn anything.
	secret := make([]byte, 32)
	if _, err := io.ReadFull(rand, secret); err != nil {
		return nil, fmt.Errorf("auth: new hasher: %w", err)
	}
	dummy, err := HashPassword(rand, b64().EncodeToString(secret), p)
	if err != nil {
		return nil, fmt.Errorf("auth: new hasher: %w", err)
	}
	return &Hasher{params: p, dummy: dummy}, nil
}

// Params returns the parameters the Hasher hashes with.
func (h *Hasher) Params() Params { return h.params }

// Computed returns how many password hashes the Hasher has computed since
// it was made (not counting the dummy hash NewHasher makes). Each costs the
// memory and time of Params, so this is what sign-in traffic costs the
// server: an operator can watch it, and a test can hold a refused attempt
// to costing none.
func (h *Hasher) Computed() uint64 { return h.computed.Load() }

// Hash hashes pw with the Hasher's parameters. Its errors are those of
// HashPassword.
func (h *Hasher) Hash(rand io.Reader, pw string) (string, error) {
	h.computed.Add(1)
	return HashPassword(rand, pw, h.params)
}

// Verify is VerifyPassword, except that needsRehash is measured against the
// Hasher's parameters rather than DefaultParams. Its errors are those of
// VerifyPassword.
func (h *Hasher) Verify(encoded, pw string) (ok bool, needsRehash bool, err error) {
	h.computed.Add(1)
	return verifyPassword(encoded, pw, h.params)
}

// DummyVerify spends the time of one password verification and always
// reports false. Call it when the username matches no account (or the
// account has no password), then fail exactly as for a wrong password, so
// that response times do not tell an attacker which accounts exist.
func (h *Hasher) DummyVerify(pw string) bool {
	h.computed.Add(1)
	_, _, _ = verifyPassword(h.dummy, pw, h.params)
	return false
}

func tooLongError() error {
	const msg = "Choose a password of at most 128 characters."
	return drive.Invalid(msg, map[string]string{"password": msg})
}
