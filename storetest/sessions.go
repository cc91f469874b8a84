package storetest

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
)

// RunSessions checks the storage of browser sessions that requests
// rely on to stay cheap: touching a session records its latest activity
// and nothing else, never moves it back in time, and says when the
// session has gone. Ending sessions says which it ended, so that each
// end is audited once: a second deletion of one session reports nothing
// deleted, and ending a user's sessions names them, kept one aside.
func RunSessions(t *testing.T, e Engine) {
	ctx := context.Background()
	clock := NewClock(Epoch)
	db := e.Open(t, clock.Now)
	site := NewAlertSite(t, db, "SES")
	s := &account.Session{TokenHash: []byte("session token hash 1"), UserID: site.Manager.ID, Stage: account.StageFull, CSRF: "csrf",
		Remote: "127.0.0.1", CreatedAt: Epoch, LastSeenAt: Epoch, ExpiresAt: Epoch.Add(8 * time.Hour), ReauthAt: Epoch}
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateSession(ctx, s) }); err != nil {
		t.Fatal(err)
	}
	read := func() *account.Session {
		t.Helper()
		var got *account.Session
		if err := db.View(ctx, func(tx *store.Tx) (err error) { got, err = tx.SessionByTokenHash(ctx, s.TokenHash); return }); err != nil {
			t.Fatal(err)
		}
		return got
	}
	touch := func(id int64, at time.Time) error {
		return db.Transact(ctx, func(tx *store.Tx) error { return tx.TouchSession(ctx, id, at) })
	}

	// Another request changes the session's search after this one read
	// it; the touch keeps that change.
	if err := db.Transact(ctx, func(tx *store.Tx) error {
		changed := *s
		changed.Search = "Ashworth"
		return tx.UpdateSession(ctx, &changed)
	}); err != nil {
		t.Fatal(err)
	}
	later := Epoch.Add(2 * time.Minute)
	if err := touch(s.ID, later); err != nil {
		t.Fatalf("touch: %v", err)
	}
	got := read()
	if !got.LastSeenAt.Equal(later) || got.Search != "Ashworth" || got.Stage != account.StageFull || !got.ReauthAt.Equal(Epoch) {
		t.Errorf("after touch: last seen %v, search %q, stage %q, reauth %v; want %v, the search kept, full, %v",
			got.LastSeenAt, got.Search, got.Stage, got.ReauthAt, later, Epoch)
	}
	// A touch that arrives late (an earlier request's) does not move
	// the activity back, and is no error.
	if err := touch(s.ID, Epoch.Add(time.Minute)); err != nil {
		t.Fatalf("late touch: %v", err)
	}
	if got := read(); !got.LastSeenAt.Equal(later) {
		t.Errorf("a late touch moved last seen to %v; want %v", got.LastSeenAt, later)
	}
	checkPrincipal(t, db, clock, site, s)
	// A session ended meanwhile is not found.
	deleted := func(id int64) bool {
		t.Helper()
		var ok bool
		if err := db.Transact(ctx, func(tx *store.Tx) (err error) { ok, err = tx.DeleteSession(ctx, id); return }); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !deleted(s.ID) {
		t.Error("deleting a session reported nothing deleted")
	}
	if deleted(s.ID) {
		t.Error("deleting a session twice reported it deleted both times")
	}
	if err := db.View(ctx, func(tx *store.Tx) error {
		_, err := tx.SessionPrincipalByTokenHash(ctx, s.TokenHash)
		return err
	}); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Errorf("an ended session's principal: %v; want not found", err)
	}
	if err := touch(s.ID, later.Add(time.Minute)); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Errorf("touching an ended session: %v; want not found", err)
	}

	// Ending a user's sessions but one names those it ended and leaves
	// the kept one and other users' sessions alone.
	var mine []int64
	var other *account.Session
	for i, user := range []int64{site.Manager.ID, site.Manager.ID, site.Manager.ID, site.Leader.ID} {
		n := *s
		n.ID, n.UserID, n.TokenHash = 0, user, []byte{'h', byte(i)}
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateSession(ctx, &n) }); err != nil {
			t.Fatal(err)
		}
		if user == site.Manager.ID {
			mine = append(mine, n.ID)
		} else {
			other = &n
		}
	}
	var ended []int64
	if err := db.Transact(ctx, func(tx *store.Tx) (err error) {
		ended, err = tx.DeleteUserSessions(ctx, site.Manager.ID, mine[0])
		return
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ended, mine[1:]) {
		t.Errorf("ending the user's other sessions ended %v; want %v", ended, mine[1:])
	}
	if err := db.Transact(ctx, func(tx *store.Tx) (err error) { ended, err = tx.DeleteUserSessions(ctx, site.Manager.ID, 0); return }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ended, mine[:1]) {
		t.Errorf("ending all the user's sessions ended %v; want %v", ended, mine[:1])
	}
	if err := touch(other.ID, later.Add(time.Minute)); err != nil {
		t.Errorf("another user's session was ended too: %v", err)
	}
}

