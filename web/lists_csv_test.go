package web

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestListsAsCSV downloads the caseload and the case list: each is a CSV
// of the cases the page shows, with a name that would be a formula
// defused, served no-store as an attachment, and audited as a list that
// was downloaded. A user who may not list cases gets neither.
func TestListsAsCSV(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			ppath := "/people/" + strconv.FormatInt(w.personID, 10)
			if status, body, _ := w.send(t, "tom.providerlead", "POST", ppath+"/edit", url.Values{"given_name": {"=HYPERLINK(\"x\")"}, "family_name": {"Hollis"},
				"date_of_birth": {"1984-02-11"}}); status != http.StatusSeeOther {
				t.Fatalf("renaming: %d\n%s", status, body)
			}
			caseID := strconv.FormatInt(w.caseID, 10)
			for _, c := range []struct {
				who, path string
				header    []string
				reason    string
			}{
				{"cal.manager", "/caseload.csv", caseloadHeader, "list downloaded: 1 rows"},
				{"tom.providerlead", "/cases.csv?state=active&sort=name", casesHeader, "list downloaded: 1 rows"},
			} {
				status, body, h := w.send(t, c.who, "GET", c.path, nil)
				if status != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") || h.Get("Cache-Control") != "no-store" ||
					!strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") {
					t.Fatalf("%s: %d %v", c.path, status, h)
				}
				rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) != 2 || strings.Join(rows[0], "|") != strings.Join(c.header, "|") {
					t.Fatalf("%s: %q", c.path, rows)
				}
				if rows[1][0] != caseID || rows[1][1] != `'=HYPERLINK("x") Hollis` {
					t.Errorf("%s: the row is %q; want case %s with the name defused", c.path, rows[1], caseID)
				}
				found := false
				for _, ev := range w.events(t, c.who) {
					found = found || (ev.Action == "record.list" && ev.RecordType == "case" && ev.Reason == c.reason)
				}
				if !found {
					t.Errorf("%s: no audit event %q", c.path, c.reason)
				}
			}
			// A filter no case matches gives the header alone.
			if _, body, _ := w.send(t, "tom.providerlead", "GET", "/cases.csv?state=closed", nil); strings.Count(body, "\n") != 1 {
				t.Errorf("closed cases: %q", body)
			}
			// The IDVA may not list perpetrator cases.
			if status, body, _ := w.send(t, "ida.idva", "GET", "/cases.csv", nil); status == http.StatusOK || strings.Contains(body, "Hollis") {
				t.Errorf("an IDVA downloaded the case list: %d", status)
			}
		})
	}
}
