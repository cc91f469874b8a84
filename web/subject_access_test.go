package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// sarFixture serves a site with a case manager, an IDVA and two national
// data protection officers ("dpo", "dpo2"), each signed in with session
// "drv_s_<name>" and CSRF token "c" and holding API token "drv_t_<name>"; a perpetrator, Darren Hollis, whose
// case manager has written three notes, two of which name or place the
// victim-survivor linked to his case (Morgan Canary, of 4 Lanternwick Row,
// NM7 7QX). It returns the server's URL, his person number and her
// victim-survivor's case number.
func sarFixture(t *testing.T, e storetest.Engine) (string, int64, int64) {
	t.Helper()
	f := dpFixture(t, e)
	return f.url, f.personID, f.victimID
}

// dpFixtureIDs is what dpFixture made: the server's address and the
// numbers of the perpetrator, his case and the victim-survivor's case.
type dpFixtureIDs struct {
	url                                string
	siteID, personID, caseID, victimID int64
}

// dpFixture is sarFixture's data behind a server, with the numbers of
// every record it made.
func dpFixture(t *testing.T, e storetest.Engine) dpFixtureIDs {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := e.Open(t, storetest.FixedClock(now))
	svc := &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t), TextLimit: 1000}
	users := map[string]*account.User{}
	var site account.Site
	var caseID, personID int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		site = account.Site{Code: "NMR", Name: "Northmoor", Region: "R"}
		if err := tx.CreateSite(ctx, &site); err != nil {
			return err
		}
		if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
			return err
		}
		orgs := map[account.OrgKind]*account.Organisation{}
		for _, k := range []account.OrgKind{account.Provider, account.IDVAService, account.NationalTeam} {
			o := &account.Organisation{Name: "Org " + string(k), Kind: k}
			if k != account.NationalTeam {
				o.SiteIDs = []int64{site.ID}
			}
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
			orgs[k] = o
		}
		for _, spec := range []struct {
			name string
			kind account.OrgKind
			role access.Role
			site int64
		}{
			{"casey", account.Provider, access.CaseManager, site.ID},
			{"idva", account.IDVAService, access.IDVA, site.ID},
			{"dpo", account.NationalTeam, access.DPO, 0},
			{"dpo2", account.NationalTeam, access.DPO, 0},
		} {
			u := &account.User{Username: spec.name, DisplayName: "User " + spec.name, OrganisationID: orgs[spec.kind].ID, PasswordHash: "x", TOTPSecret: "JBSWY3DPEHPK3PXP",
				Roles: []account.RoleAssignment{{Role: spec.role, SiteID: spec.site}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			users[spec.name] = u
			if err := tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken("drv_s_" + spec.name), UserID: u.ID, Stage: account.StageFull, CSRF: "c",
				Remote: "t", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), ReauthAt: now}); err != nil {
				return err
			}
			if err := tx.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, Name: "script", TokenHash: auth.HashToken("drv_t_" + spec.name), ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
		}
		p := &people.Person{SiteID: site.ID, GivenName: "Darren", FamilyName: "Hollis"}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		personID = p.ID
		c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.DateOf(now),
			Summary: "Repeat MARAC", Evidence: programme.Evidence{DASHScore: 16}}
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		at := now
		c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed", users["casey"].ID, &at
		c.CaseManagerID, c.AllocatedAt, c.StartedAt = users["casey"].ID, &at, &at
		caseID = c.ID
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		// A police incident, for holds on one incident.
		return tx.InsertIncidents(ctx, site.ID, []incident.Record{{Ref: "NM-2020-0042", On: drive.MustDate("2020-02-01"), Type: "Assault",
			Suspect: incident.Person{GivenName: "Gary", FamilyName: "Suspectson"}, Victim: incident.Person{GivenName: "Vera", FamilyName: "Victimson"}}},
			[]int64{0}, []int64{0}, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	actor := func(name string) service.Actor {
		u := users[name]
		sub := access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID}
		for _, r := range u.Roles {
			sub.Grants = append(sub.Grants, access.Grant{Role: r.Role, SiteID: r.SiteID})
		}
		var kind account.OrgKind
		_ = db.View(ctx, func(tx *store.Tx) error {
			stored, err := tx.User(ctx, u.ID)
			if err == nil {
				kind = stored.OrganisationKind
			}
			return err
		})
		sub.OrganisationKind = kind
		return service.Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Subject: sub, Remote: "192.0.2.1"}
	}
	vid, err := svc.OpenVictimCase(ctx, actor("idva"), service.VictimInput{
		Case: victim.Case{SiteID: site.ID, GivenName: "Morgan", FamilyName: "Canary"},
		Link: victim.Link{PerpetratorCase: caseID, Relationship: victim.ExPartner}})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SetCompartment(ctx, actor("idva"), vid, victim.Compartment{
		Addresses: []victim.Address{{Line1: "4 Lanternwick Row", Town: "Northmoor", Postcode: "NM7 7QX", Current: true}}}); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"Session held: talked about the course.", "He has been seen on Lanternwick Row.", "Morgan called the office."} {
		if err := svc.AddNote(ctx, actor("casey"), caseID, &casework.Note{Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	// An appointment and a document on her case that place her: hers,
	// never in his pack.
	if _, err := svc.PlanVictimAppointment(ctx, actor("idva"), vid, appointment.Appointment{StartsAt: now.Add(48 * time.Hour), Minutes: 30,
		Place: appointment.Community, With: "Morgan, at 4 Lanternwick Row"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AttachVictimDocument(ctx, actor("idva"), vid, "Tenancy of 4 Lanternwick Row, NM7 7QX", "lanternwick.pdf", []byte("%PDF-1.7 tenancy")); err != nil {
		t.Fatal(err)
	}

	srv, err := New(Config{Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(Replicated(t, srv))
	t.Cleanup(ts.Close)
	return dpFixtureIDs{url: ts.URL, siteID: site.ID, personID: personID, caseID: caseID, victimID: vid}
}

// TestSubjectAccessPages walks a subject access request through the
// pages: a data protection officer records it and reviews the pack, which
// shows the perpetrator's own notes and none of the victim-survivor's
// details written into the others; withholds an item; cannot approve it
// herself; a second officer approves and downloads it. A case manager
// finds none of it.
func TestSubjectAccessPages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			url0, personID, _ := sarFixture(t, e)
			do := func(who, method, path string, form url.Values) *http.Response {
				t.Helper()
				var body io.Reader
				if form != nil {
					form.Set("csrf_token", "c")
					body = strings.NewReader(form.Encode())
				}
				req, _ := http.NewRequest(method, url0+path, body)
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				req.Header.Set("Cookie", "drive_session=drv_s_"+who)
				client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				return resp
			}
			read := func(resp *http.Response) string {
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return string(b)
			}
			noCanary := func(where, body string) {
				t.Helper()
				for _, c := range []string{"Morgan", "Canary", "Lanternwick", "NM7 7QX"} {
					if strings.Contains(body, c) {
						t.Errorf("%s shows %q", where, c)
					}
				}
			}

			if resp := do("casey", "GET", "/subject-access", nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("a case manager's subject access page: %d", resp.StatusCode)
			}
			resp := do("dpo", "POST", "/subject-access", url.Values{"person": {itoa64(personID)}, "requester": {"The person, by letter"},
				"identity_check": {"Passport seen"}, "received_on": {"2026-11-20"}})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("record: %d %s", resp.StatusCode, read(resp))
			}
			review := resp.Header.Get("Location")
			resp.Body.Close()
			if !regexp.MustCompile(`^/subject-access/[0-9]+$`).MatchString(review) {
				t.Fatalf("redirected to %q", review)
			}
			page := read(do("dpo", "GET", review, nil))
			noCanary("the review page", page)
			if !strings.Contains(page, "Darren Hollis") || !strings.Contains(page, "talked about the course") || !strings.Contains(page, "20 December 2026") {
				t.Errorf("the review page lacks his record, his note or the deadline:\n%s", page)
			}
			if resp := do("casey", "GET", review, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("a case manager's view of the review: %d", resp.StatusCode)
			}
			item := regexp.MustCompile(`name="item" value="(note:[0-9]+)"`).FindStringSubmatch(page)
			if item == nil {
				t.Fatal("no item to withhold on the review page")
			}
			if resp := do("dpo", "POST", review+"/withhold", url.Values{"item": {item[1]}}); resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("withholding without a reason: %d", resp.StatusCode)
			}
			if resp := do("dpo", "POST", review+"/withhold", url.Values{"item": {item[1]}, "reason": {"Crime prevention exemption"}}); resp.StatusCode != http.StatusSeeOther {
				t.Errorf("withholding: %d %s", resp.StatusCode, read(resp))
			}
			if resp := do("dpo", "POST", review+"/approve", url.Values{}); resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("approval by the officer who reviewed it: %d", resp.StatusCode)
			}
			if resp := do("dpo2", "GET", review+"/download/pdf", nil); resp.StatusCode != http.StatusUnprocessableEntity {
				t.Errorf("download before approval: %d", resp.StatusCode)
			}
			if resp := do("dpo2", "POST", review+"/approve", url.Values{}); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("approval by a second officer: %d %s", resp.StatusCode, read(resp))
			}
			for _, format := range []string{"pdf", "json"} {
				resp := do("dpo2", "GET", review+"/download/"+format, nil)
				body := read(resp)
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "no-store" ||
					!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="subject-access-`) {
					t.Errorf("%s download: %d %q %q", format, resp.StatusCode, resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Disposition"))
				}
				if format == "json" {
					noCanary("the released JSON", body)
					if strings.Contains(body, "talked about the course") || !strings.Contains(body, "Crime prevention exemption") {
						t.Error("the note withheld on review is not withheld with its reason in the JSON")
					}
				}
			}
		})
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// TestRecordsOfProcessingPage checks the data protection officer sees the
// record built from the policy, and a case manager does not find it.
func TestRecordsOfProcessingPage(t *testing.T) {
	f := newAccountsFixture(t, storetest.Engines(t)[0])
	code, body := f.do("dpo", "GET", "/records-of-processing", nil)
	if code != http.StatusOK || !strings.Contains(body, "Victim compartment") || !strings.Contains(body, "Sch. 1 para. 18") ||
		!strings.Contains(body, "6 years after the case closes") {
		t.Errorf("the data protection officer's page: %d\n%s", code, body)
	}
	if code, _ := f.do("casey", "GET", "/records-of-processing", nil); code != http.StatusNotFound {
		t.Errorf("a case manager's: %d", code)
	}
}

