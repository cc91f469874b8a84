package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestIdentificationPage: an analyst sees the ranked list with reasons
// and the serial flag but cannot refer; a team leader refers the top
// suspect, which opens a referral from the police identification list
// with the rank and victims as evidence.
func TestIdentificationPage(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			db := e.Open(t, storetest.FixedClock(now))
			ctx := context.Background()
			sessions := map[access.Role]string{}
			err := db.Transact(ctx, func(tx *store.Tx) error {
				site := &identity.Site{Code: "NMR", Name: "Northmoor", Region: "R"}
				if err := tx.CreateSite(ctx, site); err != nil {
					return err
				}
				if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
					return err
				}
				org := &identity.Organisation{Name: "Org", Kind: identity.Provider}
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				for _, role := range []access.Role{access.Analyst, access.TeamLeader} {
					u := &identity.User{Username: "u." + string(role), DisplayName: "U", OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X",
						Roles: []identity.RoleAssignment{{Role: role, SiteID: site.ID}}}
					if err := tx.CreateUser(ctx, u); err != nil {
						return err
					}
					tok := "drv_s_" + string(role)
					sessions[role] = tok
					if err := tx.CreateSession(ctx, &identity.Session{TokenHash: auth.HashToken(tok), UserID: u.ID, Stage: identity.StageFull, CSRF: "c",
						Remote: "t", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), ReauthAt: now}); err != nil {
						return err
					}
				}
				recs := []incident.Record{
					{Ref: "R1", On: drive.MustDate("2026-09-01"), Type: "abh", Crime: true, Suspect: incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11")}, Victim: incident.Person{GivenName: "Sam", FamilyName: "Example"}},
					{Ref: "R2", On: drive.MustDate("2026-10-01"), Type: "stalking", Crime: true, Suspect: incident.Person{GivenName: "Daren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11")}, Victim: incident.Person{GivenName: "Jo", FamilyName: "Second"}},
					{Ref: "R3", On: drive.MustDate("2025-01-01"), Type: "non-crime domestic", Suspect: incident.Person{GivenName: "Kevin", FamilyName: "Doyle", DOB: drive.MustDate("1970-01-01")}, Victim: incident.Person{GivenName: "Ann", FamilyName: "Doyle"}},
				}
				_, _, err := tx.ImportIncidents(ctx, site.ID, recs, nil)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			srv, err := New(Config{DB: db, Now: storetest.FixedClock(now), PasswordParams: auth.TestParams()})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			do := func(role access.Role, method, path string, form url.Values) (int, string, string) {
				var body io.Reader
				if form != nil {
					form.Set("csrf_token", "c")
					body = strings.NewReader(form.Encode())
				}
				req, _ := http.NewRequest(method, ts.URL+path, body)
				req.Header.Set("Cookie", "drive_session="+sessions[role])
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b), resp.Header.Get("Location")
			}
			status, body, _ := do(access.Analyst, "GET", "/identify", nil)
			if status != 200 || !strings.Contains(body, "Hollis") || !strings.Contains(body, "Serial") || strings.Contains(body, "to panel") {
				t.Fatalf("analyst's list: %d", status)
			}
			if status, _, _ := do(access.Analyst, "POST", "/identify/refer", url.Values{"site": {"1"}, "suspect": {"S1"}}); status != 404 {
				t.Fatalf("analyst referring: %d; want 404", status)
			}
			status, body, _ = do(access.TeamLeader, "GET", "/identify", nil)
			m := regexp.MustCompile(`name="suspect" value="([^"]+)"><input type="hidden" name="name" value="([^"]+)"`).FindStringSubmatch(body)
			if status != 200 || m == nil {
				t.Fatalf("team leader's list: %d", status)
			}
			status, _, loc := do(access.TeamLeader, "POST", "/identify/refer", url.Values{"site": {"1"}, "suspect": {m[1]}, "name": {m[2]}})
			if status != 303 || !strings.HasPrefix(loc, "/cases/") {
				t.Fatalf("refer: %d %s", status, loc)
			}
			_, body, _ = do(access.TeamLeader, "GET", loc, nil)
			if !strings.Contains(body, "Police identification list") || !strings.Contains(body, "Ranked 1 on the identification list") {
				t.Fatal("the referral does not carry its identification evidence")
			}
			if status, _, _ := do(access.TeamLeader, "POST", "/identify/refer", url.Values{"site": {"1"}, "suspect": {m[1]}, "name": {"Someone Else"}}); status != 422 {
				t.Fatalf("stale list: %d; want 422", status)
			}
		})
	}
}
