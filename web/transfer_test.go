package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// TestPendingTransfer moves a case from one site towards another through
// the pages and the API on both engines: until the receiving site accepts
// it, only that site's team leaders see it, and then only the decision
// view; everyone else there gets "not found"; the sending site keeps its
// normal access.
func TestPendingTransfer(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testPendingTransfer(t, e) })
	}
}

func testPendingTransfer(t *testing.T, e storetest.Engine) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := e.Open(t, storetest.FixedClock(now))
	ctx := context.Background()
	w := &wall{db: db, users: map[string]*wallUser{}}
	var from, to account.Site
	err := db.Transact(ctx, func(tx *store.Tx) error {
		from = account.Site{Code: "FRM", Name: "Fromshire", Region: "R"}
		to = account.Site{Code: "TOO", Name: "Toborough", Region: "R"}
		for _, st := range []*account.Site{&from, &to} {
			if err := tx.CreateSite(ctx, st); err != nil {
				return err
			}
			if err := tx.SeedProgrammes(ctx, st.ID); err != nil {
				return err
			}
		}
		provider := &account.Organisation{Name: "Provider", Kind: account.Provider}
		idvas := &account.Organisation{Name: "IDVA service", Kind: account.IDVAService}
		for _, o := range []*account.Organisation{provider, idvas} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		specs := []struct {
			name string
			org  *account.Organisation
			role access.Role
			site int64
		}{
			{"fay.lead", provider, access.TeamLeader, from.ID}, {"fred.manager", provider, access.CaseManager, from.ID},
			{"fia.idva", idvas, access.IDVA, from.ID},
			{"tess.lead", provider, access.TeamLeader, to.ID}, {"tim.manager", provider, access.CaseManager, to.ID},
			{"tara.coordinator", provider, access.PanelCoordinator, to.ID}, {"tom.analyst", provider, access.Analyst, to.ID},
			{"tia.idva", idvas, access.IDVA, to.ID}, {"tilly.idvalead", idvas, access.TeamLeader, to.ID},
			{"tod.dpo", provider, access.DPO, to.ID},
		}
		for _, sp := range specs {
			u := &account.User{Username: sp.name, DisplayName: "User " + sp.name, OrganisationID: sp.org.ID, OrganisationKind: sp.org.Kind,
				PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: sp.role, SiteID: sp.site}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			wu := &wallUser{user: u, session: "drv_s_" + sp.name, csrf: "csrf-" + sp.name, apiToken: "drv_t_" + sp.name + "-token"}
			if err := tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(wu.session), UserID: u.ID, Stage: account.StageFull, CSRF: wu.csrf,
				Remote: "test", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(12 * time.Hour), ReauthAt: now}); err != nil {
				return err
			}
			if err := tx.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, TokenHash: auth.HashToken(wu.apiToken), ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
			w.users[sp.name] = wu
		}
		p := &people.Person{SiteID: from.ID, GivenName: "Gareth", FamilyName: "Moverley", DateOfBirth: drive.MustDate("1986-05-20")}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		at := now
		c := &casework.Case{SiteID: from.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.DateOf(now),
			Summary: "SUMMARY-CANARY", Evidence: programme.Evidence{DASHScore: 16}}
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		c.State, c.Engagement, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, casework.Engaged, "DECISION-CANARY", 1, &at
		c.CaseManagerID, c.AllocatedAt, c.StartedAt = w.users["fred.manager"].user.ID, &at, &at
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		w.caseID = c.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}})
	if err != nil {
		t.Fatal(err)
	}
	w.srv, w.ts = srv, httptest.NewServer(Replicated(t, srv))
	defer w.ts.Close()

	// The sending site's work on the case, and a victim-survivor's risk
	// facts, all of which stay with the sending site until acceptance.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	manager, idva := w.actor("fred.manager"), w.actor("fia.idva")
	must(srv.svc.AddNote(ctx, manager, w.caseID, &casework.Note{Text: "NOTE-CANARY first session"}))
	must(srv.svc.AddContact(ctx, manager, w.caseID, &casework.Contact{Kind: casework.OneToOne, On: drive.DateOf(now), Method: "office", Summary: "CONTACT-CANARY"}))
	must(srv.svc.AddAction(ctx, manager, w.caseID, &casework.Action{Prong: "disrupt", Type: "bail-review", Agency: "Police", Owner: "OWNER-CANARY", DueOn: drive.DateOf(now).AddDays(7)}))
	victimID, err := srv.svc.OpenVictimCase(ctx, idva, service.VictimInput{Case: victim.Case{SiteID: from.ID, GivenName: "Vera", FamilyName: "VICTIMNAME-CANARY"},
		Link: victim.Link{PerpetratorCase: w.caseID, Relationship: victim.ExPartner, LivingTogether: true}})
	must(err)
	answers := map[string]risk.Answer{}
	for i, q := range risk.DASH2009().Questions {
		answers[q.ID] = risk.No
		if i < 17 {
			answers[q.ID] = risk.Yes
		}
	}
	must(srv.svc.AddDASH(ctx, idva, victimID, &risk.Assessment{Answers: answers, AssessedOn: drive.DateOf(now)}))
	// Everything only the full case shows.
	secrets := []string{"SUMMARY-CANARY", "DECISION-CANARY", "NOTE-CANARY", "CONTACT-CANARY", "OWNER-CANARY", "VICTIMNAME-CANARY", "Victim-survivor 1", "17 ("}
	name := "Gareth Moverley"
	casePath := "/cases/" + strconv.FormatInt(w.caseID, 10)
	if status, body := w.get(t, "fred.manager", casePath+"/victims"); status != http.StatusOK || !strings.Contains(body, "17 (") {
		t.Fatalf("the case manager's page before transfer: %d, risk facts shown %v", status, strings.Contains(body, "17 ("))
	}

	if status, body := w.get(t, "fay.lead", casePath); status != http.StatusOK || !strings.Contains(body, `id="transfer-reasons" name="reasons"`) {
		t.Fatalf("the sending team leader's page offers no reason for the transfer (%d)", status)
	}
	status, _ := w.post(t, "fay.lead", casePath+"/move", url.Values{"event": {"transfer"}, "transfer_site": {strconv.FormatInt(to.ID, 10)}, "reasons": {"He has moved to Toborough"}})
	if status != http.StatusSeeOther {
		t.Fatalf("transfer: %d", status)
	}

	// The receiving site's team leaders: the decision view, nothing more.
	for _, lead := range []string{"tess.lead", "tilly.idvalead"} {
		status, body := w.get(t, lead, casePath)
		if status != http.StatusOK {
			t.Fatalf("%s reading the pending transfer: %d", lead, status)
		}
		for _, want := range []string{name, "He has moved to Toborough", "Fromshire", "Toborough", ">40<", "high (DASH band at referral)", "Accept the transfer", "Decline the transfer"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the decision view does not show %q", lead, want)
			}
		}
		for _, s := range secrets {
			if strings.Contains(body, s) {
				t.Errorf("%s: the decision view shows %q", lead, s)
			}
		}
		status, body = w.get(t, lead, "/api/v1"+casePath)
		var got map[string]any
		if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil {
			t.Fatalf("%s: API read of the pending transfer: %d %s", lead, status, body)
		}
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != "age,from_site,id,person_name,reason,requested_at,risk_level,risk_source,state,to_site,transitions" ||
			got["person_name"] != name || got["risk_level"] != "high" || got["age"] != float64(40) {
			t.Errorf("%s: API decision view %s", lead, body)
		}
		for _, sub := range []string{"/actions", "/notes", "/history"} {
			if status, _ := w.get(t, lead, "/api/v1"+casePath+sub); status != http.StatusNotFound {
				t.Errorf("%s: API %s of the pending transfer: %d; want 404", lead, sub, status)
			}
		}
		// The case's other pages are not theirs until they accept it.
		for _, sec := range caseSections {
			if sec.Key == "" {
				continue
			}
			if status, body := w.get(t, lead, casePath+"/"+sec.Key); status != http.StatusNotFound || strings.Contains(body, name) {
				t.Errorf("%s: %s of the pending transfer: %d; want 404", lead, sec.Key, status)
			}
		}
		if status, _ := w.post(t, lead, casePath+"/notes", url.Values{"text": {"Not ours yet"}}); status != http.StatusNotFound {
			t.Errorf("%s: a note before accepting: %d; want 404", lead, status)
		}
		if status, body := w.get(t, lead, "/team/transfers"); lead == "tess.lead" && (status != http.StatusOK || !strings.Contains(body, name)) {
			t.Errorf("%s: the team page does not list the transfer waiting (%d)", lead, status)
		}
	}
	// Everyone else at the receiving site: not found, as for any record
	// they may not see, through every channel.
	for _, other := range []string{"tim.manager", "tara.coordinator", "tom.analyst", "tia.idva", "tod.dpo"} {
		for _, path := range []string{casePath, "/api/v1" + casePath, "/api/v1" + casePath + "/notes"} {
			status, body := w.get(t, other, path)
			if status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d; want 404", other, path, status)
			}
			if strings.Contains(body, "Moverley") {
				t.Errorf("%s GET %s: the answer names him", other, path)
			}
		}
	}
	if status, body := w.get(t, "tara.coordinator", "/team/transfers"); status != http.StatusOK || strings.Contains(body, "Moverley") {
		t.Errorf("the panel coordinator's team page: %d, names the pending transfer: %v", status, strings.Contains(body, "Moverley"))
	}
	// The sending site keeps its normal access until the case is accepted.
	if status, body := w.get(t, "fred.manager", casePath+"/notes"); status != http.StatusOK || !strings.Contains(body, "NOTE-CANARY") {
		t.Errorf("the sending case manager's notes during the transfer: %d", status)
	}
	if status, body := w.get(t, "fred.manager", casePath+"/victims"); status != http.StatusOK || !strings.Contains(body, "17 (") {
		t.Errorf("the sending case manager's victims' risk during the transfer: %d", status)
	}
	if status, _ := w.get(t, "fay.lead", "/api/v1"+casePath+"/notes"); status != http.StatusOK {
		t.Errorf("the sending team leader's notes during the transfer: %d", status)
	}
	// The decision view's read is audited, against the case's site.
	var reads int
	must(db.View(ctx, func(tx *store.Tx) error {
		evs, err := tx.AuditEvents(ctx, store.AuditFilter{RecordType: "case", RecordID: strconv.FormatInt(w.caseID, 10), ActorID: w.users["tess.lead"].user.ID})
		for _, e := range evs {
			if e.Action == audit.ActionRecordRead && e.Reason == "transfer decision" && e.SiteID == from.ID && e.ActorRole == string(access.TeamLeader) {
				reads++
			}
		}
		return err
	}))
	if reads == 0 {
		t.Error("the decision view's read is not audited")
	}

	// Once accepted, the case is the receiving site's.
	if status, _ := w.post(t, "tess.lead", casePath+"/move", url.Values{"event": {"accept_transfer"}}); status != http.StatusSeeOther {
		t.Fatalf("accepting: %d", status)
	}
	if status, body := w.get(t, "tim.manager", casePath); status != http.StatusOK || !strings.Contains(body, name) {
		t.Errorf("the receiving case manager after acceptance: %d", status)
	}
	if status, _ := w.get(t, "fred.manager", "/api/v1"+casePath); status != http.StatusNotFound {
		t.Errorf("the sending case manager after acceptance: %d; want 404", status)
	}
}
