package workload_test

import (
	"context"
	"io"
	"log/slog"
	"math"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
	"github.com/drive-platform/drive/workload"
)

// TestLoadOnBothEngines builds a small national data set, runs the mixed
// workload against a real server for a few seconds and holds it to what
// drive bench load promises: every operation ran, nothing failed, and
// every acknowledged write was read back.
func TestLoadOnBothEngines(t *testing.T) {
	for _, eng := range storetest.Engines(t) {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			db := eng.Open(t, nil)
			svc := &service.Service{DB: db, Keys: storetest.Keys(t), PasswordParams: auth.TestParams(), TextLimit: math.MaxInt32}
			sh := workload.Shape{Sites: 2, Cases: 120, Incidents: 200, Managers: 3, Leads: 1, Seed: 7, Params: auth.TestParams()}
			if built, err := workload.Built(ctx, svc); err != nil || built {
				t.Fatalf("built before building: %v %v", built, err)
			}
			if err := workload.Build(ctx, svc, sh, nil); err != nil {
				t.Fatal(err)
			}
			if built, err := workload.Built(ctx, svc); err != nil || !built {
				t.Fatalf("not built after building: %v %v", built, err)
			}
			if err := workload.Build(ctx, svc, sh, nil); err == nil {
				t.Fatal("a second build into the same database was not refused")
			}
			sites, err := svc.Sites(ctx, service.CommandLine())
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, s := range sites {
				ids = append(ids, s.ID)
			}
			cases, victims, err := svc.Totals(ctx, service.CommandLine(), ids)
			if err != nil {
				t.Fatal(err)
			}
			if cases != 120 || victims != 120 {
				t.Fatalf("built %d cases and %d victim-survivors, want 120 of each", cases, victims)
			}
			srv, err := web.New(web.Config{Service: svc, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			defer ts.Close()
			var logins []workload.Login
			for _, a := range workload.Accounts(sh) {
				if a.Role == access.IDVA || (a.Role == access.CaseManager && a.Username[len(a.Username)-1] == '3') {
					continue
				}
				acc, err := svc.AccountNamed(ctx, service.CommandLine(), a.Username)
				if err != nil {
					t.Fatal(err)
				}
				token, _, err := svc.CreateToken(ctx, service.CommandLine(), acc.ID, "load test", time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				logins = append(logins, workload.Login{Account: a, UserID: acc.ID, APIToken: token})
			}
			res, err := workload.Run(ctx, workload.Options{BaseURL: ts.URL, Logins: logins, PerUser: 40, Seed: 1, Think: 2 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests != 40*len(logins) {
				t.Fatalf("%d operations; want 40 for each of %d users", res.Requests, len(logins))
			}
			if res.Errors > 0 {
				t.Fatalf("%d errors, first: %v", res.Errors, res.FirstErrors)
			}
			for _, op := range []workload.Op{workload.OpCasePage, workload.OpTeam, workload.OpCaseload, workload.OpSearch} {
				if res.Of(op).Count == 0 {
					t.Errorf("no %s in %d operations", op, res.Requests)
				}
			}
			if res.Written == 0 || res.ReadBack != res.Written || len(res.Lost) > 0 {
				t.Fatalf("wrote %d, read back %d, lost %v", res.Written, res.ReadBack, res.Lost)
			}
			if p := res.Of(workload.OpCasePage); p.P50 > p.P99 || p.P99 > p.Max || p.P50 <= 0 {
				t.Fatalf("case page percentiles out of order: %+v", p)
			}
		})
	}
}
