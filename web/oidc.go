package web

// Sign-in through an organisation's own OpenID Connect provider. See
// docs/oidc.md for how it is configured and the rules it keeps.
//
// The flow is the authorisation code flow with PKCE (S256), a state and a
// nonce, all kept on the server: only hashes of the state, the nonce and a
// browser-binding cookie are stored, with the code verifier, for at most
// identity.OIDCLoginLifetime. A state is accepted once. The ID token is
// verified by go-oidc against the provider's published keys (signature,
// issuer, audience, expiry) and then here (nonce, authorised party).
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
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/store"
)

const (
	// oidcTimeout bounds each exchange with a provider.
	oidcTimeout = 10 * time.Second
	// oidcMaxAttempts is how many wrong security codes one provider
	// sign-in may take before it must start again (the account lockout
	// applies as well).
	oidcMaxAttempts = 5
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

// oidcRefusal is why a sign-in through a provider was refused. Reason
// and Cause go to the log and the audit log; the person sees only the
// failure page.
type oidcRefusal struct {
	reason       string
	organisation int64
	user         int64
	cause        error
	// upstream marks a provider that could not be reached or answered
	// nonsense, rather than a refused person.
	upstream bool
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
	http.SetCookie(w, &http.Cookie{
		Name: s.oidcCookie(), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.cfg.Secure, SameSite: same,
	})
}

// oidcSignins lists the organisations the sign-in page offers. A failure
// is logged and hides the list: password sign-in must not depend on it.
func (s *Server) oidcSignins(ctx context.Context) []identity.OIDCSignin {
	var out []identity.OIDCSignin
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.EnabledOIDCOrganisations(ctx)
		return err
	})
	if err != nil {
		s.log.Error("listing organisations for sign-in failed", slog.String("request_id", requestIDFrom(ctx)), slog.String("cause", err.Error()))
		return nil
	}
	return out
}

// enabledOIDC returns an organisation's settings if sign-in through its
// provider is switched on, and nil if it is not.
func (s *Server) enabledOIDC(ctx context.Context, organisationID int64) (*identity.OIDCConfig, error) {
	var cfg *identity.OIDCConfig
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		c, err := tx.OrganisationOIDC(ctx, organisationID)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		if c.Enabled {
			cfg = c
		}
		return nil
	})
	return cfg, err
}

// oidcClient is the HTTP client for talking to providers. It is made per
// sign-in, with a timeout, and carried to go-oidc and oauth2 in ctx.
func oidcClient(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, &http.Client{Timeout: oidcTimeout})
}

// discover fetches the provider's discovery document. Discovery checks
// the issuer it declares is the one configured.
func discover(ctx context.Context, cfg *identity.OIDCConfig) (*oidc.Provider, *oauth2.Config, error) {
	provider, err := oidc.NewProvider(ctx, cfg.Issuer)
	if err != nil {
		return nil, nil, err
	}
	oc := &oauth2.Config{
		ClientID:     cfg.ClientID,
		ClientSecret: cfg.ClientSecret,
		Endpoint:     provider.Endpoint(),
		RedirectURL:  cfg.RedirectURL,
		Scopes:       []string{oidc.ScopeOpenID, "email", "profile"},
	}
	return provider, oc, nil
}

// oidcStart sends the person to their organisation's provider.
func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	orgID, err := strconv.ParseInt(r.PathValue("org"), 10, 64)
	if err != nil || orgID <= 0 {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "no such organisation"})
	}
	cfg, err := s.enabledOIDC(ctx, orgID)
	if err != nil {
		return err
	}
	if cfg == nil {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "organisation has no enabled provider", organisation: orgID})
	}
	pctx, cancel := context.WithTimeout(oidcClient(ctx), oidcTimeout)
	defer cancel()
	_, oc, err := discover(pctx, cfg)
	if err != nil {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "provider discovery failed", organisation: orgID, cause: err, upstream: true})
	}
	// Each value holds 256 random bits in URL-safe base64 (43
	// characters), which also makes a valid PKCE code verifier.
	state, stateHash, err := auth.NewToken(s.cfg.Rand, "")
	if err != nil {
		return err
	}
	nonce, nonceHash, err := auth.NewToken(s.cfg.Rand, "")
	if err != nil {
		return err
	}
	verifier, _, err := auth.NewToken(s.cfg.Rand, "")
	if err != nil {
		return err
	}
	binding, bindingHash, err := auth.NewToken(s.cfg.Rand, "drv_o_")
	if err != nil {
		return err
	}
	err = s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.DeleteExpiredOIDCLogins(ctx); err != nil {
			return err
		}
		return tx.CreateOIDCLogin(ctx, &identity.OIDCLogin{StateHash: stateHash, BrowserHash: bindingHash, NonceHash: nonceHash,
			CodeVerifier: verifier, OrganisationID: cfg.OrganisationID, ExpiresAt: tx.Now.Add(identity.OIDCLoginLifetime)})
	})
	if err != nil {
		return err
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)}
	if len(cfg.MFAContexts) > 0 {
		// Ask for an authentication strong enough to count; the ID token's
		// acr is what is checked on the way back.
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", strings.Join(cfg.MFAContexts, " ")))
	}
	s.setOIDCCookie(w, binding, int(identity.OIDCLoginLifetime/time.Second), http.SameSiteLaxMode)
	http.Redirect(w, r, oc.AuthCodeURL(state, opts...), http.StatusSeeOther)
	return nil
}

