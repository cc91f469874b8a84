package web_test

import (
	"context"
	"io"
	"log/slog"
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
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// clock is a movable test clock shared by the server and the database.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const testPassword = "correct-horse-battery-staple-42"

type authHarness struct {
	db    *store.DB
	ts    *httptest.Server
	clock *clock
	user  *account.User
}

func newAuthHarness(t *testing.T, e storetest.Engine, enrolled bool) *authHarness {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	db := e.Open(t, c.Now)
	ctx := context.Background()
	hash, err := auth.HashPassword(strings.NewReader(strings.Repeat("s", 64)), testPassword, auth.TestParams())
	if err != nil {
		t.Fatal(err)
	}
	u := &account.User{Username: "casey.manager", DisplayName: "Casey Manager", PasswordHash: hash}
	if enrolled {
		u.TOTPSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		site := &account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
		if err := tx.CreateSite(ctx, site); err != nil {
			return err
		}
		org := &account.Organisation{Name: "Northmoor Drive Service", Kind: account.Provider, SiteIDs: []int64{site.ID}}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		u.OrganisationID = org.ID
		u.Roles = []account.RoleAssignment{{Role: access.CaseManager, SiteID: site.ID}}
		return tx.CreateUser(ctx, u)
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams()}, Version: "test", Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.Replicated(t, srv))
	t.Cleanup(ts.Close)
	return &authHarness{db: db, ts: ts, clock: c, user: u}
}

// browser is a cookie-keeping client that does not follow redirects, so
// tests see each step.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func (h *authHarness) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: h.ts.URL, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values, header http.Header) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf fetches a page and returns its form token.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	_, body := b.do("GET", path, nil, nil)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		b.t.Fatalf("no csrf_token on %s", path)
	}
	return m[1]
}

func (b *browser) signin(username, password, code string) (*http.Response, string) {
	b.t.Helper()
	tok := b.csrf("/signin")
	return b.do("POST", "/signin", url.Values{"csrf_token": {tok}, "username": {username}, "password": {password}, "code": {code}}, nil)
}

