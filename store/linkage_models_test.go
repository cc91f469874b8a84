package store_test

import (
	"context"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestLinkageModels checks, on both engines, that a site keeps one model
// per role, the latest replacing the one before, that a site with none
// is told "not found", and that a role the table does not know is refused.
func TestLinkageModels(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t, storetest.FixedClock(storetest.Epoch))
			ctx := context.Background()
			err := db.Transact(ctx, func(tx *store.Tx) error {
				a, b := account.Site{Code: "NMR", Name: "Northmoor", Region: "R"}, account.Site{Code: "SVV", Name: "Severnvale", Region: "R"}
				for _, s := range []*account.Site{&a, &b} {
					if err := tx.CreateSite(ctx, s); err != nil {
						return err
					}
				}
				if _, err := tx.LinkageModel(ctx, a.ID, "suspect"); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("no model yet: %v, want ENOTFOUND", err)
				}
				for _, m := range []string{`{"Prior":-3}`, `{"Prior":-4}`} {
					if err := tx.SetLinkageModel(ctx, a.ID, "suspect", m); err != nil {
						return err
					}
				}
				if err := tx.SetLinkageModel(ctx, b.ID, "suspect", `{"Prior":-9}`); err != nil {
					return err
				}
				if got, err := tx.LinkageModel(ctx, a.ID, "suspect"); err != nil || got != `{"Prior":-4}` {
					t.Errorf("site A: %q, %v; want the latest model", got, err)
				}
				if got, err := tx.LinkageModel(ctx, b.ID, "suspect"); err != nil || got != `{"Prior":-9}` {
					t.Errorf("site B: %q, %v", got, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.Transact(ctx, func(tx *store.Tx) error { return tx.SetLinkageModel(ctx, 1, "victim", "{}") })
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a role the table does not hold: %v, want EINVALID", err)
			}
		})
	}
}
