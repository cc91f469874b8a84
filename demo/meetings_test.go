package demo_test

import (
	"context"
	"slices"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/demo"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

// demoPeople are the demo's accounts and organisations, read from the
// store.
type demoPeople struct {
	users map[string]*account.User // by username
	orgs  map[int64]account.Organisation
	sites []account.Site
}

func readPeople(t *testing.T, db *store.DB) *demoPeople {
	t.Helper()
	p := &demoPeople{users: map[string]*account.User{}, orgs: map[int64]account.Organisation{}}
	err := db.View(context.Background(), func(tx *store.Tx) error {
		us, err := tx.Users(context.Background())
		if err != nil {
			return err
		}
		for _, u := range us {
			p.users[u.Username] = u
		}
		os, err := tx.Organisations(context.Background())
		if err != nil {
			return err
		}
		for _, o := range os {
			p.orgs[o.ID] = o
		}
		p.sites, err = tx.Sites(context.Background())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// signedIn is the actor a user is once signed in: their roles are the
// policy's grants.
func signedIn(u *account.User) service.Actor {
	sub := access.Subject{UserID: u.ID, OrganisationID: u.OrganisationID, OrganisationKind: u.OrganisationKind}
	for _, r := range u.Roles {
		sub.Grants = append(sub.Grants, access.Grant{Role: r.Role, SiteID: r.SiteID})
	}
	return service.Actor{UserID: u.ID, OrganisationID: u.OrganisationID, Subject: sub, Remote: "test"}
}

func (p *demoPeople) withRole(t *testing.T, role access.Role, siteID int64) *account.User {
	t.Helper()
	var out *account.User
	for _, u := range p.users {
		if slices.ContainsFunc(u.Roles, func(r account.RoleAssignment) bool { return r.Role == role && r.SiteID == siteID }) {
			if out == nil || u.ID < out.ID {
				out = u
			}
		}
	}
	if out == nil {
		t.Fatalf("no %s at site %d", role, siteID)
	}
	return out
}

// TestDemoMeetings checks the demo's meetings as a partner signing in
// finds them: each site has a partner for each agency; past Drive panels
// and MARACs were held with minutes, shares on a lawful basis, decisions
// and actions owned by the agencies (done, not possible, overdue); a
// partner sees exactly the meetings they are invited to that are open,
// the cases on those agendas only once they accept the confidentiality
// statement, their own agency's open actions, and nothing else.
func TestDemoMeetings(t *testing.T) {
	d := privateDemo(t, 42, built)
	db := d.db
	ctx := context.Background()
	svc := &service.Service{DB: db, Keys: d.keys}
	people := readPeople(t, db)
	today := svc.Today()
	if len(people.sites) < 2 {
		t.Fatalf("%d demo sites; want at least 2", len(people.sites))
	}
	wantKind := map[string]account.OrgKind{"police": account.PoliceForce, "childrens": account.LocalAuthority,
		"probation": account.ProbationRegion, "housing": account.HousingProvider}

	// Every meeting, as the sites' coordinators see them, with who is
	// invited to each.
	all := map[int64]*knownMeeting{}
	coming := map[int64]int64{} // site -> the published MARAC coming up
	for _, site := range people.sites {
		coord := signedIn(people.withRole(t, access.PanelCoordinator, site.ID))
		list, err := svc.Meetings(ctx, coord)
		if err != nil {
			t.Fatal(err)
		}
		held := map[meeting.Kind]int{}
		var done, notPossible, overdue int
		for _, r := range append(append([]service.MeetingRow{}, list.Upcoming...), list.Past...) {
			v, err := svc.Meeting(ctx, coord, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			k := &knownMeeting{m: v.Meeting, items: v.Items}
			for _, at := range v.Attendees {
				if at.UserID != 0 {
					k.invited = append(k.invited, at.UserID)
				}
			}
			all[r.ID] = k
			switch {
			case r.State == meeting.Held:
				if ref := demo.ReferenceDate(); r.HeldOn.Before(ref.AddDays(-92)) || r.HeldOn.After(ref) {
					t.Errorf("%s: meeting %d held on %s, outside the three months before %s", site.Code, r.ID, r.HeldOn, ref)
				}
				held[r.Kind]++
				mv, err := svc.Minutes(ctx, coord, r.ID)
				if err != nil {
					t.Fatalf("%s: minutes of meeting %d: %v", site.Code, r.ID, err)
				}
				shares, cases := 0, 0
				for _, it := range mv.Items {
					if it.Kind != meeting.CaseItem {
						continue
					}
					cases++
					if it.Decision == "" || !it.Open {
						t.Errorf("%s: meeting %d item %d: decision %q, open %v", site.Code, r.ID, it.ID, it.Decision, it.Open)
					}
					for _, sh := range it.Shares {
						shares++
						if !sh.Basis.Valid() || people.orgs[sh.OrganisationID].Kind == account.Provider {
							t.Errorf("%s: meeting %d: share %+v", site.Code, r.ID, sh.Share)
						}
					}
					for _, a := range it.Actions {
						switch {
						case a.Status == casework.ActionDone:
							done++
						case a.Status == casework.ActionNotPossible:
							notPossible++
						case a.Overdue(today):
							overdue++
						}
					}
				}
				if cases == 0 || shares == 0 {
					t.Errorf("%s: meeting %d held with %d cases and %d shares", site.Code, r.ID, cases, shares)
				}
			case r.State == meeting.Published && r.Kind == meeting.MARAC && !r.HeldOn.Before(today) && !r.HeldOn.After(today.AddDays(14)):
				coming[site.ID] = r.ID
			}
		}
		for _, kind := range []meeting.Kind{meeting.DrivePanel, meeting.MARAC} {
			if held[kind] < 3 {
				t.Errorf("%s: %d %s meetings held; want at least 3", site.Code, held[kind], kind.Label())
			}
		}
		if done == 0 || notPossible == 0 || overdue == 0 {
			t.Errorf("%s: meeting actions: %d done, %d not possible, %d overdue; want some of each", site.Code, done, notPossible, overdue)
		}
		t.Logf("%s: held %v; meeting actions %d done, %d not possible, %d overdue", site.Code, held, done, notPossible, overdue)
		if coming[site.ID] == 0 {
			t.Errorf("%s: no MARAC published for the coming fortnight", site.Code)
		}
	}

	for _, site := range people.sites {
		for _, agency := range demo.PartnerAgencies() {
			u := people.users[demo.PartnerUsername(site.Code, agency)]
			if u == nil {
				t.Errorf("%s: no %s partner user %q", site.Code, agency, demo.PartnerUsername(site.Code, agency))
				continue
			}
			t.Run(u.Username, func(t *testing.T) {
				if len(u.Roles) != 1 || u.Roles[0].Role != access.Partner || u.Roles[0].SiteID != site.ID ||
					people.orgs[u.OrganisationID].Kind != wantKind[agency] {
					t.Fatalf("roles %+v in %+v; want partner at %s for a %s organisation", u.Roles, people.orgs[u.OrganisationID], site.Code, wantKind[agency])
				}
				partnerSees(t, svc, u, coming[site.ID], all)
			})
		}
	}
}

// knownMeeting is a meeting as its coordinator sees it, with who is
// invited.
type knownMeeting struct {
	m       meeting.Meeting
	invited []int64
	items   []service.ItemView
}

// partnerSees checks what one partner user sees of the demo, before and
// after accepting the confidentiality statement of the meeting coming up
// at their site.
func partnerSees(t *testing.T, svc *service.Service, u *account.User, comingID int64, all map[int64]*knownMeeting) {
	ctx := context.Background()
	a := signedIn(u)
	now := svc.DB.Now()

	// Exactly the meetings they are invited to that admit them now.
	var want []int64
	onAgenda := map[int64]bool{} // cases on the agendas of those meetings
	var elsewhere []int64        // cases only on other agendas
	for id, k := range all {
		if slices.Contains(k.invited, u.ID) && k.m.PanelOpen(now) {
			want = append(want, id)
			for _, it := range k.items {
				if it.Kind == meeting.CaseItem {
					onAgenda[it.CaseID] = true
				}
			}
		}
	}
	for _, k := range all {
		for _, it := range k.items {
			if it.Kind == meeting.CaseItem && !onAgenda[it.CaseID] && !slices.Contains(elsewhere, it.CaseID) {
				elsewhere = append(elsewhere, it.CaseID)
			}
		}
	}
	list, err := svc.Meetings(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, r := range append(append([]service.MeetingRow{}, list.Upcoming...), list.Past...) {
		got = append(got, r.ID)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Contains(want, comingID) || !slices.Equal(got, want) {
		t.Fatalf("sees meetings %v; want %v (the one coming up is %d)", got, want, comingID)
	}
	if len(elsewhere) == 0 {
		t.Fatal("every case heard is on the partner's agendas: nothing to check is hidden")
	}

	// Before accepting: the meeting and its statement, no case.
	v, err := svc.Meeting(ctx, a, comingID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Admitted || v.Statement == "" || v.Me == nil || v.Me.ConfidentialityAt != nil {
		t.Fatalf("before accepting: admitted %v, statement %q, attendance %+v", v.Admitted, v.Statement, v.Me)
	}
	for _, it := range v.Items {
		if it.Open || it.PersonName != "" {
			t.Fatalf("before accepting, item %d shows %q", it.ID, it.PersonName)
		}
	}
	notFound := func(when string, ids ...int64) {
		t.Helper()
		for _, id := range ids {
			if _, err := svc.Case(ctx, a, id); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("%s: case %d: %v; want not found", when, id, err)
			}
		}
	}
	var agenda []int64
	for id := range onAgenda {
		agenda = append(agenda, id)
	}
	notFound("before accepting", agenda...)
	notFound("before accepting, a case on no agenda of theirs", elsewhere...)

	// After accepting: the cases on the agenda, and nothing more.
	if err := svc.AcceptConfidentiality(ctx, a, comingID); err != nil {
		t.Fatal(err)
	}
	if v, err = svc.Meeting(ctx, a, comingID); err != nil || !v.Admitted {
		t.Fatalf("after accepting: admitted %v, %v", v != nil && v.Admitted, err)
	}
	for _, it := range v.Items {
		if it.Kind == meeting.CaseItem && (!it.Open || it.PersonName == "") {
			t.Fatalf("after accepting, item %d for case %d is not open", it.ID, it.CaseID)
		}
	}
	for _, id := range agenda {
		if _, err := svc.Case(ctx, a, id); err != nil {
			t.Fatalf("after accepting: case %d on the agenda: %v", id, err)
		}
	}
	notFound("after accepting, a case on no agenda of theirs", elsewhere...)
	if rows, n, err := svc.ListCases(ctx, a, service.CaseFilter{}); err != nil || len(rows) != 0 || n != 0 {
		t.Fatalf("case list: %d rows of %d, %v; want none", len(rows), n, err)
	}

	// Their agency's open actions, every one of them, and no other's.
	acts, err := svc.AgencyActions(ctx, a, false)
	if err != nil {
		t.Fatal(err)
	}
	var wantActs, gotActs []int64
	for _, k := range all {
		if k.m.SiteID != v.Meeting.SiteID || k.m.State != meeting.Held {
			continue
		}
		for _, it := range k.items {
			for _, act := range it.Actions {
				if act.OrganisationID == u.OrganisationID && act.Unfinished() {
					wantActs = append(wantActs, act.ID)
				}
			}
		}
	}
	for _, act := range acts {
		gotActs = append(gotActs, act.ID)
	}
	slices.Sort(wantActs)
	slices.Sort(gotActs)
	if len(wantActs) == 0 || !slices.Equal(gotActs, wantActs) {
		t.Fatalf("open actions %v; want their agency's %v", gotActs, wantActs)
	}
	t.Logf("%d meetings, %d cases on their agendas, %d open actions", len(want), len(agenda), len(gotActs))
}
