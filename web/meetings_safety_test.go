package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/pdf"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// Meetings and the barrier. A multi-agency meeting opens a case to
// partner agencies for a while, and its minutes and a case's transfer
// pack are made from what was said. These tests hold that nothing of it
// ever tells anyone on the perpetrator side, or a partner, where she is or
// how to reach her, and that partners see a case exactly while the policy
// says.

// herStreet is her street as her IDVA recorded it; a coordinator minutes
// a share naming it, which the barrier must hold back from everyone but
// its author and her IDVA.
const herStreet = "12 Canaryline Crescent"

// meetingFixture is one site with a Drive provider, an IDVA service and a
// police force; a case allocated to its case manager and linked to a
// victim-survivor whose IDVA recorded where she is; a MARAC series run by
// the panel coordinator with one meeting scheduled a week ahead, the case
// on its agenda, the police partner and her IDVA invited. The clock is the
// test's to move; signIn makes sessions at its time.
type meetingFixture struct {
	t         *testing.T
	clock     *testClock
	db        *store.DB
	srv       *Server
	ts        *httptest.Server
	svc       *service.Service
	users     map[string]*account.User
	sessions  map[string]string
	apiTokens map[string]string
	signins   int
	siteID    int64
	police    *account.Organisation
	caseID    int64
	victimID  int64
	series    *meeting.Series
	meetingID int64
	itemID    int64
	actionID  int64
	heldOn    drive.Date
}

