package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/jobs"
	"github.com/drive-platform/drive/service"
)

// durationBuckets are the histogram's upper bounds in seconds. They reach
// past 10 s, where a proxy or a client usually gives up, so requests that
// slow show as what they are rather than all in +Inf.
var durationBuckets = [...]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120}

type seriesKey struct {
	route, method string
	status        int
}

type histogram struct {
	counts [len(durationBuckets)]uint64
	count  uint64
	sum    float64
}

// metrics counts requests by route pattern (never by path, so no record
// ids appear) and times them, for the Prometheus text format at /metrics.
type metrics struct {
	mu        sync.Mutex
	started   time.Time
	requests  map[seriesKey]uint64
	durations map[string]*histogram
}

func newMetrics() *metrics {
	return &metrics{started: time.Now(), requests: map[seriesKey]uint64{}, durations: map[string]*histogram{}}
}

func (m *metrics) observe(route, method string, status int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[seriesKey{route, method, status}]++
	h := m.durations[route]
	if h == nil {
		h = &histogram{}
		m.durations[route] = h
	}
	sec := d.Seconds()
	for i, b := range durationBuckets {
		if sec <= b {
			h.counts[i]++
		}
	}
	h.count++
	h.sum += sec
}

// metricsListener marks a request that came through MetricsHandler.
type metricsListener struct{}

// MetricsHandler serves /metrics alone, for a separate listen address
// (drive serve --metrics-addr) that only monitoring can reach; with it,
// Config.MetricsElsewhere keeps /metrics off the service's own address.
func (s *Server) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if err := s.serveMetrics(w, r.WithContext(context.WithValue(r.Context(), metricsListener{}, true))); err != nil {
			http.Error(w, "metrics unavailable", http.StatusInternalServerError)
		}
	})
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.MetricsElsewhere && r.Context().Value(metricsListener{}) == nil {
		return drive.NotFound("page")
	}
	if want := s.cfg.MetricsToken; want != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "Send the metrics token: Authorization: Bearer TOKEN", http.StatusUnauthorized)
			return nil
		}
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	var b strings.Builder
	m := s.metrics
	m.mu.Lock()
	keys := make([]seriesKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		if a.route != c.route {
			return a.route < c.route
		}
		if a.method != c.method {
			return a.method < c.method
		}
		return a.status < c.status
	})
	b.WriteString("# HELP drive_http_requests_total HTTP requests served, by route pattern, method and status.\n")
	b.WriteString("# TYPE drive_http_requests_total counter\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "drive_http_requests_total{route=%q,method=%q,status=\"%d\"} %d\n", k.route, k.method, k.status, m.requests[k])
	}
	routes := make([]string, 0, len(m.durations))
	for r := range m.durations {
		routes = append(routes, r)
	}
	sort.Strings(routes)
	b.WriteString("# HELP drive_http_request_duration_seconds Time to serve a request, by route pattern.\n")
	b.WriteString("# TYPE drive_http_request_duration_seconds histogram\n")
	for _, rt := range routes {
		h := m.durations[rt]
		for i, le := range durationBuckets {
			fmt.Fprintf(&b, "drive_http_request_duration_seconds_bucket{route=%q,le=\"%g\"} %d\n", rt, le, h.counts[i])
		}
		fmt.Fprintf(&b, "drive_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", rt, h.count)
		fmt.Fprintf(&b, "drive_http_request_duration_seconds_sum{route=%q} %g\n", rt, h.sum)
		fmt.Fprintf(&b, "drive_http_request_duration_seconds_count{route=%q} %d\n", rt, h.count)
	}
	uptime := time.Since(m.started).Seconds()
	m.mu.Unlock()

	b.WriteString("# HELP drive_build_info The running version and database engine.\n# TYPE drive_build_info gauge\n")
	fmt.Fprintf(&b, "drive_build_info{version=%q,engine=%q,go=%q} 1\n", s.cfg.Version, s.svc.Engine(), runtime.Version())
	b.WriteString("# HELP drive_uptime_seconds Seconds since the server started.\n# TYPE drive_uptime_seconds gauge\n")
	fmt.Fprintf(&b, "drive_uptime_seconds %g\n", uptime)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.WriteString("# HELP drive_go_heap_bytes Bytes of allocated heap objects.\n# TYPE drive_go_heap_bytes gauge\n")
	fmt.Fprintf(&b, "drive_go_heap_bytes %d\n", ms.HeapAlloc)
	// The runtime's own memory beside the process's resident size tells
	// the two apart: what is resident beyond it is the program's pages and,
	// on SQLite, the database's page caches. It is counted as the soft
	// limit a large import sets while its chunks run counts it, so the two
	// lines compare (service.capImportMemory).
	b.WriteString("# HELP drive_go_memory_bytes Memory the Go runtime holds from the operating system (mapped and not given back).\n# TYPE drive_go_memory_bytes gauge\n")
	fmt.Fprintf(&b, "drive_go_memory_bytes %d\n", service.RuntimeMemory())
	if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64 {
		b.WriteString("# HELP drive_go_memory_limit_bytes The Go runtime's soft memory limit, while one is set (a large import sets one).\n# TYPE drive_go_memory_limit_bytes gauge\n")
		fmt.Fprintf(&b, "drive_go_memory_limit_bytes %d\n", limit)
	}
	b.WriteString("# HELP drive_go_goroutines Goroutines that currently exist.\n# TYPE drive_go_goroutines gauge\n")
	fmt.Fprintf(&b, "drive_go_goroutines %d\n", runtime.NumGoroutine())
	if h := s.svc.Hasher; h != nil {
		b.WriteString("# HELP drive_password_hashes_total Password hashes computed (sign-in, re-authentication, password changes); attempts refused by the lockout compute none.\n# TYPE drive_password_hashes_total counter\n")
		fmt.Fprintf(&b, "drive_password_hashes_total %d\n", h.Computed())
	}
	if c := s.svc.Identification; c != nil {
		b.WriteString("# HELP drive_identification_lists_ranked_total Identification lists ranked; views served from memory are not counted.\n# TYPE drive_identification_lists_ranked_total counter\n")
		fmt.Fprintf(&b, "drive_identification_lists_ranked_total %d\n", c.Ranked())
		b.WriteString("# HELP drive_identification_lists_served_total Identification list views served from memory.\n# TYPE drive_identification_lists_served_total counter\n")
		fmt.Fprintf(&b, "drive_identification_lists_served_total %d\n", c.Hits())
	}
	s.jobMetrics(r.Context(), &b)
	_, err := w.Write([]byte(b.String()))
	return err
}

