package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

const webFeedExtract = "ref,date,type,crime,suspect_given,suspect_family,suspect_dob,suspect_postcode,victim_given,victim_family,victim_dob,victim_age\n" +
	"WF-1,2026-10-01,common_assault,yes,Ren\u00e9,Hollis,1985-06-01,NM4 2XY,Zo\u00eb,Marsh,1990-03-03,36\n" +
	"WF-2,2026-10-08,harassment,no,Ren\u00e9,Hollis,1985-06-01,NM4 2XY,Zo\u00eb,Marsh,1990-03-03,36\n"

// TestFeedThroughTheAPI: a feed's token sends a file (202), the worker
// imports it and the job answers done with its counts; the same bytes
// again bring 0 new rows; bytes that are no extract fail with problems,
// never a 5xx; and the same token is refused on every other route in the
// route list, while users' tokens and sessions are refused on the feed's.
func TestFeedThroughTheAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newSiteFixture(t, e, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), []access.Role{access.Analyst, access.CaseManager}, nil)
			_, token, err := f.srv.svc.CreateFeed(ctx, service.CommandLine(), "NMR", "Force X weekly extract", 7*24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			send := func(method, path, body, bearer string) (int, map[string]any) {
				t.Helper()
				req, _ := http.NewRequest(method, f.url+path, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+bearer)
				status, out := do(t, client, req)
				var v map[string]any
				_ = json.Unmarshal([]byte(out), &v)
				if status >= 500 {
					t.Errorf("%s %s: status %d", method, path, status)
				}
				return status, v
			}
			worker := service.ImportWorker{ID: "web-test", Lease: time.Minute}
			runJobs := func() {
				if _, err := f.srv.svc.RunImportJobs(ctx, service.System("imports"), worker); err != nil {
					t.Fatal(err)
				}
			}
			job := func(body, kind string) map[string]any {
				t.Helper()
				status, v := send("POST", "/api/v1/imports?kind="+kind, body, token)
				if status != http.StatusAccepted || v["status"] != "queued" || v["id"] == nil {
					t.Fatalf("POST /api/v1/imports: %d %v", status, v)
				}
				runJobs()
				id := int64(v["id"].(float64))
				status, got := send("GET", "/api/v1/imports/"+strconv.FormatInt(id, 10), "", token)
				if status != http.StatusOK {
					t.Fatalf("GET the job: %d %v", status, got)
				}
				return got
			}
			first := job(webFeedExtract, "incidents")
			if first["status"] != "done" || first["rows"] != 2.0 || first["new"] != 2.0 || first["skipped"] != 0.0 ||
				!strings.Contains(first["encoding"].(string), "UTF-8") {
				t.Fatalf("first delivery: %v", first)
			}
			if again := job(webFeedExtract, "incidents"); again["new"] != 0.0 || again["skipped"] != 2.0 || again["status"] != "done" {
				t.Fatalf("the same bytes again: %v", again)
			}
			junk := job("\x00\xff\xfe garbage \x00\n\x01,\x02\n", "incidents")
			if junk["status"] != "failed" || junk["new"] != 0.0 || len(junk["problems"].([]any)) == 0 {
				t.Fatalf("bytes that are no extract: %v", junk)
			}
			p := junk["problems"].([]any)[0].(map[string]any)
			if p["line"] == nil || p["column"] == nil || p["problem"] == "" {
				t.Fatalf("a problem without line and column: %v", p)
			}
			if status, _ := send("POST", "/api/v1/imports", webFeedExtract, token); status != http.StatusUnprocessableEntity {
				t.Fatalf("no kind: %d, want 422", status)
			}
			if status, _ := send("GET", "/api/v1/imports/999999", "", token); status != http.StatusNotFound {
				t.Fatalf("another job: %d, want 404", status)
			}

			// The feed's token on every other route of the list.
			refused := 0
			for _, rt := range f.srv.routes {
				if rt.gate == feedOnly || rt.gate == public {
					continue
				}
				path := strings.NewReplacer("{$}", "", "{id}", "1", "{form}", "notes", "{action}", "1", "{org}", "x", "{item}", "1", "{att}", "1", "{decision}", "approve").Replace(rt.path)
				req, _ := http.NewRequest(rt.method, f.url+path, strings.NewReader("{}"))
				req.Header.Set("Authorization", "Bearer "+token)
				status, body := do(t, client, req)
				switch {
				case rt.kind == apiRoute && status != http.StatusUnauthorized && status != http.StatusNotFound:
					t.Errorf("%s %s with the feed's token: %d, want 401 or 404", rt.method, path, status)
				case rt.kind == pageRoute && (status != http.StatusSeeOther || strings.Contains(body, "Hollis")):
					t.Errorf("%s %s with the feed's token: %d, want a redirect to sign in", rt.method, path, status)
				}
				refused++
			}
			if refused < 50 {
				t.Fatalf("only %d routes tried", refused)
			}

			// The watch page: for the analyst, not for the case manager;
			// with the inbox folder the server watches.
			if _, err := f.srv.svc.WatchInbox(ctx, service.System("feeds"), []service.InboxFolder{{SiteCode: "NMR", Kind: "marac"}}, 24*time.Hour); err != nil {
				t.Fatal(err)
			}
			status, body, _ := f.do(access.Analyst, "GET", "/feeds", nil)
			if status != http.StatusOK || !strings.Contains(body, "Force X weekly extract") || !strings.Contains(body, "NMR/marac") || strings.Contains(body, "Marsh") || strings.Contains(body, "NM4") {
				t.Fatalf("/feeds as analyst: %d\n%.500s", status, body)
			}
			if status, _, _ := f.do(access.CaseManager, "GET", "/feeds", nil); status != http.StatusNotFound {
				t.Fatalf("/feeds as case manager: %d, want 404", status)
			}
		})
	}
}
