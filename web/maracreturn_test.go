package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestMARACReturnPage: the quarterly data return counts the MARAC held in
// the quarter, withholding the small count and saying why; the same
// figures download as CSV; a quarter that cannot be read or has not begun
// is refused with nothing read; the return is not found by those who may
// not read the site's aggregates.
func TestMARACReturnPage(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newMeetingFixture(t, e)
			f.runMeeting() // held on 30 November 2026: 2026-Q4
			site := strconv.FormatInt(f.siteID, 10)
			q := "?site=" + site + "&quarter=2026-Q4"

			status, body, _ := f.get("tom.providerlead", "/meetings/return"+q)
			for _, want := range []string{"Northmoor, October to December 2026", "MARAC meetings held</th>", "[c]", "is withheld",
				"Cases heard by referring agency", `href="/meetings/return.csv?site=` + site + `&amp;quarter=2026-Q4"`} {
				if status != 200 || !strings.Contains(body, want) {
					t.Fatalf("the return (%d) lacks %q", status, want)
				}
			}
			row := body[strings.Index(body, "MARAC meetings held</th>"):]
			if row = row[:strings.Index(row, "</tr>")]; !strings.Contains(row, ">1</td>") {
				t.Errorf("meetings held row: %s", row)
			}

			// The CSV: the same figures, as published.
			req, _ := http.NewRequest("GET", f.ts.URL+"/meetings/return.csv"+q, nil)
			req.Header.Set("Cookie", "drive_session="+f.sessions["tom.providerlead"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(resp.Body).ReadAll()
			resp.Body.Close()
			if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") ||
				resp.Header.Get("Content-Disposition") != `attachment; filename="marac-return-site-`+site+`-2026-Q4.csv"` {
				t.Fatalf("CSV: %d %q %q %v", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), err)
			}
			got := map[string]string{}
			for _, r := range rows[1:] {
				got[r[0]] = r[2]
			}
			if strings.Join(rows[0], ",") != "code,label,value,definition" || got["meetings_held"] != "1" || got["cases_heard"] != "[c]" {
				t.Errorf("CSV figures %v", got)
			}

			// With no choice made: the first site and the last complete
			// quarter, which held no meeting.
			status, body, _ = f.get("tom.providerlead", "/meetings/return")
			if status != 200 || !strings.Contains(body, `<option value="2026-Q3" selected>`) || !strings.Contains(body, "Northmoor, July to September 2026") {
				t.Errorf("default return: %d", status)
			}

			// Refused input reads nothing.
			before := len(f.auditEvents())
			for _, tc := range []struct{ query, field, msg string }{
				{"?site=" + site + "&quarter=2026-Q5", "quarter", "Enter a quarter as a year and quarter"},
				{"?site=" + site + "&quarter=next", "quarter", "Enter a quarter as a year and quarter"},
				{"?site=" + site + "&quarter=2027-Q2", "quarter", "Choose a quarter that has begun"},
				{"?site=north&quarter=2026-Q4", "site", "Choose a site"},
			} {
				status, body, _ := f.get("tom.providerlead", "/meetings/return"+tc.query)
				if status != 422 || !strings.Contains(body, tc.msg) || !strings.Contains(body, `href="#`+tc.field+`"`) {
					t.Errorf("%s: %d; want 422 with %q", tc.query, status, tc.msg)
				}
				if status, _, _ := f.get("tom.providerlead", "/meetings/return.csv"+tc.query); status != 422 {
					t.Errorf("CSV %s: %d; want 422", tc.query, status)
				}
			}
			if after := len(f.auditEvents()); after != before {
				t.Errorf("refused requests recorded %d audit events", after-before)
			}

			// Not found: a partner (no aggregates), a site that is not
			// there.
			for _, tc := range []struct{ name, path string }{
				{"pat.partner", "/meetings/return" + q}, {"pat.partner", "/meetings/return.csv" + q}, {"pat.partner", "/meetings/return"},
				{"tom.providerlead", "/meetings/return?site=999999&quarter=2026-Q4"}, {"tom.providerlead", "/meetings/return.csv?site=999999&quarter=2026-Q4"},
			} {
				if status, body, _ := f.get(tc.name, tc.path); status != 404 || strings.Contains(body, "Northmoor,") {
					t.Errorf("%s on %s: %d; want 404", tc.name, tc.path, status)
				}
			}
		})
	}
}