// jobMetrics writes the background job queue's depth by kind and state,
// and by kind how long the oldest due job has waited to be taken: a
// rising wait means no worker is running, or the workers cannot keep up.
// If the database does not answer, the queue's lines are left out (the
// /readyz probe reports the database).
func (s *Server) jobMetrics(ctx context.Context, b *strings.Builder) {
	counts, imports, err := s.svc.JobCounts(ctx, service.System("metrics"))
	if err != nil {
		return
	}
	now := s.svc.Now()
	b.WriteString("# HELP drive_jobs Background jobs, by kind and state (queued, running, done, dead).\n# TYPE drive_jobs gauge\n")
	for _, c := range counts {
		fmt.Fprintf(b, "drive_jobs{kind=%q,state=%q} %d\n", c.Kind, c.State, c.Count)
	}
	b.WriteString("# HELP drive_job_oldest_seconds Seconds the oldest queued job of each kind has been due without being taken; 0 when none is due.\n# TYPE drive_job_oldest_seconds gauge\n")
	for _, c := range counts {
		if c.State != jobs.Queued {
			continue
		}
		age := now.Sub(c.Oldest).Seconds()
		if age < 0 {
			age = 0
		}
		fmt.Fprintf(b, "drive_job_oldest_seconds{kind=%q} %g\n", c.Kind, age)
	}
	b.WriteString("# HELP drive_import_jobs Import jobs (files sent by feeds or dropped in the inbox), by kind and status (queued, running, done, failed).\n# TYPE drive_import_jobs gauge\n")
	for _, c := range imports {
		fmt.Fprintf(b, "drive_import_jobs{kind=%q,status=%q} %d\n", c.Kind, c.State, c.Count)
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write([]byte("ok\n"))
	return err
}

// readyz answers 200 only when the database answers, so a load balancer
// stops sending traffic to a replica that has lost it.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Ping(r.Context()); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write([]byte("ready\n"))
	return err
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) error {
	w.Header().Del("Pragma")
	s.assets.ServeHTTP(w, r)
	return nil
}
