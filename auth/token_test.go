package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

func TestNewToken(t *testing.T) {
	urlSafe := regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)
	seen := map[string]bool{}
	for _, prefix := range []string{SessionTokenPrefix, APITokenPrefix, "", "x_1"} {
		for seed := byte(1); seed <= 3; seed++ {
			tok, hash, err := NewToken(seeded(seed), prefix)
			if err != nil {
				t.Fatal(err)
			}
			body, ok := strings.CutPrefix(tok, prefix)
			if !ok || !urlSafe.MatchString(body) {
				t.Fatalf("token %q: want prefix %q and 43 URL-safe characters", tok, prefix)
			}
			raw, err := base64.RawURLEncoding.DecodeString(body)
			if err != nil || len(raw) != 32 {
				t.Fatalf("token body decodes to %d bytes, %v; want 32", len(raw), err)
			}
			if !bytes.Equal(hash, HashToken(tok)) {
				t.Fatal("returned hash differs from HashToken(token)")
			}
			if seen[tok] {
				t.Fatalf("token %q issued twice", tok)
			}
			seen[tok] = true
		}
	}
}

func TestNewTokenErrors(t *testing.T) {
	for _, prefix := range []string{"DRV_", "drv-s-", "drv s", "drv_\n", "ü", strings.Repeat("a", 17)} {
		if _, _, err := NewToken(seeded(1), prefix); err == nil {
			t.Errorf("NewToken(prefix %q): no error", prefix)
		}
	}
	if _, _, err := NewToken(failingReader{}, SessionTokenPrefix); err == nil {
		t.Error("NewToken with a failing random source: no error")
	}
}

func TestHashToken(t *testing.T) {
	want := sha256.Sum256([]byte("drv_s_abc"))
	if got := HashToken("drv_s_abc"); !bytes.Equal(got, want[:]) {
		t.Fatalf("HashToken = %x, want SHA-256 %x", got, want)
	}
	// The prefix is part of what is hashed: a session token's body cannot
	// be presented as an API token.
	if bytes.Equal(HashToken("drv_s_abc"), HashToken("drv_t_abc")) {
		t.Fatal("hash ignores the prefix")
	}
}

func TestCSRF(t *testing.T) {
	secret := bytes.Repeat([]byte{7}, 32)
	other := bytes.Repeat([]byte{8}, 32)
	tok := CSRFToken(secret, "session-1")
	if len(tok) != 43 {
		t.Fatalf("CSRF token %q: want 43 characters", tok)
	}
	if tok != CSRFToken(secret, "session-1") {
		t.Fatal("CSRF token is not deterministic")
	}
	flipped := []byte(tok)
	if flipped[0] == 'A' {
		flipped[0] = 'B'
	} else {
		flipped[0] = 'A'
	}
	tests := []struct {
		name    string
		secret  []byte
		session string
		token   string
		want    bool
	}{
		{"right", secret, "session-1", tok, true},
		{"other session", secret, "session-2", tok, false},
		{"other secret", other, "session-1", tok, false},
		{"tampered", secret, "session-1", string(flipped), false},
		{"truncated", secret, "session-1", tok[:42], false},
		{"extended", secret, "session-1", tok + "A", false},
		{"line break", secret, "session-1", tok[:20] + "\n" + tok[20:], false},
		{"padded", secret, "session-1", tok + "=", false},
		{"empty token", secret, "session-1", "", false},
		{"empty session", secret, "", CSRFToken(secret, ""), false},
		{"short secret", secret[:31], "session-1", CSRFToken(secret[:31], "session-1"), false},
		{"nil secret", nil, "session-1", "", false},
	}
	for _, tt := range tests {
		if got := VerifyCSRF(tt.secret, tt.session, tt.token); got != tt.want {
			t.Errorf("%s: VerifyCSRF = %v, want %v", tt.name, got, tt.want)
		}
	}
	if CSRFToken(secret[:31], "session-1") != "" || CSRFToken(secret, "") != "" {
		t.Error("CSRFToken with a short secret or empty session should be empty")
	}
	if strings.Contains(tok, "session-1") {
		t.Error("CSRF token reveals the session identifier")
	}
}
