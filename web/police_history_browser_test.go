package web

import (
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/storetest"
)

// TestPoliceHistoryInBrowser follows the case page's link to the police
// history in headless Chromium, as the case manager, with axe-core on both
// pages: the chart, its table and the incident tables must pass.
func TestPoliceHistoryInBrowser(t *testing.T) {
	w := newWall(t, storetest.OneEngine())
	seedPoliceHistory(t, w)
	b := browsertest.New(t)
	// The session cookie is set directly: sign-in is tested elsewhere.
	if err := b.SetCookie(w.ts.URL, "drive_session", w.users["cal.manager"].session); err != nil {
		t.Fatal(err)
	}
	cpath := "/cases/" + strconv.FormatInt(w.caseID, 10)
	if status, err := b.Navigate(w.ts.URL + cpath); err != nil || status != 200 {
		t.Fatalf("%s: %d %v", cpath, status, err)
	}
	b.AssertAccessible(t)
	status, err := b.Submit(`a[href="` + cpath + `/police"]`)
	if err != nil || status != 200 {
		t.Fatalf("following the police history link: %d %v", status, err)
	}
	b.AssertAccessible(t)
	b.AssertNoConsoleErrors(t)
	html, _ := b.HTML()
	if !strings.Contains(html, "Police history: Darren Hollis") || !strings.Contains(html, "<svg") || len(leaked(html)) > 0 {
		t.Fatalf("police history page: heading or chart missing, or details leaked %v", leaked(html))
	}
	if err := b.Screenshot("/tmp/drive-police-history.png"); err != nil {
		t.Log(err)
	}
}
