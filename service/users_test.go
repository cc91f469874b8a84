package service_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// addAdmin adds, through the command line, an administrator of site A
// alone in the Drive provider, as w.users["adminA"].
func (w *world) addAdmin(t *testing.T) service.Actor {
	t.Helper()
	w.svc.PasswordParams = auth.TestParams()
	out, err := w.svc.ChangeAccount(context.Background(), service.CommandLine(), service.AccountChange{Kind: account.RequestCreate,
		Username: "admin.a", DisplayName: "Admin A", OrganisationID: w.users["cm"].OrganisationID,
		Roles: []account.RoleAssignment{{Role: access.Admin, SiteID: w.siteA.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	w.users["adminA"] = out.User
	return w.actor(t, "adminA")
}

// addSession gives the user a signed-in session.
func (w *world) addSession(t *testing.T, userID int64, token string) {
	t.Helper()
	ctx := context.Background()
	err := w.db.Transact(ctx, func(tx *store.Tx) error {
		return tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(token), UserID: userID, Stage: account.StageFull, CSRF: "x",
			CreatedAt: tx.Now, LastSeenAt: tx.Now, ReauthAt: tx.Now, ExpiresAt: tx.Now.Add(time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
}

func usernames(accs []service.Account) string {
	var out []string
	for _, a := range accs {
		out = append(out, a.Username)
	}
	return strings.Join(out, " ")
}

// TestUsers checks who sees which accounts on both engines: the command
// line sees everyone; an administrator of one site sees and manages the
// accounts of that site alone; a team leader sees their site's accounts
// but manages none; a case manager sees none. Roles carry their site's
// code and name, and no credential leaves the service.
func TestUsers(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			admin := w.addAdmin(t)

			all, err := w.svc.Users(ctx, service.CommandLine())
			if err != nil {
				t.Fatal(err)
			}
			if got, want := usernames(all), "admin.a user.cm user.idva user.idvalead user.lead user.othercm"; got != want {
				t.Errorf("the command line sees %q, want %q", got, want)
			}
			cm := all[1]
			if cm.Organisation != "Drive provider" || cm.VictimSide || !cm.CanManage || !cm.SecondFactor || cm.Disabled() ||
				len(cm.Roles) != 1 || cm.Roles[0].SiteCode != "NMR" || cm.Roles[0].SiteName != "Northmoor" || cm.Roles[0].Role != access.CaseManager {
				t.Errorf("cm listed as %+v", cm)
			}
			if !all[2].VictimSide || all[2].Organisation != "IDVA service" {
				t.Errorf("the IDVA listed as %+v", all[2])
			}

			mine, err := w.svc.Users(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := usernames(mine), "admin.a user.cm user.idva user.idvalead user.lead"; got != want {
				t.Errorf("site A's administrator sees %q, want %q", got, want)
			}
			for _, a := range mine {
				if !a.CanManage {
					t.Errorf("site A's administrator may not manage %s", a.Username)
				}
			}
			lead, err := w.svc.Users(ctx, w.actor(t, "lead"))
			if err != nil {
				t.Fatal(err)
			}
			if len(lead) != 5 || lead[1].CanManage {
				t.Errorf("a team leader sees %q (managing cm: %v), want site A's five and none to manage", usernames(lead), lead[1].CanManage)
			}
			if none, err := w.svc.Users(ctx, w.actor(t, "cm")); err != nil || len(none) != 0 {
				t.Errorf("a case manager sees %q (%v), want nobody", usernames(none), err)
			}

			acc, err := w.svc.AccountNamed(ctx, service.CommandLine(), "  User.OtherCM ")
			if err != nil || acc.ID != w.users["otherCM"].ID || acc.Roles[0].SiteCode != "SVV" {
				t.Errorf("AccountNamed(User.OtherCM) = %+v, %v", acc, err)
			}
			if _, err := w.svc.AccountNamed(ctx, admin, "user.othercm"); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("site A's administrator naming site B's case manager: %v, want not found", err)
			}
			if _, err := w.svc.AccountNamed(ctx, service.CommandLine(), "nobody"); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("naming nobody: %v, want not found", err)
			}
		})
	}
}

// TestDisableEnable checks disabling and enabling on both engines: both
// are audited; disabling ends the account's sessions and revokes its
// tokens (each session's end audited), and works directly on an IDVA service's account; asking for
// what already holds writes nothing; an administrator cannot disable
// themselves nor reach another site's account.
func TestDisableEnable(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			admin := w.addAdmin(t)
			cm := w.users["cm"].ID
			w.addSession(t, cm, "drv_s_one")
			w.addSession(t, cm, "drv_s_two")
			if _, _, err := w.svc.CreateToken(ctx, service.CommandLine(), cm, "", time.Hour); err != nil {
				t.Fatal(err)
			}

			head := w.head(t)
			for name, try := range map[string]func() (service.AccessChange, error){
				"site B's account": func() (service.AccessChange, error) { return w.svc.DisableUser(ctx, admin, w.users["otherCM"].ID) },
				"no account":       func() (service.AccessChange, error) { return w.svc.DisableUser(ctx, admin, 99999) },
				"by a case manager": func() (service.AccessChange, error) {
					return w.svc.DisableUser(ctx, w.actor(t, "cm"), w.users["lead"].ID)
				},
			} {
				if _, err := try(); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("disabling %s: %v, want not found", name, err)
				}
			}
			if _, err := w.svc.DisableUser(ctx, admin, admin.UserID); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("disabling oneself: %v, want invalid", err)
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Fatalf("refusals wrote %s", summary(es))
			}

			ch, err := w.svc.DisableUser(ctx, admin, cm)
			if err != nil {
				t.Fatal(err)
			}
			if !ch.Changed || ch.Sessions != 2 || ch.Tokens != 1 {
				t.Errorf("disabling = %+v, want changed, 2 sessions and 1 token ended", ch)
			}
			if acc, _ := w.svc.AccountNamed(ctx, admin, "user.cm"); acc == nil || !acc.Disabled() {
				t.Error("the account is not disabled")
			}
			if toks, err := w.svc.Tokens(ctx, admin, cm); err != nil || len(toks) != 1 || toks[0].Status != "revoked" {
				t.Errorf("tokens after disabling: %+v, %v", toks, err)
			}
			// Each session ended is in the account's own trail, saying why;
			// the disabling is the administrator's.
			es := w.events(t, head)
			if summary(es) != "session.end  user ok\nsession.end  user ok\nuser.disable admin user ok" || es[2].ActorID != admin.UserID || es[2].Remote != admin.Remote {
				t.Errorf("disabling audited as %s", summary(es))
			}
			for _, e := range es[:2] {
				if e.ActorID != cm || e.RecordID != strconv.FormatInt(cm, 10) || e.Reason != "account disabled" {
					t.Errorf("a session's end audited as %+v", e)
				}
			}
			head = w.head(t)
			if ch, err := w.svc.DisableUser(ctx, admin, cm); err != nil || ch.Changed {
				t.Errorf("disabling again: %+v, %v; want nothing changed", ch, err)
			}
			if ch, err := w.svc.EnableUser(ctx, admin, w.users["lead"].ID); err != nil || ch.Changed {
				t.Errorf("enabling an enabled account: %+v, %v; want nothing changed", ch, err)
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Errorf("changing nothing wrote %s", summary(es))
			}

			if ch, err := w.svc.EnableUser(ctx, service.CommandLine(), cm); err != nil || !ch.Changed {
				t.Errorf("enabling: %+v, %v", ch, err)
			}
			if toks, _ := w.svc.Tokens(ctx, admin, cm); len(toks) != 1 || toks[0].Status != "revoked" {
				t.Error("enabling brought a revoked token back")
			}
			// An IDVA service's account is disabled at once: shutting a
			// door waits for nobody.
			if ch, err := w.svc.DisableUser(ctx, admin, w.users["idva"].ID); err != nil || !ch.Changed {
				t.Errorf("disabling the IDVA: %+v, %v", ch, err)
			}
			es = w.events(t, head)
			if summary(es) != "user.enable system user ok\nuser.disable admin user ok" || es[0].Remote != "cli" {
				t.Errorf("audit = %s", summary(es))
			}
		})
	}
}

