package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// RunAuditBatch checks the audited read (DB.Read): many concurrent
// reads and writes make one chain that verifies, with every
// acknowledged event in it once; a batch that cannot be committed fails
// every read waiting on it and leaves the chain as it was; a read that
// fails records nothing.
func RunAuditBatch(t *testing.T, e Engine) {
	t.Run("ConcurrentReadsAndWrites", func(t *testing.T) { testAuditConcurrent(t, e) })
	t.Run("FailedBatchFailsEveryReader", func(t *testing.T) { testAuditBatchFails(t, e) })
	t.Run("FailedReadRecordsNothing", func(t *testing.T) { testAuditFailedRead(t, e) })
}

func readEvent(id string) audit.Event {
	return audit.Event{Action: audit.ActionRecordRead, ActorID: 7, ActorRole: "case_manager", RecordType: "case", RecordID: id,
		SiteID: 1, Remote: "127.0.0.1", Outcome: audit.OutcomeAllowed}
}

// auditLog reads the whole log, checks its chain as drive audit verify
// does, and returns how many times each record id appears.
func auditLog(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	v, err := audit.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	if err := db.EachAuditEvent(context.Background(), func(e audit.Event) error {
		seen[e.RecordID]++
		return v.Add(e)
	}); err != nil {
		t.Fatalf("the audit log does not verify: %v", err)
	}
	if _, err := v.Finish(); err != nil {
		t.Fatalf("the audit log does not verify: %v", err)
	}
	return seen
}

func testAuditConcurrent(t *testing.T, e Engine) {
	ctx := context.Background()
	db := e.Open(t, nil)
	const readers, reads, writers, writes = 40, 10, 4, 10
	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
		errs  = make(chan error, readers*reads+writers*writes)
	)
	for g := 0; g < readers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < reads; i++ {
				// Some reads record two events (a case and its
				// victim-survivor's risk facts), some one.
				ids := []string{fmt.Sprintf("r-%d-%d-a", g, i)}
				if i%2 == 0 {
					ids = append(ids, fmt.Sprintf("r-%d-%d-b", g, i))
				}
				err := db.Read(ctx, func(tx *store.Tx) error {
					if _, err := tx.LastAuditSeq(ctx); err != nil {
						return err
					}
					for _, id := range ids {
						if err := tx.Audit(ctx, readEvent(id)); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				acked = append(acked, ids...)
				mu.Unlock()
			}
		}()
	}
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < writes; i++ {
				id := fmt.Sprintf("w-%d-%d", g, i)
				if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, readEvent(id)) }); err != nil {
					errs <- err
					continue
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("audited read or write failed: %v", err)
	}
	seen := auditLog(t, db)
	want := readers*reads + readers*reads/2 + writers*writes
	if len(acked) != want {
		t.Fatalf("%d events acknowledged; want %d", len(acked), want)
	}
	for _, id := range acked {
		if seen[id] != 1 {
			t.Errorf("acknowledged event %s is in the log %d times; want once", id, seen[id])
		}
	}
	if len(seen) != want {
		t.Errorf("the log holds %d events; want the %d acknowledged", len(seen), want)
	}
}

var errInjected = errors.New("injected storage failure")

func testAuditBatchFails(t *testing.T, e Engine) {
	ctx := context.Background()
	var failing atomic.Bool
	db, err := store.Open(ctx, e.Blank(t), store.Options{Keys: credentialKeys(), Fault: func() error {
		if failing.Load() {
			return errInjected
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// A write holds the chain (SQLite's writer, PostgreSQL's lock)
	// while the reads queue behind it, so they meet in the batch that
	// follows it; that batch, and any after, fail.
	holding, release, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		held <- db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.Audit(ctx, readEvent("before")); err != nil {
				return err
			}
			close(holding)
			<-release
			return nil
		})
	}()
	<-holding
	failing.Store(true)
	const readers = 20
	results := make(chan error, readers)
	for g := 0; g < readers; g++ {
		go func() {
			results <- db.Read(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, readEvent(fmt.Sprintf("failed-%d", g))) })
		}()
	}
	time.Sleep(100 * time.Millisecond) // let the reads queue; the test holds however they are batched
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	for g := 0; g < readers; g++ {
		if err := <-results; !errors.Is(err, errInjected) {
			t.Errorf("a read whose audit batch failed answered %v; want the storage failure", err)
		}
	}
	failing.Store(false)
	seen := auditLog(t, db)
	if len(seen) != 1 || seen["before"] != 1 {
		t.Errorf("after the failed batch the log holds %v; want only the event before it", seen)
	}
	if err := db.Read(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, readEvent("after")) }); err != nil {
		t.Fatalf("a read after the failure: %v", err)
	}
	if seen := auditLog(t, db); len(seen) != 2 || seen["after"] != 1 {
		t.Errorf("the log holds %v; want the events before and after the failure", seen)
	}
}

func testAuditFailedRead(t *testing.T, e Engine) {
	ctx := context.Background()
	db := e.Open(t, nil)
	refused := errors.New("refused")
	err := db.Read(ctx, func(tx *store.Tx) error {
		if err := tx.Audit(ctx, readEvent("refused")); err != nil {
			return err
		}
		return refused
	})
	if !errors.Is(err, refused) {
		t.Fatalf("Read answered %v; want the read's own error", err)
	}
	// An event that is not valid fails the read that made it, at once.
	if err := db.Read(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, audit.Event{Action: "Not a verb"}) }); err == nil {
		t.Error("a read auditing an invalid event succeeded")
	}
	// A read-only transaction that is not an audited read refuses to audit.
	if err := db.View(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, readEvent("view")) }); err == nil {
		t.Error("View audited")
	}
	if err := db.Read(ctx, func(tx *store.Tx) error { return nil }); err != nil {
		t.Fatalf("a read auditing nothing: %v", err)
	}
	if seen := auditLog(t, db); len(seen) != 0 {
		t.Errorf("the log holds %v; want nothing", seen)
	}
}
