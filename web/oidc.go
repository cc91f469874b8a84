package web

// Sign-in through an organisation's own OpenID Connect provider. See
// docs/oidc.md for how it is configured and the rules it keeps.
//
// The flow itself (state, nonce, PKCE, the exchange with the provider and
// the checks of the ID token) is the service's (service/oidc.go); this file
// carries its secrets in cookies and shows the pages.
//
// Two things follow from Drive's session cookie being SameSite=Strict:
//
//   - The browser-binding cookie is SameSite=Lax: the provider sends the
//     person back with a cross-site top-level navigation, on which a
//     Strict cookie would not be sent, and without the binding an attacker
//     could finish their own sign-in in someone else's browser.
//   - The callback answers with a page rather than a redirect: browsers
//     withhold Strict cookies for the whole of a redirect chain that began
//     on another site, so a redirect to the home page would arrive without
//     the new session. The page's link is a same-site navigation.

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
)

// oidcPageData is what templates/signin-oidc.html shows. Mode is "failed"
// (the one page every refusal shows), "code" (Drive's own security code is
// still needed) or "continue" (signed in; follow the link).
type oidcPageData struct {
	Mode         string
	Organisation string
	Next         string
	Errors       FormErrors
	Reference    string
}

// oidcCookie names the cookie that binds a sign-in to the browser that
// started it.
func (s *Server) oidcCookie() string {
	if s.cfg.Secure {
		return "__Host-drive_oidc"
	}
	return "drive_oidc"
}

func (s *Server) setOIDCCookie(w http.ResponseWriter, value string, maxAge int, same http.SameSite) {
	// #nosec G124 -- as the session cookie: HttpOnly, Secure behind TLS; SameSite Lax only so it survives the identity provider redirecting back
	http.SetCookie(w, &http.Cookie{
		Name: s.oidcCookie(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.Secure, SameSite: same,
	})
}

// oidcBinding is the browser-binding secret the request carries, or "".
func (s *Server) oidcBinding(r *http.Request) string {
	c, err := r.Cookie(s.oidcCookie())
	if err != nil {
		return ""
	}
	return c.Value
}

// oidcSignins lists the organisations the sign-in page offers. A failure
// is logged and hides the list: password sign-in must not depend on it.
func (s *Server) oidcSignins(ctx context.Context) []account.OIDCSignin {
	out, err := s.svc.OIDCSignins(ctx)
	if err != nil {
		s.log.Error("listing organisations for sign-in failed", slog.String("request_id", requestIDFrom(ctx)), slog.String("cause", err.Error()))
		return nil
	}
	return out
}

// oidcStart sends the person to their organisation's provider.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) error {
	// An organisation that is not a positive number is refused by the
	// service as no such organisation.
	orgID, _ := strconv.ParseInt(r.PathValue("org"), 10, 64)
	start, err := s.svc.StartOIDC(r.Context(), service.Anonymous(clientAddress(r)), orgID)
	if err != nil {
		return s.oidcFailed(w, r, err)
	}
	s.setOIDCCookie(w, start.Binding, int(account.OIDCLoginLifetime/time.Second), http.SameSiteLaxMode)
	http.Redirect(w, r, start.URL, http.StatusSeeOther) // #nosec G710 -- the organisation's configured identity provider, never an address from the request
	return nil
}

// oidcCallback is where the provider sends the person back.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	fin, err := s.svc.FinishOIDC(r.Context(), service.Anonymous(clientAddress(r)), service.OIDCCallback{
		State: q.Get("state"), Code: q.Get("code"), Error: q.Get("error"), Binding: s.oidcBinding(r)})
	if err != nil {
		return s.oidcFailed(w, r, err)
	}
	if fin.SignedIn == nil {
		// From here on every request is same-site: the cookie can be
		// Strict like the session's.
		s.setOIDCCookie(w, fin.Binding, int(account.OIDCLoginLifetime/time.Second), http.SameSiteStrictMode)
		return s.renderOIDCCode(w, r, http.StatusOK, fin.Organisation, nil)
	}
	if fin.SignedIn.Session.Stage == account.StageEnrol {
		return s.oidcSignedIn(w, r, fin.SignedIn.Token, "/enrol")
	}
	return s.oidcSignedIn(w, r, fin.SignedIn.Token, "/")
}

