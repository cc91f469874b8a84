package service

// Sign-in through an organisation's own OpenID Connect provider. See
// docs/oidc.md for how it is configured and the rules it keeps.
//
// The flow is the authorisation code flow with PKCE (S256), a state and a
// nonce, all kept on the server: only hashes of the state, the nonce and a
// browser-binding secret are stored, with the code verifier, for at most
// account.OIDCLoginLifetime. A state is accepted once. The ID token is
// verified by go-oidc against the provider's published keys (signature,
// issuer, audience, expiry) and then here (nonce, authorised party).
//
// How the browser carries the binding (cookies and their SameSite modes)
// is the web adapter's business; the service deals in the secrets only.

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
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

// OIDCRefusal is a sign-in through a provider that was refused. Reason and
// Cause are for the operator's log (the audit log has the reason); the
// person is shown one failure page whatever the reason, so none of it is
// for them.
type OIDCRefusal struct {
	Reason         string
	OrganisationID int64
	UserID         int64
	Cause          error
	// Upstream marks a provider that could not be reached or answered
	// nonsense, rather than a refused person.
	Upstream bool
}

func (r *OIDCRefusal) Error() string {
	if r.Cause != nil {
		return "oidc sign-in refused: " + r.Reason + ": " + r.Cause.Error()
	}
	return "oidc sign-in refused: " + r.Reason
}

func (r *OIDCRefusal) Unwrap() error { return r.Cause }

// refuseOIDC records a refusal in the audit log, in its own transaction
// (whatever else the request did has been committed or rolled back), and
// returns it as the error.
func (s *Service) refuseOIDC(ctx context.Context, a Actor, ref OIDCRefusal) error {
	e := audit.Event{Action: "signin.failure", Remote: a.Remote, Reason: "oidc: " + ref.Reason, Outcome: audit.OutcomeFailed}
	switch {
	case ref.UserID != 0:
		e.RecordType, e.RecordID = "user", strconv.FormatInt(ref.UserID, 10)
	case ref.OrganisationID != 0:
		e.RecordType, e.RecordID = "organisation", strconv.FormatInt(ref.OrganisationID, 10)
	}
	if err := s.DB.Transact(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, e) }); err != nil {
		return err
	}
	return &ref
}

// OIDCSignins lists the organisations whose staff may sign in through
// their own provider, for the sign-in page. Anyone may see the list: it
// names organisations, not people.
func (s *Service) OIDCSignins(ctx context.Context) ([]account.OIDCSignin, error) {
	var out []account.OIDCSignin
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.EnabledOIDCOrganisations(ctx)
		return err
	})
	return out, err
}

