package casework

import (
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/programme"
)

// TestTransitions walks every state x event x role and checks Check allows
// exactly the moves written out below, for exactly those roles.
func TestTransitions(t *testing.T) {
	type key struct {
		from State
		ev   Event
	}
	lead := []access.Role{access.TeamLeader}
	panel := []access.Role{access.PanelCoordinator, access.TeamLeader}
	work := []access.Role{access.CaseManager, access.TeamLeader}
	want := map[key]struct {
		to        State
		roles     []access.Role
		receiving bool
	}{
		{Referred, Accept}:            {Accepted, panel, false},
		{Referred, Decline}:           {Declined, panel, false},
		{Accepted, Allocate}:          {Allocated, lead, false},
		{Allocated, Reallocate}:       {Allocated, lead, false},
		{Active, Reallocate}:          {Active, lead, false},
		{Allocated, Start}:            {Active, work, false},
		{Active, BeginClosure}:        {Closing, work, false},
		{Closing, Resume}:             {Active, lead, false},
		{Closing, Close}:              {Closed, lead, false},
		{Active, Transfer}:            {Transferred, lead, false},
		{Allocated, Transfer}:         {Transferred, lead, false},
		{Transferred, AcceptTransfer}: {Accepted, lead, true},
		{Transferred, RejectTransfer}: {Active, lead, true},
		{Closed, Reopen}:              {Active, lead, false},
	}
	events := []Event{Accept, Decline, Allocate, Reallocate, Start, BeginClosure, Resume, Close, Transfer, AcceptTransfer, RejectTransfer, Reopen}
	for _, from := range States() {
		for _, ev := range events {
			for _, role := range access.Roles() {
				for _, receiving := range []bool{false, true} {
					w, listed := want[key{from, ev}]
					allowed := listed && w.receiving == receiving && contains(w.roles, role)
					tr, err := Check(from, ev, []access.Role{role}, receiving)
					if allowed != (err == nil) {
						t.Errorf("%s --%s--> as %s (receiving=%v): allowed=%v, err=%v", from, ev, role, receiving, allowed, err)
					}
					if err == nil && tr.To != w.to {
						t.Errorf("%s --%s--> goes to %s; want %s", from, ev, tr.To, w.to)
					}
					if err != nil && drive.ErrorCode(err) != drive.EINVALID {
						t.Errorf("refusal has code %s; want invalid", drive.ErrorCode(err))
					}
				}
			}
		}
	}
	if len(Machine()) != len(want) {
		t.Errorf("the machine has %d rows; the test expects %d", len(Machine()), len(want))
	}
}

