package service

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// Multi-agency meetings (package meeting). A site's coordinators (the
// roles that may write its perpetrator cases: panel coordinators and team
// leaders) set up series, build and publish agendas and minute meetings.
// Invited partners see a published meeting, accept its confidentiality
// statement, and then see its cases through the policy's panel
// relationship until the meeting's access window closes; everything they
// open is recorded as read under the meeting.

// Audit actions of meetings.
const (
	ActionMeetingWrite    = "meeting.write"
	ActionMeetingPublish  = "meeting.publish"
	ActionMeetingMinutes  = "meeting.minutes"
	ActionMeetingAccept   = "meeting.confidentiality"
	ActionMinutesDownload = "meeting.download"
)

// KindMeetingPublished is the notification an attendee gets when an agenda
// is published.
const KindMeetingPublished = "meeting_published"

// meetingResource is the policy's view of a meeting as a whole: a record
// of its site's perpetrator casework.
func meetingResource(siteID, id int64) access.Resource {
	return access.Resource{Class: access.PerpetratorCase, RecordType: "meeting", RecordID: strconv.FormatInt(id, 10), SiteID: siteID}
}

// coordinates decides whether the actor runs meetings at a site: they may
// write its perpetrator cases. Errors: ENOTFOUND.
func (s *Service) coordinates(ctx context.Context, tx *store.Tx, a Actor, siteID, id int64) (access.Decision, error) {
	return s.decide(ctx, tx, a, access.Write, meetingResource(siteID, id), "meeting")
}

// MeetingSetup is what the series form offers: the sites where the actor
// coordinates, the people who may chair or coordinate there, and the
// organisations that may be expected.
type MeetingSetup struct {
	Sites         []account.Site
	People        map[int64][]account.User // by site: users with a role there
	Organisations []account.Organisation
	Series        []SeriesRow
}

// SeriesRow is a series with the names a list shows.
type SeriesRow struct {
	meeting.Series
	SiteName    string
	Chair       string
	Coordinator string
	Agencies    []string
}

// CoordinatedSites returns the sites where the actor runs meetings.
func (a Actor) CoordinatedSites() []int64 {
	sites, _ := a.Subject.SitesFor(access.PerpetratorCase, access.Write)
	var out []int64
	for _, id := range sites {
		if access.Decide(a.Subject, access.Write, meetingResource(id, 0), time.Time{}).Allowed {
			out = append(out, id)
		}
	}
	return out
}

// MeetingSetup returns the choices for setting up series at the sites the
// actor coordinates. Errors: ENOTFOUND when they coordinate none.
func (s *Service) MeetingSetup(ctx context.Context, a Actor) (*MeetingSetup, error) {
	sites := a.CoordinatedSites()
	if len(sites) == 0 {
		return nil, drive.NotFound("meeting series")
	}
	out := &MeetingSetup{People: map[int64][]account.User{}}
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		all, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		for _, st := range all {
			if slices.Contains(sites, st.ID) {
				out.Sites = append(out.Sites, st)
			}
		}
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			if u.Disabled() {
				continue
			}
			for _, site := range sites {
				if slices.ContainsFunc(u.Roles, func(r account.RoleAssignment) bool { return r.SiteID == site }) {
					out.People[site] = append(out.People[site], *u)
				}
			}
		}
		if out.Organisations, err = tx.Organisations(ctx); err != nil {
			return err
		}
		out.Series, err = s.seriesRows(ctx, tx, sites)
		return err
	})
	return out, err
}

func (s *Service) seriesRows(ctx context.Context, tx *store.Tx, sites []int64) ([]SeriesRow, error) {
	ss, err := tx.SeriesAt(ctx, sites)
	if err != nil {
		return nil, err
	}
	names, err := s.nameBook(ctx, tx)
	if err != nil {
		return nil, err
	}
	var out []SeriesRow
	for _, x := range ss {
		full, err := tx.Series(ctx, x.ID)
		if err != nil {
			return nil, err
		}
		r := SeriesRow{Series: *full, SiteName: names.sites[x.SiteID], Chair: names.users[x.ChairID], Coordinator: names.users[x.CoordinatorID]}
		for _, o := range full.AgencyIDs {
			r.Agencies = append(r.Agencies, names.orgs[o])
		}
		out = append(out, r)
	}
	return out, nil
}