// enabledOIDC returns an organisation's settings if sign-in through its
// provider is switched on, and nil if it is not.
func (s *Service) enabledOIDC(ctx context.Context, organisationID int64) (*account.OIDCConfig, error) {
	var cfg *account.OIDCConfig
	err := s.DB.View(ctx, func(tx *store.Tx) error {
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

// oidcClient carries an HTTP client with a timeout to go-oidc and oauth2
// in ctx, for talking to providers.
func oidcClient(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, &http.Client{Timeout: oidcTimeout})
}

// discover fetches the provider's discovery document. Discovery checks
// the issuer it declares is the one configured.
func discover(ctx context.Context, cfg *account.OIDCConfig) (*oidc.Provider, *oauth2.Config, error) {
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

// OIDCStart is where to send the person to sign in at their provider, and
// the secret that binds the sign-in to their browser (the adapter keeps it
// in a cookie and gives it back to FinishOIDC).
type OIDCStart struct {
	URL     string
	Binding string
}

// StartOIDC begins sign-in through an organisation's provider: it fetches
// the provider's discovery document and stores a new state, nonce, PKCE
// verifier and browser binding (hashes only, but for the verifier). Errors:
// *OIDCRefusal (audited) when the organisation has no enabled provider or
// the provider cannot be reached.
func (s *Service) StartOIDC(ctx context.Context, a Actor, organisationID int64) (*OIDCStart, error) {
	if organisationID <= 0 {
		return nil, s.refuseOIDC(ctx, a, OIDCRefusal{Reason: "no such organisation"})
	}
	cfg, err := s.enabledOIDC(ctx, organisationID)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return nil, s.refuseOIDC(ctx, a, OIDCRefusal{Reason: "organisation has no enabled provider", OrganisationID: organisationID})
	}
	pctx, cancel := context.WithTimeout(oidcClient(ctx), oidcTimeout)
	defer cancel()
	_, oc, err := discover(pctx, cfg)
	if err != nil {
		return nil, s.refuseOIDC(ctx, a, OIDCRefusal{Reason: "provider discovery failed", OrganisationID: organisationID, Cause: err, Upstream: true})
	}
	// Each value holds 256 random bits in URL-safe base64 (43
	// characters), which also makes a valid PKCE code verifier.
	state, stateHash, err := auth.NewToken(s.random(), "")
	if err != nil {
		return nil, err
	}
	nonce, nonceHash, err := auth.NewToken(s.random(), "")
	if err != nil {
		return nil, err
	}
	verifier, _, err := auth.NewToken(s.random(), "")
	if err != nil {
		return nil, err
	}
	binding, bindingHash, err := auth.NewToken(s.random(), "drv_o_")
	if err != nil {
		return nil, err
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.DeleteExpiredOIDCLogins(ctx); err != nil {
			return err
		}
		return tx.CreateOIDCLogin(ctx, &account.OIDCLogin{StateHash: stateHash, BrowserHash: bindingHash, NonceHash: nonceHash,
			CodeVerifier: verifier, OrganisationID: cfg.OrganisationID, ExpiresAt: tx.Now.Add(account.OIDCLoginLifetime)})
	})
	if err != nil {
		return nil, err
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)}
	if len(cfg.MFAContexts) > 0 {
		// Ask for an authentication strong enough to count; the ID token's
		// acr is what is checked on the way back.
		opts = append(opts, oauth2.SetAuthURLParam("acr_values", strings.Join(cfg.MFAContexts, " ")))
	}
	return &OIDCStart{URL: oc.AuthCodeURL(state, opts...), Binding: binding}, nil
}

// OIDCCallback is what the provider sent the person back with, and the
// binding secret their browser holds.
type OIDCCallback struct {
	State   string
	Code    string
	Error   string // the provider's error code, if it refused
	Binding string
}

