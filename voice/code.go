package voice

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"time"
)

// codeAlphabet leaves out letters and digits that are easy to misread on
// a card or a small screen (0/O, 1/I/L).
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// CodeLength is how many characters a code has: 31^10 is about 8e14, so
// with the rate limit on wrong codes guessing one is hopeless.
const CodeLength = 10

// CodeLifetime is how long a code works after it is issued.
const CodeLifetime = 28 * 24 * time.Hour

// CodeGuesses wrong codes within CodeGuessWindow from one address close
// the survivor route to that address until the oldest of them leaves the
// window; RouteCodeGuesses from any addresses close it to everyone, so a
// guesser with many addresses is held too. The address is kept only as a
// keyed name under the service's key that changes every window, so the
// database never tells where she was. One person trying ten wrong codes
// no longer shuts the route to every victim-survivor; only a flood of a
// thousand in a quarter of an hour does (she is told to wait and try
// again, and the deployment guide's monitoring shows it). At most about
// 35 million guesses a year against 31^10 (8e14) codes leave a guesser no
// real chance.
const (
	CodeGuesses      = 10
	RouteCodeGuesses = 1000
	CodeGuessWindow  = 15 * time.Minute
)

// NewCode draws a code from random, printed in two groups of five
// ("ABCDE-FGHJK") so it is easy to read out and type.
func NewCode(random io.Reader) (string, error) {
	var b [CodeLength]byte
	out := make([]byte, 0, CodeLength+1)
	for i := 0; i < CodeLength; {
		if _, err := io.ReadFull(random, b[:1]); err != nil {
			return "", err
		}
		// Rejection sampling keeps every character equally likely.
		if int(b[0]) >= 256-256%len(codeAlphabet) {
			continue
		}
		if i == CodeLength/2 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[int(b[0])%len(codeAlphabet)])
		i++
	}
	return string(out), nil
}

// NormaliseCode reads a code as she typed it: spaces and dashes dropped,
// letters in capitals. It returns "" for anything that cannot be a code.
func NormaliseCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case strings.ContainsRune(codeAlphabet, r):
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != CodeLength {
		return ""
	}
	return b.String()
}

// HashCode is what is stored of a code: its SHA-256. The code itself is
// shown once, on the card, and never kept, so a copy of the database
// cannot be used to answer as her.
func HashCode(code string) string {
	n := NormaliseCode(code)
	if n == "" {
		return ""
	}
	h := sha256.Sum256([]byte("feedback-code:" + n))
	return hex.EncodeToString(h[:])
}
