package service_test

import (
	"context"
	"crypto/rand"
	"strconv"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestSessionActor checks the per-request session look-up on both
// engines: the actor it builds carries the user's roles, the session and
// the caller's address; a role given, a break-glass opened or run out
// and a notification raised are seen by the very next request; activity
// is written at most once a minute; a
// session ends after the idle timeout, after its absolute end, when its
// account is disabled and when its user signs out, each end audited once
// as session.end in the user's trail with why it ended, and an unknown
// secret names nobody.
func TestSessionActor(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			ctx := context.Background()
			if c, err := f.svc.SessionActor(ctx, "drv_s_nothing", authRemote); c != nil || err != nil {
				t.Fatalf("an unknown secret: %+v %v", c, err)
			}
			if c, err := f.svc.SessionActor(ctx, "", authRemote); c != nil || err != nil {
				t.Fatalf("no secret: %+v %v", c, err)
			}
			in, c := f.signIn(t, "casey")
			a := c.Actor
			if a.UserID != f.users["casey"].ID || a.OrganisationID != f.orgs["provider"].ID || a.SessionID != in.Session.ID || a.Remote != authRemote ||
				!a.Subject.HasRole(access.CaseManager) || a.Subject.OrganisationKind != account.Provider || c.Token != nil {
				t.Fatalf("actor %+v", a)
			}
			seen := c.Session.LastSeenAt
			f.clock.Add(30 * time.Second)
			if c, _ := f.svc.SessionActor(ctx, in.Token, "198.51.100.7"); !c.Session.LastSeenAt.Equal(seen) || c.Actor.Remote != "198.51.100.7" {
				t.Fatalf("within a minute: last seen %v (was %v), remote %q", c.Session.LastSeenAt, seen, c.Actor.Remote)
			}
			f.clock.Add(time.Minute)
			if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); !c.Session.LastSeenAt.Equal(f.clock.Now()) {
				t.Fatalf("after a minute: last seen %v, now %v", c.Session.LastSeenAt, f.clock.Now())
			}

			// What the session's user may do is read afresh on every
			// request: a role given, a break-glass opened and a
			// notification raised are seen by the next request, and a
			// break-glass that has run out no longer is.
			if c.Actor.Subject.HasRole(access.TeamLeader) || len(c.Actor.Subject.BreakGlass) != 0 || c.Unread != 0 || !c.UnreadKnown {
				t.Fatalf("before: %+v, unread %d (known %v)", c.Actor.Subject, c.Unread, c.UnreadKnown)
			}
			glass := access.Glass{Class: access.VictimCompartment, RecordType: "victim_case", RecordID: "7", Reason: "Safeguarding review", Expires: f.clock.Now().Add(10 * time.Minute)}
			if err := f.db.Transact(ctx, func(tx *store.Tx) error {
				if err := tx.AddRole(ctx, &account.RoleAssignment{UserID: a.UserID, Role: access.TeamLeader, SiteID: f.site.ID}); err != nil {
					return err
				}
				if err := tx.CreateBreakGlass(ctx, a.UserID, access.CaseManager, f.site.ID, glass); err != nil {
					return err
				}
				_, err := tx.CreateNotifications(ctx, []store.Notification{{UserID: a.UserID, SiteID: f.site.ID, Kind: "incident", Summary: "A new incident", SourceKey: "s1"}})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			c, err := f.svc.SessionActor(ctx, in.Token, authRemote)
			if err != nil || c == nil {
				t.Fatalf("after the changes: %+v, %v", c, err)
			}
			if !c.Actor.Subject.HasRole(access.TeamLeader) || len(c.Actor.Subject.BreakGlass) != 1 || c.Actor.Subject.BreakGlass[0].RecordID != "7" || c.Unread != 1 {
				t.Fatalf("after the changes: %+v, unread %d", c.Actor.Subject, c.Unread)
			}
			f.clock.Add(10 * time.Minute)
			if c, _ = f.svc.SessionActor(ctx, in.Token, authRemote); c == nil || len(c.Actor.Subject.BreakGlass) != 0 {
				t.Fatalf("a break-glass outlived its end: %+v", c.Actor.Subject.BreakGlass)
			}

			// ended checks that the events since head are the one end of
			// casey's session, for why.
			casey := strconv.FormatInt(f.users["casey"].ID, 10)
			ended := func(head int64, why string) {
				t.Helper()
				es := f.events(t, head)
				if len(es) != 1 || es[0].Action != "session.end" || es[0].Outcome != "ok" || es[0].ActorID != f.users["casey"].ID ||
					es[0].RecordType != "user" || es[0].RecordID != casey || es[0].Reason != why || es[0].Remote != authRemote {
					t.Fatalf("want one session.end of casey's, %q; got %+v", why, es)
				}
			}

			// Idle for the timeout: gone, and gone for good.
			head := f.head(t)
			f.clock.Add(account.DefaultSessionPolicy().Idle)
			if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); c != nil {
				t.Fatal("an idle session was accepted")
			}
			f.clock.Add(-account.DefaultSessionPolicy().Idle)
			if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); c != nil {
				t.Fatal("an idle session was not deleted")
			}
			ended(head, "idle timeout")

			// Kept busy past its absolute end.
			in, _ = f.signIn(t, "casey")
			for end := f.clock.Now().Add(account.DefaultSessionPolicy().Absolute); f.clock.Now().Before(end); f.clock.Add(20 * time.Minute) {
				if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); c == nil {
					t.Fatalf("ended early, at %v", f.clock.Now())
				}
			}
			head = f.head(t)
			if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); c != nil {
				t.Fatal("a session outlived its absolute end")
			}
			ended(head, "time limit reached")

			in, c = f.signIn(t, "casey")
			head = f.head(t)
			if err := f.svc.SignOut(ctx, c.Actor); err != nil {
				t.Fatal(err)
			}
			if got := actions(f.events(t, head)); got != "session.end/ok" {
				t.Fatalf("sign-out audited as %s", got)
			}
			if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); c != nil {
				t.Fatal("a session outlived signing out")
			}

			head = f.head(t)
			if err := f.svc.SignOut(ctx, c.Actor); err != nil {
				t.Fatal(err)
			}
			if got := actions(f.events(t, head)); got != "" {
				t.Fatalf("signing out of an ended session audited as %s", got)
			}

			// Disabled behind the service's back (as by an older replica):
			// the next request ends the session, audited.
			in, _ = f.signIn(t, "casey")
			if err := f.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, f.users["casey"].ID, true) }); err != nil {
				t.Fatal(err)
			}
			head = f.head(t)
			if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); c != nil {
				t.Fatal("a disabled account's session was accepted")
			}
			if c, _ := f.svc.SessionActor(ctx, in.Token, authRemote); c != nil {
				t.Fatal("a disabled account's session was accepted")
			}
			ended(head, "account disabled")
		})
	}
}

