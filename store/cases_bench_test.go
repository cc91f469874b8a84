package store_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// benchNow is the clock of the list benchmarks.
var benchNow = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)

// seedBenchSite fills one site with n cases across every state, each
// started case with five actions (some overdue), ten contacts and three
// reviews, and a second site with a tenth as many, so the queries have
// other sites' rows to skip. It returns the first site's ID.
func seedBenchSite(tb testing.TB, db *store.DB, n int) int64 {
	tb.Helper()
	ctx := context.Background()
	today := drive.DateOf(benchNow)
	prog := programme.Drive()
	var siteID int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		var sites []int64
		for _, code := range []string{"BEN", "OTH"} {
			s := &account.Site{Code: code, Name: "Site " + code, Region: "North West"}
			if err := tx.CreateSite(ctx, s); err != nil {
				return err
			}
			if err := tx.SeedProgrammes(ctx, s.ID); err != nil {
				return err
			}
			sites = append(sites, s.ID)
		}
		siteID = sites[0]
		org := &account.Organisation{Name: "Provider", Kind: account.Provider, SiteIDs: sites}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		managers := map[int64][]int64{}
		for _, sid := range sites {
			for i := 0; i < 5; i++ {
				u := &account.User{Username: fmt.Sprintf("cm%d-%d", sid, i), DisplayName: fmt.Sprintf("Manager %d", i), OrganisationID: org.ID, PasswordHash: "x",
					Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: sid}}}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				managers[sid] = append(managers[sid], u.ID)
			}
		}
		states := []casework.State{casework.Referred, casework.Accepted, casework.Declined, casework.Allocated, casework.Active,
			casework.Active, casework.Active, casework.Closing, casework.Closed, casework.Closed, casework.Closed, casework.Transferred}
		for si, sid := range sites {
			count := n
			if si > 0 {
				count = n / 10
			}
			for i := 0; i < count; i++ {
				p := &people.Person{SiteID: sid, GivenName: fmt.Sprintf("Given%d", i), FamilyName: fmt.Sprintf("Family%d", i%97),
					Aliases: []string{fmt.Sprintf("Alias%d", i)}, DateOfBirth: drive.MustDate("1980-01-01").AddDays(i), PoliceRef: fmt.Sprintf("PR/%d/%d", sid, i)}
				if err := tx.CreatePerson(ctx, p); err != nil {
					return err
				}
				c := &casework.Case{SiteID: sid, PersonID: p.ID, Programme: "drive", Source: casework.Sources()[i%7],
					ReferredAt: today.AddDays(-(i % 700) - 1), Summary: "Referred for the benchmark", Evidence: programme.Evidence{DASHScore: 15}}
				if err := tx.CreateCase(ctx, c); err != nil {
					return err
				}
				target := states[i%len(states)]
				cm := managers[sid][i%5]
				start := benchNow.AddDate(0, 0, -(i%300)-1)
				steps := map[casework.State][]casework.Change{
					casework.Accepted:    {{Event: casework.Accept, Reasons: "ok"}},
					casework.Declined:    {{Event: casework.Decline, Reasons: "no"}},
					casework.Allocated:   {{Event: casework.Accept, Reasons: "ok"}, {Event: casework.Allocate, CaseManagerID: cm}},
					casework.Active:      {{Event: casework.Accept, Reasons: "ok"}, {Event: casework.Allocate, CaseManagerID: cm}, {Event: casework.Start}},
					casework.Closing:     {{Event: casework.Accept, Reasons: "ok"}, {Event: casework.Allocate, CaseManagerID: cm}, {Event: casework.Start}, {Event: casework.BeginClosure, ClosureReason: "completed"}},
					casework.Closed:      {{Event: casework.Accept, Reasons: "ok"}, {Event: casework.Allocate, CaseManagerID: cm}, {Event: casework.Start}, {Event: casework.BeginClosure, ClosureReason: "completed"}, {Event: casework.Close, ClosureReason: "completed"}},
					casework.Transferred: {{Event: casework.Accept, Reasons: "ok"}, {Event: casework.Allocate, CaseManagerID: cm}, {Event: casework.Start}, {Event: casework.Transfer, SiteID: sites[1-si]}},
				}[target]
				for _, ch := range steps {
					tr, _ := casework.Find(c.State, ch.Event)
					if err := c.Apply(tr, ch, prog, cm, start); err != nil {
						return err
					}
					if err := tx.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, At: start, Event: string(ch.Event), ToState: c.State}); err != nil {
						return err
					}
				}
				if err := tx.UpdateCase(ctx, c); err != nil {
					return err
				}
				if c.StartedAt == nil {
					continue
				}
				for k := 0; k < 5; k++ {
					a := &casework.Action{CaseID: c.ID, Type: prog.Actions[(i+k)%len(prog.Actions)].Code, Owner: "Owner", DueOn: today.AddDays(-20 + 10*k)}
					if err := a.Validate(prog, today.AddDays(-30), true); err != nil {
						return err
					}
					if err := tx.CreateAction(ctx, a); err != nil {
						return err
					}
				}
				for k := 0; k < 10; k++ {
					if err := tx.CreateContact(ctx, &casework.Contact{CaseID: c.ID, Kind: casework.ContactKinds()[k%4], On: today.AddDays(-(i % 40) - 3*k), Summary: "Contact"}); err != nil {
						return err
					}
				}
				for k := 0; k < 3; k++ {
					if err := tx.CreateReview(ctx, &casework.Review{CaseID: c.ID, On: today.AddDays(-100 + 30*k), RiskLevel: "high", RiskChange: "unchanged",
						Summary: "Review", NextDue: today.AddDays(-58 + 30*k + i%20)}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return siteID
}

// listQueries are what the team leader's page and the case list ask for.
func listQueries(siteID int64) map[string]func(ctx context.Context, tx *store.Tx) error {
	today := drive.DateOf(benchNow)
	cases := func(f store.CaseFilter) func(ctx context.Context, tx *store.Tx) error {
		return func(ctx context.Context, tx *store.Tx) error {
			_, _, err := tx.Cases(ctx, f, today)
			return err
		}
	}
	site := []int64{siteID}
	return map[string]func(ctx context.Context, tx *store.Tx) error{
		"TeamDashboard": func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.TeamDashboard(ctx, siteID, today, 14, 12)
			return err
		},
		"Cases/first-page":   cases(store.CaseFilter{SiteIDs: site}),
		"Cases/open-by-name": cases(store.CaseFilter{SiteIDs: site, States: []casework.State{casework.Allocated, casework.Active, casework.Closing}, Sort: "name"}),
		"Cases/search":       cases(store.CaseFilter{SiteIDs: site, Query: "family4"}),
		"Cases/last-page": cases(store.CaseFilter{SiteIDs: site, Sort: "referred", Back: true,
			After: &store.CaseCursor{Sort: "referred", ID: 1 << 62, Referred: today.AddDays(1)}}),
		"Cases/all-1000": cases(store.CaseFilter{SiteIDs: site, Limit: 1000}),
	}
}

// BenchmarkCaseLists times the list and dashboard queries for a site with
// 500 cases on SQLite, each in its own read transaction as a page does.
//
//	go test ./store -run '^$' -bench BenchmarkCaseLists
func BenchmarkCaseLists(b *testing.B) {
	db := storetest.OpenSQLite(b, storetest.FixedClock(benchNow))
	siteID := seedBenchSite(b, db, 500)
	ctx := context.Background()
	qs := listQueries(siteID)
	names := make([]string, 0, len(qs))
	for name := range qs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		q := qs[name]
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if err := db.View(ctx, func(tx *store.Tx) error { return q(ctx, tx) }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
