package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
	"github.com/drive-platform/drive/web"
)

// Her protected details, which no answer of the meetings API may carry.
const (
	herStreet   = "12 Canaryline Crescent"
	herPostcode = "CN9 9QZ"
	herPhone    = "07700 900917"
)

// clock is a time a test can move; the database and the service read it.
type clock struct{ t atomic.Int64 }

func (c *clock) now() time.Time  { return time.Unix(0, c.t.Load()).UTC() }
func (c *clock) set(t time.Time) { c.t.Store(t.UnixNano()) }

// meetingServer is the meetings fixture over real HTTP: site A with a
// team leader who runs a MARAC ("lead"), a case manager ("cm"), a police
// partner ("pc") and an IDVA ("idva"); site B with a police partner
// ("pcB") and a case manager ("other"). Site A has an active case linked
// to a victim-survivor whose IDVA has recorded where she lives.
type meetingServer struct {
	*server
	svc     *service.Service
	db      *store.DB
	clock   *clock
	users   map[string]*account.User
	siteA   int64
	siteB   int64
	police  int64
	victim  int64
	series  *meeting.Series
	meeting int64
}

func newMeetingServer(t *testing.T, e storetest.Engine) *meetingServer {
	t.Helper()
	ctx := context.Background()
	c := &clock{}
	c.set(now)
	db := e.Open(t, c.now)
	s := &meetingServer{server: &server{t: t, tokens: map[string]string{}, userIDs: map[string]int64{}}, db: db, clock: c,
		users: map[string]*account.User{}}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		for i, code := range []string{"AAA", "BBB"} {
			st := &account.Site{Code: code, Name: "Site " + code, Region: "R"}
			if err := tx.CreateSite(ctx, st); err != nil {
				return err
			}
			if err := tx.SeedProgrammes(ctx, st.ID); err != nil {
				return err
			}
			if i == 0 {
				s.siteA = st.ID
			} else {
				s.siteB = st.ID
			}
		}
		both := []int64{s.siteA, s.siteB}
		provider := &account.Organisation{Name: "Drive provider", Kind: account.Provider, SiteIDs: both}
		idvas := &account.Organisation{Name: "IDVA service", Kind: account.IDVAService, SiteIDs: []int64{s.siteA}}
		police := &account.Organisation{Name: "Northmoor Police", Kind: account.PoliceForce, SiteIDs: both}
		for _, o := range []*account.Organisation{provider, idvas, police} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		s.police = police.ID
		for _, sp := range []struct {
			name string
			org  int64
			role access.Role
			site int64
		}{
			{"lead", provider.ID, access.TeamLeader, s.siteA},
			{"cm", provider.ID, access.CaseManager, s.siteA},
			{"pc", police.ID, access.Partner, s.siteA},
			{"idva", idvas.ID, access.IDVA, s.siteA},
			{"pcB", police.ID, access.Partner, s.siteB},
			{"other", provider.ID, access.CaseManager, s.siteB},
		} {
			u := &account.User{Username: "user." + strings.ToLower(sp.name), DisplayName: "User " + sp.name, OrganisationID: sp.org,
				PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: sp.role, SiteID: sp.site}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			tok, hash, err := auth.NewToken(strings.NewReader(strings.Repeat("m"+sp.name, 64)), auth.APITokenPrefix)
			if err != nil {
				return err
			}
			// Long enough to outlive the meeting's access window.
			if err := tx.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, TokenHash: hash, ExpiresAt: now.Add(90 * 24 * time.Hour)}); err != nil {
				return err
			}
			s.users[sp.name], s.tokens[sp.name], s.userIDs[sp.name] = u, tok, u.ID
		}
		p := &people.Person{SiteID: s.siteA, GivenName: "Darren", FamilyName: "Hollis"}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		cs := &casework.Case{SiteID: s.siteA, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.DateOf(now),
			Summary: "Repeat MARAC", Evidence: programme.Evidence{DASHScore: 16}}
		if err := tx.CreateCase(ctx, cs); err != nil {
			return err
		}
		at := tx.Now
		cs.State, cs.DecisionReasons, cs.DecidedBy, cs.DecidedAt = casework.Active, "Agreed", s.users["cm"].ID, &at
		cs.CaseManagerID, cs.AllocatedAt, cs.StartedAt = s.users["cm"].ID, &at, &at
		s.caseID = cs.ID
		return tx.UpdateCase(ctx, cs)
	})
	if err != nil {
		t.Fatal(err)
	}
	s.svc = &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.DatabaseKeys(t)}
	idva := s.actor(t, "idva")
	s.victim, err = s.svc.OpenVictimCase(ctx, idva, service.VictimInput{
		Case: victim.Case{SiteID: s.siteA, GivenName: "Sam", FamilyName: "Example"},
		Link: victim.Link{PerpetratorCase: s.caseID, Relationship: victim.ExPartner}})
	if err != nil {
		t.Fatal(err)
	}
	err = s.svc.SetCompartment(ctx, idva, s.victim, victim.Compartment{
		Addresses: []victim.Address{{Line1: herStreet, Town: "Northmoor", Postcode: herPostcode, Current: true}},
		Phones:    []string{herPhone}})
	if err != nil {
		t.Fatal(err)
	}
	s.series = &meeting.Series{SiteID: s.siteA, Kind: meeting.MARAC, Name: "Northmoor MARAC", Schedule: "Every other Tuesday, 10:00",
		ChairID: s.users["lead"].ID, CoordinatorID: s.users["lead"].ID, Venue: "Room 2, Civic Centre", AgencyIDs: []int64{s.police}, AccessDays: 7}
	if err := s.svc.CreateSeries(ctx, s.actor(t, "lead"), s.series); err != nil {
		t.Fatal(err)
	}
	s.srv, err = web.New(web.Config{Service: s.svc, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.srv)
	t.Cleanup(ts.Close)
	s.url = ts.URL
	return s
}

