package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// RunMeetings runs the meetings part of the storage contract: series and
// their agencies, meetings, agenda items, attendees, shares, the panel a
// case carries, actions owned by organisations, and the facts the agenda
// builder and the MARAC data return read.
func RunMeetings(t *testing.T, e Engine) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *mtFixture)
	}{
		{"SeriesRoundTrip", testSeriesRoundTrip},
		{"MeetingAgendaAttendeesShares", testMeetingRoundTrip},
		{"PanelFollowsStateAndWindow", testPanelWindow},
		{"ActionsOwnedByOrganisations", testOrganisationActions},
		{"AgendaAndReturnFacts", testAgendaFacts},
		{"NothingHalfWritten", testMeetingRollback},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := Epoch
			db := e.Open(t, func() time.Time { return clock })
			f := &mtFixture{cwFixture: newCaseworkFixture(t, db), setClock: func(at time.Time) { clock = at }}
			f.setup(t)
			tc.fn(t, f)
		})
	}
}

type mtFixture struct {
	*cwFixture
	setClock func(time.Time)
	police   *account.Organisation
	officer  *account.User
	series   *meeting.Series
	c        *casework.Case
}

func (f *mtFixture) setup(t *testing.T) {
	t.Helper()
	f.police = &account.Organisation{Name: "Police", Kind: account.PoliceForce, SiteIDs: []int64{f.a.ID}}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.CreateOrganisation(ctx, f.police); err != nil {
			return err
		}
		f.officer = &account.User{Username: "officer", DisplayName: "Olu Officer", OrganisationID: f.police.ID, PasswordHash: "hash",
			Roles: []account.RoleAssignment{{Role: access.Partner, SiteID: f.a.ID}}}
		if err := tx.CreateUser(ctx, f.officer); err != nil {
			return err
		}
		f.series = &meeting.Series{SiteID: f.a.ID, Kind: meeting.MARAC, Name: "A MARAC", Schedule: "Fortnightly", ChairID: f.lead.ID,
			CoordinatorID: f.lead.ID, Venue: "Room 1", MinutesPerItem: 12, AccessDays: 7, AgencyIDs: []int64{f.police.ID}}
		return tx.CreateSeries(ctx, f.series)
	})
	f.c = f.referral(t, f.a, f.person(t, f.a, "Dean", "Example", nil), nil)
}

// meeting schedules a meeting on held with the fixture's case on it and
// the officer invited, and returns it and the case item.
func (f *mtFixture) meeting(t *testing.T, held drive.Date) (*meeting.Meeting, *meeting.Item, *meeting.Attendee) {
	t.Helper()
	m := &meeting.Meeting{SeriesID: f.series.ID, SiteID: f.a.ID, HeldOn: held, StartsAt: "10:00", State: meeting.Draft, AccessDays: 7, CreatedBy: f.lead.ID}
	it := &meeting.Item{Ord: 3, Kind: meeting.CaseItem, CaseID: f.c.ID, Reasons: []meeting.Reason{meeting.Repeat, meeting.AwaitingDecision},
		Children: true, Repeat: true, Minutes: 12}
	at := &meeting.Attendee{OrganisationID: f.police.ID, UserID: f.officer.ID, Status: meeting.Invited}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.CreateMeeting(ctx, m); err != nil {
			return err
		}
		it.MeetingID, at.MeetingID = m.ID, m.ID
		if err := tx.CreateItem(ctx, &meeting.Item{MeetingID: m.ID, Ord: 1, Kind: meeting.Confidentiality, Minutes: 5}); err != nil {
			return err
		}
		if err := tx.CreateItem(ctx, it); err != nil {
			return err
		}
		return tx.CreateAttendee(ctx, at)
	})
	return m, it, at
}

