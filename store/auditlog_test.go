package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// auditDB is a migrated database together with a second, raw connection
// to the same database, through which tests tamper with the audit table
// the way someone with write access to the database could.
type auditDB struct {
	db     *store.DB
	raw    *sql.DB
	engine string
}

// exec runs a statement written with ? placeholders on the raw connection.
func (a auditDB) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if a.engine == "postgres" {
		n := 0
		var b strings.Builder
		for _, r := range query {
			if r == '?' {
				n++
				b.WriteString("$" + strconv.Itoa(n))
				continue
			}
			b.WriteRune(r)
		}
		query = b.String()
	}
	if _, err := a.raw.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("tamper %q: %v", query, err)
	}
}

// openAuditDB opens a fresh database on the named engine. storetest opens
// databases without saying where they are, so this repeats its recipe to
// know the file (SQLite) or the URL (PostgreSQL) for the raw connection.
func openAuditDB(t *testing.T, engine string, now func() time.Time) auditDB {
	t.Helper()
	ctx := context.Background()
	var dsn, rawDriver, rawDSN string
	switch engine {
	case "sqlite":
		dsn = filepath.Join(t.TempDir(), "drive.db")
		// The same time format as the store's own connections, so that
		// times written here read back the way the store wrote them.
		rawDriver, rawDSN = "sqlite", "file:"+dsn+"?_time_format=sqlite&_pragma=busy_timeout(10000)"
	case "postgres":
		admin := os.Getenv("DRIVE_TEST_POSTGRES")
		var b [6]byte
		_, _ = rand.Read(b[:])
		name := "drive_audit_" + hex.EncodeToString(b[:])
		adb, err := sql.Open("pgx", admin)
		if err != nil {
			t.Fatalf("open admin connection: %v", err)
		}
		if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			adb.Close()
			t.Fatalf("create test database: %v", err)
		}
		adb.Close()
		t.Cleanup(func() {
			adb, err := sql.Open("pgx", admin)
			if err != nil {
				return
			}
			defer adb.Close()
			_, _ = adb.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		})
		u, err := url.Parse(admin)
		if err != nil {
			t.Fatalf("parse DRIVE_TEST_POSTGRES: %v", err)
		}
		u.Path = "/" + name
		dsn = u.String()
		rawDriver, rawDSN = "pgx", dsn
	default:
		t.Fatalf("unknown engine %q", engine)
	}
	db, err := store.Open(ctx, dsn, store.Options{Now: now})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	raw, err := sql.Open(rawDriver, rawDSN)
	if err != nil {
		t.Fatalf("open raw connection: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	dropAuditGuard(t, raw, engine)
	return auditDB{db: db, raw: raw, engine: engine}
}

// auditEngines names the engines storetest would run.
func auditEngines(t *testing.T) []string {
	var names []string
	for _, e := range storetest.Engines(t) {
		names = append(names, e.Name)
	}
	return names
}

// auditAt is when the test's events happen: a second apart, with
// microseconds, so that the time's round trip is checked too.
func auditAt(i int) time.Time {
	return time.Date(2026, 4, 30, 23, 59, 0, 123456000, time.UTC).Add(time.Duration(i) * time.Second)
}

// testEvent is the i'th event the tests write, varying every field.
func testEvent(i int) audit.Event {
	e := audit.Event{
		At:         auditAt(i),
		ActorID:    int64(100 + i%3),
		ActorRole:  []string{"case_manager", "idva", "dpo"}[i%3],
		Action:     []string{audit.ActionRecordRead, audit.ActionRecordWrite, audit.ActionRecordExport}[i%3],
		RecordType: "perpetrator_case",
		RecordID:   strconv.Itoa(1000 + i),
		SiteID:     int64(1 + i%2),
		Remote:     "198.51.100." + strconv.Itoa(i%250),
		Outcome:    audit.OutcomeOK,
	}
	if i%5 == 0 {
		e.Action, e.Outcome = audit.ActionBreakGlassOpen, audit.OutcomeAllowed
		e.RecordType = "victim_case"
		e.Reason = "urgent safeguarding review requested by the duty manager (" + strconv.Itoa(i) + ")"
	}
	return e
}

var errRollback = errors.New("roll back on purpose")

// appendAudit writes events through tx.Audit until want events are
// stored, and returns them as the test meant them. Every third transaction
// also writes an event and then fails, and every fourth writes two events;
// the failed ones must leave neither an event nor a gap in the numbers.
func appendAudit(t *testing.T, db *store.DB, want int) []audit.Event {
	t.Helper()
	ctx := context.Background()
	var stored []audit.Event
	for i := 1; len(stored) < want; i++ {
		if i%3 == 0 {
			err := db.Transact(ctx, func(tx *store.Tx) error {
				e := testEvent(1000 + i)
				e.Action = "record.discarded"
				if err := tx.Audit(ctx, e); err != nil {
					return err
				}
				return errRollback
			})
			if !errors.Is(err, errRollback) {
				t.Fatalf("rolled-back transaction: got %v, want the rollback error", err)
			}
			continue
		}
		batch := []audit.Event{testEvent(len(stored) + 1)}
		if i%4 == 0 && len(stored)+2 <= want {
			batch = append(batch, testEvent(len(stored)+2))
		}
		if err := db.Transact(ctx, func(tx *store.Tx) error {
			for _, e := range batch {
				if err := tx.Audit(ctx, e); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatalf("append: %v", err)
		}
		stored = append(stored, batch...)
	}
	return stored
}

// readAudit returns every stored event in order.
func readAudit(t *testing.T, db *store.DB) []audit.Event {
	t.Helper()
	var events []audit.Event
	if err := db.EachAuditEvent(context.Background(), func(e audit.Event) error {
		events = append(events, e)
		return nil
	}); err != nil {
		t.Fatalf("read audit log: %v", err)
	}
	return events
}

// verifyAudit streams the stored log through a Verifier with the given
// checkpoints. The error is nil or a *audit.BreakError; anything else fails
// the test.
func verifyAudit(t *testing.T, db *store.DB, cps ...audit.Checkpoint) (audit.Report, *audit.BreakError) {
	t.Helper()
	v, err := audit.NewVerifier(cps...)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	err = db.EachAuditEvent(context.Background(), v.Add)
	var be *audit.BreakError
	if err != nil && !errors.As(err, &be) {
		t.Fatalf("read audit log: %v", err)
	}
	report, err := v.Finish()
	if err != nil && !errors.As(err, &be) {
		t.Fatalf("Finish: %v", err)
	}
	if err == nil {
		be = nil
	}
	return report, be
}

// TestAuditAppendAndVerify checks what tx.Audit stores: every field as
// given, numbered without gaps across committed and rolled-back
// transactions, and a chain the Verifier accepts.
func TestAuditAppendAndVerify(t *testing.T) {
	for _, engine := range auditEngines(t) {
		t.Run(engine, func(t *testing.T) {
			a := openAuditDB(t, engine, storetest.FixedClock(storetest.Epoch))
			want := appendAudit(t, a.db, 20)
			got := readAudit(t, a.db)
			if len(got) != len(want) {
				t.Fatalf("stored %d events, want %d (rolled-back events must leave nothing)", len(got), len(want))
			}
			for i, g := range got {
				w := want[i]
				if g.Seq != int64(i+1) {
					t.Errorf("event %d is numbered %d: the numbers must have no gaps", i+1, g.Seq)
				}
				if !g.At.Equal(w.At) || g.At.Location() != time.UTC {
					t.Errorf("event %d: at = %v, want %v in UTC", g.Seq, g.At, w.At)
				}
				if g.ActorID != w.ActorID || g.ActorRole != w.ActorRole || g.Action != w.Action || g.RecordType != w.RecordType ||
					g.RecordID != w.RecordID || g.SiteID != w.SiteID || g.Remote != w.Remote || g.Reason != w.Reason || g.Outcome != w.Outcome {
					t.Errorf("event %d = %+v, want the fields of %+v", g.Seq, g, w)
				}
			}
			report, be := verifyAudit(t, a.db)
			if be != nil {
				t.Fatalf("intact log reported broken: %v", be)
			}
			last := got[len(got)-1]
			if report.Events != 20 || report.HeadSeq != 20 || hex.EncodeToString(report.HeadHash) != hex.EncodeToString(last.Hash) {
				t.Fatalf("report = %+v, want 20 events ending at event 20 with hash %x", report, last.Hash)
			}

			// An event that takes its time from the transaction gets the
			// transaction's clock, and the chain carries on from the head.
			ctx := context.Background()
			if err := a.db.Transact(ctx, func(tx *store.Tx) error {
				e := testEvent(21)
				e.At = time.Time{}
				return tx.Audit(ctx, e)
			}); err != nil {
				t.Fatal(err)
			}
			all := readAudit(t, a.db)
			if e := all[len(all)-1]; e.Seq != 21 || !e.At.Equal(storetest.Epoch.Truncate(time.Microsecond)) {
				t.Fatalf("event with no time: seq %d at %v, want 21 at the transaction's clock %v", e.Seq, e.At, storetest.Epoch)
			}
			if _, be := verifyAudit(t, a.db); be != nil {
				t.Fatalf("after a further append: %v", be)
			}
		})
	}
}

// TestAuditTamperIsDetected changes the stored log behind the store's back
// in each way someone with write access to the database could, and checks
// that verification names the right event and the right kind of break.
func TestAuditTamperIsDetected(t *testing.T) {
	const n = 20
	tests := []struct {
		name string
		// tamper changes the stored log; events are the log as written.
		tamper func(t *testing.T, a auditDB, events []audit.Event)
		// checkpoint verifies against a checkpoint of the log as written.
		checkpoint bool
		// want is the break, or nil for a log that must still pass.
		want *audit.BreakError
	}{
		{name: "intact", tamper: func(*testing.T, auditDB, []audit.Event) {}},
		{name: "intact with checkpoint", checkpoint: true, tamper: func(*testing.T, auditDB, []audit.Event) {}},
		{
			name: "edit action",
			tamper: func(t *testing.T, a auditDB, _ []audit.Event) {
				a.exec(t, `UPDATE audit_events SET action = 'record.tampered' WHERE seq = 7`)
			},
			want: &audit.BreakError{Seq: 7, Kind: audit.BreakEdited, Found: 7},
		},
		{
			name: "edit record_id",
			tamper: func(t *testing.T, a auditDB, _ []audit.Event) {
				a.exec(t, `UPDATE audit_events SET record_id = '9999' WHERE seq = 12`)
			},
			want: &audit.BreakError{Seq: 12, Kind: audit.BreakEdited, Found: 12},
		},
		{
			name: "edit actor_id",
			tamper: func(t *testing.T, a auditDB, _ []audit.Event) {
				a.exec(t, `UPDATE audit_events SET actor_id = actor_id + 1 WHERE seq = 1`)
			},
			want: &audit.BreakError{Seq: 1, Kind: audit.BreakEdited, Found: 1},
		},
		{
			name: "edit at",
			tamper: func(t *testing.T, a auditDB, events []audit.Event) {
				a.exec(t, `UPDATE audit_events SET at = ? WHERE seq = 15`, events[14].At.Add(-time.Hour))
			},
			want: &audit.BreakError{Seq: 15, Kind: audit.BreakEdited, Found: 15},
		},
		{
			name: "edit at by one microsecond",
			tamper: func(t *testing.T, a auditDB, events []audit.Event) {
				a.exec(t, `UPDATE audit_events SET at = ? WHERE seq = 16`, events[15].At.Add(time.Microsecond))
			},
			want: &audit.BreakError{Seq: 16, Kind: audit.BreakEdited, Found: 16},
		},
		{
			name: "edit reason",
			tamper: func(t *testing.T, a auditDB, _ []audit.Event) {
				// Event 10 is a break-glass access with a reason.
				a.exec(t, `UPDATE audit_events SET reason = 'routine check' WHERE seq = 10`)
			},
			want: &audit.BreakError{Seq: 10, Kind: audit.BreakEdited, Found: 10},
		},
		{
			name: "delete a middle event",
			tamper: func(t *testing.T, a auditDB, _ []audit.Event) {
				a.exec(t, `DELETE FROM audit_events WHERE seq = 9`)
			},
			want: &audit.BreakError{Seq: 9, Kind: audit.BreakMissing, Found: 10},
		},
		{
			name: "delete the first event",
			tamper: func(t *testing.T, a auditDB, _ []audit.Event) {
				a.exec(t, `DELETE FROM audit_events WHERE seq = 1`)
			},
			want: &audit.BreakError{Seq: 1, Kind: audit.BreakMissing, Found: 2},
		},
		{
			// The chain alone cannot see a shortened log.
			name: "delete the last event without a checkpoint",
			tamper: func(t *testing.T, a auditDB, _ []audit.Event) {
				a.exec(t, `DELETE FROM audit_events WHERE seq = ?`, n)
			},
		},
		{
			name:       "delete the last event",
			checkpoint: true,
			tamper: func(t *testing.T, a auditDB, _ []audit.Event) {
				a.exec(t, `DELETE FROM audit_events WHERE seq = ?`, n)
			},
			want: &audit.BreakError{Seq: n, Kind: audit.BreakTruncated, Found: n - 1},
		},
		{
			name:       "delete every event",
			checkpoint: true,
			tamper: func(t *testing.T, a auditDB, _ []audit.Event) {
				a.exec(t, `DELETE FROM audit_events`)
			},
			want: &audit.BreakError{Seq: 1, Kind: audit.BreakTruncated, Found: 0},
		},
		{
			// Swapping the numbers of two rows reorders them; the number is
			// covered by the hash, so the first is reported as edited.
			name: "swap the numbers of two events",
			tamper: func(t *testing.T, a auditDB, _ []audit.Event) {
				a.exec(t, `UPDATE audit_events SET seq = -5 WHERE seq = 5`)
				a.exec(t, `UPDATE audit_events SET seq = 5 WHERE seq = 6`)
				a.exec(t, `UPDATE audit_events SET seq = 6 WHERE seq = -5`)
			},
			want: &audit.BreakError{Seq: 5, Kind: audit.BreakEdited, Found: 5},
		},
		{
			// Swapped and each resealed under its new number: the hashes
			// match, but the first no longer links to event 4.
			name: "swap two events and recompute their hashes",
			tamper: func(t *testing.T, a auditDB, events []audit.Event) {
				e5, e6 := events[5], events[4] // the new fifth and sixth
				e5.Seq, e6.Seq = 5, 6
				e5 = audit.Seal(e5.PrevHash, e5)
				e6 = audit.Seal(e6.PrevHash, e6)
				a.exec(t, `DELETE FROM audit_events WHERE seq IN (5, 6)`)
				insertRaw(t, a, e5)
				insertRaw(t, a, e6)
			},
			want: &audit.BreakError{Seq: 5, Kind: audit.BreakUnlinked, Found: 5},
		},
		{
			name: "insert a forged event after the newest",
			tamper: func(t *testing.T, a auditDB, events []audit.Event) {
				forged := testEvent(99)
				forged.Seq, forged.PrevHash, forged.Hash = n+1, events[n-1].Hash, events[n-1].Hash
				insertRaw(t, a, forged)
			},
			want: &audit.BreakError{Seq: n + 1, Kind: audit.BreakEdited, Found: n + 1},
		},
		{
			// A copy of event 3 under a number below 1 sorts first.
			name: "insert a copy of an event",
			tamper: func(t *testing.T, a auditDB, events []audit.Event) {
				copied := events[2]
				copied.Seq = 0
				insertRaw(t, a, copied)
			},
			want: &audit.BreakError{Seq: 1, Kind: audit.BreakEdited, Found: 0},
		},
		{
			// Making room by renumbering the later events breaks the first
			// renumbered one, even though the forged event is sealed and
			// linked correctly.
			name: "insert a forged event in the middle",
			tamper: func(t *testing.T, a auditDB, events []audit.Event) {
				for seq := n; seq >= 11; seq-- {
					a.exec(t, `UPDATE audit_events SET seq = ? WHERE seq = ?`, seq+1, seq)
				}
				forged := testEvent(99)
				forged.Seq = 11
				insertRaw(t, a, audit.Seal(events[9].Hash, forged))
			},
			want: &audit.BreakError{Seq: 12, Kind: audit.BreakEdited, Found: 12},
		},
		{
			// Replaced and resealed: its own hash matches, the next link
			// does not.
			name: "replace an event and recompute its hash",
			tamper: func(t *testing.T, a auditDB, events []audit.Event) {
				forged := testEvent(99)
				forged.Seq = 8
				forged = audit.Seal(events[6].Hash, forged)
				a.exec(t, `DELETE FROM audit_events WHERE seq = 8`)
				insertRaw(t, a, forged)
			},
			want: &audit.BreakError{Seq: 9, Kind: audit.BreakUnlinked, Found: 9},
		},
		{
			// A rewrite of the whole tail, every hash recomputed, passes
			// the chain; only a checkpoint catches it.
			name:       "rewrite the tail with a forged event",
			checkpoint: true,
			tamper: func(t *testing.T, a auditDB, events []audit.Event) {
				a.exec(t, `DELETE FROM audit_events WHERE seq >= 11`)
				head := audit.HeadOf(events[9])
				forged := testEvent(99)
				for i := 10; i < n; i++ {
					e := events[i]
					if i == 10 {
						e = forged
					}
					sealed, err := head.Next(e)
					if err != nil {
						t.Fatal(err)
					}
					insertRaw(t, a, sealed)
					head = audit.HeadOf(sealed)
				}
			},
			want: &audit.BreakError{Seq: n, Kind: audit.BreakCheckpoint, Found: n},
		},
	}
	for _, engine := range auditEngines(t) {
		t.Run(engine, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
					t.Parallel()
					a := openAuditDB(t, engine, storetest.FixedClock(storetest.Epoch))
					appendAudit(t, a.db, n)
					events := readAudit(t, a.db)
					report, be := verifyAudit(t, a.db)
					if be != nil {
						t.Fatalf("log broken before tampering: %v", be)
					}
					var cps []audit.Checkpoint
					if tc.checkpoint {
						cps = append(cps, report.Checkpoint(auditAt(n+60)))
					}
					tc.tamper(t, a, events)
					_, got := verifyAudit(t, a.db, cps...)
					switch {
					case tc.want == nil && got != nil:
						t.Fatalf("verification failed: %v", got)
					case tc.want == nil:
						return
					case got == nil:
						t.Fatalf("tampering not detected; want %s at event %d", tc.want.Kind, tc.want.Seq)
					}
					if got.Kind != tc.want.Kind || got.Seq != tc.want.Seq || got.Found != tc.want.Found {
						t.Fatalf("got %s at event %d (found %d): %v\nwant %s at event %d (found %d)",
							got.Kind, got.Seq, got.Found, got, tc.want.Kind, tc.want.Seq, tc.want.Found)
					}
					if !audit.IsBroken(got) {
						t.Fatalf("IsBroken(%v) = false", got)
					}
				})
			}
		})
	}
}

