package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/storetest"
)

// TestTrialAndFeedPagesInBrowser opens the trials page as the site's team
// leader and the feeds page as the
// analyst, in headless Chromium, with axe on each: 0 violations and no
// console errors.
func TestTrialAndFeedPagesInBrowser(t *testing.T) {
	now := time.Now().UTC().Truncate(time.Second)
	f := newSiteFixture(t, storetest.OneEngine(), now, []access.Role{access.TeamLeader, access.Analyst}, nil)
	for _, tc := range []struct {
		role access.Role
		path string
		says string
	}{
		{access.TeamLeader, "/trials", "Start a trial"},
		{access.Analyst, "/feeds", "Feeds"},
	} {
		b := browsertest.New(t)
		if _, err := b.Navigate(f.url + "/signin"); err != nil {
			t.Fatal(err)
		}
		if err := b.Run(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: "drive_session", Value: f.tokens[tc.role], URL: f.url + "/"})
			return err
		})); err != nil {
			t.Fatal(err)
		}
		status, err := b.Navigate(f.url + tc.path)
		if err != nil || status != 200 {
			t.Fatalf("%s as %s: %d %v", tc.path, tc.role, status, err)
		}
		html, _ := b.HTML()
		if !strings.Contains(html, tc.says) {
			t.Errorf("%s does not say %q", tc.path, tc.says)
		}
		b.AssertAccessible(t)
		b.AssertNoConsoleErrors(t)
	}
}
