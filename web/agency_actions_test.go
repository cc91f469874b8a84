package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// post sends a form as name with their CSRF token and returns the status,
// body and Location.
func (f *meetingFixture) post(name, path string, form url.Values) (int, string, string) {
	f.t.Helper()
	form.Set("csrf_token", "csrf-"+name)
	req, _ := http.NewRequest("POST", f.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "drive_session="+f.sessions[name])
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header.Get("Location")
}

// policeAction is the agreed action as the police see it through the
// service.
func (f *meetingFixture) policeAction() service.AgencyAction {
	f.t.Helper()
	acts, err := f.svc.AgencyActions(context.Background(), f.actor("pat.partner"), true)
	if err != nil || len(acts) != 1 {
		f.t.Fatalf("police actions %+v, %v; want the one agreed", acts, err)
	}
	return acts[0]
}

// auditEvents returns the audit log, newest first.
func (f *meetingFixture) auditEvents() []audit.Event {
	f.t.Helper()
	var evs []audit.Event
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		evs, err = tx.AuditEvents(context.Background(), store.AuditFilter{Limit: 100000})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return evs
}

// TestAgencyActions: a partner sees their agency's action with what they
// need to act on it, reports on it, and is told what to correct when the
// report cannot be saved, which then changes nothing; the action is not
// found by those outside the agency and the case.
func TestAgencyActions(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newMeetingFixture(t, e)
			f.runMeeting()
			act := f.policeAction()
			path := "/actions/" + strconv.FormatInt(act.ID, 10)

			// Partners are shown the page in the navigation; the case
			// manager is not.
			nav := `href="/actions"`
			if _, body, _ := f.get("pat.partner", "/"); !strings.Contains(body, nav) {
				t.Error("the partner's navigation lacks Agency actions")
			}
			if _, body, _ := f.get("cal.manager", "/"); strings.Contains(body, nav) {
				t.Error("the case manager's navigation offers Agency actions")
			}

			// The list, as the police see it.
			status, body, _ := f.get("pat.partner", "/actions")
			for _, want := range []string{"Darren Hollis", "Case " + strconv.FormatInt(f.caseID, 10), "Northmoor", "Bail condition review",
				"DS Example", act.DueOn.Display(), "Not started", `action="` + path + `"`, "Not possible (circumstances changed)"} {
				if status != 200 || !strings.Contains(body, want) {
					t.Fatalf("the police's actions page (%d) lacks %q", status, want)
				}
			}
			if strings.Contains(body, ">Overdue<") {
				t.Error("an action not yet due is marked overdue")
			}
			// Another agency sees none of it.
			if status, body, _ := f.get("ida.idva", "/actions"); status != 200 || strings.Contains(body, "Darren Hollis") || strings.Contains(body, path) {
				t.Errorf("the IDVA service's actions page (%d) shows the police's action", status)
			}

			// Reports that cannot be saved say why, beside the field, and
			// change nothing.
			before := len(f.auditEvents())
			for _, tc := range []struct {
				name  string
				form  url.Values
				field string
				msg   string
			}{
				{"no status", url.Values{"outcome": {"x"}}, "status", "Choose where the action stands"},
				{"unknown status", url.Values{"status": {"finished-ish"}}, "status", "Choose where the action stands"},
				{"not a date", url.Values{"status": {"in_progress"}, "reported_on": {"last Tuesday"}}, "reported_on", "Enter a real date"},
				{"not possible without why", url.Values{"status": {"not_possible"}}, "outcome", "Say what changed"},
				{"done without outcome", url.Values{"status": {"done"}}, "outcome", "Say what the action achieved"},
				{"reported in the future", url.Values{"status": {"in_progress"}, "reported_on": {f.heldOn.AddDays(3).String()}}, "reported_on", "cannot be in the future"},
			} {
				status, body, _ := f.post("pat.partner", path, tc.form)
				id := tc.field + "-" + strconv.FormatInt(act.ID, 10)
				if status != 422 || !strings.Contains(body, tc.msg) || !strings.Contains(body, `href="#`+id+`"`) || !strings.Contains(body, `id="`+id+`-error"`) {
					t.Errorf("%s: status %d; want 422 with %q linked to #%s", tc.name, status, tc.msg, id)
				}
			}
			if got := f.policeAction(); got.Status != casework.ActionOpen || got.Outcome != "" || !got.ReportedOn.IsZero() {
				t.Fatalf("refused reports changed the action: %+v", got.Action)
			}
			// The page shown again lists the actions, which is audited as
			// a list; nothing else is recorded.
			evs := f.auditEvents()
			for _, ev := range evs[:len(evs)-before] {
				if ev.Action != "record.list" {
					t.Errorf("a refused report recorded %s on %s %s", ev.Action, ev.RecordType, ev.RecordID)
				}
			}

			// Not found for those outside the agency and the case, and for
			// an action that does not exist.
			good := url.Values{"status": {"in_progress"}, "outcome": {"Bail hearing listed."}}
			for _, tc := range []struct{ name, path string }{
				{"ida.idva", path}, {"pat.partner", "/actions/999999"}, {"pat.partner", "/actions/x"},
			} {
				if status, _, _ := f.post(tc.name, tc.path, url.Values{"status": good["status"], "outcome": good["outcome"]}); status != 404 {
					t.Errorf("%s reporting on %s: %d; want 404", tc.name, tc.path, status)
				}
			}
			if got := f.policeAction(); got.Status != casework.ActionOpen {
				t.Fatalf("a refused report changed the action: %+v", got.Action)
			}

			// A report that can be saved: back to the list with a banner;
			// the action leaves the unfinished list and shows among all.
			status, _, loc := f.post("pat.partner", path, url.Values{"status": {"not_possible"}, "reported_on": {f.heldOn.String()},
				"outcome": {"He moved out of the force area."}})
			if status != 303 || loc != "/actions?saved=1#action-"+strconv.FormatInt(act.ID, 10) {
				t.Fatalf("report: %d to %q", status, loc)
			}
			got := f.policeAction()
			if got.Status != casework.ActionNotPossible || got.ReportedOn != f.heldOn || got.Outcome != "He moved out of the force area." {
				t.Fatalf("the report is not on the action: %+v", got.Action)
			}
			if !hasAuditEvent(f.auditEvents(), audit.ActionRecordWrite, "action", strconv.FormatInt(act.ID, 10), "reported not_possible") {
				t.Error("the report is not audited")
			}
			if _, body, _ := f.get("pat.partner", "/actions?saved=1"); !strings.Contains(body, "Your report on the action is saved.") || strings.Contains(body, path) {
				t.Error("after the report: no banner, or the action is still among the unfinished")
			}
			if _, body, _ := f.get("pat.partner", "/actions?show=all"); !strings.Contains(body, path) || !strings.Contains(body, "He moved out of the force area.") {
				t.Error("all actions lacks the reported one")
			}
			// The case manager, whose case it is, may report on it too.
			if status, _, _ := f.post("cal.manager", path, url.Values{"status": {"in_progress"}, "outcome": {"Reopened with the new force."}}); status != 303 {
				t.Errorf("the case manager reporting: %d", status)
			}
		})
	}
}

