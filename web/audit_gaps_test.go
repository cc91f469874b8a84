package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// events returns the audit events of actor name, newest first.
func (w *wall) events(t *testing.T, name string) []audit.Event {
	t.Helper()
	var out []audit.Event
	err := w.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.AuditEvents(context.Background(), store.AuditFilter{ActorID: w.users[name].user.ID, Limit: 1000})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRefusalsCarryTheirSite asks, through the pages and the API on both
// engines, for records of one site as a user of another: each answers
// "not found" exactly like a record that does not exist, and each refusal
// is audited with the refused record's site (none for a missing record),
// so that site's data protection officer finds it in the audit log.
func TestRefusalsCarryTheirSite(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			var site int64
			if err := w.db.View(context.Background(), func(tx *store.Tx) error {
				c, err := tx.Case(context.Background(), w.caseID)
				site = c.SiteID
				return err
			}); err != nil {
				t.Fatal(err)
			}
			const missing = 987654
			refused := map[string][2]string{
				"/cases/" + strconv.FormatInt(w.caseID, 10):            {"case", strconv.FormatInt(w.caseID, 10)},
				"/api/v1/cases/" + strconv.FormatInt(w.caseID, 10):     {"case", strconv.FormatInt(w.caseID, 10)},
				"/people/" + strconv.FormatInt(w.personID, 10):         {"person", strconv.FormatInt(w.personID, 10)},
				"/victims/" + strconv.FormatInt(w.victimID, 10):        {"victim", strconv.FormatInt(w.victimID, 10)},
				"/api/v1/victims/" + strconv.FormatInt(w.victimID, 10): {"victim", strconv.FormatInt(w.victimID, 10)},
			}
			_, missingBody := w.get(t, "sam.otherlead", "/cases/"+strconv.Itoa(missing))
			for path, rec := range refused {
				status, body := w.get(t, "sam.otherlead", path)
				if status != http.StatusNotFound {
					t.Fatalf("%s by another site's team leader: %d; want 404", path, status)
				}
				if strings.HasPrefix(path, "/cases/") && body != missingBody {
					t.Errorf("%s: the refusal differs from a missing case", path)
				}
				found := false
				for _, e := range w.events(t, "sam.otherlead") {
					if e.Action == audit.ActionAccessDenied && e.RecordType == rec[0] && e.RecordID == rec[1] {
						found = true
						if e.SiteID != site {
							t.Errorf("%s: refusal audited at site %d; want the record's site %d", path, e.SiteID, site)
						}
					}
				}
				if !found {
					t.Errorf("%s: no refusal audited", path)
				}
			}
			for _, e := range w.events(t, "sam.otherlead") {
				if e.Action == audit.ActionAccessDenied && e.RecordID == strconv.Itoa(missing) && e.SiteID != 0 {
					t.Errorf("a missing case's refusal carries site %d", e.SiteID)
				}
			}
			// The site's data protection officer sees the refusals.
			q := url.Values{"record_type": {"case"}, "record_id": {strconv.FormatInt(w.caseID, 10)}}
			status, body := w.get(t, "dee.dpo", "/audit?"+q.Encode())
			if status != http.StatusOK || !strings.Contains(body, "sam.otherlead") || !strings.Contains(body, audit.ActionAccessDenied) {
				t.Errorf("the site's data protection officer does not see the refusal (%d)", status)
			}
		})
	}
}

// TestRiskFactsReadAudited opens a perpetrator's case on both engines: the
// page that shows a victim-survivor's risk facts records a read of her
// record as well as of his case; a page or API answer that does not show
// them records none.
func TestRiskFactsReadAudited(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			cpath := "/cases/" + strconv.FormatInt(w.caseID, 10)
			victimID := strconv.FormatInt(w.victimID, 10)
			riskReads := func(name string) int {
				n := 0
				for _, e := range w.events(t, name) {
					if e.Action == audit.ActionRecordRead && e.RecordType == "victim" && e.RecordID == victimID &&
						e.Reason == "risk facts on case "+strconv.FormatInt(w.caseID, 10) {
						n++
					}
				}
				return n
			}
			// The case's summary does not show her risk facts: no read.
			if status, _ := w.get(t, "cal.manager", cpath); status != http.StatusOK {
				t.Fatalf("the case manager's case summary: %d", status)
			}
			if n := riskReads("cal.manager"); n != 0 {
				t.Errorf("the case summary, which does not show her risk facts, recorded %d reads of them", n)
			}
			// Its victims' risk page does.
			status, body := w.get(t, "cal.manager", cpath+"/victims")
			if status != http.StatusOK || !strings.Contains(body, "Victims' risk") {
				t.Fatalf("the case manager's victims' risk page: %d, risk facts shown %v", status, strings.Contains(body, "Victims' risk"))
			}
			if n := riskReads("cal.manager"); n != 1 {
				t.Errorf("the page showing her risk facts recorded %d reads of them; want 1", n)
			}
			for _, e := range w.events(t, "cal.manager") {
				if e.RecordType == "victim" && e.ActorRole != "case_manager" {
					t.Errorf("the risk-facts read names role %q", e.ActorRole)
				}
			}
			if status, _ := w.get(t, "cal.manager", "/api/v1"+cpath); status != http.StatusOK {
				t.Fatalf("the API case read: %d", status)
			}
			if n := riskReads("cal.manager"); n != 1 {
				t.Errorf("the API answer, which does not carry risk facts, recorded a read of them (%d in all)", n)
			}
			// The analyst reads the case but not her risk facts.
			status, body = w.get(t, "ana.analyst", cpath+"/victims")
			if status == http.StatusOK && strings.Contains(body, "Victims' risk") {
				t.Fatal("the analyst sees the risk facts")
			}
			if n := riskReads("ana.analyst"); n != 0 {
				t.Errorf("a page without her risk facts recorded %d reads of them", n)
			}
		})
	}
}
