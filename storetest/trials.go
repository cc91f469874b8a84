package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/store"
)

// RunTrials runs the trials part of the storage contract (a trial per
// site, its sealed seed, allocations by stratum) against one engine, at
// the frozen time Epoch.
func RunTrials(t *testing.T, e Engine) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *cwFixture)
	}{
		{"TrialRoundTrip", testTrialRoundTrip},
		{"OneRunningTrialPerSite", testOneRunningTrial},
		{"AllocationsByStratum", testTrialAllocations},
		{"ConcurrentAllocationsTakeDistinctPlaces", testTrialConcurrent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := e.Open(t, FixedClock(Epoch))
			tc.fn(t, newCaseworkFixture(t, db))
		})
	}
}

// seal seals b for the trial as the service does, so the test can open
// what the store gives back.
func (f *cwFixture) seal(b []byte) func(int64) (store.SealedValue, error) {
	return func(id int64) (store.SealedValue, error) {
		s, err := f.keys.Seal(rand.Reader, b, []byte(fmt.Sprintf("trial_seed:%d", id)))
		return store.SealedValueOf(s), err
	}
}

func (f *cwFixture) trial(t *testing.T, name string) *evaluation.Trial {
	t.Helper()
	tr := &evaluation.Trial{SiteID: f.a.ID, Name: name, Programme: "drive", CreatedBy: f.lead.ID}
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.CreateTrial(ctx, tr, f.seal([]byte("seed"))) })
	return tr
}

func testTrialRoundTrip(t *testing.T, f *cwFixture) {
	tr := f.trial(t, "Trial one")
	if tr.ID == 0 || tr.OutcomeMonths != evaluation.DefaultOutcomeMonths || tr.StartedOn != cwToday {
		t.Fatalf("created %+v", tr)
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Trial(ctx, tr.ID)
		if err != nil {
			return err
		}
		if got.Name != "Trial one" || got.SiteID != f.a.ID || got.Programme != "drive" || got.CreatedBy != f.lead.ID ||
			!got.Running() || got.StartedOn != cwToday || !got.CreatedAt.Equal(Epoch.Truncate(1000)) {
			t.Errorf("read back %+v", got)
		}
		run, err := tx.RunningTrial(ctx, f.a.ID)
		if err != nil || run.ID != tr.ID {
			t.Errorf("running trial = %+v, %v", run, err)
		}
		if _, err := tx.RunningTrial(ctx, f.b.ID); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("running trial at a site without one: %v", err)
		}
		seed, err := tx.TrialSeed(ctx, tr.ID)
		if err != nil {
			return err
		}
		sv, err := seed.Parse()
		if err != nil {
			return err
		}
		if plain, err := f.keys.Open(sv, []byte(fmt.Sprintf("trial_seed:%d", tr.ID))); err != nil || !bytes.Equal(plain, []byte("seed")) {
			t.Errorf("seed opens to %q, %v", plain, err)
		}
		list, err := tx.Trials(ctx, []int64{f.b.ID}, false)
		if err != nil || len(list) != 0 {
			t.Errorf("trials at the other site = %v, %v", list, err)
		}
		list, err = tx.Trials(ctx, nil, true)
		if err != nil || len(list) != 1 {
			t.Errorf("every trial = %v, %v", list, err)
		}
		return nil
	})
	bad := &evaluation.Trial{SiteID: f.a.ID, Name: " "}
	if err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.CreateTrial(ctx, bad, f.seal([]byte("x"))) }); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("unnamed trial: %v", err)
	}
}

func testOneRunningTrial(t *testing.T, f *cwFixture) {
	tr := f.trial(t, "First")
	second := &evaluation.Trial{SiteID: f.a.ID, Name: "Second"}
	err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.CreateTrial(ctx, second, f.seal([]byte("x"))) })
	if drive.ErrorCode(err) != drive.ECONFLICT {
		t.Fatalf("second running trial: %v", err)
	}
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.EndTrial(ctx, tr.ID, f.lead.ID) })
	if err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.EndTrial(ctx, tr.ID, f.lead.ID) }); drive.ErrorCode(err) != drive.ECONFLICT {
		t.Errorf("ending twice: %v", err)
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.Trial(ctx, tr.ID)
		if err != nil {
			return err
		}
		if got.Running() || got.EndedOn != cwToday || got.EndedBy != f.lead.ID {
			t.Errorf("ended trial %+v", got)
		}
		return nil
	})
	second = &evaluation.Trial{SiteID: f.a.ID, Name: "Second"}
	f.write(t, func(ctx context.Context, tx *store.Tx) error { return tx.CreateTrial(ctx, second, f.seal([]byte("x"))) })
	if err := f.try(func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.NextTrialSeq(ctx, tr.ID, evaluation.BandHigh)
		return err
	}); drive.ErrorCode(err) != drive.ECONFLICT {
		t.Errorf("allocating to an ended trial: %v", err)
	}
}

