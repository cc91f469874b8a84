package service_test

import (
	"context"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestSweepSignins checks, on both engines, that the sweep removes a
// session its user never came back to, audited as session.end with why
// it ended, and leaves a live one working; that it forgets known
// browsers and failed sign-ins only once they are past their time; that
// a second sweep finds nothing; and that a person may not run it.
func TestSweepSignins(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newAuthFixture(t, e)
			ctx := context.Background()
			worker := service.System("worker")
			casey := f.users["casey"].ID

			left, _ := f.signIn(t, "casey")
			f.clock.Add(20 * time.Minute)
			live, c := f.signIn(t, "casey")
			f.clock.Add(15 * time.Minute) // the first idle 35 minutes, the second 15
			if err := f.db.Transact(ctx, func(tx *store.Tx) error {
				return tx.RecordSigninFailure(ctx, "someone", "198.51.100.9")
			}); err != nil {
				t.Fatal(err)
			}

			if _, err := f.svc.SweepSignins(ctx, c.Actor); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a person ran the sweep: %v", err)
			}
			head := f.head(t)
			rep, err := f.svc.SweepSignins(ctx, worker)
			if err != nil {
				t.Fatal(err)
			}
			if rep != (service.SweepReport{Sessions: 1}) {
				t.Fatalf("first sweep: %+v, want one session and nothing else", rep)
			}
			es := f.events(t, head)
			if len(es) != 1 || es[0].Action != "session.end" || es[0].ActorID != casey || es[0].Reason != "idle timeout" {
				t.Fatalf("first sweep audited %+v", es)
			}
			if c, err := f.svc.SessionActor(ctx, live.Token, authRemote); c == nil || err != nil {
				t.Fatalf("the live session was swept: %v", err)
			}
			head = f.head(t)
			if c, err := f.svc.SessionActor(ctx, left.Token, authRemote); c != nil || err != nil {
				t.Fatalf("the swept session still works: %v", err)
			}
			if es := f.events(t, head); len(es) != 0 {
				t.Fatalf("a swept session was ended twice: %+v", es)
			}

			// Ninety-one days on: the live session has reached its time
			// limit, both browsers' cookies have run out, and the failure
			// is far older than any lock reads.
			f.clock.Add(91 * 24 * time.Hour)
			head = f.head(t)
			rep, err = f.svc.SweepSignins(ctx, worker)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Sessions != 1 || rep.Browsers != 2 || rep.Failures != 1 {
				t.Fatalf("second sweep: %+v, want one session, two browsers, one failure", rep)
			}
			forgotten := 0
			for _, ev := range f.events(t, head) {
				switch {
				case ev.Action == "session.end" && ev.Reason == "time limit reached" && ev.ActorID == casey:
				case ev.Action == "signin.browser_forgotten" && ev.Reason == "expired" && ev.ActorID == casey:
					forgotten++
				default:
					t.Fatalf("second sweep audited %+v", ev)
				}
			}
			if forgotten != 2 {
				t.Fatalf("%d browsers audited as forgotten, want 2", forgotten)
			}
			if err := f.db.View(ctx, func(tx *store.Tx) error {
				for _, tok := range []string{left.Browser, live.Browser} {
					if _, err := tx.KnownBrowserByTokenHash(ctx, auth.HashToken(tok)); drive.ErrorCode(err) != drive.ENOTFOUND {
						t.Errorf("an expired browser is still known: %v", err)
					}
				}
				byUser, byRemote, err := tx.SigninFailures(ctx, "someone", "198.51.100.9", time.Time{})
				if len(byUser)+len(byRemote) != 0 {
					t.Errorf("the old failure is still held: %v %v", byUser, byRemote)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}

			head = f.head(t)
			if rep, err := f.svc.SweepSignins(ctx, worker); err != nil || rep.Total() != 0 {
				t.Fatalf("a third sweep: %+v %v", rep, err)
			}
			if es := f.events(t, head); len(es) != 0 {
				t.Fatalf("a sweep with nothing to do audited %+v", es)
			}
		})
	}
}
