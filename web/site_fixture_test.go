package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// siteFixture is one site (NMR, with its programmes) and a signed-in user
// of each role asked for ("User <role>", CSRF token "c"), served over
// real HTTP at a fixed time.
type siteFixture struct {
	t      *testing.T
	db     *store.DB
	srv    *Server
	site   account.Site
	url    string
	tokens map[access.Role]string
}

// newSiteFixture builds the fixture; seed, if set, adds data in the same
// transaction.
func newSiteFixture(t *testing.T, e storetest.Engine, now time.Time, roles []access.Role, seed func(ctx context.Context, tx *store.Tx, site account.Site) error) *siteFixture {
	t.Helper()
	f := &siteFixture{t: t, db: e.Open(t, storetest.FixedClock(now)), tokens: map[access.Role]string{}}
	ctx := context.Background()
	err := f.db.Transact(ctx, func(tx *store.Tx) error {
		f.site = account.Site{Code: "NMR", Name: "Northmoor", Region: "R"}
		if err := tx.CreateSite(ctx, &f.site); err != nil {
			return err
		}
		if err := tx.SeedProgrammes(ctx, f.site.ID); err != nil {
			return err
		}
		org := &account.Organisation{Name: "Org", Kind: account.Provider}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		for _, role := range roles {
			u := &account.User{Username: "u." + string(role), DisplayName: "User " + string(role), OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X",
				Roles: []account.RoleAssignment{{Role: role, SiteID: f.site.ID}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			tok := "drv_s_" + string(role)
			f.tokens[role] = tok
			if err := tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(tok), UserID: u.ID, Stage: account.StageFull, CSRF: "c",
				Remote: "t", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), ReauthAt: now}); err != nil {
				return err
			}
		}
		if seed != nil {
			return seed(ctx, tx, f.site)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Service: &service.Service{DB: f.db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(Replicated(t, srv))
	t.Cleanup(ts.Close)
	f.url, f.srv = ts.URL, srv
	return f
}

// send makes a request as role, without following redirects, and returns
// the status, body and Location.
func (f *siteFixture) send(role access.Role, req *http.Request) (int, string, string) {
	f.t.Helper()
	req.Header.Set("Cookie", "drive_session="+f.tokens[role])
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// do sends a page request as role; a form is posted with the CSRF token.
func (f *siteFixture) do(role access.Role, method, path string, form url.Values) (int, string, string) {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf_token", "c")
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, f.url+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return f.send(role, req)
}
