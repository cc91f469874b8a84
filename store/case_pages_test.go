package store_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestCasePagesReadTheirIndex holds a page of the case list, on both
// engines, to the index of its order: read from a cursor deep in a site of
// 5,000 cases, forwards and back, the page is a seek into the index and a
// walk of as many entries as it shows, never a sort of the site's cases.
// That is what makes the thousandth page cost what the first does
// (BenchmarkCasePagesAtSize times it); the plan is what the engine will
// do whatever the load on the machine. The team leader's lists are held to
// the same, each to its own index of the cases that can be on it, and
// their counts to those indexes.
func TestCasePagesReadTheirIndex(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.Blank(t)
			db := storetest.OpenAt(t, dsn, storetest.FixedClock(benchNow))
			ctx := context.Background()
			var siteID, otherID, managerID int64
			err := db.Transact(ctx, func(tx *store.Tx) error {
				s := &account.Site{Code: "BIG", Name: "Big site", Region: "North West"}
				if err := tx.CreateSite(ctx, s); err != nil {
					return err
				}
				o := &account.Site{Code: "OTH", Name: "Other site", Region: "North West"}
				if err := tx.CreateSite(ctx, o); err != nil {
					return err
				}
				siteID, otherID = s.ID, o.ID
				org := &account.Organisation{Name: "Provider", Kind: account.Provider, SiteIDs: []int64{s.ID}}
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				u := &account.User{Username: "case.manager", DisplayName: "Case Manager", OrganisationID: org.ID, PasswordHash: "x",
					Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: s.ID}}}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				managerID = u.ID
				return tx.SeedProgrammes(ctx, s.ID)
			})
			if err != nil {
				t.Fatal(err)
			}
			storetest.FillSite(t, dsn, siteID, 5_000, casework.Referred, benchNow.Add(1))
			spreadChanges(t, db, e.Name, siteID)
			mixStates(t, db, siteID, otherID, managerID)
			today := drive.DateOf(benchNow)
			var mid store.CaseRow
			err = db.View(ctx, func(tx *store.Tx) error {
				p, err := tx.CasesPage(ctx, store.CaseFilter{SiteIDs: []int64{siteID}, Limit: 1000}, today)
				if err != nil {
					return err
				}
				mid = p.Rows[500]
				// A list's count stops past 1,000; the command line's
				// totals count every case.
				if p.Total != store.CaseCountLimit || !p.Over {
					t.Errorf("the list of 5,000 cases counts %d (over %v); want %d and over", p.Total, p.Over, store.CaseCountLimit)
				}
				all, err := tx.CasesPage(ctx, store.CaseFilter{SiteIDs: []int64{siteID}, Limit: 1, CountAll: true}, today)
				if err == nil && (all.Total != 5_000 || all.Over) {
					t.Errorf("counting every case gives %d (over %v); want 5000", all.Total, all.Over)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// SQLite shows the comparison of rows as one on its first
			// term, (site_id=? AND updated_at<?); PostgreSQL as
			// ROW(updated_at, id) < ROW(...) in the Index Cond. An
			// expression's term ends in END or in a bracket.
			seek := regexp.MustCompile(`(updated_at\)?|referred_on|sort_given\)|state_place(_rev)?|open_action_due|next_review_due|allocated_at\)|id\)|<expr>)\s?[<>]`)
			check := func(what string, indexes []string, plan string) {
				t.Helper()
				sorts := strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") || strings.Contains(plan, "Sort Key")
				uses := slices.ContainsFunc(indexes, func(ix string) bool { return strings.Contains(plan, ix+" ") })
				// The index is entered at the cursor, not walked from
				// its start: the comparison is the index's own condition.
				seeks := seek.MatchString(plan)
				if sorts || !uses || !seeks {
					t.Errorf("%s: the page sorts, or reads none of %v from the cursor:\n%s", what, indexes, plan)
				}
			}
			for _, tc := range []struct {
				order   string
				indexes []string // any of them will do
				states  []casework.State
			}{
				{"-updated", []string{"cases_site_updated_id"}, nil},
				{"updated", []string{"cases_site_updated_id"}, nil},
				// With one site, the index without it serves as well.
				{"referred", []string{"cases_site_referred_id", "cases_referred_id"}, nil},
				{"-referred", []string{"cases_site_referred_id", "cases_referred_id"}, nil},
				{"state", []string{"cases_site_state_updated"}, []casework.State{casework.Referred}},
				// Every state: the state's place is in the index.
				{"state", []string{"cases_site_state_rank_rev"}, nil},
				{"-state", []string{"cases_site_state_rank"}, nil},
				{"name", []string{"cases_site_name"}, nil},
				{"-name", []string{"cases_site_name"}, nil},
			} {
				for _, back := range []bool{false, true} {
					cur := store.CaseCursorAt(tc.order, mid)
					f := store.CaseFilter{SiteIDs: []int64{siteID}, States: tc.states, Sort: tc.order, After: &cur, Back: back}
					var plan string
					if err := db.View(ctx, func(tx *store.Tx) (err error) { plan, err = tx.CasesPagePlan(ctx, f, today); return err }); err != nil {
						t.Fatal(err)
					}
					check(fmt.Sprintf("%s %v (back %v)", tc.order, tc.states, back), tc.indexes, plan)
				}
			}
			noContact := map[string]time.Time{"drive": today.AddDays(-13).Time(), "restart": today.AddDays(-20).Time()}
			for _, tc := range []struct {
				list  store.TeamList
				index string
				site  int64
				// counts are the indexes the count may read: the list's
				// own, or one of (site, state) for a list of states.
				counts []string
			}{
				{store.TeamTransfers, "cases_team_transfers", otherID, nil},
				{store.TeamUnallocated, "cases_team_unallocated", siteID, []string{"cases_site_state_updated", "cases_site_state"}},
				{store.TeamOverdue, "cases_team_overdue", siteID, nil},
				{store.TeamNoContact, "cases_team_no_contact", siteID, nil},
				{store.TeamReviews, "cases_team_reviews", siteID, nil},
			} {
				f := store.TeamListFilter{SiteID: tc.site, List: tc.list, NoContactBefore: noContact, NoContactOther: today.AddDays(-13).Time(), Limit: 100}
				var first store.CasePage
				if err := db.View(ctx, func(tx *store.Tx) (err error) { first, err = tx.TeamListPage(ctx, f, today); return err }); err != nil {
					t.Fatal(err)
				}
				if len(first.Rows) != 100 || !first.More || first.Total < 200 {
					t.Fatalf("%s: %d rows of %d; the site should fill more than two pages", tc.list, len(first.Rows), first.Total)
				}
				f.After = first.Rows[50].Case.ID
				for _, back := range []bool{false, true} {
					f.Back = back
					var plan, count string
					err := db.View(ctx, func(tx *store.Tx) (err error) {
						if plan, err = tx.TeamListPagePlan(ctx, f, today); err != nil {
							return err
						}
						count, err = tx.TeamListCountPlan(ctx, f, today)
						return err
					})
					if err != nil {
						t.Fatal(err)
					}
					check(fmt.Sprintf("%s (back %v)", tc.list, back), []string{tc.index}, plan)
					scans := strings.Contains(count, "SCAN c") || strings.Contains(count, "Seq Scan on cases")
					counted := slices.ContainsFunc(append(tc.counts, tc.index), func(ix string) bool { return strings.Contains(count, ix+" ") })
					if scans || !counted {
						t.Errorf("%s: the count reads some other way than its index:\n%s", tc.list, count)
					}
				}
			}
		})
	}
}