func newMeetingFixture(t *testing.T, e storetest.Engine) *meetingFixture {
	t.Helper()
	f := &meetingFixture{t: t, clock: &testClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}, users: map[string]*account.User{}}
	f.db = e.Open(t, f.clock.now)
	ctx := context.Background()
	err := f.db.Transact(ctx, func(tx *store.Tx) error {
		site := account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
		if err := tx.CreateSite(ctx, &site); err != nil {
			return err
		}
		f.siteID = site.ID
		if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
			return err
		}
		provider := &account.Organisation{Name: "Drive provider", Kind: account.Provider, SiteIDs: []int64{site.ID}}
		idvas := &account.Organisation{Name: "IDVA service", Kind: account.IDVAService, SiteIDs: []int64{site.ID}}
		f.police = &account.Organisation{Name: "Northmoor Police", Kind: account.PoliceForce, SiteIDs: []int64{site.ID}}
		for _, o := range []*account.Organisation{provider, idvas, f.police} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		for _, sp := range []struct {
			name string
			org  *account.Organisation
			role access.Role
		}{
			{"pam.coordinator", provider, access.PanelCoordinator}, {"cal.manager", provider, access.CaseManager},
			{"tom.providerlead", provider, access.TeamLeader}, {"ida.idva", idvas, access.IDVA},
			{"pat.partner", f.police, access.Partner}, {"pia.partner", f.police, access.Partner},
		} {
			u := &account.User{Username: sp.name, DisplayName: "User " + sp.name, OrganisationID: sp.org.ID, OrganisationKind: sp.org.Kind,
				PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: sp.role, SiteID: site.ID}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			f.users[sp.name] = u
		}
		p := &people.Person{SiteID: site.ID, GivenName: "Darren", FamilyName: "Hollis", DateOfBirth: drive.MustDate("1984-02-11")}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.DateOf(tx.Now),
			Summary: "Repeat MARAC", Evidence: programme.Evidence{DASHScore: 16}}
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		at := tx.Now
		c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed", 1, &at
		c.CaseManagerID, c.AllocatedAt, c.StartedAt = f.users["cal.manager"].ID, &at, &at
		f.caseID = c.ID
		return tx.UpdateCase(ctx, c)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.srv, err = New(Config{Service: &service.Service{DB: f.db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = f.srv.svc
	f.ts = httptest.NewServer(Replicated(t, f.srv))
	t.Cleanup(f.ts.Close)
	f.signIn()

	idva, pam := f.actor("ida.idva"), f.actor("pam.coordinator")
	if f.victimID, err = f.svc.OpenVictimCase(ctx, idva, service.VictimInput{
		Case: victim.Case{SiteID: f.siteID, GivenName: "Sam", FamilyName: "Example"},
		Link: victim.Link{PerpetratorCase: f.caseID, Relationship: victim.ExPartner}}); err != nil {
		t.Fatal(err)
	}
	f.must(f.svc.SetCompartment(ctx, idva, f.victimID, victim.Compartment{
		Addresses: []victim.Address{{Line1: herStreet, Town: "Northmoor", Postcode: "CN9 9QZ", Current: true}},
		Phones:    []string{"07700 900917"}, Emails: []string{"canary.victim@example.org"}, SafeContact: "CANARY-SAFE-TIME weekdays",
		Refuge: "Canary Refuge House"}))
	f.series = &meeting.Series{SiteID: f.siteID, Kind: meeting.MARAC, Name: "Northmoor MARAC", Schedule: "Every other Monday, 10:00",
		ChairID: f.users["pam.coordinator"].ID, CoordinatorID: f.users["pam.coordinator"].ID, Venue: "Room 2, Civic Centre",
		AgencyIDs: []int64{f.police.ID}, AccessDays: 7}
	f.must(f.svc.CreateSeries(ctx, pam, f.series))
	f.heldOn = drive.DateOf(f.clock.now()).AddDays(7)
	if f.meetingID, err = f.svc.ScheduleMeeting(ctx, pam, f.series.ID, f.heldOn, "10:00"); err != nil {
		t.Fatal(err)
	}
	f.must(f.svc.AddToAgenda(ctx, pam, f.meetingID, []int64{f.caseID}))
	for _, name := range []string{"pat.partner", "ida.idva"} {
		f.must(f.svc.Invite(ctx, pam, f.meetingID, meeting.Attendee{UserID: f.users[name].ID}))
	}
	v, err := f.svc.Meeting(ctx, pam, f.meetingID)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range v.Items {
		if it.Kind == meeting.CaseItem {
			f.itemID = it.ID
		}
	}
	if f.itemID == 0 {
		t.Fatal("the case is not on the agenda")
	}
	return f
}

func (f *meetingFixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *meetingFixture) actor(name string) service.Actor {
	u := f.users[name]
	return service.Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Subject: subjectOf(u), Remote: "test"}
}

// signIn gives every user a fresh session and API token at the clock's
// time, as they would sign in again after the clock has moved on.
func (f *meetingFixture) signIn() {
	f.t.Helper()
	f.signins++
	f.sessions, f.apiTokens = map[string]string{}, map[string]string{}
	err := f.db.Transact(context.Background(), func(tx *store.Tx) error {
		now := tx.Now
		for name, u := range f.users {
			n := strconv.Itoa(f.signins)
			sess, tok := "drv_s_"+name+"-"+n, "drv_t_"+name+"-"+n+"-token"
			if err := tx.CreateSession(context.Background(), &account.Session{TokenHash: auth.HashToken(sess), UserID: u.ID, Stage: account.StageFull,
				CSRF: "csrf-" + name, Remote: "test", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(12 * time.Hour), ReauthAt: now}); err != nil {
				return err
			}
			if err := tx.CreateAPIToken(context.Background(), &account.APIToken{UserID: u.ID, TokenHash: auth.HashToken(tok), ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
			f.sessions[name], f.apiTokens[name] = sess, tok
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

// moveTo sets the clock and signs everyone in again.
func (f *meetingFixture) moveTo(t time.Time) {
	f.clock.add(t.Sub(f.clock.now()))
	f.signIn()
}

// get fetches path as name (an API path with their token) and returns
// the status, the text shown (a PDF's text) and the content type.
func (f *meetingFixture) get(name, path string) (int, string, string) {
	f.t.Helper()
	return fetch(f.t, f.ts.URL+path, strings.HasPrefix(path, "/api/"), f.sessions[name], f.apiTokens[name])
}

func fetch(t *testing.T, url string, isAPI bool, session, token string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if isAPI {
		req.Header.Set("Authorization", "Bearer "+token)
	} else {
		req.Header.Set("Cookie", "drive_session="+session)
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	ct := resp.Header.Get("Content-Type")
	if resp.StatusCode == 200 && strings.HasPrefix(ct, "application/pdf") {
		text, err := pdf.Text(b)
		if err != nil {
			t.Fatalf("%s: not a readable PDF: %v", url, err)
		}
		return resp.StatusCode, text, ct
	}
	return resp.StatusCode, string(b), ct
}

// shown lists the canaries in text, also where a PDF wrapped a value
// over two lines.
func shown(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range []string{text, strings.ReplaceAll(text, "\n", " "), strings.ReplaceAll(text, "\n", "")} {
		for _, c := range leaked(v) {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}

// publish publishes the agenda.
func (f *meetingFixture) publish() {
	f.must(f.svc.PublishAgenda(context.Background(), f.actor("pam.coordinator"), f.meetingID))
}

// record runs the item: the partner shares for the police; the
// coordinator minutes a police share naming her street (held by the
// barrier); the meeting decides and agrees an action for the police.
func (f *meetingFixture) record() {
	ctx := context.Background()
	pam, pat := f.actor("pam.coordinator"), f.actor("pat.partner")
	f.must(f.svc.RecordShare(ctx, pat, f.meetingID, f.itemID, &meeting.Share{Basis: meeting.LegitimateInterests,
		Text: "Two call-outs this month; bail conditions breached."}))
	f.must(f.svc.RecordShare(ctx, pam, f.meetingID, f.itemID, &meeting.Share{OrganisationID: f.police.ID, Basis: meeting.PublicTask,
		Text: "Seen outside " + herStreet + " twice"}))
	f.must(f.svc.DecideItem(ctx, pam, f.meetingID, f.itemID, meeting.ActionsAgreed, "Police to enforce bail; IDVA to review safety plan."))
	act := &casework.Action{Type: "bail-review", OrganisationID: f.police.ID, Owner: "DS Example", DueOn: f.heldOn.AddDays(14)}
	f.must(f.svc.AgreeAction(ctx, pam, f.meetingID, f.itemID, act))
	f.actionID = act.ID
}

// hold moves to the afternoon of the meeting and publishes its minutes.
func (f *meetingFixture) hold() {
	f.moveTo(f.heldOn.Time().Add(15 * time.Hour))
	f.must(f.svc.PublishMinutes(context.Background(), f.actor("pam.coordinator"), f.meetingID))
}

// runMeeting takes the meeting from publication to its minutes, with
// the partner and her IDVA admitted.
func (f *meetingFixture) runMeeting() {
	f.publish()
	for _, name := range []string{"pat.partner", "ida.idva"} {
		f.must(f.svc.AcceptConfidentiality(context.Background(), f.actor(name), f.meetingID))
	}
	f.record()
	f.hold()
}

// walkStep is one moment of the meeting's life and what each address
// answers the invited partner then: 200 or 404.
type walkStep struct {
	name string
	do   func(f *meetingFixture)
	want map[string]int
}

// accessWalk moves a meeting through its life and asks every address in
// paths, as the invited partner and as a partner of the same force who
// was not invited (who finds nothing at any point but their agency's
// actions page).
func accessWalk(t *testing.T, paths func(f *meetingFixture) map[string]string) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newMeetingFixture(t, e)
			addr := paths(f)
			steps := []walkStep{
				{"draft agenda", func(*meetingFixture) {}, map[string]int{}},
				// Once published, the invited partner sees the meeting and its
				// agenda (page and API), but no case opens until they accept
				// the confidentiality statement.
				{"published, statement not accepted", func(f *meetingFixture) { f.publish() }, map[string]int{"meeting": 200, "api meeting": 200, "api items": 200}},
				{"admitted, before the meeting", func(f *meetingFixture) {
					f.must(f.svc.AcceptConfidentiality(context.Background(), f.actor("pat.partner"), f.meetingID))
					f.record()
				}, map[string]int{"case": 200, "police": 200, "meeting": 200, "item": 200, "pack": 200, "api case": 200, "api meeting": 200, "api items": 200}},
				{"held, within the window", func(f *meetingFixture) { f.hold() },
					map[string]int{"case": 200, "police": 200, "meeting": 200, "item": 200, "minutes": 200, "minutes pdf": 200, "pack": 200, "api case": 200,
						"api meeting": 200, "api items": 200}},
				{"last day of the window", func(f *meetingFixture) { f.moveTo(f.heldOn.AddDays(f.series.AccessDays).Time().Add(20 * time.Hour)) },
					map[string]int{"case": 200, "police": 200, "meeting": 200, "item": 200, "minutes": 200, "minutes pdf": 200, "pack": 200, "api case": 200,
						"api meeting": 200, "api items": 200}},
				{"after the window", func(f *meetingFixture) { f.moveTo(f.heldOn.AddDays(f.series.AccessDays + 1).Time().Add(9 * time.Hour)) }, map[string]int{}},
			}
			for _, st := range steps {
				st.do(f)
				for what, path := range addr {
					want := st.want[what]
					if want == 0 {
						want = 404
					}
					if what == "actions" {
						want = 200 // an agency's own actions page is always there
					}
					if status, _, _ := f.get("pat.partner", path); status != want {
						t.Errorf("%s: invited partner on %s (%s): %d; want %d", st.name, what, path, status, want)
					}
					want = 404
					if what == "actions" {
						want = 200
					}
					if status, _, _ := f.get("pia.partner", path); status != want {
						t.Errorf("%s: uninvited partner on %s (%s): %d; want %d", st.name, what, path, status, want)
					}
				}
				// The agreed action is the police's from the moment it is
				// agreed, also after the window; never anyone else's.
				if path, ok := addr["actions"]; ok && f.actionID != 0 {
					for _, name := range []string{"pat.partner", "pia.partner"} {
						if _, body, _ := f.get(name, path); !strings.Contains(body, "/actions/"+strconv.FormatInt(f.actionID, 10)) {
							t.Errorf("%s: %s's actions page lacks the police's action", st.name, name)
						}
					}
					if _, body, _ := f.get("cal.manager", path); strings.Contains(body, "/actions/"+strconv.FormatInt(f.actionID, 10)) {
						t.Errorf("%s: the provider's case manager is shown the police's action", st.name)
					}
				}
			}
		})
	}
}

// TestMeetingAccessWalkCases walks a partner's access to the case, its
// police history, its transfer pack and the API's case, and to their
// agency's actions, through a meeting's life: "not found" until they are
// admitted to a published meeting, open until the end of its window, then
// "not found" again.
func TestMeetingAccessWalkCases(t *testing.T) {
	accessWalk(t, func(f *meetingFixture) map[string]string {
		c := "/cases/" + strconv.FormatInt(f.caseID, 10)
		return map[string]string{"case": c, "police": c + "/police", "pack": c + "/transfer-pack.pdf", "api case": "/api/v1" + c, "actions": "/actions"}
	})
}

// TestMeetingAccessWalkMeetingPages walks the same life over the meeting's
// own pages and API resources: the meeting shows once published, its
// item once the partner accepted the confidentiality statement, its
// minutes once held, all until the end of the window.
func TestMeetingAccessWalkMeetingPages(t *testing.T) {
	accessWalk(t, func(f *meetingFixture) map[string]string {
		m := "/meetings/" + strconv.FormatInt(f.meetingID, 10)
		return map[string]string{"meeting": m, "item": m + "/items/" + strconv.FormatInt(f.itemID, 10), "minutes": m + "/minutes",
			"minutes pdf": m + "/minutes.pdf", "api meeting": "/api/v1" + m, "api items": "/api/v1" + m + "/items"}
	})
}

// TestTransferPackLeaks makes the case's transfer pack as every user of
// the wall's site after a meeting heard the case: nobody on the
// perpetrator side and no partner finds her address, postcode, phone,
// refuge or safe-contact text in it; her IDVA's copy has them.
func TestTransferPackLeaks(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w, m := wallMeeting(t, e)
			path := "/cases/" + strconv.FormatInt(w.caseID, 10) + "/transfer-pack.pdf"
			packs := 0
			for name, u := range w.users {
				status, text, ct := fetch(t, w.ts.URL+path, false, u.session, "")
				if status == 200 {
					packs++
					if !strings.HasPrefix(ct, "application/pdf") || !strings.Contains(text, "Northmoor MARAC") {
						t.Errorf("%s: transfer pack %q lacks the hearing:\n%s", name, ct, text)
					}
				}
				if l := m.unexpected(name, shown(text)); len(l) > 0 {
					t.Errorf("%s: transfer pack shows %v", name, l)
				}
			}
			if packs < 3 {
				t.Fatalf("only %d users could download the transfer pack", packs)
			}
			if status, _, _ := fetch(t, w.ts.URL+path, false, w.users["cal.manager"].session, ""); status != 200 {
				t.Fatalf("the case manager's transfer pack: %d", status)
			}
			// Her IDVA's copy carries her safety information, so a pack
			// that leaked would be seen.
			if status, text, _ := fetch(t, w.ts.URL+path, false, w.users["ida.idva"].session, ""); status != 200 || !strings.Contains(strings.ReplaceAll(text, "\n", " "), herStreet) {
				t.Fatalf("her IDVA's transfer pack: %d, without her address:\n%s", status, text)
			}
		})
	}
}

// wallHeld is a meeting held on the wall's site.
type wallHeld struct {
	id, item int64
	// author recorded the share naming her street: the barrier never
	// tells a writer anything, so they alone outside her IDVA service
	// see their own words, and nothing else of hers.
	author string
}

// unexpected lists the canaries name may not see among those shown.
func (m wallHeld) unexpected(name string, shown []string) []string {
	switch name {
	case "ida.idva", "tia.idvalead":
		return nil // the two the policy lets read her compartment
	}
	var out []string
	for _, c := range shown {
		if name == m.author && strings.Contains(herStreet, c) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// wallMeeting holds a MARAC on the wall's site today: the case on its
// agenda, the police partner and her IDVA invited and admitted, a police
// share, a share naming her street minuted by the coordinator, a decision,
// an action for the police, the minutes published.
func wallMeeting(t *testing.T, e storetest.Engine) (*wall, wallHeld) {
	t.Helper()
	w := newWall(t, e)
	ctx := context.Background()
	svc := w.srv.svc
	pam, pat := w.actor("pam.coordinator"), w.actor("pat.partner")
	police := w.users["pat.partner"].user.OrganisationID
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	x := &meeting.Series{SiteID: w.users["pam.coordinator"].user.Roles[0].SiteID, Kind: meeting.MARAC, Name: "Northmoor MARAC",
		ChairID: w.users["pam.coordinator"].user.ID, CoordinatorID: w.users["pam.coordinator"].user.ID, Venue: "Room 2",
		AgencyIDs: []int64{police}, AccessDays: 7}
	must(svc.CreateSeries(ctx, pam, x))
	today := svc.Today()
	id, err := svc.ScheduleMeeting(ctx, pam, x.ID, today, "09:00")
	must(err)
	must(svc.AddToAgenda(ctx, pam, id, []int64{w.caseID}))
	for _, name := range []string{"pat.partner", "ida.idva"} {
		must(svc.Invite(ctx, pam, id, meeting.Attendee{UserID: w.users[name].user.ID}))
	}
	must(svc.PublishAgenda(ctx, pam, id))
	for _, name := range []string{"pat.partner", "ida.idva"} {
		must(svc.AcceptConfidentiality(ctx, w.actor(name), id))
	}
	v, err := svc.Meeting(ctx, pam, id)
	must(err)
	var item int64
	for _, it := range v.Items {
		if it.Kind == meeting.CaseItem {
			item = it.ID
		}
	}
	must(svc.RecordShare(ctx, pat, id, item, &meeting.Share{Basis: meeting.LegitimateInterests, Text: "Bail conditions breached twice."}))
	must(svc.RecordShare(ctx, pam, id, item, &meeting.Share{OrganisationID: police, Basis: meeting.PublicTask, Text: "Seen outside " + herStreet + " on Friday"}))
	must(svc.DecideItem(ctx, pam, id, item, meeting.ActionsAgreed, "Police to enforce bail."))
	must(svc.AgreeAction(ctx, pam, id, item, &casework.Action{Type: "bail-review", OrganisationID: police, Owner: "DS Example", DueOn: today.AddDays(14)}))
	must(svc.PublishMinutes(ctx, pam, id))
	return w, wallHeld{id: id, item: item, author: "pam.coordinator"}
}

// TestMeetingLeakCrawl extends the leak crawl to meetings: every user of
// the wall's site reads the meeting, its item, its minutes (page and PDF),
// the case's transfer pack, their agency's actions and the meetings API,
// following every link from them; only her IDVA and the IDVA service's
// team leader ever see where she is. Her IDVA's minutes carry it, so the
// crawl would notice a copy that leaked.
func TestMeetingLeakCrawl(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w, m := wallMeeting(t, e)
			mp := "/meetings/" + strconv.FormatInt(m.id, 10)
			cp := "/cases/" + strconv.FormatInt(w.caseID, 10)
			start := []string{"/", "/meetings", mp, mp + "/items/" + strconv.FormatInt(m.item, 10), mp + "/minutes", mp + "/minutes.pdf",
				cp, cp + "/transfer-pack.pdf", "/actions?show=all"}
			api := []string{"/api/v1/meetings", "/api/v1" + mp, "/api/v1" + mp + "/items", "/api/v1/actions", "/api/v1" + cp}
			href := regexp.MustCompile(`href="(/[^"#]*)`)
			get := func(name, path string) (int, string) {
				u := w.users[name]
				status, text, _ := fetch(t, w.ts.URL+path, strings.HasPrefix(path, "/api/"), u.session, u.apiToken)
				return status, text
			}
			// The pages exist: the minutes as the case manager and the
			// partner read them, and her IDVA's copy with her details.
			for _, name := range []string{"cal.manager", "pat.partner", "ida.idva"} {
				for _, p := range []string{mp + "/minutes", mp + "/minutes.pdf"} {
					if status, text := get(name, p); status != 200 || !strings.Contains(text, "Darren Hollis") {
						t.Errorf("%s on %s: %d; want the minutes", name, p, status)
					}
				}
			}
			for _, p := range []string{mp + "/minutes", mp + "/minutes.pdf"} {
				if _, text := get("ida.idva", p); !strings.Contains(strings.ReplaceAll(text, "\n", " "), herStreet) {
					t.Errorf("her IDVA's %s lacks her address:\n%.2000s", p, text)
				}
			}
			visited := 0
			for name := range w.users {
				if name == "ida.idva" || name == "tia.idvalead" {
					continue
				}
				seen := map[string]bool{}
				queue := append([]string{}, start...)
				for len(queue) > 0 && len(seen) < 150 {
					path := queue[0]
					queue = queue[1:]
					if seen[path] || strings.HasPrefix(path, "/assets/") || strings.HasPrefix(path, "/signout") {
						continue
					}
					seen[path] = true
					_, text := get(name, path)
					visited++
					if l := m.unexpected(name, shown(text)); len(l) > 0 {
						t.Errorf("%s: %s shows %v", name, path, l)
					}
					for _, h := range href.FindAllStringSubmatch(text, -1) {
						if p := strings.ReplaceAll(h[1], "&amp;", "&"); !seen[p] {
							queue = append(queue, p)
						}
					}
				}
				for _, path := range api {
					_, text := get(name, path)
					visited++
					if l := m.unexpected(name, shown(text)); len(l) > 0 {
						t.Errorf("%s: %s shows %v", name, path, l)
					}
				}
			}
			if visited < 100 {
				t.Fatalf("the crawl visited only %d pages", visited)
			}
		})
	}
}
