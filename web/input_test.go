package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// inputFixture is a site with a signed-in user of every role that can
// be held at a site, a session half-way through enrolment and an API
// token, for walking the route list with bad input.
type inputFixture struct {
	*siteFixture
	apiToken string
}

const (
	inputEnrolToken = "drv_s_enrolling"
	inputAPIToken   = "drv_a_input_test"
	inputFeedToken  = "drv_f_input_test"
)

func newInputFixture(t *testing.T, e storetest.Engine) *inputFixture {
	t.Helper()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var roles []access.Role
	for _, r := range access.Roles() {
		if r.CheckScope(false) == nil {
			roles = append(roles, r)
		}
	}
	f := newSiteFixture(t, e, now, roles, func(ctx context.Context, tx *store.Tx, site account.Site) error {
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		u := users[0]
		if err := tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(inputEnrolToken), UserID: u.ID, Stage: account.StageEnrol,
			CSRF: "c", Remote: "t", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), ReauthAt: now}); err != nil {
			return err
		}
		if _, err := tx.CreateFeed(ctx, site.ID, "Input feed", auth.HashToken(inputFeedToken), 24*time.Hour); err != nil {
			return err
		}
		return tx.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, TokenHash: auth.HashToken(inputAPIToken), ExpiresAt: now.Add(time.Hour)})
	})
	// An upload limit small enough to exceed cheaply; the message is
	// built from whatever the limit is.
	f.srv.uploadLimit = 64 << 10
	return &inputFixture{siteFixture: f, apiToken: inputAPIToken}
}

// sessionFor returns the session token of a role that reaches rt (holds
// its need), "" for a public route, and ok=false (with some site role's
// token) when no site role does.
func (f *inputFixture) sessionFor(rt route) (string, bool) {
	switch rt.gate {
	case public:
		return "", true
	case enrolling:
		return inputEnrolToken, true
	}
	for _, role := range access.Roles() {
		tok, ok := f.tokens[role]
		if !ok {
			continue
		}
		u := &account.User{Roles: []account.RoleAssignment{{Role: role, SiteID: f.site.ID}}}
		if rt.need == none || holds(subjectOf(u), rt.need) {
			return tok, true
		}
	}
	// A route only national roles reach (evaluation) is tried signed in
	// as a site user, to whom it does not exist.
	for _, role := range access.Roles() {
		if tok, ok := f.tokens[role]; ok {
			return tok, false
		}
	}
	return "", false
}

// badInput is one kind of bad input, applied to a route.
type badInput struct {
	name string
	// form is the urlencoded form or query, JSON the API body; either
	// may be empty for a case that does not apply to that kind.
	form, json string
	// status is what a route that reaches the edge checks must answer;
	// message is a part of the answer's body.
	status  int
	message string
}

func badInputs() []badInput {
	big := strings.Repeat("a", formLimit)
	return []badInput{
		{name: "NUL", form: "given_name=a%00b", json: `{"zzz":{"nested":["fine","a\u0000b"]}}`, status: 422,
			message: "contains a character that cannot be stored: remove it and try again"},
		{name: "invalid UTF-8", form: "given_name=%FF%FEx", json: "{\"summary\":\"a\xff\xfeb\"}", status: 422,
			message: "contains a character that cannot be stored: remove it and try again"},
		{name: "NUL in a field name", form: "a%00b=x", json: `{"a\u0000b":"x"}`, status: 422,
			message: "A field name contains a character that cannot be stored"},
		{name: "oversized", form: "summary=" + big, json: `{"summary":"` + big + `"}`, status: 413, message: "is larger than 1 MB"},
	}
}

// TestBadInputEveryRoute walks every route in the route list with each
// kind of bad input, as a user the route exists for (or signed out for
// public routes): form posts and API bodies, and the query of every
// other route. Nothing may answer 5xx; every page and API route must
// refuse the input at the edge with 422 or 413 and a message that says
// what to do without repeating the bytes. Refusing must change nothing:
// the audit log holds no new event after the walk but the refusals of
// routes a user does not hold.
func TestBadInputEveryRoute(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testBadInputEveryRoute(t, e) })
	}
}

