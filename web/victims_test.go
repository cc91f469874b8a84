package web

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"github.com/drive-platform/drive/incident"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/pdf"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// canaries are unique values planted in every protected field and in
// IDVA notes, contacts, the safety plan and DASH comments. None may ever
// reach anyone on the perpetrator side, through any page or API route.
var canaries = []string{
	"Canaryline Crescent", "CN9 9QZ", "07700 900917", "canary.victim@example.org", "CANARY-SAFE-TIME",
	"Canary Refuge House", "Canary Works Ltd", "Canary Surgery", "Canary Brook Primary", "CANARY-NOTE-TEXT",
	"CANARY-CONTACT-TEXT", "CANARY-SAFETY-PLAN", "CANARY-DASH-COMMENT",
}

// herWords is planted in what she writes about the service on the survivor
// route (feedback_leak_test.go): only the IDVA service at her site reads
// it, and never on her record.
const herWords = "CANARY-HER-WORDS"

type wallUser struct {
	user     *account.User
	session  string
	csrf     string
	apiToken string
}

type wall struct {
	db       *store.DB
	ts       *httptest.Server
	srv      *Server
	users    map[string]*wallUser
	caseID   int64
	victimID int64
	personID int64
}

// newWall builds one site with a Drive provider and an IDVA service, a
// perpetrator case allocated to a case manager, and a linked
// victim-survivor whose IDVA has recorded canaries everywhere.
func newWall(t testing.TB, e storetest.Engine) *wall {
	t.Helper()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := e.Open(t, storetest.FixedClock(now))
	ctx := context.Background()
	keys, err := sealed.NewKeyring(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	w := &wall{db: db, users: map[string]*wallUser{}}
	var site account.Site
	err = db.Transact(ctx, func(tx *store.Tx) error {
		site = account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
		if err := tx.CreateSite(ctx, &site); err != nil {
			return err
		}
		other := account.Site{Code: "SVV", Name: "Severnvale", Region: "South West"}
		if err := tx.CreateSite(ctx, &other); err != nil {
			return err
		}
		for _, s := range []int64{site.ID, other.ID} {
			if err := tx.SeedProgrammes(ctx, s); err != nil {
				return err
			}
		}
		provider := &account.Organisation{Name: "Drive provider", Kind: account.Provider, SiteIDs: []int64{site.ID}}
		idvas := &account.Organisation{Name: "IDVA service", Kind: account.IDVAService, SiteIDs: []int64{site.ID}}
		police := &account.Organisation{Name: "Police", Kind: account.PoliceForce, SiteIDs: []int64{site.ID}}
		national := &account.Organisation{Name: "National", Kind: account.NationalTeam}
		for _, o := range []*account.Organisation{provider, idvas, police, national} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		type spec struct {
			name string
			org  *account.Organisation
			role access.Role
			site int64
		}
		specs := []spec{
			{"ida.idva", idvas, access.IDVA, site.ID}, {"ivy.otheridva", idvas, access.IDVA, site.ID},
			{"tia.idvalead", idvas, access.TeamLeader, site.ID}, {"tom.providerlead", provider, access.TeamLeader, site.ID},
			{"cal.manager", provider, access.CaseManager, site.ID}, {"cat.othermanager", provider, access.CaseManager, site.ID},
			{"pat.partner", police, access.Partner, site.ID}, {"pam.coordinator", provider, access.PanelCoordinator, site.ID},
			{"ana.analyst", police, access.Analyst, site.ID}, {"com.commissioner", national, access.Commissioner, site.ID},
			{"nat.national", national, access.National, 0}, {"eve.evaluator", national, access.Evaluator, 0},
			{"adm.admin", provider, access.Admin, site.ID}, {"dee.dpo", provider, access.DPO, site.ID},
			{"sam.otherlead", provider, access.TeamLeader, other.ID},
		}
		for _, sp := range specs {
			u := &account.User{Username: sp.name, DisplayName: "User " + sp.name, OrganisationID: sp.org.ID, OrganisationKind: sp.org.Kind, PasswordHash: "x", TOTPSecret: "X",
				Roles: []account.RoleAssignment{{Role: sp.role, SiteID: sp.site}}}
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
		p := &people.Person{SiteID: site.ID, GivenName: "Darren", FamilyName: "Hollis", DateOfBirth: drive.MustDate("1984-02-11")}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		w.personID = p.ID
		c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.DateOf(now),
			Summary: "Repeat MARAC", Evidence: programme.Evidence{DASHScore: 16}}
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		at := now
		c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed", 1, &at
		c.CaseManagerID, c.AllocatedAt, c.StartedAt = w.users["cal.manager"].user.ID, &at, &at
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		w.caseID = c.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: keys}})
	if err != nil {
		t.Fatal(err)
	}
	w.srv = srv
	w.ts = httptest.NewServer(Replicated(t, srv))
	t.Cleanup(w.ts.Close)

	// The IDVA does her work through the service, as the pages do.
	idva := w.actor("ida.idva")
	svc := srv.svc
	w.victimID, err = svc.OpenVictimCase(ctx, idva, service.VictimInput{
		Case: victim.Case{SiteID: site.ID, GivenName: "Sam", FamilyName: "Example", Gender: "female"},
		Link: victim.Link{PerpetratorCase: w.caseID, Relationship: victim.ExPartner, LivingTogether: false}})
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(svc.SetCompartment(ctx, idva, w.victimID, victim.Compartment{
		Addresses: []victim.Address{{Line1: "12 Canaryline Crescent", Town: "Northmoor", Postcode: "CN9 9QZ", Current: true}},
		Phones:    []string{"07700 900917"}, Emails: []string{"canary.victim@example.org"}, SafeContact: "CANARY-SAFE-TIME weekdays",
		Refuge: "Canary Refuge House", Workplace: "Canary Works Ltd", GP: "Canary Surgery", Schools: []string{"Canary Brook Primary"}}))
	must(svc.SetSafetyPlan(ctx, idva, w.victimID, "CANARY-SAFETY-PLAN: code word agreed"))
	must(svc.AddVictimEntry(ctx, idva, w.victimID, "note", &service.VictimEntry{Kind: "note", On: drive.DateOf(now)}, "CANARY-NOTE-TEXT first visit"))
	must(svc.AddVictimEntry(ctx, idva, w.victimID, "contact", &service.VictimEntry{Kind: "call", On: drive.DateOf(now)}, "CANARY-CONTACT-TEXT spoke safely"))
	answers := map[string]risk.Answer{}
	for i, q := range risk.DASH2009().Questions {
		answers[q.ID] = risk.No
		if i < 15 {
			answers[q.ID] = risk.Yes
		}
	}
	must(svc.AddDASH(ctx, idva, w.victimID, &risk.Assessment{Answers: answers, Comments: map[string]string{"q1": "CANARY-DASH-COMMENT"}, AssessedOn: drive.DateOf(now)}))
	must(svc.AddBehaviour(ctx, idva, w.victimID, &risk.BehaviourAssessment{CaseID: w.caseID, TimePoint: "T1", Physical: risk.Used, Sexual: risk.NotUsed,
		Stalking: risk.Used, Controlling: risk.Used, AssessedOn: drive.DateOf(now)}))
	must(svc.AddChild(ctx, idva, w.victimID, &victim.Child{GivenName: "Kit", DateOfBirth: drive.MustDate("2019-04-01"), Relationship: "both", SocialCare: "child_in_need", PerpetratorCase: w.caseID}))
	return w
}