// TestBootstrap checks the first administrator on both engines: made
// with a new national team, audited as the command line, with a one-time
// password that verifies and is nowhere in the log; refused once anyone
// exists, and to anyone who does not administer nationally; an existing
// organisation is found whatever its case.
func TestBootstrap(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			db := e.Open(t, storetest.FixedClock(now))
			svc := &service.Service{DB: db, PasswordParams: auth.TestParams()}
			first := service.FirstAdministrator{Username: " Ada.Admin ", DisplayName: "Ada Admin", Organisation: "Drive National Team"}
			cm := service.Actor{Subject: access.Subject{Grants: []access.Grant{{Role: access.CaseManager, SiteID: 1}}}}
			if _, err := svc.Bootstrap(ctx, cm, first); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("bootstrap by a case manager: %v, want not found", err)
			}
			if _, err := svc.Bootstrap(ctx, service.CommandLine(), service.FirstAdministrator{Username: "a", DisplayName: "A", Organisation: "X"}); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a bad username: %v, want invalid", err)
			}
			out, err := svc.Bootstrap(ctx, service.CommandLine(), first)
			if err != nil {
				t.Fatal(err)
			}
			if !out.OrganisationCreated || out.Organisation.Kind != account.NationalTeam || out.User.Username != "ada.admin" ||
				out.User.OrganisationID != out.Organisation.ID || len(out.User.Roles) != 1 || out.User.Roles[0].Role != access.Admin || out.User.Roles[0].SiteID != 0 {
				t.Errorf("bootstrap made %+v in %+v", out.User, out.Organisation)
			}
			var es []audit.Event
			var stored *account.User
			err = db.View(ctx, func(tx *store.Tx) error {
				if stored, err = tx.User(ctx, out.User.ID); err != nil {
					return err
				}
				es, err = tx.AuditEvents(ctx, store.AuditFilter{Limit: 10})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if ok, _, _ := auth.VerifyPassword(stored.PasswordHash, out.Password); !ok || auth.CheckPassword(out.Password, "ada.admin") != nil {
				t.Error("the one-time password does not verify or fails the policy")
			}
			if stored.TOTPEnrolled {
				t.Error("the first administrator has a second factor already")
			}
			if summary(es) != "user.create system user ok\norganisation.create system organisation ok" {
				t.Errorf("audit (newest first) = %s", summary(es))
			}
			for _, ev := range es {
				if ev.Remote != "cli" || ev.ActorID != 0 || strings.Contains(ev.Reason, out.Password) {
					t.Errorf("event %+v", ev)
				}
			}
			if _, err := svc.Bootstrap(ctx, service.CommandLine(), first); drive.ErrorCode(err) != drive.ECONFLICT {
				t.Errorf("a second bootstrap: %v, want conflict", err)
			}

			// An organisation that exists is used, whatever its case.
			db2 := e.Open(t, storetest.FixedClock(now))
			svc2 := &service.Service{DB: db2, PasswordParams: auth.TestParams()}
			org := &account.Organisation{Name: "Northmoor Drive Service", Kind: account.Provider}
			if err := svc2.CreateOrganisation(ctx, service.CommandLine(), org, nil); err != nil {
				t.Fatal(err)
			}
			out, err = svc2.Bootstrap(ctx, service.CommandLine(), service.FirstAdministrator{Username: "ada", DisplayName: "Ada", Organisation: " northmoor DRIVE service"})
			if err != nil || out.OrganisationCreated || out.Organisation.ID != org.ID {
				t.Errorf("bootstrap into an existing organisation: %+v, %v", out, err)
			}
		})
	}
}

