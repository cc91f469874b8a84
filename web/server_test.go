package web_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// syncBuffer is a log sink tests can read while the server writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	srv *web.Server
	ts  *httptest.Server
	log *syncBuffer
}

func newHarness(t *testing.T, e storetest.Engine) *harness {
	t.Helper()
	db := e.Open(t, storetest.FixedClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)))
	logs := &syncBuffer{}
	srv, err := web.New(web.Config{Service: &service.Service{DB: db}, Log: slog.New(slog.NewJSONHandler(logs, nil)), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.Replicated(t, srv))
	t.Cleanup(ts.Close)
	return &harness{srv: srv, ts: ts, log: logs}
}

func (h *harness) get(t *testing.T, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(h.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestServer(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			h := newHarness(t, e)
			t.Run("SecurityHeadersOnEveryResponse", func(t *testing.T) { testSecurityHeaders(t, h) })
			t.Run("NotFoundPageIsBranded", func(t *testing.T) { testNotFoundPage(t, h) })
			t.Run("APIErrorsAreJSON", func(t *testing.T) { testAPINotFound(t, h) })
			t.Run("Probes", func(t *testing.T) { testProbes(t, h) })
			t.Run("Metrics", func(t *testing.T) { testMetrics(t, h) })
			t.Run("SignInPage", func(t *testing.T) { testSignInPage(t, h) })
			t.Run("AssetsAreHashedAndCached", func(t *testing.T) { testAssets(t, h) })
		})
	}
}

func testSecurityHeaders(t *testing.T, h *harness) {
	for _, path := range []string{"/signin", "/no/such/page", "/api/v1/version", "/api/v1/nothing", "/healthz"} {
		resp, _ := h.get(t, path)
		hd := resp.Header
		csp := hd.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: Content-Security-Policy = %q", path, csp)
		}
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "no-referrer",
			"Cache-Control":          "no-store",
		} {
			if got := hd.Get(name); got != want {
				t.Errorf("%s: %s = %q; want %q", path, name, got, want)
			}
		}
	}
}

func testNotFoundPage(t *testing.T, h *harness) {
	resp, body := h.get(t, "/cases/123/no-such-thing")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status = %d; want 404", resp.StatusCode)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("content type = %q", resp.Header.Get("Content-Type"))
	}
	for _, want := range []string{"Page not found", "Drive", `class="govuk-template`} {
		if !strings.Contains(body, want) {
			t.Errorf("404 page lacks %q", want)
		}
	}
	if strings.Contains(body, "GDS Transport") || strings.Contains(strings.ToLower(body), "crown") {
		t.Error("404 page carries GOV.UK branding")
	}
}

func testAPINotFound(t *testing.T, h *harness) {
	resp, body := h.get(t, "/api/v1/no-such-resource/999")
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status = %d; want 404", resp.StatusCode)
	}
	var e api.ErrorBody
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("body %q is not JSON: %v", body, err)
	}
	if e.Error.Code != "not_found" || e.Error.Message == "" {
		t.Fatalf("error = %+v", e.Error)
	}
}

func testProbes(t *testing.T, h *harness) {
	if resp, body := h.get(t, "/healthz"); resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("healthz = %d %q", resp.StatusCode, body)
	}
	if resp, _ := h.get(t, "/readyz"); resp.StatusCode != 200 {
		t.Errorf("readyz = %d; want 200", resp.StatusCode)
	}
	resp, body := h.get(t, "/api/v1/version")
	var v api.Version
	if err := json.Unmarshal([]byte(body), &v); err != nil || resp.StatusCode != 200 || v.Version != "test" || v.Engine == "" {
		t.Errorf("version = %d %q", resp.StatusCode, body)
	}
}

func testMetrics(t *testing.T, h *harness) {
	h.get(t, "/signin")
	resp, body := h.get(t, "/metrics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("metrics = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(body, `drive_http_requests_total{route="GET /signin",method="GET",status="200"}`) {
		t.Errorf("metrics lack the sign-in counter:\n%s", body)
	}
	// Every sample line must be NAME{labels} VALUE or NAME VALUE.
	sample := regexp.MustCompile(`^[a-z_]+(\{(?:[a-z_]+="(?:[^"\\]|\\.)*",?)*\})? [0-9.e+-]+$`)
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		if !sample.MatchString(line) {
			t.Errorf("bad metrics line %q", line)
		}
	}
}