func testSeriesRoundTrip(t *testing.T, f *mtFixture) {
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Series(ctx, f.series.ID)
		if err != nil {
			return err
		}
		if got.Name != "A MARAC" || got.Kind != meeting.MARAC || len(got.AgencyIDs) != 1 || got.AgencyIDs[0] != f.police.ID ||
			got.AccessDays != 7 || got.MinutesPerItem != 12 || got.ChairID != f.lead.ID {
			t.Fatalf("series read back as %+v", got)
		}
		all, err := tx.SeriesAt(ctx, []int64{f.a.ID, f.b.ID})
		if err != nil || len(all) != 1 {
			t.Fatalf("series at the sites: %d, %v", len(all), err)
		}
		return nil
	})
	f.series.AgencyIDs, f.series.Name = nil, "A MARAC (north)"
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateSeries(ctx, f.series) })
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Series(ctx, f.series.ID)
		if err == nil && (got.Name != "A MARAC (north)" || len(got.AgencyIDs) != 0) {
			t.Fatalf("updated series %+v", got)
		}
		return err
	})
	dup := *f.series
	dup.ID = 0
	wantCode(t, f.try(func(ctx context.Context, tx *store.Tx) error { return tx.CreateSeries(ctx, &dup) }), drive.ECONFLICT)
}

func testMeetingRoundTrip(t *testing.T, f *mtFixture) {
	m, it, at := f.meeting(t, cwToday.AddDays(7))
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Meeting(ctx, m.ID)
		if err != nil {
			return err
		}
		if got.Name != "A MARAC" || got.Kind != meeting.MARAC || got.HeldOn != m.HeldOn || got.State != meeting.Draft || got.PublishedAt != nil {
			t.Fatalf("meeting read back as %+v", got)
		}
		items, err := tx.Items(ctx, m.ID)
		if err != nil {
			return err
		}
		if len(items) != 2 || items[1].CaseID != f.c.ID || !items[1].Children || !items[1].Repeat || len(items[1].Reasons) != 2 {
			t.Fatalf("items %+v", items)
		}
		ms, err := tx.Meetings(ctx, store.MeetingFilter{UserID: f.officer.ID})
		if err != nil || len(ms) != 1 {
			t.Fatalf("the officer's meetings: %d, %v", len(ms), err)
		}
		return nil
	})
	// The same case twice on one agenda is refused.
	wantCode(t, f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.CreateItem(ctx, &meeting.Item{MeetingID: m.ID, Kind: meeting.CaseItem, CaseID: f.c.ID, Minutes: 12})
	}), drive.ECONFLICT)
	// A case item needs a case; a standing item has none.
	wantCode(t, f.try(func(ctx context.Context, tx *store.Tx) error {
		return tx.CreateItem(ctx, &meeting.Item{MeetingID: m.ID, Kind: meeting.CaseItem, Minutes: 12})
	}), drive.EINVALID)
	now := Epoch
	m.State, m.PublishedAt = meeting.Published, &now
	it.Decision, it.DecisionReasons, it.DecidedBy, it.DecidedAt = meeting.ActionsAgreed, "Agreed", f.lead.ID, &now
	at.Status, at.ConfidentialityAt = meeting.Present, &now
	sh := &meeting.Share{ItemID: it.ID, OrganisationID: f.police.ID, Basis: meeting.PublicTask, VictimTold: true, Text: "Two call-outs", RecordedBy: f.officer.ID}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.UpdateMeeting(ctx, m); err != nil {
			return err
		}
		if err := tx.UpdateItem(ctx, it); err != nil {
			return err
		}
		if err := tx.UpdateAttendee(ctx, at); err != nil {
			return err
		}
		return tx.CreateShare(ctx, sh)
	})
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Item(ctx, it.ID)
		if err != nil {
			return err
		}
		if got.Decision != meeting.ActionsAgreed || got.DecidedBy != f.lead.ID || got.DecidedAt == nil {
			t.Fatalf("decided item %+v", got)
		}
		atts, err := tx.Attendees(ctx, m.ID)
		if err != nil || len(atts) != 1 || atts[0].Status != meeting.Present || atts[0].ConfidentialityAt == nil {
			t.Fatalf("attendees %+v, %v", atts, err)
		}
		shares, err := tx.Shares(ctx, m.ID)
		if err != nil || len(shares) != 1 || !shares[0].VictimTold || shares[0].Basis != meeting.PublicTask || shares[0].Text != "Two call-outs" {
			t.Fatalf("shares %+v, %v", shares, err)
		}
		one, err := tx.Share(ctx, sh.ID)
		if err != nil || one.ItemID != it.ID {
			t.Fatalf("share %+v, %v", one, err)
		}
		return nil
	})
	// A share can be held by the barrier like any free text on a case.
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		v := &victim.Case{SiteID: f.a.ID, GivenName: "Vee", FamilyName: "Example", OpenedOn: cwToday}
		if err := tx.CreateVictimCase(ctx, v); err != nil {
			return err
		}
		return tx.HoldText(ctx, &victim.HeldText{CaseID: f.c.ID, SiteID: f.a.ID, RecordType: victim.HeldShare, RecordID: sh.ID,
			VictimCaseID: v.ID, AuthorID: f.officer.ID})
	})
	// An item with a share cannot be deleted.
	wantCode(t, f.try(func(ctx context.Context, tx *store.Tx) error { return tx.DeleteItem(ctx, it.ID) }), drive.EINVALID)
}

