package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// sizedSite is the benchmark site of seedSite (500 cases in every state,
// with actions and contacts, 40 case managers and a signed-in team
// leader), to which FillSite adds open referrals waiting for a decision
// and closed cases (the site's history), served by a Server.
func sizedSite(tb testing.TB, engine string, referrals, history int) (*Server, string) {
	tb.Helper()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	e := storetest.Engine{Name: engine}
	dsn := e.Blank(tb)
	db := storetest.OpenAt(tb, dsn, storetest.FixedClock(now))
	ctx := context.Background()
	token := "drv_s_bench-session"
	var siteID int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := seedSite(ctx, tx, now, 500, token); err != nil {
			return err
		}
		sites, err := tx.Sites(ctx)
		for _, s := range sites {
			if s.Code == "BEN" {
				siteID = s.ID
			}
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	if history > 0 {
		storetest.FillSite(tb, dsn, siteID, history, casework.Closed, now.Add(-24*time.Hour))
	}
	if referrals > 0 {
		storetest.FillSite(tb, dsn, siteID, referrals, casework.Referred, now.Add(-time.Hour))
	}
	srv, err := New(Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(tb)}})
	if err != nil {
		tb.Fatal(err)
	}
	return srv, token
}

// getPage fetches path as the session's user and returns the body.
func getPage(tb testing.TB, srv *Server, token, path string) string {
	tb.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Cookie", "drive_session="+token)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("%s: status %d", path, rec.Code)
	}
	return rec.Body.String()
}

// TestTeamPageSizeIsBounded holds the team leader's page to the same size
// whether the site holds 500 cases or 500 plus 20,000 referrals waiting
// for a decision and 30,000 closed cases: each list shows its most
// pressing cases and counts the rest. The page used to list every case on
// every list (33 MB at 51,000 cases). The case list's pages are held the
// same way.
func TestTeamPageSizeIsBounded(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			small, token := sizedSite(t, e.Name, 0, 0)
			large, _ := sizedSite(t, e.Name, 20_000, 30_000)
			// A page deep into the large site's list is held to the small
			// site's first page.
			// Forty pages into the case list by its "Next page" links.
			deep := "/cases"
			for i := 0; i < 40; i++ {
				m := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(getPage(t, large, token, deep))
				if m == nil {
					t.Fatalf("page %d of the case list at 50,500 cases has no next page", i+1)
				}
				deep = html.UnescapeString(m[1])
			}
			// The count stops past 1,000 rather than read the site's
			// history for every page.
			if !strings.Contains(getPage(t, large, token, deep), "More than 1,000 cases, page 41") {
				t.Errorf("%s is not said to be page 41 of more than 1,000 cases", deep)
			}
			for _, p := range []struct{ small, large string }{{"/team", "/team"}, {"/cases", "/cases"}, {"/cases", deep}} {
				a, b := getPage(t, small, token, p.small), getPage(t, large, token, p.large)
				if len(b) > len(a)*11/10+1024 {
					t.Errorf("%s is %d bytes at 50,500 cases, %s %d at 500; want no more than 10%% larger", p.large, len(b), p.small, len(a))
				}
				if len(b) > 400_000 {
					t.Errorf("%s is %d bytes at 50,500 cases; want under 400 kB", p.large, len(b))
				}
			}
			team := getPage(t, large, token, "/team")
			if !regexp.MustCompile(`data-count="unallocated">20\d\d\d<`).MatchString(team) {
				t.Error("the team page at 50,500 cases does not count the 20,000 referrals on its card")
			}
			// The card's list pages through them by its "Next page" links,
			// each page the size of the first.
			first := getPage(t, large, token, "/team/unallocated")
			for _, want := range []string{"Referrals and unallocated cases (20", "Cases 1 to 50 of 20"} {
				if !strings.Contains(first, want) {
					t.Errorf("the list of referrals at 50,500 cases does not say %q", want)
				}
			}
			page := first
			for i := 0; i < 40; i++ {
				m := regexp.MustCompile(`href="([^"]+)" rel="next"`).FindStringSubmatch(page)
				if m == nil {
					t.Fatalf("page %d of the referrals at 50,500 cases has no next page", i+1)
				}
				page = getPage(t, large, token, html.UnescapeString(m[1]))
			}
			if !strings.Contains(page, "Cases 2001 to 2050 of 20") || len(page) > len(first)*11/10+1024 {
				t.Errorf("page 41 of the referrals: %d bytes against %d on the first, or not the 41st page", len(page), len(first))
			}
		})
	}
}

// BenchmarkPagesWithHistory times the team page and the case list's first
// page through the HTTP stack for the 500-case benchmark site with
// DRIVE_BENCH_HISTORY closed cases added (default 50,000) and
// DRIVE_BENCH_REFERRALS open referrals (default 0), reporting the median
// and 95th percentile. On SQLite unless DRIVE_BENCH_ENGINE=postgres.
//
//	DRIVE_BENCH_HISTORY=0 go test ./web -run '^$' -bench PagesWithHistory -benchtime 50x
//	go test ./web -run '^$' -bench PagesWithHistory -benchtime 50x
func BenchmarkPagesWithHistory(b *testing.B) {
	engine := "sqlite"
	if os.Getenv("DRIVE_BENCH_ENGINE") == "postgres" {
		engine = "postgres"
	}
	env := func(name string, def int) int {
		if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
			return v
		}
		return def
	}
	srv, token := sizedSite(b, engine, env("DRIVE_BENCH_REFERRALS", 0), env("DRIVE_BENCH_HISTORY", 50_000))
	for _, path := range []string{"/team", "/cases", "/cases?sort=name"} {
		b.Run(path, func(b *testing.B) {
			getPage(b, srv, token, path)
			times := make([]time.Duration, 0, b.N)
			size := 0
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				size = len(getPage(b, srv, token, path))
				times = append(times, time.Since(start))
			}
			b.StopTimer()
			sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
			b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "ms-p95")
			b.ReportMetric(float64(size), "bytes")
		})
	}
}