func testSignInPage(t *testing.T, h *harness) {
	resp, body := h.get(t, "/")
	if resp.Request.URL.Path != "/signin" {
		t.Fatalf("home redirected to %s; want /signin", resp.Request.URL.Path)
	}
	for _, want := range []string{`<label class="govuk-label" for="username">`, `autocomplete="current-password"`, `name="csrf_token"`} {
		if !strings.Contains(body, want) {
			t.Errorf("sign-in page lacks %q", want)
		}
	}
	// The CSP forbids inline script; check the page needs none.
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(body, -1) {
		if !strings.Contains(tag, " src=") {
			t.Errorf("inline script on the sign-in page: %s", tag)
		}
	}
	if strings.Contains(body, " style=") {
		t.Error("inline style attribute on the sign-in page (the CSP blocks it)")
	}
}

func testAssets(t *testing.T, h *harness) {
	_, body := h.get(t, "/signin")
	m := regexp.MustCompile(`href="(/assets/[^"]+\.css)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no stylesheet link on the page")
	}
	resp, css := h.get(t, m[1])
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Fatalf("stylesheet = %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	if strings.Contains(css, "GDS Transport") || strings.Contains(css, "@font-face") {
		t.Error("stylesheet loads the GOV.UK font")
	}
	if resp, _ := h.get(t, "/assets/drive.css"); resp.StatusCode != 404 {
		t.Errorf("unhashed asset name answered %d; want 404", resp.StatusCode)
	}
}

// TestInternalErrorHidesCause forces a handler failure and checks the user
// gets a branded 500 with a reference and no internals, while the log
// keeps the cause.
func TestInternalErrorHidesCause(t *testing.T) {
	db := storetest.OpenSQLite(t, nil)
	logs := &syncBuffer{}
	srv, err := web.New(web.Config{Service: &service.Service{DB: db}, Log: slog.New(slog.NewJSONHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	const secret = "pq: relation victim_addresses does not exist at 14 Acacia Road"
	for _, k := range []string{"page", "api"} {
		h := srv.Failing(k, errors.New(secret))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
		body := rec.Body.String()
		if rec.Code != 500 {
			t.Fatalf("%s: status = %d; want 500", k, rec.Code)
		}
		if strings.Contains(body, "victim_addresses") || strings.Contains(body, "Acacia") {
			t.Fatalf("%s: response leaks the cause: %s", k, body)
		}
		if !strings.Contains(logs.String(), "victim_addresses") {
			t.Fatalf("%s: the log lacks the cause: %s", k, logs.String())
		}
		if k == "page" && !strings.Contains(body, "Sorry, there is a problem with the service") {
			t.Fatalf("500 page body = %s", body)
		}
		if k == "api" && !strings.Contains(body, `"code":"internal"`) {
			t.Fatalf("500 JSON body = %s", body)
		}
	}
	// A panic is an internal error too.
	h := srv.Failing("page", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "deliberate") {
		t.Fatalf("panic: status %d body %s", rec.Code, rec.Body.String())
	}
}

// TestReadyzFailsWithoutDatabase checks a replica that lost its database
// reports not ready.
func TestReadyzFailsWithoutDatabase(t *testing.T) {
	db := storetest.OpenSQLite(t, nil)
	srv, err := web.New(web.Config{Service: &service.Service{DB: db}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz with closed database = %d; want 503", rec.Code)
	}
	if body := rec.Body.String(); !strings.Contains(body, "the database is not answering") {
		t.Errorf("readyz with closed database says %q; want it to say the database is not answering", body)
	}
}

// TestOpenAPIMatchesRoutes holds the OpenAPI document and the route list
// to each other, in both directions.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	db := storetest.OpenSQLite(t, nil)
	srv, err := web.New(web.Config{Service: &service.Service{DB: db}})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q; want 3.1.0", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if method == "parameters" {
				continue
			}
			var o struct {
				OperationID string         `json:"operationId"`
				Responses   map[string]any `json:"responses"`
			}
			if err := json.Unmarshal(op, &o); err != nil || o.OperationID == "" || len(o.Responses) == 0 {
				t.Errorf("%s %s: needs an operationId and responses", method, path)
			}
			documented = append(documented, strings.ToUpper(method)+" /api/v1"+path)
		}
	}
	served := srv.APIRoutes()
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Fatalf("OpenAPI document and routes differ:\ndocumented:\n  %s\nserved:\n  %s", strings.Join(documented, "\n  "), strings.Join(served, "\n  "))
	}
}
