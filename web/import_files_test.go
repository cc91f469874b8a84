package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// filesExtract is one small police extract with accented names, written
// out as a force's system or Excel would save it.
var filesExtract = [][]string{
	{"ref", "date", "type", "crime", "suspect_given", "suspect_family", "suspect_dob", "victim_given", "victim_family"},
	{"E1", "2026-09-01", "abh", "yes", "Zoë", "Åkerlund", "1984-02-11", "Renée", "Ó Briain"},
	{"E2", "2026-10-01", "stalking", "yes", "José", "Núñez", "1979-06-30", "Siân", "Llewelyn"},
	{"E3", "2026-10-02", "harassment", "no", "Kevin", "Doyle", "1970-01-01", "Ann", "Doyle"},
}

// extractAs returns the extract with its references prefixed, so each
// form of the file brings rows of its own to one site.
func extractAs(prefix string) [][]string {
	out := [][]string{filesExtract[0]}
	for _, r := range filesExtract[1:] {
		out = append(out, append([]string{prefix + r[0]}, r[1:]...))
	}
	return out
}

func joined(rows [][]string, sep string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, sep) + "\r\n")
	}
	return b.String()
}

func xlsxOf(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		for j, c := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellValue("Sheet1", cell, c); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestImportFilesAsForcesSaveThem uploads the same extract saved as plain
// CSV from Excel (Windows-1252), as "Unicode text" (UTF-16 with its mark,
// tab-separated), as semicolon-separated UTF-8 with a mark, and as an .xlsx
// workbook, each to a site of its own, on both engines: each answer names
// what it read, the accented names are stored intact, and every form
// stores the same rows. Named wrongly, a file is refused with its line and
// nothing is stored.
func TestImportFilesAsForcesSaveThem(t *testing.T) {
	win, err := charmap.Windows1252.NewEncoder().String(joined(extractAs("W"), ","))
	if err != nil {
		t.Fatal(err)
	}
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(joined(extractAs("U"), "\t"))
	if err != nil {
		t.Fatal(err)
	}
	files := []struct {
		name, says, prefix string
		data               []byte
		encoding           string
	}{
		{"windows-1252.csv", "WINDOWS-1252 text, comma-separated", "W", []byte(win), ""},
		{"unicode.txt", "UTF-16LE text with a byte-order mark, tab-separated", "U", []byte(u16), ""},
		{"semicolons.csv", "UTF-8 text with a byte-order mark, semicolon-separated", "S", []byte("\ufeff" + joined(extractAs("S"), ";")), ""},
		{"extract.xlsx", "Excel workbook, worksheet &#34;Sheet1&#34;", "X", xlsxOf(t, extractAs("X")), ""},
		{"named.csv", "WINDOWS-1252 text, comma-separated", "N", []byte(strings.ReplaceAll(win, "\r\nW", "\r\nN")), "windows-1252"},
	}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newSiteFixture(t, e, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), []access.Role{access.Analyst}, nil)
			ctx := context.Background()
			upload := func(name string, data []byte, encoding string) (int, string) {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				mw.WriteField("csrf_token", "c")
				mw.WriteField("site", "1")
				mw.WriteField("kind", "incidents")
				mw.WriteField("encoding", encoding)
				fw, _ := mw.CreateFormFile("file", name)
				fw.Write(data)
				mw.Close()
				req, _ := http.NewRequest("POST", f.url+"/identify/import", &buf)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				status, body, _ := f.send(access.Analyst, req)
				return status, body
			}
			stored := func(prefix string) []string {
				var out []string
				err := f.db.View(ctx, func(tx *store.Tx) error {
					rows, err := tx.SitePoliceIncidents(ctx, f.site.ID, drive.Date{})
					for _, r := range rows {
						if prefix != "" && !strings.HasPrefix(r.Ref, prefix) {
							continue
						}
						out = append(out, strings.Join([]string{strings.TrimPrefix(r.Ref, prefix), r.On.String(), r.Type, r.Suspect.GivenName, r.Suspect.FamilyName,
							r.Suspect.DOB.String(), r.Victim.GivenName, r.Victim.FamilyName}, "|"))
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				sort.Strings(out)
				return out
			}
			// Named as UTF-8, the Windows-1252 file's accented rows are
			// refused by line and nothing is stored.
			status, body := upload("windows-1252.csv", []byte(win), "utf-8")
			if status != 422 || !strings.Contains(body, "windows-1252") || !strings.Contains(body, ">2<") || len(stored("")) != 0 {
				t.Fatalf("Windows-1252 named as UTF-8: %d, %d stored", status, len(stored("")))
			}
			var want []string
			for i, file := range files {
				status, body := upload(file.name, file.data, file.encoding)
				if status != 200 || !strings.Contains(body, "3 new incidents imported") || !strings.Contains(body, "Read as "+file.says) {
					t.Fatalf("%s: %d\n%s", file.name, status, errorSummaryOf(body))
				}
				got := stored(file.prefix)
				if i == 0 {
					want = got
					if !strings.Contains(strings.Join(got, "\n"), "Zoë|Åkerlund") || !strings.Contains(strings.Join(got, "\n"), "Siân|Llewelyn") {
						t.Fatalf("accented names not intact: %q", got)
					}
				} else if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("%s stored\n%q\nwant the same rows as the first file\n%q", file.name, got, want)
				}
				// Again: the same rows, nothing new.
				if status, body := upload(file.name, file.data, file.encoding); status != 200 || !strings.Contains(body, "0 new incidents imported (3 already held)") {
					t.Fatalf("%s again: %d", file.name, status)
				}
			}
		})
	}
}

