package web

import (
	"net/http"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/store"
)

// accountData is what templates/account.html shows.
type accountData struct {
	Errors FormErrors
	Done   string
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "account", s.page(r, "Your account", accountData{}))
}

// reauthKey is the key a user's failed re-authentications are counted
// under in the sign-in failure store. It cannot collide with a sign-in key
// (a hex digest of the typed name), so the two budgets stay apart: a
// mistyped password on a form does not lock the user out of signing in.
func reauthKey(userID int64) string { return "reauth:" + strconv.FormatInt(userID, 10) }

// reauthenticate checks the current password typed on a sensitive form
// (form names it in the audit log). Asking for it again stops someone at an
// unlocked screen from taking over the account by changing its password or
// second factor; so that they cannot guess it there instead, attempts are
// throttled per user by the sign-in lockout's account limit, and every
// attempt (success, failure, throttled) is audited, never the password.
// It returns ok, or a throttle error (ETOOMANY) to show instead of
// checking. It writes in its own transaction, so a failure is counted
// even though the form then fails.
func (s *Server) reauthenticate(r *http.Request, u *identity.User, password, form string) (bool, error, error) {
	ctx := r.Context()
	key, remote := reauthKey(u.ID), clientAddress(r)
	var ok bool
	var throttled error
	err := s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		now := tx.Now
		e := audit.Event{ActorID: u.ID, RecordType: "user", RecordID: strconv.FormatInt(u.ID, 10), Remote: remote, Reason: form}
		failures, _, err := tx.SigninFailures(ctx, key, "", s.lockout.Since(now))
		if err != nil {
			return err
		}
		// Per user only: the address limit is for sign-in, where the
		// account is not yet known.
		if d := s.lockout.Check(failures, nil, now); !d.Allowed {
			// Burn the same time as a real check, so the lock does not
			// show by speed when a guess would have been right.
			s.hasher.DummyVerify(password)
			throttled = d.Err(now)
			e.Action, e.Outcome = "reauth.throttled", audit.OutcomeDenied
			return tx.Audit(ctx, e)
		}
		match, _, verr := s.hasher.Verify(u.PasswordHash, password)
		if ok = verr == nil && match; !ok {
			if err := tx.RecordSigninFailure(ctx, key, ""); err != nil {
				return err
			}
			e.Action, e.Outcome = "reauth.failure", audit.OutcomeFailed
			return tx.Audit(ctx, e)
		}
		if err := tx.ClearSigninFailures(ctx, key); err != nil {
			return err
		}
		e.Action, e.Outcome = "reauth.success", audit.OutcomeOK
		return tx.Audit(ctx, e)
	})
	return ok, throttled, err
}

// changePassword sets a new password after re-authentication, and ends
// every other session of the user and their API tokens.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	current := r.PostFormValue("current_password")
	next := r.PostFormValue("new_password")
	confirm := r.PostFormValue("confirm_password")
	ok, throttled, err := s.reauthenticate(r, p.user, current, "password change")
	if err != nil {
		return err
	}
	if throttled != nil {
		d := accountData{Errors: FormErrors{{"current_password", drive.ErrorMessage(throttled)}}}
		return s.render(w, r, http.StatusTooManyRequests, "account", s.page(r, "Error: Your account", d))
	}
	fields := map[string]string{}
	if !ok {
		fields["current_password"] = "Enter your current password correctly"
	}
	if err := auth.CheckPassword(next, p.user.Username); err != nil {
		fields["new_password"] = drive.ErrorMessage(err)
	} else if next != confirm {
		fields["confirm_password"] = "Enter the same new password twice"
	}
	if len(fields) > 0 {
		d := accountData{Errors: formErrors(fields, "current_password", "new_password", "confirm_password")}
		return s.render(w, r, http.StatusUnprocessableEntity, "account", s.page(r, "Error: Your account", d))
	}
	hash, err := s.hasher.Hash(s.cfg.Rand, next)
	if err != nil {
		return err
	}
	err = s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetPassword(ctx, p.user.ID, hash); err != nil {
			return err
		}
		if err := s.endOtherSessions(ctx, tx, p); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "user.password_change", ActorID: p.user.ID, RecordType: "user",
			RecordID: strconv.FormatInt(p.user.ID, 10), Remote: clientAddress(r), Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "account", s.page(r, "Your account", accountData{Done: "Your password has been changed. Any other places you were signed in have been signed out, and your API tokens no longer work."}))
}

// resetSecondFactor, after re-authentication, drops the user's
// authenticator and recovery codes and sends them to enrol a new one.
func (s *Server) resetSecondFactor(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	ok, throttled, err := s.reauthenticate(r, p.user, r.PostFormValue("password"), "second factor reset")
	if err != nil {
		return err
	}
	if throttled != nil {
		d := accountData{Errors: FormErrors{{"password", drive.ErrorMessage(throttled)}}}
		return s.render(w, r, http.StatusTooManyRequests, "account", s.page(r, "Error: Your account", d))
	}
	if !ok {
		d := accountData{Errors: FormErrors{{"password", "Enter your current password correctly"}}}
		return s.render(w, r, http.StatusUnprocessableEntity, "account", s.page(r, "Error: Your account", d))
	}
	err = s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetTOTP(ctx, p.user.ID, "", 0); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, p.user.ID, nil); err != nil {
			return err
		}
		if err := s.endOtherSessions(ctx, tx, p); err != nil {
			return err
		}
		p.session.Stage = identity.StageEnrol
		p.session.PendingTOTP = ""
		if err := tx.UpdateSession(ctx, p.session); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "totp.reset", ActorID: p.user.ID, RecordType: "user",
			RecordID: strconv.FormatInt(p.user.ID, 10), Remote: clientAddress(r), Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/enrol", http.StatusSeeOther)
	return nil
}
