package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
)

// Epoch is the frozen time the conformance suite runs at.
var Epoch = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// Run runs the conformance suite against one engine. Every engine must
// pass it unchanged: it is what "one storage contract" means.
func Run(t *testing.T, e Engine) {
	tests := []struct {
		name string
		fn   func(t *testing.T, db *store.DB)
	}{
		{"MigrateIsIdempotent", testMigrateIdempotent},
		{"TransactCommits", testTransactCommits},
		{"TransactRollsBackOnError", testRollbackOnError},
		{"TransactRollsBackOnPanic", testRollbackOnPanic},
		{"TransactCarriesFixedNow", testFixedNow},
		{"ViewRefusesWrites", testViewRefusesWrites},
		{"UniqueViolationIsConflict", testUniqueConflict},
		{"ForeignKeyViolationIsInvalid", testForeignKeyInvalid},
		{"MissingRecordIsNotFound", testNotFound},
		{"SitesAndOrganisationsRoundTrip", testSitesOrganisations},
		{"UsersAndRolesRoundTrip", testUsersRoles},
		{"UserNamesWithRole", testUserNamesWithRole},
		{"ProgrammeReadAfresh", testProgrammeReadAfresh},
		{"RoleScopeIsValidated", testRoleScope},
		{"PersonPoliceLinksRoundTrip", testPersonPoliceLinks},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := e.Open(t, FixedClock(Epoch))
			tc.fn(t, db)
		})
	}
}

func testMigrateIdempotent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("second migrate applied %v; want nothing", applied)
	}
	st, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Pending) != 0 || len(st.Applied) == 0 {
		t.Fatalf("status = %+v; want all applied", st)
	}
}

func mustSite(t *testing.T, db *store.DB, code string) *account.Site {
	t.Helper()
	s := &account.Site{Code: code, Name: "Site " + code, Region: "North West"}
	if err := db.Transact(context.Background(), func(tx *store.Tx) error { return tx.CreateSite(context.Background(), s) }); err != nil {
		t.Fatalf("create site: %v", err)
	}
	return s
}

func countSites(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.View(context.Background(), func(tx *store.Tx) error {
		s, err := tx.Sites(context.Background())
		n = len(s)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

func testTransactCommits(t *testing.T, db *store.DB) {
	mustSite(t, db, "AAA")
	if n := countSites(t, db); n != 1 {
		t.Fatalf("sites = %d; want 1", n)
	}
}

func testRollbackOnError(t *testing.T, db *store.DB) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateSite(ctx, &account.Site{Code: "AAA", Name: "A", Region: "R"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v; want boom", err)
	}
	if n := countSites(t, db); n != 0 {
		t.Fatalf("sites after rollback = %d; want 0", n)
	}
}

func testRollbackOnPanic(t *testing.T, db *store.DB) {
	ctx := context.Background()
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic did not propagate")
			}
		}()
		_ = db.Transact(ctx, func(tx *store.Tx) error {
			if err := tx.CreateSite(ctx, &account.Site{Code: "AAA", Name: "A", Region: "R"}); err != nil {
				return err
			}
			panic("half way")
		})
	}()
	if n := countSites(t, db); n != 0 {
		t.Fatalf("sites after panic = %d; want 0", n)
	}
	// The connection must be usable after the panic.
	mustSite(t, db, "BBB")
}

func testFixedNow(t *testing.T, db *store.DB) {
	ctx := context.Background()
	s := mustSite(t, db, "AAA")
	if !s.CreatedAt.Equal(Epoch.Truncate(time.Microsecond)) {
		t.Fatalf("created_at = %v; want %v", s.CreatedAt, Epoch)
	}
	var got *account.Site
	if err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		got, err = tx.Site(ctx, s.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.Equal(s.CreatedAt) {
		t.Fatalf("stored time %v != %v: times must round-trip at microsecond precision", got.CreatedAt, s.CreatedAt)
	}
}

func testViewRefusesWrites(t *testing.T, db *store.DB) {
	ctx := context.Background()
	err := db.View(ctx, func(tx *store.Tx) error {
		return tx.CreateSite(ctx, &account.Site{Code: "AAA", Name: "A", Region: "R"})
	})
	if err == nil {
		t.Fatal("write inside View succeeded")
	}
	if n := countSites(t, db); n != 0 {
		t.Fatalf("sites = %d; want 0", n)
	}
}

func testUniqueConflict(t *testing.T, db *store.DB) {
	ctx := context.Background()
	mustSite(t, db, "AAA")
	err := db.Transact(ctx, func(tx *store.Tx) error {
		return tx.CreateSite(ctx, &account.Site{Code: "AAA", Name: "Again", Region: "R"})
	})
	if code := drive.ErrorCode(err); code != drive.ECONFLICT {
		t.Fatalf("code = %q (%v); want conflict", code, err)
	}
}

func testForeignKeyInvalid(t *testing.T, db *store.DB) {
	ctx := context.Background()
	err := db.Transact(ctx, func(tx *store.Tx) error {
		return tx.CreateUser(ctx, &account.User{Username: "ghost", DisplayName: "Ghost", OrganisationID: 999, PasswordHash: "x"})
	})
	if code := drive.ErrorCode(err); code != drive.EINVALID {
		t.Fatalf("code = %q (%v); want invalid", code, err)
	}
}

func testNotFound(t *testing.T, db *store.DB) {
	ctx := context.Background()
	err := db.View(ctx, func(tx *store.Tx) error {
		_, err := tx.Site(ctx, 12345)
		return err
	})
	if code := drive.ErrorCode(err); code != drive.ENOTFOUND {
		t.Fatalf("code = %q (%v); want not_found", code, err)
	}
	err = db.View(ctx, func(tx *store.Tx) error {
		_, err := tx.UserByUsername(ctx, "nobody")
		return err
	})
	if code := drive.ErrorCode(err); code != drive.ENOTFOUND {
		t.Fatalf("code = %q (%v); want not_found", code, err)
	}
}

func testSitesOrganisations(t *testing.T, db *store.DB) {
	ctx := context.Background()
	a, b := mustSite(t, db, "AAA"), mustSite(t, db, "BBB")
	o := &account.Organisation{Name: "Northshire Police", Kind: account.PoliceForce, SiteIDs: []int64{a.ID, b.ID}}
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(ctx, o) }); err != nil {
		t.Fatal(err)
	}
	var orgs []account.Organisation
	if err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		orgs, err = tx.Organisations(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 1 || orgs[0].Name != o.Name || orgs[0].Kind != account.PoliceForce || len(orgs[0].SiteIDs) != 2 {
		t.Fatalf("organisations = %+v", orgs)
	}
	bad := &account.Organisation{Name: "", Kind: "nonsense"}
	err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateOrganisation(ctx, bad) })
	var de *drive.Error
	if !errors.As(err, &de) || de.Code != drive.EINVALID || de.Fields["name"] == "" || de.Fields["kind"] == "" {
		t.Fatalf("bad organisation err = %#v; want invalid with name and kind fields", err)
	}
}