func testPanelWindow(t *testing.T, f *mtFixture) {
	m, _, at := f.meeting(t, cwToday.AddDays(2))
	panel := func() []casework.PanelSeat {
		var c *casework.Case
		f.read(t, func(ctx context.Context, tx *store.Tx) error {
			var err error
			c, err = tx.Case(ctx, f.c.ID)
			return err
		})
		return c.Panel
	}
	if p := panel(); len(p) != 0 {
		t.Fatalf("a draft admits %v", p)
	}
	now := Epoch
	m.State, m.PublishedAt = meeting.Published, &now
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateMeeting(ctx, m) })
	if p := panel(); len(p) != 0 {
		t.Fatalf("an attendee who has not accepted is admitted: %v", p)
	}
	at.ConfidentialityAt = &now
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateAttendee(ctx, at) })
	if p := panel(); len(p) != 1 || p[0].UserID != f.officer.ID || p[0].MeetingID != m.ID {
		t.Fatalf("panel %v; want the officer through the meeting", p)
	}
	f.setClock(m.HeldOn.AddDays(7).Time().Add(23 * time.Hour))
	if p := panel(); len(p) != 1 {
		t.Fatalf("on the window's last day the panel is %v", p)
	}
	f.setClock(m.HeldOn.AddDays(8).Time())
	if p := panel(); len(p) != 0 {
		t.Fatalf("after the window the panel is %v", p)
	}
}

func testOrganisationActions(t *testing.T, f *mtFixture) {
	m, it, _ := f.meeting(t, cwToday)
	_ = m
	f.active(t, f.c, f.cm1, Epoch)
	acts := []*casework.Action{
		{CaseID: f.c.ID, Prong: "disrupt", Type: "bail-review", OrganisationID: f.police.ID, Agency: "Police", Owner: "DS One",
			DueOn: cwToday.AddDays(-3), MeetingItemID: it.ID},
		{CaseID: f.c.ID, Prong: "disrupt", Type: "dapo", OrganisationID: f.police.ID, Agency: "Police", Owner: "DS Two", DueOn: cwToday.AddDays(5)},
		{CaseID: f.c.ID, Prong: "change", Type: "one-to-one", Agency: "Drive", Owner: "Case manager", DueOn: cwToday.AddDays(-1)},
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		for _, a := range acts {
			if err := tx.CreateAction(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.OrganisationActions(ctx, f.police.ID, []int64{f.a.ID}, false, false)
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0].ID != acts[0].ID || got[0].PersonName != "Dean Example" || got[0].SiteID != f.a.ID || got[0].MeetingItemID != it.ID {
			t.Fatalf("police actions %+v", got)
		}
		if other, err := tx.OrganisationActions(ctx, f.police.ID, []int64{f.b.ID}, false, false); err != nil || len(other) != 0 {
			t.Fatalf("police actions at the other site: %d, %v", len(other), err)
		}
		overdue, err := tx.OverdueActionsAt(ctx, []int64{f.a.ID}, cwToday)
		if err != nil || len(overdue) != 1 || overdue[0].ID != acts[0].ID {
			t.Fatalf("overdue owned actions %+v, %v; want the police one only (the other is owned by no organisation)", overdue, err)
		}
		ma, err := tx.MeetingActions(ctx, it.MeetingID)
		if err != nil || len(ma) != 1 {
			t.Fatalf("meeting actions %d, %v", len(ma), err)
		}
		return nil
	})
	// Not possible needs an outcome; with one it is kept apart from done.
	acts[0].Status = casework.ActionNotPossible
	wantCode(t, f.try(func(ctx context.Context, tx *store.Tx) error { return tx.UpdateAction(ctx, acts[0]) }), drive.EINVALID)
	acts[0].Outcome, acts[0].ReportedOn = "Moved out of area", cwToday
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.UpdateAction(ctx, acts[0]) })
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		a, err := tx.Action(ctx, acts[0].ID)
		if err == nil && (a.Status != casework.ActionNotPossible || a.ReportedOn != cwToday || a.OrganisationID != f.police.ID) {
			t.Fatalf("reported action %+v", a)
		}
		return err
	})
}