// OIDCFinish is how a sign-in through a provider ended: signed in (a
// session, full or enrolment), or waiting for Drive's own security code,
// with a new binding secret for the browser and the organisation's button
// label to show on the code form.
type OIDCFinish struct {
	SignedIn     *SignedIn
	Binding      string
	Organisation string
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

// FinishOIDC completes a sign-in when the provider sends the person back.
// It refuses anything but a fresh, unused state from the browser that
// started it, a code the provider exchanges for an ID token that verifies,
// with our nonce, for a Drive user of that organisation who is not
// disabled and not an IDVA service's. The state is spent whatever happens.
//
// Errors: *OIDCRefusal (audited) for every refusal.
func (s *Service) FinishOIDC(ctx context.Context, a Actor, cb OIDCCallback) (*OIDCFinish, error) {
	if cb.State == "" || len(cb.State) > 200 {
		return nil, s.refuseOIDC(ctx, a, OIDCRefusal{Reason: "no state"})
	}
	var (
		login *account.OIDCLogin
		now   time.Time
	)
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		now = tx.Now
		var err error
		login, err = tx.ConsumeOIDCLogin(ctx, auth.HashToken(cb.State))
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if login == nil {
		return nil, s.refuseOIDC(ctx, a, OIDCRefusal{Reason: "state unknown or already used"})
	}
	org := login.OrganisationID
	refuse := func(ref OIDCRefusal) (*OIDCFinish, error) {
		ref.OrganisationID = org
		return nil, s.refuseOIDC(ctx, a, ref)
	}
	if login.Expired(now) {
		return refuse(OIDCRefusal{Reason: "state expired"})
	}
	if cb.Binding == "" || subtle.ConstantTimeCompare(auth.HashToken(cb.Binding), login.BrowserHash) != 1 {
		return refuse(OIDCRefusal{Reason: "sign-in started in another browser"})
	}
	if cb.Error != "" {
		return refuse(OIDCRefusal{Reason: "provider answered " + safeCode(cb.Error)})
	}
	if cb.Code == "" {
		return refuse(OIDCRefusal{Reason: "no authorisation code"})
	}
	cfg, err := s.enabledOIDC(ctx, org)
	if err != nil {
		return nil, err
	}
	if cfg == nil {
		return refuse(OIDCRefusal{Reason: "organisation has no enabled provider"})
	}

	pctx, cancel := context.WithTimeout(oidcClient(ctx), 2*oidcTimeout)
	defer cancel()
	provider, oc, err := discover(pctx, cfg)
	if err != nil {
		return refuse(OIDCRefusal{Reason: "provider discovery failed", Cause: err, Upstream: true})
	}
	tok, err := oc.Exchange(pctx, cb.Code, oauth2.VerifierOption(login.CodeVerifier))
	if err != nil {
		return refuse(OIDCRefusal{Reason: "code exchange failed", Cause: tokenError(err), Upstream: true})
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return refuse(OIDCRefusal{Reason: "no ID token", Upstream: true})
	}
	// The token's times are checked against the database's clock at the
	// moment the state was spent, the same clock every other expiry in
	// Drive is measured by.
	idt, err := provider.Verifier(&oidc.Config{ClientID: cfg.ClientID, Now: func() time.Time { return now }}).Verify(pctx, raw)
	if err != nil {
		return refuse(OIDCRefusal{Reason: "ID token rejected", Cause: err})
	}
	if subtle.ConstantTimeCompare(auth.HashToken(idt.Nonce), login.NonceHash) != 1 {
		return refuse(OIDCRefusal{Reason: "ID token nonce does not match"})
	}
	var tc idTokenClaims
	if err := idt.Claims(&tc); err != nil {
		return refuse(OIDCRefusal{Reason: "ID token claims unreadable", Cause: err})
	}
	// With several audiences the token must say it was issued to us.
	if len(idt.Audience) > 1 && tc.AZP != cfg.ClientID {
		return refuse(OIDCRefusal{Reason: "ID token issued to another party"})
	}
	if idt.Subject == "" || len(idt.Subject) > 255 {
		return refuse(OIDCRefusal{Reason: "ID token has no usable subject"})
	}
	claims := account.OIDCClaims{Subject: idt.Subject, Email: tc.Email, EmailVerified: isTrue(tc.EmailVerified),
		PreferredUsername: tc.PreferredUsername, AMR: tc.AMR, ACR: tc.ACR}
	return s.finishOIDC(ctx, a, cfg, login, claims)
}

// finishOIDC maps a verified person to a Drive user and decides what
// session they get: a full one when the provider checked a second factor
// the settings trust, an enrolment one for a user with no Drive second
// factor yet, and otherwise none until they give Drive's security code.
func (s *Service) finishOIDC(ctx context.Context, a Actor, cfg *account.OIDCConfig, login *account.OIDCLogin, cl account.OIDCClaims) (*OIDCFinish, error) {
	org := cfg.OrganisationID
	binding, bindingHash, err := auth.NewToken(s.random(), "drv_o_")
	if err != nil {
		return nil, err
	}
	var (
		refusal *OIDCRefusal
		out     *OIDCFinish
	)
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		refuse := func(reason string, user int64) error {
			refusal = &OIDCRefusal{Reason: reason, OrganisationID: org, UserID: user}
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
		if u.OrganisationKind == account.IDVAService {
			return refuse("accounts of an IDVA service sign in with a Drive password and security code only", u.ID)
		}
		mfa := cfg.MultiFactor(cl)
		if !mfa && u.TOTPEnrolled {
			if err := tx.AwaitOIDCSecondFactor(ctx, login.ID, u.ID, cl.Subject, bindingHash, tx.Now.Add(account.OIDCLoginLifetime)); err != nil {
				return err
			}
			out = &OIDCFinish{Binding: binding, Organisation: cfg.DisplayName}
			return tx.Audit(ctx, userEvent(a, u.ID, "signin.oidc_verified", audit.OutcomeOK,
				fmt.Sprintf("method: oidc (organisation %d); Drive security code needed", org)))
		}
		stage, action, reason := account.StageFull, "signin.success", fmt.Sprintf("method: oidc (organisation %d) with the provider's multi-factor authentication", org)
		if !mfa {
			stage, action, reason = account.StageEnrol, "signin.oidc_only", fmt.Sprintf("method: oidc (organisation %d); second factor to be set up", org)
		}
		sess, token, err := s.newSession(tx, u, stage, a.Remote)
		if err != nil {
			return err
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
		out = &OIDCFinish{SignedIn: &SignedIn{Token: token, Session: sess, User: u}, Organisation: cfg.DisplayName}
		return tx.Audit(ctx, userEvent(a, u.ID, action, audit.OutcomeOK, reason))
	})
	if err != nil {
		return nil, err
	}
	if refusal != nil {
		return nil, s.refuseOIDC(ctx, a, *refusal)
	}
	return out, nil
}

// pendingOIDC returns the sign-in of the browser holding binding that is
// waiting for a security code, with its organisation's settings, or nils.
func (s *Service) pendingOIDC(ctx context.Context, binding string) (*account.OIDCLogin, *account.OIDCConfig, error) {
	if binding == "" {
		return nil, nil, nil
	}
	var (
		login *account.OIDCLogin
		cfg   *account.OIDCConfig
	)
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		l, err := tx.PendingOIDCLogin(ctx, auth.HashToken(binding))
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

// OIDCWaiting reports whether the browser holding binding has a sign-in
// waiting for Drive's security code at an organisation whose provider is
// still switched on, and returns the organisation's button label to show
// on the code form.
func (s *Service) OIDCWaiting(ctx context.Context, binding string) (organisation string, waiting bool, err error) {
	login, cfg, err := s.pendingOIDC(ctx, binding)
	if err != nil || login == nil || !cfg.Enabled {
		return "", false, err
	}
	return cfg.DisplayName, true, nil
}

// OIDCCode is Drive's own security code given after the provider vouched
// for the person, with the binding secret of their browser. FormExpired
// says the adapter found the form's anti-forgery token wrong or missing.
type OIDCCode struct {
	Binding     string
	Code        string
	FormExpired bool
}

// OIDCSecondFactor checks Drive's own security code for a sign-in the
// provider has vouched for, with the same throttling as password sign-in
// (failures count against the same key, so codes cannot be guessed faster
// by alternating the two), and starts a full session. A sign-in takes at
// most oidcMaxAttempts wrong codes before it must start again. It returns
// the organisation's button label (for showing the form again) whenever a
// sign-in was waiting.
//
// Errors: *OIDCRefusal (audited) when no sign-in is waiting, the provider
// has been switched off, the account is disabled or too many codes were
// wrong; EINVALID when the form expired (no fields) or the code is empty
// (field code); ETOOMANY while locked; EUNAUTHORIZED for a wrong code.
func (s *Service) OIDCSecondFactor(ctx context.Context, a Actor, c OIDCCode) (string, *SignedIn, error) {
	login, cfg, err := s.pendingOIDC(ctx, c.Binding)
	if err != nil {
		return "", nil, err
	}
	if login == nil {
		return "", nil, s.refuseOIDC(ctx, a, OIDCRefusal{Reason: "no sign-in waiting for a security code"})
	}
	org := cfg.OrganisationID
	if !cfg.Enabled {
		return "", nil, s.refuseOIDC(ctx, a, OIDCRefusal{Reason: "organisation has no enabled provider", OrganisationID: org, UserID: login.UserID})
	}
	label := cfg.DisplayName
	if c.FormExpired {
		return label, nil, drive.Errorf(drive.EINVALID, "This form has expired. Enter your security code again.")
	}
	code := strings.TrimSpace(c.Code)
	if code == "" {
		return label, nil, drive.Invalid("Enter your security code", map[string]string{"code": "Enter the 6-digit code from your authenticator app, or a recovery code"})
	}
	lock := s.lockout()
	var (
		out     *SignedIn
		refusal *OIDCRefusal
		failure error
	)
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		// Read again inside the write transaction: a racing request may
		// have finished or spent this sign-in.
		l, err := tx.PendingOIDCLogin(ctx, login.BrowserHash)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			refusal = &OIDCRefusal{Reason: "no sign-in waiting for a security code", OrganisationID: org}
			return nil
		}
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, l.UserID)
		if err != nil {
			return err
		}
		if u.Disabled() || u.OrganisationID != org {
			refusal = &OIDCRefusal{Reason: "user is disabled", OrganisationID: org, UserID: login.UserID}
			return tx.DeleteOIDCLogin(ctx, l.ID)
		}
		nameKey := signinKey(u.Username)
		byUser, byRemote, err := tx.SigninFailures(ctx, nameKey, a.Remote, lock.Since(tx.Now))
		if err != nil {
			return err
		}
		if d := lock.Check(byUser, byRemote, tx.Now); !d.Allowed {
			failure = d.Err(tx.Now)
			return tx.Audit(ctx, userEvent(a, u.ID, "signin.throttled", audit.OutcomeDenied, "oidc: Drive security code"))
		}
		if !secondFactor(ctx, tx, u, code) {
			failure = drive.Errorf(drive.EUNAUTHORIZED, "Enter a correct security code. After 5 failed attempts you will have to wait 15 minutes.")
			if err := tx.RecordSigninFailure(ctx, nameKey, a.Remote); err != nil {
				return err
			}
			n, err := tx.CountOIDCAttempt(ctx, l.ID)
			if err != nil {
				return err
			}
			if n >= oidcMaxAttempts {
				failure, refusal = nil, &OIDCRefusal{Reason: "too many wrong security codes", OrganisationID: org, UserID: login.UserID}
				if err := tx.DeleteOIDCLogin(ctx, l.ID); err != nil {
					return err
				}
			}
			return tx.Audit(ctx, userEvent(a, u.ID, "signin.failure", audit.OutcomeFailed, "oidc: wrong Drive security code"))
		}
		if err := tx.DeleteOIDCLogin(ctx, l.ID); err != nil {
			return err
		}
		if err := tx.LinkOIDCSubject(ctx, u.ID, org, l.Subject); err != nil {
			return err
		}
		if err := tx.ClearSigninFailures(ctx, nameKey); err != nil {
			return err
		}
		sess, token, err := s.newSession(tx, u, account.StageFull, a.Remote)
		if err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		out = &SignedIn{Token: token, Session: sess, User: u}
		return tx.Audit(ctx, userEvent(a, u.ID, "signin.success", audit.OutcomeOK, fmt.Sprintf("method: oidc (organisation %d) with the Drive security code", org)))
	})
	if err != nil {
		return label, nil, err
	}
	if refusal != nil {
		return label, nil, s.refuseOIDC(ctx, a, *refusal)
	}
	if failure != nil {
		return label, nil, failure
	}
	return label, out, nil
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

