package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/storetest"
)

// TestLegalHoldsInBrowser checks the legal holds page with axe: empty,
// with the errors of an empty form, and with a hold in force and one
// lifted, with its confirmation banner.
func TestLegalHoldsInBrowser(t *testing.T) {
	f := dpFixture(t, storetest.OneEngine())
	b := browsertest.New(t)
	if err := b.SetCookie(f.url, "drive_session", "drv_s_dpo"); err != nil {
		t.Fatal(err)
	}
	visit := func(path string) string {
		t.Helper()
		status, err := b.Navigate(f.url + path)
		if err != nil || status != http.StatusOK {
			t.Fatalf("%s: %d %v", path, status, err)
		}
		b.AssertAccessible(t)
		html, _ := b.HTML()
		return html
	}
	visit("/retention/holds")
	status, err := b.Submit("form[action='/retention/holds'] button")
	if err != nil || status != http.StatusUnprocessableEntity {
		t.Fatalf("the empty form: %d %v", status, err)
	}
	b.AssertAccessible(t)

	post := func(path string, form url.Values) {
		t.Helper()
		form.Set("csrf_token", "c")
		req, _ := http.NewRequest("POST", f.url+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", "drive_session=drv_s_dpo")
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
	}
	post("/retention/holds", url.Values{"what": {"perpetrator_case"}, "record": {itoa64(f.caseID)}, "reason": {"Civil claim C-2"}, "owner": {"DPO"}})
	post("/retention/holds", url.Values{"what": {"site"}, "site": {itoa64(f.siteID)}, "reason": {"Inquiry I-4"}, "owner": {"National team"}})
	post("/retention/holds/1/release", url.Values{"reason": {"Claim settled"}})
	if html := visit("/retention/holds?done=hold_released"); !strings.Contains(html, "Legal hold lifted") || !strings.Contains(html, "Claim settled") {
		t.Error("the page after a release shows no banner or no lifted hold")
	}
	status, err = b.Submit("form[action='/retention/holds/2/release'] button")
	if err != nil || status != http.StatusUnprocessableEntity {
		t.Fatalf("lifting without a reason: %d %v", status, err)
	}
	b.AssertAccessible(t)
	b.AssertNoConsoleErrors(t)
}
