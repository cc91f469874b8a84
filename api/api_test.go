package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

var now = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// server is the shared fixture: the full server over real HTTP, with two
// sites, a case manager at each ("cm" at A, "other" at B), and an active
// case at site A allocated to cm. Each user has an API token.
type server struct {
	t       *testing.T
	srv     *web.Server
	url     string
	tokens  map[string]string
	userIDs map[string]int64
	caseID  int64
}

func newServer(t *testing.T, e storetest.Engine) *server {
	t.Helper()
	ctx := context.Background()
	db := e.Open(t, storetest.FixedClock(now))
	s := &server{t: t, tokens: map[string]string{}, userIDs: map[string]int64{}}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		org := &account.Organisation{Name: "Drive provider", Kind: account.Provider}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		sites := map[string]int64{}
		for _, code := range []string{"AAA", "BBB"} {
			st := &account.Site{Code: code, Name: "Site " + code, Region: "R"}
			if err := tx.CreateSite(ctx, st); err != nil {
				return err
			}
			if err := tx.SeedProgrammes(ctx, st.ID); err != nil {
				return err
			}
			sites[code] = st.ID
		}
		for name, site := range map[string]int64{"cm": sites["AAA"], "other": sites["BBB"]} {
			u := &account.User{Username: "user." + name, DisplayName: "User " + name, OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X",
				Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: site}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			tok, hash, err := auth.NewToken(strings.NewReader(strings.Repeat(name, 64)), auth.APITokenPrefix)
			if err != nil {
				return err
			}
			if err := tx.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, TokenHash: hash, ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
			s.tokens[name], s.userIDs[name] = tok, u.ID
		}
		p := &people.Person{SiteID: sites["AAA"], GivenName: "Darren", FamilyName: "Hollis"}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		c := &casework.Case{SiteID: sites["AAA"], PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.DateOf(now),
			Summary: "Repeat MARAC", Evidence: programme.Evidence{DASHScore: 16}}
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		at := tx.Now
		c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed", s.userIDs["cm"], &at
		c.CaseManagerID, c.AllocatedAt, c.StartedAt = s.userIDs["cm"], &at, &at
		s.caseID = c.ID
		return tx.UpdateCase(ctx, c)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.srv, err = web.New(web.Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}, Version: "1.2.3-test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.srv)
	t.Cleanup(ts.Close)
	s.url = ts.URL
	return s
}

// response is an answer from the API.
type response struct {
	status int
	ctype  string
	body   []byte
}

// call sends a request under /api/v1 as user ("" sends no token).
func (s *server) call(t *testing.T, user, method, path, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, s.url+"/api/v1"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+s.tokens[user])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header.Get("Content-Type"), raw}
}

// decode reads a JSON answer of the given status into v.
func (r response) decode(t *testing.T, status int, v any) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d %s; want %d", r.status, r.body, status)
	}
	if r.ctype != "application/json" {
		t.Errorf("Content-Type %q; want application/json", r.ctype)
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
}

// TestAPI runs the API's tests on both engines against one server each.
func TestAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s := newServer(t, e)
			t.Run("version", func(t *testing.T) { testVersion(t, s, e.Name) })
			t.Run("openapi", func(t *testing.T) { testOpenAPI(t, s) })
			t.Run("errors", func(t *testing.T) { testErrors(t, s) })
			t.Run("case and notes", func(t *testing.T) { testCaseAndNotes(t, s) })
			t.Run("another site", func(t *testing.T) { testOtherSite(t, s) })
		})
	}
}

func testVersion(t *testing.T, s *server, engine string) {
	// Public: an integration checks what it talks to before it has a token.
	var v api.Version
	s.call(t, "", "GET", "/version", "").decode(t, http.StatusOK, &v)
	if v.Version != "1.2.3-test" || v.Engine != engine {
		t.Errorf("version = %+v; want 1.2.3-test on %s", v, engine)
	}
}

