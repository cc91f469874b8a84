package storetest_test

import (
	"context"
	"testing"

	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestOpenGivesEachTestItsOwnMigratedDatabase holds what copying one
// migrated template must keep: every database a test opens has every
// migration and nothing else, and what one test writes is in no other
// test's database, before or after it.
func TestOpenGivesEachTestItsOwnMigratedDatabase(t *testing.T) {
	ctx := context.Background()
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			sites := func(db *store.DB) int {
				t.Helper()
				var n int
				if err := db.View(ctx, func(tx *store.Tx) error {
					s, err := tx.Sites(ctx)
					n = len(s)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			first := e.Open(t, nil)
			st, err := first.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Pending) > 0 || len(st.Applied) == 0 {
				t.Fatalf("a fresh database has %d migrations applied and %v pending", len(st.Applied), st.Pending)
			}
			if n := sites(first); n != 0 {
				t.Fatalf("a fresh database holds %d sites", n)
			}
			if err := first.Transact(ctx, func(tx *store.Tx) error {
				return tx.CreateSite(ctx, &account.Site{Code: "TPL", Name: "Template", Region: "R"})
			}); err != nil {
				t.Fatal(err)
			}
			second := e.Open(t, nil)
			if n := sites(second); n != 0 {
				t.Fatalf("a database opened after another test wrote a site holds %d sites", n)
			}
			if n := sites(first); n != 1 {
				t.Fatalf("the first database holds %d sites, want the 1 it wrote", n)
			}
			st2, err := second.Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(st2.Applied) != len(st.Applied) || len(st2.Pending) > 0 {
				t.Fatalf("the second database has %d migrations applied and %v pending, the first %d", len(st2.Applied), st2.Pending, len(st.Applied))
			}
		})
	}
}
