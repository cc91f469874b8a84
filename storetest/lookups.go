package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
)

// testUserNamesWithRole: the holders of a role at a site, by username,
// named and numbered; not those holding it elsewhere or another role
// here, and not the disabled.
func testUserNamesWithRole(t *testing.T, db *store.DB) {
	ctx := context.Background()
	here, there := mustSite(t, db, "AAA"), mustSite(t, db, "BBB")
	o := &account.Organisation{Name: "Provider", Kind: account.Provider}
	mk := func(name string, roles ...account.RoleAssignment) *account.User {
		return &account.User{Username: name, DisplayName: "Name of " + name, PasswordHash: "hash", TOTPSecret: "SECRET", Roles: roles}
	}
	users := []*account.User{
		mk("cm.b", account.RoleAssignment{Role: access.CaseManager, SiteID: here.ID}),
		mk("cm.a", account.RoleAssignment{Role: access.CaseManager, SiteID: here.ID}, account.RoleAssignment{Role: access.TeamLeader, SiteID: there.ID}),
		mk("cm.elsewhere", account.RoleAssignment{Role: access.CaseManager, SiteID: there.ID}),
		mk("lead.here", account.RoleAssignment{Role: access.TeamLeader, SiteID: here.ID}),
		mk("cm.gone", account.RoleAssignment{Role: access.CaseManager, SiteID: here.ID}),
	}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		for _, u := range users {
			u.OrganisationID = o.ID
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		return tx.SetUserDisabled(ctx, users[4].ID, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []account.User
	if err := db.View(ctx, func(tx *store.Tx) (err error) {
		got, err = tx.UserNamesWithRole(ctx, access.CaseManager, here.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range got {
		names = append(names, fmt.Sprintf("%d %s %s", u.ID, u.Username, u.DisplayName))
	}
	want := []string{fmt.Sprintf("%d cm.a Name of cm.a", users[1].ID), fmt.Sprintf("%d cm.b Name of cm.b", users[0].ID)}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("case managers here = %q; want %q", names, want)
	}
}

// testProgrammeReadAfresh: a programme's settings read twice are equal,
// a reader changing its copy changes no one else's, and new settings are
// read as soon as they are saved.
func testProgrammeReadAfresh(t *testing.T, db *store.DB) {
	ctx := context.Background()
	s := mustSite(t, db, "AAA")
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.SeedProgrammes(ctx, s.ID) }); err != nil {
		t.Fatal(err)
	}
	read := func() *programme.Programme {
		t.Helper()
		var p *programme.Programme
		if err := db.View(ctx, func(tx *store.Tx) (err error) { p, err = tx.SiteProgramme(ctx, s.ID, programme.Drive().Code); return }); err != nil {
			t.Fatal(err)
		}
		return p
	}
	first := read()
	want := string(first.JSON())
	first.Actions[0].Label = "changed by a reader"
	first.CaseloadLimit = 99
	if got := read(); string(got.JSON()) != want {
		t.Errorf("a reader's change reached the next reader:\n%s", got.JSON())
	}
	changed := programme.Drive()
	changed.CaseloadLimit = 7
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.SetSiteProgramme(ctx, s.ID, changed) }); err != nil {
		t.Fatal(err)
	}
	if got := read(); got.CaseloadLimit != 7 {
		t.Errorf("caseload limit read after a change = %d; want 7", got.CaseloadLimit)
	}
}
