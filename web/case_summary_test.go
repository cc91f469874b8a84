package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestCaseSummaryPDF downloads the printable case summary: the case
// manager's holds the case, its contact and note and the linked
// victim-survivor's risk facts, served no-store as an attachment and
// audited as an export. Everyone's copy, where they may have one, holds
// no canary; those who may not read the case get "not found".
func TestCaseSummaryPDF(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			cp := "/cases/" + strconv.FormatInt(w.caseID, 10)
			if status, body, _ := w.send(t, "cal.manager", "POST", cp+"/contacts", url.Values{"kind": {"one_to_one"}, "contact_on": {"2026-11-20"},
				"method": {"in person"}, "contact_summary": {"SUMMARY-CONTACT worked on jealousy"}}); status != http.StatusSeeOther {
				t.Fatalf("contact: %d\n%s", status, body)
			}
			if status, body, _ := w.send(t, "cal.manager", "POST", cp+"/notes", url.Values{"text": {"SUMMARY-NOTE he attended"}}); status != http.StatusSeeOther {
				t.Fatalf("note: %d\n%s", status, body)
			}
			if _, body := w.get(t, "cal.manager", cp); !strings.Contains(body, `href="`+cp+`/summary.pdf"`) {
				t.Fatal("the case page does not link to its summary")
			}
			status, text, ct := fetch(t, w.ts.URL+cp+"/summary.pdf", false, w.users["cal.manager"].session, "")
			flat := strings.ReplaceAll(text, "\n", " ")
			if status != http.StatusOK || !strings.HasPrefix(ct, "application/pdf") {
				t.Fatalf("the case manager's summary: %d %s", status, ct)
			}
			for _, want := range []string{"Case summary: case " + strconv.FormatInt(w.caseID, 10), "Darren Hollis", "Repeat MARAC", "SUMMARY-CONTACT",
				"SUMMARY-NOTE", "Victim-survivor 1", "15 (High risk)", "RESTRICTED"} {
				if !strings.Contains(flat, want) && !strings.Contains(strings.ReplaceAll(text, "\n", ""), want) {
					t.Errorf("the summary lacks %q:\n%s", want, text)
				}
			}
			_, _, h := w.send(t, "cal.manager", "GET", cp+"/summary.pdf", nil)
			if h.Get("Cache-Control") != "no-store" || h.Get("Content-Disposition") != `attachment; filename="case-summary-`+strconv.FormatInt(w.caseID, 10)+`.pdf"` {
				t.Errorf("headers: %v", h)
			}
			exported := 0
			for _, ev := range w.events(t, "cal.manager") {
				if ev.Action == "record.export" && ev.RecordType == "case" && ev.RecordID == strconv.FormatInt(w.caseID, 10) && ev.Reason == "case summary PDF" {
					exported++
				}
			}
			if exported != 2 {
				t.Errorf("%d export events for two downloads", exported)
			}
			copies := 0
			for name, u := range w.users {
				status, text, _ := fetch(t, w.ts.URL+cp+"/summary.pdf", false, u.session, "")
				if status == http.StatusOK {
					copies++
				} else if status != http.StatusNotFound {
					t.Errorf("%s: %d", name, status)
				}
				if l := shown(text); len(l) > 0 {
					t.Errorf("%s: the summary shows %v", name, l)
				}
			}
			if copies < 3 {
				t.Errorf("only %d users could download the summary", copies)
			}
			for name, path := range map[string]string{"ivy.otheridva": cp, "sam.otherlead": cp, "com.commissioner": cp, "cal.manager": "/cases/999999"} {
				if status, body, _ := w.send(t, name, "GET", path+"/summary.pdf", nil); status != http.StatusNotFound || strings.Contains(body, "Hollis") {
					t.Errorf("%s: %s/summary.pdf answered %d", name, path, status)
				}
			}
		})
	}
}