// testOpenAPI: the document served is the embedded one, valid JSON, and
// documents exactly the operations the route list serves, each with its
// path parameters; every reference resolves, and the schemas name the
// same fields as the types the handlers write and read.
func testOpenAPI(t *testing.T, s *server) {
	r := s.call(t, "", "GET", "/openapi.json", "")
	if r.status != http.StatusOK || r.ctype != "application/json" || !bytes.Equal(r.body, api.OpenAPIDocument()) {
		t.Fatalf("GET /api/v1/openapi.json: %d %q, %d bytes; want the embedded document", r.status, r.ctype, len(r.body))
	}
	var raw any
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	var doc struct {
		OpenAPI string `json:"openapi"`
		Paths   map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q; want 3.1.0", doc.OpenAPI)
	}

	pathParam := regexp.MustCompile(`\{([a-z_]+)\}`)
	var documented []string
	ids := map[string]string{}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			what := strings.ToUpper(method) + " " + path
			documented = append(documented, strings.ToUpper(method)+" /api/v1"+path)
			if op.OperationID == "" || len(op.Responses) == 0 {
				t.Errorf("%s: needs an operationId and responses", what)
			}
			if prev, dup := ids[op.OperationID]; dup {
				t.Errorf("%s and %s share operationId %q", prev, what, op.OperationID)
			}
			ids[op.OperationID] = what
			var declared []string
			for _, p := range op.Parameters {
				if p.In == "path" {
					declared = append(declared, p.Name)
				}
			}
			var inPath []string
			for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
				inPath = append(inPath, m[1])
			}
			sort.Strings(declared)
			sort.Strings(inPath)
			if strings.Join(declared, ",") != strings.Join(inPath, ",") {
				t.Errorf("%s: path parameters declared %v; the path has %v", what, declared, inPath)
			}
		}
	}
	served := s.srv.APIRoutes()
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Errorf("OpenAPI document and route list differ:\ndocumented:\n  %s\nserved:\n  %s",
			strings.Join(documented, "\n  "), strings.Join(served, "\n  "))
	}

	// Every $ref points at something in the document.
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if ref, ok := x.(string); k == "$ref" && ok {
					if !resolves(raw, ref) {
						t.Errorf("$ref %q resolves to nothing", ref)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(raw)

	// The schemas and the Go types agree on field names.
	for schema, v := range map[string]any{
		"Version": api.Version{}, "Error": api.ErrorBody{}, "CaseSummary": api.CaseSummary{}, "CaseList": api.CaseList{},
		"Evidence": api.Evidence{}, "Referral": api.ReferralBody{}, "ReferralResult": api.ReferralResult{},
		"Transition": api.TransitionBody{}, "Action": api.ActionBody{}, "ActionUpdate": api.ActionUpdate{}, "Note": api.NoteBody{},
		"Contact": api.ContactBody{}, "Review": api.ReviewBody{}, "VictimSummary": api.VictimSummary{}, "Victim": api.VictimBody{},
		"PoliceHistory": api.PoliceHistoryBody{}, "HistoryIncident": api.HistoryIncident{}, "HistoryHearing": api.HistoryHearing{},
		"HistoryQuarter": api.HistoryQuarter{}, "HistoryScore": api.HistoryScore{}, "Escalation": api.EscalationBody{}, "EscalationPeriod": api.EscalationPeriod{},
	} {
		sc, ok := doc.Components.Schemas[schema]
		if !ok {
			t.Errorf("schema %s is missing", schema)
			continue
		}
		var props []string
		for p := range sc.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		if got, want := strings.Join(props, " "), strings.Join(jsonFields(reflect.TypeOf(v)), " "); got != want {
			t.Errorf("schema %s has properties\n  %s\nthe handlers' type has\n  %s", schema, got, want)
		}
	}
}

// resolves reports whether a local reference ("#/components/...") names
// a member of doc.
func resolves(doc any, ref string) bool {
	path, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	cur := doc
	for _, part := range strings.Split(path, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// jsonFields lists the JSON member names of a struct type, sorted,
// including those of embedded structs.
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// errorOf reads an error answer: its status and the one shape every JSON
// error has, with nothing else in it.
func errorOf(t *testing.T, r response, status int) api.ErrorDetail {
	t.Helper()
	var b api.ErrorBody
	r.decode(t, status, &b)
	if b.Error.Code == "" || b.Error.Message == "" {
		t.Errorf("error body %s: want a code and a message", r.body)
	}
	return b.Error
}

func testErrors(t *testing.T, s *server) {
	id := strconv.FormatInt(s.caseID, 10)

	// 401: no token, a token that is not one, and a wrong scheme.
	for _, h := range []string{"", "Bearer drv_t_nonsense", "Basic dXNlcjpwYXNz"} {
		req, _ := http.NewRequest("GET", s.url+"/api/v1/cases/"+id, nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		e := errorOf(t, response{resp.StatusCode, resp.Header.Get("Content-Type"), raw}, http.StatusUnauthorized)
		if e.Code != drive.EUNAUTHORIZED || len(e.Fields) != 0 || strings.Contains(string(raw), "Darren") {
			t.Errorf("Authorization %q: %s", h, raw)
		}
	}

	// 404: an unknown path, an id that is not a number, a missing case.
	var bodies []string
	for _, path := range []string{"/no-such-thing", "/cases/abc", "/cases/987654", "/cases/987654/notes"} {
		r := s.call(t, "cm", "GET", path, "")
		if e := errorOf(t, r, http.StatusNotFound); e.Code != drive.ENOTFOUND || e.Message != "Not found" || e.Fields != nil {
			t.Errorf("GET %s: %s", path, r.body)
		}
		bodies = append(bodies, string(r.body))
	}
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Errorf("not-found bodies differ: %q and %q", bodies[0], b)
		}
	}

	// 422: what is wrong is named by field; the request text is not echoed.
	for _, c := range []struct{ body, field string }{
		{`{"text":"   "}`, "text"},
		{`{"text":"a note","colour":"red"}`, ""},
		{`{"text":`, ""},
		{`{"text":42}`, ""},
	} {
		r := s.call(t, "cm", "POST", "/cases/"+id+"/notes", c.body)
		e := errorOf(t, r, http.StatusUnprocessableEntity)
		if e.Code != drive.EINVALID || (c.field != "" && e.Fields[c.field] == "") {
			t.Errorf("note %s: %s; want invalid naming %q", c.body, r.body, c.field)
		}
		if strings.Contains(string(r.body), "red") {
			t.Errorf("note %s: the answer echoes the request: %s", c.body, r.body)
		}
	}
	var notes []api.NoteBody
	s.call(t, "cm", "GET", "/cases/"+id+"/notes", "").decode(t, http.StatusOK, &notes)
	for _, n := range notes {
		if n.Text == "a note" {
			t.Errorf("a refused note was stored: %+v", n)
		}
	}
}

// testCaseAndNotes: the case manager reads the case, writes a note and
// reads it back.
func testCaseAndNotes(t *testing.T, s *server) {
	id := strconv.FormatInt(s.caseID, 10)
	var c api.CaseBody
	s.call(t, "cm", "GET", "/cases/"+id, "").decode(t, http.StatusOK, &c)
	if c.ID != s.caseID || c.State != string(casework.Active) || c.PersonName == "" || c.Person.GivenName != "Darren" ||
		c.CaseManagerID != s.userIDs["cm"] || c.Evidence.DASHScore == nil || *c.Evidence.DASHScore != 16 {
		t.Errorf("case = %+v", c)
	}
	if len(c.Transitions) == 0 {
		t.Errorf("case manager on an active case: no allowed events")
	}

	var before []api.NoteBody
	s.call(t, "cm", "GET", "/cases/"+id+"/notes", "").decode(t, http.StatusOK, &before)
	var n api.NoteBody
	s.call(t, "cm", "POST", "/cases/"+id+"/notes", `{"text":"  Attended the first session.  "}`).decode(t, http.StatusCreated, &n)
	if n.ID == 0 || n.Text != "Attended the first session." || n.CreatedBy != s.userIDs["cm"] || n.CreatedAt != now.Format(time.RFC3339) {
		t.Errorf("new note = %+v", n)
	}
	var after []api.NoteBody
	s.call(t, "cm", "GET", "/cases/"+id+"/notes", "").decode(t, http.StatusOK, &after)
	if len(after) != len(before)+1 || after[len(after)-1] != n {
		t.Errorf("notes after writing %+v:\n%+v", n, after)
	}

	// A correction points at the note it amends.
	var fix api.NoteBody
	s.call(t, "cm", "POST", "/cases/"+id+"/notes", `{"text":"Attended the first session late.","amends":`+strconv.FormatInt(n.ID, 10)+`}`).
		decode(t, http.StatusCreated, &fix)
	if fix.Amends != n.ID || fix.ID == n.ID {
		t.Errorf("correction = %+v; want it to amend %d", fix, n.ID)
	}
}

// testOtherSite: another site's case manager gets, for the case and its
// notes, exactly the answer a missing case gets, and writes nothing.
func testOtherSite(t *testing.T, s *server) {
	id := strconv.FormatInt(s.caseID, 10)
	var before []api.NoteBody
	s.call(t, "cm", "GET", "/cases/"+id+"/notes", "").decode(t, http.StatusOK, &before)
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/cases/%s", ""},
		{"GET", "/cases/%s/notes", ""},
		{"GET", "/cases/%s/actions", ""},
		{"POST", "/cases/%s/notes", `{"text":"Written from another site"}`},
	} {
		hidden := s.call(t, "other", c.method, strings.Replace(c.path, "%s", id, 1), c.body)
		missing := s.call(t, "other", c.method, strings.Replace(c.path, "%s", "987654", 1), c.body)
		errorOf(t, hidden, http.StatusNotFound)
		if hidden.status != missing.status || !bytes.Equal(hidden.body, missing.body) || hidden.ctype != missing.ctype {
			t.Errorf("%s %s: another site's case answers %d %s; a missing one %d %s", c.method, c.path, hidden.status, hidden.body, missing.status, missing.body)
		}
	}
	var after []api.NoteBody
	s.call(t, "cm", "GET", "/cases/"+id+"/notes", "").decode(t, http.StatusOK, &after)
	if len(after) != len(before) {
		t.Errorf("a refused note was stored: %+v", after)
	}
}

// TestWriteError holds the renderer of JSON errors to its documented
// shape, without a server: fields appear only when there are some.
func TestWriteError(t *testing.T) {
	for _, c := range []struct {
		fields map[string]string
		want   string
	}{
		{nil, `{"error":{"code":"not_found","message":"Not found"}}` + "\n"},
		{map[string]string{"text": "Write the note"}, `{"error":{"code":"invalid","message":"Check the note","fields":{"text":"Write the note"}}}` + "\n"},
	} {
		rec := httptest.NewRecorder()
		code, msg := "not_found", "Not found"
		if c.fields != nil {
			code, msg = "invalid", "Check the note"
		}
		api.WriteError(rec, 422, code, msg, c.fields)
		if rec.Code != 422 || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != c.want {
			t.Errorf("WriteError: %d %q %s; want %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String(), c.want)
		}
	}
}