// idTokenClaims are the claims read from a verified ID token beyond those
// go-oidc checks.
type idTokenClaims struct {
	Email             string   `json:"email"`
	EmailVerified     any      `json:"email_verified"` // some providers send "true" as a string
	PreferredUsername string   `json:"preferred_username"`
	AMR               []string `json:"amr"`
	ACR               string   `json:"acr"`
	AZP               string   `json:"azp"`
}

// oidcCallback is where the provider sends the person back. It refuses
// anything but a fresh, unused state from this browser, a code the
// provider exchanges for an ID token that verifies, with our nonce, for a
// Drive user of that organisation who is not disabled.
func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" || len(state) > 200 {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "no state"})
	}
	// The state is spent here, whatever happens next.
	var login *identity.OIDCLogin
	err := s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		login, err = tx.ConsumeOIDCLogin(ctx, auth.HashToken(state))
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return nil
		}
		return err
	})
	if err != nil {
		return err
	}
	if login == nil {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "state unknown or already used"})
	}
	org := login.OrganisationID
	if login.Expired(s.cfg.Now()) {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "state expired", organisation: org})
	}
	c, err := r.Cookie(s.oidcCookie())
	if err != nil || subtle.ConstantTimeCompare(auth.HashToken(c.Value), login.BrowserHash) != 1 {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "sign-in started in another browser", organisation: org})
	}
	if e := q.Get("error"); e != "" {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "provider answered " + safeCode(e), organisation: org})
	}
	code := q.Get("code")
	if code == "" {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "no authorisation code", organisation: org})
	}
	cfg, err := s.enabledOIDC(ctx, org)
	if err != nil {
		return err
	}
	if cfg == nil {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "organisation has no enabled provider", organisation: org})
	}

	pctx, cancel := context.WithTimeout(oidcClient(ctx), 2*oidcTimeout)
	defer cancel()
	provider, oc, err := discover(pctx, cfg)
	if err != nil {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "provider discovery failed", organisation: org, cause: err, upstream: true})
	}
	tok, err := oc.Exchange(pctx, code, oauth2.VerifierOption(login.CodeVerifier))
	if err != nil {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "code exchange failed", organisation: org, cause: tokenError(err), upstream: true})
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "no ID token", organisation: org, upstream: true})
	}
	idt, err := provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: s.cfg.Now}).Verify(pctx, raw)
	if err != nil {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "ID token rejected", organisation: org, cause: err})
	}
	if subtle.ConstantTimeCompare(auth.HashToken(idt.Nonce), login.NonceHash) != 1 {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "ID token nonce does not match", organisation: org})
	}
	var tc idTokenClaims
	if err := idt.Claims(&tc); err != nil {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "ID token claims unreadable", organisation: org, cause: err})
	}
	// With several audiences the token must say it was issued to us.
	if len(idt.Audience) > 1 && tc.AZP != cfg.ClientID {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "ID token issued to another party", organisation: org})
	}
	if idt.Subject == "" || len(idt.Subject) > 255 {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "ID token has no usable subject", organisation: org})
	}
	claims := identity.OIDCClaims{Subject: idt.Subject, Email: tc.Email, EmailVerified: isTrue(tc.EmailVerified),
		PreferredUsername: tc.PreferredUsername, AMR: tc.AMR, ACR: tc.ACR}
	return s.oidcFinish(w, r, cfg, login, claims)
}

