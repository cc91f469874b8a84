package casework

import (
	"errors"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/programme"
)

func TestEscalate(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	restart, drv := programme.Restart(), programme.Drive()
	cm := []access.Role{access.CaseManager}
	base := Case{ID: 7, SiteID: 1, PersonID: 3, Programme: "restart", State: Active, Source: FromChildrensCare,
		ReferredAt: drive.MustDate("2026-09-01"), Summary: "Known to children's social care",
		Evidence: programme.Evidence{DASHScore: 12, KnownToChildrensSocialCare: true}}

	c := base
	ref, err := c.Escalate(restart, drv, 42, cm, "  New incident with a weapon  ", now)
	if err != nil {
		t.Fatal(err)
	}
	if c.State != Closed || c.ClosureReason != EscalatedToDrive || c.ClosedAt == nil || !c.ClosedAt.Equal(now) {
		t.Errorf("escalated case = %+v; want closed as escalated", c)
	}
	if ref.Programme != "drive" || ref.State != Referred || ref.PersonID != 3 || ref.SiteID != 1 || ref.Source != FromChildrensCare ||
		ref.ReferredAt != drive.DateOf(now) || ref.ReferredBy != 42 || ref.Evidence != base.Evidence ||
		ref.Summary != "Escalated from Restart case 7. Known to children's social care" {
		t.Errorf("referral = %+v", ref)
	}

	for _, tc := range []struct {
		name     string
		state    State
		from, to *programme.Programme
		roles    []access.Role
		reasons  string
		field    string // EINVALID naming this field, or "" for any EINVALID
	}{
		{"no reasons", Active, restart, drv, cm, " ", "reasons"},
		{"too long", Active, restart, drv, cm, string(make([]byte, 4001)), "reasons"},
		{"a panel coordinator", Active, restart, drv, []access.Role{access.PanelCoordinator}, "risk", ""},
		{"already closed", Closed, restart, drv, cm, "risk", ""},
		{"declined", Declined, restart, drv, cm, "risk", ""},
		{"waiting for a transfer", Transferred, restart, drv, cm, "risk", ""},
		{"Drive to Drive", Active, drv, drv, cm, "risk", ""},
		{"a programme that does not escalate", Active, drv, restart, cm, "risk", ""},
		{"no Drive at the site", Active, restart, nil, cm, "risk", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			c.State = tc.state
			ref, err := c.Escalate(tc.from, tc.to, 42, tc.roles, tc.reasons, now)
			if drive.ErrorCode(err) != drive.EINVALID || ref != nil {
				t.Fatalf("got %v, %v; want EINVALID", ref, err)
			}
			var e *drive.Error
			if tc.field != "" && (!errors.As(err, &e) || e.Fields[tc.field] == "") {
				t.Errorf("error %v names no %q", err, tc.field)
			}
			if c.State != tc.state || c.ClosedAt != nil || c.ClosureReason != "" {
				t.Errorf("case changed on error: %+v", c)
			}
		})
	}
}
