package service_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// BenchmarkBackup times drive backup's work (the snapshot, the digests of
// every table, the audit chain check, the archive) on a database holding
// BACKUP_BENCH_NOTES sealed case notes (default 20,000), each with its
// audit event, idle and while a case manager writes notes as fast as the
// database takes them. Figures are in docs/benchmarks.md.
func BenchmarkBackup(b *testing.B) {
	notes := 20_000
	if v := os.Getenv("BACKUP_BENCH_NOTES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatal(err)
		}
		notes = n
	}
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			w := benchWorld(b, e, notes)
			_, priv, _ := ed25519.GenerateKey(rand.Reader)
			for _, load := range []string{"idle", "under-writes"} {
				b.Run(load, func(b *testing.B) {
					stop := make(chan struct{})
					var wg sync.WaitGroup
					var written atomic.Int64
					if load == "under-writes" {
						cm := w.actor(b, "cm")
						wg.Add(1)
						go func() {
							defer wg.Done()
							for i := 0; ; i++ {
								select {
								case <-stop:
									return
								default:
								}
								if err := w.svc.AddNote(ctx, cm, w.caseID, &casework.Note{Text: fmt.Sprintf("Bench note %d.", i)}); err != nil {
									b.Error(err)
									return
								}
								written.Add(1)
							}
						}()
					}
					var size int
					b.ResetTimer()
					for range b.N {
						var buf bytes.Buffer
						if _, err := w.svc.Backup(ctx, service.CommandLine(), &buf, service.BackupOptions{SigningKey: priv, TempDir: b.TempDir()}); err != nil {
							b.Fatal(err)
						}
						size = buf.Len()
					}
					b.StopTimer()
					close(stop)
					wg.Wait()
					b.ReportMetric(float64(size)/(1<<20), "MB/backup")
					b.ReportMetric(float64(written.Load())/float64(b.N), "writes/op")
				})
			}
		})
	}
}

// benchWorld is the fixture with notes sealed case notes on its case,
// each with an audit event, written through the store in batches.
func benchWorld(b *testing.B, e storetest.Engine, notes int) *world {
	b.Helper()
	ctx := context.Background()
	w := newWorldAt(b, e, time.Now)
	w.svc.TextLimit = 1 << 30
	const batch = 1000
	for done := 0; done < notes; done += batch {
		err := w.db.Transact(ctx, func(tx *store.Tx) error {
			for i := done; i < done+batch && i < notes; i++ {
				n := &casework.Note{CaseID: w.caseID, Text: fmt.Sprintf("Session %d: attended, discussed the week.", i), CreatedBy: w.users["cm"].ID}
				err := tx.CreateNote(ctx, n, func(id int64) (store.SealedValue, error) {
					v, err := w.svc.Keys.Seal(rand.Reader, []byte(n.Text), []byte("case_note:"+strconv.FormatInt(id, 10)))
					if err != nil {
						return store.SealedValue{}, err
					}
					return store.SealedValue{Data: v.Marshal(), KeyID: v.KeyID}, nil
				})
				if err != nil {
					return err
				}
				if err := tx.Audit(ctx, audit.Event{Action: "record.write", ActorID: w.users["cm"].ID, ActorRole: "case_manager",
					RecordType: "perpetrator_case", RecordID: strconv.FormatInt(w.caseID, 10), SiteID: w.siteA.ID, Remote: "192.0.2.1", Outcome: audit.OutcomeOK}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return w
}
