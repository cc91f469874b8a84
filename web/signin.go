package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

// signinFailed is the one answer to every failed sign-in, whatever was
// wrong, so the page never says whether a username exists.
const signinFailed = "Enter a correct username, password and security code. After 5 failed attempts you will have to wait 15 minutes."

// page builds the data every template receives.
func (s *Server) page(r *http.Request, title string, data any) Page {
	p := Page{Title: title, Data: data}
	if pr := principalFrom(r.Context()); pr != nil && pr.session != nil {
		p.CSRF = pr.session.CSRF
		if pr.session.Stage == identity.StageFull {
			p.User = &PageUser{Name: pr.user.DisplayName}
			if len(pr.user.Roles) > 0 {
				p.User.Role = pr.user.Roles[0].Role.Label()
			}
			p.Nav = navFor(subjectOf(pr.user), r.URL.Path)
		}
	}
	return p
}

// navFor lists the sections the user can use: a link appears only where
// the route would answer them (the routes enforce it regardless).
func navFor(sub access.Subject, path string) []NavItem {
	items := []NavItem{{Label: "Home", Href: "/", Current: path == "/"}}
	if sub.HasRole(access.CaseManager) {
		items = append(items, NavItem{Label: "My caseload", Href: "/caseload", Current: path == "/caseload"})
	}
	if holds(sub, need{access.PerpetratorCase, access.Write}) {
		items = append(items, NavItem{Label: "Team", Href: "/team", Current: path == "/team"})
		items = append(items, NavItem{Label: "New referral", Href: "/referrals/new", Current: strings.HasPrefix(path, "/referrals")})
	}
	if holds(sub, need{access.PoliceIntel, access.Read}) {
		items = append(items, NavItem{Label: "Identification", Href: "/identify", Current: strings.HasPrefix(path, "/identify")})
	}
	if service.CanSeeNationalMatches(sub) {
		items = append(items, NavItem{Label: "Across sites", Href: "/identify/national", Current: path == "/identify/national"})
	}
	if holds(sub, need{access.PerpetratorCase, access.Read}) {
		items = append(items, NavItem{Label: "Cases", Href: "/cases", Current: strings.HasPrefix(path, "/cases")})
	}
	if sub.HasRole(access.IDVA) || sub.HasRole(access.TeamLeader) {
		items = append(items, NavItem{Label: "Victim-survivors", Href: "/victims", Current: strings.HasPrefix(path, "/victims")})
	}
	if holds(sub, need{access.Configuration, access.Read}) {
		items = append(items, NavItem{Label: "Users", Href: "/admin/users", Current: strings.HasPrefix(path, "/admin/users")})
		items = append(items, NavItem{Label: "Service accounts", Href: "/service-accounts", Current: strings.HasPrefix(path, "/service-accounts")})
	}
	if holds(sub, need{access.Audit, access.Read}) {
		items = append(items, NavItem{Label: "Audit log", Href: "/audit", Current: path == "/audit"})
		items = append(items, NavItem{Label: "Alerts", Href: "/alerts", Current: path == "/alerts"})
	}
	items = append(items, NavItem{Label: "Your account", Href: "/account", Current: strings.HasPrefix(path, "/account")})
	return items
}

