package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// lockedBuffer is a log sink the test reads after the server writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// probedServer is a server on a SQLite database logging into a buffer,
// with the error log's stopwatch under the test's control.
func probedServer(t *testing.T) (*Server, *lockedBuffer, func(time.Duration), func() error) {
	t.Helper()
	db := storetest.OpenSQLite(t, storetest.FixedClock(time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)))
	logs := &lockedBuffer{}
	srv, err := New(Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams()}, Log: slog.New(slog.NewJSONHandler(logs, nil)), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	srv.errlog.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return at }
	move := func(d time.Duration) { mu.Lock(); at = at.Add(d); mu.Unlock() }
	return srv, logs, move, db.Close
}

func serve(srv *Server, ctx context.Context, path string) int {
	req := httptest.NewRequest("GET", path, nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec.Code
}

// TestRepeatedErrorsLoggedOncePerWindow: with the database gone, every
// readiness probe fails the same way; the log has one error line for the
// first, none for the next 49 within the window, and after the window one
// line saying how many identical errors it left out. Every request is
// still counted in the metrics.
func TestRepeatedErrorsLoggedOncePerWindow(t *testing.T) {
	srv, logs, move, closeDB := probedServer(t)
	if err := closeDB(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		if code := serve(srv, context.Background(), "/readyz"); code != 503 {
			t.Fatalf("readyz with the database gone = %d; want 503", code)
		}
		move(100 * time.Millisecond)
	}
	if n := strings.Count(logs.String(), `"msg":"request failed"`); n != 1 {
		t.Fatalf("50 identical failures within the window logged %d error lines; want 1:\n%s", n, logs.String())
	}
	move(errorLogWindow)
	serve(srv, context.Background(), "/readyz")
	if n := strings.Count(logs.String(), `"msg":"request failed"`); n != 2 {
		t.Fatalf("after the window, %d error lines; want 2", n)
	}
	if !strings.Contains(logs.String(), `"identical_errors_not_logged":49`) {
		t.Errorf("the second error line does not count the 49 left out:\n%s", logs.String())
	}
	metrics := serveBody(t, srv, "/metrics")
	if !strings.Contains(metrics, `drive_http_requests_total{route="GET /readyz",method="GET",status="503"} 51`) {
		t.Errorf("metrics do not count the 51 failures:\n%s", metrics)
	}
}

// TestClientHangUpIsNotAServerError: a request whose client has gone
// (its context cancelled) fails inside the service, and is recorded as
// status 499 in the metrics (and the request log of pages), never logged
// as a server error.
func TestClientHangUpIsNotAServerError(t *testing.T) {
	srv, logs, _, _ := probedServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	serve(srv, ctx, "/readyz")
	if strings.Contains(logs.String(), `"level":"ERROR"`) {
		t.Errorf("a client hanging up was logged as an error:\n%s", logs.String())
	}
	metrics := serveBody(t, srv, "/metrics")
	if !strings.Contains(metrics, `drive_http_requests_total{route="GET /readyz",method="GET",status="499"} 1`) {
		t.Errorf("metrics do not count the hang-up as 499:\n%s", metrics)
	}
	if strings.Contains(metrics, `status="503"`) {
		t.Errorf("metrics count the hang-up as a server error:\n%s", metrics)
	}
	// The histogram reaches past ten seconds.
	for _, le := range []string{`le="10"`, `le="30"`, `le="60"`, `le="120"`} {
		if !strings.Contains(metrics, `drive_http_request_duration_seconds_bucket{route="GET /readyz",`+le+`} 1`) {
			t.Errorf("no %s bucket for the probe:\n%s", le, metrics)
		}
	}
}

func serveBody(t *testing.T, srv *Server, path string) string {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("%s = %d", path, rec.Code)
	}
	return rec.Body.String()
}

// TestMetricsGuarded: with a metrics token, /metrics answers 401 without
// it or with another, and the figures with it; served elsewhere, the
// service's own address answers 404 and the metrics handler serves them.
func TestMetricsGuarded(t *testing.T) {
	srv, _, _, _ := probedServer(t)
	get := func(h http.Handler, auth string) (int, string) {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, _ := get(srv, ""); code != 200 {
		t.Fatalf("no token configured: %d", code)
	}
	srv.cfg.MetricsToken = "metrics-secret-1"
	for _, auth := range []string{"", "Bearer wrong", "metrics-secret-1"} {
		if code, _ := get(srv, auth); code != 401 {
			t.Errorf("authorization %q: %d, want 401", auth, code)
		}
	}
	if code, body := get(srv, "Bearer metrics-secret-1"); code != 200 || !strings.Contains(body, "drive_http_requests_total") {
		t.Errorf("with the token: %d", code)
	}
	srv.cfg.MetricsElsewhere = true
	if code, _ := get(srv, "Bearer metrics-secret-1"); code != 404 {
		t.Errorf("on the service's address when served elsewhere: %d, want 404", code)
	}
	if code, body := get(srv.MetricsHandler(), "Bearer metrics-secret-1"); code != 200 || !strings.Contains(body, "drive_http_requests_total") {
		t.Errorf("on the metrics address: %d", code)
	}
	if code, _ := get(srv.MetricsHandler(), ""); code != 401 {
		t.Errorf("on the metrics address without the token: %d", code)
	}
}

// TestMetricsMemory: /metrics says how much memory the Go runtime holds,
// so that an operator can tell it from the rest of the resident size, and
// the soft memory limit while one is set (as a large import sets one).
func TestMetricsMemory(t *testing.T) {
	srv, _, _, _ := probedServer(t)
	metrics := serveBody(t, srv, "/metrics")
	var held int64
	for line := range strings.Lines(metrics) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "drive_go_memory_bytes "); ok {
			held, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	if held <= 0 {
		t.Errorf("no drive_go_memory_bytes above 0:\n%s", metrics)
	}
	before := debug.SetMemoryLimit(1 << 40)
	defer debug.SetMemoryLimit(before)
	if metrics := serveBody(t, srv, "/metrics"); !strings.Contains(metrics, "drive_go_memory_limit_bytes 1099511627776\n") {
		t.Errorf("the limit set is not shown:\n%s", metrics)
	}
}
