package auth

import "time"

// KnownBrowserPrefix starts the value of a known-browser cookie.
const KnownBrowserPrefix = "drv_b_"

// KnownBrowsers is the policy for browsers remembered after a full sign-in
// (password and second factor), so that the address limit of Lockout
// cannot lock a person out of their own browser.
//
// The address limit exists because one source guessing one password
// against many names never trips any one name's limit. Its cost is that
// everyone behind one address (an office's network address translation,
// a force's one way out) is throttled by whoever floods it. A browser that
// has already proved both factors for an account is not that flood: an
// attempt for that account from that browser is judged by the account's
// limit alone. What remembers the browser is a random token in a cookie
// (KnownBrowserPrefix and 256 random bits, nothing about the person); only
// its SHA-256 is stored, with the account it was issued for.
//
// How to apply it:
//   - Issue a token (NewToken with KnownBrowserPrefix) after every full
//     sign-in, replacing the one the browser presented, so a copy taken
//     earlier stops working the next time the person signs in.
//   - At sign-in, honour a presented token only when it is stored, not
//     past its end, and issued for the account the typed name names; a
//     token for another account changes nothing.
//   - When honoured, call Lockout.Check with no address failures, and count
//     a failure against the name and the token, not the address.
//   - Forget the token after Failures failures from it in a row: someone
//     holding a copy gets a few guesses, then is an unknown browser again.
//   - Forget every token of an account when its password or second factor
//     changes or it is disabled.
type KnownBrowsers struct {
	// Lifetime is how long a token stays good after it is issued; every
	// full sign-in issues a new one, so a browser in use stays known.
	Lifetime time.Duration
	// Failures is how many failed sign-ins in a row from a known browser
	// make it forgotten.
	Failures int
	// PerUser is how many browsers one account keeps; signing in on one
	// more forgets the longest unused.
	PerUser int
}

// DefaultKnownBrowsers returns the production policy: a browser stays
// known for 90 days after its last full sign-in (a person back from
// leave is still recognised), is forgotten after 3 failed sign-ins in a
// row (fewer than the account's own limit of 5, so a copied cookie never
// gets the account's whole allowance), and an account keeps at most 10.
func DefaultKnownBrowsers() KnownBrowsers {
	return KnownBrowsers{Lifetime: 90 * 24 * time.Hour, Failures: 3, PerUser: 10}
}

// Forget reports whether a known browser with failures failed sign-ins in
// a row must be forgotten. It cannot fail.
func (k KnownBrowsers) Forget(failures int) bool {
	return k.Failures > 0 && failures >= k.Failures
}
