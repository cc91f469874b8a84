package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/store"
)

// testTouchCase: touching a case moves its "last updated" time to the
// transaction's clock and nothing else; an unknown case is not found.
func testTouchCase(t *testing.T, f *cwFixture) {
	c := f.referral(t, f.a, f.person(t, f.a, "Tou", "Ched", nil), nil)
	before := f.getCase(t, c.ID)
	later := Epoch.Add(90 * time.Minute)
	ctx := context.Background()
	if err := f.db.WithClock(FixedClock(later)).Transact(ctx, func(tx *store.Tx) error { return tx.TouchCase(ctx, c.ID) }); err != nil {
		t.Fatal(err)
	}
	after := f.getCase(t, c.ID)
	if !after.UpdatedAt.Equal(later) {
		t.Errorf("updated at %v; want %v", after.UpdatedAt, later)
	}
	after.UpdatedAt = before.UpdatedAt
	if after.State != before.State || after.Summary != before.Summary || !after.CreatedAt.Equal(before.CreatedAt) {
		t.Errorf("touching changed the case: %+v; was %+v", after, before)
	}
	err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.TouchCase(ctx, c.ID+1000) })
	if drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Errorf("touching a missing case: %v; want not found", err)
	}
}
