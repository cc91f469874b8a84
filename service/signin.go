package service

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/store"
)

// SigninFailed is the one answer to every failed sign-in, whatever was
// wrong, so that nobody learns whether a username exists, whether the
// password was right or whether only the code was wrong.
const SigninFailed = "Enter a correct username, password and security code. After 5 failed attempts you will have to wait 15 minutes."

// wrongCurrentPassword is what a form that asks for the password again
// says when it was wrong.
const wrongCurrentPassword = "Enter your current password correctly" // #nosec G101 -- a message shown to people, not a credential

// Anonymous is the actor for someone not signed in yet, known only by
// their network address: sign-in counts failures against it and the audit
// log records it.
func Anonymous(remote string) Actor { return Actor{Remote: remote} }

// Credentials are what a person types on the sign-in form.
type Credentials struct {
	Username string
	Password string
	// Code is a current code from their authenticator app or an unused
	// recovery code; not needed before a second factor is set up.
	Code string
	// Browser is the token of the browser's known-browser cookie, if it
	// sent one (auth.KnownBrowsers): when it is remembered for the account
	// named, the address limit does not apply.
	Browser string
}

// SignedIn is a session just started: Token is the secret for the
// browser's cookie (only its hash is stored) and Session the session,
// whose Stage says whether it is full or may only set up a second factor.
type SignedIn struct {
	Token   string
	Session *account.Session
	User    *account.User
	// Browser is the new token for the browser's known-browser cookie,
	// good for BrowserFor (the cookie's lifetime); empty unless the
	// sign-in was a full one (password and second factor).
	Browser    string
	BrowserFor time.Duration
}

// sessionPolicy is the session lifetimes in force.
func (s *Service) sessionPolicy() account.SessionPolicy {
	if s.Sessions == (account.SessionPolicy{}) {
		return account.DefaultSessionPolicy()
	}
	return s.Sessions
}

// lockout is the guessing policy in force.
func (s *Service) lockout() auth.Lockout {
	if s.Lockout == (auth.Lockout{}) {
		return auth.DefaultLockout()
	}
	return s.Lockout
}

// knownBrowsers is the known-browser policy in force.
func (s *Service) knownBrowsers() auth.KnownBrowsers {
	if s.KnownBrowsers == (auth.KnownBrowsers{}) {
		return auth.DefaultKnownBrowsers()
	}
	return s.KnownBrowsers
}

// hasher is the password checker: the server's, or one made now.
func (s *Service) hasher() (*auth.Hasher, error) {
	if s.Hasher != nil {
		return s.Hasher, nil
	}
	p := s.PasswordParams
	if p == (auth.Params{}) {
		p = auth.DefaultParams()
	}
	return auth.NewHasher(s.random(), p)
}

// signinKey is the key sign-in failures are counted under: a digest of the
// typed name, so that a password typed into the username box is not kept.
func signinKey(username string) string {
	return fmt.Sprintf("%x", sha256.Sum256([]byte(username)))
}

// newSession makes a session for u at stage, and the secret for its
// cookie. It is stored by the caller, inside its transaction.
func (s *Service) newSession(tx *store.Tx, u *account.User, stage, remote string) (*account.Session, string, error) {
	token, tokenHash, err := auth.NewToken(s.random(), "drv_s_")
	if err != nil {
		return nil, "", err
	}
	csrf, _, err := auth.NewToken(s.random(), "drv_c_")
	if err != nil {
		return nil, "", err
	}
	p := s.sessionPolicy()
	sess := &account.Session{TokenHash: tokenHash, UserID: u.ID, Stage: stage, CSRF: csrf, Remote: remote,
		CreatedAt: tx.Now, LastSeenAt: tx.Now, ReauthAt: tx.Now, ExpiresAt: tx.Now.Add(p.Absolute)}
	if stage == account.StageEnrol {
		sess.ExpiresAt = tx.Now.Add(p.Enrol)
	}
	return sess, token, nil
}

// userEvent is an audit event about a user's own account.
func userEvent(a Actor, userID int64, action, outcome, reason string) audit.Event {
	return audit.Event{Action: action, ActorID: userID, RecordType: "user", RecordID: strconv.FormatInt(userID, 10),
		Remote: a.Remote, Reason: reason, Outcome: outcome}
}

