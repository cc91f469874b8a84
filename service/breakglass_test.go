package service_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestBreakGlass holds break-glass, the most sensitive use case, to its
// door on both engines: only staff of her IDVA service may open her
// compartment this way; anyone else is told "not found" and nothing is
// written; a reason is required; an opening is stored, audited with its
// reason and raised as an alert, together.
func TestBreakGlass(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			id := strconv.FormatInt(w.victimID, 10)
			alerts := func() int {
				var n int
				err := w.db.View(ctx, func(tx *store.Tx) error {
					as, err := tx.Alerts(ctx, nil, true, 100)
					n = len(as)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			// A data protection officer of her IDVA service may break glass;
			// she does not see the compartment otherwise.
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				u := &account.User{Username: "user.dpo", DisplayName: "User dpo", OrganisationID: w.users["idva"].OrganisationID,
					PasswordHash: "x", Roles: []account.RoleAssignment{{Role: access.DPO, SiteID: w.siteA.ID}}}
				w.users["dpo"] = u
				return tx.CreateUser(ctx, u)
			})
			if err != nil {
				t.Fatal(err)
			}
			before, beforeAlerts := w.state(t), alerts()

			for _, name := range []string{"cm", "lead", "otherCM"} {
				a := w.actor(t, name)
				if _, _, err := w.svc.GlassTarget(ctx, a, "victim", id); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("%s asking to break glass: %v, want not found", name, err)
				}
				if _, err := w.svc.BreakGlass(ctx, a, "victim", id, "Safeguarding concern raised by police", 1); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("%s breaking glass: %v, want not found", name, err)
				}
			}
			lead := w.actor(t, "dpo")
			if _, err := w.svc.BreakGlass(ctx, lead, "victim", id, "", 1); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("breaking glass without a reason: %v, want invalid", err)
			}
			if _, _, err := w.svc.GlassTarget(ctx, lead, "nothing", id); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("an unknown kind of record: %v, want not found", err)
			}
			if after := w.state(t); withoutAudit(after) != withoutAudit(before) || alerts() != beforeAlerts {
				t.Fatalf("refused break-glass wrote something:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			head := w.head(t)
			label, res, err := w.svc.GlassTarget(ctx, lead, "victim", id)
			if err != nil || label != "Victim-survivor" || res.RecordID != id {
				t.Fatalf("her IDVA service's dpo: %q %+v %v", label, res, err)
			}
			if _, err := w.svc.BreakGlass(ctx, lead, "victim", id, "Her IDVA is off sick; police report a threat tonight", 2); err != nil {
				t.Fatal(err)
			}
			es := w.events(t, head)
			if len(es) != 1 || es[0].Action != audit.ActionBreakGlassOpen || es[0].RecordID != id || es[0].ActorID != lead.UserID ||
				es[0].Reason != "Her IDVA is off sick; police report a threat tonight" {
				t.Errorf("break-glass audit = %+v", es)
			}
			if alerts() != beforeAlerts+1 {
				t.Error("no alert raised for the data protection officers")
			}
		})
	}
}
