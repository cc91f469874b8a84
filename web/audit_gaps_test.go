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
