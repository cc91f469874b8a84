package web

import (
	"errors"
	"net/http"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
)

// accountData is what templates/account.html shows.
type accountData struct {
	Errors FormErrors
	Done   string
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "account", s.page(r, "Your account", accountData{}))
}

// accountError shows the account page again with what went wrong with
// one of its forms: a throttle (429) against field, or the fields to fix.
func (s *Server) accountError(w http.ResponseWriter, r *http.Request, err error, field string, order ...string) error {
	switch drive.ErrorCode(err) {
	case drive.ETOOMANY:
		d := accountData{Errors: FormErrors{{field, drive.ErrorMessage(err)}}}
		return s.render(w, r, http.StatusTooManyRequests, "account", s.page(r, "Error: Your account", d))
	case drive.EINVALID:
		var e *drive.Error
		if errors.As(err, &e) && len(e.Fields) > 0 {
			d := accountData{Errors: formErrors(e.Fields, order...)}
			return s.render(w, r, http.StatusUnprocessableEntity, "account", s.page(r, "Error: Your account", d))
		}
	}
	return err
}

// changePassword sets a new password after re-authentication; the service
// ends every other session of the user and their API tokens.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	err := s.svc.ChangePassword(r.Context(), p.actor, service.PasswordChange{Current: r.PostFormValue("current_password"),
		New: r.PostFormValue("new_password"), Confirm: r.PostFormValue("confirm_password")})
	if err != nil {
		return s.accountError(w, r, err, "current_password", "current_password", "new_password", "confirm_password")
	}
	return s.render(w, r, http.StatusOK, "account", s.page(r, "Your account", accountData{Done: "Your password has been changed. Any other places you were signed in have been signed out, and your API tokens no longer work."}))
}

// resetSecondFactor, after re-authentication, drops the user's
// authenticator and recovery codes and sends them to enrol a new one.
func (s *Server) resetSecondFactor(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if err := s.svc.ResetSecondFactor(r.Context(), p.actor, p.session, r.PostFormValue("password")); err != nil {
		return s.accountError(w, r, err, "password", "password")
	}
	http.Redirect(w, r, "/enrol", http.StatusSeeOther)
	return nil
}