// SignIn checks username, password and second factor together and starts
// a session. A password alone never gives a full session: a user with no
// second factor yet gets an enrolment session that can only set one up.
//
// Failures are counted per typed name and per address (a.Remote) and
// locked out by the Lockout policy. While locked nothing is checked and no
// password is hashed: the refusal is answered from the failures table
// alone, so a flood of guesses from one address costs the server a query
// and an audit write each, not a password hash, and other people's
// sign-ins keep their CPU. (Spending a hash's time on a refusal would hide
// nothing: the answer already says the attempt was refused for too many
// tries, and the lock never depends on whether the guess was right.) Every
// attempt is audited, never with the typed username (people type their
// password into it).
//
// An attempt from a known browser of the account named (c.Browser, see
// auth.KnownBrowsers) is judged by the name's limit alone: a flood from
// its address neither refuses it nor is added to by it, and its failures
// count against the name and the browser, which is forgotten after a few
// in a row (signin.browser_forgotten). Every full sign-in gives the
// browser a new token (SignedIn.Browser); a browser new to the account is
// audited as signin.browser_remembered.
//
// Errors: EINVALID (with fields username and password) when either is
// empty; ETOOMANY while locked; EUNAUTHORIZED with SigninFailed for every
// other failure, which is recorded before it is returned.
func (s *Service) SignIn(ctx context.Context, a Actor, c Credentials) (*SignedIn, error) {
	username := strings.ToLower(strings.TrimSpace(c.Username))
	code := strings.TrimSpace(c.Code)
	if username == "" || c.Password == "" {
		fields := map[string]string{}
		if username == "" {
			fields["username"] = "Enter your username"
		}
		if c.Password == "" {
			fields["password"] = "Enter your password"
		}
		return nil, drive.Invalid("Enter your username and password", fields)
	}
	if len(username) > 64 {
		username = username[:64]
	}
	nameKey := signinKey(username)
	lock, browsers := s.lockout(), s.knownBrowsers()

	// The password is hashed outside any write transaction: a hash takes
	// tens of milliseconds on purpose, and on SQLite a write transaction
	// holds the one writer every audited page waits for. So the attempt is
	// judged in three steps: a read of what the hash needs (and whether the
	// lock refuses the attempt, in which case nothing is hashed), the hash
	// with no transaction open, and the write transaction that decides,
	// which checks the lock again and uses the hash's verdict only for the
	// stored hash it was checked against.
	var (
		locked bool
		stored string // the password hash read, empty for no such user
	)
	if err := s.DB.View(ctx, func(tx *store.Tx) error {
		locked, stored = false, ""
		known, u, err := knownBrowser(ctx, tx, c.Browser, username)
		if err != nil {
			return err
		}
		byUser, byRemote, err := tx.SigninFailures(ctx, nameKey, a.Remote, lock.Since(tx.Now))
		if err != nil {
			return err
		}
		if known != nil {
			byRemote = nil
		}
		if !lock.Check(byUser, byRemote, tx.Now).Allowed {
			locked = true
			return nil
		}
		if u == nil {
			u, err = tx.UserByUsername(ctx, username)
			if drive.ErrorCode(err) == drive.ENOTFOUND {
				return nil
			}
			if err != nil {
				return err
			}
		}
		stored = u.PasswordHash
		return nil
	}); err != nil {
		return nil, err
	}
	var (
		verified, rehash bool
		rehashed         string
	)
	if !locked {
		// Only now the hasher: without a shared one, making it costs a hash.
		h, err := s.hasher()
		if err != nil {
			return nil, err
		}
		if stored == "" {
			h.DummyVerify(c.Password)
		} else if verified, rehash, err = h.Verify(stored, c.Password); err != nil {
			verified = false
		}
		if verified && rehash {
			if hash, err := h.Hash(s.random(), c.Password); err == nil {
				rehashed = hash
			}
		}
	}

	var (
		out     *SignedIn
		refusal error
	)
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		out, refusal = nil, nil
		known, u, err := knownBrowser(ctx, tx, c.Browser, username)
		if err != nil {
			return err
		}
		// reason marks the audit events of an attempt from a known
		// browser, and remote is where its failures count: nowhere but
		// the name, for a known browser.
		reason, remote := "", a.Remote
		if known != nil {
			reason, remote = knownBrowserReason, ""
		}
		byUser, byRemote, err := tx.SigninFailures(ctx, nameKey, a.Remote, lock.Since(tx.Now))
		if err != nil {
			return err
		}
		if known != nil {
			byRemote = nil
		}
		// Checked again: failures recorded while the password was hashed
		// (guesses sent side by side) count before this one is answered.
		// An attempt the lock refused before hashing stays refused, even
		// if the lock ended since: nothing was checked to answer it with.
		if d := lock.Check(byUser, byRemote, tx.Now); !d.Allowed || locked {
			if d.Allowed {
				d = auth.Decision{Until: tx.Now.Add(time.Minute)}
			}
			refusal = d.Err(tx.Now)
			e := audit.Event{Action: "signin.throttled", Remote: a.Remote, Outcome: audit.OutcomeDenied, Reason: reason}
			if known != nil {
				e.RecordType, e.RecordID = "user", strconv.FormatInt(known.UserID, 10)
			}
			return tx.Audit(ctx, e)
		}
		fail := func(userID int64) error {
			refusal = drive.Errorf(drive.EUNAUTHORIZED, SigninFailed)
			if err := tx.RecordSigninFailure(ctx, nameKey, remote); err != nil {
				return err
			}
			e := audit.Event{Action: "signin.failure", Remote: a.Remote, Outcome: audit.OutcomeFailed, Reason: reason}
			if userID != 0 {
				e.RecordType, e.RecordID = "user", strconv.FormatInt(userID, 10)
			}
			if err := tx.Audit(ctx, e); err != nil {
				return err
			}
			if known == nil {
				return nil
			}
			n, err := tx.KnownBrowserFailed(ctx, known.ID)
			if err != nil || !browsers.Forget(n) {
				return err
			}
			if gone, err := tx.DeleteKnownBrowser(ctx, known.ID); err != nil || !gone {
				return err
			}
			return tx.Audit(ctx, userEvent(a, known.UserID, "signin.browser_forgotten", audit.OutcomeOK,
				fmt.Sprintf("%d failed sign-ins in a row from it", n)))
		}
		if u == nil {
			u, err = tx.UserByUsername(ctx, username)
			if drive.ErrorCode(err) == drive.ENOTFOUND {
				return fail(0)
			}
			if err != nil {
				return err
			}
		}
		// The verdict holds only for the hash it was reached on: a
		// password changed (or a lock lifted) while hashing fails safe.
		if !verified || u.PasswordHash != stored || u.Disabled() {
			return fail(u.ID)
		}
		stage, action := account.StageFull, "signin.success"
		if !u.TOTPEnrolled {
			stage, action = account.StageEnrol, "signin.password_only"
		} else if !secondFactor(ctx, tx, u, code) {
			return fail(u.ID)
		}
		sess, token, err := s.newSession(tx, u, stage, a.Remote)
		if err != nil {
			return err
		}
		if rehashed != "" {
			if err := tx.SetPassword(ctx, u.ID, rehashed); err != nil {
				return err
			}
		}
		if err := tx.ClearSigninFailures(ctx, nameKey); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		out = &SignedIn{Token: token, Session: sess, User: u}
		if stage == account.StageFull {
			if out.Browser, err = s.rememberBrowser(ctx, tx, a, u.ID, known, browsers); err != nil {
				return err
			}
			out.BrowserFor = browsers.Lifetime
		}
		return tx.Audit(ctx, userEvent(a, u.ID, action, audit.OutcomeOK, reason))
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, refusal
	}
	return out, nil
}

