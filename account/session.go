package account

import "time"

// Session stages. A password alone gives at most an enrolment session,
// which can do nothing but set up the second factor.
const (
	StageEnrol = "enrol"
	StageFull  = "full"
)

// Session is a signed-in browser. Its cookie value is never stored, only
// its SHA-256 (TokenHash), so a copy of the database cannot be used to
// hijack sessions.
type Session struct {
	ID          int64
	TokenHash   []byte
	UserID      int64
	Stage       string
	CSRF        string // per-session anti-forgery token for forms
	Remote      string
	CreatedAt   time.Time
	LastSeenAt  time.Time
	ExpiresAt   time.Time // absolute end, whatever the activity
	ReauthAt    time.Time // when the user last proved their password
	PendingTOTP string    // a second-factor secret being enrolled
	// Search is the user's current case search: held server-side so a
	// name typed into the search box never appears in a URL.
	Search string
}

// SessionPolicy holds the session lifetimes a site's security officer may
// tune. The defaults follow common public-sector guidance for systems
// holding sensitive personal data.
type SessionPolicy struct {
	Idle     time.Duration // ends after this long without a request
	Absolute time.Duration // ends this long after sign-in regardless
	Enrol    time.Duration // lifetime of a second-factor enrolment session
	Reauth   time.Duration // password must be re-entered before sensitive changes after this
}

// DefaultSessionPolicy: 30 minutes idle, 12 hours absolute.
func DefaultSessionPolicy() SessionPolicy {
	return SessionPolicy{Idle: 30 * time.Minute, Absolute: 12 * time.Hour, Enrol: 15 * time.Minute, Reauth: 5 * time.Minute}
}

// Alive reports whether s may still be used at now.
func (p SessionPolicy) Alive(s *Session, now time.Time) bool { return p.Ended(s, now) == "" }

// Ended says why s can no longer be used at now, for the audit log: it
// reached its absolute end (or, for an enrolment session, its short
// life), or it was idle too long; empty while it is alive.
func (p SessionPolicy) Ended(s *Session, now time.Time) string {
	if !now.Before(s.ExpiresAt) {
		return "time limit reached"
	}
	if now.Sub(s.LastSeenAt) >= p.Idle {
		return "idle timeout"
	}
	return ""
}

// APIToken is a bearer token for integrations and scripts. It acts with
// its user's roles; only its hash is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RevokedAt  *time.Time
	LastUsedAt *time.Time
}

// Usable reports whether the token may be used at now.
func (t *APIToken) Usable(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// KnownBrowser is a browser remembered after a full sign-in, so that its
// sign-ins for the same account are judged by the account's failure limit
// and not by its network address's (auth.KnownBrowsers). Its cookie holds
// a random token and nothing else; only the token's SHA-256 is stored.
type KnownBrowser struct {
	ID        int64
	UserID    int64
	TokenHash []byte
	CreatedAt time.Time
	// UsedAt is when the browser last signed in, or failed to.
	UsedAt    time.Time
	ExpiresAt time.Time
	// Failures counts failed sign-ins from the browser since its last
	// successful one.
	Failures int
}

// Usable reports whether the browser may still be honoured at now.
func (b *KnownBrowser) Usable(now time.Time) bool { return now.Before(b.ExpiresAt) }
