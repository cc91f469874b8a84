package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
)

// Recovery codes stand in for the second factor when a person has lost
// their authenticator. Each is 15 characters from a 31-character alphabet,
// written in three groups of five (k7qmx-2xpdr-9fhta): 74 bits, enough that
// even a leaked table of their SHA-256 hashes cannot be searched for the
// codes. The alphabet leaves out 0, 1, i, l and o, which are easily
// confused when read from paper.
const (
	recoveryAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"
	recoveryGroups   = 3
	recoveryGroupLen = 5
	recoveryLen      = recoveryGroups * recoveryGroupLen
	maxRecoveryCodes = 100
)

// DefaultRecoveryCodes is how many recovery codes to issue at a time: enough
// to last a person through several lost phones, few enough to print on one
// sheet.
const DefaultRecoveryCodes = 10

// NewRecoveryCodes returns n new recovery codes to show to the person once,
// and their hashes, in the same order, to store. Pass DefaultRecoveryCodes
// unless there is a reason not to. It returns a plain error if n is not
// between 1 and 100 or rand fails.
func NewRecoveryCodes(rand io.Reader, n int) (codes []string, hashes [][]byte, err error) {
	if n < 1 || n > maxRecoveryCodes {
		return nil, nil, fmt.Errorf("auth: new recovery codes: count %d out of range 1..%d", n, maxRecoveryCodes)
	}
	codes = make([]string, n)
	hashes = make([][]byte, n)
	for i := range n {
		raw, err := randomString(rand, recoveryAlphabet, recoveryLen)
		if err != nil {
			return nil, nil, fmt.Errorf("auth: new recovery codes: %w", err)
		}
		groups := make([]string, recoveryGroups)
		for g := range groups {
			groups[g] = raw[g*recoveryGroupLen : (g+1)*recoveryGroupLen]
		}
		codes[i] = strings.Join(groups, "-")
		hashes[i] = hashRecoveryCode(raw)
	}
	return codes, hashes, nil
}

// randomString returns n characters drawn uniformly from alphabet (at most
// 256 characters). Bytes that would bias the draw are thrown away.
func randomString(rand io.Reader, alphabet string, n int) (string, error) {
	if len(alphabet) == 0 || len(alphabet) > 256 {
		return "", errors.New("alphabet size out of range")
	}
	limit := 256 - 256%len(alphabet) // largest multiple of the size that fits a byte
	out := make([]byte, 0, n)
	buf := make([]byte, n+n/2)
	for len(out) < n {
		if _, err := io.ReadFull(rand, buf); err != nil {
			return "", fmt.Errorf("read random: %w", err)
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

// normaliseRecoveryCode returns the code as issued without separators, or ""
// if it cannot be a recovery code. Case, spaces and dashes do not matter.
func normaliseRecoveryCode(code string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r == '-' || unicode.IsSpace(r):
			return -1
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return r
	}, code)
	if len(s) != recoveryLen {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(recoveryAlphabet, rune(s[i])) {
			return ""
		}
	}
	return s
}

func hashRecoveryCode(normalised string) []byte {
	sum := sha256.Sum256([]byte("drive recovery code v1\x00" + normalised))
	return sum[:]
}

// MatchRecoveryCode reports which of the stored hashes the typed code
// matches. Case, spaces and dashes are ignored. Every hash is compared, in
// constant time, whatever matches. It returns -1 and false if the code is
// malformed or matches none; the caller must then count a failed sign-in.
// On a match the caller must delete (or blank) that hash at once, so the
// code cannot be used again; nil or empty hashes never match.
func MatchRecoveryCode(code string, hashes [][]byte) (index int, ok bool) {
	s := normaliseRecoveryCode(code)
	if s == "" {
		return -1, false
	}
	h := hashRecoveryCode(s)
	index = -1
	for i, stored := range hashes {
		if subtle.ConstantTimeCompare(h, stored) == 1 && index < 0 {
			index = i
		}
	}
	return index, index >= 0
}