func testUsersRoles(t *testing.T, db *store.DB) {
	ctx := context.Background()
	s := mustSite(t, db, "AAA")
	o := &account.Organisation{Name: "Provider", Kind: account.Provider}
	u := &account.User{Username: "Case.Manager", DisplayName: "Casey Manager", PasswordHash: "hash", TOTPSecret: "SECRET",
		Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: s.ID}, {Role: access.DPO}}}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		u.OrganisationID = o.ID
		return tx.CreateUser(ctx, u)
	})
	if err != nil {
		t.Fatal(err)
	}
	var got *account.User
	if err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		got, err = tx.UserByUsername(ctx, "case.manager")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got.ID != u.ID || got.DisplayName != "Casey Manager" || !got.TOTPEnrolled || len(got.Roles) != 2 {
		t.Fatalf("user = %+v", got)
	}
	// The organisation's kind comes with the user: the access policy
	// decides the victim compartment on it.
	if got.OrganisationKind != account.Provider {
		t.Fatalf("organisation kind = %q; want %q", got.OrganisationKind, account.Provider)
	}
	if got.Roles[0].Role != access.CaseManager || got.Roles[0].SiteID != s.ID || got.Roles[1].Role != access.DPO || got.Roles[1].SiteID != 0 {
		t.Fatalf("roles = %+v", got.Roles)
	}
	if got.Disabled() {
		t.Fatal("new user is disabled")
	}
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, u.ID, true) }); err != nil {
		t.Fatal(err)
	}
	if err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		got, err = tx.User(ctx, u.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if !got.Disabled() || !got.DisabledAt.Equal(Epoch.Truncate(time.Microsecond)) {
		t.Fatalf("disabled_at = %v", got.DisabledAt)
	}
	if got.OrganisationKind != account.Provider {
		t.Fatalf("User: organisation kind = %q", got.OrganisationKind)
	}
	if err := db.View(ctx, func(tx *store.Tx) error {
		all, err := tx.Users(ctx)
		for _, x := range all {
			if x.ID == u.ID && x.OrganisationKind != account.Provider {
				t.Errorf("Users: organisation kind = %q", x.OrganisationKind)
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// A taken username is a field error, not a bare conflict.
	err = db.Transact(ctx, func(tx *store.Tx) error {
		return tx.CreateUser(ctx, &account.User{Username: "case.manager", DisplayName: "X", OrganisationID: o.ID, PasswordHash: "h"})
	})
	var de *drive.Error
	if !errors.As(err, &de) || de.Fields["username"] == "" {
		t.Fatalf("duplicate username err = %v; want a username field error", err)
	}
}

func testRoleScope(t *testing.T, db *store.DB) {
	ctx := context.Background()
	o := &account.Organisation{Name: "Provider", Kind: account.Provider}
	err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		// A case manager must be held at a site.
		return tx.CreateUser(ctx, &account.User{Username: "cm1", DisplayName: "C", OrganisationID: o.ID, PasswordHash: "h",
			Roles: []account.RoleAssignment{{Role: access.CaseManager}}})
	})
	if drive.ErrorCode(err) != drive.EINVALID {
		t.Fatalf("err = %v; want invalid", err)
	}
	var n int
	_ = db.View(ctx, func(tx *store.Tx) error { var err error; n, err = tx.CountUsers(ctx); return err })
	if n != 0 {
		t.Fatalf("users = %d after a failed create; want 0 (nothing half-written)", n)
	}
}
