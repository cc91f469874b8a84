package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestMigrateReplicasAtOnce starts several servers' migrations on one
// fresh database at the same moment, as replicas of a new deployment do,
// each with its own connections. Every one must succeed, and between them
// each migration must be applied exactly once. Before the lock was taken
// ahead of creating the migrations table, PostgreSQL failed some of them
// with a duplicate key on its catalogue.
func TestMigrateReplicasAtOnce(t *testing.T) {
	const replicas, rounds = 8, 3
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			for round := 0; round < rounds; round++ {
				migrateAtOnce(t, e.Blank(t), replicas)
			}
		})
	}
}

func migrateAtOnce(t *testing.T, dsn string, replicas int) {
	t.Helper()
	ctx := context.Background()
	dbs := make([]*store.DB, replicas)
	for i := range dbs {
		db, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	start := make(chan struct{})
	applied := make([][]int, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i, db := range dbs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			applied[i], errs[i] = db.Migrate(ctx)
		}()
	}
	close(start)
	wg.Wait()
	times := map[int]int{}
	for i := range dbs {
		if errs[i] != nil {
			t.Errorf("replica %d: %v", i, errs[i])
		}
		for _, v := range applied[i] {
			times[v]++
		}
	}
	st, err := dbs[0].Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Pending) != 0 || len(st.Applied) == 0 {
		t.Fatalf("after migrating, status = %+v; want everything applied", st)
	}
	for _, v := range st.Applied {
		if times[v] != 1 {
			t.Errorf("migration %d applied %d times between the replicas; want once", v, times[v])
		}
	}
}