// nameBook holds the names of sites, organisations and users, for views.
type nameBook struct {
	sites, orgs, users map[int64]string
	orgKinds           map[int64]account.OrgKind
	userOrgs           map[int64]int64
}

func (s *Service) nameBook(ctx context.Context, tx *store.Tx) (*nameBook, error) {
	b := &nameBook{sites: map[int64]string{}, orgs: map[int64]string{}, users: map[int64]string{}, orgKinds: map[int64]account.OrgKind{},
		userOrgs: map[int64]int64{}}
	sites, err := tx.Sites(ctx)
	if err != nil {
		return nil, err
	}
	for _, x := range sites {
		b.sites[x.ID] = x.Name
	}
	orgs, err := tx.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		b.orgs[o.ID], b.orgKinds[o.ID] = o.Name, o.Kind
	}
	users, err := tx.Users(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		b.users[u.ID], b.userOrgs[u.ID] = u.DisplayName, u.OrganisationID
	}
	return b, nil
}

// CreateSeries sets up a meeting series at a site the actor coordinates.
// The chair and coordinator must hold a role at the site. Errors:
// EINVALID, ENOTFOUND.
func (s *Service) CreateSeries(ctx context.Context, a Actor, x *meeting.Series) error {
	if err := x.Validate(); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		d, err := s.coordinates(ctx, tx, a, x.SiteID, 0)
		if err != nil {
			return err
		}
		if err := checkSeriesPeople(ctx, tx, x); err != nil {
			return err
		}
		if err := tx.CreateSeries(ctx, x); err != nil {
			if drive.ErrorCode(err) == drive.ECONFLICT {
				return drive.Invalid("Check the meeting series", map[string]string{"name": "The site already has a series with this name"})
			}
			return err
		}
		return record(ctx, tx, a, d, ActionMeetingWrite, "meeting_series", x.ID, x.SiteID, "")
	})
}

// UpdateSeries changes a series' settings. Errors: EINVALID, ENOTFOUND.
func (s *Service) UpdateSeries(ctx context.Context, a Actor, x *meeting.Series) error {
	if err := x.Validate(); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		old, err := tx.Series(ctx, x.ID)
		if err != nil {
			return err
		}
		d, err := s.coordinates(ctx, tx, a, old.SiteID, 0)
		if err != nil {
			return drive.NotFound("meeting series")
		}
		x.SiteID, x.Kind = old.SiteID, old.Kind
		if err := checkSeriesPeople(ctx, tx, x); err != nil {
			return err
		}
		if err := tx.UpdateSeries(ctx, x); err != nil {
			return err
		}
		return record(ctx, tx, a, d, ActionMeetingWrite, "meeting_series", x.ID, x.SiteID, "")
	})
}

func checkSeriesPeople(ctx context.Context, tx *store.Tx, x *meeting.Series) error {
	f := map[string]string{}
	atSite := func(id int64) bool {
		u, err := tx.User(ctx, id)
		return err == nil && !u.Disabled() && slices.ContainsFunc(u.Roles, func(r account.RoleAssignment) bool { return r.SiteID == x.SiteID })
	}
	if !atSite(x.ChairID) {
		f["chair"] = "Choose a chair who works at this site"
	}
	if !atSite(x.CoordinatorID) {
		f["coordinator"] = "Choose a coordinator who works at this site"
	}
	for _, o := range x.AgencyIDs {
		if _, err := tx.Organisation(ctx, o); err != nil {
			f["agencies"] = "Choose agencies from the list"
		}
	}
	if len(f) > 0 {
		return drive.Invalid("Check the meeting series", f)
	}
	return nil
}