// allocate claims the next place for a referral and stores what the
// allocator gives it, as the service does.
func (f *cwFixture) allocate(ctx context.Context, tx *store.Tx, tr *evaluation.Trial, al *evaluation.Allocator, caseID int64, band string) (evaluation.Recorded, error) {
	seq, err := tx.NextTrialSeq(ctx, tr.ID, band)
	if err != nil {
		return evaluation.Recorded{}, err
	}
	a, err := al.Allocate(tr.SiteID, band, seq)
	if err != nil {
		return evaluation.Recorded{}, err
	}
	r := evaluation.Recorded{TrialID: tr.ID, CaseID: caseID, Allocation: a, AllocatedAt: tx.Now, AllocatedBy: f.lead.ID}
	return r, tx.AddTrialAllocation(ctx, r)
}

func testTrialAllocations(t *testing.T, f *cwFixture) {
	tr := f.trial(t, "Strata")
	al := evaluation.NewAllocator(42)
	bands := []string{evaluation.BandHigh, evaluation.BandMedium, evaluation.BandHigh, evaluation.BandStandard, evaluation.BandHigh}
	var stored []evaluation.Recorded
	for i, band := range bands {
		c := f.referral(t, f.a, f.person(t, f.a, "Trial", fmt.Sprintf("Person%d", i), nil), nil)
		f.write(t, func(ctx context.Context, tx *store.Tx) error {
			r, err := f.allocate(ctx, tx, tr, al, c.ID, band)
			stored = append(stored, r)
			return err
		})
	}
	wantSeq := []int{1, 1, 2, 1, 3}
	for i, r := range stored {
		if r.Allocation.Seq != wantSeq[i] {
			t.Errorf("allocation %d took place %d in %s, want %d", i, r.Allocation.Seq, bands[i], wantSeq[i])
		}
	}
	// The same referral again is refused, and so is a taken place.
	err := f.try(func(ctx context.Context, tx *store.Tx) error { return tx.AddTrialAllocation(ctx, stored[0]) })
	if drive.ErrorCode(err) != drive.ECONFLICT {
		t.Errorf("allocating a referral twice: %v", err)
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.TrialAllocations(ctx, tr.ID)
		if err != nil {
			return err
		}
		if len(got) != len(stored) {
			t.Fatalf("read %d allocations, stored %d", len(got), len(stored))
		}
		byCase := map[int64]evaluation.Recorded{}
		for _, r := range got {
			byCase[r.CaseID] = r
		}
		for _, want := range stored {
			g := byCase[want.CaseID]
			if g.Allocation != want.Allocation || g.TrialID != tr.ID || g.AllocatedBy != f.lead.ID || !g.AllocatedAt.Equal(Epoch.Truncate(1000)) {
				t.Errorf("case %d: read %+v, stored %+v", want.CaseID, g, want)
			}
		}
		if m := evaluation.Verify(al, got); len(m) != 0 {
			t.Errorf("stored allocations differ from the seed's: %+v", m)
		}
		var comparison []int64
		for _, r := range stored {
			if r.Allocation.Arm == evaluation.ArmComparison {
				comparison = append(comparison, r.CaseID)
			}
		}
		got2, err := tx.ComparisonCaseIDs(ctx, f.a.ID)
		if err != nil || fmt.Sprint(got2) != fmt.Sprint(comparison) {
			t.Errorf("comparison referrals = %v, %v; want %v", got2, err, comparison)
		}
		if none, err := tx.ComparisonCaseIDs(ctx, f.b.ID); err != nil || len(none) != 0 {
			t.Errorf("comparison referrals at a site without a trial = %v, %v", none, err)
		}
		ids := []int64{stored[0].CaseID, stored[3].CaseID, stored[4].CaseID + 1000}
		arms, err := tx.CaseArms(ctx, ids)
		if err != nil || len(arms) != 2 || arms[stored[0].CaseID] != stored[0].Allocation.Arm || arms[stored[3].CaseID] != stored[3].Allocation.Arm {
			t.Errorf("arms of %v = %v, %v", ids, arms, err)
		}
		one, err := tx.CaseTrialAllocation(ctx, stored[2].CaseID)
		if err != nil || one.Allocation != stored[2].Allocation {
			t.Errorf("one referral's allocation = %+v, %v", one, err)
		}
		if _, err := tx.CaseTrialAllocation(ctx, stored[4].CaseID+1000); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("allocation of an unallocated referral: %v", err)
		}
		return nil
	})
}

// testTrialConcurrent allocates referrals from several goroutines at once:
// every one must get its own place, with no gap and no repeat.
func testTrialConcurrent(t *testing.T, f *cwFixture) {
	tr := f.trial(t, "Race")
	al := evaluation.NewAllocator(7)
	const n = 8
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = f.referral(t, f.a, f.person(t, f.a, "Race", fmt.Sprintf("Person%d", i), nil), nil).ID
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range ids {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = f.try(func(ctx context.Context, tx *store.Tx) error {
				_, err := f.allocate(ctx, tx, tr, al, ids[i], evaluation.BandHigh)
				return err
			})
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("allocation %d: %v", i, err)
		}
	}
	f.read(t, func(ctx context.Context, tx *store.Tx) error {
		got, err := tx.TrialAllocations(ctx, tr.ID)
		if err != nil {
			return err
		}
		if len(got) != n {
			t.Errorf("%d allocations stored, want %d", len(got), n)
		}
		if m := evaluation.Verify(al, got); len(m) != 0 {
			t.Errorf("places with a gap, a repeat or another arm: %+v", m)
		}
		return nil
	})
}