// oidcFinish maps a verified person to a Drive user and decides what
// session they get: a full one when the provider checked a second factor
// the settings trust, an enrolment one for a user with no Drive second
// factor yet, and otherwise none until they give Drive's security code.
func (s *Server) oidcFinish(w http.ResponseWriter, r *http.Request, cfg *identity.OIDCConfig, login *identity.OIDCLogin, cl identity.OIDCClaims) error {
	ctx := r.Context()
	remote := clientAddress(r)
	org := cfg.OrganisationID
	token, tokenHash, err := auth.NewToken(s.cfg.Rand, "drv_s_")
	if err != nil {
		return err
	}
	csrf, _, err := auth.NewToken(s.cfg.Rand, "drv_c_")
	if err != nil {
		return err
	}
	binding, bindingHash, err := auth.NewToken(s.cfg.Rand, "drv_o_")
	if err != nil {
		return err
	}
	var (
		refusal *oidcRefusal
		outcome string // "full", "enrol" or "code"
	)
	err = s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		refuse := func(reason string, user int64) error {
			refusal = &oidcRefusal{reason: reason, organisation: org, user: user}
			return nil
		}
		userID, err := tx.OIDCLinkedUser(ctx, org, cl.Subject)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			// First sign-in: find the user the administrator created
			// with the matching username, in this organisation, not yet
			// linked to another account at this provider.
			name, why := cfg.Username(cl)
			if why != "" {
				return refuse(why, 0)
			}
			u, err := tx.UserByUsername(ctx, name)
			if drive.ErrorCode(err) == drive.ENOTFOUND {
				return refuse("no Drive user has the username", 0)
			}
			if err != nil {
				return err
			}
			if u.OrganisationID != org {
				return refuse("user belongs to another organisation", u.ID)
			}
			_, err = tx.OIDCSubject(ctx, u.ID, org)
			if err == nil {
				return refuse("user is linked to another account at the provider", u.ID)
			}
			if drive.ErrorCode(err) != drive.ENOTFOUND {
				return err
			}
			userID = u.ID
		} else if err != nil {
			return err
		}
		u, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		if u.Disabled() {
			return refuse("user is disabled", u.ID)
		}
		if u.OrganisationID != org {
			return refuse("user no longer belongs to the organisation", u.ID)
		}
		// An IDVA service's accounts reach victim-survivors' records: they
		// sign in only with Drive's own password and security code, never
		// through a provider that someone outside the service may control.
		if u.OrganisationKind == identity.IDVAService {
			return refuse("accounts of an IDVA service sign in with a Drive password and security code only", u.ID)
		}
		userEvent := func(action, reason string) audit.Event {
			return audit.Event{Action: action, ActorID: u.ID, RecordType: "user", RecordID: strconv.FormatInt(u.ID, 10),
				Remote: remote, Reason: reason, Outcome: audit.OutcomeOK}
		}
		mfa := cfg.MultiFactor(cl)
		if !mfa && u.TOTPEnrolled {
			outcome = "code"
			if err := tx.AwaitOIDCSecondFactor(ctx, login.ID, u.ID, cl.Subject, bindingHash, tx.Now.Add(identity.OIDCLoginLifetime)); err != nil {
				return err
			}
			return tx.Audit(ctx, userEvent("signin.oidc_verified", fmt.Sprintf("method: oidc (organisation %d); Drive security code needed", org)))
		}
		sess := &identity.Session{TokenHash: tokenHash, UserID: u.ID, CSRF: csrf, Remote: remote,
			CreatedAt: tx.Now, LastSeenAt: tx.Now, ReauthAt: tx.Now}
		action, reason := "signin.success", fmt.Sprintf("method: oidc (organisation %d) with the provider's multi-factor authentication", org)
		if mfa {
			outcome, sess.Stage, sess.ExpiresAt = "full", identity.StageFull, tx.Now.Add(s.sessions.Absolute)
		} else {
			outcome, sess.Stage, sess.ExpiresAt = "enrol", identity.StageEnrol, tx.Now.Add(s.sessions.Enrol)
			action, reason = "signin.oidc_only", fmt.Sprintf("method: oidc (organisation %d); second factor to be set up", org)
		}
		if err := tx.DeleteOIDCLogin(ctx, login.ID); err != nil {
			return err
		}
		if err := tx.LinkOIDCSubject(ctx, u.ID, org, cl.Subject); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		return tx.Audit(ctx, userEvent(action, reason))
	})
	if err != nil {
		return err
	}
	if refusal != nil {
		return s.oidcRefuse(w, r, *refusal)
	}
	switch outcome {
	case "code":
		// From here on every request is same-site: the cookie can be
		// Strict like the session's.
		s.setOIDCCookie(w, binding, int(identity.OIDCLoginLifetime/time.Second), http.SameSiteStrictMode)
		return s.renderOIDCCode(w, r, http.StatusOK, cfg.DisplayName, nil)
	case "enrol":
		return s.oidcSignedIn(w, r, token, "/enrol")
	}
	return s.oidcSignedIn(w, r, token, "/")
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

