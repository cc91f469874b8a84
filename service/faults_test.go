package service_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// faults fails the Nth storage call once armed, as SQLite's own test
// suite injects faults.
type faults struct {
	at, calls atomic.Int64
}

var errInjected = errors.New("injected storage fault")

func (f *faults) fault() error {
	if n := f.at.Load(); n > 0 && f.calls.Add(1) == n {
		return errInjected
	}
	return nil
}

// faultyEngines are the test engines with every database opened through
// f's fault.
func faultyEngines(t *testing.T, f *faults) []storetest.Engine {
	open := func(dsn func(t testing.TB) string) func(t testing.TB, now func() time.Time) *store.DB {
		return func(t testing.TB, now func() time.Time) *store.DB {
			t.Helper()
			ctx := context.Background()
			db, err := store.Open(ctx, dsn(t), store.Options{Now: now, Fault: f.fault, Keys: storetest.DatabaseKeys(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			return db
		}
	}
	var out []storetest.Engine
	for _, e := range storetest.Engines(t) {
		dsn := storetest.BlankPostgres
		if e.Name == "sqlite" {
			dsn = func(t testing.TB) string { return filepath.Join(t.TempDir(), "faults.db") }
		}
		out = append(out, storetest.Engine{Name: e.Name, Open: open(dsn)})
	}
	return out
}

// TestEveryFailedStorageCallRollsBack fails each storage call of
// multi-step writes in turn (the first, the second, ... until the write
// makes fewer calls than the fault waits for) and holds every failure to
// the rule: the user gets an error, nothing the write began is kept, and
// the audit chain still verifies.
func TestEveryFailedStorageCallRollsBack(t *testing.T) {
	f := &faults{}
	for _, e := range faultyEngines(t, f) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, e)
			lead, cm := w.actor(t, "lead"), w.actor(t, "cm")
			writes := []struct {
				name string
				do   func() error
			}{
				{"referral", func() error {
					_, err := w.svc.Refer(ctx, lead, referral(w, "Barry", "Brennan", "1979-07-30"))
					return err
				}},
				{"contact", func() error {
					return w.svc.AddContact(ctx, cm, w.caseID, &casework.Contact{Kind: casework.ContactMade,
						On: drive.DateOf(now), Summary: "Met at the office"})
				}},
				{"action", func() error {
					return w.svc.AddAction(ctx, cm, w.caseID, &casework.Action{Type: "one-to-one", Agency: "Drive",
						Owner: "Case manager", DueOn: drive.DateOf(now).AddDays(7)})
				}},
			}
			for _, wr := range writes {
				t.Run(wr.name, func(t *testing.T) {
					n := int64(1)
					for ; ; n++ {
						before := w.state(t)
						f.calls.Store(0)
						f.at.Store(n)
						err := wr.do()
						f.at.Store(0)
						fired := f.calls.Load() >= n
						if err == nil {
							if fired {
								t.Fatalf("call %d failed and the write still succeeded", n)
							}
							break // the write makes fewer than n calls
						}
						if !fired {
							t.Fatalf("the write failed without the fault: %v", err)
						}
						if drive.ErrorCode(err) != drive.EINTERNAL || drive.ErrorMessage(err) == errInjected.Error() {
							t.Errorf("call %d: the user is told %q (%s); want the internal error's safe message", n, drive.ErrorMessage(err), drive.ErrorCode(err))
						}
						if after := w.state(t); after != before {
							t.Fatalf("failing call %d kept part of the write:\nbefore:\n%s\nafter:\n%s", n, before, after)
						}
						verifyChain(t, w)
					}
					if n < 4 {
						t.Fatalf("the write made %d storage calls; a multi-step write makes more", n-1)
					}
					t.Logf("%s: each of %d storage calls failed in turn, nothing kept", wr.name, n-1)
					verifyChain(t, w)
				})
			}
		})
	}
}

func verifyChain(t *testing.T, w *world) {
	t.Helper()
	v, err := audit.NewVerifier()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.EachAuditEvent(context.Background(), v.Add); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
	if _, err := v.Finish(); err != nil {
		t.Fatalf("audit chain: %v", err)
	}
}
