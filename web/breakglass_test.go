package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// TestBreakGlass opens a record outside an IDVA's allocation: a bad
// reason changes nothing; a good one grants read for the time asked,
// alerts the site's data protection officer, and is audited with the
// reason; the grant ends on time.
func TestBreakGlass(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			clk := &testClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
			db := e.Open(t, clk.now)
			ctx := context.Background()
			srv, err := New(Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}})
			if err != nil {
				t.Fatal(err)
			}
			var site account.Site
			var idva, dpo *account.User
			token := "drv_s_idva-session-token"
			err = db.Transact(ctx, func(tx *store.Tx) error {
				site = account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
				if err := tx.CreateSite(ctx, &site); err != nil {
					return err
				}
				org := &account.Organisation{Name: "Northmoor IDVA Service", Kind: account.IDVAService}
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				idva = &account.User{Username: "ida.idva", DisplayName: "Ida IDVA", OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X",
					Roles: []account.RoleAssignment{{Role: access.IDVA, SiteID: site.ID}}}
				if err := tx.CreateUser(ctx, idva); err != nil {
					return err
				}
				dpo = &account.User{Username: "dee.dpo", DisplayName: "Dee DPO", OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X",
					Roles: []account.RoleAssignment{{Role: access.DPO, SiteID: site.ID}}}
				if err := tx.CreateUser(ctx, dpo); err != nil {
					return err
				}
				now := tx.Now
				return tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(token), UserID: idva.ID, Stage: account.StageFull,
					CSRF: "csrf", Remote: "test", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(12 * time.Hour), ReauthAt: now})
			})
			if err != nil {
				t.Fatal(err)
			}
			victim := access.Resource{Class: access.VictimCompartment, RecordType: "victim", RecordID: "17", SiteID: site.ID}
			srv.svc.Glass = map[string]service.GlassRecord{"victim": {Label: "Victim-survivor",
				Resolve: func(context.Context, *store.Tx, string) (access.Resource, error) { return victim, nil }}}
			srv.glassHrefs["victim"] = func(id string) string { return "/victims/" + id }
			ts := httptest.NewServer(Replicated(t, srv))
			defer ts.Close()
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			post := func(reason, hours string) *http.Response {
				form := url.Values{"csrf_token": {"csrf"}, "type": {"victim"}, "id": {"17"}, "reason": {reason}, "duration": {hours}}
				req, _ := http.NewRequest("POST", ts.URL+"/break-glass", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Cookie", "drive_session="+token)
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				return resp
			}
			subject := func() access.Subject {
				var s access.Subject
				if err := db.View(ctx, func(tx *store.Tx) error {
					u, err := tx.User(ctx, idva.ID)
					if err != nil {
						return err
					}
					s = subjectOf(u)
					s.BreakGlass, err = tx.ActiveBreakGlass(ctx, idva.ID)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return s
			}
			if access.Decide(subject(), access.Read, victim, clk.now()).Allowed {
				t.Fatal("the IDVA can read an unallocated victim's compartment before break-glass")
			}
			for _, bad := range [][2]string{{"", "1"}, {"because", "1"}, {"Safeguarding emergency at the hospital", "9"}} {
				if resp := post(bad[0], bad[1]); resp.StatusCode != http.StatusUnprocessableEntity {
					t.Fatalf("reason %q for %s hours: status %d; want 422", bad[0], bad[1], resp.StatusCode)
				}
			}
			if len(subject().BreakGlass) != 0 {
				t.Fatal("a refused break-glass was stored")
			}
			const reason = "Police called about an immediate risk; I am covering for her IDVA"
			if resp := post(reason, "1"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/victims/17" {
				t.Fatalf("break-glass: %d %s", resp.StatusCode, resp.Header.Get("Location"))
			}
			d := access.Decide(subject(), access.Read, victim, clk.now())
			if !d.Allowed || !d.BreakGlass {
				t.Fatalf("after break-glass: %+v", d)
			}
			var alerts []account.Alert
			var events []audit.Event
			if err := db.View(ctx, func(tx *store.Tx) error {
				var err error
				if alerts, err = tx.Alerts(ctx, []int64{site.ID}, false, 10); err != nil {
					return err
				}
				events, err = tx.AuditEvents(ctx, store.AuditFilter{RecordType: "victim", RecordID: "17"})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(alerts) != 1 || alerts[0].UserID != idva.ID || alerts[0].Reason != reason {
				t.Fatalf("alerts = %+v", alerts)
			}
			if len(events) != 1 || events[0].Action != audit.ActionBreakGlassOpen || events[0].Reason != reason || events[0].ActorID != idva.ID {
				t.Fatalf("audit = %+v", events)
			}
			clk.add(61 * time.Minute)
			if access.Decide(subject(), access.Read, victim, clk.now()).Allowed {
				t.Fatal("break-glass still open after its hour")
			}
		})
	}
}