func testBadInputEveryRoute(t *testing.T, e storetest.Engine) {
	f := newInputFixture(t, e)
	before := f.auditCount()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	checked := 0
	for _, rt := range f.srv.routes {
		path := strings.NewReplacer("{$}", "", "{id}", "1", "{form}", "notes", "{action}", "1", "{org}", "x").Replace(rt.path)
		method := rt.method
		if method == "" {
			method = "GET"
			path += "no-such-page"
		}
		session, reachable := f.sessionFor(rt)
		for _, in := range badInputs() {
			var req *http.Request
			switch {
			case rt.kind == apiRoute && method == "POST":
				req, _ = http.NewRequest(method, f.url+path, strings.NewReader(in.json))
				req.Header.Set("Content-Type", "application/json")
			case rt.kind == pageRoute && method == "POST":
				req, _ = http.NewRequest(method, f.url+path, strings.NewReader("csrf_token=c&"+in.form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			case in.status == 413:
				continue // a GET has no body to be too large
			default:
				req, _ = http.NewRequest(method, f.url+path+"?"+in.form, nil)
			}
			if rt.gate == feedOnly {
				req.Header.Set("Authorization", "Bearer "+inputFeedToken)
			} else if rt.kind == apiRoute {
				req.Header.Set("Authorization", "Bearer "+f.apiToken)
			} else if session != "" {
				req.Header.Set("Cookie", "drive_session="+session)
			}
			status, body := do(t, client, req)
			where := method + " " + path + " with " + in.name
			if status >= 500 {
				t.Errorf("%s: status %d", where, status)
			}
			checked++
			if rt.kind != pageRoute && rt.kind != apiRoute {
				continue // probes and assets read no input
			}
			if !reachable {
				if status != http.StatusNotFound {
					t.Errorf("%s: no site role holds the route's need, so want 404, got %d", where, status)
				}
				continue
			}
			if in.status == 413 && rt.documentUploadRoute() {
				// A document may be 10 MB: TestDocuments sends one over
				// its limit.
				continue
			}
			message := in.message
			if in.status == 413 && rt.upload() {
				message = "The file is larger than 64 KB"
			}
			if rt.gate == feedOnly && method == "POST" && in.status == 422 {
				// A file may hold any bytes (a workbook, UTF-16): its
				// problems are the import job's. Sent without saying what
				// it holds, it is refused before it is read.
				message = "kind=incidents or kind=marac"
			}
			if status != in.status || !strings.Contains(body, message) {
				t.Errorf("%s: status %d, want %d with %q; body:\n%.300s", where, status, in.status, message, body)
			}
			if strings.ContainsAny(body, "\x00\ufffd") || strings.Contains(body, `\u0000`) {
				t.Errorf("%s: the answer repeats the bad bytes", where)
			}
		}
		// A path segment that is not text names nothing.
		if strings.Contains(rt.path, "{id}") {
			bad := strings.NewReplacer("{id}", "%00", "{form}", "notes", "{action}", "1").Replace(rt.path)
			req, _ := http.NewRequest(method, f.url+bad, strings.NewReader("csrf_token=c"))
			req.Header.Set("Authorization", "Bearer "+f.apiToken)
			req.Header.Set("Cookie", "drive_session="+session)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if status, _ := do(t, client, req); status >= 500 {
				t.Errorf("%s %s: status %d", method, bad, status)
			}
			checked++
		}
	}
	if n := len(f.srv.routes) * 3; checked < n {
		t.Fatalf("only %d requests for %d routes", checked, len(f.srv.routes))
	}
	if after := f.auditCount(); after != before {
		t.Errorf("refused input changed the audit log: %d events before, %d after", before, after)
	}
	t.Logf("%d requests over %d routes", checked, len(f.srv.routes))
}

// TestOversizedUpload checks the upload route answers a file over its
// limit with the limit, not with the CSRF check's "This form has expired",
// however the form's fields are ordered.
func TestOversizedUpload(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newInputFixture(t, e)
			rt := route{method: "POST", path: "/identify/import", gate: enrolled, need: need{access.PoliceIntel, access.Write}}
			session, ok := f.sessionFor(rt)
			if !ok {
				t.Fatal("no role may upload")
			}
			for _, fileFirst := range []bool{false, true} {
				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				token := func() { _ = mw.WriteField("csrf_token", "c") }
				if !fileFirst {
					token()
				}
				fw, _ := mw.CreateFormFile("file", "extract.csv")
				_, _ = fw.Write(bytes.Repeat([]byte("ref,date\n"), int(f.srv.uploadLimit)/9+1))
				if fileFirst {
					token()
				}
				_ = mw.Close()
				req, _ := http.NewRequest("POST", f.url+"/identify/import", &body)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				req.Header.Set("Cookie", "drive_session="+session)
				status, out := do(t, http.DefaultClient, req)
				if status != http.StatusRequestEntityTooLarge || !strings.Contains(out, "The file is larger than 64 KB: split it and upload the parts") {
					t.Errorf("file first %v: status %d; body:\n%.300s", fileFirst, status, out)
				}
			}
		})
	}
}

// TestAuditSearchInput checks the audit search refuses a record type or
// number that cannot name a record, on the form, and still searches a
// good one.
func TestAuditSearchInput(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newInputFixture(t, e)
			for _, c := range []struct {
				query   string
				status  int
				message string
			}{
				{"record_type=Perpetrator+Case", 422, "Enter a record type such as case, person, victim or user"},
				{"record_type=case&record_id=10+42", 422, "Enter the record number as shown on the record, without spaces"},
				{"record_type=no_such_type&record_id=1", 200, "No events match"},
				{"record_type=case&record_id=1", 200, "No events match"},
			} {
				status, body, _ := f.do(access.DPO, "GET", "/audit?"+c.query, nil)
				if status != c.status || !strings.Contains(body, c.message) {
					t.Errorf("%s: status %d, want %d with %q", c.query, status, c.status, c.message)
				}
			}
		})
	}
}

func (f *inputFixture) auditCount() int {
	f.t.Helper()
	n := 0
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		evs, err := tx.AuditEvents(context.Background(), store.AuditFilter{Limit: 100000})
		for _, e := range evs {
			// A signed-in user refused a route they do not hold is
			// recorded, as every refusal is; that is not a change.
			if e.Action != audit.ActionAccessDenied {
				n++
			}
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func do(t *testing.T, client *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
