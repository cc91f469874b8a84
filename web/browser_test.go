package web_test

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/jobs"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// TestPagesInBrowser signs in through headless Chromium as a person would,
// visits every page reachable so far, and runs axe-core (WCAG 2.2 AA) on
// each: zero violations, no console errors (a Content-Security-Policy
// violation shows up there), with and without JavaScript.
func TestPagesInBrowser(t *testing.T) {
	db := storetest.OneEngine().Open(t, nil)
	ctx := context.Background()
	hash, err := auth.HashPassword(strings.NewReader(strings.Repeat("s", 64)), testPassword, auth.TestParams())
	if err != nil {
		t.Fatal(err)
	}
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	err = db.Transact(ctx, func(tx *store.Tx) error {
		site := &account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
		if err := tx.CreateSite(ctx, site); err != nil {
			return err
		}
		org := &account.Organisation{Name: "Drive National Team", Kind: account.NationalTeam}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		admin := &account.User{Username: "alex.admin", DisplayName: "Alex Admin", OrganisationID: org.ID, PasswordHash: hash, TOTPSecret: secret,
			Roles: []account.RoleAssignment{{Role: access.Admin}, {Role: access.DPO}}}
		if err := tx.CreateUser(ctx, admin); err != nil {
			return err
		}
		newcomer := &account.User{Username: "nia.new", DisplayName: "Nia New", OrganisationID: org.ID, PasswordHash: hash,
			Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: site.ID}}}
		return tx.CreateUser(ctx, newcomer)
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}
	srv, err := web.New(web.Config{Service: svc, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.Replicated(t, srv))
	defer ts.Close()
	// A job that failed for good and one waiting, so the jobs page shows
	// its tables and a retry button.
	for _, kind := range []string{"mail.announce", "feeds.watch"} {
		if _, err := svc.EnqueueJob(ctx, service.System("test"), &jobs.Job{Kind: kind, MaxAttempts: 1}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.RunNextJob(ctx, service.System("test"), &service.JobWorker{ID: "browser-test", Handlers: map[string]service.JobHandler{
		"mail.announce": func(context.Context, *jobs.Job) error {
			return drive.Errorf(drive.EUNAVAILABLE, "the mail server did not answer")
		}}}); err != nil {
		t.Fatal(err)
	}

	for _, js := range []bool{true, false} {
		name := "WithJavaScript"
		var opts []browsertest.Option
		if !js {
			name = "WithoutJavaScript"
			opts = append(opts, browsertest.WithoutJavaScript())
		}
		t.Run(name, func(t *testing.T) {
			b := browsertest.New(t, opts...)
			visit := func(path string, wantStatus int) {
				t.Helper()
				status, err := b.Navigate(ts.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				if status != wantStatus {
					t.Fatalf("%s: status %d; want %d", path, status, wantStatus)
				}
				b.AssertAccessible(t)
			}
			visit("/signin", 200)

			// A wrong code: the error summary must be accessible too.
			must(t, b.Fill("#username", "alex.admin"))
			must(t, b.Fill("#password", testPassword))
			must(t, b.Fill("#code", "000000"))
			status, err := b.Submit("form[action='/signin'] button")
			must(t, err)
			if status != 401 {
				t.Fatalf("wrong code: status %d", status)
			}
			b.AssertAccessible(t)

			code, _ := auth.TOTPCode(secret, time.Now())
			if !js {
				// Each run needs a fresh code: the first run spent this one.
				code, _ = auth.TOTPCode(secret, time.Now().Add(30*time.Second))
			}
			must(t, b.Fill("#username", "alex.admin"))
			must(t, b.Fill("#password", testPassword))
			must(t, b.Fill("#code", code))
			status, err = b.Submit("form[action='/signin'] button")
			must(t, err)
			if status != 200 {
				t.Fatalf("sign-in: status %d", status)
			}
			text, err := b.Text("h1")
			must(t, err)
			if !strings.Contains(text, "Alex Admin") {
				t.Fatalf("after sign-in the heading is %q", text)
			}
			b.AssertAccessible(t)
			visit("/admin/users", 200)
			visit("/admin/jobs", 200)
			visit("/admin/users/new", 200)
			// Submitting the empty form shows every error.
			status, err = b.Submit("form[action='/admin/users'] button")
			must(t, err)
			if status != 422 {
				t.Fatalf("empty new-user form: status %d", status)
			}
			b.AssertAccessible(t)
			visit("/audit?record_type=user&record_id=1", 200)
			// The officer searches by who and finds the sign-in in words.
			must(t, b.Fill("#user", "Alex"))
			status, err = b.Submit("form[action='/audit'] button")
			must(t, err)
			if status != 200 {
				t.Fatalf("audit search by user: status %d", status)
			}
			if text, err := b.Text("#events"); err != nil || !strings.Contains(text, "Alex Admin signed in") {
				t.Fatalf("audit search by user found %q, %v", text, err)
			}
			b.AssertAccessible(t)
			visit("/alerts", 200)
			visit("/account", 200)
			// A wrong current password on the account page.
			must(t, b.Fill("#current_password", "not-my-password-at-all"))
			status, err = b.Submit("form[action='/account/password'] button")
			must(t, err)
			if status != 422 {
				t.Fatalf("wrong current password: status %d", status)
			}
			b.AssertAccessible(t)
			visit("/notifications", 200)
			// A bad address for notification e-mails.
			must(t, b.Fill("#email", "not an address"))
			status, err = b.Submit("form[action='/notifications/email'] button")
			must(t, err)
			if status != 422 {
				t.Fatalf("bad notification e-mail: status %d", status)
			}
			b.AssertAccessible(t)
			visit("/accessibility", 200)
			visit("/privacy", 200)
			visit("/no/such/page", 404)
			if js {
				b.AssertNoConsoleErrors(t)
			}
			if err := b.Screenshot("/tmp/drive-admin-users.png"); err != nil {
				t.Log(err)
			}
			status, err = b.Submit("form[action='/signout'] button")
			must(t, err)
			if status != 200 {
				t.Fatalf("sign-out: status %d", status)
			}
			url, _ := b.URL()
			if !strings.HasSuffix(url, "/signin") {
				t.Fatalf("after sign-out at %s", url)
			}
		})
	}

	t.Run("Enrolment", func(t *testing.T) {
		b := browsertest.New(t)
		if _, err := b.Navigate(ts.URL + "/signin"); err != nil {
			t.Fatal(err)
		}
		must(t, b.Fill("#username", "nia.new"))
		must(t, b.Fill("#password", testPassword))
		status, err := b.Submit("form[action='/signin'] button")
		must(t, err)
		if status != 200 {
			t.Fatalf("password step: status %d", status)
		}
		b.AssertAccessible(t)
		html, err := b.HTML()
		must(t, err)
		m := regexp.MustCompile(`<code class="drive-secret">([A-Z2-7]+)</code>`).FindStringSubmatch(html)
		if m == nil {
			t.Fatal("no key on the enrolment page")
		}
		code, _ := auth.TOTPCode(m[1], time.Now())
		must(t, b.Fill("#code", code))
		status, err = b.Submit("form[action='/enrol'] button")
		must(t, err)
		if status != 200 {
			t.Fatalf("enrol: status %d", status)
		}
		b.AssertAccessible(t)
		b.AssertNoConsoleErrors(t)
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
