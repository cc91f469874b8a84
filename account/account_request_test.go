package account

import (
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
)

func TestAccountRequestDecide(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	pending := func() *AccountRequest {
		return &AccountRequest{ID: 1, Kind: RequestResetPass, OrganisationID: 5, UserID: 7, RequestedBy: 3, State: RequestPending}
	}
	for _, tc := range []struct {
		name     string
		approver int64
		approve  bool
		code     string
		state    RequestState
	}{
		{"another person approves", 9, true, "", RequestApproved},
		{"another person refuses", 9, false, "", RequestRefused},
		{"the one who asked", 3, true, drive.EINVALID, RequestPending},
		{"the account's holder", 7, true, drive.EINVALID, RequestPending},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := pending()
			err := r.Decide(tc.approver, tc.approve, now)
			if drive.ErrorCode(err) != tc.code || r.State != tc.state {
				t.Fatalf("Decide: err %v, state %s; want code %q, state %s", err, r.State, tc.code, tc.state)
			}
			if tc.code == "" && (r.DecidedBy != tc.approver || r.DecidedAt == nil || !r.DecidedAt.Equal(now)) {
				t.Errorf("decision not recorded: %+v", r)
			}
		})
	}
	r := pending()
	_ = r.Decide(9, false, now)
	if err := r.Decide(9, true, now); drive.ErrorCode(err) != drive.ECONFLICT || r.State != RequestRefused {
		t.Errorf("second decision: err %v, state %s", err, r.State)
	}
}

func TestServiceLeader(t *testing.T) {
	idvas := &Organisation{ID: 5, Kind: IDVAService}
	provider := &Organisation{ID: 6, Kind: Provider}
	leader := &User{ID: 1, OrganisationID: 5, Roles: []RoleAssignment{{Role: access.TeamLeader, SiteID: 2}}}
	idva := &User{ID: 2, OrganisationID: 5, Roles: []RoleAssignment{{Role: access.IDVA, SiteID: 2}}}
	providerLeader := &User{ID: 3, OrganisationID: 6, Roles: []RoleAssignment{{Role: access.TeamLeader, SiteID: 2}}}
	gone := time.Now()
	disabled := &User{ID: 4, OrganisationID: 5, DisabledAt: &gone, Roles: []RoleAssignment{{Role: access.TeamLeader, SiteID: 2}}}
	for _, tc := range []struct {
		name string
		u    *User
		org  *Organisation
		want bool
	}{
		{"the service's team leader", leader, idvas, true},
		{"an IDVA", idva, idvas, false},
		{"a team leader elsewhere", providerLeader, idvas, false},
		{"a provider is not victim-side", providerLeader, provider, false},
		{"a disabled team leader", disabled, idvas, false},
		{"nobody", nil, idvas, false},
	} {
		if got := ServiceLeader(tc.u, tc.org); got != tc.want {
			t.Errorf("%s: ServiceLeader = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !LeadsSite(leader, 2) || LeadsSite(leader, 3) || LeadsSite(leader, 0) {
		t.Error("LeadsSite answers wrongly")
	}
}