// actor builds a user's Actor as the server does for a request, for
// setting up what the API is then asked about.
func (s *meetingServer) actor(t *testing.T, name string) service.Actor {
	t.Helper()
	var sub access.Subject
	err := s.db.View(context.Background(), func(tx *store.Tx) error {
		u, err := tx.User(context.Background(), s.users[name].ID)
		if err != nil {
			return err
		}
		sub = access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID, OrganisationKind: u.OrganisationKind}
		for _, r := range u.Roles {
			sub.Grants = append(sub.Grants, access.Grant{Role: r.Role, SiteID: r.SiteID})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return service.Actor{UserID: s.users[name].ID, OrganisationID: s.users[name].OrganisationID, Subject: sub, Remote: "192.0.2.1"}
}

// TestMeetingsAPI runs a MARAC through the API on both engines: the
// lists and agenda as each reader may see them, reports on an agency's
// action, the access window closing, and the quarter's data return.
func TestMeetingsAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testMeetingsAPI(t, e) })
	}
}

func testMeetingsAPI(t *testing.T, e storetest.Engine) {
	ctx := context.Background()
	s := newMeetingServer(t, e)
	lead, pc := s.actor(t, "lead"), s.actor(t, "pc")
	heldOn := drive.DateOf(now).AddDays(7)
	id, err := s.svc.ScheduleMeeting(ctx, lead, s.series.ID, heldOn, "10:00")
	if err != nil {
		t.Fatal(err)
	}
	s.meeting = id
	mid := strconv.FormatInt(id, 10)
	if err := s.svc.AddToAgenda(ctx, lead, id, []int64{s.caseID}); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"pc", "idva"} {
		if err := s.svc.Invite(ctx, lead, id, meeting.Attendee{UserID: s.users[who].ID}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.svc.Invite(ctx, lead, id, meeting.Attendee{OrganisationID: s.police, Name: "Pat Probation"}); err != nil {
		t.Fatal(err)
	}

	// A draft is its site's coordinators' and readers' only.
	if list := s.meetings(t, "pc"); len(list.Upcoming)+len(list.Past) != 0 {
		t.Errorf("partner's meetings before publication: %+v; want none", list)
	}
	s.notFound(t, "pc", "/meetings/"+mid, "/meetings/"+mid+"/items")
	if err := s.svc.PublishAgenda(ctx, lead, id); err != nil {
		t.Fatal(err)
	}

	// The lists: the coordinator sees the meeting as a reader of the
	// site; the invited partner as an attendee; others not at all.
	for _, tt := range []struct {
		user    string
		want    int
		invited bool
	}{
		{"lead", 1, false}, {"cm", 1, false}, {"pc", 1, true}, {"pcB", 0, false}, {"other", 0, false},
	} {
		list := s.meetings(t, tt.user)
		if len(list.Upcoming) != tt.want || len(list.Past) != 0 {
			t.Errorf("%s's meetings: %+v; want %d upcoming", tt.user, list, tt.want)
			continue
		}
		if tt.want == 0 {
			continue
		}
		got := list.Upcoming[0]
		want := api.MeetingSummary{ID: id, SiteID: s.siteA, SiteName: "Site AAA", Kind: "marac", Name: "Northmoor MARAC", HeldOn: heldOn.String(),
			StartsAt: "10:00", State: "published", Cases: 1, Invited: tt.invited}
		if got != want {
			t.Errorf("%s's meeting row:\n  %+v\nwant\n  %+v", tt.user, got, want)
		}
	}
	s.notFound(t, "pcB", "/meetings/"+mid, "/meetings/"+mid+"/items")
	s.notFound(t, "other", "/meetings/"+mid, "/meetings/"+mid+"/items")
	s.notFound(t, "lead", "/meetings/999999", "/meetings/999999/items", "/meetings/x/items")

	// The meeting: the series, the attendees, and whether the caller is
	// admitted to its cases.
	var m api.MeetingBody
	s.call(t, "lead", "GET", "/meetings/"+mid, "").decode(t, http.StatusOK, &m)
	if m.ID != id || m.Series.Venue != "Room 2, Civic Centre" || m.Series.Chair != "User lead" || m.Series.Coordinator != "User lead" ||
		!m.Admitted || m.Invited || m.Cases != 1 || m.TotalMinutes != 5+10+12+5 || m.OpenUntil != heldOn.AddDays(7).String() {
		t.Errorf("coordinator's meeting: %+v", m)
	}
	names := map[string]api.AttendeeBody{}
	for _, at := range m.Attendees {
		names[at.Name] = at
	}
	if len(m.Attendees) != 4 || names["User pc"].Agency != "Northmoor Police" || names["Pat Probation"].Status != "invited" ||
		names["User pc"].ConfidentialityAccepted {
		t.Errorf("attendees: %+v; want chair, partner, IDVA and Pat Probation, none yet accepted", m.Attendees)
	}

	// Before accepting the statement the partner sees the meeting, and of
	// its case only its place and time.
	s.call(t, "pc", "GET", "/meetings/"+mid, "").decode(t, http.StatusOK, &m)
	if m.Admitted || !m.Invited {
		t.Errorf("partner before accepting: admitted %v, invited %v; want false, true", m.Admitted, m.Invited)
	}
	it := s.caseItem(t, "pc")
	if it.Open || it.CaseID != 0 || it.PersonName != "" || it.Reasons != nil || it.DecisionReasons != "" || it.Start != "10:15" || it.End != "10:27" {
		t.Errorf("partner's item before accepting: %+v; want its time only", it)
	}
	if err := s.svc.AcceptConfidentiality(ctx, pc, id); err != nil {
		t.Fatal(err)
	}
	if err := s.svc.AcceptConfidentiality(ctx, s.actor(t, "idva"), id); err != nil {
		t.Fatal(err)
	}
	it = s.caseItem(t, "pc")
	if !it.Open || it.CaseID != s.caseID || it.PersonName != "Darren Hollis" || strings.Join(it.Reasons, " ") != "added" {
		t.Errorf("admitted partner's item: %+v", it)
	}

	// Shares: one names her street, and the barrier holds it back from
	// everyone but its author and her IDVA service.
	for _, text := range []string{"Two call-outs this month; bail conditions breached.", "Seen outside " + herStreet + " twice"} {
		if err := s.svc.RecordShare(ctx, pc, id, it.ID, &meeting.Share{Basis: meeting.LegitimateInterests, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.svc.DecideItem(ctx, lead, id, it.ID, meeting.ActionsAgreed, "Police to enforce bail."); err != nil {
		t.Fatal(err)
	}
	act := &casework.Action{Type: "bail-review", OrganisationID: s.police, Owner: "DS Example", DueOn: heldOn.AddDays(14)}
	if err := s.svc.AgreeAction(ctx, lead, id, it.ID, act); err != nil {
		t.Fatal(err)
	}
	cmItem := s.caseItem(t, "cm")
	if len(cmItem.Shares) != 2 || cmItem.Shares[0].Agency != "Northmoor Police" || cmItem.Shares[0].LawfulBasis != "legitimate_interests" ||
		!strings.Contains(cmItem.Shares[0].Text, "bail conditions") || cmItem.Decision != "actions_agreed" || cmItem.DecisionReasons != "Police to enforce bail." {
		t.Errorf("case manager's item: %+v", cmItem)
	}
	if len(cmItem.Actions) != 1 || cmItem.Actions[0].ID != act.ID || cmItem.Actions[0].Agency != "Northmoor Police" || cmItem.Actions[0].MeetingItemID != it.ID {
		t.Errorf("case manager's item's actions: %+v; want the one agreed", cmItem.Actions)
	}
	// Nobody but the share's author is told where she lives; the agenda
	// never carries her safety information, not even for her IDVA.
	for _, user := range []string{"lead", "cm", "idva"} {
		for _, path := range []string{"/meetings", "/meetings/" + mid, "/meetings/" + mid + "/items", "/actions?all=true"} {
			r := s.call(t, user, "GET", path, "")
			if r.status != http.StatusOK {
				t.Errorf("%s GET %s: %d %s", user, path, r.status, r.body)
			}
			for _, secret := range []string{herStreet, herPostcode, herPhone, "Canaryline", `"safety"`} {
				if strings.Contains(string(r.body), secret) {
					t.Errorf("%s GET %s shows %q:\n%s", user, path, secret, r.body)
				}
			}
		}
	}

	// Agencies' actions: the police see theirs; the provider owns none.
	acts := s.actions(t, "pc", "")
	if len(acts) != 1 || acts[0].ID != act.ID || acts[0].PersonName != "Darren Hollis" || acts[0].Status != "open" || acts[0].CaseID != s.caseID ||
		acts[0].DueOn != heldOn.AddDays(14).String() || acts[0].Overdue {
		t.Errorf("police actions: %+v; want the one agreed", acts)
	}
	if got := s.actions(t, "cm", ""); len(got) != 0 {
		t.Errorf("provider's agency actions: %+v; want none", got)
	}
	if d := errorOf(t, s.call(t, "pc", "GET", "/actions?all=maybe", ""), http.StatusUnprocessableEntity); d.Fields["all"] == "" {
		t.Errorf("all=maybe: %+v; want a message for all", d)
	}

	// Reports that are wrong change nothing.
	aid := strconv.FormatInt(act.ID, 10)
	for _, tt := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"not possible without saying why", `{"status":"not_possible"}`, http.StatusUnprocessableEntity, ""},
		{"unknown status", `{"status":"forgotten","outcome":"x"}`, http.StatusUnprocessableEntity, ""},
		{"bad date", `{"status":"done","outcome":"Done.","reported_on":"31/12/2026"}`, http.StatusUnprocessableEntity, "reported_on"},
		{"unknown field", `{"status":"done","outcome":"Done.","colour":"red"}`, http.StatusUnprocessableEntity, "colour"},
		{"not json", `{"status":`, http.StatusUnprocessableEntity, ""},
	} {
		d := errorOf(t, s.call(t, "pc", "POST", "/actions/"+aid, tt.body), tt.status)
		if d.Code != "invalid" || tt.field != "" && d.Fields[tt.field] == "" {
			t.Errorf("%s: %+v; want invalid naming %q", tt.name, d, tt.field)
		}
	}
	for _, user := range []string{"pcB", "other"} {
		if r := s.call(t, user, "POST", "/actions/"+aid, `{"status":"done","outcome":"Done."}`); r.status != http.StatusNotFound {
			t.Errorf("%s reporting on another site's action: %d %s; want 404", user, r.status, r.body)
		}
	}
	if r := s.call(t, "pc", "POST", "/actions/999999", `{"status":"done","outcome":"Done."}`); r.status != http.StatusNotFound {
		t.Errorf("report on no action: %d; want 404", r.status)
	}
	if got := s.actions(t, "pc", ""); len(got) != 1 || got[0].Status != "open" || got[0].Outcome != "" || got[0].ReportedOn != "" {
		t.Fatalf("after refused reports the action is %+v; want it unchanged", got)
	}
	var rep api.ActionReported
	s.call(t, "pc", "POST", "/actions/"+aid, `{"status":"not_possible","outcome":"He moved out of the force area."}`).decode(t, http.StatusOK, &rep)
	if want := (api.ActionReported{ID: act.ID, Status: "not_possible", ReportedOn: drive.DateOf(now).String(), Outcome: "He moved out of the force area."}); rep != want {
		t.Errorf("report answer %+v; want %+v", rep, want)
	}
	if got := s.actions(t, "pc", ""); len(got) != 0 {
		t.Errorf("unfinished police actions after the report: %+v; want none", got)
	}
	if got := s.actions(t, "pc", "?all=true"); len(got) != 1 || got[0].Status != "not_possible" || got[0].ReportedOn != drive.DateOf(now).String() ||
		got[0].Outcome != "He moved out of the force area." {
		t.Errorf("all police actions after the report: %+v", got)
	}

	// The meeting is held; a week after it the partner's window closes:
	// the meeting and its agenda are not found, the agency's actions stay.
	s.clock.set(heldOn.Time().Add(15 * time.Hour))
	if err := s.svc.PublishMinutes(ctx, lead, id); err != nil {
		t.Fatal(err)
	}
	s.call(t, "pc", "GET", "/meetings/"+mid, "").decode(t, http.StatusOK, &m)
	if m.State != "held" || !m.Admitted {
		t.Errorf("partner's meeting on the day: %+v; want held and admitted", m)
	}
	s.clock.set(heldOn.AddDays(s.series.AccessDays + 1).Time().Add(9 * time.Hour))
	s.notFound(t, "pc", "/meetings/"+mid, "/meetings/"+mid+"/items")
	if list := s.meetings(t, "pc"); len(list.Upcoming)+len(list.Past) != 0 {
		t.Errorf("partner's meetings after the window: %+v; want none", list)
	}
	if list := s.meetings(t, "lead"); len(list.Past) != 1 || list.Past[0].State != "held" {
		t.Errorf("coordinator's meetings after the window: %+v; want the one held", list)
	}
	if got := s.actions(t, "pc", "?all=true"); len(got) != 1 {
		t.Errorf("police actions after the window: %+v; want theirs still", got)
	}

	// The data return: the meeting counted, its one case withheld.
	q := meeting.Quarter{Year: heldOn.Year, Q: (int(heldOn.Month)-1)/3 + 1}
	ret := "/marac-return?site=" + strconv.FormatInt(s.siteA, 10) + "&quarter=" + q.String()
	var dr api.DataReturnBody
	r := s.call(t, "lead", "GET", ret, "")
	r.decode(t, http.StatusOK, &dr)
	got := map[string]any{}
	for _, f := range dr.Figures {
		got[f.Code] = f.Value
	}
	if dr.SiteName != "Site AAA" || dr.Quarter != q.String() || got["meetings_held"] != float64(1) || got["cases_heard"] != "[c]" || len(dr.Notes) == 0 {
		t.Errorf("data return %s: %v", r.body, got)
	}
	// The raw answer writes the withheld count as "[c]", never as 1.
	var raw struct {
		Figures []map[string]json.RawMessage `json:"figures"`
	}
	if err := json.Unmarshal(r.body, &raw); err != nil {
		t.Fatal(err)
	}
	for _, f := range raw.Figures {
		if string(f["code"]) == `"cases_heard"` && string(f["value"]) != `"[c]"` {
			t.Errorf("cases_heard is written %s; want \"[c]\"", f["value"])
		}
	}
	// No count of people from 1 to the threshold is written anywhere
	// (meetings held counts meetings, and is never withheld).
	for _, f := range append(dr.Figures, dr.ReferralsByAgency...) {
		if n, ok := f.Value.(float64); ok && !f.Rate && f.Code != "meetings_held" && n >= 1 && n <= float64(dr.Threshold) {
			t.Errorf("figure %s is written %v, a count the threshold %d withholds", f.Code, n, dr.Threshold)
		}
	}
	for _, user := range []string{"pc", "pcB", "other"} {
		if r := s.call(t, user, "GET", ret, ""); r.status != http.StatusNotFound {
			t.Errorf("%s asking for the return: %d; want 404", user, r.status)
		}
	}
	if r := s.call(t, "lead", "GET", "/marac-return?site="+strconv.FormatInt(s.siteB, 10)+"&quarter="+q.String(), ""); r.status != http.StatusNotFound {
		t.Errorf("coordinator asking for another site's return: %d; want 404", r.status)
	}
	d := errorOf(t, s.call(t, "lead", "GET", "/marac-return?site=x&quarter=2026-Q5", ""), http.StatusUnprocessableEntity)
	if d.Fields["site"] == "" || d.Fields["quarter"] == "" {
		t.Errorf("bad site and quarter: %+v; want both named", d)
	}
}

// meetings reads GET /meetings as user.
func (s *meetingServer) meetings(t *testing.T, user string) api.MeetingList {
	t.Helper()
	var l api.MeetingList
	s.call(t, user, "GET", "/meetings", "").decode(t, http.StatusOK, &l)
	return l
}

// actions reads GET /actions as user, with query q ("" or "?all=true").
func (s *meetingServer) actions(t *testing.T, user, q string) []api.AgencyActionBody {
	t.Helper()
	var out []api.AgencyActionBody
	s.call(t, user, "GET", "/actions"+q, "").decode(t, http.StatusOK, &out)
	return out
}

// caseItem reads the fixture meeting's agenda as user and returns its
// one case item.
func (s *meetingServer) caseItem(t *testing.T, user string) api.ItemBody {
	t.Helper()
	var items []api.ItemBody
	s.call(t, user, "GET", "/meetings/"+strconv.FormatInt(s.meeting, 10)+"/items", "").decode(t, http.StatusOK, &items)
	var kinds []string
	var out api.ItemBody
	for _, it := range items {
		kinds = append(kinds, it.Kind)
		if it.Kind == "case" {
			out = it
		}
	}
	if strings.Join(kinds, " ") != "confidentiality actions_review case anniversaries" {
		t.Fatalf("%s's agenda: %v", user, kinds)
	}
	return out
}

// notFound checks each GET answers 404 in the one error shape.
func (s *meetingServer) notFound(t *testing.T, user string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if d := errorOf(t, s.call(t, user, "GET", p, ""), http.StatusNotFound); d.Code != "not_found" {
			t.Errorf("%s GET %s: %+v; want not_found", user, p, d)
		}
	}
}

// TestMeetingSchemas holds the OpenAPI schemas of the meetings API to the
// types its handlers write and read, field by field.
func TestMeetingSchemas(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
				Required   []string                   `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		schema string
		v      any
	}{
		{"MeetingSummary", api.MeetingSummary{}}, {"MeetingList", api.MeetingList{}}, {"Series", api.SeriesBody{}},
		{"Attendee", api.AttendeeBody{}}, {"Meeting", api.MeetingBody{}}, {"MeetingItem", api.ItemBody{}}, {"Share", api.ShareBody{}},
		{"Safety", api.SafetyBody{}}, {"AgencyAction", api.AgencyActionBody{}}, {"ActionReport", api.ActionReportBody{}},
		{"ActionReported", api.ActionReported{}}, {"Figure", api.FigureBody{}}, {"DataReturn", api.DataReturnBody{}},
	} {
		sc, ok := doc.Components.Schemas[tt.schema]
		if !ok {
			t.Errorf("schema %s is missing", tt.schema)
			continue
		}
		var props []string
		for p := range sc.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		fields := jsonFields(reflect.TypeOf(tt.v))
		if got, want := strings.Join(props, " "), strings.Join(fields, " "); got != want {
			t.Errorf("schema %s has properties\n  %s\nthe handlers' type has\n  %s", tt.schema, got, want)
		}
		for _, r := range sc.Required {
			if _, ok := sc.Properties[r]; !ok {
				t.Errorf("schema %s requires %q, which it does not describe", tt.schema, r)
			}
		}
	}
}