// TestAccountChoices checks what the add-an-account forms offer on both
// engines: an administrator the sites they administer (nationally: a
// national role too), every organisation and every role; a team leader
// of an IDVA service their service, the sites they lead and the service's
// roles; anyone else no service form, and the service's account list to
// its leader alone.
func TestAccountChoices(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			admin := w.addAdmin(t)
			siteNames := func(ch *service.AccountChoices) string {
				var out []string
				for _, st := range ch.Sites {
					out = append(out, st.Name)
				}
				return strings.Join(out, ", ")
			}
			ch, err := w.svc.NewAccountChoices(ctx, admin)
			if err != nil {
				t.Fatal(err)
			}
			if siteNames(ch) != "Northmoor" || len(ch.Organisations) != 2 || len(ch.Roles) != len(access.Roles()) {
				t.Errorf("site A's administrator is offered sites %q, %d organisations, %d roles", siteNames(ch), len(ch.Organisations), len(ch.Roles))
			}
			if ch, err = w.svc.NewAccountChoices(ctx, service.CommandLine()); err != nil || siteNames(ch) != "National (no site), Northmoor, Severnvale" || ch.Sites[0].ID != 0 {
				t.Errorf("a national administrator is offered %q (%v)", siteNames(ch), err)
			}

			lead := w.actor(t, "idvalead")
			ch, err = w.svc.ServiceAccountChoices(ctx, lead)
			if err != nil {
				t.Fatal(err)
			}
			if siteNames(ch) != "Northmoor" || len(ch.Organisations) != 1 || ch.Organisations[0].Name != "IDVA service" || len(ch.Roles) != 2 {
				t.Errorf("the IDVA service's leader is offered %+v", ch)
			}
			for _, who := range []service.Actor{admin, w.actor(t, "lead"), w.actor(t, "idva")} {
				if _, err := w.svc.ServiceAccountChoices(ctx, who); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("service form for user %d: %v, want not found", who.UserID, err)
				}
				if _, _, err := w.svc.ServiceAccounts(ctx, who); drive.ErrorCode(err) != drive.ENOTFOUND {
					t.Errorf("service accounts for user %d: %v, want not found", who.UserID, err)
				}
			}
			org, accs, err := w.svc.ServiceAccounts(ctx, lead)
			if err != nil || org.Name != "IDVA service" || usernames(accs) != "user.idva user.idvalead" {
				t.Fatalf("the service's accounts: %v, %q, %v", org, usernames(accs), err)
			}
			if !accs[0].CanManage || accs[1].CanManage {
				t.Error("the leader may manage themselves, or not their IDVA")
			}
		})
	}
}