// TestSubjectAccessVictimPages walks a victim-survivor's request through
// the pages: her review shows her own address and withholds the case
// manager's notes about her under the exemption; a release needs a
// reason and then shows the note and the reason in the released JSON.
// His name and the note about him alone are never in it.
func TestSubjectAccessVictimPages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			url0, _, victimID := sarFixture(t, e)
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			do := func(who, method, path string, form url.Values) (int, string, string) {
				t.Helper()
				var body io.Reader
				if form != nil {
					form.Set("csrf_token", "c")
					body = strings.NewReader(form.Encode())
				}
				req, _ := http.NewRequest(method, url0+path, body)
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				req.Header.Set("Cookie", "drive_session=drv_s_"+who)
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, resp.Header.Get("Location"), string(b)
			}
			code, review, body := do("dpo", "POST", "/subject-access", url.Values{"kind": {"victim"}, "person": {itoa64(victimID)}, "requester": {"Herself"},
				"identity_check": {"Known to her IDVA"}, "received_on": {"2026-11-20"}})
			if code != http.StatusSeeOther {
				t.Fatalf("record: %d %s", code, body)
			}
			if code, _, _ := do("dpo", "POST", "/subject-access", url.Values{"kind": {"neighbour"}, "person": {itoa64(victimID)}, "requester": {"x"},
				"identity_check": {"y"}, "received_on": {"2026-11-20"}}); code != http.StatusUnprocessableEntity {
				t.Errorf("a kind of subject Drive does not know: %d", code)
			}
			_, _, page := do("dpo", "GET", review, nil)
			if !strings.Contains(page, "4 Lanternwick Row") || !strings.Contains(page, "Victim-survivor") {
				t.Errorf("her review page lacks her own address or the kind of request")
			}
			for _, never := range []string{"Hollis", "talked about the course"} {
				if strings.Contains(page, never) {
					t.Errorf("her review page shows %q", never)
				}
			}
			items := regexp.MustCompile(`action="[^"]*/release"[^>]*>\s*<input[^>]*>\s*<input type="hidden" name="item" value="(risk_note:[0-9]+)"`).FindAllStringSubmatch(page, -1)
			if len(items) != 2 {
				t.Fatalf("%d notes offered for release, want the 2 about her:\n%s", len(items), page)
			}
			if code, _, _ := do("dpo", "POST", review+"/release", url.Values{"item": {items[0][1]}}); code != http.StatusUnprocessableEntity {
				t.Errorf("a release without a reason: %d", code)
			}
			if code, _, body := do("dpo", "POST", review+"/release", url.Values{"item": {items[0][1]}, "reason": {"Already known to her from court"}}); code != http.StatusSeeOther {
				t.Fatalf("release: %d %s", code, body)
			}
			if code, _, body := do("dpo2", "POST", review+"/approve", url.Values{}); code != http.StatusSeeOther {
				t.Fatalf("approval: %d %s", code, body)
			}
			code, _, js := do("dpo2", "GET", review+"/download/json", nil)
			if code != http.StatusOK || !strings.Contains(js, "Already known to her from court") || !strings.Contains(js, "Lanternwick") {
				t.Errorf("released JSON: %d\n%s", code, js)
			}
			if strings.Contains(js, "Hollis") || strings.Contains(js, "talked about the course") {
				t.Errorf("her released pack holds his name or the note about him alone:\n%s", js)
			}
		})
	}
}