func (w *wall) actor(name string) service.Actor {
	u := w.users[name].user
	return service.Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Subject: subjectOf(u), Remote: "test"}
}

func (w *wall) get(t *testing.T, name, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", w.ts.URL+path, nil)
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+w.users[name].apiToken)
	} else {
		req.Header.Set("Cookie", "drive_session="+w.users[name].session)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (w *wall) post(t *testing.T, name, path string, form url.Values) (int, string) {
	t.Helper()
	form.Set("csrf_token", w.users[name].csrf)
	req, _ := http.NewRequest("POST", w.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Cookie", "drive_session="+w.users[name].session)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func leaked(body string) []string {
	var out []string
	low := strings.ToLower(body)
	for _, c := range append(canaries[:len(canaries):len(canaries)], herWords) {
		if strings.Contains(low, strings.ToLower(c)) {
			out = append(out, c)
		}
	}
	return out
}

// TestVictimWall checks who sees what of a victim-survivor's record, that
// the case manager gets risk facts and never the compartment, and that
// free text on the perpetrator side cannot carry the compartment out.
func TestVictimWall(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			vpath := "/victims/" + strconv.FormatInt(w.victimID, 10)
			cpath := "/cases/" + strconv.FormatInt(w.caseID, 10)
			// Through the API her protected details sit in one object,
			// present only for those allowed.
			for name, want := range map[string]bool{"ida.idva": true, "tia.idvalead": true, "ivy.otheridva": false} {
				status, body := w.get(t, name, "/api/v1/victims/"+strconv.FormatInt(w.victimID, 10))
				var v map[string]any
				_ = json.Unmarshal([]byte(body), &v)
				_, has := v["protected"]
				if status != 200 || has != want || (!want && len(leaked(body)) > 0) {
					t.Fatalf("%s API: %d, protected=%v, leaked %v", name, status, has, leaked(body))
				}
				if want {
					delete(v, "protected")
					if l := leaked(string(mustJSON(v))); len(l) > 0 {
						t.Fatalf("%s API: %v outside the protected object", name, l)
					}
				}
			}
			// Her IDVA and the IDVA service's team leader see everything on
			// the protected details page, and only there: her summary opens
			// nothing sealed, so shows none of it, and only the protected
			// page's reading is audited as a read of the compartment.
			for _, name := range []string{"ida.idva", "tia.idvalead"} {
				reads := func() (record, compartment int) {
					for _, e := range w.events(t, name) {
						if e.RecordType == "victim" && e.RecordID == strconv.FormatInt(w.victimID, 10) {
							record += b2i(e.Action == audit.ActionRecordRead)
							compartment += b2i(e.Action == "compartment.read")
						}
					}
					return
				}
				r0, c0 := reads()
				status, body := w.get(t, name, vpath)
				if status != 200 || len(leaked(body)) > 0 || !strings.Contains(body, "Reasons and comments") {
					t.Fatalf("%s on her summary: %d, canaries shown %v", name, status, leaked(body))
				}
				// The summary reads her record and her own account.
				r1, c1 := reads()
				if r1 != r0+2 || c1 != c0 {
					t.Fatalf("%s reading her summary: %d reads of her record and %d of the compartment; want 2 and none", name, r1-r0, c1-c0)
				}
				status, body = w.get(t, name, vpath+"/protected")
				if status != 200 || len(leaked(body)) != len(canaries) {
					t.Fatalf("%s on her protected details: %d, canaries shown %v", name, status, leaked(body))
				}
				if r2, c2 := reads(); r2 != r1+1 || c2 != c1+1 {
					t.Fatalf("%s reading her protected details: %d reads of her record and %d of the compartment; want 1 and 1", name, r2-r1, c2-c1)
				}
			}
			// The case manager sees risk facts on the case, never where she is.
			status, body := w.get(t, "cal.manager", cpath+"/victims")
			if status != 200 || !strings.Contains(body, "Victim-survivor 1") || !strings.Contains(body, "15 (") {
				t.Fatalf("case page for the case manager: %d, no risk facts", status)
			}
			if l := leaked(body); len(l) > 0 || strings.Contains(body, "Sam Example") {
				t.Fatalf("case page leaks %v", l)
			}
			// Both pages of her record: the summary and the protected details.
			for _, page := range []string{vpath, vpath + "/protected"} {
				if status, _ := w.get(t, "cal.manager", page); status != 404 {
					t.Fatalf("case manager on %s: %d; want 404", page, status)
				}
				// The provider's team leader is on the perpetrator side: her
				// record is not found; risk facts are on the case page.
				if status, body := w.get(t, "tom.providerlead", page); status != 404 || len(leaked(body)) > 0 {
					t.Fatalf("provider team leader on %s: %d, leaked %v", page, status, leaked(body))
				}
				// Another IDVA at her site sees her risk record, not the compartment.
				if status, body := w.get(t, "ivy.otheridva", page); status != 200 || len(leaked(body)) > 0 {
					t.Fatalf("another IDVA on %s: %d, leaked %v", page, status, leaked(body))
				}
			}
			if status, body := w.get(t, "tom.providerlead", cpath+"/victims"); status != 200 || !strings.Contains(body, "Victim-survivor 1") || len(leaked(body)) > 0 {
				t.Fatalf("provider team leader on the case: %d", status)
			}
			// Free text on the perpetrator side is stored as written and
			// answered like any other (TestFreeTextScreenIsNoOracle holds
			// the detail); nobody else on that side reads it.
			if status, _ := w.post(t, "cal.manager", cpath+"/notes", url.Values{"text": {"She lives at 12 canaryline crescent now"}}); status != 303 {
				t.Fatalf("a note naming her street: %d", status)
			}
			if _, body := w.get(t, "tom.providerlead", cpath+"/notes"); len(leaked(body)) > 0 {
				t.Fatalf("the provider team leader reads a held note: %v", leaked(body))
			}
			if status, _ := w.post(t, "cal.manager", cpath+"/notes", url.Values{"text": {"Bail conditions reviewed with police"}}); status != 303 {
				t.Fatalf("an ordinary note: %d", status)
			}
			// A MARAC hearing recorded by her IDVA reaches the case
			// manager's risk facts; a future date is refused.
			caseArg := strconv.FormatInt(w.caseID, 10)
			if status, _ := w.post(t, "ida.idva", vpath+"/marac", url.Values{"marac_case": {caseArg}, "marac_on": {"2027-01-01"}}); status != 422 {
				t.Fatalf("future MARAC: %d", status)
			}
			if status, _ := w.post(t, "ida.idva", vpath+"/marac", url.Values{"marac_case": {caseArg}, "marac_on": {"2026-11-10"}}); status != 303 {
				t.Fatalf("MARAC: %d", status)
			}
			if _, body := w.get(t, "cal.manager", cpath+"/victims"); !strings.Contains(body, "10 November 2026") {
				t.Fatal("the MARAC date is not among the risk facts")
			}
			// The IDVA service's team leader hands her to another IDVA: the
			// first IDVA loses the compartment, the new one gains it.
			ivy := strconv.FormatInt(w.users["ivy.otheridva"].user.ID, 10)
			if status, _ := w.post(t, "tia.idvalead", vpath+"/allocation", url.Values{"idva": {ivy}, "open": {"yes"}}); status != 303 {
				t.Fatalf("reallocate: %d", status)
			}
			if _, body := w.get(t, "ivy.otheridva", vpath+"/protected"); len(leaked(body)) == 0 {
				t.Fatal("the new IDVA does not see her protected details")
			}
			if _, body := w.get(t, "ida.idva", vpath+"/protected"); len(leaked(body)) > 0 {
				t.Fatal("the former IDVA still sees her protected details")
			}
		})
	}
}

