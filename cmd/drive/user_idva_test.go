package main

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
)

// addIDVAService adds an IDVA service working at NMR.
func (f *cliFixture) addIDVAService() {
	f.t.Helper()
	ctx := context.Background()
	err := f.db.Transact(ctx, func(tx *store.Tx) error {
		return tx.CreateOrganisation(ctx, &account.Organisation{Name: "Northmoor IDVA Service", Kind: account.IDVAService, SiteIDs: []int64{f.site("NMR")}})
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *cliFixture) pendingRequests() []*account.AccountRequest {
	f.t.Helper()
	var out []*account.AccountRequest
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.AccountRequestsBy(context.Background(), 0, 100)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// TestUserIDVAServiceNeedsApproval: the command line changes an IDVA
// service's account only through a request its team leader approves,
// except to found a service that never had a team leader.
func TestUserIDVAServiceNeedsApproval(t *testing.T) {
	f := newCLIFixture(t)
	f.addIDVAService()
	add := []string{"--username", "tess.leader", "--name", "Tess Leader", "--organisation", "Northmoor IDVA Service", "--role", "team_leader@NMR"}

	// Founding the service: once, with the explicit flag.
	out := f.mustDrive("user", "add", append(add, "--first-team-leader")...)
	pw := oneTimePassword(t, out)
	tess := f.user("tess.leader")
	wantPassword(t, tess, pw)
	f.wantEvent("user.create", "user", tess.ID)
	var alerts []account.Alert
	_ = f.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		alerts, err = tx.Alerts(context.Background(), nil, true, 10)
		return err
	})
	if len(alerts) != 1 || alerts[0].Kind != "account_role_grant" || !strings.Contains(alerts[0].Reason, "command line") {
		t.Errorf("founding alerts = %+v", alerts)
	}
	code, _, errOut := f.drive("user", "add", "--username", "other.leader", "--name", "Other", "--organisation", "Northmoor IDVA Service", "--role", "team_leader@NMR", "--first-team-leader")
	if code != 1 || !strings.Contains(errOut, "already has a team leader") {
		t.Errorf("second founder: exit %d, %q", code, errOut)
	}

	// Adding, resetting and granting now make requests and change nothing.
	before := f.state()
	out = f.mustDrive("user", "add", "--username", "ivy.idva", "--name", "Ivy", "--organisation", "Northmoor IDVA Service", "--role", "idva@NMR", "--reason", "new starter")
	if strings.Contains(out, "One-time password") || !strings.Contains(out, "waits for a team leader") {
		t.Errorf("add in the IDVA service printed:\n%s", out)
	}
	out = f.mustDrive("user", "reset-password", "--username", "tess.leader", "--reset-2fa")
	if strings.Contains(out, "One-time password") || !strings.Contains(out, "nothing has changed") {
		t.Errorf("reset in the IDVA service printed:\n%s", out)
	}
	f.mustDrive("user", "grant", "--username", "tess.leader", "--role", "dpo@NMR")
	after := f.state()
	if !reflect.DeepEqual(before.Users, after.Users) {
		t.Error("a command-line change to the IDVA service's accounts took effect without approval")
	}
	reqs := f.pendingRequests()
	if len(reqs) != 3 || reqs[2].Kind != account.RequestCreate || reqs[2].Reason != "new starter" || reqs[1].Kind != account.RequestResetBoth ||
		reqs[0].Kind != account.RequestGrantRole || reqs[0].Role != "dpo" {
		t.Errorf("requests = %+v", reqs)
	}
	for _, r := range reqs {
		f.wantEvent("account_request.create", "account_request", r.ID)
	}

	// Accounts elsewhere are unchanged: made at once.
	out = f.mustDrive("user", "add", "--username", "jo.bloggs", "--name", "Jo Bloggs", "--organisation", "Northmoor Drive Service", "--role", "case_manager@NMR")
	oneTimePassword(t, out)
	out = f.mustDrive("user", "grant", "--username", "jo.bloggs", "--role", "analyst@NMR")
	if !strings.Contains(out, "analyst@NMR") || len(f.user("jo.bloggs").Roles) != 2 {
		t.Errorf("grant outside the IDVA service printed:\n%s", out)
	}
}