// checkPrincipal holds SessionPrincipalByTokenHash, the one statement
// every signed-in request reads, to the answers of the statements it
// stands for (the session, the user with their roles, the open
// break-glass grants and the unread notifications count), and shows each
// change to them seen at once.
func checkPrincipal(t *testing.T, db *store.DB, clock *Clock, site *AlertSite, s *account.Session) {
	t.Helper()
	ctx := context.Background()
	check := func(step string, wantUnread, wantGlass int) {
		t.Helper()
		if err := db.View(ctx, func(tx *store.Tx) error {
			p, err := tx.SessionPrincipalByTokenHash(ctx, s.TokenHash)
			if err != nil {
				return err
			}
			sess, err := tx.SessionByTokenHash(ctx, s.TokenHash)
			if err != nil {
				return err
			}
			u, err := tx.User(ctx, s.UserID)
			if err != nil {
				return err
			}
			glass, err := tx.ActiveBreakGlass(ctx, s.UserID)
			if err != nil {
				return err
			}
			unread, err := tx.UnreadNotifications(ctx, s.UserID)
			if err != nil {
				return err
			}
			if !reflect.DeepEqual(p.Session, sess) {
				t.Errorf("%s: session %+v; want %+v", step, p.Session, sess)
			}
			if !reflect.DeepEqual(p.User, u) {
				t.Errorf("%s: user %+v; want %+v", step, p.User, u)
			}
			if !reflect.DeepEqual(p.BreakGlass, glass) || len(glass) != wantGlass {
				t.Errorf("%s: break-glass %+v; want %d grants, %+v", step, p.BreakGlass, wantGlass, glass)
			}
			if p.Unread != unread || unread != wantUnread {
				t.Errorf("%s: unread %d; want %d (counted alone: %d)", step, p.Unread, wantUnread, unread)
			}
			return nil
		}); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	check("as created", 0, 0)
	write := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := db.Transact(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	write(func(tx *store.Tx) error {
		_, err := tx.CreateNotifications(ctx, []store.Notification{
			{UserID: s.UserID, SiteID: site.Site.ID, Kind: "incident", CaseID: site.Case.ID, Summary: "A new incident", SourceKey: "principal-1"},
			{UserID: s.UserID, SiteID: site.Site.ID, Kind: "incident", CaseID: site.Case.ID, Summary: "Another incident", SourceKey: "principal-2"},
			{UserID: site.Leader.ID, SiteID: site.Site.ID, Kind: "incident", CaseID: site.Case.ID, Summary: "Someone else's", SourceKey: "principal-3"},
		})
		return err
	})
	check("with two unread notifications", 2, 0)
	write(func(tx *store.Tx) error {
		_, err := tx.MarkNotificationsRead(ctx, s.UserID, 0)
		return err
	})
	check("with them read", 0, 0)
	// A second role, at another site and nationally, is seen at once, in
	// the order the roles were given.
	other := &account.Site{Code: "PR2", Name: "Principal two", Region: "R"}
	write(func(tx *store.Tx) error {
		if err := tx.CreateSite(ctx, other); err != nil {
			return err
		}
		if err := tx.AddRole(ctx, &account.RoleAssignment{UserID: s.UserID, Role: access.TeamLeader, SiteID: other.ID}); err != nil {
			return err
		}
		return tx.AddRole(ctx, &account.RoleAssignment{UserID: s.UserID, Role: access.National})
	})
	check("with three roles", 0, 0)
	// A break-glass grant is seen while it is open, and not once it has
	// run out.
	write(func(tx *store.Tx) error {
		return tx.CreateBreakGlass(ctx, s.UserID, access.CaseManager, site.Site.ID, access.Glass{Class: access.VictimCompartment,
			RecordType: "victim_case", RecordID: "1", Reason: "Safeguarding: a child at risk, reason with: colons, and commas", Expires: clock.Now().Add(time.Hour)})
	})
	check("with a break-glass grant open", 0, 1)
	clock.Advance(2 * time.Hour)
	check("once the grant has run out", 0, 0)
	write(func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, s.UserID, true) })
	check("with the user disabled", 0, 0)
	write(func(tx *store.Tx) error { return tx.SetUserDisabled(ctx, s.UserID, false) })
}
