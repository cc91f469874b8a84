package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestEvaluationJourneyInBrowser walks an evaluation project through
// headless Chromium as its three people would: the national team creates
// it (first with a mistake the form points out), a data protection officer
// approves it and, when the release check refuses the small extract,
// releases it with a reason, and the evaluator finds the download and
// takes the zip. axe-core checks every page on the way.
func TestEvaluationJourneyInBrowser(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	today := drive.DateOf(now)
	sessions := map[string]string{}
	var evalOrg int64
	f := newSiteFixture(t, storetest.OneEngine(), now, nil, func(ctx context.Context, tx *store.Tx, site account.Site) error {
		nat := &account.Organisation{Name: "Drive National Team", Kind: account.NationalTeam}
		ev := &account.Organisation{Name: "Institute for Safer Families Research", Kind: account.EvaluationPartner}
		for _, o := range []*account.Organisation{nat, ev} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		evalOrg = ev.ID
		for _, u := range []struct {
			name string
			org  int64
			role access.Role
		}{{"nat.national", nat.ID, access.National}, {"dee.dpo", nat.ID, access.DPO}, {"eve.evaluator", ev.ID, access.Evaluator}} {
			user := &account.User{Username: u.name, DisplayName: u.name, OrganisationID: u.org, PasswordHash: "x", TOTPSecret: "X",
				Roles: []account.RoleAssignment{{Role: u.role}}}
			if err := tx.CreateUser(ctx, user); err != nil {
				return err
			}
			tok := "drv_s_" + strings.ReplaceAll(u.name, ".", "_")
			sessions[u.name] = tok
			if err := tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(tok), UserID: user.ID, Stage: account.StageFull, CSRF: "c",
				Remote: "t", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), ReauthAt: now}); err != nil {
				return err
			}
		}
		for i := range 3 {
			p := &people.Person{SiteID: site.ID, GivenName: "Test" + strconv.Itoa(i), FamilyName: "Person", DateOfBirth: drive.MustDate("1981-03-01").AddDays(i * 300)}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: today.AddDays(-30 - i),
				Summary: "Synthetic referral", Evidence: programme.Evidence{DASHScore: 15}}
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	srv, err := New(Config{Service: &service.Service{DB: f.db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(Replicated(t, srv))
	defer ts.Close()

	as := func(user string) *browsertest.Browser {
		t.Helper()
		b := browsertest.New(t)
		if _, err := b.Navigate(ts.URL + "/signin"); err != nil {
			t.Fatal(err)
		}
		if err := b.Run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "drive_session", Value: sessions[user], URL: ts.URL + "/"})
			return err
		})); err != nil {
			t.Fatal(err)
		}
		return b
	}
	expect := func(b *browsertest.Browser, status, want int, text string) {
		t.Helper()
		html, _ := b.HTML()
		if status != want || !strings.Contains(html, text) {
			t.Fatalf("status %d, want %d with %q\n%s", status, want, text, errorSummaryOf(html))
		}
		b.AssertAccessible(t)
		b.AssertNoConsoleErrors(t)
	}

	// The national team: the list, the form, a mistake, then the project.
	b := as("nat.national")
	status, err := b.Navigate(ts.URL + "/evaluation")
	if err != nil {
		t.Fatal(err)
	}
	expect(b, status, 200, "New evaluation project")
	status, err = b.Submit("a[href='/evaluation/new']")
	if err != nil {
		t.Fatal(err)
	}
	expect(b, status, 200, "Tables granted")
	fill := func(sel, v string) {
		t.Helper()
		if err := b.Run(chromedp.SetValue(chromedp.CSS(sel), v)); err != nil {
			t.Fatal(err)
		}
	}
	fill("#name", "Trial 2027")
	fill("#evaluator_org_id", strconv.FormatInt(evalOrg, 10))
	fill("#agreement_ref", "DSA-2027-001")
	fill("#agreement_expires", today.AddDays(365).String())
	fill("#from", today.AddDays(-365).String())
	fill("#to", today.String())
	if err := b.Click("#site_ids"); err != nil {
		t.Fatal(err)
	}
	status, err = b.Submit("form[action='/evaluation'] button")
	if err != nil {
		t.Fatal(err)
	}
	expect(b, status, 422, "Use only lowercase letters")
	fill("#name", "trial-2027")
	status, err = b.Submit("form[action='/evaluation'] button")
	if err != nil {
		t.Fatal(err)
	}
	expect(b, status, 200, "a data protection officer must approve it")
	page, _ := b.URL()
	path := page[len(ts.URL):]
	path = path[:strings.Index(path, "?")]

	// The dpo approves, is refused a release below k, and overrides it.
	b = as("dee.dpo")
	status, err = b.Navigate(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	expect(b, status, 200, "Approve project")
	status, err = b.Submit("form[action$='/approve'] button")
	if err != nil {
		t.Fatal(err)
	}
	expect(b, status, 200, "Project approved")
	status, err = b.Submit("form[action$='/release'] button")
	if err != nil {
		t.Fatal(err)
	}
	expect(b, status, 422, "below the project")
	fill("#override_reason", "Agreed with the evaluator for the pilot site")
	status, err = b.Submit("form[action$='/release'] button")
	if err != nil {
		t.Fatal(err)
	}
	expect(b, status, 200, "Extract released")

	// The evaluator finds the download; the zip comes with the session.
	b = as("eve.evaluator")
	status, err = b.Navigate(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	expect(b, status, 200, "Download zip")
	href, err := b.Text("a[download]")
	if err != nil || !strings.Contains(href, "Download zip") {
		t.Fatalf("download link: %q %v", href, err)
	}
	html, _ := b.HTML()
	m := regexp.MustCompile(`href="(/evaluation/extracts/\d+/download)"`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no download address on the page")
	}
	link := m[1]
	req, _ := http.NewRequest("GET", ts.URL+link, nil)
	req.Header.Set("Cookie", "drive_session="+sessions["eve.evaluator"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("download: %d %s, cache %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
	}
}