// mixStates turns the site's referrals (FillSite's) into a site's mix:
// seven in ten closed (its history), and among the rest referrals,
// allocated and active cases, without contact, with reviews due or with
// overdue actions, and transfers to another site, 250 of each in 5,000. The changes are made straight to
// the rows, as FillSite's are.
func mixStates(tb testing.TB, db *store.DB, siteID, otherID, managerID int64) {
	tb.Helper()
	ctx := context.Background()
	at := benchNow.Add(-90 * 24 * time.Hour)
	due := drive.DateOf(benchNow).AddDays(-10)
	err := db.Transact(ctx, func(tx *store.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`UPDATE cases SET state = 'closed', closure_reason = 'completed', closed_at = updated_at WHERE site_id = ? AND id % 20 < 14`, []any{siteID}},
			{`UPDATE cases SET state = 'allocated', case_manager_id = ?, allocated_at = ? WHERE site_id = ? AND id % 20 = 14`, []any{managerID, at, siteID}},
			{`UPDATE cases SET state = 'active', case_manager_id = ?, allocated_at = ?, last_contact_at = updated_at, next_review_due = ?
				WHERE site_id = ? AND id % 20 = 15`, []any{managerID, at, due, siteID}},
			{`UPDATE cases SET state = 'active', case_manager_id = ?, allocated_at = ?, last_contact_at = updated_at, open_action_due = ?
				WHERE site_id = ? AND id % 20 = 16`, []any{managerID, at, due, siteID}},
			{`UPDATE cases SET state = 'transferred', case_manager_id = ?, allocated_at = ?, transfer_to_site_id = ?
				WHERE site_id = ? AND id % 20 = 17`, []any{managerID, at, otherID, siteID}},
		} {
			if err := tx.RawExec(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.Vacuum(ctx, "cases"); err != nil {
		tb.Fatal(err)
	}
}

// spreadChanges gives each of the site's cases its own time of change,
// one second apart, as a site's history has (FillSite gives them one
// time), and on PostgreSQL analyses the table again as autovacuum would.
func spreadChanges(tb testing.TB, db *store.DB, engine string, siteID int64) {
	tb.Helper()
	ctx := context.Background()
	err := db.Transact(ctx, func(tx *store.Tx) error {
		ids, err := tx.RawText(ctx, `SELECT CAST(count(*) AS TEXT) FROM cases WHERE site_id = ?`, siteID)
		if err != nil || ids == "0" {
			return err
		}
		var min int64
		if v, err := tx.RawText(ctx, `SELECT CAST(min(id) AS TEXT) FROM cases WHERE site_id = ?`, siteID); err != nil {
			return err
		} else if _, err := fmt.Sscan(v, &min); err != nil {
			return err
		}
		var n int
		if _, err := fmt.Sscan(ids, &n); err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			at := benchNow.Add(-time.Duration(n-i) * time.Second)
			if err := tx.RawExec(ctx, `UPDATE cases SET updated_at = ? WHERE id = ?`, at, min+int64(i)); err != nil {
				return err
			}
		}
		if engine == "postgres" {
			return tx.RawExec(ctx, `ANALYZE cases`)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}