// hasAuditEvent reports an event of action; a blank record type or id
// matches any.
func hasAuditEvent(evs []audit.Event, action, recordType, recordID, reason string) bool {
	for _, e := range evs {
		if e.Action == action && (recordType == "" || e.RecordType == recordType) && (recordID == "" || e.RecordID == recordID) && strings.Contains(e.Reason, reason) {
			return true
		}
	}
	return false
}

// TestOverdueByAgencyOnTeam: the team dashboard counts each agency's
// overdue actions once they are past due.
func TestOverdueByAgencyOnTeam(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newMeetingFixture(t, e)
			f.runMeeting()
			status, body, _ := f.get("tom.providerlead", "/team")
			if status != 200 || !strings.Contains(body, `id="agency-overdue"`) || !strings.Contains(body, "No agency has an overdue action.") {
				t.Fatalf("team page before the action is due: %d", status)
			}
			act := f.policeAction()
			f.moveTo(act.DueOn.AddDays(2).Time().Add(9 * time.Hour))
			_, body, _ = f.get("tom.providerlead", "/team")
			i := strings.Index(body, `id="agency-overdue"`)
			if i < 0 {
				t.Fatal("no overdue-by-agency panel")
			}
			panel := body[i:]
			panel = panel[:strings.Index(panel, "</table>")+1]
			if !strings.Contains(panel, "Northmoor Police</th>") || !strings.Contains(panel, ">1</td>") || !strings.Contains(panel, act.DueOn.Display()) {
				t.Errorf("the panel does not count the police's overdue action:\n%s", panel)
			}
			// The partner has no team dashboard.
			if status, _, _ := f.get("pat.partner", "/team"); status != 404 {
				t.Errorf("partner on /team: %d", status)
			}
			// The police see it marked overdue on their own list.
			if _, body, _ := f.get("pat.partner", "/actions"); !strings.Contains(body, ">Overdue<") {
				t.Error("the police's overdue action is not marked overdue")
			}
		})
	}
}

// TestTransferPackDownload: the case page links the transfer pack; it
// downloads as a PDF attachment, audited; it is not found for those who
// may not read the case.
func TestTransferPackDownload(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newMeetingFixture(t, e)
			f.runMeeting()
			cp := "/cases/" + strconv.FormatInt(f.caseID, 10)
			if _, body, _ := f.get("cal.manager", cp); !strings.Contains(body, `href="`+cp+`/transfer-pack.pdf"`) || !strings.Contains(body, "Download MARAC transfer pack (PDF)") {
				t.Fatal("the case page does not link the transfer pack")
			}
			before := len(f.auditEvents())
			req, _ := http.NewRequest("GET", f.ts.URL+cp+"/transfer-pack.pdf", nil)
			req.Header.Set("Cookie", "drive_session="+f.sessions["cal.manager"])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="`) || resp.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("download: %d %q %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), resp.Header.Get("Cache-Control"))
			}
			if strings.Contains(resp.Header.Get("Content-Disposition"), "Hollis") {
				t.Error("the file name names him")
			}
			evs := f.auditEvents()
			if !hasAuditEvent(evs[:len(evs)-before], service.ActionMinutesDownload, "case", strconv.FormatInt(f.caseID, 10), "") {
				t.Error("the download is not audited")
			}
			for _, tc := range []struct{ name, path string }{
				{"pia.partner", cp + "/transfer-pack.pdf"}, {"cal.manager", "/cases/999999/transfer-pack.pdf"}, {"cal.manager", "/cases/x/transfer-pack.pdf"},
			} {
				if status, _, _ := f.get(tc.name, tc.path); status != 404 {
					t.Errorf("%s on %s: %d; want 404", tc.name, tc.path, status)
				}
			}
		})
	}
}
