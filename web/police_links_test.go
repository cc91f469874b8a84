package web

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

var linkField = regexp.MustCompile(`name="link" value="(\d+)"`)

// TestPoliceRecordsSections: the case page lists the police people linked
// or suggested for him, with the decision forms for a team leader only and
// nothing of the victim-survivor; her page lists the police victims that
// may be her, for readers of her compartment only.
func TestPoliceRecordsSections(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			ctx := context.Background()
			recs := []incident.Record{{Ref: "P1", On: drive.MustDate("2026-09-01"), Type: "abh", Crime: true,
				Suspect: incident.Person{GivenName: "Darren", FamilyName: "Hollis", Postcode: "NM4 2XY"}, // no date of birth: a suggestion
				Victim:  incident.Person{GivenName: "Sam", FamilyName: "Example", DOB: drive.MustDate("1991-04-09")}}}
			if _, _, err := w.srv.svc.ImportIncidents(ctx, service.CommandLine(), "NMR", recs, nil); err != nil {
				t.Fatal(err)
			}
			cpath := "/cases/" + strconv.FormatInt(w.caseID, 10)
			vpath := "/victims/" + strconv.FormatInt(w.victimID, 10)

			status, body := w.get(t, "cal.manager", cpath+"/police")
			if status != 200 || !strings.Contains(body, `id="police-records"`) || !strings.Contains(body, "Suggested") || strings.Contains(body, `name="decision"`) {
				t.Fatalf("the case manager's case page: %d; want the suggestion without the forms", status)
			}
			if l := leaked(body); len(l) > 0 || strings.Contains(body, "Sam Example") || strings.Contains(body, "1991") {
				t.Fatalf("the case page names her: %v", l)
			}
			status, body = w.get(t, "tom.providerlead", cpath+"/police")
			m := linkField.FindStringSubmatch(body)
			if status != 200 || m == nil || len(leaked(body)) > 0 || strings.Contains(body, "Sam Example") {
				t.Fatalf("the team leader's case page: %d, no decision form or a leak", status)
			}
			if status, _ := w.post(t, "cal.manager", cpath+"/police-link", url.Values{"link": {m[1]}, "decision": {"confirm"}}); status != 404 {
				t.Errorf("the case manager confirming: %d, want 404", status)
			}
			if status, body := w.post(t, "tom.providerlead", cpath+"/police-link", url.Values{"link": {m[1]}}); status != 422 || !strings.Contains(body, "Choose whether this is the same person") {
				t.Errorf("no decision: %d, want 422 with the message", status)
			}
			if status, _ := w.post(t, "tom.providerlead", cpath+"/police-link", url.Values{"link": {m[1]}, "decision": {"confirm"}}); status != 303 {
				t.Fatalf("the team leader confirming: %d, want 303", status)
			}
			if _, body := w.get(t, "cal.manager", cpath+"/police"); !strings.Contains(body, "confirmed by User tom.providerlead") {
				t.Error("the confirmed link is not shown as confirmed")
			}

			// Her side: her IDVA decides; the provider's people and
			// another IDVA do not see the section at all.
			status, body = w.get(t, "ida.idva", vpath)
			m = linkField.FindStringSubmatch(body)
			if status != 200 || !strings.Contains(body, `id="police-records"`) || m == nil {
				t.Fatalf("her IDVA's page: %d, no police records to decide", status)
			}
			if _, body := w.get(t, "ivy.otheridva", vpath); strings.Contains(body, `id="police-records"`) {
				t.Error("another IDVA sees her police records")
			}
			if status, _ := w.post(t, "ivy.otheridva", vpath+"/police-link", url.Values{"link": {m[1]}, "decision": {"reject"}}); status != 404 {
				t.Errorf("another IDVA deciding: %d, want 404", status)
			}
			if status, _ := w.post(t, "cal.manager", vpath+"/police-link", url.Values{"link": {m[1]}, "decision": {"reject"}}); status != 404 {
				t.Errorf("the case manager deciding her link: %d, want 404", status)
			}
			if status, _ := w.post(t, "ida.idva", vpath+"/police-link", url.Values{"link": {m[1]}, "decision": {"reject"}}); status != 303 {
				t.Fatalf("her IDVA rejecting: %d, want 303", status)
			}
			if _, body := w.get(t, "ida.idva", vpath); !strings.Contains(body, "No police record has been found for her yet.") {
				t.Error("a rejected suggestion is still listed")
			}
			// Every user's case page stays clear of her.
			for name := range w.users {
				if _, body := w.get(t, name, cpath); len(leaked(body)) > 0 || strings.Contains(body, "Sam Example") {
					t.Errorf("%s's case page leaks %v", name, leaked(body))
				}
			}
		})
	}
}