// ScheduleMeeting adds a meeting to a series as a draft agenda holding
// the standing items, with the chair and coordinator invited. Errors:
// EINVALID, ENOTFOUND.
func (s *Service) ScheduleMeeting(ctx context.Context, a Actor, seriesID int64, heldOn drive.Date, startsAt string) (int64, error) {
	var id int64
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		x, err := tx.Series(ctx, seriesID)
		if err != nil {
			return drive.NotFound("meeting series")
		}
		d, err := s.coordinates(ctx, tx, a, x.SiteID, 0)
		if err != nil {
			return drive.NotFound("meeting series")
		}
		m := &meeting.Meeting{SeriesID: x.ID, SiteID: x.SiteID, Kind: x.Kind, Name: x.Name, HeldOn: heldOn, StartsAt: startsAt,
			AccessDays: x.AccessDays, CreatedBy: a.UserID}
		if err := m.Validate(drive.DateOf(tx.Now)); err != nil {
			return err
		}
		if err := tx.CreateMeeting(ctx, m); err != nil {
			return err
		}
		id = m.ID
		for i, k := range []meeting.ItemKind{meeting.Confidentiality, meeting.ActionsReview, meeting.Anniversaries} {
			it := &meeting.Item{MeetingID: m.ID, Ord: []int{1, 2, 1000}[i], Kind: k, Minutes: k.StandingMinutes()}
			if err := tx.CreateItem(ctx, it); err != nil {
				return err
			}
		}
		for i, uid := range []int64{x.ChairID, x.CoordinatorID} {
			if i == 1 && uid == x.ChairID {
				break // one person chairs and coordinates
			}
			u, err := tx.User(ctx, uid)
			if err != nil {
				return err
			}
			at := &meeting.Attendee{MeetingID: m.ID, OrganisationID: u.OrganisationID, UserID: u.ID}
			if err := at.Validate(); err != nil {
				return err
			}
			if err := tx.CreateAttendee(ctx, at); err != nil {
				return err
			}
		}
		return record(ctx, tx, a, d, ActionMeetingWrite, "meeting", m.ID, m.SiteID, "")
	})
	return id, err
}

// MeetingRow is a meeting in a list.
type MeetingRow struct {
	meeting.Meeting
	SiteName string
	Cases    int
	Invited  bool // the actor is on the invitation list
}

// MeetingList is the meetings an actor sees: those coming up and those
// held, at the sites they coordinate or read, and those they are invited
// to while the meetings admit them.
type MeetingList struct {
	Upcoming      []MeetingRow
	Past          []MeetingRow
	CanCoordinate bool
}

// Meetings lists the actor's meetings.
func (s *Service) Meetings(ctx context.Context, a Actor) (*MeetingList, error) {
	sites, national := a.Subject.SitesFor(access.PerpetratorCase, access.Read)
	if national {
		sites = nil // national roles hold no person-level access here
	}
	out := &MeetingList{CanCoordinate: len(a.CoordinatedSites()) > 0}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		today := drive.DateOf(tx.Now)
		names, err := s.nameBook(ctx, tx)
		if err != nil {
			return err
		}
		for _, upcoming := range []bool{true, false} {
			f := store.MeetingFilter{SiteIDs: sites, UserID: a.UserID, Limit: 100}
			if upcoming {
				f.From = today
			} else {
				f.Before = today
			}
			ms, err := tx.Meetings(ctx, f)
			if err != nil {
				return err
			}
			for _, m := range ms {
				full, _, err := s.meetingAccess(ctx, tx, a, &m)
				if err != nil {
					continue // invited, but not published or no longer open
				}
				items, err := tx.Items(ctx, m.ID)
				if err != nil {
					return err
				}
				r := MeetingRow{Meeting: m, SiteName: names.sites[m.SiteID], Invited: !full}
				for _, it := range items {
					if it.Kind == meeting.CaseItem {
						r.Cases++
					}
				}
				if upcoming {
					out.Upcoming = append(out.Upcoming, r)
				} else {
					out.Past = append(out.Past, r)
				}
			}
		}
		return listedIn(ctx, tx, a, "meeting", "list", len(out.Upcoming)+len(out.Past))
	})
	return out, err
}

// meetingAccess decides how the actor stands to a meeting: full is true
// for someone who may read its site's casework (coordinators, team
// leaders, case managers, analysts), who see drafts too; otherwise the
// actor must be on the invitation list of a published meeting whose
// access window is open, and me is their attendance. Errors: ENOTFOUND.
func (s *Service) meetingAccess(ctx context.Context, tx *store.Tx, a Actor, m *meeting.Meeting) (full bool, me *meeting.Attendee, err error) {
	atts, err := tx.Attendees(ctx, m.ID)
	if err != nil {
		return false, nil, err
	}
	for i := range atts {
		if atts[i].UserID == a.UserID && a.UserID != 0 {
			me = &atts[i]
		}
	}
	if d := access.Decide(a.Subject, access.Read, meetingResource(m.SiteID, m.ID), tx.Now); d.Allowed && d.Relationship != access.Any {
		return true, me, nil
	}
	if me != nil && m.PanelOpen(tx.Now) {
		return false, me, nil
	}
	return false, nil, drive.NotFound("meeting")
}