// knownBrowserReason is the reason on the audit events of a sign-in
// attempt from a known browser of the account.
const knownBrowserReason = "from a known browser"

// maxBrowserToken bounds the cookie value looked up: a real token is 49
// characters, and a longer value is not worth hashing.
const maxBrowserToken = 64

// knownBrowser returns the browser whose token a sign-in presents, and the
// user it was remembered for, when it is remembered, not past its end,
// and remembered for the account username names, which is not disabled.
// Otherwise both are nil and the attempt is an unknown browser's: a token
// for one account does nothing for another.
func knownBrowser(ctx context.Context, tx *store.Tx, token, username string) (*account.KnownBrowser, *account.User, error) {
	if !strings.HasPrefix(token, auth.KnownBrowserPrefix) || len(token) > maxBrowserToken {
		return nil, nil, nil
	}
	b, err := tx.KnownBrowserByTokenHash(ctx, auth.HashToken(token))
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return nil, nil, nil
	}
	if err != nil || !b.Usable(tx.Now) {
		return nil, nil, err
	}
	u, err := tx.UserByUsername(ctx, username)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return nil, nil, nil
	}
	if err != nil || u.ID != b.UserID || u.Disabled() {
		return nil, nil, err
	}
	return b, u, nil
}

// rememberBrowser gives the browser of a full sign-in a new known-browser
// token and returns it: the browser it came from (known)
// keeps its record under the new token, so a copy of the old one stops
// working; a browser new to the account gets a record, audited, and the
// account's oldest beyond the policy's number are forgotten.
func (s *Service) rememberBrowser(ctx context.Context, tx *store.Tx, a Actor, userID int64, known *account.KnownBrowser, p auth.KnownBrowsers) (string, error) {
	token, hash, err := auth.NewToken(s.random(), auth.KnownBrowserPrefix)
	if err != nil {
		return "", err
	}
	expires := tx.Now.Add(p.Lifetime)
	if known != nil {
		err := tx.RenewKnownBrowser(ctx, known.ID, hash, expires)
		if drive.ErrorCode(err) != drive.ENOTFOUND {
			return token, err
		}
		// Forgotten by a racing request: remember it afresh.
	}
	if err := tx.CreateKnownBrowser(ctx, &account.KnownBrowser{UserID: userID, TokenHash: hash, ExpiresAt: expires}); err != nil {
		return "", err
	}
	if p.PerUser > 0 {
		if _, err := tx.PruneKnownBrowsers(ctx, userID, p.PerUser); err != nil {
			return "", err
		}
	}
	return token, tx.Audit(ctx, userEvent(a, userID, "signin.browser_remembered", audit.OutcomeOK, ""))
}