// pendingOIDC returns the sign-in of this browser waiting for a security
// code, with its organisation's settings, or nils.
func (s *Server) pendingOIDC(r *http.Request) (*identity.OIDCLogin, *identity.OIDCConfig, error) {
	c, err := r.Cookie(s.oidcCookie())
	if err != nil || c.Value == "" {
		return nil, nil, nil
	}
	ctx := r.Context()
	var (
		login *identity.OIDCLogin
		cfg   *identity.OIDCConfig
	)
	err = s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		l, err := tx.PendingOIDCLogin(ctx, auth.HashToken(c.Value))
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		oc, err := tx.OrganisationOIDC(ctx, l.OrganisationID)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return nil
		}
		if err != nil {
			return err
		}
		login, cfg = l, oc
		return nil
	})
	return login, cfg, err
}

// oidcCodeForm shows the security code form again (after a reload, say)
// while a sign-in is waiting for it.
func (s *Server) oidcCodeForm(w http.ResponseWriter, r *http.Request) error {
	login, cfg, err := s.pendingOIDC(r)
	if err != nil {
		return err
	}
	if login == nil || !cfg.Enabled {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return nil
	}
	return s.renderOIDCCode(w, r, http.StatusOK, cfg.DisplayName, nil)
}

// oidcCode checks Drive's own security code after the provider vouched
// for the person, with the same throttling as the sign-in form, and
// starts a full session.
func (s *Server) oidcCode(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	login, cfg, err := s.pendingOIDC(r)
	if err != nil {
		return err
	}
	if login == nil {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "no sign-in waiting for a security code"})
	}
	if !cfg.Enabled {
		return s.oidcRefuse(w, r, oidcRefusal{reason: "organisation has no enabled provider", organisation: cfg.OrganisationID, user: login.UserID})
	}
	c, err := r.Cookie(s.preSigninCookie())
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf_token"))) != 1 {
		return s.renderOIDCCode(w, r, http.StatusBadRequest, cfg.DisplayName, FormErrors{{"", "This form has expired. Enter your security code again."}})
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if code == "" {
		return s.renderOIDCCode(w, r, http.StatusUnprocessableEntity, cfg.DisplayName, FormErrors{{"code", "Enter the 6-digit code from your authenticator app, or a recovery code"}})
	}
	remote := clientAddress(r)
	org := cfg.OrganisationID
	token, tokenHash, err := auth.NewToken(s.cfg.Rand, "drv_s_")
	if err != nil {
		return err
	}
	csrf, _, err := auth.NewToken(s.cfg.Rand, "drv_c_")
	if err != nil {
		return err
	}
	var (
		outcome  string // "gone", "disabled", "throttled", "failed", "exhausted" or "full"
		throttle error
	)
	err = s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		// Read again inside the write transaction: a racing request may
		// have finished or spent this sign-in.
		l, err := tx.PendingOIDCLogin(ctx, login.BrowserHash)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			outcome = "gone"
			return nil
		}
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, l.UserID)
		if err != nil {
			return err
		}
		event := func(action, outcome, reason string) audit.Event {
			return audit.Event{Action: action, ActorID: u.ID, RecordType: "user", RecordID: strconv.FormatInt(u.ID, 10),
				Remote: remote, Reason: reason, Outcome: outcome}
		}
		if u.Disabled() || u.OrganisationID != org {
			outcome = "disabled"
			return tx.DeleteOIDCLogin(ctx, l.ID)
		}
		// Failures count against the same key as the sign-in form's, so
		// codes cannot be guessed faster by alternating the two.
		nameKey := fmt.Sprintf("%x", sha256.Sum256([]byte(u.Username)))
		byUser, byRemote, err := tx.SigninFailures(ctx, nameKey, remote, s.lockout.Since(tx.Now))
		if err != nil {
			return err
		}
		if d := s.lockout.Check(byUser, byRemote, tx.Now); !d.Allowed {
			outcome, throttle = "throttled", d.Err(tx.Now)
			return tx.Audit(ctx, event("signin.throttled", audit.OutcomeDenied, "oidc: Drive security code"))
		}
		if !s.secondFactor(ctx, tx, u, code) {
			outcome = "failed"
			if err := tx.RecordSigninFailure(ctx, nameKey, remote); err != nil {
				return err
			}
			n, err := tx.CountOIDCAttempt(ctx, l.ID)
			if err != nil {
				return err
			}
			if n >= oidcMaxAttempts {
				outcome = "exhausted"
				if err := tx.DeleteOIDCLogin(ctx, l.ID); err != nil {
					return err
				}
			}
			return tx.Audit(ctx, event("signin.failure", audit.OutcomeFailed, "oidc: wrong Drive security code"))
		}
		outcome = "full"
		if err := tx.DeleteOIDCLogin(ctx, l.ID); err != nil {
			return err
		}
		if err := tx.LinkOIDCSubject(ctx, u.ID, org, l.Subject); err != nil {
			return err
		}
		if err := tx.ClearSigninFailures(ctx, nameKey); err != nil {
			return err
		}
		sess := &identity.Session{TokenHash: tokenHash, UserID: u.ID, Stage: identity.StageFull, CSRF: csrf, Remote: remote,
			CreatedAt: tx.Now, LastSeenAt: tx.Now, ReauthAt: tx.Now, ExpiresAt: tx.Now.Add(s.sessions.Absolute)}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		return tx.Audit(ctx, event("signin.success", audit.OutcomeOK, fmt.Sprintf("method: oidc (organisation %d) with the Drive security code", org)))
	})
	if err != nil {
		return err
	}
	switch outcome {
	case "gone":
		return s.oidcRefuse(w, r, oidcRefusal{reason: "no sign-in waiting for a security code", organisation: org})
	case "disabled":
		return s.oidcRefuse(w, r, oidcRefusal{reason: "user is disabled", organisation: org, user: login.UserID})
	case "exhausted":
		return s.oidcRefuse(w, r, oidcRefusal{reason: "too many wrong security codes", organisation: org, user: login.UserID})
	case "throttled":
		return s.renderOIDCCode(w, r, http.StatusTooManyRequests, cfg.DisplayName, FormErrors{{"code", drive.ErrorMessage(throttle)}})
	case "failed":
		return s.renderOIDCCode(w, r, http.StatusUnauthorized, cfg.DisplayName, FormErrors{{"code", "Enter a correct security code. After 5 failed attempts you will have to wait 15 minutes."}})
	}
	s.setOIDCCookie(w, "", -1, http.SameSiteStrictMode)
	s.setCookie(w, s.preSigninCookie(), "", -1)
	s.setCookie(w, s.sessionCookie(), token, 0)
	// This request came from our own page, so the redirect is same-site
	// and the Strict session cookie goes with it.
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// oidcRefuse records why a sign-in through a provider was refused, in the
// log and the audit log, and shows the one failure page, which says
// nothing of the reason.
func (s *Server) oidcRefuse(w http.ResponseWriter, r *http.Request, ref oidcRefusal) error {
	ctx := r.Context()
	reqID := requestIDFrom(ctx)
	attrs := []any{slog.String("request_id", reqID), slog.Int64("organisation_id", ref.organisation), slog.String("reason", ref.reason)}
	if ref.cause != nil {
		attrs = append(attrs, slog.String("cause", ref.cause.Error()))
	}
	s.log.Warn("oidc sign-in refused", attrs...)
	e := audit.Event{Action: "signin.failure", Remote: clientAddress(r), Reason: "oidc: " + ref.reason, Outcome: audit.OutcomeFailed}
	switch {
	case ref.user != 0:
		e.RecordType, e.RecordID = "user", strconv.FormatInt(ref.user, 10)
	case ref.organisation != 0:
		e.RecordType, e.RecordID = "organisation", strconv.FormatInt(ref.organisation, 10)
	}
	if err := s.cfg.DB.Transact(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, e) }); err != nil {
		return err
	}
	s.setOIDCCookie(w, "", -1, http.SameSiteLaxMode)
	status := http.StatusUnauthorized
	if ref.upstream {
		status = http.StatusBadGateway
	}
	return s.render(w, r, status, "signin-oidc", s.page(r, "You could not be signed in", oidcPageData{Mode: "failed", Reference: reqID}))
}

// safeCode keeps an error code from a provider fit for the log: short,
// and only the characters such codes use.
func safeCode(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.' {
			return r
		}
		return '_'
	}, s)
}

// tokenError reduces a failed code exchange to what the operator needs:
// the status and the OAuth error code, not the provider's free text.
func tokenError(err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return fmt.Errorf("token endpoint answered %d %s", status, safeCode(re.ErrorCode))
	}
	return err
}

// isTrue reads email_verified, which providers send as a boolean or as
// the string "true".
func isTrue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}
