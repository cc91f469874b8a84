package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// knownBrowserCookie is the known-browser cookie's name on plain HTTP.
const knownBrowserCookie = "drive_browser"

// addColleague adds a second enrolled user, in casey.manager's
// organisation and with the same authenticator secret (each account
// spends its own codes).
func (h *authHarness) addColleague(t *testing.T, username string) *account.User {
	t.Helper()
	ctx := context.Background()
	hash, err := auth.HashPassword(strings.NewReader(strings.Repeat("c", 64)), testPassword, auth.TestParams())
	if err != nil {
		t.Fatal(err)
	}
	u := &account.User{Username: username, DisplayName: "Robin Leader", PasswordHash: hash, OrganisationID: h.user.OrganisationID,
		TOTPSecret: h.user.TOTPSecret, Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: h.user.Roles[0].SiteID}}}
	if err := h.db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	return u
}

// knownToken is the browser's known-browser cookie as its jar holds it,
// "" when it has none.
func (b *browser) knownToken() string {
	u, _ := url.Parse(b.base)
	for _, c := range b.client.Jar.Cookies(u) {
		if c.Name == knownBrowserCookie {
			return c.Value
		}
	}
	return ""
}

// withKnownToken gives the browser a known-browser cookie, as if copied
// from another browser.
func (b *browser) withKnownToken(token string) *browser {
	u, _ := url.Parse(b.base)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: knownBrowserCookie, Value: token, Path: "/"}})
	return b
}

// closed is the browser closed and opened again: its session cookie
// (which lasts until the browser closes) is gone, its known-browser
// cookie kept.
func (b *browser) closed() *browser {
	u, _ := url.Parse(b.base)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "drive_session", Value: "", Path: "/", MaxAge: -1}})
	return b
}

// flood fails sign-ins from new browsers, under names that are nobody's,
// until the address is throttled: a new browser's next attempt is refused
// with 429 before anything is checked.
func (h *authHarness) flood(t *testing.T) {
	t.Helper()
	for i := 0; ; i++ {
		resp, _ := h.browser(t).signin("flood."+strconv.Itoa(i), "not-anyones-password", "000000")
		if resp.StatusCode == http.StatusTooManyRequests {
			if i != auth.DefaultLockout().AddressFailures {
				t.Fatalf("the address was throttled after %d failures; want %d", i, auth.DefaultLockout().AddressFailures)
			}
			return
		}
		if resp.StatusCode != http.StatusUnauthorized || i > 100 {
			t.Fatalf("flood attempt %d: %d", i, resp.StatusCode)
		}
	}
}

