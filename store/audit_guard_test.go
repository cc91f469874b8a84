package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/backup"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// dropAuditGuard removes the triggers that keep the audit table
// append-only, as the table's owner could: the tampering tests are about
// what the chain and checkpoints catch once that guard is gone.
func dropAuditGuard(t *testing.T, raw *sql.DB, engine string) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`}
	if engine == "postgres" {
		stmts = []string{`DROP TRIGGER audit_events_no_change ON audit_events`, `DROP TRIGGER audit_events_no_truncate ON audit_events`}
	}
	for _, q := range stmts {
		if _, err := raw.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestAuditAppendOnly checks that the database itself refuses to change
// or remove an audit event, on both engines, and that a refused statement
// leaves the log as it was.
func TestAuditAppendOnly(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t, storetest.FixedClock(storetest.Epoch))
			err := db.Transact(ctx, func(tx *store.Tx) error {
				for range 3 {
					if err := tx.Audit(ctx, audit.Event{Action: "record.read", RecordType: "perpetrator_case", RecordID: "1", Outcome: audit.OutcomeAllowed}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			before, err := db.TableDigests(ctx)
			if err != nil {
				t.Fatal(err)
			}
			stmts := []string{
				`UPDATE audit_events SET reason = 'changed' WHERE seq = 2`,
				`DELETE FROM audit_events WHERE seq = 3`,
				`DELETE FROM audit_events`,
			}
			if e.Name == "postgres" {
				stmts = append(stmts, `TRUNCATE audit_events`)
			}
			for _, q := range stmts {
				err := db.Transact(ctx, func(tx *store.Tx) error { return tx.RawExec(ctx, q) })
				if err == nil || !strings.Contains(err.Error(), "append-only") {
					t.Errorf("%s: %v, want it refused as append-only", q, err)
				}
			}
			after, err := db.TableDigests(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(before) != len(after) {
				t.Fatalf("tables changed: %d then %d", len(before), len(after))
			}
			for i := range before {
				if before[i] != after[i] {
					t.Errorf("table %s changed: %+v then %+v", before[i].Name, before[i], after[i])
				}
			}
			// Appending still works.
			err = db.Transact(ctx, func(tx *store.Tx) error {
				return tx.Audit(ctx, audit.Event{Action: "record.read", RecordType: "perpetrator_case", RecordID: "2", Outcome: audit.OutcomeAllowed})
			})
			if err != nil {
				t.Errorf("append after refusals: %v", err)
			}
		})
	}
}

// TestTableDigests checks that a table's digest is the same however often
// it is read, and changes when one value in it changes.
func TestTableDigests(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t, func() time.Time { return storetest.Epoch })
			write := func(q string) {
				t.Helper()
				if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.RawExec(ctx, q) }); err != nil {
					t.Fatal(err)
				}
			}
			write(`INSERT INTO sites (code, name, region, created_at) VALUES ('AAA', 'Site A', 'R', '2026-01-01 00:00:00')`)
			first, err := db.TableDigests(ctx)
			if err != nil {
				t.Fatal(err)
			}
			again, err := db.TableDigests(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sites := func(ts []backup.Table) backup.Table {
				for _, tb := range ts {
					if tb.Name == "sites" {
						return tb
					}
				}
				t.Fatal("no sites table")
				return backup.Table{}
			}
			if sites(first) != sites(again) || sites(first).Rows != 1 {
				t.Fatalf("digests of an unchanged table: %+v then %+v", sites(first), sites(again))
			}
			write(`UPDATE sites SET name = 'Site B' WHERE code = 'AAA'`)
			changed, err := db.TableDigests(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := sites(changed); got.SHA256 == sites(first).SHA256 || got.Rows != 1 {
				t.Errorf("digest after a change: %+v, before %+v", got, sites(first))
			}
		})
	}
}
