package web

import (
	"crypto/subtle"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
)

func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) error {
	if p := principalFrom(r.Context()); p != nil && p.session != nil && p.session.Stage == account.StageFull {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	return s.renderSignin(w, r, http.StatusOK, "", nil)
}

// renderSignin shows the form with a fresh anti-forgery token bound to a
// short-lived cookie: sign-in happens before there is a session to bind
// the token to.
func (s *Server) renderSignin(w http.ResponseWriter, r *http.Request, status int, username string, errs FormErrors) error {
	token, _, err := auth.NewToken(s.cfg.Rand, "drv_f_")
	if err != nil {
		return err
	}
	s.setCookie(w, s.preSigninCookie(), token, 3600)
	p := s.page(r, "Sign in", signinData{Username: username, Errors: errs, Organisations: s.oidcSignins(r.Context())})
	p.CSRF = token
	if len(errs) > 0 {
		p.Title = "Error: Sign in"
	}
	return s.render(w, r, status, "signin", p)
}

// signin checks username, password and second factor together, then
// starts a session. A password alone never gives a full session: a user
// with no second factor yet gets an enrolment session that can only set
// one up.
func (s *Server) signin(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(s.preSigninCookie())
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf_token"))) != 1 || c.Value == "" {
		return s.renderSignin(w, r, http.StatusBadRequest, "", FormErrors{{"", "This form has expired. Enter your details again."}})
	}
	username := strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	var browser string
	if c, err := r.Cookie(s.knownBrowserCookie()); err == nil {
		browser = c.Value
	}
	in, err := s.svc.SignIn(r.Context(), service.Anonymous(clientAddress(r)), service.Credentials{Username: username,
		Password: r.PostFormValue("password"), Code: r.PostFormValue("code"), Browser: browser})
	if err != nil {
		if len(username) > 64 && drive.ErrorCode(err) != drive.EINVALID {
			username = username[:64]
		}
		var e *drive.Error
		switch drive.ErrorCode(err) {
		case drive.EINVALID:
			if errors.As(err, &e) {
				return s.renderSignin(w, r, http.StatusUnprocessableEntity, username, formErrors(e.Fields, "username", "password", "code"))
			}
		case drive.ETOOMANY:
			return s.renderSignin(w, r, http.StatusTooManyRequests, username, FormErrors{{"username", drive.ErrorMessage(err)}})
		case drive.EUNAUTHORIZED:
			return s.renderSignin(w, r, http.StatusUnauthorized, username, FormErrors{{"username", service.SigninFailed}})
		}
		return err
	}
	s.setCookie(w, s.preSigninCookie(), "", -1)
	s.setCookie(w, s.sessionCookie(), in.Token, 0)
	if in.Browser != "" {
		// Kept across sign-outs and browser restarts until it expires:
		// it only says this browser has signed in as someone before.
		s.setCookie(w, s.knownBrowserCookie(), in.Browser, int(in.BrowserFor.Seconds()))
	}
	if in.Session.Stage == account.StageEnrol {
		http.Redirect(w, r, "/enrol", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// enrolData is what templates/enrol.html shows.
type enrolData struct {
	QR            template.HTML // SVG made by auth.QRCodeSVG from our own URI
	Secret        string
	Errors        FormErrors
	RecoveryCodes []string
}

func (s *Server) enrolForm(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	secret, err := s.svc.EnrolmentSecret(r.Context(), p.actor, p.session)
	if err != nil {
		return err
	}
	return s.renderEnrol(w, r, http.StatusOK, p, secret, nil)
}

func (s *Server) renderEnrol(w http.ResponseWriter, r *http.Request, status int, p *principal, secret string, errs FormErrors) error {
	svg, err := auth.QRCodeSVG(auth.ProvisioningURI("Drive", p.user.Username, secret))
	if err != nil {
		return err
	}
	d := enrolData{QR: template.HTML(svg), Secret: secret, Errors: errs} // #nosec G203 -- SVG drawn by auth.QRCodeSVG from our own provisioning URI, no user input
	title := "Set up your security code"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.render(w, r, status, "enrol", s.page(r, title, d))
}

// enrol confirms the new second factor with a code from it; the service
// stores it, issues recovery codes (shown once here) and upgrades the
// session.
func (s *Server) enrol(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	codes, err := s.svc.Enrol(r.Context(), p.actor, p.session, r.PostFormValue("code"))
	var e *drive.Error
	if drive.ErrorCode(err) == drive.EINVALID && errors.As(err, &e) && e.Fields["code"] != "" {
		return s.renderEnrol(w, r, http.StatusUnprocessableEntity, p, p.session.PendingTOTP, FormErrors{{"code", e.Fields["code"]}})
	}
	if err != nil {
		return err
	}
	// The session is now full: show the recovery codes, once.
	return s.render(w, r, http.StatusOK, "recovery-codes", s.page(r, "Your recovery codes", enrolData{RecoveryCodes: codes}))
}

// signout ends the session on the server, not just in the browser.
func (s *Server) signout(w http.ResponseWriter, r *http.Request) error {
	if p := principalFrom(r.Context()); p != nil && p.session != nil {
		if err := s.svc.SignOut(r.Context(), p.actor); err != nil {
			return err
		}
	}
	s.setCookie(w, s.sessionCookie(), "", -1)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

// homeData is what templates/home.html shows.
type homeData struct {
	Name  string
	Roles []roleLine
}

type roleLine struct {
	Role        string
	Description string
	Site        string
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	d := homeData{Name: p.user.DisplayName}
	all, err := s.svc.Sites(ctx, p.actor)
	if err != nil {
		return err
	}
	sites := map[int64]string{}
	for _, st := range all {
		sites[st.ID] = st.Name
	}
	for _, a := range p.user.Roles {
		site := "All sites (national)"
		if a.SiteID != 0 {
			site = sites[a.SiteID]
		}
		d.Roles = append(d.Roles, roleLine{Role: a.Role.Label(), Description: a.Role.Description(), Site: site})
	}
	return s.render(w, r, http.StatusOK, "home", s.page(r, "Home", d))
}

// Me is the body of GET /api/v1/me.
type Me struct {
	Username string      `json:"username"`
	Name     string      `json:"name"`
	Roles    []api.Grant `json:"roles"`
}

// apiMe tells a script whose token it holds and what roles it acts with.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	m := Me{Username: p.user.Username, Name: p.user.DisplayName, Roles: []api.Grant{}}
	for _, a := range p.user.Roles {
		m.Roles = append(m.Roles, api.Grant{Role: string(a.Role), SiteID: a.SiteID})
	}
	return api.WriteJSON(w, http.StatusOK, m)
}
