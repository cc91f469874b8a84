package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestLegalHoldPages walks legal holds through their page: a case manager
// finds no page; the data protection officer sees none, is told what is
// missing from an empty form and of a case that does not exist (and
// nothing is placed), places holds on a perpetrator's case, a
// victim-survivor's case, the whole site and one police incident (named
// by its site and reference; a reference the site does not hold places
// nothing), cannot lift one without a
// reason, and lifts one with a reason; a form without its CSRF token
// changes nothing. The page never shows the victim-survivor's name or
// address.
func TestLegalHoldPages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := dpFixture(t, e)
			do := func(who, method, path string, form url.Values) (int, string, string) {
				t.Helper()
				var body io.Reader
				if form != nil {
					if _, ok := form["csrf_token"]; !ok {
						form.Set("csrf_token", "c")
					}
					body = strings.NewReader(form.Encode())
				}
				req, _ := http.NewRequest(method, f.url+path, body)
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				req.Header.Set("Cookie", "drive_session=drv_s_"+who)
				client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				for _, c := range []string{"Morgan", "Canary", "Lanternwick", "NM7 7QX"} {
					if strings.Contains(string(b), c) {
						t.Errorf("%s %s shows %q", method, path, c)
					}
				}
				return resp.StatusCode, resp.Header.Get("Location"), string(b)
			}
			page := func() string {
				t.Helper()
				code, _, body := do("dpo", "GET", "/retention/holds", nil)
				if code != http.StatusOK {
					t.Fatalf("the holds page: %d", code)
				}
				return body
			}

			if code, _, _ := do("casey", "GET", "/retention/holds", nil); code != http.StatusNotFound {
				t.Errorf("a case manager's holds page: %d, want 404", code)
			}
			if body := page(); !strings.Contains(body, "No records are held") {
				t.Error("the holds page of a new service lists holds")
			}
			if code, _, body := do("dpo", "POST", "/retention/holds", url.Values{}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose what to hold") {
				t.Errorf("an empty form: %d", code)
			}
			code, _, body := do("dpo", "POST", "/retention/holds", url.Values{"what": {"victim_case"}, "record": {"99999"}, "reason": {"Complaint C-1"}, "owner": {"DPO"}})
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, "There is no victim-survivor&#39;s case 99999") {
				t.Errorf("a hold on no case: %d", code)
			}
			code, _, _ = do("dpo", "POST", "/retention/holds", url.Values{"what": {"perpetrator_case"}, "record": {itoa64(f.caseID)},
				"reason": {"Civil claim C-2"}, "owner": {"DPO"}, "csrf_token": {"wrong"}})
			if code == http.StatusSeeOther {
				t.Error("a hold without the form's CSRF token was placed")
			}
			if body := page(); !strings.Contains(body, "No records are held") {
				t.Error("a refused form placed a hold")
			}

			for _, form := range []url.Values{
				{"what": {"perpetrator_case"}, "record": {itoa64(f.caseID)}, "reason": {"Civil claim C-2"}, "owner": {"Data protection officer"}},
				{"what": {"victim_case"}, "record": {itoa64(f.victimID)}, "reason": {"Complaint C-3"}, "owner": {"Data protection officer"}},
				{"what": {"site"}, "site": {itoa64(f.siteID)}, "reason": {"Inquiry I-4"}, "owner": {"National team"}},
				{"what": {"incident"}, "ref": {"NM-2020-0042"}, "site": {itoa64(f.siteID)}, "reason": {"Claim C-5"}, "owner": {"Data protection officer"}},
			} {
				code, loc, body := do("dpo", "POST", "/retention/holds", form)
				if code != http.StatusSeeOther || loc != "/retention/holds?done=hold_placed" {
					t.Fatalf("placing %v: %d %q %s", form, code, loc, body)
				}
			}
			body = page()
			for _, want := range []string{"Perpetrator&#39;s case " + itoa64(f.caseID), "Victim-survivor&#39;s case " + itoa64(f.victimID),
				"All of Northmoor", "Civil claim C-2", "Complaint C-3", "Inquiry I-4", "Lift hold 3",
				"Police incident NM-2020-0042 at Northmoor", "Claim C-5", "Lift hold 4"} {
				if !strings.Contains(body, want) {
					t.Errorf("the holds page does not show %q", want)
				}
			}

			// An incident named by a reference the site's extracts do not
			// hold, or without its reference or site, places nothing.
			for _, c := range []struct {
				form url.Values
				want string
			}{
				{url.Values{"what": {"incident"}, "ref": {"NM-1999-0001"}, "site": {itoa64(f.siteID)}, "reason": {"Claim"}, "owner": {"DPO"}}, "No imported police incident at that site has the reference"},
				{url.Values{"what": {"incident"}, "reason": {"Claim"}, "owner": {"DPO"}}, "Enter the incident&#39;s police reference"},
				{url.Values{"what": {"incident"}, "ref": {"NM-2020-0042"}, "reason": {"Claim"}, "owner": {"DPO"}}, "Choose the site whose extract holds the incident"},
			} {
				if code, _, body := do("dpo", "POST", "/retention/holds", c.form); code != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
					t.Errorf("placing %v: %d, want 422 saying %q", c.form, code, c.want)
				}
			}
			if body := page(); strings.Contains(body, "Lift hold 5") {
				t.Error("a refused incident hold was placed")
			}

			if code, _, body := do("dpo", "POST", "/retention/holds/1/release", url.Values{"reason": {""}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "why the hold ends") {
				t.Errorf("lifting without a reason: %d", code)
			}
			if code, _, _ := do("casey", "POST", "/retention/holds/1/release", url.Values{"reason": {"Done"}}); code != http.StatusNotFound {
				t.Errorf("a case manager lifting a hold: %d, want 404", code)
			}
			if code, loc, _ := do("dpo", "POST", "/retention/holds/1/release", url.Values{"reason": {"Claim settled"}}); code != http.StatusSeeOther || loc != "/retention/holds?done=hold_released" {
				t.Errorf("lifting: %d %q", code, loc)
			}
			if code, _, _ := do("dpo", "POST", "/retention/holds/1/release", url.Values{"reason": {"Again"}}); code != http.StatusNotFound {
				t.Errorf("lifting a lifted hold: %d, want 404", code)
			}
			body = page()
			if !strings.Contains(body, "Lifted holds") || !strings.Contains(body, "Claim settled") || strings.Contains(body, "Lift hold 1") {
				t.Error("the lifted hold is not shown as lifted")
			}
		})
	}
}
