package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// BenchmarkTeamPage renders the team leader's dashboard for a site with
// 500 cases (every state, 3 actions and 2 contacts each, some overdue) on
// SQLite, through the whole HTTP stack with a signed-in session, and
// reports the median and 95th percentile time per page.
//
//	go test ./web -run '^$' -bench BenchmarkTeamPage -benchtime 200x
func BenchmarkTeamPage(b *testing.B) {
	benchPage(b, "/team")
}

// BenchmarkCasesPage renders the first page of the site's case list.
func BenchmarkCasesPage(b *testing.B) {
	benchPage(b, "/cases")
}

// BenchmarkCasePage renders an active case's page (its actions,
// contacts, history and the site's case managers) for the team leader:
// the page practitioners open most. Run one at a time, ns/op is close to
// the CPU a page costs (the target is under 1 ms on the demo's data):
//
//	go test ./web -run '^$' -bench BenchmarkCasePage -benchtime 2000x -cpuprofile cpu.prof
func BenchmarkCasePage(b *testing.B) {
	benchPage(b, "")
}

// benchPage serves path for the seeded team leader; an empty path is an
// active case's page.
func benchPage(b *testing.B, path string) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	ctx := context.Background()
	// Every statement the store runs is counted (through the hook that
	// tests use to inject faults), so a page's statements can be reported
	// beside its CPU: a figure the machine's load does not change.
	var statements atomic.Int64
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "drive.db"), store.Options{Now: storetest.FixedClock(now), Keys: storetest.DatabaseKeys(b),
		Fault: func() error { statements.Add(1); return nil }})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	token := "drv_s_bench-session"
	err = db.Transact(ctx, func(tx *store.Tx) error { return seedSite(ctx, tx, now, 500, token) })
	if err != nil {
		b.Fatal(err)
	}
	if path == "" {
		err := db.View(ctx, func(tx *store.Tx) error {
			for id := int64(1); path == ""; id++ {
				c, err := tx.Case(ctx, id)
				if err != nil {
					return err
				}
				if c.State == casework.Active {
					path = fmt.Sprintf("/cases/%d", id)
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	srv, err := New(Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(b)}})
	if err != nil {
		b.Fatal(err)
	}
	get := func() time.Duration {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Cookie", "drive_session="+token)
		rec := httptest.NewRecorder()
		start := time.Now()
		srv.ServeHTTP(rec, req)
		d := time.Since(start)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: status %d", path, rec.Code)
		}
		return d
	}
	get() // warm the caches a running server would have warm
	times := make([]time.Duration, 0, b.N)
	cpu0, statements0 := processCPU(), statements.Load()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		times = append(times, get())
	}
	b.StopTimer()
	// On a shared machine the time a page takes includes waiting for a
	// core; the CPU the process spent does not.
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(statements.Load()-statements0)/float64(b.N), "statements/op")
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms-median")
	b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "ms-p95")
}

// seedSite creates one site with n cases spread over every state, a team
// leader with a session, and case managers.
func seedSite(ctx context.Context, tx *store.Tx, now time.Time, n int, token string) error {
	site := &account.Site{Code: "BEN", Name: "Benchmark", Region: "R"}
	if err := tx.CreateSite(ctx, site); err != nil {
		return err
	}
	if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
		return err
	}
	other := &account.Site{Code: "OTH", Name: "Other", Region: "R"}
	if err := tx.CreateSite(ctx, other); err != nil {
		return err
	}
	org := &account.Organisation{Name: "Bench provider", Kind: account.Provider, SiteIDs: []int64{site.ID}}
	if err := tx.CreateOrganisation(ctx, org); err != nil {
		return err
	}
	lead := &account.User{Username: "bench.lead", DisplayName: "Bench Lead", OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X",
		Roles: []account.RoleAssignment{{Role: access.TeamLeader, SiteID: site.ID}}}
	if err := tx.CreateUser(ctx, lead); err != nil {
		return err
	}
	if err := tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(token), UserID: lead.ID, Stage: account.StageFull, CSRF: "c",
		Remote: "bench", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(12 * time.Hour), ReauthAt: now}); err != nil {
		return err
	}
	var managers []int64
	for i := 0; i < 40; i++ {
		u := &account.User{Username: fmt.Sprintf("bench.cm%02d", i), DisplayName: fmt.Sprintf("Case Manager %02d", i), OrganisationID: org.ID,
			PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: site.ID}}}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		managers = append(managers, u.ID)
	}
	states := casework.States()
	today := drive.DateOf(now)
	types := []string{"dvpn-dvpo", "one-to-one", "housing-referral"}
	for i := 0; i < n; i++ {
		p := &people.Person{SiteID: site.ID, GivenName: fmt.Sprintf("Given%03d", i), FamilyName: fmt.Sprintf("Family%03d", i),
			DateOfBirth: drive.MustDate("1980-01-01").AddDays(i * 13)}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		st := states[i%len(states)]
		c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", State: casework.Referred, Engagement: casework.Engagements()[i%6],
			Source: casework.Sources()[i%7], ReferredAt: today.AddDays(-i), Summary: "Benchmark case", Evidence: programme.Evidence{DASHScore: i % 25}}
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		c.State = st
		if st != casework.Referred {
			at := now.AddDate(0, 0, -i)
			c.DecisionReasons, c.DecidedBy, c.DecidedAt = "Panel agreed", lead.ID, &at
		}
		if st == casework.Active || st == casework.Closing || st == casework.Closed {
			at := now.AddDate(0, 0, -i)
			c.StartedAt = &at
		}
		if st != casework.Referred && st != casework.Accepted && st != casework.Declined {
			c.CaseManagerID = managers[i%len(managers)]
			at := now.AddDate(0, 0, -i)
			c.AllocatedAt = &at
			c.NextReviewDue = today.AddDays(i%30 - 10)
		}
		if st == casework.Transferred {
			c.TransferToSiteID = other.ID
		}
		if st == casework.Closed {
			at := now.AddDate(0, 0, -i/2)
			c.ClosedAt, c.ClosureReason = &at, "completed"
		}
		if st == casework.Closing {
			c.ClosureReason = "completed"
		}
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		for j, typ := range types {
			a := &casework.Action{CaseID: c.ID, Prong: programme.Prongs()[j], Type: typ, Agency: "Police", Owner: "Owner",
				DueOn: today.AddDays(i%20 - 10 + j), Status: casework.ActionOpen}
			if err := tx.CreateAction(ctx, a); err != nil {
				return err
			}
		}
		for j := 0; j < 2; j++ {
			ct := &casework.Contact{CaseID: c.ID, Kind: casework.ContactMade, On: today.AddDays(-(i % 30) - j), Summary: "Contact"}
			if err := tx.CreateContact(ctx, ct); err != nil {
				return err
			}
		}
	}
	return nil
}

// processCPU is the CPU time this process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
