package web

import (
	"context"
	"crypto/rand"
	"io"
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
	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/document"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// TestAccessMatrix walks every signed-in route for a user of every role,
// and checks each answer against the policy: a route or record the user
// may not see answers 404 and its body names nothing from the record; one
// they may see does not. The expectation comes from the policy table, so a
// new route or a changed rule is covered without editing this test.
func TestAccessMatrix(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testAccessMatrix(t, e) })
	}
}

type matrixUser struct {
	user     *account.User
	token    string
	csrf     string
	apiToken string
}

// matrixTarget is a record a route is tried on, and what the policy says
// about the user and it.
type matrixTarget struct {
	path   func(pattern string) string
	expect func(sub access.Subject, act access.Action) bool
	name   string
}

func testAccessMatrix(t *testing.T, e storetest.Engine) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := e.Open(t, storetest.FixedClock(now))
	ctx := context.Background()
	srv, err := New(Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(Replicated(t, srv))
	defer ts.Close()

	var siteA, siteB account.Site
	var users, kindUsers []*matrixUser
	var targetA, targetB *account.User
	var persons []*people.Person
	var cases []*casework.Case
	var victims []*victim.Case
	type policeTarget struct{ id, site, incident int64 }
	var suspects []policeTarget
	var idvaOrg int64
	actionOf := map[int64]int64{}
	type matrixMeeting struct{ id, item, site, series int64 }
	var meetings []matrixMeeting
	type matrixProject struct{ id, release, org int64 }
	var projects []matrixProject
	err = db.Transact(ctx, func(tx *store.Tx) error {
		siteA = account.Site{Code: "AAA", Name: "Site A", Region: "R"}
		siteB = account.Site{Code: "BBB", Name: "Site B", Region: "R"}
		if err := tx.CreateSite(ctx, &siteA); err != nil {
			return err
		}
		return tx.CreateSite(ctx, &siteB)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Each site's police data come in through the import, as from the
	// command line.
	for _, site := range []account.Site{siteA, siteB} {
		importFor(t, db, site.Code, []incident.Record{{Ref: "M1", On: drive.DateOf(now).AddDays(-30), Type: "abh", Crime: true,
			Suspect: incident.Person{GivenName: "Matrix", FamilyName: "Suspect " + site.Code, DOB: drive.MustDate("1980-01-01")},
			Victim:  incident.Person{GivenName: "Matrix", FamilyName: "Victim " + site.Code}},
			{Ref: "M2", On: drive.DateOf(now).AddDays(-20), Type: "abh", Crime: true,
				Suspect: incident.Person{GivenName: "Matrix", FamilyName: "Suspect " + site.Code, DOB: drive.MustDate("1980-01-01")},
				Victim:  incident.Person{GivenName: "Matrix", FamilyName: "Victim " + site.Code}}})
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		// One organisation of every kind. The users walked over every route
		// work for the provider, except the IDVA and the team leader, who
		// work for the IDVA service; every role is also held in every kind
		// of organisation for the break-glass check.
		orgs := map[account.OrgKind]*account.Organisation{}
		for _, k := range account.OrgKinds() {
			o := &account.Organisation{Name: "Org " + string(k), Kind: k}
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
			orgs[k] = o
		}
		mkIn := func(kind account.OrgKind, name string, role access.Role, site int64) (*account.User, error) {
			u := &account.User{Username: name, DisplayName: "Person " + name, OrganisationID: orgs[kind].ID, OrganisationKind: kind, PasswordHash: "x", TOTPSecret: "JBSWY3DPEHPK3PXP",
				Roles: []account.RoleAssignment{{Role: role, SiteID: site}}}
			return u, tx.CreateUser(ctx, u)
		}
		mk := func(name string, role access.Role, site int64) (*account.User, error) {
			kind := account.Provider
			if role == access.IDVA || role == access.TeamLeader {
				kind = account.IDVAService
			}
			return mkIn(kind, name, role, site)
		}
		session := func(u *account.User) (*matrixUser, error) {
			token, hash, err := auth.NewToken(strings.NewReader(strings.Repeat(u.Username, 64)), "drv_s_")
			if err != nil {
				return nil, err
			}
			csrf := "csrf-" + u.Username
			sess := &account.Session{TokenHash: hash, UserID: u.ID, Stage: account.StageFull, CSRF: csrf, Remote: "test",
				CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), ReauthAt: now}
			return &matrixUser{user: u, token: token, csrf: csrf}, tx.CreateSession(ctx, sess)
		}
		var err error
		if targetA, err = mk("target.sitea", access.CaseManager, siteA.ID); err != nil {
			return err
		}
		if targetB, err = mk("target.siteb", access.CaseManager, siteB.ID); err != nil {
			return err
		}
		for _, site := range []account.Site{siteA, siteB} {
			if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
				return err
			}
			p := &people.Person{SiteID: site.ID, GivenName: "Matrix", FamilyName: "Person " + site.Code}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", State: casework.Active, Engagement: casework.Engaged,
				Source: casework.FromMARAC, ReferredAt: drive.DateOf(now), Summary: "Matrix case", Evidence: programme.Evidence{DASHScore: 15}}
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
			act := &casework.Action{CaseID: c.ID, Prong: "disrupt", Type: "bail-review", Agency: "Police", Owner: "PC Example",
				DueOn: drive.DateOf(now).AddDays(7), Status: casework.ActionOpen}
			if err := tx.CreateAction(ctx, act); err != nil {
				return err
			}
			persons = append(persons, p)
			cases = append(cases, c)
			actionOf[c.ID] = act.ID
			rows, err := tx.SitePoliceIncidents(ctx, site.ID, drive.Date{})
			if err != nil {
				return err
			}
			suspects = append(suspects, policeTarget{rows[0].SuspectPerson, site.ID, rows[0].ID})
			// A MARAC held last week heard the case, with minutes.
			chair := targetA
			if site.ID == siteB.ID {
				chair = targetB
			}
			x := &meeting.Series{SiteID: site.ID, Kind: meeting.MARAC, Name: "Matrix MARAC", ChairID: chair.ID, CoordinatorID: chair.ID,
				Venue: "Room 1", MinutesPerItem: 12, AccessDays: 7}
			if err := tx.CreateSeries(ctx, x); err != nil {
				return err
			}
			at := now.AddDate(0, 0, -7)
			m := &meeting.Meeting{SeriesID: x.ID, SiteID: site.ID, HeldOn: drive.DateOf(at), StartsAt: "10:00", State: meeting.Draft, AccessDays: 7}
			if err := tx.CreateMeeting(ctx, m); err != nil {
				return err
			}
			m.State, m.PublishedAt, m.HeldAt = meeting.Held, &at, &at
			if err := tx.UpdateMeeting(ctx, m); err != nil {
				return err
			}
			it := &meeting.Item{MeetingID: m.ID, Ord: 1, Kind: meeting.CaseItem, CaseID: c.ID, Minutes: 12, Decision: meeting.ActionsAgreed,
				DecisionReasons: "Agreed"}
			if err := tx.CreateItem(ctx, it); err != nil {
				return err
			}
			meetings = append(meetings, matrixMeeting{id: m.ID, item: it.ID, site: site.ID, series: x.ID})
		}
		for _, role := range access.Roles() {
			for _, national := range []bool{false, true} {
				if role.CheckScope(national) != nil {
					continue
				}
				site := siteA.ID
				suffix := ".a"
				if national {
					site, suffix = 0, ".national"
				}
				name := strings.ReplaceAll(string(role), "_", "-") + suffix
				for _, k := range account.OrgKinds() {
					u, err := mkIn(k, name+"."+strings.ReplaceAll(string(k), "_", "-"), role, site)
					if err != nil {
						return err
					}
					mu, err := session(u)
					if err != nil {
						return err
					}
					kindUsers = append(kindUsers, mu)
				}
				u, err := mk(name, role, site)
				if err != nil {
					return err
				}
				mu, err := session(u)
				if err != nil {
					return err
				}
				apiToken, apiHash, err := auth.NewToken(strings.NewReader(strings.Repeat("api"+u.Username, 64)), auth.APITokenPrefix)
				if err != nil {
					return err
				}
				if err := tx.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, TokenHash: apiHash, ExpiresAt: now.Add(time.Hour)}); err != nil {
					return err
				}
				mu.apiToken = apiToken
				users = append(users, mu)
				if role == access.IDVA {
					idvaOrg = u.OrganisationID
					for _, site := range []account.Site{siteA, siteB} {
						v := &victim.Case{SiteID: site.ID, GivenName: "Matrix", FamilyName: "Victim " + site.Code}
						if site.ID == siteA.ID {
							v.IDVAID = u.ID
						}
						if err := tx.CreateVictimCase(ctx, v); err != nil {
							return err
						}
						victims = append(victims, v)
					}
				}
			}
		}
		// Two approved evaluation projects, each with one released
		// extract: one evaluated by the organisation the matrix's
		// evaluators belong to, one by another.
		for _, org := range []int64{orgs[account.Provider].ID, orgs[account.EvaluationPartner].ID} {
			p := &evaluation.Project{Name: "matrix-" + strconv.FormatInt(org, 10), EvaluatorOrgID: org, AgreementRef: "DSA-M",
				AgreementExpires: drive.DateOf(now).AddDays(365), SiteIDs: []int64{siteA.ID}, From: drive.DateOf(now).AddDays(-365),
				To: drive.DateOf(now), Tables: evaluation.Tables(), State: evaluation.StateApproved, CreatedBy: targetA.ID,
				ApprovedBy: targetB.ID, ApprovedAt: now}
			if err := tx.CreateProject(ctx, p, store.SealedValue{Data: []byte("not opened here"), KeyID: "k"}); err != nil {
				return err
			}
			if err := tx.SaveProjectState(ctx, p); err != nil {
				return err
			}
			rel := &evaluation.Release{ProjectID: p.ID, MadeOn: drive.DateOf(now), K: 5, Smallest: 5, Passed: true, Rows: 1, Size: 3,
				Digest: strings.Repeat("0", 64), Note: "matrix", ReleasedBy: targetA.ID}
			if err := tx.CreateRelease(ctx, rel, []byte("zip")); err != nil {
				return err
			}
			projects = append(projects, matrixProject{id: p.ID, release: rel.ID, org: org})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A trial running at site A, started from the command line.
	trial := &evaluation.Trial{SiteID: siteA.ID, Name: "Matrix trial"}
	if err := srv.svc.StartTrial(ctx, service.CommandLine(), trial); err != nil {
		t.Fatal(err)
	}
	// A record kind for break-glass, at each site: the victim
	// compartment, the class break-glass exists for.
	srv.svc.Glass = map[string]service.GlassRecord{"test_record": {
		Label: "Test record",
		Resolve: func(ctx context.Context, tx *store.Tx, id string) (access.Resource, error) {
			site := siteA.ID
			if id == "b" {
				site = siteB.ID
			}
			return access.Resource{Class: access.VictimCompartment, RecordType: "test_record", RecordID: id, SiteID: site}, nil
		},
	}}
	srv.glassHrefs["test_record"] = func(id string) string { return "/" }
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// An appointment and a document on every case, his and hers, for the
	// routes that name one.
	appointmentOf, documentOf := map[string]int64{}, map[string]int64{}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		type on struct {
			key              string
			site, cse, vcase int64
		}
		var all []on
		for _, c := range cases {
			all = append(all, on{"case " + strconv.FormatInt(c.ID, 10), c.SiteID, c.ID, 0})
		}
		for _, v := range victims {
			all = append(all, on{"victim " + strconv.FormatInt(v.ID, 10), v.SiteID, 0, v.ID})
		}
		for _, o := range all {
			ap := appointment.Appointment{SiteID: o.site, CaseID: o.cse, VictimCaseID: o.vcase, OwnerID: targetA.ID, StartsAt: now.Add(48 * time.Hour),
				Minutes: 30, Place: appointment.Office}
			if err := tx.CreateAppointment(ctx, &ap); err != nil {
				return err
			}
			appointmentOf[o.key] = ap.ID
			d := document.Document{SiteID: o.site, CaseID: o.cse, VictimCaseID: o.vcase, Title: "Matrix", FileName: "m.pdf", Kind: document.PDF, Size: 5, UploadedBy: targetA.ID}
			aad := "document:case:" + strconv.FormatInt(o.cse, 10)
			if o.vcase != 0 {
				aad = "document:victim:" + strconv.FormatInt(o.vcase, 10)
			}
			sv, err := srv.svc.Keys.Seal(rand.Reader, []byte("%PDF-"), []byte(aad))
			if err != nil {
				return err
			}
			if err := tx.CreateDocument(ctx, &d, store.SealedValue{Data: sv.Marshal(), KeyID: sv.KeyID}); err != nil {
				return err
			}
			documentOf[o.key] = d.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	// The navigation is built from the routes' needs: every link a user
	// is shown answers them, and every user sees at least Home and their
	// account.
	hrefs := regexp.MustCompile(`<a class="[^"]*service-navigation__link[^"]*" href="([^"]+)"`)
	for _, mu := range append(users, kindUsers...) {
		req, _ := http.NewRequest("GET", ts.URL+"/", nil)
		req.Header.Set("Cookie", "drive_session="+mu.token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		home, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		links := hrefs.FindAllStringSubmatch(string(home), -1)
		if len(links) < 2 {
			t.Errorf("%s is shown %d navigation links, want at least Home and Your account", mu.user.Username, len(links))
		}
		for _, l := range links {
			req, _ := http.NewRequest("GET", ts.URL+l[1], nil)
			req.Header.Set("Cookie", "drive_session="+mu.token)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s is shown a link to %s, which answers %d", mu.user.Username, l[1], resp.StatusCode)
			}
			checked++
		}
	}
	for _, rt := range srv.routes {
		if rt.path == "/break-glass" {
			checked += matrixBreakGlass(t, ts.URL, client, rt, append(users, kindUsers...), map[string]int64{"a": siteA.ID, "b": siteB.ID})
			continue
		}
		if rt.gate == feedOnly {
			checked += matrixFeedRoute(t, ts.URL, client, rt, users)
			continue
		}
		if rt.gate != enrolled {
			continue
		}
		act := access.Read
		if rt.method == "POST" {
			act = access.Write
		}
		targets := []matrixTarget{{path: func(p string) string { return p }, expect: func(access.Subject, access.Action) bool { return true }}}
		switch {
		case strings.HasPrefix(rt.path, "/admin/users/{id}"):
			targets = nil
			for _, u := range []*account.User{targetA, targetB} {
				u := u
				targets = append(targets, matrixTarget{name: u.Username,
					path: func(p string) string {
						return strings.NewReplacer("{id}", strconv.FormatInt(u.ID, 10), "{action}", "enable").Replace(p)
					},
					expect: func(sub access.Subject, act access.Action) bool {
						// An account is reached with configuration access
						// at every site where it holds a role.
						for _, r := range u.Roles {
							res := access.Resource{Class: access.Configuration, RecordType: "site", RecordID: strconv.FormatInt(r.SiteID, 10), SiteID: r.SiteID}
							if !access.Decide(sub, act, res, now).Allowed {
								return false
							}
						}
						return len(u.Roles) > 0
					}})
			}
		case rt.path == "/admin/jobs" || rt.path == "/api/v1/jobs":
			// The background job queue is national: for those who hold the
			// configuration nationally.
			targets = []matrixTarget{{path: func(p string) string { return p }, expect: func(sub access.Subject, act access.Action) bool {
				return access.Decide(sub, act, access.Resource{Class: access.Configuration, RecordType: "configuration"}, now).Allowed
			}}}
		case rt.path == "/admin/jobs/{id}/retry":
			// No failed job is named here: nobody finds one.
			targets = []matrixTarget{{path: func(p string) string { return strings.ReplaceAll(p, "{id}", "999999") }, expect: func(access.Subject, access.Action) bool { return false }}}
		case rt.path == "/service-accounts/new" || (rt.path == "/service-accounts" && rt.method == "POST"):
			// Only a team leader in an IDVA service manages its accounts.
			targets = []matrixTarget{{path: func(p string) string { return p }, expect: func(sub access.Subject, _ access.Action) bool {
				return sub.OrganisationKind == account.IDVAService && slices.ContainsFunc(sub.Grants, func(g access.Grant) bool {
					return g.Role == access.TeamLeader && g.SiteID != 0
				})
			}}}
		case strings.Contains(rt.path, "/notifications/{id}"):
			// Nobody holds a notification in this fixture: nobody finds one.
			targets = []matrixTarget{{path: func(p string) string { return strings.ReplaceAll(p, "{id}", "999999") }, expect: func(access.Subject, access.Action) bool { return false }}}
		case rt.path == "/meetings" && rt.method == "POST":
			// Scheduling names no series here: nobody finds one.
			targets = []matrixTarget{{path: func(p string) string { return p }, expect: func(access.Subject, access.Action) bool { return false }}}
		case rt.path == "/meetings/new":
			// Scheduling a meeting of each site's series: for those who run
			// that site's meetings.
			targets = nil
			for _, m := range meetings {
				m := m
				targets = append(targets, matrixTarget{name: "series " + strconv.FormatInt(m.series, 10),
					path: func(p string) string { return p + "?series=" + strconv.FormatInt(m.series, 10) },
					expect: func(sub access.Subject, _ access.Action) bool {
						r := access.Resource{Class: access.PerpetratorCase, RecordType: "meeting", RecordID: "0", SiteID: m.site}
						return access.Decide(sub, access.Write, r, now).Allowed
					}})
			}
		case rt.path == "/meetings/series/new" || (rt.path == "/meetings/series" && rt.method == "POST"):
			// Setting up series and scheduling meetings is for those who
			// run meetings at a site: they may write its casework.
			targets = []matrixTarget{{path: func(p string) string { return p }, expect: func(sub access.Subject, _ access.Action) bool {
				for _, site := range []int64{siteA.ID, siteB.ID} {
					r := access.Resource{Class: access.PerpetratorCase, RecordType: "meeting", RecordID: "0", SiteID: site}
					if access.Decide(sub, access.Write, r, now).Allowed {
						return true
					}
				}
				return false
			}}}
		case strings.HasPrefix(rt.path, "/meetings/{id}") && rt.method == "GET":
			// Each site's held meeting: whoever reads the site's casework
			// sees it (nobody here is invited); only its coordinators see the
			// cases proposed for an agenda.
			targets = nil
			for _, m := range meetings {
				m := m
				targets = append(targets, matrixTarget{name: "meeting " + strconv.FormatInt(m.id, 10),
					path: func(p string) string {
						return strings.NewReplacer("{id}", strconv.FormatInt(m.id, 10), "{item}", strconv.FormatInt(m.item, 10)).Replace(p)
					},
					expect: func(sub access.Subject, _ access.Action) bool {
						r := access.Resource{Class: access.PerpetratorCase, RecordType: "meeting", RecordID: strconv.FormatInt(m.id, 10), SiteID: m.site}
						if strings.HasSuffix(rt.path, "/candidates") {
							return access.Decide(sub, access.Write, r, now).Allowed
						}
						d := access.Decide(sub, access.Read, r, now)
						return d.Allowed && d.Relationship != access.Any
					}})
			}
		case strings.HasPrefix(rt.path, "/meetings/{id}"):
			// Changes to a meeting nobody has: nobody finds it.
			targets = []matrixTarget{{path: func(p string) string {
				return strings.NewReplacer("{id}", "999999", "{item}", "999999", "{att}", "999999").Replace(p)
			}, expect: func(access.Subject, access.Action) bool { return false }}}
		case rt.path == "/identify/mappings/{id}/delete" || rt.path == "/identify/import/checked/{id}" || rt.path == "/imports/{id}":
			// No saved mapping, checked upload or upload's import job is
			// named here (a job is only its uploader's): nobody finds one.
			targets = []matrixTarget{{path: func(p string) string { return strings.ReplaceAll(p, "{id}", "999999") }, expect: func(access.Subject, access.Action) bool { return false }}}
		case rt.path == "/evaluation/new" || (rt.path == "/evaluation" && rt.method == "POST"):
			// The form offers what only the national team may create.
			targets = []matrixTarget{{path: func(p string) string { return p }, expect: func(sub access.Subject, _ access.Action) bool {
				return slices.ContainsFunc(sub.Grants, func(g access.Grant) bool { return g.Role == access.National && g.SiteID == 0 })
			}}}
		case strings.HasPrefix(rt.path, "/evaluation/{id}"):
			// A project is seen by the national team and the dpo, and by
			// an evaluator of its own organisation only.
			targets = nil
			for _, pr := range projects {
				pr := pr
				targets = append(targets, matrixTarget{name: "project " + strconv.FormatInt(pr.id, 10),
					path: func(p string) string {
						return strings.NewReplacer("{id}", strconv.FormatInt(pr.id, 10), "{action}", "approve").Replace(p)
					},
					expect: func(sub access.Subject, act access.Action) bool {
						for _, g := range sub.Grants {
							if g.SiteID == 0 && (g.Role == access.National || g.Role == access.DPO ||
								(g.Role == access.Evaluator && act == access.Read && sub.OrganisationID == pr.org)) {
								return true
							}
						}
						return false
					}})
			}
		case strings.Contains(rt.path, "/evaluation/extracts/{id}"):
			// Only an evaluator of the project's organisation downloads.
			targets = nil
			for _, pr := range projects {
				pr := pr
				targets = append(targets, matrixTarget{name: "extract " + strconv.FormatInt(pr.release, 10),
					path: func(p string) string { return strings.ReplaceAll(p, "{id}", strconv.FormatInt(pr.release, 10)) },
					expect: func(sub access.Subject, _ access.Action) bool {
						return sub.OrganisationID == pr.org && slices.ContainsFunc(sub.Grants, func(g access.Grant) bool {
							return g.Role == access.Evaluator && g.SiteID == 0
						})
					}})
			}
		case rt.path == "/api/v1/reports/outcomes":
			// Like the other API routes, the service decides: the outcomes
			// of every site the caller reads aggregates at, "not found" for
			// a caller who reads none.
			targets = []matrixTarget{{path: func(p string) string { return p }, expect: func(sub access.Subject, _ access.Action) bool {
				sites, national := sub.SitesFor(access.Aggregates, access.Read)
				return national || len(sites) > 0
			}}}
		case strings.HasPrefix(rt.path, "/trials/{id}") || strings.HasPrefix(rt.path, "/api/v1/trials/{id}"):
			// The trial at site A: for those who may run trials there.
			targets = []matrixTarget{{name: "trial " + strconv.FormatInt(trial.ID, 10),
				path: func(p string) string { return strings.ReplaceAll(p, "{id}", strconv.FormatInt(trial.ID, 10)) },
				expect: func(sub access.Subject, act access.Action) bool {
					r := access.Resource{Class: access.Trial, RecordType: "trial", RecordID: strconv.FormatInt(trial.ID, 10), SiteID: siteA.ID}
					return access.Decide(sub, act, r, now).Allowed
				}}}
		case strings.HasPrefix(rt.path, "/api/v1/meetings/{id}") || rt.path == "/api/v1/actions/{id}":
			// No meeting or action is named here: nobody finds one.
			targets = []matrixTarget{{path: func(p string) string { return strings.ReplaceAll(p, "{id}", "999999") }, expect: func(access.Subject, access.Action) bool { return false }}}
		case strings.HasPrefix(rt.path, "/service-accounts/") || strings.HasPrefix(rt.path, "/account-requests/"):
			// No account or request is named here: nobody finds one.
			targets = []matrixTarget{{path: func(p string) string { return p }, expect: func(access.Subject, access.Action) bool { return false }}}
		case strings.HasPrefix(rt.path, "/retention/holds/{id}"):
			// No hold exists: lifting one answers "not found" to everyone
			// (TestLegalHoldPages lifts a real one).
			targets = []matrixTarget{{path: func(p string) string { return strings.ReplaceAll(p, "{id}", "999999") },
				expect: func(access.Subject, access.Action) bool { return false }}}
		case strings.HasPrefix(rt.path, "/api/v1/subject-access/{id}"):
			// No request exists: nobody finds one (TestSubjectAccessAPI
			// walks a real one).
			targets = []matrixTarget{{path: func(p string) string { return strings.ReplaceAll(p, "{id}", "999999") }, expect: func(access.Subject, access.Action) bool { return false }}}
		case strings.HasPrefix(rt.path, "/api/v1/subject-access"):
			// The list, record and search: the data protection officer
			// only, decided by the service.
			targets = []matrixTarget{{path: func(p string) string { return p }, expect: func(sub access.Subject, _ access.Action) bool {
				return holds(sub, need{access.SubjectAccess, access.Write})
			}}}
		case strings.HasPrefix(rt.path, "/subject-access/{id}"):
			// No request exists: the routes answer "not found" to everyone,
			// the data protection officer included (TestSubjectAccessPages
			// walks a real one).
			targets = []matrixTarget{{path: func(p string) string {
				return strings.NewReplacer("{id}", "999999", "{action}", "approve", "{format}", "pdf").Replace(p)
			}, expect: func(access.Subject, access.Action) bool { return false }}}
		case strings.Contains(rt.path, "/cases/{id}"):
			targets = nil
			for _, c := range cases {
				c := c
				targets = append(targets, matrixTarget{name: "case " + strconv.FormatInt(c.ID, 10),
					path: func(p string) string {
						key := "case " + strconv.FormatInt(c.ID, 10)
						return strings.NewReplacer("{id}", strconv.FormatInt(c.ID, 10), "{form}", "notes", "{action}", strconv.FormatInt(actionOf[c.ID], 10),
							"{app}", strconv.FormatInt(appointmentOf[key], 10), "{doc}", strconv.FormatInt(documentOf[key], 10)).Replace(p)
					},
					expect: func(sub access.Subject, act access.Action) bool {
						r := access.Resource{Class: access.PerpetratorCase, RecordType: "case", RecordID: strconv.FormatInt(c.ID, 10), SiteID: c.SiteID}
						if strings.HasSuffix(rt.path, "/notes") || strings.HasSuffix(rt.path, "{form}") {
							r.Class = access.Notes
						}
						if strings.HasSuffix(rt.path, "/reviews") && act == access.Write {
							r.Class = access.HealthNeeds
						}
						if strings.HasSuffix(rt.path, "/victims") {
							// The case's victims' risk page needs the case
							// and its victim-survivors' risk facts.
							v := r
							v.Class = access.VictimRisk
							return access.Decide(sub, act, r, now).Allowed && access.Decide(sub, act, v, now).Allowed
						}
						// The page of a form is offered to those who may
						// make the change, while the case can take it.
						switch {
						case strings.HasSuffix(rt.path, "/actions/new"):
							return c.State.Open() && access.Decide(sub, access.Write, r, now).Allowed
						case strings.HasSuffix(rt.path, "/contacts/new"):
							return access.Decide(sub, access.Write, r, now).Allowed
						case strings.HasSuffix(rt.path, "/notes/new"):
							r.Class = access.Notes
							return access.Decide(sub, access.Write, r, now).Allowed
						case strings.HasSuffix(rt.path, "/reviews/new"):
							r.Class = access.HealthNeeds
							return (c.State == casework.Active || c.State == casework.Closing) && access.Decide(sub, access.Write, r, now).Allowed
						}
						if strings.HasSuffix(rt.path, "/police") || strings.HasSuffix(rt.path, "/police-history") {
							// The police history needs the case and its police intelligence.
							p := r
							p.Class = access.PoliceIntel
							return access.Decide(sub, act, r, now).Allowed && access.Decide(sub, act, p, now).Allowed
						}
						return access.Decide(sub, act, r, now).Allowed
					}})
			}
		case rt.path == "/victim-views":
			// What survivors tell the service: the staff of an IDVA
			// service, and the national team.
			targets = []matrixTarget{{path: func(p string) string { return p }, expect: func(sub access.Subject, _ access.Action) bool {
				return slices.ContainsFunc(sub.Grants, func(g access.Grant) bool {
					return g.Role == access.National ||
						(sub.OrganisationKind == access.IDVAService && (g.Role == access.IDVA || g.Role == access.TeamLeader) && g.SiteID != 0)
				})
			}}}
		case rt.path == "/victims/new" || (rt.path == "/victims" && rt.method == "POST"):
			targets = []matrixTarget{{path: func(p string) string { return p }, expect: func(sub access.Subject, _ access.Action) bool {
				return sub.HasRole(access.IDVA) || sub.HasRole(access.TeamLeader)
			}}}
		case strings.Contains(rt.path, "/victims/{id}"):
			targets = nil
			for _, v := range victims {
				v := v
				targets = append(targets, matrixTarget{name: "victim " + strconv.FormatInt(v.ID, 10),
					path: func(p string) string {
						key := "victim " + strconv.FormatInt(v.ID, 10)
						return strings.NewReplacer("{id}", strconv.FormatInt(v.ID, 10), "{form}", "notes",
							"{app}", strconv.FormatInt(appointmentOf[key], 10), "{doc}", strconv.FormatInt(documentOf[key], 10)).Replace(p)
					},
					expect: func(sub access.Subject, act access.Action) bool {
						r := access.Resource{Class: access.VictimRisk, RecordType: "victim", RecordID: strconv.FormatInt(v.ID, 10), SiteID: v.SiteID}
						if v.IDVAID != 0 {
							r.AllocatedUserIDs = []int64{v.IDVAID}
							r.AllocatedOrganisationIDs = []int64{idvaOrg}
						}
						read := access.Decide(sub, access.Read, r, now).Allowed
						// Her own record is for the victim-survivors' side:
						// IDVAs at her site, or the IDVA service's team
						// leader (Team), or break-glass.
						side := access.Decide(sub, access.Write, r, now).Allowed
						for _, g := range sub.Grants {
							side = side || (g.Role == access.IDVA && g.SiteID == v.SiteID)
						}
						read = read && side
						switch {
						case strings.Contains(rt.path, "/appointments") || strings.Contains(rt.path, "/documents"):
							// Whom and where she meets, and her papers, are
							// as protected as where she lives.
							r.Class = access.VictimCompartment
							return side && access.Decide(sub, act, r, now).Allowed
						case strings.HasSuffix(rt.path, "/feedback-code") || strings.HasSuffix(rt.path, "/feedback-codes") ||
							(strings.HasSuffix(rt.path, "/reported-outcomes") && rt.method == "POST"):
							// Her own answers and her codes: her risk
							// information, written on the IDVA side.
							return read && access.Decide(sub, access.Write, r, now).Allowed
						case rt.method == "POST":
							r.Class = access.VictimCompartment
							return access.Decide(sub, access.Write, r, now).Allowed
						case strings.HasSuffix(rt.path, "/dash"):
							return read && access.Decide(sub, access.Write, r, now).Allowed
						}
						return read
					}})
			}
		case rt.path == "/team/{list}":
			// A list of the team dashboard: for those the dashboard is for.
			targets = []matrixTarget{{path: func(p string) string { return strings.ReplaceAll(p, "{list}", "overdue") }, expect: func(access.Subject, access.Action) bool { return true }}}
		case strings.HasPrefix(rt.path, "/reports"):
			// Outcome reports and their downloads: all one's sites, and each
			// site by its number, for those who read that site's aggregates.
			// A page of the report is opened by a part every report has.
			page := func(p string) string { return strings.ReplaceAll(p, "{section}", "behaviour") }
			targets = []matrixTarget{{path: page, expect: func(access.Subject, access.Action) bool { return true }}}
			for _, site := range []int64{siteA.ID, siteB.ID} {
				site := site
				targets = append(targets, matrixTarget{name: "site " + strconv.FormatInt(site, 10),
					path: func(p string) string { return page(p) + "?site=" + strconv.FormatInt(site, 10) },
					expect: func(sub access.Subject, _ access.Action) bool {
						ids, national := sub.SitesFor(access.Aggregates, access.Read)
						return national || slices.Contains(ids, site)
					}})
			}
		case rt.path == "/identify/national":
			targets = []matrixTarget{{path: func(p string) string { return p }, expect: func(sub access.Subject, _ access.Action) bool {
				_, national := sub.SitesFor(access.Aggregates, access.Read)
				return national && sub.HasRole(access.National)
			}}}
		case strings.HasPrefix(rt.path, "/identify/people/{id}"):
			targets = nil
			for _, p := range suspects {
				p := p
				targets = append(targets, matrixTarget{name: "police person " + strconv.FormatInt(p.id, 10),
					path: func(pt string) string { return strings.ReplaceAll(pt, "{id}", strconv.FormatInt(p.id, 10)) },
					expect: func(sub access.Subject, act access.Action) bool {
						return access.Decide(sub, act, access.Resource{Class: access.PoliceIntel, RecordType: "police_person", RecordID: strconv.FormatInt(p.id, 10), SiteID: p.site}, now).Allowed
					}})
			}
		case strings.Contains(rt.path, "/people/{id}"):
			targets = nil
			for _, p := range persons {
				p := p
				targets = append(targets, matrixTarget{name: "person " + strconv.FormatInt(p.ID, 10),
					path: func(pt string) string {
						return strings.NewReplacer("{id}", strconv.FormatInt(p.ID, 10), "{form}", "unmerge").Replace(pt)
					},
					expect: func(sub access.Subject, act access.Action) bool {
						return access.Decide(sub, act, access.Resource{Class: access.PerpetratorCase, RecordType: "person", RecordID: strconv.FormatInt(p.ID, 10), SiteID: p.SiteID}, now).Allowed
					}})
			}
		}
		for _, tg := range targets {
			path := strings.ReplaceAll(tg.path(rt.path), "{$}", "")
			for _, mu := range users {
				sub := subjectOf(mu.user)
				want := (rt.need == none || holds(sub, rt.need)) && tg.expect(sub, act)
				var body io.Reader
				if rt.method == "POST" {
					if rt.kind == apiRoute {
						body = strings.NewReader("{}")
					} else {
						body = strings.NewReader(url.Values{"csrf_token": {mu.csrf}}.Encode())
					}
				}
				req, _ := http.NewRequest(rt.method, ts.URL+path, body)
				if rt.kind == apiRoute {
					req.Header.Set("Authorization", "Bearer "+mu.apiToken)
				} else {
					req.Header.Set("Cookie", "drive_session="+mu.token)
					if body != nil {
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					}
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				got := resp.StatusCode != http.StatusNotFound
				if resp.StatusCode >= 500 {
					t.Errorf("%s %s as %s: status %d", rt.method, path, mu.user.Username, resp.StatusCode)
				}
				if got != want {
					t.Errorf("%s %s as %s: status %d; policy says allowed=%v", rt.method, path, mu.user.Username, resp.StatusCode, want)
				}
				if !got && (strings.Contains(string(out), "Matrix") || strings.Contains(string(out), "target.site")) {
					t.Errorf("%s %s as %s: the 404 body names the hidden record", rt.method, path, mu.user.Username)
				}
				checked++
			}
		}
	}
	if checked < 50 {
		t.Fatalf("only %d route/user pairs checked", checked)
	}
	t.Logf("%d route/user pairs checked", checked)
}

// matrixFeedRoute checks a feed's route refuses every user, by API token
// and by session, as it refuses a bad token (401): the routes exist for
// feeds only, whatever roles a user holds.
func matrixFeedRoute(t *testing.T, base string, client *http.Client, rt route, users []*matrixUser) int {
	n := 0
	path := strings.ReplaceAll(rt.path, "{id}", "1")
	for _, mu := range users {
		for _, header := range [][2]string{{"Authorization", "Bearer " + mu.apiToken}, {"Cookie", "drive_session=" + mu.token}} {
			req, _ := http.NewRequest(rt.method, base+path+"?kind=incidents", strings.NewReader("ref,date\n"))
			req.Header.Set(header[0], header[1])
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s as %s (%s): status %d, want 401", rt.method, path, mu.user.Username, header[0], resp.StatusCode)
			}
			n++
		}
	}
	return n
}

// matrixBreakGlass checks break-glass on the victim compartment answers
// every user (every role, in every kind of organisation) as the policy
// says, for a record at their site and at another; and, stated apart from
// the policy, that nobody outside an IDVA service is ever let in.
func matrixBreakGlass(t *testing.T, base string, client *http.Client, rt route, users []*matrixUser, sites map[string]int64) int {
	n := 0
	opened := map[account.OrgKind]int{}
	for id, site := range sites {
		for _, mu := range users {
			_, want := access.CanBreakGlass(subjectOf(mu.user), access.VictimCompartment, site)
			if want {
				opened[mu.user.OrganisationKind]++
			}
			if want && mu.user.OrganisationKind != account.IDVAService {
				t.Errorf("the policy lets %s, of a %s, break glass on the victim compartment", mu.user.Username, mu.user.OrganisationKind)
			}
			var req *http.Request
			if rt.method == "GET" {
				req, _ = http.NewRequest("GET", base+"/break-glass?type=test_record&id="+id, nil)
			} else {
				form := url.Values{"csrf_token": {mu.csrf}, "type": {"test_record"}, "id": {id}, "reason": {"Safeguarding emergency raised by the duty sergeant"}, "duration": {"1"}}
				req, _ = http.NewRequest("POST", base+"/break-glass", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.Header.Set("Cookie", "drive_session="+mu.token)
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := resp.StatusCode != http.StatusNotFound; got != want {
				t.Errorf("%s break-glass on site %s record as %s: status %d; policy says allowed=%v", rt.method, id, mu.user.Username, resp.StatusCode, want)
			}
			n++
		}
	}
	if len(opened) != 1 || opened[account.IDVAService] == 0 {
		t.Errorf("break-glass on the victim compartment was open to %v; want staff of an IDVA service only", opened)
	}
	return n
}