// TestTokenActor checks the API token look-up on both engines: a usable
// token names its user with their roles and no session; a revoked or
// expired token, or one of a disabled account, names nobody.
func TestTokenActor(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			ctx := context.Background()
			tokens := map[string]string{}
			err := f.db.Transact(ctx, func(tx *store.Tx) error {
				for _, name := range []string{"good", "revoked", "expired", "disabled"} {
					secret, hash, err := auth.NewToken(rand.Reader, "drv_t_")
					if err != nil {
						return err
					}
					user := f.users["casey"]
					if name == "disabled" {
						user = f.users["jo.officer"]
					}
					tok := &account.APIToken{UserID: user.ID, Name: name, TokenHash: hash, ExpiresAt: tx.Now.Add(time.Hour)}
					if name == "expired" {
						tok.ExpiresAt = tx.Now.Add(time.Minute)
					}
					if err := tx.CreateAPIToken(ctx, tok); err != nil {
						return err
					}
					if name == "revoked" {
						if err := tx.RevokeAPIToken(ctx, user.ID, tok.ID); err != nil {
							return err
						}
					}
					tokens[name] = secret
				}
				return tx.SetUserDisabled(ctx, f.users["jo.officer"].ID, true)
			})
			if err != nil {
				t.Fatal(err)
			}
			f.clock.Add(2 * time.Minute)
			c, err := f.svc.TokenActor(ctx, " "+tokens["good"]+" ", authRemote)
			if err != nil || c == nil {
				t.Fatalf("a good token: %+v %v", c, err)
			}
			if c.Actor.UserID != f.users["casey"].ID || c.Actor.SessionID != 0 || c.Session != nil || c.Token == nil ||
				!c.Actor.Subject.HasRole(access.CaseManager) || c.Actor.Remote != authRemote {
				t.Fatalf("token caller %+v", c.Actor)
			}
			for _, name := range []string{"revoked", "expired", "disabled"} {
				if c, err := f.svc.TokenActor(ctx, tokens[name], authRemote); c != nil || err != nil {
					t.Errorf("%s token: %+v %v", name, c, err)
				}
			}
			if c, err := f.svc.TokenActor(ctx, "drv_t_unknown", authRemote); c != nil || err != nil {
				t.Errorf("unknown token: %+v %v", c, err)
			}
		})
	}
}

// TestRefuseRoute checks on both engines that a route refused to a
// signed-in user is audited as denied, naming the route and the user.
func TestRefuseRoute(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			_, c := f.signIn(t, "casey")
			head := f.head(t)
			if err := f.svc.RefuseRoute(context.Background(), c.Actor, "GET__audit"); err != nil {
				t.Fatal(err)
			}
			es := f.events(t, head)
			if actions(es) != "access.denied/denied" || es[0].RecordType != "route" || es[0].RecordID != "GET__audit" || es[0].ActorID != c.User.ID {
				t.Fatalf("refusal audited as %+v", es)
			}
		})
	}
}
