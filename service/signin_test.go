package service_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
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

// authClock is a clock the sign-in tests move: codes change every 30
// seconds and lockouts end after 15 minutes.
type authClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *authClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *authClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

const (
	authPassword = "correct-horse-battery-staple-42"
	authTOTP     = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	authRemote   = "192.0.2.10"
)

// authFixture is a database with one site and three organisations (a
// Drive provider, a police force and an IDVA service) and users: "casey"
// (case manager, second factor set up), "newbie" (no second factor yet),
// "jo.officer" (police, second factor set up), "ida" (IDVA service). Every
// password is authPassword.
type authFixture struct {
	db    *store.DB
	svc   *service.Service
	clock *authClock
	site  account.Site
	orgs  map[string]*account.Organisation
	users map[string]*account.User
}

func newAuthFixture(t *testing.T, e storetest.Engine) *authFixture {
	t.Helper()
	ctx := context.Background()
	f := &authFixture{clock: &authClock{t: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)},
		orgs: map[string]*account.Organisation{}, users: map[string]*account.User{}}
	f.db = e.Open(t, f.clock.Now)
	hasher, err := auth.NewHasher(strings.NewReader(strings.Repeat("h", 64)), auth.TestParams())
	if err != nil {
		t.Fatal(err)
	}
	f.svc = &service.Service{DB: f.db, Keys: storetest.Keys(t), PasswordParams: auth.TestParams(), Hasher: hasher}
	hash, err := auth.HashPassword(strings.NewReader(strings.Repeat("s", 64)), authPassword, auth.TestParams())
	if err != nil {
		t.Fatal(err)
	}
	err = f.db.Transact(ctx, func(tx *store.Tx) error {
		f.site = account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
		if err := tx.CreateSite(ctx, &f.site); err != nil {
			return err
		}
		for name, kind := range map[string]account.OrgKind{"provider": account.Provider, "police": account.PoliceForce, "idva": account.IDVAService} {
			o := &account.Organisation{Name: "Northmoor " + name, Kind: kind, SiteIDs: []int64{f.site.ID}}
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
			f.orgs[name] = o
		}
		for _, u := range []struct {
			name, org string
			role      access.Role
			totp      bool
		}{{"casey", "provider", access.CaseManager, true}, {"newbie", "provider", access.CaseManager, false},
			{"jo.officer", "police", access.Partner, true}, {"ida", "idva", access.IDVA, true}} {
			user := &account.User{Username: u.name, DisplayName: strings.ToUpper(u.name[:1]) + u.name[1:], PasswordHash: hash,
				OrganisationID: f.orgs[u.org].ID, Roles: []account.RoleAssignment{{Role: u.role, SiteID: f.site.ID}}}
			if u.totp {
				user.TOTPSecret = authTOTP
			}
			if err := tx.CreateUser(ctx, user); err != nil {
				return err
			}
			f.users[u.name] = user
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// code is the current code of the fixture's authenticator.
func (f *authFixture) code(t *testing.T) string {
	t.Helper()
	c, err := auth.TOTPCode(authTOTP, f.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signIn signs name in with a fresh code (the clock moves on a step, as
// codes are single-use) and returns the session's caller.
func (f *authFixture) signIn(t *testing.T, name string) (*service.SignedIn, *service.Caller) {
	t.Helper()
	f.clock.Add(30 * time.Second)
	in, err := f.svc.SignIn(context.Background(), service.Anonymous(authRemote), service.Credentials{Username: name, Password: authPassword, Code: f.code(t)})
	if err != nil {
		t.Fatalf("sign in %s: %v", name, err)
	}
	c, err := f.svc.SessionActor(context.Background(), in.Token, authRemote)
	if err != nil || c == nil {
		t.Fatalf("session of %s: %v %v", name, c, err)
	}
	return in, c
}

// head is the id of the newest audit event.
func (f *authFixture) head(t *testing.T) int64 {
	t.Helper()
	es := f.events(t, 0)
	if len(es) == 0 {
		return 0
	}
	return es[len(es)-1].Seq
}

// events are the audit events after id, oldest first.
func (f *authFixture) events(t *testing.T, after int64) []audit.Event {
	t.Helper()
	ctx := context.Background()
	var out []audit.Event
	err := f.db.View(ctx, func(tx *store.Tx) error {
		es, err := tx.AuditEvents(ctx, store.AuditFilter{Limit: 1000})
		for i := len(es) - 1; i >= 0; i-- {
			if es[i].Seq > after {
				out = append(out, es[i])
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// actions lists the events' actions and outcomes, "action/outcome".
func actions(es []audit.Event) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Action+"/"+e.Outcome)
	}
	return strings.Join(out, " ")
}

// TestSignIn checks password sign-in through the service on both engines:
// empty fields are refused before anything is written; an unknown name, a
// wrong password and a missing or replayed code all fail alike, audited
// and never with the typed name; a right password and code give a full
// session; an account without a second factor gets an enrolment session;
// five failures lock the name out (even the right password is refused)
// until the window passes.
func TestSignIn(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			ctx := context.Background()
			anon := service.Anonymous(authRemote)
			head := f.head(t)
			_, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "  ", Password: ""})
			var de *drive.Error
			if drive.ErrorCode(err) != drive.EINVALID || !errors.As(err, &de) || de.Fields["username"] == "" || de.Fields["password"] == "" {
				t.Fatalf("empty form: %v", err)
			}
			if es := f.events(t, head); len(es) != 0 {
				t.Fatalf("an empty form wrote %s", actions(es))
			}

			for _, c := range []service.Credentials{
				{Username: "nobody", Password: authPassword, Code: f.code(t)},
				{Username: "casey", Password: "typed-my-password-here", Code: f.code(t)},
				{Username: "casey", Password: authPassword},
			} {
				_, err := f.svc.SignIn(ctx, anon, c)
				if drive.ErrorCode(err) != drive.EUNAUTHORIZED || drive.ErrorMessage(err) != service.SigninFailed {
					t.Fatalf("%s: %v; want the one failure", c.Username, err)
				}
			}
			es := f.events(t, head)
			if actions(es) != "signin.failure/failed signin.failure/failed signin.failure/failed" {
				t.Fatalf("failures audited as %s", actions(es))
			}
			if es[0].RecordID != "" || es[1].RecordType != "user" || es[1].Remote != authRemote {
				t.Errorf("failure events: %+v %+v", es[0], es[1])
			}
			for _, ev := range es {
				if strings.Contains(ev.Reason+ev.RecordID, "nobody") || strings.Contains(ev.Reason, "typed-my-password") {
					t.Errorf("an event keeps what was typed: %+v", ev)
				}
			}

			in, c := f.signIn(t, "casey")
			if in.Session.Stage != account.StageFull || c.Session.Stage != account.StageFull || c.User.ID != f.users["casey"].ID {
				t.Fatalf("casey: stage %q %q", in.Session.Stage, c.Session.Stage)
			}
			// The same code again is refused: codes are spent.
			if _, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "casey", Password: authPassword, Code: f.code(t)}); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
				t.Fatalf("a replayed code: %v", err)
			}
			in, err = f.svc.SignIn(ctx, anon, service.Credentials{Username: "Newbie ", Password: authPassword})
			if err != nil || in.Session.Stage != account.StageEnrol {
				t.Fatalf("newbie: %v %+v", err, in)
			}
			if got := f.events(t, f.head(t)-1); got[0].Action != "signin.password_only" || got[0].ActorID != f.users["newbie"].ID {
				t.Fatalf("newbie's sign-in audited as %s", actions(got))
			}

			// Casey has one failure (the replay) since the last success;
			// four more lock the name.
			for i := 0; i < 4; i++ {
				if _, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "casey", Password: "wrong", Code: "000000"}); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
					t.Fatalf("failure %d: %v", i, err)
				}
			}
			f.clock.Add(30 * time.Second)
			head = f.head(t)
			if _, err := f.svc.SignIn(ctx, anon, service.Credentials{Username: "casey", Password: authPassword, Code: f.code(t)}); drive.ErrorCode(err) != drive.ETOOMANY {
				t.Fatalf("the right password while locked: %v", err)
			}
			if got := actions(f.events(t, head)); got != "signin.throttled/denied" {
				t.Fatalf("locked attempt audited as %s", got)
			}
			f.clock.Add(16 * time.Minute)
			f.signIn(t, "casey")
		})
	}
}

