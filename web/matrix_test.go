package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestAccessMatrix walks every signed-in route for a user of every role,
// and checks each answer against the policy: a route or record the user
// may not see answers 404 and its body names nothing from the record; one
// they may see does not. The expectation comes from the policy table, so a
// new route or a changed rule is covered without editing this test.
func TestAccessMatrix(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testAccessMatrix(t, e) })
	}
}

type matrixUser struct {
	user  *identity.User
	token string
	csrf  string
}

func testAccessMatrix(t *testing.T, e storetest.Engine) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := e.Open(t, storetest.FixedClock(now))
	ctx := context.Background()
	srv, err := New(Config{DB: db, Now: storetest.FixedClock(now), PasswordParams: auth.TestParams()})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	var siteA, siteB identity.Site
	var users []*matrixUser
	var targetA, targetB *identity.User
	err = db.Transact(ctx, func(tx *store.Tx) error {
		siteA = identity.Site{Code: "AAA", Name: "Site A", Region: "R"}
		siteB = identity.Site{Code: "BBB", Name: "Site B", Region: "R"}
		if err := tx.CreateSite(ctx, &siteA); err != nil {
			return err
		}
		if err := tx.CreateSite(ctx, &siteB); err != nil {
			return err
		}
		org := &identity.Organisation{Name: "Org", Kind: identity.Provider}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		mk := func(name string, role access.Role, site int64) (*identity.User, error) {
			u := &identity.User{Username: name, DisplayName: "Person " + name, OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "JBSWY3DPEHPK3PXP",
				Roles: []identity.RoleAssignment{{Role: role, SiteID: site}}}
			return u, tx.CreateUser(ctx, u)
		}
		var err error
		if targetA, err = mk("target.sitea", access.CaseManager, siteA.ID); err != nil {
			return err
		}
		if targetB, err = mk("target.siteb", access.CaseManager, siteB.ID); err != nil {
			return err
		}
		for _, role := range access.Roles() {
			for _, national := range []bool{false, true} {
				if role.CheckScope(national) != nil {
					continue
				}
				site := siteA.ID
				suffix := ".a"
				if national {
					site, suffix = 0, ".national"
				}
				u, err := mk(strings.ReplaceAll(string(role), "_", "-")+suffix, role, site)
				if err != nil {
					return err
				}
				token, hash, err := auth.NewToken(strings.NewReader(strings.Repeat(u.Username, 64)), "drv_s_")
				if err != nil {
					return err
				}
				csrf := "csrf-" + u.Username
				sess := &identity.Session{TokenHash: hash, UserID: u.ID, Stage: identity.StageFull, CSRF: csrf, Remote: "test",
					CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), ReauthAt: now}
				if err := tx.CreateSession(ctx, sess); err != nil {
					return err
				}
				users = append(users, &matrixUser{user: u, token: token, csrf: csrf})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A record kind for break-glass, at each site: the victim
	// compartment, the class break-glass exists for.
	srv.records["test_record"] = recordKind{
		label: "Test record",
		resolve: func(ctx context.Context, tx *store.Tx, id string) (access.Resource, error) {
			site := siteA.ID
			if id == "b" {
				site = siteB.ID
			}
			return access.Resource{Class: access.VictimCompartment, RecordType: "test_record", RecordID: id, SiteID: site}, nil
		},
		href: func(id string) string { return "/" },
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	checked := 0
	for _, rt := range srv.routes {
		if rt.gate != enrolled || rt.kind != pageRoute {
			continue
		}
		// Record routes are tried on a record of the user's site and of
		// the other site.
		if rt.path == "/break-glass" {
			checked += matrixBreakGlass(t, ts.URL, client, rt, users, map[string]int64{"a": siteA.ID, "b": siteB.ID})
			continue
		}
		targets := []*identity.User{nil}
		if strings.Contains(rt.path, "{id}") {
			targets = []*identity.User{targetA, targetB}
		}
		for _, target := range targets {
			path := strings.ReplaceAll(rt.path, "{$}", "")
			if target != nil {
				path = strings.ReplaceAll(path, "{id}", strconv.FormatInt(target.ID, 10))
				path = strings.ReplaceAll(path, "{action}", "enable")
			}
			for _, mu := range users {
				sub := subjectOf(mu.user)
				want := rt.need == none || holds(sub, rt.need)
				if want && target != nil {
					err := db.View(ctx, func(tx *store.Tx) error {
						want = userAccess(sub, target, rt.need.act, tx)
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
				}
				var body io.Reader
				if rt.method == "POST" {
					body = strings.NewReader(url.Values{"csrf_token": {mu.csrf}}.Encode())
				}
				req, _ := http.NewRequest(rt.method, ts.URL+path, body)
				req.Header.Set("Cookie", "drive_session="+mu.token)
				if body != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				got := resp.StatusCode != http.StatusNotFound
				if got != want {
					t.Errorf("%s %s as %s: status %d; policy says allowed=%v", rt.method, path, mu.user.Username, resp.StatusCode, want)
				}
				if !got && target != nil && strings.Contains(string(out), target.Username) {
					t.Errorf("%s %s as %s: the 404 body names the hidden record", rt.method, path, mu.user.Username)
				}
				checked++
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d route/user pairs checked", checked)
	}
}

// matrixBreakGlass checks break-glass answers every user as the policy's
// break-glass table says, for a record at their site and at another.
func matrixBreakGlass(t *testing.T, base string, client *http.Client, rt route, users []*matrixUser, sites map[string]int64) int {
	n := 0
	for id, site := range sites {
		for _, mu := range users {
			_, want := access.CanBreakGlass(subjectOf(mu.user), access.VictimCompartment, site)
			var req *http.Request
			if rt.method == "GET" {
				req, _ = http.NewRequest("GET", base+"/break-glass?type=test_record&id="+id, nil)
			} else {
				form := url.Values{"csrf_token": {mu.csrf}, "type": {"test_record"}, "id": {id}, "reason": {"Safeguarding emergency raised by the duty sergeant"}, "duration": {"1"}}
				req, _ = http.NewRequest("POST", base+"/break-glass", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.Header.Set("Cookie", "drive_session="+mu.token)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.StatusCode != http.StatusNotFound; got != want {
				t.Errorf("%s break-glass on site %s record as %s: status %d; policy says allowed=%v", rt.method, id, mu.user.Username, resp.StatusCode, want)
			}
			n++
		}
	}
	return n
}
