package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
)

// Token prefixes. A prefix makes a leaked token recognisable at a glance
// and to secret scanners, and says what kind of credential it is, so that
// one kind cannot be presented as another.
const (
	SessionTokenPrefix = "drv_s_" // browser session cookies
	APITokenPrefix     = "drv_t_" // API tokens for programs
	FeedTokenPrefix    = "drv_f_" // feeds: may only send files to import
)

const (
	tokenBytes     = 32 // 256 bits
	maxTokenPrefix = 16
	minCSRFSecret  = 32
)

// NewToken returns a new opaque token, prefix followed by 256 random bits
// in URL-safe base64 (43 characters), and its hash to store. Give the token
// to its holder once and keep only the hash. prefix should be one of the
// Token prefix constants; it may hold only lower-case ASCII letters, digits
// and underscores, at most 16 of them. It returns a plain error for a bad
// prefix or if rand fails.
func NewToken(rand io.Reader, prefix string) (token string, hash []byte, err error) {
	if len(prefix) > maxTokenPrefix {
		return "", nil, fmt.Errorf("auth: new token: prefix longer than %d bytes", maxTokenPrefix)
	}
	for i := 0; i < len(prefix); i++ {
		c := prefix[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return "", nil, fmt.Errorf("auth: new token: prefix may hold only a-z, 0-9 and _")
		}
	}
	b := make([]byte, tokenBytes)
	if _, err := io.ReadFull(rand, b); err != nil {
		return "", nil, fmt.Errorf("auth: new token: %w", err)
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken returns the SHA-256 hash of a token as presented, to look it up
// in storage. A fast hash is right here, unlike for passwords: the token
// holds 256 random bits, so a stolen table of hashes cannot be reversed by
// guessing however fast each guess is, and a slow hash would only make
// every request slower. Storing the hash rather than the token means a
// leaked database holds no working session or API token. It cannot fail.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CSRFToken returns the token to embed in the forms of a session, an
// HMAC-SHA256 of the session's identifier under sessionSecret, in URL-safe
// base64. Binding it to the session means a token taken from one session is
// useless in another, and nothing needs storing. sessionSecret is a
// server-side key of at least 32 random bytes (it may be per session or
// per server); sessionID identifies the session, for example the hex of its
// token hash; the CSRF token reveals nothing about either.
//
// It returns "" if sessionSecret is shorter than 32 bytes or sessionID is
// empty, and VerifyCSRF refuses every token in that case, so a missing key
// fails closed.
func CSRFToken(sessionSecret []byte, sessionID string) string {
	sum := csrfMAC(sessionSecret, sessionID)
	if sum == nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(sum)
}

// VerifyCSRF reports whether token is the CSRF token of session sessionID
// under sessionSecret, comparing in constant time. It returns false for an
// empty or malformed token, and whenever CSRFToken would return "".
func VerifyCSRF(sessionSecret []byte, sessionID, token string) bool {
	want := CSRFToken(sessionSecret, sessionID)
	if want == "" {
		return false
	}
	// Compare the text, not decoded bytes: decoders skip line breaks, and
	// a token has exactly one spelling.
	return hmac.Equal([]byte(token), []byte(want))
}

func csrfMAC(secret []byte, sessionID string) []byte {
	if len(secret) < minCSRFSecret || sessionID == "" {
		return nil
	}
	mac := hmac.New(sha256.New, secret)
	// The label keeps this MAC apart from any other use of the same key.
	mac.Write([]byte("drive csrf v1\x00"))
	mac.Write([]byte(sessionID))
	return mac.Sum(nil)
}
