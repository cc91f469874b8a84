package web

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/storetest"
)

// TestIDVAPagesInBrowser walks an IDVA's daily pages in headless Chromium
// with axe-core on each: her caseload, a victim-survivor's record with
// the protected details, the DASH form (with its error summary), opening
// a new case; and the case manager's case page with the risk facts.
func TestIDVAPagesInBrowser(t *testing.T) {
	w := newWall(t, storetest.OneEngine())
	b := browsertest.New(t)
	signInAs := func(name string) {
		t.Helper()
		// The session cookie is set directly: sign-in itself is tested
		// elsewhere; here the pages are under test.
		if err := b.SetCookie(w.ts.URL, "drive_session", w.users[name].session); err != nil {
			t.Fatal(err)
		}
	}
	visit := func(path string, want int) string {
		t.Helper()
		status, err := b.Navigate(w.ts.URL + path)
		if err != nil || status != want {
			t.Fatalf("%s: %d %v", path, status, err)
		}
		b.AssertAccessible(t)
		html, _ := b.HTML()
		return html
	}
	vpath := "/victims/" + strconv.FormatInt(w.victimID, 10)

	signInAs("ida.idva")
	if html := visit("/victims", 200); !strings.Contains(html, "Sam Example") {
		_, title, _ := strings.Cut(html, "<title>")
		title, _, _ = strings.Cut(title, "</title>")
		t.Fatalf("her caseload does not list her (the page was %q)", title)
	}
	if html := visit(vpath, 200); !strings.Contains(html, "Record a DASH assessment") || strings.Contains(html, "Canaryline Crescent") {
		t.Fatal("her summary does not offer a DASH assessment, or shows where she lives (that is on the protected details page)")
	}
	if html := visit(vpath+"/protected", 200); !strings.Contains(html, "Canaryline Crescent") {
		t.Fatal("her IDVA does not see the protected details")
	}
	if err := b.Screenshot("/tmp/drive-victim.png"); err != nil {
		t.Log(err)
	}
	visit(vpath+"/dash", 200)
	status, err := b.Submit("form[action$='/dash'] button")
	if err != nil || status != 422 {
		t.Fatalf("empty DASH: %d %v", status, err)
	}
	b.AssertAccessible(t)

	// A contact she logs is confirmed at the top of the page, and the
	// confirmation has the focus.
	visit(vpath+"/protected", 200)
	js := `document.querySelectorAll('details').forEach(d => d.open = true);
		document.querySelector('#contact_on').value = '2026-11-22';
		document.querySelector('#contact_text').value = 'Spoke about the safety plan'; true`
	if _, err := browsertest.RunValue(b, chromedp.Evaluate[bool](js)); err != nil {
		t.Fatal(err)
	}
	if status, err := b.Submit("form[action$='/contacts'] button"); err != nil || status != 200 {
		t.Fatalf("logging a contact: %d %v", status, err)
	}
	if err := browsertest.Confirmed(b, "Contact logged"); err != nil {
		t.Fatal(err)
	}
	b.AssertAccessible(t)
	visit("/victims/new", 200)
	b.AssertNoConsoleErrors(t)

	signInAs("cal.manager")
	html := visit("/cases/"+strconv.FormatInt(w.caseID, 10)+"/victims", 200)
	if !strings.Contains(html, "Victim-survivor 1") || len(leaked(html)) > 0 {
		t.Fatalf("case page: risk facts missing or details leaked %v", leaked(html))
	}
}
