package storetest

import (
	"context"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
)

// RunAccountRequests is the conformance suite for account requests: the
// changes to IDVA services' accounts that wait for a team leader.
func RunAccountRequests(t *testing.T, e Engine) {
	ctx := context.Background()
	db := e.Open(t, FixedClock(Epoch))
	var site account.Site
	var idvas, provider account.Organisation
	var admin, leader, idva *account.User
	err := db.Transact(ctx, func(tx *store.Tx) error {
		site = account.Site{Code: "NMR", Name: "Northmoor", Region: "R"}
		if err := tx.CreateSite(ctx, &site); err != nil {
			return err
		}
		idvas = account.Organisation{Name: "Northmoor IDVA Service", Kind: account.IDVAService, SiteIDs: []int64{site.ID}}
		provider = account.Organisation{Name: "Northmoor Drive", Kind: account.Provider}
		for _, o := range []*account.Organisation{&idvas, &provider} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		mk := func(name string, org int64, role access.Role, siteID int64) (*account.User, error) {
			u := &account.User{Username: name, DisplayName: name, OrganisationID: org, PasswordHash: "x",
				Roles: []account.RoleAssignment{{Role: role, SiteID: siteID}}}
			return u, tx.CreateUser(ctx, u)
		}
		var err error
		if admin, err = mk("admin.one", provider.ID, access.Admin, 0); err != nil {
			return err
		}
		if idva, err = mk("idva.one", idvas.ID, access.IDVA, site.ID); err != nil {
			return err
		}
		had, err := tx.EverHadTeamLeader(ctx, idvas.ID)
		if err != nil || had {
			t.Errorf("EverHadTeamLeader before any = %v, %v; want false", had, err)
		}
		leader, err = mk("leader.one", idvas.ID, access.TeamLeader, site.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("RoundTrip", func(t *testing.T) {
		create := &account.AccountRequest{Kind: account.RequestCreate, OrganisationID: idvas.ID, Username: " New.Leader ", DisplayName: "New Leader",
			Role: access.TeamLeader, SiteID: site.ID, Reason: "cover", RequestedBy: admin.ID}
		reset := &account.AccountRequest{Kind: account.RequestResetBoth, OrganisationID: idvas.ID, UserID: idva.ID}
		err := db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateAccountRequest(ctx, create); err != nil {
				return err
			}
			return tx.CreateAccountRequest(ctx, reset)
		})
		if err != nil {
			t.Fatal(err)
		}
		if create.Username != "new.leader" || create.State != account.RequestPending || !create.RequestedAt.Equal(Epoch) {
			t.Errorf("stored request = %+v", create)
		}
		err = db.View(ctx, func(tx *store.Tx) error {
			got, err := tx.AccountRequest(ctx, create.ID)
			if err != nil {
				return err
			}
			if got.Kind != create.Kind || got.Username != "new.leader" || got.Role != access.TeamLeader || got.SiteID != site.ID ||
				got.RequestedBy != admin.ID || got.Reason != "cover" || got.UserID != 0 || got.DecidedAt != nil || !got.Pending() {
				t.Errorf("read back %+v", got)
			}
			cli, err := tx.AccountRequest(ctx, reset.ID)
			if err != nil {
				return err
			}
			if cli.RequestedBy != 0 || cli.UserID != idva.ID || cli.SiteID != 0 {
				t.Errorf("command-line request read back %+v", cli)
			}
			pending, err := tx.AccountRequests(ctx, []int64{idvas.ID}, true)
			if err != nil {
				return err
			}
			if len(pending) != 2 || pending[0].ID != reset.ID {
				t.Errorf("pending = %d requests, newest first expected", len(pending))
			}
			other, err := tx.AccountRequests(ctx, []int64{provider.ID}, false)
			if err != nil || len(other) != 0 {
				t.Errorf("another organisation's requests = %d, %v", len(other), err)
			}
			byAdmin, err := tx.AccountRequestsBy(ctx, admin.ID, 10)
			if err != nil || len(byAdmin) != 1 || byAdmin[0].ID != create.ID {
				t.Errorf("requests by the admin = %v, %v", byAdmin, err)
			}
			byCLI, err := tx.AccountRequestsBy(ctx, 0, 10)
			if err != nil || len(byCLI) != 1 || byCLI[0].ID != reset.ID {
				t.Errorf("requests by the command line = %v, %v", byCLI, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		// Deciding: once, by someone else, and a racing second decision
		// changes nothing.
		err = db.Transact(ctx, func(tx *store.Tx) error {
			r, err := tx.AccountRequest(ctx, reset.ID)
			if err != nil {
				return err
			}
			stale := *r
			if err := r.Decide(leader.ID, true, tx.Now); err != nil {
				return err
			}
			if err := tx.DecideAccountRequest(ctx, r); err != nil {
				return err
			}
			if err := stale.Decide(leader.ID, false, tx.Now); err != nil {
				return err
			}
			wantCode(t, tx.DecideAccountRequest(ctx, &stale), drive.ECONFLICT)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_ = db.View(ctx, func(tx *store.Tx) error {
			r, err := tx.AccountRequest(ctx, reset.ID)
			if err != nil || r.State != account.RequestApproved || r.DecidedBy != leader.ID || r.DecidedAt == nil {
				t.Errorf("decided request = %+v, %v", r, err)
			}
			pending, _ := tx.AccountRequests(ctx, []int64{idvas.ID}, true)
			if len(pending) != 1 {
				t.Errorf("pending after a decision = %d, want 1", len(pending))
			}
			return nil
		})
	})

	t.Run("Validated", func(t *testing.T) {
		for name, r := range map[string]*account.AccountRequest{
			"username":     {Kind: account.RequestCreate, OrganisationID: idvas.ID, Username: "x", DisplayName: "X", Role: access.IDVA, SiteID: site.ID},
			"role":         {Kind: account.RequestCreate, OrganisationID: idvas.ID, Username: "jo.b", DisplayName: "Jo", Role: access.IDVA},
			"user":         {Kind: account.RequestResetPass, OrganisationID: idvas.ID},
			"kind":         {Kind: "make_admin", OrganisationID: idvas.ID, UserID: idva.ID},
			"organisation": {Kind: account.RequestResetPass, UserID: idva.ID},
		} {
			err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateAccountRequest(ctx, r) })
			wantField(t, err, name)
		}
	})

	t.Run("OrganisationAndTeamLeader", func(t *testing.T) {
		_ = db.View(ctx, func(tx *store.Tx) error {
			o, err := tx.Organisation(ctx, idvas.ID)
			if err != nil || !o.VictimSide() || len(o.SiteIDs) != 1 || o.SiteIDs[0] != site.ID {
				t.Errorf("Organisation = %+v, %v", o, err)
			}
			_, err = tx.Organisation(ctx, 9999)
			wantCode(t, err, drive.ENOTFOUND)
			us, err := tx.OrganisationUsers(ctx, idvas.ID)
			if err != nil || len(us) != 2 || us[0].Username != "idva.one" || len(us[1].Roles) != 1 {
				t.Errorf("OrganisationUsers = %v, %v", us, err)
			}
			had, err := tx.EverHadTeamLeader(ctx, idvas.ID)
			if err != nil || !had {
				t.Errorf("EverHadTeamLeader = %v, %v; want true", had, err)
			}
			return nil
		})
		// A disabled team leader still counts: the service was founded.
		_ = db.Transact(ctx, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, leader.ID, true) })
		_ = db.View(ctx, func(tx *store.Tx) error {
			if had, _ := tx.EverHadTeamLeader(ctx, idvas.ID); !had {
				t.Error("a disabled team leader no longer counts")
			}
			return nil
		})
	})
}