// secondFactor accepts a current TOTP code not used before, or an unused
// recovery code. Either is spent inside the transaction, so two requests
// racing with the same code cannot both succeed. The secret is opened only
// for this check.
func secondFactor(ctx context.Context, tx *store.Tx, u *account.User, code string) bool {
	if code == "" {
		return false
	}
	secret, err := tx.TOTPSecret(ctx, u.ID)
	if err != nil {
		return false
	}
	if step, err := auth.VerifyTOTP(secret, code, tx.Now, u.TOTPLastStep); err == nil {
		ok, err := tx.UseTOTPStep(ctx, u.ID, step)
		return err == nil && ok
	}
	idx, hashes, err := tx.UnusedRecoveryCodes(ctx, u.ID)
	if err != nil {
		return false
	}
	if i, ok := auth.MatchRecoveryCode(code, hashes); ok {
		used, err := tx.UseRecoveryCode(ctx, u.ID, idx[i])
		return err == nil && used
	}
	return false
}

// reauthKey is the key a user's failed re-authentications are counted
// under with sign-in failures. It cannot collide with a sign-in key (a hex
// digest of the typed name), so the two budgets stay apart: a mistyped
// password on a form does not lock the user out of signing in.
func reauthKey(userID int64) string { return "reauth:" + strconv.FormatInt(userID, 10) }