// TestSubjectAccessFindByName finds the subject of a request by name in
// a posted form, for each kind, only for the data protection officer,
// and fills the request form with the record chosen. The name is never
// in a URL or the audit log.
func TestSubjectAccessFindByName(t *testing.T) {
	e := storetest.Engines(t)[0]
	url0, personID, victimID := sarFixture(t, e)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(who string, form url.Values) (int, string) {
		t.Helper()
		form.Set("csrf_token", "c")
		req, _ := http.NewRequest("POST", url0+"/subject-access/find", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", "drive_session=drv_s_"+who)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	choose := regexp.MustCompile(`name="choose" value="([0-9]+)"`)
	for _, c := range []struct {
		kind, name, want string
		id               int64
	}{
		{"person", "hollis", "Darren Hollis", personID},
		{"victim", "MORGAN can", "Morgan Canary", victimID},
		{"staff", "casey", "User casey", 0},
	} {
		code, page := post("dpo", url.Values{"kind": {c.kind}, "name": {c.name}})
		if code != http.StatusOK || !strings.Contains(page, c.want) {
			t.Errorf("finding %s %q: %d, lacks %q", c.kind, c.name, code, c.want)
			continue
		}
		m := choose.FindAllStringSubmatch(page, -1)
		if len(m) != 1 || (c.id != 0 && m[0][1] != itoa64(c.id)) {
			t.Errorf("finding %s %q: chose %v, want record %d alone", c.kind, c.name, m, c.id)
		}
	}
	// A victim-survivor is not found among people on the perpetrator
	// side, nor he among victim-survivors.
	if _, page := post("dpo", url.Values{"kind": {"person"}, "name": {"morgan"}}); strings.Contains(page, "Morgan Canary") || !strings.Contains(page, "Nobody of that name") {
		t.Error("a search of people on the perpetrator side found a victim-survivor")
	}
	if code, _ := post("dpo", url.Values{"kind": {"victim"}, "name": {" "}}); code != http.StatusUnprocessableEntity {
		t.Errorf("a search without a name: %d", code)
	}
	if code, _ := post("casey", url.Values{"kind": {"victim"}, "name": {"morgan"}}); code != http.StatusNotFound {
		t.Errorf("a case manager's search: %d", code)
	}
	code, page := post("dpo", url.Values{"kind": {"victim"}, "choose": {itoa64(victimID)}})
	if code != http.StatusOK || !strings.Contains(page, `id="kind-victim" name="kind" type="radio" value="victim" checked`) ||
		!strings.Contains(page, `name="person" type="text" inputmode="numeric" spellcheck="false" value="`+itoa64(victimID)+`"`) {
		t.Errorf("choosing her does not fill the request form: %d", code)
	}
}

// TestSubjectAccessAPI walks a victim-survivor's request through the JSON
// API: only a data protection officer finds anything, the search by name
// travels in the body, a release needs a reason, a second officer
// approves, and the released pack holds her address and the released
// note with its reason, and nothing of the perpetrator.
func TestSubjectAccessAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			url0, _, victimID := sarFixture(t, e)
			call := func(who, method, path, body string) (int, string) {
				t.Helper()
				var rd io.Reader
				if body != "" {
					rd = strings.NewReader(body)
				}
				req, _ := http.NewRequest(method, url0+"/api/v1"+path, rd)
				req.Header.Set("Authorization", "Bearer drv_t_"+who)
				if body != "" {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			if code, _ := call("casey", "GET", "/subject-access", ""); code != http.StatusNotFound {
				t.Errorf("a case manager's list: %d", code)
			}
			if code, _ := call("casey", "POST", "/subject-access/search", `{"kind":"victim","name":"morgan"}`); code != http.StatusNotFound {
				t.Errorf("a case manager's search: %d", code)
			}
			code, body := call("dpo", "POST", "/subject-access/search", `{"kind":"victim","name":"morgan"}`)
			if code != http.StatusOK || !strings.Contains(body, `"id":`+itoa64(victimID)) || !strings.Contains(body, "Morgan Canary") {
				t.Fatalf("search: %d %s", code, body)
			}
			code, body = call("dpo", "POST", "/subject-access", `{"kind":"victim","subject_id":`+itoa64(victimID)+`,"requester":"Herself","identity_check":"Known to her IDVA","received_on":"2026-11-20"}`)
			if code != http.StatusCreated {
				t.Fatalf("record: %d %s", code, body)
			}
			var rec struct {
				ID    int64  `json:"id"`
				DueOn string `json:"due_on"`
			}
			if err := json.Unmarshal([]byte(body), &rec); err != nil || rec.DueOn != "2026-12-20" {
				t.Fatalf("recorded %s (%v)", body, err)
			}
			id := itoa64(rec.ID)
			if code, _ := call("casey", "GET", "/subject-access/"+id, ""); code != http.StatusNotFound {
				t.Errorf("a case manager's review: %d", code)
			}
			code, body = call("dpo", "GET", "/subject-access/"+id, "")
			if code != http.StatusOK || !strings.Contains(body, "Lanternwick") || strings.Contains(body, "Hollis") {
				t.Fatalf("review: %d %s", code, body)
			}
			item := regexp.MustCompile(`"key":"(risk_note:[0-9]+)"`).FindStringSubmatch(body)
			if item == nil {
				t.Fatalf("no risk-management note in her pack: %s", body)
			}
			if code, _ := call("dpo", "POST", "/subject-access/"+id+"/redactions", `{"item":"`+item[1]+`","reason":"","release":true}`); code != http.StatusUnprocessableEntity {
				t.Errorf("a release without a reason: %d", code)
			}
			if code, body := call("dpo", "POST", "/subject-access/"+id+"/redactions", `{"item":"`+item[1]+`","reason":"Known to her from court","release":true}`); code != http.StatusCreated {
				t.Fatalf("release: %d %s", code, body)
			}
			if code, _ := call("dpo", "GET", "/subject-access/"+id+"/pack", ""); code != http.StatusUnprocessableEntity {
				t.Errorf("the pack before approval: %d", code)
			}
			if code, _ := call("dpo", "POST", "/subject-access/"+id+"/approve", ""); code != http.StatusUnprocessableEntity {
				t.Errorf("approval by who released an item: %d", code)
			}
			if code, body := call("dpo2", "POST", "/subject-access/"+id+"/approve", ""); code != http.StatusOK {
				t.Fatalf("approval: %d %s", code, body)
			}
			code, body = call("dpo2", "GET", "/subject-access/"+id+"/pack", "")
			if code != http.StatusOK || !strings.Contains(body, "Known to her from court") || !strings.Contains(body, "Lanternwick") || strings.Contains(body, "Hollis") {
				t.Errorf("released pack: %d %s", code, body)
			}
			code, body = call("dpo", "GET", "/subject-access", "")
			if code != http.StatusOK || !strings.Contains(body, `"state":"approved"`) {
				t.Errorf("list: %d %s", code, body)
			}
		})
	}
}