// insertRaw writes e into the audit table directly, as a forger would.
func insertRaw(t *testing.T, a auditDB, e audit.Event) {
	t.Helper()
	a.exec(t, `INSERT INTO audit_events (seq, at, actor_id, actor_role, action, record_type, record_id, site_id, remote, reason, outcome, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Seq, e.At, e.ActorID, e.ActorRole, e.Action, e.RecordType, e.RecordID, e.SiteID, e.Remote, e.Reason, e.Outcome, e.PrevHash, e.Hash)
}

// TestAuditConcurrentAppends checks that appends racing from many
// goroutines (each its own transaction, as concurrent requests are)
// produce one gapless, valid chain rather than a fork or a failure.
func TestAuditConcurrentAppends(t *testing.T) {
	const workers, each = 10, 20
	for _, engine := range auditEngines(t) {
		t.Run(engine, func(t *testing.T) {
			a := openAuditDB(t, engine, time.Now)
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, workers*each)
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						e := testEvent(w*each + i)
						e.RecordID = fmt.Sprintf("w%d-%d", w, i)
						if err := a.db.Transact(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, e) }); err != nil {
							errs <- fmt.Errorf("worker %d event %d: %w", w, i, err)
						}
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			report, be := verifyAudit(t, a.db)
			if be != nil {
				t.Fatalf("concurrent appends broke the chain: %v", be)
			}
			if report.Events != workers*each || report.HeadSeq != workers*each {
				t.Fatalf("report = %+v, want %d events ending at event %d", report, workers*each, workers*each)
			}
			seen := map[string]bool{}
			for _, e := range readAudit(t, a.db) {
				if seen[e.RecordID] {
					t.Errorf("record %s logged twice", e.RecordID)
				}
				seen[e.RecordID] = true
			}
			if len(seen) != workers*each {
				t.Errorf("%d distinct events stored, want %d", len(seen), workers*each)
			}
		})
	}
}