// Reauthenticate checks the signed-in actor's current password, typed
// again on a sensitive form (form names it in the audit log). Asking for
// it again stops someone at an unlocked screen from taking over the
// account; so that they cannot guess it there instead, attempts are
// throttled per user by the sign-in lockout's account limit, and every
// attempt (success, failure, throttled) is audited, never the password.
// It writes in its own transaction, so a failure is counted even though
// the form it came with then fails.
//
// Errors: ETOOMANY while locked (nothing is checked); EUNAUTHORIZED when
// the password is wrong.
func (s *Service) Reauthenticate(ctx context.Context, a Actor, password, form string) error {
	lock := s.lockout()
	key := reauthKey(a.UserID)
	var refusal error
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, a.UserID)
		if err != nil {
			return err
		}
		failures, _, err := tx.SigninFailures(ctx, key, "", lock.Since(tx.Now))
		if err != nil {
			return err
		}
		// Per user only: the address limit is for sign-in, where the
		// account is not yet known.
		if d := lock.Check(failures, nil, tx.Now); !d.Allowed {
			// Refused before any hashing, as at sign-in: the answer says
			// it was refused, so spending a hash's time would hide nothing.
			refusal = d.Err(tx.Now)
			return tx.Audit(ctx, userEvent(a, u.ID, "reauth.throttled", audit.OutcomeDenied, form))
		}
		h, err := s.hasher()
		if err != nil {
			return err
		}
		if match, _, verr := h.Verify(u.PasswordHash, password); verr != nil || !match {
			refusal = drive.Errorf(drive.EUNAUTHORIZED, wrongCurrentPassword)
			if err := tx.RecordSigninFailure(ctx, key, ""); err != nil {
				return err
			}
			return tx.Audit(ctx, userEvent(a, u.ID, "reauth.failure", audit.OutcomeFailed, form))
		}
		if err := tx.ClearSigninFailures(ctx, key); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(a, u.ID, "reauth.success", audit.OutcomeOK, form))
	})
	if err != nil {
		return err
	}
	return refusal
}

// PasswordChange is the password form: the current password (asked again)
// and the new one, typed twice.
type PasswordChange struct {
	Current string
	New     string
	Confirm string
}

// ChangePassword sets the actor's own password after re-authentication,
// and ends every other session of theirs and revokes their API tokens:
// nothing made with the old password, perhaps by whoever learnt it, may go
// on working. The change is audited (user.password_change) in one
// transaction with it.
//
// Errors: ETOOMANY while re-authentication is locked; EINVALID with
// fields current_password, new_password and confirm_password saying what
// to fix (a wrong current password is one of them).
func (s *Service) ChangePassword(ctx context.Context, a Actor, c PasswordChange) error {
	err := s.Reauthenticate(ctx, a, c.Current, "password change")
	if drive.ErrorCode(err) != drive.EUNAUTHORIZED && err != nil {
		return err
	}
	fields := map[string]string{}
	if err != nil {
		fields["current_password"] = wrongCurrentPassword
	}
	var username string
	err = s.DB.View(ctx, func(tx *store.Tx) error {
		u, err := tx.User(ctx, a.UserID)
		if err == nil {
			username = u.Username
		}
		return err
	})
	if err != nil {
		return err
	}
	if err := auth.CheckPassword(c.New, username); err != nil {
		fields["new_password"] = drive.ErrorMessage(err)
	} else if c.New != c.Confirm {
		fields["confirm_password"] = "Enter the same new password twice"
	}
	if len(fields) > 0 {
		return drive.Invalid("Your password could not be changed", fields)
	}
	hash, err := s.hash(c.New)
	if err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetPassword(ctx, a.UserID, hash); err != nil {
			return err
		}
		if _, _, err := EndAccess(ctx, tx, a, a.UserID, a.SessionID, "password changed in another session"); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(a, a.UserID, "user.password_change", audit.OutcomeOK, ""))
	})
}

// ownSession reads sess again inside tx and checks it is the actor's
// current session: a change to a session acts only on the one the request
// came with.
func ownSession(ctx context.Context, tx *store.Tx, a Actor, sess *account.Session) (*account.Session, error) {
	if sess == nil || a.SessionID == 0 {
		return nil, drive.Errorf(drive.EUNAUTHORIZED, "Sign in to continue")
	}
	fresh, err := tx.SessionByTokenHash(ctx, sess.TokenHash)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return nil, drive.Errorf(drive.EUNAUTHORIZED, "Sign in to continue")
	}
	if err != nil {
		return nil, err
	}
	if fresh.ID != a.SessionID || fresh.UserID != a.UserID {
		return nil, drive.Errorf(drive.EUNAUTHORIZED, "Sign in to continue")
	}
	return fresh, nil
}