// Configuring providers (the command line's drive oidc).

// oidcOrganisation returns the organisation with the given name, ignoring
// case. Errors: EINVALID listing the organisations there are.
func oidcOrganisation(ctx context.Context, tx *store.Tx, name string) (*account.Organisation, error) {
	orgs, err := tx.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	return OrganisationNamed(orgs, name)
}

// configEvent is the audit event for a change to sign-in settings.
func configEvent(a Actor, action, recordType string, id int64) audit.Event {
	return audit.Event{Action: action, ActorID: a.UserID, ActorRole: actorRole(a, access.Admin), RecordType: recordType,
		RecordID: strconv.FormatInt(id, 10), Remote: a.Remote, Outcome: audit.OutcomeOK}
}

// OIDCSettings is what SetOIDC stores: the settings, for the organisation
// named (case ignored). An empty ClientSecret keeps the stored one.
// SkipCheck leaves out fetching the provider's discovery document.
type OIDCSettings struct {
	Organisation string
	Config       account.OIDCConfig
	SkipCheck    bool
}

// SetOIDC stores an organisation's sign-in settings, audited
// (oidc.configure). Unless told not to, it first fetches the provider's
// discovery document, so that a mistyped issuer shows now rather than when
// the first person tries to sign in. An IDVA service is refused: its
// staff reach victim-survivors' records, so they sign in only with a Drive
// password and security code.
//
// Errors: ENOTFOUND unless the actor administers nationally; EINVALID for
// an unknown organisation, an IDVA service, a missing first client secret
// or settings that fail account.OIDCConfig.Validate; EUNAVAILABLE when
// the discovery document cannot be fetched or names another issuer.
func (s *Service) SetOIDC(ctx context.Context, a Actor, set OIDCSettings) (*account.Organisation, *account.OIDCConfig, error) {
	cfg := set.Config
	var org *account.Organisation
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		var err error
		if org, err = oidcOrganisation(ctx, tx, set.Organisation); err != nil {
			return err
		}
		if org.VictimSide() {
			return drive.Errorf(drive.EINVALID, "%s is an IDVA service: its staff reach victim-survivors' records, so they sign in only with a Drive password and security code, never through another provider", org.Name)
		}
		cfg.OrganisationID = org.ID
		if cfg.ClientSecret == "" {
			old, err := tx.OrganisationOIDC(ctx, org.ID)
			if drive.ErrorCode(err) == drive.ENOTFOUND {
				return drive.Errorf(drive.EINVALID, "%s has no sign-in settings yet: give the client secret with --client-secret-file", org.Name)
			}
			if err != nil {
				return err
			}
			cfg.ClientSecret = old.ClientSecret
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	if !set.SkipCheck {
		cctx, cancel := context.WithTimeout(oidcClient(ctx), 15*time.Second)
		_, err := oidc.NewProvider(cctx, cfg.Issuer)
		cancel()
		if err != nil {
			return nil, nil, drive.Wrap(err, drive.EUNAVAILABLE, "the provider's discovery document could not be fetched or names another issuer; check --issuer (or pass --skip-check)")
		}
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.SetOrganisationOIDC(ctx, &cfg); err != nil {
			return err
		}
		return tx.Audit(ctx, configEvent(a, "oidc.configure", "organisation", org.ID))
	})
	if err != nil {
		return nil, nil, err
	}
	cfg.ClientSecret = ""
	return org, &cfg, nil
}

