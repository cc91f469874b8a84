package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/document"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// upload posts the document form as name, with a file.
func (w *wall) upload(t *testing.T, name, path, title, fileName string, file []byte) (int, string, http.Header) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", w.users[name].csrf)
	_ = mw.WriteField("title", title)
	if file != nil {
		fw, _ := mw.CreateFormFile("file", fileName)
		_, _ = fw.Write(file)
	}
	_ = mw.Close()
	req, _ := http.NewRequest("POST", w.ts.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Cookie", "drive_session="+w.users[name].session)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestDocuments attaches documents to his case and to hers over HTTP:
// files are taken by what their bytes are, bad ones refused with nothing
// kept, downloads come back byte for byte as attachments that are never
// shown in the page, and are audited; her documents are her IDVA
// service's alone, and a document is reached only through its own case.
func TestDocuments(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			cp := "/cases/" + strconv.FormatInt(w.caseID, 10)
			vp := "/victims/" + strconv.FormatInt(w.victimID, 10)
			if _, body := w.get(t, "cal.manager", cp); !strings.Contains(body, `href="`+cp+`/documents"`) {
				t.Fatal("the case page does not link to its documents")
			}
			order := []byte("%PDF-1.7\nDOC-ORDER-TEXT\n%%EOF")
			for _, bad := range []struct {
				title, name string
				file        []byte
				field       string
			}{
				{"Order", "order.pdf", []byte("<html><script>alert(1)</script></html>"), "is not a PDF, PNG, JPEG or Word"},
				{"Order", "order.pdf", nil, "The file is empty"},
				{"", "order.pdf", order, "Enter a title"},
				{"Order", "big.pdf", append([]byte("%PDF-"), make([]byte, document.MaxSize)...), "larger than 10 MB"},
			} {
				status, body, _ := w.upload(t, "cal.manager", cp+"/documents", bad.title, bad.name, bad.file)
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, bad.field) || !strings.Contains(body, "No documents attached") {
					t.Errorf("%q %q: %d", bad.title, bad.name, status)
				}
			}
			if status, _, _ := w.upload(t, "cal.manager", cp+"/documents", "Order", "huge.pdf", make([]byte, document.MaxSize+2<<20)); status != http.StatusRequestEntityTooLarge {
				t.Errorf("a body over the limit: %d", status)
			}
			status, body, h := w.upload(t, "cal.manager", cp+"/documents", "Non-molestation order", `C:\scans\order "final".pdf`, order)
			if status != http.StatusSeeOther || h.Get("Location") != cp+"/documents?done=document" {
				t.Fatalf("attaching: %d %v\n%s", status, h, body)
			}
			letter := append([]byte("\x89PNG\r\n\x1a\n"), []byte("CANARY-NOTE-TEXT letter from Canary Refuge House")...)
			if status, body, _ := w.upload(t, "ida.idva", vp+"/documents", "Letter from the refuge", "letter.png", letter); status != http.StatusSeeOther {
				t.Fatalf("her IDVA attaching: %d\n%s", status, body)
			}
			_, page := w.get(t, "cal.manager", cp+"/documents?done=document")
			m := regexp.MustCompile(`href="` + regexp.QuoteMeta(cp) + `/documents/(\d+)"`).FindStringSubmatch(page)
			if m == nil || !strings.Contains(page, "Document attached") || !strings.Contains(page, "Non-molestation order") || !strings.Contains(page, "order__final.pdf") {
				t.Fatalf("his documents page:\n%s", page)
			}
			hisDoc := m[1]
			_, herPage := w.get(t, "ida.idva", vp+"/documents")
			m = regexp.MustCompile(`href="` + regexp.QuoteMeta(vp) + `/documents/(\d+)"`).FindStringSubmatch(herPage)
			if m == nil {
				t.Fatalf("her documents page:\n%s", herPage)
			}
			herDoc := m[1]

			status, got, h := w.send(t, "cal.manager", "GET", cp+"/documents/"+hisDoc, nil)
			if status != 200 || got != string(order) || h.Get("Content-Type") != "application/pdf" || h.Get("X-Content-Type-Options") != "nosniff" ||
				h.Get("Content-Disposition") != `attachment; filename="order__final.pdf"` || h.Get("Cache-Control") != "no-store" {
				t.Errorf("his document: %d %v %q", status, h, got)
			}
			if status, got, h := w.send(t, "ida.idva", "GET", vp+"/documents/"+herDoc, nil); status != 200 || got != string(letter) || h.Get("Content-Type") != "image/png" {
				t.Errorf("her document: %d %v", status, h)
			}
			// A document is reached through its own case only.
			for who, path := range map[string]string{"ida.idva": vp + "/documents/" + hisDoc, "cal.manager": cp + "/documents/" + herDoc} {
				if status, body, _ := w.send(t, who, "GET", path, nil); status != http.StatusNotFound || len(leaked(body)) > 0 {
					t.Errorf("%s: %s answered %d", who, path, status)
				}
			}
			// Her documents are the victim side's alone.
			for name := range w.users {
				for _, path := range []string{vp + "/documents", vp + "/documents/" + herDoc, cp + "/documents"} {
					status, body, _ := w.send(t, name, "GET", path, nil)
					victimSide := name == "ida.idva" || name == "ivy.otheridva" || name == "tia.idvalead"
					if strings.HasPrefix(path, vp) && !victimSide && status != http.StatusNotFound {
						t.Errorf("%s: %s answered %d", name, path, status)
					}
					if !victimSide && len(leaked(body)) > 0 {
						t.Errorf("%s: %s shows %v", name, path, leaked(body))
					}
				}
				if status, _, _ := w.upload(t, name, vp+"/documents", "x", "x.pdf", order); status == http.StatusSeeOther && name != "ida.idva" && name != "ivy.otheridva" && name != "tia.idvalead" {
					t.Errorf("%s attached a document to her case", name)
				}
			}
			attached, downloaded := 0, 0
			for _, ev := range w.events(t, "cal.manager") {
				// Attaching changes the case, naming the document, never its title.
				attached += b2i(ev.Action == "record.write" && ev.RecordType == "case" && ev.RecordID == strconv.FormatInt(w.caseID, 10) &&
					ev.Reason == "document "+hisDoc+" attached; "+audit.Part(audit.PartDocument))
				downloaded += b2i(ev.Action == "record.export" && ev.RecordType == "document" && ev.RecordID == hisDoc)
			}
			if attached != 1 || downloaded != 1 {
				t.Errorf("audit: %d attached, %d downloaded", attached, downloaded)
			}
			// At rest the file is sealed.
			id, _ := strconv.ParseInt(hisDoc, 10, 64)
			if err := w.db.View(context.Background(), func(tx *store.Tx) error {
				v, err := tx.DocumentFile(context.Background(), id)
				if err == nil && (len(v.Data) == 0 || bytes.Contains(v.Data, []byte("DOC-ORDER-TEXT"))) {
					t.Error("his document is not sealed at rest")
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
