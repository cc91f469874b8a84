package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/voice"
)

// RunVoice runs her own voice's part of the storage contract (reported
// outcomes, one-time codes, anonymous answers and views of the service)
// against one engine.
func RunVoice(t *testing.T, e Engine) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *vFixture, clock *atomic.Int64)
	}{
		{"ReportedOutcomesRoundTrip", testReportedOutcomes},
		{"CodeWorksOnceAndExpires", testFeedbackCodes},
		{"AnonymousAnswersAndViews", testAnonymousAndViews},
		{"WrongCodesCountedByTryer", testCodeFailures},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var clock atomic.Int64
			clock.Store(Epoch.UnixMicro())
			db := e.Open(t, func() time.Time { return time.UnixMicro(clock.Load()).UTC() })
			tc.fn(t, newVictimFixture(t, db), &clock)
		})
	}
}

func voiceAnswers(tp string, on drive.Date, src voice.Source, by int64) voice.Outcome {
	return voice.Outcome{TimePoint: tp, ReportedOn: on, Source: src, RecordedBy: by, Physical: voice.Yes, Sexual: voice.No,
		Stalking: voice.RatherNotSay, Controlling: voice.Yes, FeelsSafe: 4, QualityOfLife: 2, Confidence: 0}
}

func testReportedOutcomes(t *testing.T, f *vFixture, _ *atomic.Int64) {
	ctx := context.Background()
	v := f.victim(t, f.a, "Ann", "Voice", f.idva1, nil)
	other := f.victim(t, f.b, "Bea", "Voice", f.idvaB, nil)
	mine := voiceAnswers("T1", cwToday.AddDays(-3), voice.FromIDVA, f.idva1.ID)
	hers := voiceAnswers("T2", cwToday, voice.FromHerself, 0)
	hers.FeelsSafe, hers.Physical = 8, voice.No
	theirs := voiceAnswers("T1", cwToday, voice.FromHerself, 0)
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		mine.VictimCaseID, hers.VictimCaseID, theirs.VictimCaseID = v.ID, v.ID, other.ID
		for _, o := range []*voice.Outcome{&hers, &mine, &theirs} {
			if err := tx.AddReportedOutcome(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
	err := f.db.Transact(ctx, func(tx *store.Tx) error {
		got, err := tx.ReportedOutcomes(ctx, v.ID)
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0] != mine || got[1] != hers {
			t.Errorf("outcomes = %+v; want the IDVA's then hers, as stored", got)
		}
		all, sites, err := tx.SiteReportedOutcomes(ctx, []int64{f.a.ID})
		if err != nil {
			return err
		}
		if len(all) != 2 || sites[0] != f.a.ID || all[0].VictimCaseID != v.ID {
			t.Errorf("site A's outcomes = %+v", all)
		}
		bad := hers
		bad.RecordedBy = f.idva1.ID
		if err := tx.AddReportedOutcome(ctx, &bad); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("her own answers naming an IDVA: %v", err)
		}
		bad = hers
		bad.FeelsSafe = 11
		if err := tx.AddReportedOutcome(ctx, &bad); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("feels safe 11: %v", err)
		}
		bad = hers
		bad.VictimCaseID = 999999
		if err := tx.AddReportedOutcome(ctx, &bad); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("no such case: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func codeHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func testFeedbackCodes(t *testing.T, f *vFixture, clock *atomic.Int64) {
	ctx := context.Background()
	v := f.victim(t, f.a, "Cat", "Code", f.idva1, nil)
	short := &store.FeedbackCode{Hash: codeHash("short"), VictimCaseID: v.ID, TimePoint: "T1", IssuedBy: f.idva1.ID, ExpiresAt: Epoch.Add(time.Hour)}
	long := &store.FeedbackCode{Hash: codeHash("long"), VictimCaseID: v.ID, TimePoint: "T3", IssuedBy: f.idva1.ID, ExpiresAt: Epoch.Add(48 * time.Hour)}
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		for _, c := range []*store.FeedbackCode{short, long} {
			if err := tx.CreateFeedbackCode(ctx, c); err != nil {
				return err
			}
		}
		if short.SiteID != f.a.ID {
			t.Errorf("site = %d; want her case's", short.SiteID)
		}
		return nil
	})
	// Each refusal in a transaction of its own: PostgreSQL ends a
	// transaction at its first failed statement.
	dup := *short
	if err := f.db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateFeedbackCode(ctx, &dup) }); drive.ErrorCode(err) != drive.ECONFLICT {
		t.Errorf("the same hash twice: %v", err)
	}
	past := *long
	past.Hash, past.ExpiresAt = codeHash("past"), Epoch.Add(-time.Second)
	if err := f.db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateFeedbackCode(ctx, &past) }); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("a code already expired: %v", err)
	}
	err := f.db.Transact(ctx, func(tx *store.Tx) error {
		got, err := tx.FeedbackCodeByHash(ctx, long.Hash)
		if err != nil || got.VictimCaseID != v.ID || got.TimePoint != "T3" || !got.ExpiresAt.Equal(long.ExpiresAt) {
			t.Errorf("by hash = %+v, %v", got, err)
		}
		used, err := tx.UseFeedbackCode(ctx, long.Hash)
		if err != nil || used.ID != long.ID {
			t.Errorf("use = %+v, %v", used, err)
		}
		if _, err := tx.UseFeedbackCode(ctx, long.Hash); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("second use: %v", err)
		}
		if _, err := tx.FeedbackCodeByHash(ctx, long.Hash); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("a used code is still found: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.Store(Epoch.Add(2 * time.Hour).UnixMicro())
	err = f.db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.FeedbackCodeByHash(ctx, short.Hash); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("an expired code is found: %v", err)
		}
		if _, err := tx.UseFeedbackCode(ctx, short.Hash); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("an expired code is used: %v", err)
		}
		n, err := tx.DeleteExpiredFeedbackCodes(ctx)
		if err != nil || n != 1 {
			t.Errorf("deleted %d expired, %v; want 1", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testAnonymousAndViews(t *testing.T, f *vFixture, _ *atomic.Int64) {
	ctx := context.Background()
	o := voiceAnswers("T3", cwToday, voice.FromHerself, 0)
	text := f.seal(t, "kind words", []byte("service_views:1"))
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.AddAnonymousOutcome(ctx, f.a.ID, "2026-03", o); err != nil {
			return err
		}
		if err := tx.AddServiceViews(ctx, 77, voice.Views{SiteID: f.a.ID, Month: "2026-03", Ratings: map[string]voice.Rating{"listened": voice.RatingYes}}, text); err != nil {
			return err
		}
		return tx.AddServiceViews(ctx, 5, voice.Views{SiteID: f.a.ID, Month: "2026-03", Ratings: map[string]voice.Rating{"helped": voice.RatingNo}}, store.SealedValue{})
	})
	err := f.db.Transact(ctx, func(tx *store.Tx) error {
		anon, err := tx.AnonymousOutcomes(ctx, []int64{f.a.ID, f.b.ID})
		if err != nil {
			return err
		}
		want := o
		want.ReportedOn = drive.Date{}
		if len(anon) != 1 || anon[0].Month != "2026-03" || anon[0].Outcome != want {
			t.Errorf("anonymous = %+v; want only the answers, the site and the month", anon)
		}
		views, err := tx.ServiceViews(ctx, []int64{f.a.ID})
		if err != nil {
			return err
		}
		texts := 0
		for _, v := range views {
			if len(v.Text.Data) > 0 {
				texts++
				if f.open(t, v.Text, []byte("service_views:1")) != "kind words" {
					t.Error("the text does not open")
				}
			}
		}
		if len(views) != 2 || texts != 1 {
			t.Errorf("views = %+v", views)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = f.db.Transact(ctx, func(tx *store.Tx) error {
		return tx.AddServiceViews(ctx, 77, voice.Views{SiteID: f.a.ID, Month: "2026-03"}, store.SealedValue{})
	})
	if drive.ErrorCode(err) != drive.ECONFLICT {
		t.Errorf("an id used twice: %v", err)
	}
}

func testCodeFailures(t *testing.T, f *vFixture, clock *atomic.Int64) {
	ctx := context.Background()
	count := func(since time.Time, tryers ...string) (mine, all int) {
		t.Helper()
		if err := f.db.View(ctx, func(tx *store.Tx) (err error) { mine, all, err = tx.CodeFailures(ctx, since, tryers...); return err }); err != nil {
			t.Fatal(err)
		}
		return mine, all
	}
	tryers := []string{"a", "b", "a"}
	for i := 0; i < 3; i++ {
		clock.Store(Epoch.Add(time.Duration(i) * time.Minute).UnixMicro())
		f.write(t, func(ctx context.Context, tx *store.Tx) error {
			return tx.AddCodeFailure(ctx, Epoch.Add(-time.Hour), tryers[i])
		})
	}
	if mine, all := count(Epoch.Add(-time.Second), "a"); mine != 2 || all != 3 {
		t.Errorf("since before the first: a's %d of %d; want 2 of 3", mine, all)
	}
	if mine, all := count(Epoch, "a"); mine != 1 || all != 2 {
		t.Errorf("since the first (not counting it): a's %d of %d; want 1 of 2", mine, all)
	}
	if mine, _ := count(Epoch.Add(-time.Second), "b", "c"); mine != 1 {
		t.Errorf("b's or c's: %d; want 1", mine)
	}
	if mine, all := count(Epoch.Add(-time.Second)); mine != 0 || all != 3 {
		t.Errorf("no tryer named: %d of %d; want 0 of 3", mine, all)
	}
	// A later failure forgets those tried at or before its cut-off.
	clock.Store(Epoch.Add(10 * time.Minute).UnixMicro())
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		return tx.AddCodeFailure(ctx, Epoch.Add(time.Minute), "c")
	})
	if _, all := count(time.Time{}); all != 2 {
		t.Errorf("after forgetting the first two: %d kept; want 2", all)
	}
}
