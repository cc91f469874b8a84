package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
)

// RunSessions checks the storage of browser sessions that requests
// rely on to stay cheap: touching a session records its latest activity
// and nothing else, never moves it back in time, and says when the
// session has gone.
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
	// A session ended meanwhile is not found.
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.DeleteSession(ctx, s.ID) }); err != nil {
		t.Fatal(err)
	}
	if err := touch(s.ID, later.Add(time.Minute)); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Errorf("touching an ended session: %v; want not found", err)
	}
}
