package web

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// TestPoliceAlertsEndToEnd imports, over real HTTP, a police extract
// naming the perpetrator of an open case referred by MARAC (not from the
// identification list), once his Drive person and the linked
// victim-survivor's IDVA case are linked to the police people an earlier
// import found. His case manager, the site's perpetrator-side team leader
// and her IDVA each then have one notification, on /notifications, in the
// header's count and through the API; nobody else does (another case
// manager, another IDVA, the IDVA service's team leader, another site's
// team leader, analysts, partners, national staff). Nothing the
// perpetrator side is shown names her or any value of her compartment;
// marking read works through the page and the API.
func TestPoliceAlertsEndToEnd(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			// Nobody has linked his case to police records by hand: the
			// upload itself links him (his name and date of birth) and
			// alerts.
			for name := range w.users {
				if _, body := w.get(t, name, "/notifications"); !strings.Contains(body, "You have no notifications.") {
					t.Fatalf("%s has notifications before the import", name)
				}
			}

			// The analyst uploads the new extract through the page.
			extract := "ref,date,type,crime,suspect_given,suspect_family,suspect_dob,victim_given,victim_family\n" +
				"E2E-2,2026-11-20,strangulation,yes,Darren,Hollis,1984-02-11,Sam,Example\n" +
				"E2E-3,2026-11-21,harassment,no,Kevin,Doyle,1970-01-01,Ann,Doyle\n"
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("csrf_token", w.users["ana.analyst"].csrf)
			mw.WriteField("site", "1")
			mw.WriteField("kind", "incidents")
			fw, _ := mw.CreateFormFile("file", "extract.csv")
			fw.Write([]byte(extract))
			mw.Close()
			req, _ := http.NewRequest("POST", w.ts.URL+"/identify/import", &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Cookie", "drive_session="+w.users["ana.analyst"].session)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("upload: %d", resp.StatusCode)
			}

			want := map[string]string{"cal.manager": "case", "tom.providerlead": "case", "ida.idva": "victim"}
			perpetratorSide := map[string]bool{}
			for name := range w.users {
				perpetratorSide[name] = !strings.Contains(name, "idva")
			}
			rows := regexp.MustCompile(`<tr class="govuk-table__row">\s*<td class="govuk-table__cell">`)
			for name := range w.users {
				status, page := w.get(t, name, "/notifications")
				if status != http.StatusOK {
					t.Fatalf("%s: /notifications %d", name, status)
				}
				n := len(rows.FindAllString(page, -1))
				_, home := w.get(t, name, "/")
				status, body := w.get(t, name, "/api/v1/notifications")
				var items []api.NotificationBody
				if status != http.StatusOK || json.Unmarshal([]byte(body), &items) != nil {
					t.Fatalf("%s: API %d %s", name, status, body)
				}
				var raw []map[string]any
				_ = json.Unmarshal([]byte(body), &raw)
				side, ok := want[name]
				if !ok {
					if n != 0 || len(items) != 0 || strings.Contains(home, " unread</span>") {
						t.Errorf("%s was notified: %d rows on the page, %d in the API", name, n, len(items))
					}
					continue
				}
				if n != 1 || len(items) != 1 || !strings.Contains(home, `1<span class="govuk-visually-hidden"> unread</span>`) {
					t.Errorf("%s: %d rows on the page, %d in the API, header count shown %v; want one", name, n, len(items),
						strings.Contains(home, "> unread</span>"))
					continue
				}
				it := items[0]
				for _, k := range []string{"id", "kind", "created_at", "read"} {
					if _, ok := raw[0][k]; !ok {
						t.Errorf("%s: the API item has no %q: %s", name, k, body)
					}
				}
				if it.Kind != service.KindPoliceIncident || it.Read || it.ID == 0 || it.CreatedAt.IsZero() {
					t.Errorf("%s: %+v", name, it)
				}
				switch side {
				case "case":
					if it.CaseID != w.caseID || it.VictimCaseID != 0 || !strings.Contains(page, `href="/cases/`+strconv.FormatInt(w.caseID, 10)+`"`) {
						t.Errorf("%s: %+v is not about his case, or the page does not link to it", name, it)
					}
					if !strings.Contains(it.Summary, "Non-fatal strangulation or suffocation on 20 November 2026 (gravity 7 of 10), recorded as a crime") {
						t.Errorf("%s: summary %q", name, it.Summary)
					}
				case "victim":
					if it.VictimCaseID != w.victimID || it.CaseID != 0 || !strings.Contains(page, `href="/victims/`+strconv.FormatInt(w.victimID, 10)+`"`) {
						t.Errorf("%s: %+v is not about her case, or the page does not link to it", name, it)
					}
				}
			}
			// The leak crawl: nothing the perpetrator side is shown of its
			// notifications names her or her compartment.
			for name := range w.users {
				if !perpetratorSide[name] {
					continue
				}
				for _, path := range []string{"/notifications", "/api/v1/notifications", "/"} {
					_, body := w.get(t, name, path)
					if l := leaked(body); len(l) > 0 || strings.Contains(body, "Sam Example") || strings.Contains(body, "Example") {
						t.Errorf("%s on %s: leaked %v", name, path, l)
					}
				}
			}
			for _, s := range []string{service.MailSubject, service.MailBody} {
				if l := leaked(s); len(l) > 0 || strings.Contains(s, "Darren") || strings.Contains(s, "case") {
					t.Errorf("the notification e-mail says too much: %q", s)
				}
			}

			// Marking read: one through the page, then through the API.
			_, body := w.get(t, "cal.manager", "/api/v1/notifications")
			var items []api.NotificationBody
			_ = json.Unmarshal([]byte(body), &items)
			id := strconv.FormatInt(items[0].ID, 10)
			if status, _ := w.post(t, "ida.idva", "/notifications/"+id+"/read", url.Values{}); status != http.StatusNotFound {
				t.Errorf("the IDVA marking the manager's notification: %d; want 404", status)
			}
			if status, _ := w.post(t, "cal.manager", "/notifications/"+id+"/read", url.Values{}); status != http.StatusSeeOther {
				t.Errorf("marking read: %d", status)
			}
			_, body = w.get(t, "cal.manager", "/api/v1/notifications")
			_ = json.Unmarshal([]byte(body), &items)
			if len(items) != 1 || !items[0].Read {
				t.Errorf("after marking read: %s", body)
			}
			if _, home := w.get(t, "cal.manager", "/"); strings.Contains(home, " unread</span>") {
				t.Error("the header still counts a read notification")
			}
			req, _ = http.NewRequest("POST", w.ts.URL+"/api/v1/notifications/read", strings.NewReader("{}"))
			req.Header.Set("Authorization", "Bearer "+w.users["ida.idva"].apiToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var marked api.Marked
			_ = json.NewDecoder(resp.Body).Decode(&marked)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || marked.Marked != 1 {
				t.Errorf("the IDVA marking all through the API: %d, %+v", resp.StatusCode, marked)
			}
			if status, _ := w.post(t, "cal.manager", "/notifications/email", url.Values{"email": {"not an address"}}); status != http.StatusUnprocessableEntity {
				t.Errorf("a bad e-mail address: %d; want 422", status)
			}
			if status, _ := w.post(t, "cal.manager", "/notifications/email", url.Values{"email": {"cal@example.org"}}); status != http.StatusSeeOther {
				t.Errorf("an e-mail address: %d", status)
			}
			if _, page := w.get(t, "cal.manager", "/notifications"); !strings.Contains(page, `value="cal@example.org"`) {
				t.Error("the page does not show the address set")
			}
		})
	}
}
