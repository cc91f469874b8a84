package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/store"
)

// RunKnownBrowsers checks the storage of browsers remembered after a full
// sign-in, on which the sign-in limit's exemption rests: a browser is
// found by its token's hash alone; renewing it replaces the hash (the old
// one finds nothing) and clears its failures; failures count up in the
// statement; forgetting one reports whether it was still there; pruning
// keeps a user's most recently used and drops the expired; forgetting a
// user's browsers counts the live ones and leaves other users' alone.
func RunKnownBrowsers(t *testing.T, e Engine) {
	ctx := context.Background()
	clock := NewClock(Epoch)
	db := e.Open(t, clock.Now)
	site := NewAlertSite(t, db, "KNB")
	tx := func(f func(tx *store.Tx) error) {
		t.Helper()
		if err := db.Transact(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	remember := func(userID int64, hash string, lifetime time.Duration) *account.KnownBrowser {
		t.Helper()
		b := &account.KnownBrowser{UserID: userID, TokenHash: []byte(hash), ExpiresAt: clock.Now().Add(lifetime)}
		tx(func(tx *store.Tx) error { return tx.CreateKnownBrowser(ctx, b) })
		return b
	}
	find := func(hash string) (*account.KnownBrowser, error) {
		var b *account.KnownBrowser
		err := db.View(ctx, func(tx *store.Tx) (err error) { b, err = tx.KnownBrowserByTokenHash(ctx, []byte(hash)); return })
		return b, err
	}
	day := 24 * time.Hour

	a := remember(site.Manager.ID, "hash a1", 90*day)
	got, err := find("hash a1")
	if err != nil || got.ID != a.ID || got.UserID != site.Manager.ID || !got.ExpiresAt.Equal(Epoch.Add(90*day)) ||
		!got.CreatedAt.Equal(Epoch) || !got.UsedAt.Equal(Epoch) || got.Failures != 0 || !got.Usable(Epoch) || got.Usable(Epoch.Add(90*day)) {
		t.Fatalf("browser read back as %+v (%v); want %+v", got, err, a)
	}
	if _, err := find("hash of nothing"); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Fatalf("an unknown hash: %v; want ENOTFOUND", err)
	}

	// Failures count up, one a statement.
	for want := 1; want <= 2; want++ {
		clock.Advance(time.Minute)
		tx(func(tx *store.Tx) error {
			n, err := tx.KnownBrowserFailed(ctx, a.ID)
			if err == nil && n != want {
				t.Errorf("failures = %d; want %d", n, want)
			}
			return err
		})
	}
	// Renewal: a new hash, failures cleared, used now.
	clock.Advance(time.Minute)
	tx(func(tx *store.Tx) error {
		return tx.RenewKnownBrowser(ctx, a.ID, []byte("hash a2"), clock.Now().Add(90*day))
	})
	if _, err := find("hash a1"); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Fatalf("the hash before renewal still finds the browser: %v", err)
	}
	if got, err := find("hash a2"); err != nil || got.ID != a.ID || got.Failures != 0 || !got.UsedAt.Equal(clock.Now()) {
		t.Fatalf("renewed browser = %+v (%v)", got, err)
	}

	// Forgetting one says whether it was there.
	for i, want := range []bool{true, false} {
		tx(func(tx *store.Tx) error {
			gone, err := tx.DeleteKnownBrowser(ctx, a.ID)
			if err == nil && gone != want {
				t.Errorf("delete %d reported %v; want %v", i+1, gone, want)
			}
			return err
		})
	}
	err = db.Transact(ctx, func(tx *store.Tx) error { return tx.RenewKnownBrowser(ctx, a.ID, []byte("hash a3"), clock.Now()) })
	if drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Fatalf("renewing a forgotten browser: %v; want ENOTFOUND", err)
	}
	err = db.Transact(ctx, func(tx *store.Tx) error { _, err := tx.KnownBrowserFailed(ctx, a.ID); return err })
	if drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Fatalf("a failure on a forgotten browser: %v; want ENOTFOUND", err)
	}

	// Pruning keeps the most recently used, and drops the expired.
	remember(site.Manager.ID, "hash expired", time.Hour)
	clock.Advance(2 * time.Hour)
	var kept []*account.KnownBrowser
	for _, h := range []string{"hash b", "hash c", "hash d"} {
		clock.Advance(time.Minute)
		kept = append(kept, remember(site.Manager.ID, h, 90*day))
	}
	other := remember(site.OtherManager.ID, "hash other", 90*day)
	clock.Advance(time.Minute)
	tx(func(tx *store.Tx) error { _, err := tx.KnownBrowserFailed(ctx, kept[0].ID); return err }) // b used most recently
	tx(func(tx *store.Tx) error {
		n, err := tx.PruneKnownBrowsers(ctx, site.Manager.ID, 2)
		if err == nil && n != 2 {
			t.Errorf("pruned %d; want 2 (the expired one and the least recently used)", n)
		}
		return err
	})
	for hash, want := range map[string]bool{"hash expired": false, "hash b": true, "hash c": false, "hash d": true, "hash other": true} {
		if _, err := find(hash); (err == nil) != want {
			t.Errorf("after pruning, %s found: %v; want %v", hash, err == nil, want)
		}
	}

	// Forgetting a user's browsers counts the live ones only.
	remember(site.Manager.ID, "hash expiring", time.Minute)
	clock.Advance(time.Hour)
	tx(func(tx *store.Tx) error {
		n, err := tx.DeleteUserKnownBrowsers(ctx, site.Manager.ID)
		if err == nil && n != 2 {
			t.Errorf("forgot %d live browsers; want 2", n)
		}
		return err
	})
	for hash, want := range map[string]bool{"hash b": false, "hash d": false, "hash expiring": false, "hash other": true} {
		if _, err := find(hash); (err == nil) != want {
			t.Errorf("after forgetting the user's browsers, %s found: %v; want %v", hash, err == nil, want)
		}
	}
	if got, err := find("hash other"); err != nil || got.ID != other.ID {
		t.Fatalf("another user's browser: %+v %v", got, err)
	}
	// Two browsers may not share a hash.
	err = db.Transact(ctx, func(tx *store.Tx) error {
		return tx.CreateKnownBrowser(ctx, &account.KnownBrowser{UserID: site.Manager.ID, TokenHash: []byte("hash other"), ExpiresAt: clock.Now().Add(day)})
	})
	if drive.ErrorCode(err) != drive.ECONFLICT {
		t.Fatalf("a second browser with the same hash: %v; want ECONFLICT", err)
	}
}
