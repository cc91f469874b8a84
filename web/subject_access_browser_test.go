package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/storetest"
)

// TestSubjectAccessInBrowser checks the data protection officer's pages
// with axe: the requests and the form (also with its errors), the review
// of a pack, and the records of processing.
func TestSubjectAccessInBrowser(t *testing.T) {
	base, personID, victimID := sarFixture(t, storetest.OneEngine())
	b := browsertest.New(t)
	if err := b.SetCookie(base, "drive_session", "drv_s_dpo"); err != nil {
		t.Fatal(err)
	}
	visit := func(path string) string {
		t.Helper()
		status, err := b.Navigate(base + path)
		if err != nil || status != http.StatusOK {
			t.Fatalf("%s: %d %v", path, status, err)
		}
		b.AssertAccessible(t)
		html, _ := b.HTML()
		return html
	}
	visit("/subject-access")
	status, err := b.Submit("form[action='/subject-access'] button")
	if err != nil || status != http.StatusUnprocessableEntity {
		t.Fatalf("the empty form: %d %v", status, err)
	}
	b.AssertAccessible(t)

	// The requests themselves are recorded over HTTP; the reviews are
	// what the browser checks.
	record := func(kind string, id int64) string {
		t.Helper()
		form := url.Values{"csrf_token": {"c"}, "kind": {kind}, "person": {strconv.FormatInt(id, 10)}, "requester": {"The person"},
			"identity_check": {"Passport seen"}, "received_on": {"2026-11-20"}}
		req, _ := http.NewRequest("POST", base+"/subject-access", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", "drive_session=drv_s_dpo")
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		review := resp.Header.Get("Location")
		if !regexp.MustCompile(`^/subject-access/[0-9]+$`).MatchString(review) {
			t.Fatalf("recorded: %d, redirected to %q", resp.StatusCode, review)
		}
		return review
	}
	if html := visit(record("person", personID)); strings.Contains(html, "Lanternwick") || !strings.Contains(html, "Withhold") {
		t.Error("the review page shows her street, or offers nothing to withhold")
	}
	// Her own pack: her street is hers, and the risk-management notes
	// about her offer a release.
	if html := visit(record("victim", victimID)); !strings.Contains(html, "Lanternwick") || !strings.Contains(html, "Why the exemption does not apply") {
		t.Error("her review page lacks her address or a release of an exempt note")
	}
	visit("/subject-access")
	// Finding her by name, with the results to choose from, and the
	// form filled with the one chosen.
	if _, err := browsertest.RunValue(b, chromedp.Evaluate[bool](`document.getElementById("find_kind").value = "victim"; true`)); err != nil {
		t.Fatal(err)
	}
	if err := b.Fill("#name", "morgan"); err != nil {
		t.Fatal(err)
	}
	if status, err := b.Submit("form[action='/subject-access/find'] button"); err != nil || status != http.StatusOK {
		t.Fatalf("find: %d %v", status, err)
	}
	b.AssertAccessible(t)
	if html, _ := b.HTML(); !strings.Contains(html, "Morgan Canary") {
		t.Error("the search by name did not find her")
	}
	if status, err := b.Submit("input[name='choose'] ~ button"); err != nil || status != http.StatusOK {
		t.Fatalf("choose: %d %v", status, err)
	}
	b.AssertAccessible(t)
	if url, _ := b.URL(); strings.Contains(strings.ToLower(url), "morgan") {
		t.Errorf("the name is in the URL %q", url)
	}
	visit("/records-of-processing")
	b.AssertNoConsoleErrors(t)
}
