package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestAuditSearchPage: a data protection officer finds a named event by
// who did it and by the record the hint's example names, reads it in
// words, and a search for nobody is corrected on the form.
func TestAuditSearchPage(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			f := newSiteFixture(t, e, now, []access.Role{access.DPO}, func(ctx context.Context, tx *store.Tx, site account.Site) error {
				org := &account.Organisation{Name: "IDVA service", Kind: account.IDVAService}
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				u := &account.User{Username: "laura.bennett", DisplayName: "Laura Bennett", OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X",
					Roles: []account.RoleAssignment{{Role: access.IDVA, SiteID: site.ID}}}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				if err := tx.Audit(ctx, audit.Event{At: now.Add(-2 * time.Hour), Action: "compartment.read", ActorID: u.ID, ActorRole: string(access.IDVA),
					RecordType: "victim", RecordID: "17", SiteID: site.ID, Outcome: audit.OutcomeAllowed}); err != nil {
					return err
				}
				return tx.Audit(ctx, audit.Event{At: now.Add(-time.Hour), Action: audit.ActionRecordWrite, ActorID: u.ID, ActorRole: string(access.IDVA),
					RecordType: "victim", RecordID: "17", SiteID: site.ID, Outcome: audit.OutcomeAllowed, Reason: audit.Part(audit.PartSafetyPlan)})
			})
			const want = "Laura Bennett read the victim compartment of IDVA case 17"
			for name, form := range map[string]url.Values{
				"by user":               {"user": {"bennett"}},
				"by the hint's example": {"record_type": {"victim"}, "record_id": {"17"}},
				"by action and day":     {"action": {"compartment.read"}, "from": {"23/11/2026"}, "to": {"23/11/2026"}},
			} {
				status, body, _ := f.do(access.DPO, "POST", "/audit", form)
				if status != http.StatusOK || !strings.Contains(body, want) {
					t.Errorf("%s: %d, the event in words found: %v", name, status, strings.Contains(body, want))
				}
			}
			// By the part a change named: the change, in words with its
			// part, and not the read.
			const changed = "Laura Bennett changed IDVA case 17 (the safety plan)"
			status, body, _ := f.do(access.DPO, "POST", "/audit", url.Values{"part": {audit.PartSafetyPlan}})
			if status != http.StatusOK || !strings.Contains(body, changed) || strings.Contains(body, want) {
				t.Errorf("by part: %d, the change found %v, the read found %v", status, strings.Contains(body, changed), strings.Contains(body, want))
			}
			status, body, _ = f.do(access.DPO, "GET", "/audit?part="+url.QueryEscape(audit.PartProtected), nil)
			if status != http.StatusOK || strings.Contains(body, changed) || !strings.Contains(body, "No events match") {
				t.Errorf("by a part nobody changed: %d, the change found %v", status, strings.Contains(body, changed))
			}
			status, body, _ = f.do(access.DPO, "POST", "/audit", url.Values{"part": {"her address"}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Choose the part that changed from the list") {
				t.Errorf("a part not on the list: %d", status)
			}
			status, body, _ = f.do(access.DPO, "POST", "/audit", url.Values{"user": {"Nobody Called This"}})
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "No user has that username") {
				t.Errorf("a search for nobody: %d", status)
			}
			// A name typed in the address is not searched for: names
			// never travel in a URL.
			status, body, _ = f.do(access.DPO, "GET", "/audit?user=bennett", nil)
			if status != http.StatusOK || strings.Contains(body, want) {
				t.Errorf("GET with a name: %d, searched %v", status, strings.Contains(body, want))
			}
		})
	}
}