// TestEnrolAndResetSecondFactor follows a new account on both engines:
// the enrolment session gets one secret (the same on every ask), a wrong
// code is refused, the right one stores the factor, gives ten recovery
// codes and a full session, and a recovery code then signs in once. A
// reset needs the password, ends the other sessions and puts the current
// one back to enrolment.
func TestEnrolAndResetSecondFactor(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			ctx := context.Background()
			in, err := f.svc.SignIn(ctx, service.Anonymous(authRemote), service.Credentials{Username: "newbie", Password: authPassword})
			if err != nil {
				t.Fatal(err)
			}
			c, err := f.svc.SessionActor(ctx, in.Token, authRemote)
			if err != nil || c == nil || c.Actor.SessionID != in.Session.ID {
				t.Fatalf("enrolment session: %+v %v", c, err)
			}
			secret, err := f.svc.EnrolmentSecret(ctx, c.Actor, c.Session)
			if err != nil || secret == "" {
				t.Fatalf("secret: %q %v", secret, err)
			}
			if again, _ := f.svc.EnrolmentSecret(ctx, c.Actor, c.Session); again != secret {
				t.Fatal("a second ask made another secret")
			}
			// Someone else's actor cannot use this session.
			other := c.Actor
			other.UserID = f.users["casey"].ID
			if _, err := f.svc.EnrolmentSecret(ctx, other, c.Session); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
				t.Fatalf("another actor: %v", err)
			}
			var de *drive.Error
			if _, err := f.svc.Enrol(ctx, c.Actor, c.Session, "000000"); drive.ErrorCode(err) != drive.EINVALID || !errors.As(err, &de) || de.Fields["code"] == "" {
				t.Fatalf("a wrong code: %v", err)
			}
			code, _ := auth.TOTPCode(secret, f.clock.Now())
			head := f.head(t)
			codes, err := f.svc.Enrol(ctx, c.Actor, c.Session, code)
			if err != nil || len(codes) != 10 {
				t.Fatalf("enrol: %d codes, %v", len(codes), err)
			}
			if got := actions(f.events(t, head)); got != "totp.enrolled/ok" {
				t.Fatalf("enrolment audited as %s", got)
			}
			if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); c == nil || c.Session.Stage != account.StageFull || c.Session.PendingTOTP != "" {
				t.Fatalf("after enrolment: %+v", c)
			}
			if _, err := f.svc.Enrol(ctx, c.Actor, c.Session, code); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
				t.Fatalf("enrolling a full session again: %v", err)
			}
			rc := service.Credentials{Username: "newbie", Password: authPassword, Code: codes[3]}
			second, err := f.svc.SignIn(ctx, service.Anonymous(authRemote), rc)
			if err != nil || second.Session.Stage != account.StageFull {
				t.Fatalf("a recovery code: %v", err)
			}
			if _, err := f.svc.SignIn(ctx, service.Anonymous(authRemote), rc); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
				t.Fatalf("a recovery code twice: %v", err)
			}

			c, _ = f.svc.SessionActor(ctx, second.Token, authRemote)
			if err := f.svc.ResetSecondFactor(ctx, c.Actor, c.Session, "wrong"); drive.ErrorCode(err) != drive.EINVALID || !errors.As(err, &de) || de.Fields["password"] == "" {
				t.Fatalf("reset with a wrong password: %v", err)
			}
			head = f.head(t)
			if err := f.svc.ResetSecondFactor(ctx, c.Actor, c.Session, authPassword); err != nil {
				t.Fatal(err)
			}
			// The reset ends the user's other session (the one that
			// enrolled), and that end is audited like any other; so is
			// forgetting the browser the recovery code signed in on.
			if got := actions(f.events(t, head)); got != "reauth.success/ok session.end/ok signin.browser_forgotten/ok totp.reset/ok" {
				t.Fatalf("reset audited as %s", got)
			}
			if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); c != nil {
				t.Fatalf("the other session after a reset: %+v", c)
			}
			if c, _ := f.svc.SessionActor(ctx, second.Token, authRemote); c == nil || c.Session.Stage != account.StageEnrol {
				t.Fatalf("the current session after a reset: %+v", c)
			}
			if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); c != nil {
				t.Fatal("another session outlived the reset")
			}
			err = f.db.View(ctx, func(tx *store.Tx) error {
				u, err := tx.User(ctx, f.users["newbie"].ID)
				if err == nil && u.TOTPEnrolled {
					t.Error("the second factor outlived the reset")
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestChangePasswordAndReauthenticate checks on both engines that a
// password change asks for the current password (each wrong field named),
// then ends the user's other sessions and API tokens but not the current
// session, and that the old password no longer signs in. Five wrong
// current passwords lock the forms (not sign-in) for the window, each try
// audited with the form's name and never the password.
func TestChangePasswordAndReauthenticate(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			ctx := context.Background()
			elsewhere, _ := f.signIn(t, "casey")
			in, c := f.signIn(t, "casey")
			token, tokenHash, err := auth.NewToken(strings.NewReader(strings.Repeat("t", 64)), "drv_t_")
			if err != nil {
				t.Fatal(err)
			}
			err = f.db.Transact(ctx, func(tx *store.Tx) error {
				return tx.CreateAPIToken(ctx, &account.APIToken{UserID: c.User.ID, TokenHash: tokenHash, ExpiresAt: f.clock.Now().Add(time.Hour)})
			})
			if err != nil {
				t.Fatal(err)
			}
			if tc, err := f.svc.TokenActor(ctx, token, authRemote); err != nil || tc == nil {
				t.Fatalf("token before: %v %v", tc, err)
			}
			const next = "a-new-and-long-password-77"
			var de *drive.Error
			for _, tc := range []struct {
				change service.PasswordChange
				field  string
			}{
				{service.PasswordChange{Current: "wrong", New: next, Confirm: next}, "current_password"},
				{service.PasswordChange{Current: authPassword, New: "short", Confirm: "short"}, "new_password"},
				{service.PasswordChange{Current: authPassword, New: next, Confirm: next + "x"}, "confirm_password"},
			} {
				err := f.svc.ChangePassword(ctx, c.Actor, tc.change)
				if drive.ErrorCode(err) != drive.EINVALID || !errors.As(err, &de) || de.Fields[tc.field] == "" {
					t.Fatalf("want %s refused: %v", tc.field, err)
				}
			}
			head := f.head(t)
			if err := f.svc.ChangePassword(ctx, c.Actor, service.PasswordChange{Current: authPassword, New: next, Confirm: next}); err != nil {
				t.Fatal(err)
			}
			es := f.events(t, head)
			// Both full sign-ins remembered a browser; both are forgotten.
			if got := actions(es); got != "reauth.success/ok session.end/ok signin.browser_forgotten/ok signin.browser_forgotten/ok user.password_change/ok" {
				t.Fatalf("change audited as %s", got)
			}
			if e := es[1]; e.ActorID != c.User.ID || e.RecordID != strconv.FormatInt(c.User.ID, 10) || e.Reason != "password changed in another session" {
				t.Fatalf("the other session's end audited as %+v", e)
			}
			if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); c == nil {
				t.Fatal("the current session was ended")
			}
			if c, _ := f.svc.SessionActor(ctx, elsewhere.Token, authRemote); c != nil {
				t.Fatal("another session outlived the change")
			}
			if tc, _ := f.svc.TokenActor(ctx, token, authRemote); tc != nil {
				t.Fatal("an API token outlived the change")
			}
			f.clock.Add(30 * time.Second)
			if _, err := f.svc.SignIn(ctx, service.Anonymous(authRemote), service.Credentials{Username: "casey", Password: authPassword, Code: f.code(t)}); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
				t.Fatalf("the old password: %v", err)
			}

			const canary = "REAUTH-PASSWORD-CANARY"
			head = f.head(t)
			for i := 0; i < 5; i++ {
				if err := f.svc.Reauthenticate(ctx, c.Actor, canary, "test form"); drive.ErrorCode(err) != drive.EUNAUTHORIZED {
					t.Fatalf("failure %d: %v", i, err)
				}
			}
			if err := f.svc.Reauthenticate(ctx, c.Actor, next, "test form"); drive.ErrorCode(err) != drive.ETOOMANY {
				t.Fatalf("the right password while locked: %v", err)
			}
			es = f.events(t, head)
			if got := actions(es); got != strings.Repeat("reauth.failure/failed ", 5)+"reauth.throttled/denied" {
				t.Fatalf("re-authentication audited as %s", got)
			}
			for _, ev := range es {
				if ev.Reason != "test form" || ev.ActorID != c.User.ID || strings.Contains(ev.Reason, canary) {
					t.Fatalf("event %+v", ev)
				}
			}
			// Signing in has its own budget.
			f.clock.Add(30 * time.Second)
			if _, err := f.svc.SignIn(ctx, service.Anonymous(authRemote), service.Credentials{Username: "casey", Password: next, Code: f.code(t)}); err != nil {
				t.Fatalf("signing in while the forms are locked: %v", err)
			}
			f.clock.Add(16 * time.Minute)
			if err := f.svc.Reauthenticate(ctx, c.Actor, next, "test form"); err != nil {
				t.Fatalf("after the lock: %v", err)
			}
		})
	}
}

// TestReauthFailuresSpareTheAddress checks on both engines that one
// signed-in user's failed re-authentications, however many, count only
// against that user: behind a reverse proxy many people share one address,
// and a form mistyped (or attacked) by one of them must not stop the
// others signing in. The address limit is for sign-in failures, where the
// account is not yet proven.
func TestReauthFailuresSpareTheAddress(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			ctx := context.Background()
			_, c := f.signIn(t, "casey")
			limit := auth.DefaultLockout().AddressFailures
			for i := 0; i < 2*limit; i++ {
				err := f.svc.Reauthenticate(ctx, c.Actor, "not-the-password", "password change")
				if code := drive.ErrorCode(err); code != drive.EUNAUTHORIZED && code != drive.ETOOMANY {
					t.Fatalf("re-authentication %d: %v", i, err)
				}
			}
			if err := f.svc.Reauthenticate(ctx, c.Actor, authPassword, "password change"); drive.ErrorCode(err) != drive.ETOOMANY {
				t.Fatalf("casey's own re-authentication after %d failures: %v; want locked", 2*limit, err)
			}
			// Others at the same address sign in, and so does casey.
			f.signIn(t, "jo.officer")
			f.signIn(t, "ida")
			f.signIn(t, "casey")
		})
	}
}