// TestKnownBrowsers checks, through real HTTP on both engines, that a
// flood of failed sign-ins from one address (every test request comes
// from 127.0.0.1) shuts out new browsers there but not a browser that has
// signed in fully as the account before; that the cookie marking such a
// browser carries nothing but a random token, works only for the account
// it was issued to, is renewed at every sign-in and forgotten after three
// failures in a row; and that changing the password, resetting the second
// factor or disabling the account forgets every browser of the account,
// audited.
func TestKnownBrowsers(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Run("FloodSparesKnownBrowser", func(t *testing.T) {
				h := newAuthHarness(t, e, true)
				robin := h.addColleague(t, "robin.leader")
				casey := h.browser(t)
				resp, _ := casey.signin("casey.manager", testPassword, h.code(t))
				if location(resp) != "/" {
					t.Fatalf("casey's first sign-in: %d %s", resp.StatusCode, location(resp))
				}
				var cookie *http.Cookie
				for _, c := range resp.Cookies() {
					if c.Name == knownBrowserCookie {
						cookie = c
					}
				}
				if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/" ||
					cookie.MaxAge != int((90*24*time.Hour).Seconds()) {
					t.Fatalf("known-browser cookie = %+v", cookie)
				}
				if !strings.HasPrefix(cookie.Value, auth.KnownBrowserPrefix) || len(cookie.Value) != len(auth.KnownBrowserPrefix)+43 ||
					strings.Contains(strings.ToLower(cookie.Value), "casey") {
					t.Fatalf("known-browser cookie holds more than a random token: %q", cookie.Value)
				}
				// Only the hash is stored.
				err := h.db.View(context.Background(), func(tx *store.Tx) error {
					if _, err := tx.KnownBrowserByTokenHash(context.Background(), []byte(cookie.Value)); err == nil {
						t.Error("the token itself is stored")
					}
					b, err := tx.KnownBrowserByTokenHash(context.Background(), auth.HashToken(cookie.Value))
					if err == nil && b.UserID != h.user.ID {
						t.Errorf("browser remembered for user %d; want %d", b.UserID, h.user.ID)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				// A password-only sign-in (no second factor yet) is not
				// enough to be remembered.
				h2 := newAuthHarness(t, e, false)
				enrolling := h2.browser(t)
				if resp, _ := enrolling.signin("casey.manager", testPassword, ""); location(resp) != "/enrol" {
					t.Fatalf("enrolment sign-in: %d %s", resp.StatusCode, location(resp))
				}
				if enrolling.knownToken() != "" {
					t.Fatal("a password alone got a known-browser cookie")
				}

				// Robin signs in on their own browser too, and both sign out:
				// the known-browser cookie stays.
				h.clock.Add(30 * time.Second)
				robinBrowser := h.browser(t)
				if resp, _ := robinBrowser.signin("robin.leader", testPassword, h.code(t)); location(resp) != "/" {
					t.Fatalf("robin's sign-in: %d", resp.StatusCode)
				}
				for _, b := range []*browser{casey, robinBrowser} {
					b.do("POST", "/signout", url.Values{"csrf_token": {b.csrf("/")}}, nil)
					if b.knownToken() == "" {
						t.Fatal("signing out dropped the known-browser cookie")
					}
				}

				h.flood(t)
				h.clock.Add(30 * time.Second)
				// A new browser is shut out, even with everything right...
				if resp, body := h.browser(t).signin("casey.manager", testPassword, h.code(t)); resp.StatusCode != http.StatusTooManyRequests ||
					!strings.Contains(body, "Too many failed sign-in attempts") {
					t.Fatalf("a new browser during the flood: %d; want 429", resp.StatusCode)
				}
				// ...but casey's own browser is not, and gets a new token.
				old := casey.knownToken()
				if resp, _ := casey.closed().signin("casey.manager", testPassword, h.code(t)); location(resp) != "/" {
					t.Fatalf("casey's known browser during the flood: %d %s; want a session", resp.StatusCode, location(resp))
				}
				renewed := casey.knownToken()
				if renewed == "" || renewed == old {
					t.Fatal("a sign-in from a known browser did not renew its token")
				}
				// The old token is spent: a copy of it is a new browser.
				h.clock.Add(30 * time.Second)
				if resp, _ := h.browser(t).withKnownToken(old).signin("casey.manager", testPassword, h.code(t)); resp.StatusCode != http.StatusTooManyRequests {
					t.Fatalf("the token before renewal: %d; want 429", resp.StatusCode)
				}

				// Casey's cookie, copied, does not help anyone sign in as
				// robin, even with robin's password and code.
				h.clock.Add(30 * time.Second)
				if resp, _ := h.browser(t).withKnownToken(renewed).signin("robin.leader", testPassword, h.code(t)); resp.StatusCode != http.StatusTooManyRequests {
					t.Fatalf("casey's cookie for robin's account: %d; want 429", resp.StatusCode)
				}
				// Robin's own browser still gets in.
				if resp, _ := robinBrowser.closed().signin("robin.leader", testPassword, h.code(t)); location(resp) != "/" {
					t.Fatalf("robin's known browser during the flood: %d", resp.StatusCode)
				}

				// Failures from a known browser are not refused by the
				// address limit; three in a row forget it.
				h.clock.Add(30 * time.Second)
				for i := 0; i < 3; i++ {
					if resp, _ := casey.closed().signin("casey.manager", "wrong-password-entirely", "000000"); resp.StatusCode != http.StatusUnauthorized {
						t.Fatalf("failure %d from the known browser: %d; want 401", i+1, resp.StatusCode)
					}
				}
				if resp, _ := casey.closed().signin("casey.manager", testPassword, h.code(t)); resp.StatusCode != http.StatusTooManyRequests {
					t.Fatalf("the known browser after three failures: %d; want 429 (forgotten)", resp.StatusCode)
				}
				forgotten := 0
				err = h.db.View(context.Background(), func(tx *store.Tx) error {
					evs, err := tx.AuditEvents(context.Background(), store.AuditFilter{Limit: 1000})
					for _, ev := range evs {
						if ev.Action == "signin.browser_forgotten" && ev.RecordID == strconv.FormatInt(h.user.ID, 10) {
							forgotten++
						}
						if ev.Action == "signin.browser_remembered" && ev.RecordID == strconv.FormatInt(robin.ID, 10) && ev.Remote != "127.0.0.1" {
							t.Errorf("remembered from %q", ev.Remote)
						}
					}
					return err
				})
				if err != nil || forgotten != 1 {
					t.Fatalf("browser forgotten after failures audited %d times (%v); want once", forgotten, err)
				}

				// When the flood ends, new browsers get in again.
				h.clock.Add(16 * time.Minute)
				if resp, _ := h.browser(t).signin("casey.manager", testPassword, h.code(t)); location(resp) != "/" {
					t.Fatalf("a new browser after the flood: %d", resp.StatusCode)
				}
			})
			t.Run("AccountLimitStillHolds", func(t *testing.T) {
				h := newAuthHarness(t, e, true)
				casey := h.browser(t)
				if resp, _ := casey.signin("casey.manager", testPassword, h.code(t)); location(resp) != "/" {
					t.Fatalf("sign-in: %d", resp.StatusCode)
				}
				// Five failures for the name from elsewhere lock the
				// account, for its known browser too.
				for i := 0; i < 5; i++ {
					h.browser(t).signin("casey.manager", "wrong-password-entirely", "000000")
				}
				h.clock.Add(30 * time.Second)
				if resp, _ := casey.closed().signin("casey.manager", testPassword, h.code(t)); resp.StatusCode != http.StatusTooManyRequests {
					t.Fatalf("known browser of a locked account: %d; want 429", resp.StatusCode)
				}
			})
			t.Run("CredentialChangesForgetBrowsers", func(t *testing.T) {
				for _, change := range []string{"password", "second-factor", "disable"} {
					t.Run(change, func(t *testing.T) {
						h := newAuthHarness(t, e, true)
						ctx := context.Background()
						// Two known browsers: the one that makes the change
						// and another.
						other := h.browser(t)
						if resp, _ := other.signin("casey.manager", testPassword, h.code(t)); location(resp) != "/" {
							t.Fatalf("sign-in: %d", resp.StatusCode)
						}
						h.clock.Add(30 * time.Second)
						b := h.browser(t)
						if resp, _ := b.signin("casey.manager", testPassword, h.code(t)); location(resp) != "/" {
							t.Fatalf("sign-in: %d", resp.StatusCode)
						}
						head := auditHead(t, h.db)
						switch change {
						case "password":
							resp, _ := b.do("POST", "/account/password", url.Values{"csrf_token": {b.csrf("/account")}, "current_password": {testPassword},
								"new_password": {"a-brand-new-passphrase-77"}, "confirm_password": {"a-brand-new-passphrase-77"}}, nil)
							if resp.StatusCode != http.StatusOK {
								t.Fatalf("password change: %d", resp.StatusCode)
							}
						case "second-factor":
							resp, _ := b.do("POST", "/account/second-factor", url.Values{"csrf_token": {b.csrf("/account")}, "password": {testPassword}}, nil)
							if resp.StatusCode >= 400 {
								t.Fatalf("second-factor reset: %d", resp.StatusCode)
							}
						case "disable":
							svc := &service.Service{DB: h.db, PasswordParams: auth.TestParams()}
							if _, err := svc.DisableUser(ctx, service.CommandLine(), h.user.ID); err != nil {
								t.Fatal(err)
							}
						}
						var forgotten []audit.Event
						err := h.db.View(ctx, func(tx *store.Tx) error {
							evs, err := tx.AuditEvents(ctx, store.AuditFilter{Limit: 1000})
							for _, ev := range evs {
								if ev.Seq > head && ev.Action == "signin.browser_forgotten" {
									forgotten = append(forgotten, ev)
								}
							}
							return err
						})
						if err != nil {
							t.Fatal(err)
						}
						if len(forgotten) != 2 || forgotten[0].RecordID != strconv.FormatInt(h.user.ID, 10) || forgotten[0].Reason == "" {
							t.Fatalf("%s: browsers forgotten audited as %+v; want two, with why", change, forgotten)
						}
						// Under a flood neither browser is known any more.
						h.flood(t)
						h.clock.Add(30 * time.Second)
						password := testPassword
						if change == "password" {
							password = "a-brand-new-passphrase-77"
						}
						for i, kb := range []*browser{b, other} {
							if resp, _ := kb.closed().signin("casey.manager", password, h.code(t)); resp.StatusCode != http.StatusTooManyRequests {
								t.Fatalf("%s: browser %d after the change, during a flood: %d; want 429", change, i, resp.StatusCode)
							}
						}
					})
				}
			})
		})
	}
}

