package web_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// fakeProvider is an OpenID Connect provider good enough to sign people
// in: discovery, a key set, an authorisation endpoint that sends the
// browser straight back with a code, and a token endpoint that checks the
// client and PKCE and returns an RS256 ID token. Tests change what the
// next ID token says with tweak, and the key that signs it with signer.
type fakeProvider struct {
	srv *httptest.Server
	// base is the provider's address as Drive and browsers use it: the
	// server's, or the same with another host name so that a browser
	// sees the provider as another site.
	base     string
	key      *rsa.PrivateKey // published in the key set
	now      func() time.Time
	clientID string
	secret   string

	mu     sync.Mutex
	grants map[string]fakeGrant
	claims map[string]any       // the person the provider signs in
	tweak  func(map[string]any) // changes the next ID token's claims
	signer *rsa.PrivateKey      // signs ID tokens; nil means key
	denial string               // an error the authorisation endpoint answers with
	// interactive makes the authorisation endpoint show a page whose
	// button sends the person back, as a provider does after asking for
	// their password: the return then starts on the provider's site.
	interactive bool
	seen        map[string]url.Values // the last authorisation request
}

type fakeGrant struct {
	nonce, challenge, redirect string
}

func newFakeProvider(t *testing.T, key *rsa.PrivateKey, now func() time.Time) *fakeProvider {
	t.Helper()
	p := &fakeProvider{key: key, now: now, clientID: "drive-client", secret: "client-secret-Qx7-never-shown",
		grants: map[string]fakeGrant{}, seen: map[string]url.Values{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer":                                p.base,
			"authorization_endpoint":                p.base + "/authorize",
			"token_endpoint":                        p.base + "/token",
			"jwks_uri":                              p.base + "/jwks",
			"response_types_supported":              []string{"code"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"},
			"code_challenge_methods_supported":      []string{"S256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "k1",
			"n": b64(p.key.N.Bytes()), "e": b64(big.NewInt(int64(p.key.E)).Bytes()),
		}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		p.mu.Lock()
		defer p.mu.Unlock()
		p.seen["authorize"] = q
		if q.Get("response_type") != "code" || q.Get("client_id") != p.clientID || q.Get("code_challenge_method") != "S256" ||
			q.Get("code_challenge") == "" || q.Get("nonce") == "" || q.Get("state") == "" ||
			!strings.Contains(" "+q.Get("scope")+" ", " openid ") {
			http.Error(w, "bad authorisation request", http.StatusBadRequest)
			return
		}
		back, err := url.Parse(q.Get("redirect_uri"))
		if err != nil {
			http.Error(w, "bad redirect_uri", http.StatusBadRequest)
			return
		}
		v := url.Values{"state": {q.Get("state")}}
		if p.denial != "" {
			v.Set("error", p.denial)
		} else {
			code := rand.Text()
			p.grants[code] = fakeGrant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
			v.Set("code", code)
		}
		back.RawQuery = v.Encode()
		if p.interactive {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><title>Provider</title><main><h1>Provider</h1>
<form method="post" action="/approve"><input type="hidden" name="to" value="%s"><button>Sign in</button></form></main></html>`,
				html.EscapeString(back.String()))
			return
		}
		http.Redirect(w, r, back.String(), http.StatusFound)
	})
	mux.HandleFunc("POST /approve", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.PostFormValue("to"), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok {
			id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
		} else {
			id, _ = url.QueryUnescape(id)
			secret, _ = url.QueryUnescape(secret)
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if id != p.clientID || secret != p.secret {
			w.WriteHeader(http.StatusUnauthorized)
			writeJSON(w, map[string]string{"error": "invalid_client"})
			return
		}
		code := r.PostFormValue("code")
		g, ok := p.grants[code]
		delete(p.grants, code)
		sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
		if !ok || r.PostFormValue("grant_type") != "authorization_code" || r.PostFormValue("redirect_uri") != g.redirect || b64(sum[:]) != g.challenge {
			w.WriteHeader(http.StatusBadRequest)
			writeJSON(w, map[string]string{"error": "invalid_grant"})
			return
		}
		now := p.now()
		claims := map[string]any{"iss": p.base, "aud": p.clientID, "nonce": g.nonce,
			"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix()}
		for k, v := range p.claims {
			claims[k] = v
		}
		if p.tweak != nil {
			p.tweak(claims)
		}
		signer := p.signer
		if signer == nil {
			signer = p.key
		}
		writeJSON(w, map[string]any{"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300, "id_token": signJWT(signer, claims)})
	})
	p.srv = httptest.NewServer(mux)
	p.base = p.srv.URL
	t.Cleanup(p.srv.Close)
	return p
}

func (p *fakeProvider) set(f func(p *fakeProvider)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// signJWT builds a compact RS256 JWS by hand.
func signJWT(key *rsa.PrivateKey, claims map[string]any) string {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"})
	payload, _ := json.Marshal(claims)
	input := b64(header) + "." + b64(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
	if err != nil {
		panic(err)
	}
	return input + "." + b64(sig)
}

// lockedBuffer collects the server's log lines from its goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type oidcHarness struct {
	db    *store.DB
	ts    *httptest.Server
	clock *clock
	idp   *fakeProvider
	logs  *lockedBuffer
	org   *account.Organisation // the police force with its own provider
	users map[string]*account.User
}

const officerTOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

// newOIDCHarness builds a Drive server whose police force signs in
// through a fake provider, with users: jo.officer (police, has a Drive
// second factor), sam.new (police, none yet), dee.left (police,
// disabled) and alex.worker (the Drive provider, not the police).
func newOIDCHarness(t *testing.T, e storetest.Engine, key *rsa.PrivateKey) *oidcHarness {
	t.Helper()
	return newOIDCHarnessOf(t, e, key, account.PoliceForce)
}

// newOIDCHarnessOf is newOIDCHarness with the signing-in organisation of
// the given kind.
func newOIDCHarnessOf(t *testing.T, e storetest.Engine, key *rsa.PrivateKey, kind account.OrgKind) *oidcHarness {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	db := e.Open(t, c.Now)
	ctx := context.Background()
	hash, err := auth.HashPassword(strings.NewReader(strings.Repeat("s", 64)), testPassword, auth.TestParams())
	if err != nil {
		t.Fatal(err)
	}
	h := &oidcHarness{db: db, clock: c, logs: &lockedBuffer{}, users: map[string]*account.User{}}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		site := &account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
		if err := tx.CreateSite(ctx, site); err != nil {
			return err
		}
		h.org = &account.Organisation{Name: "Northmoor Police", Kind: kind, SiteIDs: []int64{site.ID}}
		if err := tx.CreateOrganisation(ctx, h.org); err != nil {
			return err
		}
		provider := &account.Organisation{Name: "Northmoor Drive Service", Kind: account.Provider, SiteIDs: []int64{site.ID}}
		if err := tx.CreateOrganisation(ctx, provider); err != nil {
			return err
		}
		for _, u := range []*account.User{
			{Username: "jo.officer", DisplayName: "Jo Officer", OrganisationID: h.org.ID, TOTPSecret: officerTOTP},
			{Username: "sam.new", DisplayName: "Sam New", OrganisationID: h.org.ID},
			{Username: "dee.left", DisplayName: "Dee Left", OrganisationID: h.org.ID},
			{Username: "alex.worker", DisplayName: "Alex Worker", OrganisationID: provider.ID},
		} {
			u.PasswordHash = hash
			u.Roles = []account.RoleAssignment{{Role: access.Partner, SiteID: site.ID}}
			if u.OrganisationID == provider.ID {
				u.Roles = []account.RoleAssignment{{Role: access.CaseManager, SiteID: site.ID}}
			}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			h.users[u.Username] = u
		}
		return tx.SetUserDisabled(ctx, h.users["dee.left"].ID, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams()}, Version: "test", Log: slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	h.ts = httptest.NewServer(web.Replicated(t, srv))
	t.Cleanup(h.ts.Close)
	h.idp = newFakeProvider(t, key, c.Now)
	h.idp.claims = h.person("sub-jo-1", "jo.officer@police.example", "pwd", "mfa")
	h.configure(t, func(c *account.OIDCConfig) {})
	return h
}

// person returns the claims of someone the provider signs in.
func (h *oidcHarness) person(sub, email string, amr ...string) map[string]any {
	return map[string]any{"sub": sub, "email": email, "email_verified": true, "amr": amr}
}

// configure stores the police force's settings after change.
func (h *oidcHarness) configure(t *testing.T, change func(*account.OIDCConfig)) {
	t.Helper()
	cfg := &account.OIDCConfig{OrganisationID: h.org.ID, Issuer: h.idp.base, ClientID: h.idp.clientID, ClientSecret: h.idp.secret,
		RedirectURL: h.ts.URL + "/signin/oidc/callback", DisplayName: "Northmoor Police account", Enabled: true,
		UsernameClaim: account.ClaimEmail, EmailDomains: []string{"police.example"}, MFAMethods: []string{"mfa"}}
	change(cfg)
	ctx := context.Background()
	if err := h.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetOrganisationOIDC(ctx, cfg) }); err != nil {
		t.Fatal(err)
	}
}

func (h *oidcHarness) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: h.ts.URL, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// start asks Drive to begin signing in through the police force's
// provider and returns where Drive sends the browser.
func (h *oidcHarness) start(t *testing.T, b *browser) string {
	t.Helper()
	resp, body := b.do("GET", fmt.Sprintf("/signin/oidc/%d", h.org.ID), nil, nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(location(resp), h.idp.base+"/authorize?") {
		t.Fatalf("start: %d %s\n%s", resp.StatusCode, location(resp), body)
	}
	return location(resp)
}

// authorize visits the provider, which signs the person in at once, and
// returns the path on Drive it sends them back to.
func (h *oidcHarness) authorize(t *testing.T, authURL string) string {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back := location(resp)
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(back, h.ts.URL+"/signin/oidc/callback?") {
		t.Fatalf("provider: %d %s", resp.StatusCode, back)
	}
	return strings.TrimPrefix(back, h.ts.URL)
}

// signin goes through the whole flow in b and returns Drive's answer to
// the provider sending the person back.
func (h *oidcHarness) signin(t *testing.T, b *browser) (*http.Response, string) {
	t.Helper()
	return b.do("GET", h.authorize(t, h.start(t, b)), nil, nil)
}

// home reports where the browser's session gets it: 200 for a full
// session, or the redirect's target.
func home(b *browser) string {
	resp, _ := b.do("GET", "/", nil, nil)
	if resp.StatusCode == http.StatusOK {
		return "home"
	}
	return location(resp)
}

// audited returns the reasons of the audit events with action, newest
// first.
func (h *oidcHarness) audited(t *testing.T, action string) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	err := h.db.View(ctx, func(tx *store.Tx) error {
		es, err := tx.AuditEvents(ctx, store.AuditFilter{Limit: 1000})
		for _, e := range es {
			if e.Action == action {
				out = append(out, e.Reason)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

const failurePage = "You could not be signed in"

var referenceText = regexp.MustCompile(`reference: <strong>[0-9a-f]+</strong>`)

func TestOIDCSignIn(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Run("ProviderMFAGivesFullSessionAndLinksTheSubject", func(t *testing.T) {
				h := newOIDCHarness(t, e, key)
				b := h.browser(t)
				_, page := b.do("GET", "/signin", nil, nil)
				if !strings.Contains(page, fmt.Sprintf(`href="/signin/oidc/%d"`, h.org.ID)) || !strings.Contains(page, "Sign in with Northmoor Police account") {
					t.Fatal("the sign-in page does not offer the organisation's provider")
				}
				resp, _ := b.do("GET", fmt.Sprintf("/signin/oidc/%d", h.org.ID), nil, nil)
				authURL, _ := url.Parse(location(resp))
				q := authURL.Query()
				if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 43 || len(q.Get("nonce")) < 43 ||
					q.Get("client_secret") != "" || q.Get("redirect_uri") != h.ts.URL+"/signin/oidc/callback" {
					t.Fatalf("authorisation request: %v", q)
				}
				var binding *http.Cookie
				for _, c := range resp.Cookies() {
					if c.Name == "drive_oidc" {
						binding = c
					}
				}
				if binding == nil || !binding.HttpOnly || binding.SameSite != http.SameSiteLaxMode || binding.MaxAge != 600 {
					t.Fatalf("binding cookie = %+v", binding)
				}
				resp, body := b.do("GET", h.authorize(t, authURL.String()), nil, nil)
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, "You are signed in") || !strings.Contains(body, `href="/"`) {
					t.Fatalf("callback: %d\n%s", resp.StatusCode, body)
				}
				var session *http.Cookie
				for _, c := range resp.Cookies() {
					if c.Name == "drive_session" && c.Value != "" {
						session = c
					}
				}
				if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode {
					t.Fatalf("session cookie = %+v", session)
				}
				if got := home(b); got != "home" {
					t.Fatalf("home after sign-in: %s", got)
				}
				ctx := context.Background()
				err := h.db.View(ctx, func(tx *store.Tx) error {
					id, err := tx.OIDCLinkedUser(ctx, h.org.ID, "sub-jo-1")
					if err == nil && id != h.users["jo.officer"].ID {
						t.Errorf("subject linked to user %d", id)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if got := h.audited(t, "signin.success"); len(got) != 1 || !strings.Contains(got[0], "method: oidc") {
					t.Fatalf("signin.success events: %q", got)
				}
				// Once linked, the subject decides: a changed address at the
				// provider still signs in the same person.
				h.idp.set(func(p *fakeProvider) { p.claims["email"] = "j.officer-renamed@police.example" })
				b2 := h.browser(t)
				if resp, body := h.signin(t, b2); resp.StatusCode != http.StatusOK || !strings.Contains(body, "You are signed in") {
					t.Fatalf("second sign-in: %d", resp.StatusCode)
				}
				if _, body := b2.do("GET", "/", nil, nil); !strings.Contains(body, "Jo Officer") {
					t.Fatal("the linked subject signed in someone else")
				}
			})
			t.Run("WithoutProviderMFAAsksForTheDriveCode", func(t *testing.T) {
				h := newOIDCHarness(t, e, key)
				h.idp.set(func(p *fakeProvider) { p.claims["amr"] = []string{"pwd"} })
				b := h.browser(t)
				resp, body := h.signin(t, b)
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Enter your security code") {
					t.Fatalf("callback: %d\n%s", resp.StatusCode, body)
				}
				if got := home(b); got != "/signin" {
					t.Fatalf("home before the code: %s", got)
				}
				if resp, body := b.do("GET", "/signin/oidc/code", nil, nil); resp.StatusCode != 200 || !strings.Contains(body, "Northmoor Police account has confirmed who you are") {
					t.Fatalf("code form again: %d", resp.StatusCode)
				}
				tok := b.csrf("/signin/oidc/code")
				resp, body = b.do("POST", "/signin/oidc/code", url.Values{"csrf_token": {tok}, "code": {"000000"}}, nil)
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Enter a correct security code") {
					t.Fatalf("wrong code: %d", resp.StatusCode)
				}
				tok = csrfField.FindStringSubmatch(body)[1]
				pending := ""
				u, _ := url.Parse(h.ts.URL)
				for _, c := range b.client.Jar.Cookies(u) {
					if c.Name == "drive_oidc" {
						pending = c.Value
					}
				}
				code, _ := auth.TOTPCode(officerTOTP, h.clock.Now())
				resp, _ = b.do("POST", "/signin/oidc/code", url.Values{"csrf_token": {tok}, "code": {code}}, nil)
				if resp.StatusCode != http.StatusSeeOther || location(resp) != "/" {
					t.Fatalf("right code: %d %s", resp.StatusCode, location(resp))
				}
				if got := home(b); got != "home" {
					t.Fatalf("home after the code: %s", got)
				}
				if got := h.audited(t, "signin.success"); len(got) != 1 || !strings.Contains(got[0], "Drive security code") {
					t.Fatalf("signin.success events: %q", got)
				}
				// The pending sign-in is spent: its cookie leads nowhere.
				replay := h.browser(t)
				cookie := http.Header{"Cookie": {"drive_oidc=" + pending}}
				if resp, _ := replay.do("GET", "/signin/oidc/code", nil, cookie); location(resp) != "/signin" {
					t.Fatalf("code form after sign-in: %d %s", resp.StatusCode, location(resp))
				}
				h.clock.Add(30 * time.Second)
				code, _ = auth.TOTPCode(officerTOTP, h.clock.Now())
				if resp, _ := replay.do("POST", "/signin/oidc/code", url.Values{"code": {code}}, cookie); resp.StatusCode != http.StatusUnauthorized || home(replay) != "/signin" {
					t.Fatalf("code after sign-in: %d", resp.StatusCode)
				}
			})
			t.Run("DriveCodeAttemptsAreLimited", func(t *testing.T) {
				h := newOIDCHarness(t, e, key)
				h.idp.set(func(p *fakeProvider) { p.claims["amr"] = []string{"pwd"} })
				b := h.browser(t)
				h.signin(t, b)
				var resp *http.Response
				var body string
				for i := 0; i < 5; i++ {
					tok := b.csrf("/signin/oidc/code")
					resp, body = b.do("POST", "/signin/oidc/code", url.Values{"csrf_token": {tok}, "code": {"000000"}}, nil)
				}
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, failurePage) {
					t.Fatalf("fifth wrong code: %d", resp.StatusCode)
				}
				// The account is now locked for the password form too.
				code, _ := auth.TOTPCode(officerTOTP, h.clock.Now())
				if resp, _ := h.browser(t).signin("jo.officer", testPassword, code); resp.StatusCode != http.StatusTooManyRequests {
					t.Fatalf("password sign-in after 5 wrong codes: %d", resp.StatusCode)
				}
			})
			t.Run("NoDriveSecondFactorGivesAnEnrolmentSession", func(t *testing.T) {
				h := newOIDCHarness(t, e, key)
				h.idp.set(func(p *fakeProvider) { p.claims = h.person("sub-sam", "sam.new@police.example", "pwd") })
				b := h.browser(t)
				resp, body := h.signin(t, b)
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/enrol"`) {
					t.Fatalf("callback: %d\n%s", resp.StatusCode, body)
				}
				if got := home(b); got != "/enrol" {
					t.Fatalf("home: %s; want /enrol", got)
				}
				if got := h.audited(t, "signin.oidc_only"); len(got) != 1 {
					t.Fatalf("signin.oidc_only events: %q", got)
				}
				// With the provider's multi-factor authentication the same
				// person gets a full session.
				h.idp.set(func(p *fakeProvider) { p.claims["amr"] = []string{"pwd", "mfa"} })
				b = h.browser(t)
				h.signin(t, b)
				if got := home(b); got != "home" {
					t.Fatalf("home with provider MFA: %s", got)
				}
			})
			t.Run("TrustedACRCountsAndUntrustedDoesNot", func(t *testing.T) {
				h := newOIDCHarness(t, e, key)
				h.configure(t, func(c *account.OIDCConfig) { c.MFAMethods, c.MFAContexts = nil, []string{"urn:example:loa:high"} })
				h.idp.set(func(p *fakeProvider) { p.claims["acr"] = "urn:example:loa:low" })
				b := h.browser(t)
				if _, body := h.signin(t, b); !strings.Contains(body, "Enter your security code") {
					t.Fatal("an untrusted acr (and an amr no longer trusted) gave a session")
				}
				if got := h.idp.seen["authorize"].Get("acr_values"); got != "urn:example:loa:high" {
					t.Fatalf("acr_values = %q", got)
				}
				h.idp.set(func(p *fakeProvider) { p.claims["acr"] = "urn:example:loa:high" })
				b = h.browser(t)
				h.signin(t, b)
				if got := home(b); got != "home" {
					t.Fatalf("home with a trusted acr: %s", got)
				}
			})

			// Every refusal shows the same page, creates no session and is
			// audited with its reason.
			refusals := []struct {
				name   string
				reason string
				setup  func(h *oidcHarness)
				status int
			}{
				{"WrongNonce", "nonce does not match", func(h *oidcHarness) {
					h.idp.tweak = func(c map[string]any) { c["nonce"] = "a-nonce-from-another-sign-in" }
				}, 401},
				{"WrongAudience", "ID token rejected", func(h *oidcHarness) {
					h.idp.tweak = func(c map[string]any) { c["aud"] = "another-client" }
				}, 401},
				{"SeveralAudiencesWithoutUsAsParty", "issued to another party", func(h *oidcHarness) {
					h.idp.tweak = func(c map[string]any) {
						c["aud"] = []string{"another-client", "drive-client"}
						c["azp"] = "another-client"
					}
				}, 401},
				{"WrongIssuer", "ID token rejected", func(h *oidcHarness) {
					h.idp.tweak = func(c map[string]any) { c["iss"] = "https://impostor.example" }
				}, 401},
				{"BadSignature", "ID token rejected", func(h *oidcHarness) { h.idp.signer = otherKey }, 401},
				{"ExpiredToken", "ID token rejected", func(h *oidcHarness) {
					h.idp.tweak = func(c map[string]any) { c["exp"] = h.clock.Now().Add(-time.Minute).Unix() }
				}, 401},
				{"UnknownUser", "no Drive user has the username", func(h *oidcHarness) {
					h.idp.claims = h.person("sub-x", "nobody.here@police.example", "mfa")
				}, 401},
				{"DisabledUser", "user is disabled", func(h *oidcHarness) {
					h.idp.claims = h.person("sub-dee", "dee.left@police.example", "mfa")
				}, 401},
				{"UserOfAnotherOrganisation", "another organisation", func(h *oidcHarness) {
					h.idp.claims = h.person("sub-alex", "alex.worker@police.example", "mfa")
				}, 401},
				{"EmailDomainNotAllowed", "email domain not allowed", func(h *oidcHarness) {
					h.idp.claims = h.person("sub-jo-1", "jo.officer@elsewhere.example", "mfa")
				}, 401},
				{"EmailNotVerified", "email not verified", func(h *oidcHarness) { h.idp.claims["email_verified"] = false }, 401},
				{"ProviderRefused", "provider answered access_denied", func(h *oidcHarness) { h.idp.denial = "access_denied" }, 401},
				{"WrongClientSecret", "code exchange failed", func(h *oidcHarness) { h.idp.secret = "rotated-at-the-provider" }, 502},
			}
			var pages []string
			for _, tc := range refusals {
				t.Run(tc.name, func(t *testing.T) {
					h := newOIDCHarness(t, e, key)
					h.idp.set(func(*fakeProvider) { tc.setup(h) })
					b := h.browser(t)
					resp, body := h.signin(t, b)
					if resp.StatusCode != tc.status || !strings.Contains(body, failurePage) {
						t.Fatalf("status %d; want %d with the failure page\n%s", resp.StatusCode, tc.status, body)
					}
					if got := home(b); got != "/signin" {
						t.Fatalf("home after a refusal: %s", got)
					}
					got := h.audited(t, "signin.failure")
					if len(got) != 1 || !strings.Contains(got[0], tc.reason) {
						t.Fatalf("signin.failure reasons %q; want one with %q", got, tc.reason)
					}
					pages = append(pages, referenceText.ReplaceAllString(body, ""))
				})
			}
			for i := range pages {
				if pages[i] != pages[0] {
					t.Fatalf("refusal pages differ:\n%s\n---\n%s", pages[0], pages[i])
				}
			}

			t.Run("ReplayedState", func(t *testing.T) {
				h := newOIDCHarness(t, e, key)
				b := h.browser(t)
				back := h.authorize(t, h.start(t, b))
				binding := ""
				u, _ := url.Parse(h.ts.URL)
				for _, c := range b.client.Jar.Cookies(u) {
					if c.Name == "drive_oidc" {
						binding = c.Value
					}
				}
				if resp, _ := b.do("GET", back, nil, nil); resp.StatusCode != http.StatusOK {
					t.Fatalf("first use: %d", resp.StatusCode)
				}
				replay := h.browser(t)
				resp, body := replay.do("GET", back, nil, http.Header{"Cookie": {"drive_oidc=" + binding}})
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, failurePage) || home(replay) != "/signin" {
					t.Fatalf("replayed state: %d", resp.StatusCode)
				}
				if got := h.audited(t, "signin.failure"); len(got) != 1 || !strings.Contains(got[0], "already used") {
					t.Fatalf("signin.failure reasons %q", got)
				}
			})
			t.Run("ExpiredState", func(t *testing.T) {
				h := newOIDCHarness(t, e, key)
				b := h.browser(t)
				back := h.authorize(t, h.start(t, b))
				h.clock.Add(10*time.Minute + time.Second)
				resp, body := b.do("GET", back, nil, nil)
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, failurePage) || home(b) != "/signin" {
					t.Fatalf("expired state: %d", resp.StatusCode)
				}
				if got := h.audited(t, "signin.failure"); len(got) != 1 || !strings.Contains(got[0], "state expired") {
					t.Fatalf("signin.failure reasons %q", got)
				}
			})
			t.Run("CallbackInAnotherBrowser", func(t *testing.T) {
				// An attacker starts a sign-in as themselves and lures
				// someone else's browser to the callback: refused.
				h := newOIDCHarness(t, e, key)
				back := h.authorize(t, h.start(t, h.browser(t)))
				victim := h.browser(t)
				resp, _ := victim.do("GET", back, nil, nil)
				if resp.StatusCode != http.StatusUnauthorized || home(victim) != "/signin" {
					t.Fatalf("callback in another browser: %d", resp.StatusCode)
				}
				if got := h.audited(t, "signin.failure"); len(got) != 1 || !strings.Contains(got[0], "another browser") {
					t.Fatalf("signin.failure reasons %q", got)
				}
			})
			t.Run("OrganisationNotEnabled", func(t *testing.T) {
				h := newOIDCHarness(t, e, key)
				b := h.browser(t)
				back := h.authorize(t, h.start(t, b))
				ctx := context.Background()
				if err := h.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetOrganisationOIDCEnabled(ctx, h.org.ID, false) }); err != nil {
					t.Fatal(err)
				}
				// Switched off while the person was at the provider.
				if resp, _ := b.do("GET", back, nil, nil); resp.StatusCode != http.StatusUnauthorized || home(b) != "/signin" {
					t.Fatalf("callback after switching off: %d", resp.StatusCode)
				}
				// And no longer offered or startable.
				if _, page := b.do("GET", "/signin", nil, nil); strings.Contains(page, "/signin/oidc/") {
					t.Fatal("the sign-in page still offers a switched-off provider")
				}
				for _, path := range []string{fmt.Sprintf("/signin/oidc/%d", h.org.ID), "/signin/oidc/999999", "/signin/oidc/police"} {
					resp, body := b.do("GET", path, nil, nil)
					if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, failurePage) {
						t.Fatalf("GET %s: %d", path, resp.StatusCode)
					}
				}
				if got := h.audited(t, "signin.failure"); len(got) != 4 || !strings.Contains(got[3], "no enabled provider") {
					t.Fatalf("signin.failure reasons %q", got)
				}
			})
			t.Run("SecretsAndPersonalDataStayOut", func(t *testing.T) {
				h := newOIDCHarness(t, e, key)
				b := h.browser(t)
				var bodies []string
				_, body := h.signin(t, b)
				bodies = append(bodies, body)
				h.idp.set(func(p *fakeProvider) { p.tweak = func(c map[string]any) { c["aud"] = "another-client" } })
				_, body = h.signin(t, h.browser(t))
				bodies = append(bodies, body)
				_, body = b.do("GET", "/signin", nil, nil)
				bodies = append(bodies, body)
				for _, s := range append(bodies, h.logs.String()) {
					for _, secret := range []string{h.idp.secret, "jo.officer@police.example", "sub-jo-1"} {
						if strings.Contains(s, secret) {
							t.Fatalf("%q appears in a page or the log", secret)
						}
					}
				}
				for _, reason := range append(h.audited(t, "signin.failure"), h.audited(t, "signin.success")...) {
					if strings.Contains(reason, "police.example") || strings.Contains(reason, "sub-jo") {
						t.Fatalf("audit reason %q holds personal data", reason)
					}
				}
				ctx := context.Background()
				err := h.db.View(ctx, func(tx *store.Tx) error {
					cfg, err := tx.OrganisationOIDC(ctx, h.org.ID)
					if err != nil {
						return err
					}
					for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", *cfg)} {
						if strings.Contains(s, h.idp.secret) {
							t.Errorf("formatting the settings shows the secret: %s", s)
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			})
			t.Run("IDVAServiceAccountsNeverSignInThroughAProvider", func(t *testing.T) {
				// Settings stored for an IDVA service (drive oidc set
				// refuses them; these were written before it did).
				h := newOIDCHarnessOf(t, e, key, account.IDVAService)
				b := h.browser(t)
				if resp, _ := h.signin(t, b); resp.StatusCode != http.StatusUnauthorized || home(b) != "/signin" {
					t.Fatalf("an IDVA service account through a provider: %d", resp.StatusCode)
				}
				if got := h.audited(t, "signin.failure"); len(got) != 1 || !strings.Contains(got[0], "IDVA service") {
					t.Fatalf("signin.failure reasons %q", got)
				}
			})
			t.Run("LinkedUserMovedOrganisationOrOtherSubject", func(t *testing.T) {
				h := newOIDCHarness(t, e, key)
				h.signin(t, h.browser(t))
				// A second account at the provider claiming the same
				// username cannot take over the linked user.
				h.idp.set(func(p *fakeProvider) { p.claims["sub"] = "sub-impostor" })
				b := h.browser(t)
				if resp, _ := h.signin(t, b); resp.StatusCode != http.StatusUnauthorized || home(b) != "/signin" {
					t.Fatalf("second subject for a linked user: %d", resp.StatusCode)
				}
				if got := h.audited(t, "signin.failure"); len(got) != 1 || !strings.Contains(got[0], "linked to another account") {
					t.Fatalf("signin.failure reasons %q", got)
				}
			})
		})
	}
}