// MeetingView is a meeting as one actor may see it.
type MeetingView struct {
	Meeting   meeting.Meeting
	Series    SeriesRow
	Items     []ItemView
	Slots     []meeting.Slot
	Minutes   int // total
	Attendees []AttendeeView
	// Me is the actor's own attendance, when invited.
	Me *meeting.Attendee
	// Full: the actor reads the site's casework and sees the whole
	// meeting; CanCoordinate: they may change it.
	Full          bool
	CanCoordinate bool
	// Admitted: the actor may open the cases (a full reader, or an
	// attendee who accepted the confidentiality statement).
	Admitted bool
	// Outstanding are the actions still open from the series' last held
	// meeting, for the standing item.
	Outstanding []AgencyAction
	Statement   string
	// Organisations and People offer choices to the coordinator.
	Organisations []account.Organisation
	People        []account.User
	Decisions     []meeting.Decision
	Today         drive.Date
}

// AttendeeView is an attendee with names.
type AttendeeView struct {
	meeting.Attendee
	Person string
	Agency string
}

// ItemView is an agenda item as the actor may see it. A case item the
// actor may not open shows only that there is a case.
type ItemView struct {
	meeting.Item
	Slot meeting.Slot
	// Open: the actor may read the case.
	Open       bool
	PersonName string
	CaseState  casework.State
	Source     casework.Source
	Summary    string
	Programme  string
	// Risk is the case's latest DASH score as the referral records it,
	// for those who may read victims' risk facts; -1 when not shown.
	Risk      int
	Children  int // children linked, for those who may read them; -1 when not shown
	Shares    []ShareView
	Actions   []AgencyAction
	CanShare  bool
	CanDecide bool
	// Safety is what her IDVA's copy carries about each linked
	// victim-survivor: only for those who may read her compartment.
	Safety []SafetyNote
}

// ShareView is a share with its agency's name.
type ShareView struct {
	meeting.Share
	Agency   string
	Recorder string
}

// SafetyNote is the part of a victim-survivor's protected record her
// IDVA's copy of the minutes carries: how to reach her safely.
type SafetyNote struct {
	VictimCaseID int64
	Name         string
	SafeContact  string
	Refuge       string
	Address      string
}

// Meeting returns a meeting as the actor may see it, and records each
// case the actor opens through it as read under the meeting. Errors:
// ENOTFOUND for a meeting the actor may not see.
func (s *Service) Meeting(ctx context.Context, a Actor, id int64) (*MeetingView, error) {
	return s.meetingView(ctx, a, id, false)
}