func (s *Server) signinForm(w http.ResponseWriter, r *http.Request) error {
	if p := principalFrom(r.Context()); p != nil && p.session != nil && p.session.Stage == identity.StageFull {
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
	ctx := r.Context()
	c, err := r.Cookie(s.preSigninCookie())
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf_token"))) != 1 || c.Value == "" {
		return s.renderSignin(w, r, http.StatusBadRequest, "", FormErrors{{"", "This form has expired. Enter your details again."}})
	}
	username := strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	password := r.PostFormValue("password")
	code := strings.TrimSpace(r.PostFormValue("code"))
	if username == "" || password == "" {
		fields := map[string]string{}
		if username == "" {
			fields["username"] = "Enter your username"
		}
		if password == "" {
			fields["password"] = "Enter your password"
		}
		return s.renderSignin(w, r, http.StatusUnprocessableEntity, username, formErrors(fields, "username", "password", "code"))
	}
	if len(username) > 64 {
		username = username[:64]
	}
	remote := clientAddress(r)
	// Failures are counted against a digest of the typed name, so a
	// password typed into the username box is not kept.
	nameKey := fmt.Sprintf("%x", sha256.Sum256([]byte(username)))
	token, tokenHash, err := auth.NewToken(s.cfg.Rand, "drv_s_")
	if err != nil {
		return err
	}
	csrf, _, err := auth.NewToken(s.cfg.Rand, "drv_c_")
	if err != nil {
		return err
	}
	var (
		outcome  string // "", "throttled", "failed", "enrol", "full"
		throttle error
	)
	err = s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		now := tx.Now
		byUser, byRemote, err := tx.SigninFailures(ctx, nameKey, remote, s.lockout.Since(now))
		if err != nil {
			return err
		}
		if d := s.lockout.Check(byUser, byRemote, now); !d.Allowed {
			outcome, throttle = "throttled", d.Err(now)
			// Burn the same time as a real check, so a locked account
			// cannot be told apart by speed.
			s.hasher.DummyVerify(password)
			return tx.Audit(ctx, audit.Event{Action: "signin.throttled", Remote: remote, Outcome: audit.OutcomeDenied})
		}
		// The typed username is not recorded in the audit log: people
		// sometimes type their password into it.
		fail := func(actor int64) error {
			outcome = "failed"
			if err := tx.RecordSigninFailure(ctx, nameKey, remote); err != nil {
				return err
			}
			e := audit.Event{Action: "signin.failure", Remote: remote, Outcome: audit.OutcomeFailed}
			if actor != 0 {
				e.RecordType, e.RecordID = "user", strconv.FormatInt(actor, 10)
			}
			return tx.Audit(ctx, e)
		}
		u, err := tx.UserByUsername(ctx, username)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			s.hasher.DummyVerify(password)
			return fail(0)
		}
		if err != nil {
			return err
		}
		ok, rehash, err := s.hasher.Verify(u.PasswordHash, password)
		if err != nil || !ok || u.Disabled() {
			return fail(u.ID)
		}
		sess := &identity.Session{TokenHash: tokenHash, UserID: u.ID, CSRF: csrf, Remote: remote,
			CreatedAt: now, LastSeenAt: now, ReauthAt: now}
		if !u.TOTPEnrolled {
			sess.Stage = identity.StageEnrol
			sess.ExpiresAt = now.Add(s.sessions.Enrol)
			outcome = "enrol"
		} else {
			if !s.secondFactor(ctx, tx, u, code) {
				return fail(u.ID)
			}
			sess.Stage = identity.StageFull
			sess.ExpiresAt = now.Add(s.sessions.Absolute)
			outcome = "full"
		}
		if rehash {
			if h, err := s.hasher.Hash(s.cfg.Rand, password); err == nil {
				if err := tx.SetPassword(ctx, u.ID, h); err != nil {
					return err
				}
			}
		}
		if err := tx.ClearSigninFailures(ctx, nameKey); err != nil {
			return err
		}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		action := "signin.success"
		if outcome == "enrol" {
			action = "signin.password_only"
		}
		return tx.Audit(ctx, audit.Event{Action: action, ActorID: u.ID, RecordType: "user", RecordID: strconv.FormatInt(u.ID, 10), Remote: remote, Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return err
	}
	switch outcome {
	case "throttled":
		return s.renderSignin(w, r, http.StatusTooManyRequests, username, FormErrors{{"username", drive.ErrorMessage(throttle)}})
	case "failed":
		return s.renderSignin(w, r, http.StatusUnauthorized, username, FormErrors{{"username", signinFailed}})
	}
	s.setCookie(w, s.preSigninCookie(), "", -1)
	s.setCookie(w, s.sessionCookie(), token, 0)
	if outcome == "enrol" {
		http.Redirect(w, r, "/enrol", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// secondFactor accepts a current TOTP code not used before, or an unused
// recovery code. Either is spent inside the transaction, so two requests
// racing with the same code cannot both succeed.
func (s *Server) secondFactor(ctx context.Context, tx *store.Tx, u *identity.User, code string) bool {
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

// enrolData is what templates/enrol.html shows.
type enrolData struct {
	QR            template.HTML // SVG made by auth.QRCodeSVG from our own URI
	Secret        string
	Errors        FormErrors
	RecoveryCodes []string
}

func (s *Server) enrolForm(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	ctx := r.Context()
	if p.session.PendingTOTP == "" {
		secret, err := auth.NewTOTPSecret(s.cfg.Rand)
		if err != nil {
			return err
		}
		p.session.PendingTOTP = secret
		if err := s.cfg.DB.Transact(ctx, func(tx *store.Tx) error { return tx.UpdateSession(ctx, p.session) }); err != nil {
			return err
		}
	}
	return s.renderEnrol(w, r, http.StatusOK, p, nil)
}

func (s *Server) renderEnrol(w http.ResponseWriter, r *http.Request, status int, p *principal, errs FormErrors) error {
	svg, err := auth.QRCodeSVG(auth.ProvisioningURI("Drive", p.user.Username, p.session.PendingTOTP))
	if err != nil {
		return err
	}
	d := enrolData{QR: template.HTML(svg), Secret: p.session.PendingTOTP, Errors: errs}
	title := "Set up your security code"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.render(w, r, status, "enrol", s.page(r, title, d))
}

// enrol confirms the new second factor with a code from it, stores it,
// issues recovery codes (shown once), and upgrades the session.
func (s *Server) enrol(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p := principalFrom(ctx)
	code := r.PostFormValue("code")
	step, err := auth.VerifyTOTP(p.session.PendingTOTP, code, s.cfg.Now(), 0)
	if err != nil {
		return s.renderEnrol(w, r, http.StatusUnprocessableEntity, p, FormErrors{{"code", "Enter the 6-digit code your authenticator app shows for Drive"}})
	}
	codes, hashes, err := auth.NewRecoveryCodes(s.cfg.Rand, 10)
	if err != nil {
		return err
	}
	err = s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetTOTP(ctx, p.user.ID, p.session.PendingTOTP, step); err != nil {
			return err
		}
		if err := tx.ReplaceRecoveryCodes(ctx, p.user.ID, hashes); err != nil {
			return err
		}
		p.session.Stage = identity.StageFull
		p.session.PendingTOTP = ""
		if err := tx.UpdateSession(ctx, p.session); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "totp.enrolled", ActorID: p.user.ID, RecordType: "user", RecordID: strconv.FormatInt(p.user.ID, 10), Remote: clientAddress(r), Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return err
	}
	// The session is now full: show the recovery codes, once.
	return s.render(w, r, http.StatusOK, "recovery-codes", s.page(r, "Your recovery codes", enrolData{RecoveryCodes: codes}))
}

// signout ends the session on the server, not just in the browser.
func (s *Server) signout(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if p := principalFrom(ctx); p != nil && p.session != nil {
		err := s.cfg.DB.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.DeleteSession(ctx, p.session.ID); err != nil {
				return err
			}
			return tx.Audit(ctx, audit.Event{Action: "session.end", ActorID: p.user.ID, RecordType: "user", RecordID: strconv.FormatInt(p.user.ID, 10), Remote: clientAddress(r), Outcome: audit.OutcomeOK})
		})
		if err != nil {
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
	sites := map[int64]string{}
	err := s.cfg.DB.View(ctx, func(tx *store.Tx) error {
		all, err := tx.Sites(ctx)
		for _, st := range all {
			sites[st.ID] = st.Name
		}
		return err
	})
	if err != nil {
		return err
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