func (h *authHarness) code(t *testing.T) string {
	t.Helper()
	c, err := auth.TOTPCode(h.user.TOTPSecret, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func location(resp *http.Response) string { return resp.Header.Get("Location") }

func TestSignIn(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Run("PasswordAloneGivesNoSession", func(t *testing.T) {
				h := newAuthHarness(t, e, true)
				b := h.browser(t)
				resp, body := b.signin("casey.manager", testPassword, "")
				if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Enter a correct username, password and security code") {
					t.Fatalf("status %d", resp.StatusCode)
				}
				if resp, _ := b.do("GET", "/", nil, nil); location(resp) != "/signin" {
					t.Fatalf("home after password-only sign-in: %d %s", resp.StatusCode, location(resp))
				}
			})
			t.Run("FullSignInAndServerSideSignOut", func(t *testing.T) {
				h := newAuthHarness(t, e, true)
				b := h.browser(t)
				resp, _ := b.signin("Casey.Manager ", testPassword, h.code(t))
				if resp.StatusCode != http.StatusSeeOther || location(resp) != "/" {
					t.Fatalf("sign-in: %d %s", resp.StatusCode, location(resp))
				}
				var cookie *http.Cookie
				for _, c := range resp.Cookies() {
					if c.Name == "drive_session" && c.Value != "" {
						cookie = c
					}
				}
				if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode {
					t.Fatalf("session cookie = %+v", cookie)
				}
				resp, body := b.do("GET", "/", nil, nil)
				if resp.StatusCode != 200 || !strings.Contains(body, "Casey Manager") || resp.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("home: %d", resp.StatusCode)
				}
				tok := csrfField.FindStringSubmatch(body)[1]
				resp, body = b.do("POST", "/signout", url.Values{"csrf_token": {tok}}, nil)
				if location(resp) != "/signin" {
					t.Fatalf("sign-out: %d %s %s", resp.StatusCode, location(resp), body)
				}
				// Replaying the old cookie must not work: the session is gone
				// from the server, not just from the browser.
				replay := h.browser(t)
				resp, _ = replay.do("GET", "/", nil, http.Header{"Cookie": {"drive_session=" + cookie.Value}})
				if location(resp) != "/signin" {
					t.Fatalf("old cookie after sign-out: %d %s", resp.StatusCode, location(resp))
				}
			})
			t.Run("ReplayedCodeIsRefused", func(t *testing.T) {
				h := newAuthHarness(t, e, true)
				code := h.code(t)
				if resp, _ := h.browser(t).signin("casey.manager", testPassword, code); location(resp) != "/" {
					t.Fatalf("first use: %d", resp.StatusCode)
				}
				h.clock.Add(10 * time.Second) // same or next step: still inside the window
				if resp, _ := h.browser(t).signin("casey.manager", testPassword, code); resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("replayed code: %d; want 401", resp.StatusCode)
				}
			})
			t.Run("UnknownAndKnownUsersLookTheSame", func(t *testing.T) {
				h := newAuthHarness(t, e, true)
				r1, b1 := h.browser(t).signin("casey.manager", "wrong-password-entirely", "123456")
				r2, b2 := h.browser(t).signin("nobody.here", "wrong-password-entirely", "123456")
				strip := func(s string) string {
					s = csrfField.ReplaceAllString(s, "")
					return strings.ReplaceAll(s, "nobody.here", "casey.manager")
				}
				if r1.StatusCode != r2.StatusCode || strip(b1) != strip(b2) {
					t.Fatalf("known user %d and unknown user %d answered differently", r1.StatusCode, r2.StatusCode)
				}
			})
			t.Run("LockoutAfterRepeatedFailures", func(t *testing.T) {
				h := newAuthHarness(t, e, true)
				for i := 0; i < 5; i++ {
					h.browser(t).signin("casey.manager", "wrong-password-entirely", "000000")
				}
				resp, body := h.browser(t).signin("casey.manager", testPassword, h.code(t))
				if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Wait 15 minutes") {
					t.Fatalf("after 5 failures: %d", resp.StatusCode)
				}
				h.clock.Add(16 * time.Minute)
				if resp, _ := h.browser(t).signin("casey.manager", testPassword, h.code(t)); location(resp) != "/" {
					t.Fatalf("after the lock ends: %d", resp.StatusCode)
				}
			})
			t.Run("FormsNeedTheirToken", func(t *testing.T) {
				h := newAuthHarness(t, e, true)
				b := h.browser(t)
				b.signin("casey.manager", testPassword, h.code(t))
				resp, _ := b.do("POST", "/signout", url.Values{"csrf_token": {"forged"}}, nil)
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("sign-out with a forged token: %d", resp.StatusCode)
				}
				if resp, _ := b.do("GET", "/", nil, nil); resp.StatusCode != 200 {
					t.Fatalf("session ended by a forged request: %d", resp.StatusCode)
				}
				resp, _ = b.do("POST", "/signout", url.Values{"csrf_token": {"x"}}, http.Header{"Sec-Fetch-Site": {"cross-site"}})
				if resp.StatusCode != http.StatusForbidden {
					t.Fatalf("cross-site post: %d; want 403", resp.StatusCode)
				}
				// Sign-in itself needs the token from its cookie.
				resp, _ = h.browser(t).do("POST", "/signin", url.Values{"username": {"casey.manager"}, "password": {testPassword}, "code": {h.code(t)}}, nil)
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("sign-in without token: %d", resp.StatusCode)
				}
			})
			t.Run("IdleAndAbsoluteTimeouts", func(t *testing.T) {
				h := newAuthHarness(t, e, true)
				b := h.browser(t)
				b.signin("casey.manager", testPassword, h.code(t))
				h.clock.Add(29 * time.Minute)
				if resp, _ := b.do("GET", "/", nil, nil); resp.StatusCode != 200 {
					t.Fatalf("after 29 idle minutes: %d", resp.StatusCode)
				}
				h.clock.Add(31 * time.Minute)
				if resp, _ := b.do("GET", "/", nil, nil); location(resp) != "/signin" {
					t.Fatalf("after 31 idle minutes: %d", resp.StatusCode)
				}
				b = h.browser(t)
				b.signin("casey.manager", testPassword, h.code(t))
				for i := 0; i < 25; i++ { // busy for 12.5 hours
					h.clock.Add(30 * time.Minute)
					b.do("GET", "/", nil, nil)
					h.clock.Add(-1 * time.Minute)
				}
				if resp, _ := b.do("GET", "/", nil, nil); location(resp) != "/signin" {
					t.Fatalf("past the absolute lifetime: %d", resp.StatusCode)
				}
			})
			t.Run("EnrolmentThenRecoveryCode", func(t *testing.T) {
				h := newAuthHarness(t, e, false)
				b := h.browser(t)
				resp, _ := b.signin("casey.manager", testPassword, "")
				if location(resp) != "/enrol" {
					t.Fatalf("first sign-in: %d %s", resp.StatusCode, location(resp))
				}
				if resp, _ := b.do("GET", "/", nil, nil); location(resp) != "/enrol" {
					t.Fatalf("home before enrolment: %s", location(resp))
				}
				_, page := b.do("GET", "/enrol", nil, nil)
				secret := regexp.MustCompile(`<code class="drive-secret">([A-Z2-7]+)</code>`).FindStringSubmatch(page)
				if secret == nil || !strings.Contains(page, "<svg") {
					t.Fatal("enrolment page lacks the QR code or key")
				}
				tok := csrfField.FindStringSubmatch(page)[1]
				resp, _ = b.do("POST", "/enrol", url.Values{"csrf_token": {tok}, "code": {"000000"}}, nil)
				if resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("wrong enrolment code: %d", resp.StatusCode)
				}
				code, _ := auth.TOTPCode(secret[1], h.clock.Now())
				resp, body := b.do("POST", "/enrol", url.Values{"csrf_token": {tok}, "code": {code}}, nil)
				codes := regexp.MustCompile(`<li><code>([a-z0-9-]+)</code></li>`).FindAllStringSubmatch(body, -1)
				if resp.StatusCode != 200 || len(codes) != 10 {
					t.Fatalf("enrolment: %d, %d recovery codes", resp.StatusCode, len(codes))
				}
				if resp, _ := b.do("GET", "/", nil, nil); resp.StatusCode != 200 {
					t.Fatalf("home after enrolment: %d", resp.StatusCode)
				}
				h.clock.Add(time.Minute)
				if resp, _ := h.browser(t).signin("casey.manager", testPassword, codes[3][1]); location(resp) != "/" {
					t.Fatalf("recovery code: %d", resp.StatusCode)
				}
				if resp, _ := h.browser(t).signin("casey.manager", testPassword, codes[3][1]); resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("recovery code used twice: %d", resp.StatusCode)
				}
			})
			t.Run("APITokens", func(t *testing.T) {
				h := newAuthHarness(t, e, true)
				ctx := context.Background()
				token, hash, err := auth.NewToken(strings.NewReader(strings.Repeat("t", 64)), auth.APITokenPrefix)
				if err != nil {
					t.Fatal(err)
				}
				tk := &account.APIToken{UserID: h.user.ID, TokenHash: hash, ExpiresAt: h.clock.Now().Add(time.Hour)}
				if err := h.db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateAPIToken(ctx, tk) }); err != nil {
					t.Fatal(err)
				}
				b := h.browser(t)
				resp, body := b.do("GET", "/api/v1/me", nil, http.Header{"Authorization": {"Bearer " + token}})
				if resp.StatusCode != 200 || !strings.Contains(body, `"username":"casey.manager"`) {
					t.Fatalf("me with token: %d %s", resp.StatusCode, body)
				}
				if resp, body := b.do("GET", "/api/v1/me", nil, nil); resp.StatusCode != 401 || !strings.Contains(body, `"code":"unauthorized"`) {
					t.Fatalf("me without token: %d %s", resp.StatusCode, body)
				}
				h.clock.Add(2 * time.Hour)
				if resp, _ := b.do("GET", "/api/v1/me", nil, http.Header{"Authorization": {"Bearer " + token}}); resp.StatusCode != 401 {
					t.Fatalf("expired token: %d", resp.StatusCode)
				}
			})
		})
	}
}