// TestTamperedCompartmentFailsLoudly flips one bit of the stored
// ciphertext: her IDVA's page of protected details fails with a server
// error, never garbage.
func TestTamperedCompartmentFailsLoudly(t *testing.T) {
	w := newWall(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	ctx := context.Background()
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		v, err := tx.Compartment(ctx, w.victimID)
		if err != nil {
			return err
		}
		v.Data[len(v.Data)-5] ^= 0x01
		return tx.SetCompartment(ctx, w.victimID, v, 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Her summary page opens nothing sealed, so it still answers; the
	// page that opens her protected details fails.
	if status, body := w.get(t, "ida.idva", "/victims/"+strconv.FormatInt(w.victimID, 10)); status != 200 || len(leaked(body)) > 0 {
		t.Fatalf("her summary with a tampered compartment: status %d, canaries %v", status, leaked(body))
	}
	status, body := w.get(t, "ida.idva", "/victims/"+strconv.FormatInt(w.victimID, 10)+"/protected")
	if status != 500 || len(leaked(body)) > 0 {
		t.Fatalf("tampered compartment: status %d, canaries %v", status, leaked(body))
	}
}

// TestLeakCrawl signs in as every user other than her IDVA and the IDVA
// service's team leader (the two the policy lets see the compartment),
// follows every link from the home page, and calls every GET route of the
// OpenAPI document with real ids; no canary may appear anywhere.
func TestLeakCrawl(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			// A police extract naming him, with her postcode on the
			// record, raises alerts first, so the crawl reads
			// notifications (page, header and API) on every side.
			if _, _, err := w.srv.svc.ImportIncidents(context.Background(), service.CommandLine(), "NMR", []incident.Record{{Ref: "CRAWL-1",
				On: drive.MustDate("2026-11-20"), Type: "harassment", Suspect: incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11"), Postcode: "CN9 9QZ"},
				Victim: incident.Person{GivenName: "Sam", FamilyName: "Example", Postcode: "CN9 9QZ"}}}, nil); err != nil {
				t.Fatal(err)
			}
			if n, err := w.srv.svc.UnreadNotifications(context.Background(), service.Actor{UserID: w.users["cal.manager"].user.ID}); err != nil || n == 0 {
				t.Fatalf("the case manager has %d notifications (%v) before the crawl; want the alert", n, err)
			}
			// The analyst's uploads, run as import jobs: one imports (its
			// victim address, postcode and phone columns are ignored), one
			// is refused with her details in the fields it fails on; and the
			// inbox's folder has fallen silent. The crawl reads their
			// progress pages, the upload page and Feeds.
			w.uploadJobs(t)
			// She has given her own answers, joined and anonymous, with
			// words about the service (feedback_leak_test.go).
			w.sheAnswers(t)
			// Her IDVA plans an appointment with her, and his case manager
			// one with him; every user's calendar feed is read below.
			if _, err := w.srv.svc.PlanVictimAppointment(context.Background(), w.actor("ida.idva"), w.victimID, appointment.Appointment{
				StartsAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), Minutes: 30, Place: appointment.Phone, With: "Sam at Canary Refuge House"}, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := w.srv.svc.PlanCaseAppointment(context.Background(), w.actor("cal.manager"), w.caseID, appointment.Appointment{
				StartsAt: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), Minutes: 30, Place: appointment.Office, With: "him"}, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := w.srv.svc.RemindAppointments(context.Background(), service.System("schedule")); err != nil {
				t.Fatal(err)
			}
			// Her IDVA attaches a letter naming the refuge to her case.
			herDoc, err := w.srv.svc.AttachVictimDocument(context.Background(), w.actor("ida.idva"), w.victimID, "Letter from Canary Refuge House", "letter.pdf",
				[]byte("%PDF-1.7 Canary Refuge House, Canaryline Crescent"))
			if err != nil {
				t.Fatal(err)
			}
			ids := map[string]string{"id": strconv.FormatInt(w.caseID, 10)}
			var doc struct {
				Paths map[string]map[string]json.RawMessage `json:"paths"`
			}
			if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
				t.Fatal(err)
			}
			href := regexp.MustCompile(`href="(/[^"#]*)`)
			visited, pdfs := 0, 0
			for name := range w.users {
				if name == "ida.idva" || name == "tia.idvalead" {
					continue
				}
				seen := map[string]bool{}
				vp := "/victims/" + strconv.FormatInt(w.victimID, 10)
				queue := []string{"/", vp, vp + "/appointments", vp + "/documents", vp + "/documents/" + strconv.FormatInt(herDoc, 10),
					"/cases/" + ids["id"], "/people/" + strconv.FormatInt(w.personID, 10),
					"/reports", "/victim-views", "/feedback", "/feedback?lang=cy", "/identify/import", "/feeds", "/notifications"}
				for len(queue) > 0 && len(seen) < 200 {
					path := queue[0]
					queue = queue[1:]
					if seen[path] || strings.HasPrefix(path, "/assets/") || strings.HasPrefix(path, "/signout") {
						continue
					}
					seen[path] = true
					_, body := w.get(t, name, path)
					visited++
					if strings.HasPrefix(body, "%PDF-") {
						// A download (the case summary) is read as its
						// reader sees it, wrapped lines joined.
						text, err := pdf.Text([]byte(body))
						if err != nil {
							t.Fatalf("%s: %s is not a readable PDF: %v", name, path, err)
						}
						pdfs++
						body = text + "\n" + strings.ReplaceAll(text, "\n", " ") + "\n" + strings.ReplaceAll(text, "\n", "")
					}
					if path == "/victim-views" && name == "ivy.otheridva" {
						// What survivors write about the service is for
						// the IDVA service at their site, unattributed.
						body = strings.ReplaceAll(body, "CANARY-HER-WORDS", "")
					}
					if l := leaked(body); len(l) > 0 {
						t.Errorf("%s: %s shows %v", name, path, l)
					}
					for _, m := range href.FindAllStringSubmatch(body, -1) {
						p := strings.ReplaceAll(m[1], "&amp;", "&")
						if !seen[p] {
							queue = append(queue, p)
						}
					}
				}
				if name == "ana.analyst" && !slices.ContainsFunc(slices.Collect(maps.Keys(seen)), func(p string) bool { return strings.HasPrefix(p, "/imports/") }) {
					t.Errorf("the crawl as %s did not reach an upload's progress page", name)
				}
				if name == "cal.manager" {
					// The crawl reaches every page of his case through its
					// sub navigation and its forms' pages.
					for key := range casePages {
						if p := casePath(w.caseID, key); !seen[p] {
							t.Errorf("the crawl as %s did not reach %s", name, p)
						}
					}
				}
				for p, ops := range doc.Paths {
					if _, ok := ops["get"]; !ok {
						continue
					}
					path := "/api/v1" + strings.NewReplacer("{id}", ids["id"], "{action}", "1").Replace(p)
					if strings.HasPrefix(p, "/people/") {
						path = "/api/v1/people/" + strconv.FormatInt(w.personID, 10)
					}
					if strings.HasPrefix(p, "/victims") {
						path = "/api/v1" + strings.ReplaceAll(p, "{id}", strconv.FormatInt(w.victimID, 10))
					}
					_, body := w.get(t, name, path)
					visited++
					if l := leaked(body); len(l) > 0 {
						t.Errorf("%s: %s shows %v", name, path, l)
					}
				}
			}
			// A calendar feed holds no personal data at all, so every
			// user's, her IDVA's too, is read for her details.
			for name := range w.users {
				token, err := w.srv.svc.NewCalendarFeed(context.Background(), w.actor(name))
				if err != nil {
					t.Fatal(err)
				}
				status, body := w.get(t, name, "/calendar/"+token+".ics")
				visited++
				if l := leaked(body); status != 200 || len(l) > 0 {
					t.Errorf("%s: calendar %d shows %v", name, status, l)
				}
			}
			if visited < 100 {
				t.Fatalf("the crawl visited only %d pages", visited)
			}
			if pdfs == 0 {
				t.Fatal("the crawl read no PDF")
			}
		})
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// uploadJobs has the analyst upload two extracts naming her details in
// columns the import ignores or refuses, confirmed and run as import
// jobs, and lets the inbox's folder of the site fall silent, so that the
// leak crawl reads every page these make.
func (w *wall) uploadJobs(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	u := w.users["ana.analyst"].user
	a := service.Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Remote: "test",
		Subject: access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID, OrganisationKind: u.OrganisationKind,
			Grants: []access.Grant{{Role: access.Analyst, SiteID: u.Roles[0].SiteID}}}}
	const header = "ref,date,type,crime,suspect_given,suspect_family,victim_given,victim_family,victim_address,victim_postcode,victim_phone\n"
	files := map[string]string{
		"good.csv": header + "LEAK-1,2026-11-01,harassment,no,Darren,Hollis,Sam,Example,1 Canaryline Crescent,CN9 9QZ,07700 900917\n",
		// Her details where the import checks a value: refused, and
		// the problems must not repeat them.
		"bad.csv": header + "LEAK-2,CN9 9QZ,harassment,07700 900917,Darren,Hollis,Sam,Example,Canaryline Crescent,CN9 9QZ,07700 900917\n",
	}
	for _, name := range []string{"good.csv", "bad.csv"} {
		up := service.Upload{SiteID: u.Roles[0].SiteID, File: strings.NewReader(files[name])}
		c, err := w.srv.svc.CheckUpload(ctx, a, up, name)
		if err != nil {
			t.Fatal(err)
		}
		if name == "bad.csv" {
			if len(c.Problems) == 0 || len(leaked(fmt.Sprint(c.Problems))) > 0 {
				t.Fatalf("the bad file's problems: %v", c.Problems)
			}
			// Sent by a feed, it fails as a job: its problems, as the API
			// answers them, do not repeat her details either.
			_, token, err := w.srv.svc.CreateFeed(ctx, service.CommandLine(), "NMR", "Crawl feed", 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			f, err := w.srv.svc.FeedActor(ctx, token, "test")
			if err != nil || f == nil {
				t.Fatalf("feed: %v", err)
			}
			j, err := w.srv.svc.QueueImport(ctx, f, "incidents", strings.NewReader(files[name]))
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				got, err := w.srv.svc.FeedImport(ctx, f, j.ID)
				if err != nil || got.Status != "failed" || len(leaked(fmt.Sprint(got.Problems, got.Note()))) > 0 {
					t.Fatalf("the feed's failed job: %+v, %v", got, err)
				}
			}()
			continue
		}
		if _, err := w.srv.svc.ConfirmUpload(ctx, a, c.PendingID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.srv.svc.RunImportJobs(ctx, service.System("imports"), service.ImportWorker{ID: "crawl", Lease: time.Minute}); err != nil {
		t.Fatal(err)
	}
	// The analyst is told the good file's job is done (the crawl reads
	// the notification on her page); it repeats nothing of the file.
	ns, err := w.srv.svc.Notifications(ctx, a, false)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(ns, func(n service.Notification) bool {
		return n.Kind == service.KindImportDone && strings.HasPrefix(n.Href(), "/imports/") && len(leaked(n.Summary)) == 0
	}) {
		t.Fatalf("the analyst's notifications after her import ran: %+v", ns)
	}
	if _, err := w.srv.svc.WatchInbox(ctx, service.System("feeds"), []service.InboxFolder{{SiteCode: "NMR", Kind: "incidents"}}, time.Hour); err != nil {
		t.Fatal(err)
	}
}