func TestOIDCConfigValidate(t *testing.T) {
	good := func() account.OIDCConfig {
		return account.OIDCConfig{OrganisationID: 1, Issuer: "https://login.police.example/realms/staff", ClientID: "drive", ClientSecret: "s",
			RedirectURL: "https://drive.example.org/signin/oidc/callback", DisplayName: "Police", EmailDomains: []string{"Police.Example "}}
	}
	c := good()
	if err := c.Validate(); err != nil {
		t.Fatalf("good settings: %v", err)
	}
	if c.UsernameClaim != account.ClaimEmail || c.EmailDomains[0] != "police.example" {
		t.Fatalf("normalised to %+v", c)
	}
	for name, change := range map[string]func(*account.OIDCConfig){
		"plain http issuer":          func(c *account.OIDCConfig) { c.Issuer = "http://login.police.example" },
		"issuer with query":          func(c *account.OIDCConfig) { c.Issuer = "https://login.police.example/?x=1" },
		"redirect elsewhere":         func(c *account.OIDCConfig) { c.RedirectURL = "https://drive.example.org/somewhere" },
		"no secret":                  func(c *account.OIDCConfig) { c.ClientSecret = "" },
		"email without domains":      func(c *account.OIDCConfig) { c.EmailDomains = nil },
		"bad domain":                 func(c *account.OIDCConfig) { c.EmailDomains = []string{"police"} },
		"unknown claim":              func(c *account.OIDCConfig) { c.UsernameClaim = "name" },
		"amr value with a space":     func(c *account.OIDCConfig) { c.MFAMethods = []string{"m fa"} },
		"no organisation":            func(c *account.OIDCConfig) { c.OrganisationID = 0 },
		"credentials in the issuer":  func(c *account.OIDCConfig) { c.Issuer = "https://u:p@login.police.example" },
		"no display name for button": func(c *account.OIDCConfig) { c.DisplayName = " " },
	} {
		c := good()
		change(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	c = good()
	c.Issuer, c.RedirectURL = "http://127.0.0.1:5556", "http://localhost:8080/signin/oidc/callback"
	if err := c.Validate(); err != nil {
		t.Errorf("loopback http: %v", err)
	}
}

func TestOIDCUsernameRule(t *testing.T) {
	c := account.OIDCConfig{UsernameClaim: account.ClaimEmail, EmailDomains: []string{"police.example"}}
	for _, tc := range []struct {
		cl   account.OIDCClaims
		want string
	}{
		{account.OIDCClaims{Email: "Jo.Officer@Police.Example", EmailVerified: true}, "jo.officer"},
		{account.OIDCClaims{Email: "jo.officer@police.example"}, ""},
		{account.OIDCClaims{Email: "jo.officer@evil.example", EmailVerified: true}, ""},
		{account.OIDCClaims{Email: "jo.officer@police.example.evil.example", EmailVerified: true}, ""},
		{account.OIDCClaims{Email: "jo.officer", EmailVerified: true}, ""},
		{account.OIDCClaims{Email: "a@police.example", EmailVerified: true}, ""}, // too short for a username
		{account.OIDCClaims{PreferredUsername: "jo.officer", EmailVerified: true}, ""},
	} {
		if got, _ := c.Username(tc.cl); got != tc.want {
			t.Errorf("Username(%+v) = %q; want %q", tc.cl, got, tc.want)
		}
	}
	c.UsernameClaim = account.ClaimPreferredUsername
	for in, want := range map[string]string{"jo.officer": "jo.officer", "JO.OFFICER@police.example": "jo.officer", "jo@other.example": "", "jo officer": ""} {
		if got, _ := c.Username(account.OIDCClaims{PreferredUsername: in}); got != want {
			t.Errorf("preferred_username %q gives %q; want %q", in, got, want)
		}
	}
}

// TestOIDCInBrowser signs in through the fake provider in headless
// Chromium, with the provider on another site (localhost rather than
// 127.0.0.1), so the browser applies its SameSite rules as it would in
// production: the binding cookie must survive the cross-site return, and
// the session must work once the person follows the page's link. Every
// page on the way must pass axe-core.
func TestOIDCInBrowser(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	h := newOIDCHarness(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite}, key)
	h.idp.base = strings.Replace(h.idp.srv.URL, "127.0.0.1", "localhost", 1)
	h.idp.interactive = true
	h.configure(t, func(*account.OIDCConfig) {})
	button := fmt.Sprintf("a[href='/signin/oidc/%d']", h.org.ID)
	step := func(t *testing.T, b *browsertest.Browser, status int, wantStatus int, err error, heading string) {
		t.Helper()
		must(t, err)
		text, err := b.Text("h1")
		must(t, err)
		if status != wantStatus || !strings.Contains(text, heading) {
			t.Fatalf("status %d, heading %q; want %d, %q", status, text, wantStatus, heading)
		}
		b.AssertAccessible(t)
	}

	// viaProvider follows the organisation's button to the provider and
	// signs in there.
	viaProvider := func(b *browsertest.Browser, button string) (int, error) {
		if _, err := b.Submit(button); err != nil {
			return 0, err
		}
		return b.Submit("form[action='/approve'] button")
	}

	t.Run("ProviderMFA", func(t *testing.T) {
		b := browsertest.New(t)
		status, err := b.Navigate(h.ts.URL + "/signin")
		step(t, b, status, 200, err, "Sign in to Drive")
		status, err = viaProvider(b, button)
		step(t, b, status, 200, err, "You are signed in")
		status, err = b.Submit("a[href='/']")
		step(t, b, status, 200, err, "Jo Officer")
	})
	t.Run("DriveCode", func(t *testing.T) {
		h.idp.set(func(p *fakeProvider) { p.claims["amr"] = []string{"pwd"} })
		b := browsertest.New(t)
		_, err := b.Navigate(h.ts.URL + "/signin")
		must(t, err)
		status, err := viaProvider(b, button)
		step(t, b, status, 200, err, "Enter your security code")
		must(t, b.Fill("#code", "000000"))
		status, err = b.Submit("form[action='/signin/oidc/code'] button")
		step(t, b, status, 401, err, "Enter your security code")
		h.clock.Add(time.Minute) // a step the first sign-in did not use
		code, _ := auth.TOTPCode(officerTOTP, h.clock.Now())
		must(t, b.Fill("#code", code))
		status, err = b.Submit("form[action='/signin/oidc/code'] button")
		step(t, b, status, 200, err, "Jo Officer")
	})
	t.Run("Enrolment", func(t *testing.T) {
		h.idp.set(func(p *fakeProvider) { p.claims = h.person("sub-sam", "sam.new@police.example", "pwd") })
		b := browsertest.New(t)
		_, err := b.Navigate(h.ts.URL + "/signin")
		must(t, err)
		status, err := viaProvider(b, button)
		step(t, b, status, 200, err, "Set up your security code next")
		status, err = b.Submit("a[href='/enrol']")
		step(t, b, status, 200, err, "Set up your security code")
	})
	t.Run("Refused", func(t *testing.T) {
		h.idp.set(func(p *fakeProvider) { p.claims = h.person("sub-x", "nobody.here@police.example", "mfa") })
		b := browsertest.New(t)
		_, err := b.Navigate(h.ts.URL + "/signin")
		must(t, err)
		status, err := viaProvider(b, button)
		step(t, b, status, 401, err, failurePage)
	})
}
