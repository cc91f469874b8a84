package web

import (
	"context"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/drive-platform/drive/service"
)

// Replicated is the handler the web tests serve srv through. Normally it
// is srv. With DRIVE_TEST_REPLICAS=N (N of 2 or more) and srv's database
// on PostgreSQL, it is N servers built alike, each on connections of its
// own to that one database and with its own caches, taking requests in
// turn, as replicas behind a load balancer: so the suite shows that
// sessions, CSRF tokens, sign-in limits and lockouts, second-factor
// replay protection and background work hold whichever replica a request
// reaches. (SQLite suits one server: there it is always srv.)
//
// The replicas are built from srv as it is at this call, and follow the
// settings a fixture changes later (see follow).
func Replicated(t testing.TB, srv *Server) http.Handler {
	t.Helper()
	n, _ := strconv.Atoi(os.Getenv("DRIVE_TEST_REPLICAS"))
	if n < 2 || srv.svc.DB.Engine() != "postgres" {
		return srv
	}
	servers := []*Server{srv}
	for len(servers) < n {
		db, err := srv.svc.DB.OpenAnother(context.Background())
		if err != nil {
			t.Fatalf("opening a replica's connections: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		svc := *srv.svc
		svc.DB = db
		if svc.Reports != nil {
			svc.Reports = service.NewReportCache(service.ReportCacheTTL)
		}
		if svc.Identification != nil {
			svc.Identification = &service.IdentificationCache{}
		}
		cfg := srv.cfg
		cfg.Service = &svc
		replica, err := New(cfg)
		if err != nil {
			t.Fatalf("building a replica: %v", err)
		}
		replica.uploadLimit = srv.uploadLimit
		for k, v := range srv.glassHrefs {
			replica.glassHrefs[k] = v
		}
		servers = append(servers, replica)
	}
	var next atomic.Uint64
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := servers[(next.Add(1)-1)%uint64(len(servers))]
		if s != srv {
			mu.Lock()
			follow(srv, s)
			mu.Unlock()
		}
		s.ServeHTTP(w, r)
	})
}

// follow brings a replica's settings up to srv's, for fixtures that
// change them between requests (a lower upload limit, a higher text
// limit, a kind of record break-glass opens, the survivor route's exit
// page): replicas of one deployment
// run with one configuration. It writes only what changed.
func follow(srv, replica *Server) {
	if replica.uploadLimit != srv.uploadLimit {
		replica.uploadLimit = srv.uploadLimit
	}
	if replica.cfg.ExitURL != srv.cfg.ExitURL {
		replica.cfg.ExitURL = srv.cfg.ExitURL
	}
	for k, v := range srv.glassHrefs {
		if _, ok := replica.glassHrefs[k]; !ok {
			replica.glassHrefs[k] = v
		}
	}
	p, q := srv.svc, replica.svc
	if q.TextLimit != p.TextLimit {
		q.TextLimit = p.TextLimit
	}
	if reflect.ValueOf(q.Glass).Pointer() != reflect.ValueOf(p.Glass).Pointer() {
		q.Glass = p.Glass
	}
	if q.Lockout != p.Lockout {
		q.Lockout = p.Lockout
	}
	if q.Sessions != p.Sessions {
		q.Sessions = p.Sessions
	}
	if q.Keys != p.Keys {
		q.Keys = p.Keys
	}
	if q.Mail != p.Mail {
		q.Mail = p.Mail
	}
}