func (s *Service) meetingView(ctx context.Context, a Actor, id int64, minutes bool) (*MeetingView, error) {
	v := &MeetingView{Statement: meeting.ConfidentialityStatement}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		m, err := tx.Meeting(ctx, id)
		if err != nil {
			return drive.NotFound("meeting")
		}
		full, me, err := s.meetingAccess(ctx, tx, a, m)
		if err != nil {
			return err
		}
		if minutes && m.State != meeting.Held {
			return drive.NotFound("minutes")
		}
		v.Meeting, v.Full, v.Me, v.Today = *m, full, me, drive.DateOf(tx.Now)
		v.CanCoordinate = full && access.Decide(a.Subject, access.Write, meetingResource(m.SiteID, m.ID), tx.Now).Allowed
		v.Admitted = full || (me != nil && me.Admitted())
		v.Decisions = meeting.DecisionsFor(m.Kind)
		names, err := s.nameBook(ctx, tx)
		if err != nil {
			return err
		}
		rows, err := s.seriesRows(ctx, tx, []int64{m.SiteID})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if r.ID == m.SeriesID {
				v.Series = r
			}
		}
		atts, err := tx.Attendees(ctx, m.ID)
		if err != nil {
			return err
		}
		for _, at := range atts {
			av := AttendeeView{Attendee: at, Person: at.Name, Agency: names.orgs[at.OrganisationID]}
			if at.UserID != 0 {
				av.Person = names.users[at.UserID]
			}
			v.Attendees = append(v.Attendees, av)
		}
		items, err := tx.Items(ctx, m.ID)
		if err != nil {
			return err
		}
		v.Slots = meeting.Timetable(m.StartsAt, items)
		if len(v.Slots) > 0 {
			v.Minutes = v.Slots[len(v.Slots)-1].Total
		}
		shares, err := tx.Shares(ctx, m.ID)
		if err != nil {
			return err
		}
		acts, err := tx.MeetingActions(ctx, m.ID)
		if err != nil {
			return err
		}
		for i, it := range items {
			iv := ItemView{Item: it, Slot: v.Slots[i], Risk: -1, Children: -1}
			if it.Kind == meeting.CaseItem && v.Admitted {
				if err := s.openItem(ctx, tx, a, m, &iv, shares, acts, names, minutes); err != nil {
					return err
				}
			}
			v.Items = append(v.Items, iv)
		}
		if v.Admitted {
			if v.Outstanding, err = s.outstanding(ctx, tx, a, m, names); err != nil {
				return err
			}
		}
		if v.CanCoordinate {
			if v.Organisations, err = tx.Organisations(ctx); err != nil {
				return err
			}
			users, err := tx.Users(ctx)
			if err != nil {
				return err
			}
			for _, u := range users {
				if !u.Disabled() {
					v.People = append(v.People, *u)
				}
			}
		}
		d := access.Decision{Role: actingRole(a, m.SiteID, full)}
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "meeting",
			RecordID: strconv.FormatInt(m.ID, 10), SiteID: m.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: readReason(minutes)})
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "meeting", id)
	}
	return v, err
}

func readReason(minutes bool) string {
	if minutes {
		return "minutes"
	}
	return "agenda"
}

// actingRole is the role an actor reads a meeting in, for its audit
// event: their site role for a full reader, partner otherwise.
func actingRole(a Actor, siteID int64, full bool) access.Role {
	roles := a.RolesAt(siteID)
	if !full && slices.Contains(roles, access.Partner) {
		return access.Partner
	}
	if len(roles) > 0 {
		return roles[0]
	}
	if a.Subject.HasRole(access.Partner) {
		return access.Partner
	}
	return ""
}

// openItem fills a case item for an actor admitted to the meeting: what
// the policy lets them read of the case, each class asked separately, and
// records the read of the case under the meeting.
func (s *Service) openItem(ctx context.Context, tx *store.Tx, a Actor, m *meeting.Meeting, iv *ItemView, shares []meeting.Share,
	acts []store.OrganisationAction, names *nameBook, minutes bool) error {
	c, err := tx.Case(ctx, iv.CaseID)
	if err != nil {
		return err
	}
	d, _, err := s.decideCase(ctx, tx, a, access.Read, c, access.PerpetratorCase)
	if err != nil {
		return nil // on the agenda, but not the actor's to open
	}
	p, err := tx.Person(ctx, c.PersonID)
	if err != nil {
		return err
	}
	iv.Open, iv.PersonName, iv.CaseState, iv.Source, iv.Summary, iv.Programme = true, p.Name(), c.State, c.Source, c.Summary, c.Programme
	held, err := tx.CaseHeldTexts(ctx, c.ID)
	if err != nil {
		return err
	}
	set := victim.NewHeldSet(held)
	if set.Hidden(victim.HeldItemDecision, iv.ID, a.UserID) && iv.DecisionReasons != "" {
		iv.DecisionReasons = victim.WithheldText
	}
	if s.allowed(tx, a, c, access.VictimRisk, access.Read) {
		iv.Risk = c.Evidence.DASHScore
	}
	if s.allowed(tx, a, c, access.Child, access.Read) {
		kids, err := tx.CaseChildren(ctx, c.ID)
		if err != nil {
			return err
		}
		iv.Children = len(kids)
	}
	if s.allowed(tx, a, c, access.PoliceIntel, access.Read) {
		for _, sh := range shares {
			if sh.ItemID != iv.ID {
				continue
			}
			if set.Hidden(victim.HeldShare, sh.ID, a.UserID) {
				sh.Text = victim.WithheldText
			}
			iv.Shares = append(iv.Shares, ShareView{Share: sh, Agency: names.orgs[sh.OrganisationID], Recorder: names.users[sh.RecordedBy]})
		}
		iv.CanShare = m.State != meeting.Cancelled && s.allowed(tx, a, c, access.PoliceIntel, access.Write)
	}
	for _, act := range acts {
		if act.MeetingItemID == iv.ID {
			if set.Hidden(victim.HeldAction, act.ID, a.UserID) {
				act.Owner, act.Outcome = victim.WithheldText, victim.WithheldText
			}
			iv.Actions = append(iv.Actions, agencyAction(act, names))
		}
	}
	iv.CanDecide = m.State == meeting.Published && access.Decide(a.Subject, access.Write, meetingResource(m.SiteID, m.ID), tx.Now).Allowed
	if minutes {
		if iv.Safety, err = s.safetyNotes(ctx, tx, a, c); err != nil {
			return err
		}
	}
	reason := "on the agenda of meeting " + strconv.FormatInt(m.ID, 10)
	if minutes {
		reason = "in the minutes of meeting " + strconv.FormatInt(m.ID, 10)
	}
	return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "case",
		RecordID: strconv.FormatInt(c.ID, 10), SiteID: c.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: reason})
}

