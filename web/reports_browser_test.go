package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/storetest"
)

// TestReportsInBrowser opens the outcome report in headless Chromium as a
// team leader, a commissioner and the national team, with and without
// JavaScript, and runs axe-core (WCAG 2.2 AA) on each: zero violations
// and no console errors (an inline style or script the
// Content-Security-Policy refuses would show there). The charts, tables
// and "How this is calculated" notes are all on the page checked.
func TestReportsInBrowser(t *testing.T) {
	f := newReportsFixture(t, storetest.OneEngine())
	for _, js := range []bool{true, false} {
		name := "WithJavaScript"
		var opts []browsertest.Option
		if !js {
			name = "WithoutJavaScript"
			opts = append(opts, browsertest.WithoutJavaScript())
		}
		t.Run(name, func(t *testing.T) {
			for _, user := range []string{"tess.lead", "cora.commissioner", "nat.national"} {
				b := browsertest.New(t, opts...)
				if _, err := b.Navigate(f.url + "/signin"); err != nil {
					t.Fatal(err)
				}
				// The session cookie is set directly: sign-in is tested
				// elsewhere. Setting it needs script, so it is set before
				// the page runs without.
				if err := b.Run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "drive_session", Value: f.sessions[user], URL: f.url + "/"})
					return err
				})); err != nil {
					t.Fatal(err)
				}
				status, err := b.Navigate(f.url + "/reports")
				if err != nil || status != 200 {
					t.Fatalf("%s: /reports %d %v", user, status, err)
				}
				b.AssertAccessible(t)
				b.AssertNoConsoleErrors(t)
				// Each figure has a page of its own in the sub navigation.
				if status, err := b.Navigate(f.url + "/reports/behaviour"); err != nil || status != 200 {
					t.Fatalf("%s: /reports/behaviour %d %v", user, status, err)
				}
				b.AssertAccessible(t)
				html, err := b.HTML()
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(html, `<svg class="drive-chart"`) || !strings.Contains(html, "How this is calculated") {
					t.Errorf("%s: the report lacks its charts or notes", user)
				}
				if js {
					if err := b.Screenshot("/tmp/drive-reports-" + user + ".png"); err != nil {
						t.Log(err)
					}
				}
				// The filter form works without script: a quarter for one
				// programme.
				if _, err := b.Navigate(f.url + "/reports/police?period=2026-Q3&programme=drive"); err != nil {
					t.Fatal(err)
				}
				b.AssertAccessible(t)
			}
		})
	}
}
