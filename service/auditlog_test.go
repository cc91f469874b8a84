package service_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestSearchAudit checks the audit search on both engines: a search that
// cannot name a record is refused and writes nothing; a site's data
// protection officer finds who touched a case at their site, and not at
// another, and the search is itself audited.
func TestSearchAudit(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				for name, site := range map[string]int64{"dpoA": w.siteA.ID, "dpoB": w.siteB.ID} {
					u := &account.User{Username: "user." + name, DisplayName: "User " + name, OrganisationID: w.users["cm"].OrganisationID,
						PasswordHash: "x", Roles: []account.RoleAssignment{{Role: access.DPO, SiteID: site}}}
					w.users[name] = u
					if err := tx.CreateUser(ctx, u); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The case manager opens his case: an event at site A.
			if _, err := w.svc.Case(ctx, w.actor(t, "cm"), w.caseID); err != nil {
				t.Fatal(err)
			}
			head := w.head(t)
			if _, err := w.svc.SearchAudit(ctx, w.actor(t, "dpoA"), "no such type!", "1"); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a bad record type: %v, want invalid", err)
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Errorf("a refused search wrote %d events", len(es))
			}
			id := strconv.FormatInt(w.caseID, 10)
			rows, err := w.svc.SearchAudit(ctx, w.actor(t, "dpoA"), "case", id)
			if err != nil || len(rows) == 0 {
				t.Fatalf("site A's dpo searching case %s: %d rows, %v", id, len(rows), err)
			}
			for _, r := range rows {
				if r.RecordType != "case" || r.RecordID != id || r.Actor == "" {
					t.Errorf("row %+v", r)
				}
			}
			if rows, err := w.svc.SearchAudit(ctx, w.actor(t, "dpoB"), "case", id); err != nil || len(rows) != 0 {
				t.Errorf("site B's dpo sees %d events of site A's case, %v", len(rows), err)
			}
			es := w.events(t, head)
			if len(es) != 2 || es[0].Action != "audit.read" || es[0].ActorID != w.users["dpoA"].ID || es[0].RecordID != id {
				t.Errorf("searches audited as %+v", es)
			}
		})
	}
}