// auditHead is the number of the newest audit event.
func auditHead(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var head int64
	err := db.View(context.Background(), func(tx *store.Tx) error {
		evs, err := tx.AuditEvents(context.Background(), store.AuditFilter{Limit: 1})
		if len(evs) > 0 {
			head = evs[0].Seq
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return head
}

// TestKnownBrowserCookieOverTLS checks the cookie's attributes when the
// service runs behind TLS: Secure, with the __Host- prefix (so only this
// host, over HTTPS, for path / can set it), HttpOnly and SameSite=Strict,
// and that it still marks the browser through a flood.
func TestKnownBrowserCookieOverTLS(t *testing.T) {
	h := newAuthHarness(t, storetest.OneEngine(), true)
	srv, err := web.New(web.Config{Service: &service.Service{DB: h.db, PasswordParams: auth.TestParams()}, Version: "test", Secure: true,
		Log: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(srv)
	t.Cleanup(ts.Close)
	newBrowser := func() *browser {
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Transport: ts.Client().Transport, Jar: jar,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		return &browser{t: t, base: ts.URL, client: c}
	}
	b := newBrowser()
	resp, _ := b.signin("casey.manager", testPassword, h.code(t))
	if location(resp) != "/" {
		t.Fatalf("sign-in over TLS: %d %s", resp.StatusCode, location(resp))
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-drive_browser" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.Secure || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/" || cookie.Domain != "" {
		t.Fatalf("known-browser cookie over TLS = %+v", cookie)
	}
	for i := 0; i < auth.DefaultLockout().AddressFailures; i++ {
		newBrowser().signin("flood."+strconv.Itoa(i), "not-anyones-password", "000000")
	}
	h.clock.Add(30 * time.Second)
	if resp, _ := newBrowser().signin("casey.manager", testPassword, h.code(t)); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a new browser during the flood: %d; want 429", resp.StatusCode)
	}
	u, _ := url.Parse(ts.URL)
	b.client.Jar.SetCookies(u, []*http.Cookie{{Name: "__Host-drive_session", Value: "", Path: "/", MaxAge: -1, Secure: true}})
	if resp, _ := b.signin("casey.manager", testPassword, h.code(t)); location(resp) != "/" {
		t.Fatalf("the known browser during the flood, over TLS: %d", resp.StatusCode)
	}
}