// allowed asks the policy about one class of a case, with its panel.
func (s *Service) allowed(tx *store.Tx, a Actor, c *casework.Case, class access.DataClass, want access.Action) bool {
	return access.Decide(a.Subject, want, caseResource(c, class), tx.Now).Allowed
}

// safetyNotes opens the compartment of each victim-survivor linked to the
// case whose compartment the actor may read: her IDVA's copy of the
// minutes carries how to reach her safely. For anyone else it is empty,
// whatever else they may read.
func (s *Service) safetyNotes(ctx context.Context, tx *store.Tx, a Actor, c *casework.Case) ([]SafetyNote, error) {
	links, err := tx.CaseVictimLinks(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var out []SafetyNote
	for _, l := range links {
		v, err := tx.VictimCase(ctx, l.VictimCaseID)
		if err != nil {
			return nil, err
		}
		r := VictimResource(ctx, tx, v, access.VictimCompartment)
		d := access.Decide(a.Subject, access.Read, r, tx.Now)
		if !d.Allowed || d.BreakGlass {
			continue
		}
		p, err := s.openProtected(ctx, tx, v, nil, nil)
		if err != nil {
			return nil, err
		}
		n := SafetyNote{VictimCaseID: v.ID, Name: v.GivenName + " " + v.FamilyName, SafeContact: p.Compartment.SafeContact, Refuge: p.Compartment.Refuge}
		if len(p.Compartment.Addresses) > 0 {
			ad := p.Compartment.Addresses[0]
			n.Address = strings.Join(nonEmpty(ad.Line1, ad.Line2, ad.Town, ad.Postcode), ", ")
		}
		out = append(out, n)
		if err := tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "victim",
			RecordID: strconv.FormatInt(v.ID, 10), SiteID: v.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed,
			Reason: "safety information in meeting minutes, case " + strconv.FormatInt(c.ID, 10)}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}

// outstanding returns the actions still unfinished from the series' last
// held meeting before m, that the actor may see.
func (s *Service) outstanding(ctx context.Context, tx *store.Tx, a Actor, m *meeting.Meeting, names *nameBook) ([]AgencyAction, error) {
	prev, err := tx.Meetings(ctx, store.MeetingFilter{SiteIDs: []int64{m.SiteID}, SeriesID: m.SeriesID, Before: m.HeldOn,
		States: []meeting.State{meeting.Held}, Limit: 1})
	if err != nil || len(prev) == 0 {
		return nil, err
	}
	acts, err := tx.MeetingActions(ctx, prev[0].ID)
	if err != nil {
		return nil, err
	}
	var out []AgencyAction
	for _, act := range acts {
		if !act.Unfinished() {
			continue
		}
		c, err := tx.Case(ctx, act.CaseID)
		if err != nil {
			return nil, err
		}
		if !s.allowed(tx, a, c, access.PerpetratorCase, access.Read) {
			continue
		}
		out = append(out, agencyAction(act, names))
	}
	return out, nil
}