func contains(rs []access.Role, r access.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func TestApply(t *testing.T) {
	prog := programme.Drive()
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	apply := func(c *Case, ev Event, ch Change, at time.Time) error {
		tr, err := Check(c.State, ev, []access.Role{access.TeamLeader, access.CaseManager}, ev == AcceptTransfer || ev == RejectTransfer)
		if err != nil {
			return err
		}
		ch.Event = ev
		return c.Apply(tr, ch, prog, 7, at)
	}
	c := &Case{ID: 1, SiteID: 10, State: Referred}
	steps := []struct {
		ev      Event
		ch      Change
		wantErr string // field expected in the error, or ""
		state   State
	}{
		{Accept, Change{}, "reasons", Referred},
		{Accept, Change{Reasons: "Meets the DASH and MARAC criteria"}, "", Accepted},
		{Allocate, Change{}, "case_manager", Accepted},
		{Allocate, Change{CaseManagerID: 42}, "", Allocated},
		{Start, Change{}, "", Active},
		{BeginClosure, Change{ClosureReason: "nonsense"}, "closure_reason", Active},
		{BeginClosure, Change{ClosureReason: "completed"}, "", Closing},
		{Resume, Change{}, "", Active},
		{Transfer, Change{SiteID: 10}, "site", Active},
		{Transfer, Change{SiteID: 11}, "", Transferred},
		{RejectTransfer, Change{}, "reasons", Transferred},
		{RejectTransfer, Change{Reasons: "Not in our area"}, "", Active},
		{BeginClosure, Change{ClosureReason: "risk-reduced"}, "", Closing},
		{Close, Change{ClosureReason: "risk-reduced"}, "", Closed},
	}
	for i, s := range steps {
		before := *c
		err := apply(c, s.ev, s.ch, now)
		if s.wantErr == "" && err != nil {
			t.Fatalf("step %d %s: %v", i, s.ev, err)
		}
		if s.wantErr != "" {
			var de *drive.Error
			if err == nil || !asErr(err, &de) || de.Fields[s.wantErr] == "" {
				t.Fatalf("step %d %s: err %v; want a %s field error", i, s.ev, err, s.wantErr)
			}
			if c.State != before.State || c.CaseManagerID != before.CaseManagerID || c.ClosureReason != before.ClosureReason {
				t.Fatalf("step %d: a refused change altered the case", i)
			}
		}
		if c.State != s.state {
			t.Fatalf("step %d %s: state %s; want %s", i, s.ev, c.State, s.state)
		}
	}
	if c.ClosedAt == nil || c.ClosureReason != "risk-reduced" || c.CaseManagerID != 42 || c.DecidedBy != 7 {
		t.Fatalf("closed case = %+v", c)
	}
	// Reopening works within the window and not after it.
	late := *c
	if err := apply(c, Reopen, Change{Reasons: "New incident reported"}, now.Add(30*24*time.Hour)); err != nil || c.State != Active {
		t.Fatalf("reopen within 90 days: %v", err)
	}
	if err := apply(&late, Reopen, Change{Reasons: "New incident reported"}, now.Add(120*24*time.Hour)); err == nil {
		t.Fatal("reopened 120 days after closure")
	}
	// A transfer accepted by the receiving site moves the case there,
	// unallocated.
	tc := &Case{ID: 2, SiteID: 10, State: Active, CaseManagerID: 5}
	if err := apply(tc, Transfer, Change{SiteID: 11}, now); err != nil {
		t.Fatal(err)
	}
	if err := apply(tc, AcceptTransfer, Change{}, now); err != nil {
		t.Fatal(err)
	}
	if tc.SiteID != 11 || tc.State != Accepted || tc.CaseManagerID != 0 || tc.TransferToSiteID != 0 {
		t.Fatalf("after transfer: %+v", tc)
	}
}

func asErr(err error, target **drive.Error) bool {
	e, ok := err.(*drive.Error)
	if ok {
		*target = e
	}
	return ok
}

func TestOverdueIsDerived(t *testing.T) {
	today := drive.MustDate("2026-06-01")
	for _, tc := range []struct {
		due    string
		status ActionStatus
		want   bool
	}{
		{"2026-05-31", ActionOpen, true},
		{"2026-05-31", ActionInProgress, true},
		{"2026-05-31", ActionDone, false},
		{"2026-05-31", ActionCancelled, false},
		{"2026-06-01", ActionOpen, false},
		{"2026-06-02", ActionOpen, false},
	} {
		a := Action{DueOn: drive.MustDate(tc.due), Status: tc.status}
		if got := a.Overdue(today); got != tc.want {
			t.Errorf("due %s %s: overdue=%v; want %v", tc.due, tc.status, got, tc.want)
		}
	}
}

func TestReferralValidation(t *testing.T) {
	today := drive.MustDate("2026-06-01")
	prog := programme.Drive()
	for name, tc := range map[string]struct {
		c     Case
		field string
	}{
		"future date":  {Case{PersonID: 1, Source: FromMARAC, ReferredAt: drive.MustDate("2026-06-02"), Summary: "x", Evidence: programme.Evidence{DASHScore: -1}}, "referred_at"},
		"no source":    {Case{PersonID: 1, ReferredAt: today, Summary: "x", Evidence: programme.Evidence{DASHScore: -1}}, "source"},
		"no summary":   {Case{PersonID: 1, Source: FromMARAC, ReferredAt: today, Evidence: programme.Evidence{DASHScore: -1}}, "summary"},
		"bad DASH":     {Case{PersonID: 1, Source: FromMARAC, ReferredAt: today, Summary: "x", Evidence: programme.Evidence{DASHScore: 25}}, "dash_score"},
		"future MARAC": {Case{PersonID: 1, Source: FromMARAC, ReferredAt: today, Summary: "x", Evidence: programme.Evidence{DASHScore: 3, LastMARAC: drive.MustDate("2027-01-01")}}, "last_marac"},
		"no person":    {Case{Source: FromMARAC, ReferredAt: today, Summary: "x", Evidence: programme.Evidence{DASHScore: -1}}, "person"},
	} {
		err := tc.c.ValidateReferral(today, prog)
		var de *drive.Error
		if err == nil || !asErr(err, &de) || de.Fields[tc.field] == "" {
			t.Errorf("%s: err %v; want a %s field error", name, err, tc.field)
		}
	}
	ok := Case{PersonID: 1, Source: FromPoliceList, ReferredAt: today, Summary: "Top of the list", Evidence: programme.Evidence{DASHScore: -1}}
	if err := ok.ValidateReferral(today, prog); err != nil || ok.State != Referred || ok.Engagement != NotYetContacted {
		t.Fatalf("valid referral: %v %+v", err, ok)
	}
}

// TestReceivingRoles states by hand who decides a pending transfer, and so
// who alone at the receiving site sees it before it is accepted.
func TestReceivingRoles(t *testing.T) {
	if got := ReceivingRoles(); len(got) != 1 || got[0] != access.TeamLeader {
		t.Fatalf("ReceivingRoles() = %v; want [team_leader]", got)
	}
}