// OIDCSetting is one organisation's sign-in settings as listed: never with
// the client secret.
type OIDCSetting struct {
	Organisation string
	Config       account.OIDCConfig
}

// OIDCSettingsList lists the sign-in settings of every organisation that
// has them, without their client secrets. Errors: ENOTFOUND unless the
// actor may read the national configuration.
func (s *Service) OIDCSettingsList(ctx context.Context, a Actor) ([]OIDCSetting, error) {
	var out []OIDCSetting
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		if _, err := s.decide(ctx, tx, a, access.Read, access.Resource{Class: access.Configuration, RecordType: "configuration"}, "configuration"); err != nil {
			return err
		}
		orgs, err := tx.Organisations(ctx)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			cfg, err := tx.OrganisationOIDC(ctx, o.ID)
			if drive.ErrorCode(err) == drive.ENOTFOUND {
				continue
			}
			if err != nil {
				return err
			}
			cfg.ClientSecret = ""
			out = append(out, OIDCSetting{Organisation: o.Name, Config: *cfg})
		}
		return nil
	})
	return out, err
}

// SetOIDCEnabled switches sign-in through an organisation's provider on or
// off, keeping its settings, audited (oidc.enable, oidc.disable). Sessions
// already started run on. Errors: ENOTFOUND unless the actor administers
// nationally, or when the organisation has no settings; EINVALID for an
// unknown organisation.
func (s *Service) SetOIDCEnabled(ctx context.Context, a Actor, organisation string, enabled bool) (*account.Organisation, error) {
	verb := "disable"
	if enabled {
		verb = "enable"
	}
	var org *account.Organisation
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		var err error
		if org, err = oidcOrganisation(ctx, tx, organisation); err != nil {
			return err
		}
		err = tx.SetOrganisationOIDCEnabled(ctx, org.ID, enabled)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return drive.Errorf(drive.ENOTFOUND, "%s has no sign-in settings: add them with drive oidc set", org.Name)
		}
		if err != nil {
			return err
		}
		return tx.Audit(ctx, configEvent(a, "oidc."+verb, "organisation", org.ID))
	})
	return org, err
}

// UnlinkOIDC forgets which provider account a user signs in with at an
// organisation's provider, so that their next sign-in there is matched by
// username again, audited (oidc.unlink). Errors: ENOTFOUND unless the
// actor administers nationally, for an unknown user, or when the user has
// no such link; EINVALID for an unknown organisation.
func (s *Service) UnlinkOIDC(ctx context.Context, a Actor, username, organisation string) (*account.User, error) {
	var u *account.User
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		org, err := oidcOrganisation(ctx, tx, organisation)
		if err != nil {
			return err
		}
		u, err = tx.UserByUsername(ctx, username)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return drive.Errorf(drive.ENOTFOUND, "there is no user %q: see drive user list", strings.ToLower(strings.TrimSpace(username)))
		}
		if err != nil {
			return err
		}
		err = tx.UnlinkOIDC(ctx, u.ID, org.ID)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return drive.Errorf(drive.ENOTFOUND, "%s has not signed in through %s's provider", u.Username, org.Name)
		}
		if err != nil {
			return err
		}
		return tx.Audit(ctx, configEvent(a, "oidc.unlink", "user", u.ID))
	})
	return u, err
}
