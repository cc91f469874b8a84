package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestImportUpload: an analyst uploads an extract and a MARAC list in the
// browser's way (multipart); a bad file lists its problems and stores
// nothing; a team leader, who may not import, gets "not found".
func TestImportUpload(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newSiteFixture(t, e, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), []access.Role{access.Analyst, access.TeamLeader}, nil)
			db, siteID, ctx := f.db, f.site.ID, context.Background()
			upload := func(role access.Role, kind, file, mapping string) (int, string) {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				mw.WriteField("csrf_token", "c")
				mw.WriteField("site", "1")
				mw.WriteField("kind", kind)
				if file != "" {
					fw, _ := mw.CreateFormFile("file", "extract.csv")
					fw.Write([]byte(file))
				}
				if mapping != "" {
					fw, _ := mw.CreateFormFile("mapping", "mapping.json")
					fw.Write([]byte(mapping))
				}
				mw.Close()
				req, _ := http.NewRequest("POST", f.url+"/identify/import", &buf)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				status, body, _ := f.send(role, req)
				return status, body
			}
			count := func() (n int) {
				_ = db.View(ctx, func(tx *store.Tx) error {
					rows, err := tx.SitePoliceIncidents(ctx, siteID, drive.Date{})
					n = len(rows)
					return err
				})
				return n
			}
			good := "ref,date,type,crime,suspect_given,suspect_family,suspect_dob,victim_given,victim_family\n" +
				"R1,2026-09-01,abh,yes,Darren,Hollis,1984-02-11,Sam,Example\n" +
				"R2,2026-10-01,stalking,yes,Daren,Hollis,1984-02-11,Jo,Second\n" +
				"R3,2026-10-02,harassment,yes,Kevin,Doyle,1970-01-01,Ann,Doyle\n"
			bad := good + "R4,2030-01-01,abh,perhaps,,,,,\n"

			status, body := upload(access.Analyst, "incidents", bad, "")
			if status != 422 || !strings.Contains(body, "nothing was imported") || !strings.Contains(body, ">5<") {
				t.Fatalf("bad extract: %d", status)
			}
			// The problems come first, before the form to upload again.
			if p, form := strings.Index(body, "Problems in extract.csv"), strings.Index(body, `<form method="post" action="/identify/import"`); p < 0 || form < 0 || p > form {
				t.Fatalf("the problems (at %d) do not come before the form (at %d)", p, form)
			}
			if n := count(); n != 0 {
				t.Fatalf("%d incidents stored from a bad file", n)
			}
			if status, body := upload(access.Analyst, "incidents", "", ""); status != 422 || !strings.Contains(body, "Choose the CSV file") {
				t.Fatalf("no file: %d", status)
			}
			if status, body := upload(access.Analyst, "incidents", good, `{"nonsense": "x"}`); status != 422 || !strings.Contains(body, "unknown field") {
				t.Fatalf("bad mapping: %d", status)
			}
			if status, _ := upload(access.TeamLeader, "incidents", good, ""); status != 404 {
				t.Fatalf("team leader upload: %d; want 404", status)
			}
			if status, body := upload(access.Analyst, "incidents", good, ""); status != 200 || !strings.Contains(body, "3 new incidents imported") {
				t.Fatalf("good extract: %d", status)
			}
			if status, body := upload(access.Analyst, "incidents", good, ""); status != 200 || !strings.Contains(body, "0 new incidents imported (3 already held)") {
				t.Fatalf("re-upload: %d", status)
			}
			marac := "ref,heard_on,victim_given,victim_family,victim_dob,perpetrator_given,perpetrator_family,perpetrator_dob\n" +
				"M1,2026-10-15,Sam,Example,,Darren,Hollis,1984-02-11\n"
			if status, body := upload(access.Analyst, "marac", marac, ""); status != 200 || !strings.Contains(body, "1 new hearings imported") {
				t.Fatalf("MARAC list: %d %s", status, body)
			}
			var audited int
			_ = db.View(ctx, func(tx *store.Tx) error {
				evs, err := tx.AuditEvents(ctx, store.AuditFilter{RecordType: "site"})
				for _, ev := range evs {
					if strings.HasPrefix(ev.Action, "import.") && ev.ActorID != 0 {
						audited++
					}
				}
				return err
			})
			if audited != 3 {
				t.Fatalf("%d audited imports; want 3", audited)
			}
		})
	}
}
