package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestFullDiskRollsBack: on a SQLite database that cannot grow (a full
// disk), a write of many records fails part-way with EUNAVAILABLE and a
// message saying nothing was saved; none of its records is kept, the
// audit chain verifies, and once there is room the same write succeeds.
func TestFullDiskRollsBack(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t, nil)
	site := &account.Site{Code: "FUL", Name: "Full", Region: "R"}
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateSite(ctx, site) }); err != nil {
		t.Fatal(err)
	}
	count := func() (people, events int) {
		t.Helper()
		err := db.View(ctx, func(tx *store.Tx) error {
			ps, err := tx.PeopleAtSites(ctx, []int64{site.ID})
			people = len(ps)
			if err != nil {
				return err
			}
			es, err := tx.AuditEvents(ctx, store.AuditFilter{Limit: 100000})
			events = len(es)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return people, events
	}
	write := func() error {
		return db.Transact(ctx, func(tx *store.Tx) error {
			for i := 0; i < 2000; i++ {
				p := &people.Person{SiteID: site.ID, GivenName: "Given", FamilyName: "Family" + strings.Repeat("x", 90), Aliases: []string{strings.Repeat("y", 90)}}
				if err := tx.CreatePerson(ctx, p); err != nil {
					return err
				}
			}
			return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordWrite, ActorRole: "system", RecordType: "person", Outcome: audit.OutcomeOK})
		})
	}
	p0, e0 := count()
	if err := db.FillDisk(ctx); err != nil {
		t.Fatal(err)
	}
	err := write()
	if drive.ErrorCode(err) != drive.EUNAVAILABLE || drive.ErrorMessage(err) != store.DiskFull {
		t.Fatalf("a write on a full disk: %v (%s); want EUNAVAILABLE saying %q", err, drive.ErrorCode(err), store.DiskFull)
	}
	if p1, e1 := count(); p1 != p0 || e1 != e0 {
		t.Fatalf("the failed write kept %d people and %d audit events", p1-p0, e1-e0)
	}
	verifyChain(t, db)
	// Room again: the same write goes through whole.
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.RawExec(ctx, `PRAGMA max_page_count = 1073741823`) }); err != nil {
		t.Fatal(err)
	}
	if err := write(); err != nil {
		t.Fatal(err)
	}
	if p2, e2 := count(); p2 != p0+2000 || e2 != e0+1 {
		t.Fatalf("after room was made: %d people and %d audit events added; want 2000 and 1", p2-p0, e2-e0)
	}
	verifyChain(t, db)
}

func verifyChain(t *testing.T, db *store.DB) {
	t.Helper()
	if _, be := verifyAudit(t, db); be != nil {
		t.Fatalf("audit chain broken: %v", be)
	}
}
