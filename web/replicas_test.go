package web

import (
	"context"
	"net/http"
	"os"
	"strconv"
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
// Build the fixture's server fully first (its service's settings, its
// break-glass pages): the replicas copy it as it is at this call.
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		servers[(next.Add(1)-1)%uint64(len(servers))].ServeHTTP(w, r)
	})
}