// oidcSignedIn sets the session cookie and shows a page with a link on,
// rather than redirecting (see the top of this file).
func (s *Server) oidcSignedIn(w http.ResponseWriter, r *http.Request, token, next string) error {
	s.setOIDCCookie(w, "", -1, http.SameSiteStrictMode)
	s.setCookie(w, s.sessionCookie(), token, 0)
	title := "You are signed in"
	if next == "/enrol" {
		title = "Set up your security code next"
	}
	return s.render(w, r, http.StatusOK, "signin-oidc", s.page(r, title, oidcPageData{Mode: "continue", Next: next}))
}

// renderOIDCCode shows the form for Drive's own security code, with an
// anti-forgery token bound to a short-lived cookie, as the sign-in form
// does.
func (s *Server) renderOIDCCode(w http.ResponseWriter, r *http.Request, status int, organisation string, errs FormErrors) error {
	token, _, err := auth.NewToken(s.cfg.Rand, "drv_f_")
	if err != nil {
		return err
	}
	s.setCookie(w, s.preSigninCookie(), token, 3600)
	title := "Enter your security code"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	p := s.page(r, title, oidcPageData{Mode: "code", Organisation: organisation, Errors: errs})
	p.CSRF = token
	return s.render(w, r, status, "signin-oidc", p)
}

// oidcCodeForm shows the security code form again (after a reload, say)
// while a sign-in is waiting for it.
func (s *Server) oidcCodeForm(w http.ResponseWriter, r *http.Request) error {
	organisation, waiting, err := s.svc.OIDCWaiting(r.Context(), s.oidcBinding(r))
	if err != nil {
		return err
	}
	if !waiting {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil
	}
	return s.renderOIDCCode(w, r, http.StatusOK, organisation, nil)
}

// oidcCode passes Drive's own security code, given after the provider
// vouched for the person, to the service, and starts the full session it
// answers with.
func (s *Server) oidcCode(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(s.preSigninCookie())
	expired := err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf_token"))) != 1
	organisation, in, err := s.svc.OIDCSecondFactor(r.Context(), service.Anonymous(clientAddress(r)),
		service.OIDCCode{Binding: s.oidcBinding(r), Code: r.PostFormValue("code"), FormExpired: expired})
	var e *drive.Error
	switch {
	case err == nil:
	case drive.ErrorCode(err) == drive.EINVALID && errors.As(err, &e) && e.Fields["code"] != "":
		return s.renderOIDCCode(w, r, http.StatusUnprocessableEntity, organisation, FormErrors{{"code", e.Fields["code"]}})
	case drive.ErrorCode(err) == drive.EINVALID:
		return s.renderOIDCCode(w, r, http.StatusBadRequest, organisation, FormErrors{{"", drive.ErrorMessage(err)}})
	case drive.ErrorCode(err) == drive.ETOOMANY:
		return s.renderOIDCCode(w, r, http.StatusTooManyRequests, organisation, FormErrors{{"code", drive.ErrorMessage(err)}})
	case drive.ErrorCode(err) == drive.EUNAUTHORIZED:
		return s.renderOIDCCode(w, r, http.StatusUnauthorized, organisation, FormErrors{{"code", drive.ErrorMessage(err)}})
	default:
		return s.oidcFailed(w, r, err)
	}
	s.setOIDCCookie(w, "", -1, http.SameSiteStrictMode)
	s.setCookie(w, s.preSigninCookie(), "", -1)
	s.setCookie(w, s.sessionCookie(), in.Token, 0)
	// This request came from our own page, so the redirect is same-site
	// and the Strict session cookie goes with it.
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// oidcFailed shows the one failure page for a refused sign-in through a
// provider, which says nothing of the reason, and logs the reason (the
// service has audited it). Any other error is rendered as usual.
func (s *Server) oidcFailed(w http.ResponseWriter, r *http.Request, err error) error {
	var ref *service.OIDCRefusal
	if !errors.As(err, &ref) {
		return err
	}
	reqID := requestIDFrom(r.Context())
	attrs := []any{slog.String("request_id", reqID), slog.Int64("organisation_id", ref.OrganisationID), slog.String("reason", ref.Reason)}
	if ref.Cause != nil {
		attrs = append(attrs, slog.String("cause", ref.Cause.Error()))
	}
	s.log.Warn("oidc sign-in refused", attrs...)
	s.setOIDCCookie(w, "", -1, http.SameSiteLaxMode)
	status := http.StatusUnauthorized
	if ref.Upstream {
		status = http.StatusBadGateway
	}
	return s.render(w, r, status, "signin-oidc", s.page(r, "You could not be signed in", oidcPageData{Mode: "failed", Reference: reqID}))
}
