package auth

import (
	"fmt"
	"io"
	"strings"
)

// oneTimeAlphabet leaves out 0, 1, i, l and o, which are easily confused
// when a password is read out or copied from paper.
const oneTimeAlphabet = "23456789abcdefghjkmnpqrstuvwxyz"

// NewOneTimePassword returns a password for someone to sign in with once
// and then change: 20 characters from a 31-character alphabet (99 bits),
// in four groups of five so it can be read out and typed, and acceptable
// to CheckPassword for username. It returns a plain error if rand fails.
func NewOneTimePassword(rand io.Reader, username string) (string, error) {
	const groups, groupLen = 4, 5
	limit := 256 - 256%len(oneTimeAlphabet) // discard bytes that would bias the draw
	for {
		var b strings.Builder
		buf := make([]byte, 1)
		for n := 0; n < groups*groupLen; {
			if _, err := io.ReadFull(rand, buf); err != nil {
				return "", fmt.Errorf("generate password: %w", err)
			}
			if int(buf[0]) >= limit {
				continue
			}
			if n > 0 && n%groupLen == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(oneTimeAlphabet[int(buf[0])%len(oneTimeAlphabet)])
			n++
		}
		// A random draw fails the policy (a pattern, the username) with
		// vanishing probability; draw again rather than hand out one.
		if CheckPassword(b.String(), username) == nil {
			return b.String(), nil
		}
	}
}