// TestChangeAccount checks, on both engines, that the account changes the
// pages and the command line share follow the one rule of who reaches an
// account: an administrator of site A adds and resets accounts there,
// audited as themselves, and reaches nobody at site B; an IDVA service's
// account changes only through a request its team leader approves, and
// the one-time password goes to that leader.
func TestChangeAccount(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			admin := w.addAdmin(t)
			provider := w.users["cm"].OrganisationID
			head := w.head(t)
			newCM := func(site int64) service.AccountChange {
				return service.AccountChange{Kind: account.RequestCreate, Username: "cm.two", DisplayName: "Case Manager Two", OrganisationID: provider,
					Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: site}}}
			}
			if _, err := w.svc.ChangeAccount(ctx, admin, newCM(w.siteB.ID)); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("adding at site B: %v, want invalid", err)
			}
			if _, err := w.svc.ChangeAccount(ctx, admin, service.AccountChange{Kind: account.RequestResetPass, UserID: w.users["otherCM"].ID}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("resetting site B's case manager: %v, want not found", err)
			}
			for _, kind := range []account.RequestKind{account.RequestResetPass, account.RequestResetSecond, account.RequestResetBoth} {
				if _, err := w.svc.ChangeAccount(ctx, admin, service.AccountChange{Kind: kind, UserID: admin.UserID}); drive.ErrorCode(err) != drive.EINVALID {
					t.Errorf("the administrator's %s of their own account: %v, want invalid", kind, err)
				}
			}
			if es := w.events(t, head); len(es) != 0 {
				t.Fatalf("refusals wrote %s", summary(es))
			}

			out, err := w.svc.ChangeAccount(ctx, admin, newCM(w.siteA.ID))
			if err != nil {
				t.Fatal(err)
			}
			if out.Pending() || out.Password == "" || auth.CheckPassword(out.Password, "cm.two") != nil {
				t.Errorf("adding a case manager: %+v", out)
			}
			w.addSession(t, w.users["cm"].ID, "drv_s_cm")
			out, err = w.svc.ChangeAccount(ctx, admin, service.AccountChange{Kind: account.RequestResetBoth, UserID: w.users["cm"].ID})
			if err != nil || out.Sessions != 1 || out.Password == "" {
				t.Fatalf("resetting cm: %+v, %v", out, err)
			}
			if acc, _ := w.svc.AccountNamed(ctx, admin, "user.cm"); acc.SecondFactor {
				t.Error("the second factor survived its reset")
			}
			es := w.events(t, head)
			if summary(es) != "user.create admin user ok\nuser.password_reset admin user ok\nuser.totp_reset admin user ok\nsession.end  user ok" || es[0].ActorID != admin.UserID {
				t.Errorf("audit = %s", summary(es))
			}
			if e := es[3]; e.ActorID != w.users["cm"].ID || e.Reason != "sign-in reset by an administrator: reset the password and second factor" {
				t.Errorf("the reset's end of cm's session audited as %+v", e)
			}

			// The IDVA service's account: a request, then the leader's
			// approval, which alone shows the password.
			head = w.head(t)
			out, err = w.svc.ChangeAccount(ctx, admin, service.AccountChange{Kind: account.RequestResetPass, UserID: w.users["idva"].ID, Reason: "locked out"})
			if err != nil || !out.Pending() || out.Password != "" {
				t.Fatalf("resetting the IDVA: %+v, %v; want a request and no password", out, err)
			}
			if _, err := w.svc.DecideAccountRequest(ctx, admin, out.Request.ID, true); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("the administrator approving their own request: %v, want not found", err)
			}
			approved, err := w.svc.DecideAccountRequest(ctx, w.actor(t, "idvalead"), out.Request.ID, true)
			if err != nil || approved.Password == "" {
				t.Fatalf("the leader's approval: %+v, %v", approved, err)
			}
			if got := summary(w.events(t, head)); got != "account_request.create admin account_request ok\nuser.password_reset team_leader user ok\naccount_request.approve team_leader account_request ok" {
				t.Errorf("audit = %s", got)
			}
		})
	}
}
