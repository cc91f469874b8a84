package auth

import (
	"slices"
	"time"

	"github.com/drive-platform/drive"
)

// Lockout is the policy that slows down password and code guessing. It is
// pure logic: the caller stores failed attempts (a timestamp each, keyed by
// account and by network address) and asks Check before every attempt.
//
// An account is locked for AccountLockFor after AccountFailures failures
// within Window; an address is throttled for AddressLockFor after
// AddressFailures failures within Window, whatever accounts they were for,
// which stops one source trying one password against many accounts. A
// limit of zero or less switches that check off.
//
// How to apply it:
//   - Record a failure for every failed password, TOTP code or recovery
//     code, both for the account name as typed and for the address.
//     Record failures for names that match no account as well, or the
//     lockout itself would show which accounts exist.
//   - Call Check before verifying anything. If it says no, do not verify
//     (not even a correct password may get through, or the lock tells the
//     attacker when they have guessed right), do not record a failure,
//     and return Decision.Err.
//   - Load failures no older than Since(now); older ones cannot matter.
type Lockout struct {
	AccountFailures int           // failures for one account that lock it
	AddressFailures int           // failures from one address that throttle it
	Window          time.Duration // how close together those failures must be
	AccountLockFor  time.Duration // how long an account stays locked
	AddressLockFor  time.Duration // how long an address stays throttled
}

// DefaultLockout returns the production policy: five failures for an
// account within 15 minutes lock it for 15 minutes; twenty failures from
// one address within 15 minutes throttle that address for 15 minutes.
// Five tries per quarter hour is plenty for a person who mistypes, and
// keeps an attacker to a few hundred guesses a day against one account.
func DefaultLockout() Lockout {
	return Lockout{
		AccountFailures: 5,
		AddressFailures: 20,
		Window:          15 * time.Minute,
		AccountLockFor:  15 * time.Minute,
		AddressLockFor:  15 * time.Minute,
	}
}

// LockScope says what a lock applies to.
type LockScope string

// The scopes of a lock: the account named in the attempt, or the address it
// came from.
const (
	ScopeNone    LockScope = ""
	ScopeAccount LockScope = "account"
	ScopeAddress LockScope = "address"
)

// Decision is the outcome of Lockout.Check.
type Decision struct {
	Allowed bool
	// Until is when the lock ends; zero when Allowed.
	Until time.Time
	// Scope says whether the account or the address is locked, for the
	// log. Do not show it: the person sees the same message either way.
	Scope LockScope
}

// Since returns the earliest failure time that can affect a decision at
// now, for the query that loads failures. It cannot fail.
func (l Lockout) Since(now time.Time) time.Time {
	return now.Add(-(l.Window + max(l.AccountLockFor, l.AddressLockFor)))
}

// Check decides whether a sign-in attempt at now may go ahead, given the
// times of recent failures for the account and for the address. The slices
// need not be sorted and are not modified. When both are locked, the
// decision reports the lock that ends later. It cannot fail.
func (l Lockout) Check(accountFailures, addressFailures []time.Time, now time.Time) Decision {
	d := Decision{Allowed: true}
	if until := lockedUntil(accountFailures, l.AccountFailures, l.Window, l.AccountLockFor); until.After(now) {
		d = Decision{Until: until, Scope: ScopeAccount}
	}
	if until := lockedUntil(addressFailures, l.AddressFailures, l.Window, l.AddressLockFor); until.After(now) && until.After(d.Until) {
		d = Decision{Until: until, Scope: ScopeAddress}
	}
	return d
}

// lockedUntil returns the end of the latest lock that the failures set off:
// a lock starts at any failure that is the limit-th within window (first to
// last inclusive) and lasts lockFor. It returns the zero time if no lock
// was ever set off.
func lockedUntil(failures []time.Time, limit int, window, lockFor time.Duration) time.Time {
	if limit <= 0 || len(failures) < limit {
		return time.Time{}
	}
	ts := slices.Clone(failures)
	slices.SortFunc(ts, time.Time.Compare)
	var until time.Time
	for i := limit - 1; i < len(ts); i++ {
		if ts[i].Sub(ts[i-limit+1]) <= window {
			if end := ts[i].Add(lockFor); end.After(until) {
				until = end
			}
		}
	}
	return until
}

// Err returns nil if the attempt is allowed, and otherwise an ETOOMANY
// *drive.Error telling the person how long to wait, in whole minutes
// rounded up. The message is the same for an account and an address lock.
func (d Decision) Err(now time.Time) error {
	if d.Allowed {
		return nil
	}
	wait := d.Until.Sub(now)
	minutes := int((wait + time.Minute - 1) / time.Minute)
	if minutes < 1 {
		minutes = 1
	}
	unit := "minutes"
	if minutes == 1 {
		unit = "minute"
	}
	return drive.Errorf(drive.ETOOMANY,
		"Too many failed sign-in attempts. Wait %d %s, then try again.",
		minutes, unit)
}