// EnrolmentSecret returns the new second-factor secret that the actor's
// enrolment session is setting up, making one the first time it is asked.
// It is kept with the session (not the account) until a code from it is
// confirmed by Enrol. Errors: EUNAUTHORIZED when sess is not the actor's
// enrolment session.
func (s *Service) EnrolmentSecret(ctx context.Context, a Actor, sess *account.Session) (string, error) {
	var secret string
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		cur, err := ownSession(ctx, tx, a, sess)
		if err != nil {
			return err
		}
		if cur.Stage != account.StageEnrol {
			return drive.Errorf(drive.EUNAUTHORIZED, "Your security code is already set up")
		}
		if cur.PendingTOTP == "" {
			if cur.PendingTOTP, err = auth.NewTOTPSecret(s.random()); err != nil {
				return err
			}
			if err := tx.UpdateSession(ctx, cur); err != nil {
				return err
			}
		}
		secret = cur.PendingTOTP
		return nil
	})
	return secret, err
}

// Enrol confirms the new second factor with a code from it, stores it,
// replaces the recovery codes and makes the session a full one, audited
// (totp.enrolled) in one transaction. It returns the recovery codes, to be
// shown once: only their hashes are kept.
//
// Errors: EINVALID (field code) when the code does not match the secret
// being set up; EUNAUTHORIZED when sess is not the actor's enrolment
// session.
func (s *Service) Enrol(ctx context.Context, a Actor, sess *account.Session, code string) ([]string, error) {
	codes, hashes, err := auth.NewRecoveryCodes(s.random(), 10)
	if err != nil {
		return nil, err
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		cur, err := ownSession(ctx, tx, a, sess)
		if err != nil {
			return err
		}
		if cur.Stage != account.StageEnrol || cur.PendingTOTP == "" {
			return drive.Errorf(drive.EUNAUTHORIZED, "Start setting up your security code again")
		}
		step, err := auth.VerifyTOTP(cur.PendingTOTP, code, tx.Now, 0)
		if err != nil {
			return drive.Invalid("The code did not match", map[string]string{"code": "Enter the 6-digit code your authenticator app shows for Drive"})
		}
		if err := tx.SetTOTP(ctx, a.UserID, cur.PendingTOTP, step); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, a.UserID, hashes); err != nil {
			return err
		}
		cur.Stage, cur.PendingTOTP = account.StageFull, ""
		if err := tx.UpdateSession(ctx, cur); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(a, a.UserID, "totp.enrolled", audit.OutcomeOK, ""))
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// ResetSecondFactor, after re-authentication, drops the actor's
// authenticator and recovery codes, ends their other sessions and API
// tokens, and turns the current session back into an enrolment session so
// that they set up a new one; audited (totp.reset) in one transaction.
//
// Errors: ETOOMANY while re-authentication is locked; EINVALID (field
// password) when the password is wrong; EUNAUTHORIZED when sess is not
// the actor's session.
func (s *Service) ResetSecondFactor(ctx context.Context, a Actor, sess *account.Session, password string) error {
	err := s.Reauthenticate(ctx, a, password, "second factor reset")
	if drive.ErrorCode(err) == drive.EUNAUTHORIZED {
		return drive.Invalid("Your security code could not be reset", map[string]string{"password": wrongCurrentPassword})
	}
	if err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		cur, err := ownSession(ctx, tx, a, sess)
		if err != nil {
			return err
		}
		if err := tx.SetTOTP(ctx, a.UserID, "", 0); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, a.UserID, nil); err != nil {
			return err
		}
		if _, _, err := EndAccess(ctx, tx, a, a.UserID, cur.ID, "second factor reset in another session"); err != nil {
			return err
		}
		cur.Stage, cur.PendingTOTP = account.StageEnrol, ""
		if err := tx.UpdateSession(ctx, cur); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(a, a.UserID, "totp.reset", audit.OutcomeOK, ""))
	})
}
