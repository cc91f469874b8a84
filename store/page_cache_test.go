package store_test

import (
	"context"
	"testing"

	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestPageCacheSizedForTheWork: on SQLite the writer and each reader keep an
// 8 MiB page cache, so a large file passing through does not
// stay in memory; a full resolution has 64 MiB only while it runs, and
// its restore gives the connection its usual cache back. On PostgreSQL
// both calls do nothing and fail nothing.
func TestPageCacheSizedForTheWork(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t, nil)
			sqlite := db.Engine() == "sqlite"
			size := func(tx *store.Tx, want string) {
				t.Helper()
				if !sqlite {
					return
				}
				got, err := tx.RawText(ctx, `SELECT cache_size FROM pragma_cache_size()`)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Errorf("cache_size = %s, want %s", got, want)
				}
			}
			err := db.Transact(ctx, func(tx *store.Tx) error {
				size(tx, "-8192")
				restore, err := tx.ResolveCache(ctx)
				if err != nil {
					return err
				}
				size(tx, "-65536")
				restore()
				size(tx, "-8192")
				return tx.ReleaseCache(ctx)
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.Transact(ctx, func(tx *store.Tx) error {
				size(tx, "-8192") // the writer's next transaction
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.View(ctx, func(tx *store.Tx) error {
				size(tx, "-8192")
				restore, err := tx.ResolveCache(ctx) // a reader resolves nothing
				if err != nil {
					return err
				}
				size(tx, "-8192")
				restore()
				return tx.ReleaseCache(ctx)
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
