package service_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/service"
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
			if _, err := w.svc.SearchAudit(ctx, w.actor(t, "dpoA"), service.AuditQuery{RecordType: "no such type!", RecordID: "1"}); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a bad record type: %v, want invalid", err)
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Errorf("a refused search wrote %d events", len(es))
			}
			id := strconv.FormatInt(w.caseID, 10)
			rows, err := w.svc.SearchAudit(ctx, w.actor(t, "dpoA"), service.AuditQuery{RecordType: "case", RecordID: id})
			if err != nil || len(rows) == 0 {
				t.Fatalf("site A's dpo searching case %s: %d rows, %v", id, len(rows), err)
			}
			for _, r := range rows {
				if r.RecordType != "case" || r.RecordID != id || r.Actor == "" {
					t.Errorf("row %+v", r)
				}
			}
			if rows, err := w.svc.SearchAudit(ctx, w.actor(t, "dpoB"), service.AuditQuery{RecordType: "case", RecordID: id}); err != nil || len(rows) != 0 {
				t.Errorf("site B's dpo sees %d events of site A's case, %v", len(rows), err)
			}
			es := w.events(t, head)
			if len(es) != 2 || es[0].Action != "audit.read" || es[0].ActorID != w.users["dpoA"].ID || es[0].RecordID != id {
				t.Errorf("searches audited as %+v", es)
			}
		})
	}
}

// TestSearchAuditBy searches by user, action and date range on both
// engines: each narrows the answer to what matches, events are said in
// words, a site's officer sees the sign-ins of the site's own staff and
// not another site's, and a search for someone nobody is called is
// refused without being recorded.
func TestSearchAuditBy(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			now := w.db.Now()
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				u := &account.User{Username: "user.dpoa", DisplayName: "Laura Bennett", OrganisationID: w.users["cm"].OrganisationID,
					PasswordHash: "x", Roles: []account.RoleAssignment{{Role: access.DPO, SiteID: w.siteA.ID}}}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				w.users["dpoA"] = u
				// Sign-ins touch no site's data: they carry no site.
				for _, name := range []string{"cm", "otherCM"} {
					if err := tx.Audit(ctx, audit.Event{At: now.Add(-30 * time.Hour), Action: audit.ActionSigninSuccess, ActorID: w.users[name].ID,
						RecordType: "user", RecordID: strconv.FormatInt(w.users[name].ID, 10), Outcome: audit.OutcomeOK}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Case(ctx, w.actor(t, "cm"), w.caseID); err != nil {
				t.Fatal(err)
			}
			dpo := w.actor(t, "dpoA")
			rows, err := w.svc.SearchAudit(ctx, dpo, service.AuditQuery{Action: audit.ActionSigninSuccess})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 1 || rows[0].ActorID != w.users["cm"].ID || rows[0].Sentence != "User cm signed in" {
				t.Errorf("site A's officer sees sign-ins %+v; want only User cm's", rows)
			}
			rows, err = w.svc.SearchAudit(ctx, dpo, service.AuditQuery{User: "USER.CM"})
			if err != nil || len(rows) < 2 {
				t.Fatalf("by username: %d rows, %v", len(rows), err)
			}
			id := strconv.FormatInt(w.caseID, 10)
			var read bool
			for _, r := range rows {
				if r.ActorID != w.users["cm"].ID {
					t.Errorf("searching for user.cm found %+v", r)
				}
				read = read || r.Sentence == "User cm read perpetrator case "+id
			}
			if !read {
				t.Errorf("no event says the case was read in words: %+v", rows)
			}
			today := drive.DateOf(now)
			rows, err = w.svc.SearchAudit(ctx, dpo, service.AuditQuery{User: "cm", From: today, To: today})
			if err != nil || len(rows) == 0 {
				t.Fatalf("today: %d rows, %v", len(rows), err)
			}
			for _, r := range rows {
				if r.Action == audit.ActionSigninSuccess {
					t.Errorf("yesterday's sign-in is in today's events")
				}
			}
			if rows, err = w.svc.SearchAudit(ctx, dpo, service.AuditQuery{User: "cm", To: today.AddDays(-1)}); err != nil || len(rows) != 1 {
				t.Errorf("up to yesterday: %d rows, %v; want the sign-in", len(rows), err)
			}
			head := w.head(t)
			for name, q := range map[string]service.AuditQuery{
				"user":   {User: "Nobody Called This"},
				"action": {Action: "made.up"},
				"to":     {From: today, To: today.AddDays(-2)},
			} {
				_, err := w.svc.SearchAudit(ctx, dpo, q)
				var de *drive.Error
				if !errors.As(err, &de) || de.Code != drive.EINVALID || de.Fields[name] == "" {
					t.Errorf("search %+v: %v; want invalid naming %s", q, err, name)
				}
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Errorf("refused searches wrote %d events", len(es))
			}
		})
	}
}