func testAgendaFacts(t *testing.T, f *mtFixture) {
	// Held three months ago: the case's last hearing; a new referral of
	// the same person since makes it a repeat.
	past := cwToday.AddMonths(-3)
	m, it, _ := f.meeting(t, past)
	heldAt := Epoch
	m.State, m.PublishedAt, m.HeldAt = meeting.Held, &heldAt, &heldAt
	it.Decision, it.DecisionReasons = meeting.ActionsAgreed, "Agreed"
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.UpdateMeeting(ctx, m); err != nil {
			return err
		}
		return tx.UpdateItem(ctx, it)
	})
	facts := func() []store.AgendaFact {
		var out []store.AgendaFact
		f.read(t, func(ctx context.Context, tx *store.Tx) error {
			var err error
			out, err = tx.AgendaFacts(ctx, f.a.ID, meeting.MARAC, cwToday.AddDays(7))
			return err
		})
		return out
	}
	// The referral records a MARAC hearing 40 days ago, later than the
	// meeting: the last hearing is the latest the platform knows of, and
	// the referral 30 days ago came after it, so the case is a repeat.
	got := facts()
	if len(got) != 1 || got[0].CaseID != f.c.ID || got[0].LastHeard != f.c.Evidence.LastMARAC || got[0].State != casework.Referred {
		t.Fatalf("facts %+v; want the referral, last heard %s", got, f.c.Evidence.LastMARAC)
	}
	if len(got[0].Events) != 1 || got[0].Events[0] != f.c.ReferredAt || !meeting.IsRepeat(got[0].LastHeard, got[0].Events) {
		t.Fatalf("events %v after the hearing on %s; want the referral, a repeat", got[0].Events, got[0].LastHeard)
	}
	// For a Drive panel only its own held meetings count as hearings.
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		panel, err := tx.AgendaFacts(ctx, f.a.ID, meeting.DrivePanel, cwToday.AddDays(7))
		if err == nil && (len(panel) != 1 || !panel[0].LastHeard.IsZero()) {
			t.Fatalf("Drive panel facts %+v; want no hearing", panel)
		}
		return err
	})
	n, cases := 0, []meeting.HeardCase(nil)
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		var err error
		n, cases, err = tx.DataReturnFacts(ctx, f.a.ID, past.AddDays(-1), past.AddDays(1))
		return err
	})
	if n != 1 || len(cases) != 1 || !cases[0].Repeat || cases[0].ReferringAgency != string(casework.FromMARAC) || cases[0].PerpetratorAge < 30 {
		t.Fatalf("data return facts: %d meetings, %+v", n, cases)
	}
}

func testMeetingRollback(t *testing.T, f *mtFixture) {
	err := f.try(func(ctx context.Context, tx *store.Tx) error {
		m := &meeting.Meeting{SeriesID: f.series.ID, SiteID: f.a.ID, HeldOn: cwToday, StartsAt: "10:00", State: meeting.Draft, AccessDays: 7}
		if err := tx.CreateMeeting(ctx, m); err != nil {
			return err
		}
		return tx.CreateItem(ctx, &meeting.Item{MeetingID: m.ID, Kind: meeting.CaseItem, CaseID: 999999, Minutes: 12})
	})
	wantCode(t, err, drive.EINVALID)
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		ms, err := tx.Meetings(ctx, store.MeetingFilter{SiteIDs: []int64{f.a.ID}})
		if err == nil && len(ms) != 0 {
			t.Fatalf("a failed write left %d meetings", len(ms))
		}
		return err
	})
}
