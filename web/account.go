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

// reauthenticate checks the current password typed on a sensitive form.
// Asking for it again stops someone at an unlocked screen from taking over
// the account by changing its password or second factor.
func (s *Server) reauthenticate(u *identity.User, password string) bool {
	ok, _, err := s.hasher.Verify(u.PasswordHash, password)
	return err == nil && ok
}

// changePassword sets a new password after re-authentication, and ends
// every other session of the user and their API tokens.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	current := r.PostFormValue("current_password")
	next := r.PostFormValue("new_password")
	confirm := r.PostFormValue("confirm_password")
	fields := map[string]string{}
	if !s.reauthenticate(p.user, current) {
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
	if !s.reauthenticate(p.user, r.PostFormValue("password")) {
		d := accountData{Errors: FormErrors{{"password", "Enter your current password correctly"}}}
		return s.render(w, r, http.StatusUnprocessableEntity, "account", s.page(r, "Error: Your account", d))
	}
	err := s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
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