// TestSavedMappings: a mapping file given once is kept under a name; a
// later file with the same headers is read with it without being told,
// and the answer says so; chosen by name it is used; deleted, the file's
// headers are no longer understood.
func TestSavedMappings(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newSiteFixture(t, e, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), []access.Role{access.Analyst}, nil)
			upload := func(file, mapping string, fields map[string]string) (int, string) {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				mw.WriteField("csrf_token", "c")
				mw.WriteField("site", "1")
				mw.WriteField("kind", "incidents")
				for k, v := range fields {
					mw.WriteField(k, v)
				}
				fw, _ := mw.CreateFormFile("file", "force.csv")
				fw.Write([]byte(file))
				if mapping != "" {
					fw, _ := mw.CreateFormFile("mapping", "mapping.json")
					fw.Write([]byte(mapping))
				}
				mw.Close()
				req, _ := http.NewRequest("POST", f.url+"/identify/import", &buf)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				status, body, _ := f.send(access.Analyst, req)
				return status, body
			}
			header := "Incident Ref;Occurred;Offence;Forename;Surname\n"
			mapping := `{"ref": "Incident Ref", "date": "Occurred", "type": "Offence", "suspect_given": "Forename", "suspect_family": "Surname"}`
			status, body := upload(header+"F1;2026-09-01;abh;Zoë;Åkerlund\n", mapping, map[string]string{"save_mapping_as": "Force X weekly extract"})
			if status != 200 || !strings.Contains(body, "1 new incidents imported") || !strings.Contains(body, "Force X weekly extract") {
				t.Fatalf("first upload with a mapping file: %d\n%s", status, errorSummaryOf(body))
			}
			status, body = upload(header+"F2;2026-09-02;abh;Kevin;Doyle\n", "", nil)
			if status != 200 || !strings.Contains(body, "1 new incidents imported") || !strings.Contains(body, "with the saved mapping “Force X weekly extract”") {
				t.Fatalf("same headers, no mapping: %d\n%s", status, errorSummaryOf(body))
			}
			var id int64
			err := f.db.View(context.Background(), func(tx *store.Tx) error {
				ms, err := tx.ImportMappings(context.Background(), f.site.ID, "incidents")
				if len(ms) == 1 {
					id = ms[0].ID
				}
				return err
			})
			if err != nil || id == 0 {
				t.Fatalf("saved mappings: %v, id %d", err, id)
			}
			if status, body := upload(header+"F3;2026-09-03;abh;Ann;Bee\n", "", map[string]string{"saved_mapping": strconv.FormatInt(id, 10)}); status != 200 || !strings.Contains(body, "1 new incidents imported") {
				t.Fatalf("chosen by name: %d\n%s", status, errorSummaryOf(body))
			}
			if status, body := upload(header+"F3;2026-09-03;abh;Ann;Bee\n", "", map[string]string{"saved_mapping": "999"}); status != 422 || !strings.Contains(body, "saved mappings") {
				t.Fatalf("another site's or no mapping: %d", status)
			}
			req, _ := http.NewRequest("POST", f.url+"/identify/mappings/"+strconv.FormatInt(id, 10)+"/delete", strings.NewReader("csrf_token=c&site=1"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if status, _, _ := f.send(access.Analyst, req); status != 303 {
				t.Fatalf("delete: %d", status)
			}
			if status, body := upload(header+"F4;2026-09-04;abh;Ann;Bee\n", "", nil); status != 422 || !strings.Contains(body, "no column") {
				t.Fatalf("after deletion: %d\n%s", status, errorSummaryOf(body))
			}
		})
	}
}

