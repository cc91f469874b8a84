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
// do whatever the load on the machine. The orders by name are not held to
// it: no index of cases is in the order of their people's names
// (docs/benchmarks.md).
func TestCasePagesReadTheirIndex(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.Blank(t)
			db := storetest.OpenAt(t, dsn, storetest.FixedClock(benchNow))
			ctx := context.Background()
			var siteID int64
			err := db.Transact(ctx, func(tx *store.Tx) error {
				s := &account.Site{Code: "BIG", Name: "Big site", Region: "North West"}
				if err := tx.CreateSite(ctx, s); err != nil {
					return err
				}
				siteID = s.ID
				return tx.SeedProgrammes(ctx, s.ID)
			})
			if err != nil {
				t.Fatal(err)
			}
			storetest.FillSite(t, dsn, siteID, 5_000, casework.Referred, benchNow.Add(1))
			spreadChanges(t, db, e.Name, siteID)
			today := drive.DateOf(benchNow)
			var mid store.CaseRow
			err = db.View(ctx, func(tx *store.Tx) error {
				p, err := tx.CasesPage(ctx, store.CaseFilter{SiteIDs: []int64{siteID}, Limit: 1000}, today)
				if err == nil {
					mid = p.Rows[500]
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// SQLite shows the comparison of rows as one on its first
			// term, (site_id=? AND updated_at<?); PostgreSQL as
			// ROW(updated_at, id) < ROW(...) in the Index Cond.
			seek := regexp.MustCompile(`(updated_at|referred_on|id\))\s?[<>]`)
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
				// Every case here is referred, so the index without the
				// state serves as well.
				{"state", []string{"cases_site_state_updated", "cases_site_updated_id"}, []casework.State{casework.Referred}},
			} {
				for _, back := range []bool{false, true} {
					cur := store.CaseCursorAt(tc.order, mid)
					f := store.CaseFilter{SiteIDs: []int64{siteID}, States: tc.states, Sort: tc.order, After: &cur, Back: back}
					var plan string
					if err := db.View(ctx, func(tx *store.Tx) (err error) { plan, err = tx.CasesPagePlan(ctx, f, today); return err }); err != nil {
						t.Fatal(err)
					}
					sorts := strings.Contains(plan, "TEMP B-TREE FOR ORDER BY") || strings.Contains(plan, "Sort Key")
					uses := slices.ContainsFunc(tc.indexes, func(ix string) bool { return strings.Contains(plan, ix+" ") })
					// The index is entered at the cursor, not walked from
					// its start: the comparison is the index's own condition.
					seeks := seek.MatchString(plan)
					if sorts || !uses || !seeks {
						t.Errorf("%s (back %v): the page sorts, or reads none of %v from the cursor:\n%s", tc.order, back, tc.indexes, plan)
					}
				}
			}
		})
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
