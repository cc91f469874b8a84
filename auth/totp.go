package auth

import (
	"crypto/hmac"
	"crypto/sha1" // #nosec G505 -- RFC 6238 TOTP is HMAC-SHA-1, which every authenticator app uses
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/drive-platform/drive"
)

// TOTP parameters (RFC 6238). SHA-1, six digits and 30 seconds are what
// every authenticator app supports; the others are optional in apps and
// would be ignored by some of them, locking people out.
const (
	TOTPDigits = 6
	TOTPPeriod = 30 * time.Second

	totpSecretBytes    = 20 // 160 bits, the size RFC 4226 recommends
	totpMinSecretBytes = 16 // 128 bits, the least RFC 4226 allows
)

// Errors that VerifyTOTP wraps in its *drive.Error, so that the caller can
// tell a replay (worth logging as a possible attack) from a mistyped code
// with errors.Is.
var (
	ErrTOTPMismatch = errors.New("auth: totp code does not match")
	ErrTOTPReused   = errors.New("auth: totp code already used")
)

// base32NoPad returns the encoding of TOTP secrets: RFC 4648 base32 without
// padding, which is what authenticator apps expect in a provisioning URI.
func base32NoPad() *base32.Encoding {
	return base32.StdEncoding.WithPadding(base32.NoPadding)
}

// NewTOTPSecret returns a new random 160-bit TOTP secret, base32-encoded
// without padding (32 characters), to store for the account and to show in
// the enrolment QR code. It returns a plain error if rand fails.
func NewTOTPSecret(rand io.Reader) (string, error) {
	b := make([]byte, totpSecretBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", fmt.Errorf("auth: new totp secret: %w", err)
	}
	return base32NoPad().EncodeToString(b), nil
}

// decodeTOTPSecret decodes a base32 secret, tolerating lower case, spaces
// and padding, since secrets are sometimes typed or copied by hand.
func decodeTOTPSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(removeSpaces(secret))
	s = strings.TrimRight(s, "=")
	key, err := base32NoPad().DecodeString(s)
	if err != nil {
		return nil, errors.New("auth: totp secret is not base32")
	}
	if len(key) < totpMinSecretBytes {
		return nil, fmt.Errorf("auth: totp secret has %d bits, want at least %d", 8*len(key), 8*totpMinSecretBytes)
	}
	return key, nil
}

// totpStep returns the RFC 6238 time step T for t: whole periods since the
// Unix epoch.
func totpStep(t time.Time) (int64, error) {
	u := t.Unix()
	if u < 0 {
		return 0, errors.New("auth: totp time is before 1970")
	}
	return u / int64(TOTPPeriod/time.Second), nil
}

// hotp computes the RFC 4226 HOTP value of key at counter with the given
// number of digits (at most 9), zero-padded.
func hotp(key []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	// Dynamic truncation (RFC 4226 section 5.3).
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// TOTPCode returns the six-digit code for secret at time t. The application
// needs it only in tests and to show a code to an operator who is checking
// a device; sign-in uses VerifyTOTP. It returns a plain error if secret is
// not base32 of at least 128 bits or t is before 1970.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return "", err
	}
	step, err := totpStep(t)
	if err != nil {
		return "", err
	}
	return hotp(key, uint64(step), TOTPDigits), nil
}

// VerifyTOTP checks a code typed by a person against secret at time now,
// and returns the time step the code belongs to. The caller must store that
// step and pass it as lastStep next time: a code is accepted only for a step
// later than lastStep, so each code works once and an intercepted code
// cannot be replayed. Pass lastStep -1 (or any negative number) for an
// account that has never used a code.
//
// The code may contain spaces (123 456). Codes of the previous and next
// step are accepted too, for clocks that are slightly off and for people
// who type as the code changes. Every candidate is computed and compared in
// constant time.
//
// Errors:
//   - EINVALID *drive.Error if the code is not six digits;
//   - EUNAUTHORIZED *drive.Error wrapping ErrTOTPMismatch if it is wrong;
//   - EUNAUTHORIZED *drive.Error wrapping ErrTOTPReused if it matches a
//     step that was already used;
//   - a plain error if secret is not a valid secret or now is before 1970.
//
// Wrong codes must be counted as failed sign-ins (see Lockout): six digits
// with three accepted steps can be guessed by brute force otherwise.
func VerifyTOTP(secret, code string, now time.Time, lastStep int64) (step int64, err error) {
	key, err := decodeTOTPSecret(secret)
	if err != nil {
		return 0, err
	}
	current, err := totpStep(now)
	if err != nil {
		return 0, err
	}
	code = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, code)
	if !isDigits(code, TOTPDigits) {
		const msg = "Enter the 6-digit code shown in your authenticator app."
		return 0, drive.Invalid(msg, map[string]string{"code": msg})
	}

	matched, reused := int64(-1), false
	for _, s := range [3]int64{current - 1, current, current + 1} {
		if s < 0 {
			continue
		}
		eq := subtle.ConstantTimeCompare([]byte(hotp(key, uint64(s), TOTPDigits)), []byte(code)) == 1
		switch {
		case eq && s > lastStep && matched < 0:
			matched = s
		case eq && s <= lastStep:
			reused = true
		}
	}
	if matched >= 0 {
		return matched, nil
	}
	if reused {
		return 0, drive.Wrap(ErrTOTPReused, drive.EUNAUTHORIZED,
			"That code has already been used. Wait for your authenticator app to show a new code, then enter it.")
	}
	return 0, drive.Wrap(ErrTOTPMismatch, drive.EUNAUTHORIZED,
		"That code is not right. Enter the code your authenticator app shows now; if it still fails, check that the phone's clock is set automatically.")
}

// isDigits reports whether s is exactly n ASCII digits.
func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ProvisioningURI returns the otpauth://totp/ URI that an authenticator app
// reads from the enrolment QR code, in the Key URI format that the common
// apps understand: label "issuer:account", and the secret, issuer,
// algorithm, digits and period as parameters. Colons in issuer or account
// are escaped, since a bare colon separates the two in the label. It cannot
// fail; the secret is passed through as given.
func ProvisioningURI(issuer, account, secret string) string {
	label := escapeURIPart(issuer) + ":" + escapeURIPart(account)
	if issuer == "" {
		label = escapeURIPart(account)
	}
	q := "secret=" + escapeURIPart(secret)
	if issuer != "" {
		q += "&issuer=" + escapeURIPart(issuer)
	}
	q += fmt.Sprintf("&algorithm=SHA1&digits=%d&period=%d", TOTPDigits, int(TOTPPeriod/time.Second))
	return "otpauth://totp/" + label + "?" + q
}

// escapeURIPart percent-encodes s for both the label and the query of an
// otpauth URI. Spaces become %20 rather than +, because some apps show a +
// literally.
func escapeURIPart(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