// TestCheckThenConfirm: the upload page's Continue shows the first rows
// as they will be stored and stores nothing; confirming imports exactly
// the file checked, once; another analyst cannot confirm it.
func TestCheckThenConfirm(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newSiteFixture(t, e, time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC), []access.Role{access.Analyst, access.PanelCoordinator}, nil)
			win, err := charmap.Windows1252.NewEncoder().String(joined(extractAs("C"), ","))
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("csrf_token", "c")
			mw.WriteField("site", "1")
			mw.WriteField("kind", "incidents")
			mw.WriteField("step", "check")
			fw, _ := mw.CreateFormFile("file", "force.csv")
			fw.Write([]byte(win))
			mw.Close()
			req, _ := http.NewRequest("POST", f.url+"/identify/import", &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			status, body, _ := f.send(access.Analyst, req)
			if status != 200 || !strings.Contains(body, "Check the file before importing") || !strings.Contains(body, "Zoë Åkerlund") ||
				!strings.Contains(body, "WINDOWS-1252") || !strings.Contains(body, "Import 3 incidents") {
				t.Fatalf("check: %d\n%s", status, errorSummaryOf(body))
			}
			count := func() (n int) {
				_ = f.db.View(context.Background(), func(tx *store.Tx) error {
					rows, err := tx.SitePoliceIncidents(context.Background(), f.site.ID, drive.Date{})
					n = len(rows)
					return err
				})
				return n
			}
			if n := count(); n != 0 {
				t.Fatalf("%d incidents stored by the check", n)
			}
			m := regexp.MustCompile(`action="(/identify/import/checked/\d+)"`).FindStringSubmatch(body)
			if m == nil {
				t.Fatal("no confirmation form")
			}
			confirm := func(role access.Role) (int, string, string) {
				req, _ := http.NewRequest("POST", f.url+m[1], strings.NewReader("csrf_token=c"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return f.send(role, req)
			}
			if status, _, _ := confirm(access.PanelCoordinator); status != 404 {
				t.Fatalf("another user confirming: %d", status)
			}
			// Confirming queues a job and answers with its progress page.
			status, _, loc := confirm(access.Analyst)
			if status != http.StatusSeeOther || !regexp.MustCompile(`^/imports/\d+$`).MatchString(loc) {
				t.Fatalf("confirm: %d, to %q", status, loc)
			}
			status, body, _ = f.do(access.Analyst, "GET", loc, nil)
			if status != 200 || !strings.Contains(body, `role="status"`) || !strings.Contains(body, "Waiting to start") || !strings.Contains(body, `data-module="drive-refresh"`) {
				t.Fatalf("progress while queued: %d\n%s", status, body)
			}
			if n := count(); n != 0 {
				t.Fatalf("%d incidents stored before the job ran", n)
			}
			if status, _, _ := f.do(access.PanelCoordinator, "GET", loc, nil); status != 404 {
				t.Fatalf("another user's progress page: %d, want 404", status)
			}
			if _, err := f.srv.svc.RunImportJobs(context.Background(), service.System("imports"), service.ImportWorker{ID: "web-test", Lease: time.Minute}); err != nil {
				t.Fatal(err)
			}
			status, body, _ = f.do(access.Analyst, "GET", loc, nil)
			if status != 200 || !strings.Contains(body, "3 new rows imported") || !strings.Contains(body, "WINDOWS-1252") || strings.Contains(body, "drive-refresh") {
				t.Fatalf("progress once done: %d\n%s", status, body)
			}
			if n := count(); n != 3 {
				t.Fatalf("%d incidents stored, want 3", n)
			}
			if status, _, _ := confirm(access.Analyst); status != 404 {
				t.Fatalf("confirming twice: %d", status)
			}
			// The upload page lists the analyst's latest imports, each
			// linked to its progress page; not another analyst's.
			if _, body, _ := f.do(access.Analyst, "GET", "/identify/import", nil); !strings.Contains(body, `href="`+loc+`">force.csv</a>`) || !strings.Contains(body, "Imported") {
				t.Fatalf("the upload page does not list the import:\n%s", body)
			}
			if _, body, _ := f.do(access.PanelCoordinator, "GET", "/identify/import", nil); strings.Contains(body, loc) {
				t.Fatal("another user is shown the analyst's import")
			}
			var audited bool
			_ = f.db.View(context.Background(), func(tx *store.Tx) error {
				evs, err := tx.AuditEvents(context.Background(), store.AuditFilter{Actions: []string{"import.incidents"}})
				for _, e := range evs {
					audited = audited || (e.ActorID != 0 && e.ActorRole == string(access.Analyst) && e.Remote == "import-job")
				}
				return err
			})
			if !audited {
				t.Fatal("the job's import is not audited in the analyst's name")
			}
		})
	}
}
