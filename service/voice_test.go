package service_test

import (
	"context"
	"crypto/rand"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/voice"
)

// herAnswers is a full set of answers as she would give them.
func herAnswers(physical voice.Happened, safe int) voice.Outcome {
	return voice.Outcome{Physical: physical, Sexual: voice.No, Stalking: voice.Yes, Controlling: voice.RatherNotSay, FeelsSafe: safe, QualityOfLife: 3, Confidence: 4}
}

// TestHerOwnVoice follows her answers from her IDVA's record and from the
// code route: who reads them, that a code works once and expires, that bad
// answers change nothing, and that anonymous answers keep no case.
func TestHerOwnVoice(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			var clock atomic.Int64
			clock.Store(now.UnixMicro())
			w := newWorldAt(t, e, func() time.Time { return time.UnixMicro(clock.Load()).UTC() })
			ctx := context.Background()
			idva, cm, lead, idvalead := w.actor(t, "idva"), w.actor(t, "cm"), w.actor(t, "lead"), w.actor(t, "idvalead")

			// Her IDVA records her intake answers with her.
			o := herAnswers(voice.Yes, 3)
			o.TimePoint, o.ReportedOn = "T1", drive.DateOf(now)
			if err := w.svc.RecordOutcome(ctx, idva, w.victimID, &o); err != nil {
				t.Fatal(err)
			}
			bad := herAnswers("maybe", 11)
			bad.TimePoint, bad.ReportedOn = "T9", drive.DateOf(now).AddDays(1)
			err := w.svc.RecordOutcome(ctx, idva, w.victimID, &bad)
			wantCode(t, err, drive.EINVALID)
			if f := err.(*drive.Error).Fields; f["physical"] == "" || f["feels_safe"] == "" || f["time_point"] == "" || f["reported_on"] == "" {
				t.Errorf("invalid answers: fields %v; want physical, feels_safe, time_point and reported_on", f)
			}
			// The perpetrator's side cannot read them, nor record or issue.
			for _, a := range []service.Actor{cm, lead} {
				_, err := w.svc.ReportedOutcomes(ctx, a, w.victimID)
				wantCode(t, err, drive.ENOTFOUND)
				_, err = w.svc.IssueFeedbackCode(ctx, a, w.victimID, "T2")
				wantCode(t, err, drive.ENOTFOUND)
				_, err = w.svc.ServiceViews(ctx, a)
				wantCode(t, err, drive.ENOTFOUND)
			}

			// A code for the mid-point; only the feedback route may use it.
			code, err := w.svc.IssueFeedbackCode(ctx, idva, w.victimID, "T2")
			if err != nil {
				t.Fatal(err)
			}
			if voice.NormaliseCode(code.Code) == "" || !code.ExpiresAt.Equal(now.Add(voice.CodeLifetime)) {
				t.Fatalf("issued %+v", code)
			}
			wantCode(t, w.svc.CheckFeedbackCode(ctx, idva, code.Code), drive.ENOTFOUND)
			if err := w.svc.CheckFeedbackCode(ctx, service.Feedback(), " "+code.Code[:3]+" "+code.Code[3:]+" "); err != nil {
				t.Fatalf("the code as typed with spaces: %v", err)
			}
			wantCode(t, w.svc.CheckFeedbackCode(ctx, service.Feedback(), "ABCDE-FGHJK"), drive.ENOTFOUND)

			// Bad answers change nothing and leave the code working.
			before := w.head(t)
			err = w.svc.SubmitFeedback(ctx, service.Feedback(), service.Answers{Code: code.Code, Outcome: herAnswers("", 4), Joined: true})
			wantCode(t, err, drive.EINVALID)
			long := make([]byte, voice.MaxFreeText+1)
			for i := range long {
				long[i] = 'a'
			}
			err = w.svc.SubmitFeedback(ctx, service.Feedback(), service.Answers{Code: code.Code, Outcome: herAnswers(voice.No, 7), Joined: true, Views: voice.Views{Text: string(long)}})
			wantCode(t, err, drive.EINVALID)
			if w.head(t) != before {
				t.Errorf("refused answers wrote audit events")
			}

			// Joined: her answers reach her case, as given by herself.
			err = w.svc.SubmitFeedback(ctx, service.Feedback(), service.Answers{Code: code.Code, Outcome: herAnswers(voice.No, 7), Joined: true,
				Views: voice.Views{Ratings: map[string]voice.Rating{"listened": voice.RatingYes}, Text: "VOICE-FREE-TEXT kind and quick"}})
			if err != nil {
				t.Fatal(err)
			}
			es := w.events(t, before)
			if len(es) != 1 || es[0].RecordID != strconv.FormatInt(w.victimID, 10) || es[0].ActorRole != "system" || es[0].Remote != "feedback" ||
				es[0].Reason != audit.Part(audit.PartOwnAnswers) {
				t.Errorf("joined answers audited as %s (%q); want one write to her record by the feedback entry point, naming the part", summary(es), eventLines(es))
			}
			wantCode(t, w.svc.SubmitFeedback(ctx, service.Feedback(), service.Answers{Code: code.Code, Outcome: herAnswers(voice.No, 7), Joined: true}), drive.ENOTFOUND)
			v, err := w.svc.ReportedOutcomes(ctx, idva, w.victimID)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Outcomes) != 2 || v.Outcomes[1].Source != voice.FromHerself || v.Outcomes[1].TimePoint != "T2" || v.Outcomes[1].FeelsSafe != 7 {
				t.Fatalf("outcomes = %+v; want the IDVA's T1 then hers at T2", v.Outcomes)
			}
			if len(v.Changes) != 1 || len(v.Changes[0].Stopped) != 1 || v.Changes[0].Stopped[0] != "Physical" || v.Changes[0].SafeBy != 4 {
				t.Errorf("change = %+v; want physical stopped and 4 points safer", v.Changes)
			}

			// Anonymous: nothing reaches her case; the site's counts and
			// text do, the text only for her IDVA service.
			code2, err := w.svc.IssueFeedbackCode(ctx, idva, w.victimID, "T3")
			if err != nil {
				t.Fatal(err)
			}
			before = w.head(t)
			if err := w.svc.SubmitFeedback(ctx, service.Feedback(), service.Answers{Code: code2.Code, Outcome: herAnswers(voice.Yes, 5),
				Views: voice.Views{Ratings: map[string]voice.Rating{"listened": voice.RatingPartly}}}); err != nil {
				t.Fatal(err)
			}
			if es := w.events(t, before); len(es) != 0 {
				t.Errorf("anonymous answers audited as %s; want nothing that ties them to a time", summary(es))
			}
			if v, _ := w.svc.ReportedOutcomes(ctx, idva, w.victimID); len(v.Outcomes) != 2 {
				t.Errorf("anonymous answers reached her case: %+v", v.Outcomes)
			}
			rep, err := w.svc.ServiceViews(ctx, idvalead)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Sites) != 1 || !rep.Sites[0].Anonymous.Suppressed || !rep.Sites[0].Responses.Suppressed || rep.Sites[0].Happened[0].Yes.String() != "[c]" {
				t.Fatalf("report = %+v; want site A with one anonymous answer (withheld) and two views", rep.Sites)
			}
			if got := rep.Sites[0].Texts; len(got) != 1 || got[0].Text != "VOICE-FREE-TEXT kind and quick" || got[0].Month != "2026-11" {
				t.Errorf("texts = %+v", got)
			}

			// Her words are rewrapped with every other sealed value when
			// the keys rotate, and still open.
			if err := w.svc.Keys.Rotate(rand.Reader); err != nil {
				t.Fatal(err)
			}
			if n, err := w.svc.RewrapKeys(ctx, service.CommandLine()); err != nil || n == 0 {
				t.Fatalf("rewrap = %d, %v", n, err)
			}
			if again, err := w.svc.RewrapKeys(ctx, service.CommandLine()); err != nil || again != 0 {
				t.Errorf("a value was left under the old key: second rewrap = %d, %v", again, err)
			}
			if rep, err := w.svc.ServiceViews(ctx, idvalead); err != nil || len(rep.Sites[0].Texts) != 1 {
				t.Errorf("after rotation: %+v, %v", rep, err)
			}

			// A code past its time is refused, like one never issued.
			code3, err := w.svc.IssueFeedbackCode(ctx, idva, w.victimID, "T3")
			if err != nil {
				t.Fatal(err)
			}
			clock.Store(now.Add(voice.CodeLifetime + time.Second).UnixMicro())
			wantCode(t, w.svc.CheckFeedbackCode(ctx, service.Feedback(), code3.Code), drive.ENOTFOUND)
			wantCode(t, w.svc.SubmitFeedback(ctx, service.Feedback(), service.Answers{Code: code3.Code, Outcome: herAnswers(voice.No, 7)}), drive.ENOTFOUND)
		})
	}
}

// TestCodeGuessesShared holds the survivor route's allowance of wrong
// codes across two services on one database, as replicas are: wrong codes
// tried through either count against the one allowance, and once it is
// spent even a good code is refused by both until the window has passed.
// Only the time of each wrong code is kept.
func TestCodeGuessesShared(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			var clock atomic.Int64
			clock.Store(now.UnixMicro())
			w := newWorldAt(t, e, func() time.Time { return time.UnixMicro(clock.Load()).UTC() })
			ctx := context.Background()
			other := *w.svc
			if e.Name == "postgres" {
				db, err := w.db.OpenAnother(ctx)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { db.Close() })
				other.DB = db
			}
			replicas := []*service.Service{w.svc, &other}
			code, err := w.svc.IssueFeedbackCode(ctx, w.actor(t, "idva"), w.victimID, "T2")
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < voice.CodeGuesses; i++ {
				svc := replicas[i%2]
				if err := svc.CheckFeedbackCode(ctx, service.Feedback(), code.Code); err != nil {
					t.Fatalf("the good code before the allowance was spent (%d wrong): %v", i, err)
				}
				clock.Add(time.Second.Microseconds())
				wrong := "ABCDE-FGHJ" + string("KMNPQRSTUVWXYZ"[i])
				if i%3 == 2 {
					err = svc.SubmitFeedback(ctx, service.Feedback(), service.Answers{Code: wrong, Outcome: herAnswers(voice.No, 5)})
				} else {
					err = svc.CheckFeedbackCode(ctx, service.Feedback(), wrong)
				}
				wantCode(t, err, drive.ENOTFOUND)
			}
			for _, svc := range replicas {
				wantCode(t, svc.CheckFeedbackCode(ctx, service.Feedback(), code.Code), drive.ETOOMANY)
				wantCode(t, svc.SubmitFeedback(ctx, service.Feedback(), service.Answers{Code: code.Code, Outcome: herAnswers(voice.No, 5)}), drive.ETOOMANY)
			}
			// The guesser's wrong codes close the route to the guesser, not
			// to her: from another address her code still works, on either
			// replica, and a wrong one from there counts as hers alone.
			her := service.FeedbackFrom("203.0.113.9")
			for _, svc := range replicas {
				if err := svc.CheckFeedbackCode(ctx, her, code.Code); err != nil {
					t.Fatalf("her code from her own address while the guesser is refused: %v", err)
				}
			}
			wantCode(t, other.CheckFeedbackCode(ctx, her, "ABCDE-FGHJZ"), drive.ENOTFOUND)
			if err := other.CheckFeedbackCode(ctx, her, code.Code); err != nil {
				t.Fatalf("her code after one wrong code of her own: %v", err)
			}
			wantCode(t, w.svc.CheckFeedbackCode(ctx, service.Feedback(), code.Code), drive.ETOOMANY)
			if err := w.db.View(ctx, func(tx *store.Tx) error {
				clear, all, err := tx.CodeFailures(ctx, time.Time{}, her.Remote, "")
				if clear != 0 || all != voice.CodeGuesses+1 {
					t.Errorf("%d of %d wrong codes kept under her address or no name; want 0 of %d", clear, all, voice.CodeGuesses+1)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			// The refusals counted nothing more: once the first wrong code
			// leaves the window, one more try is allowed.
			clock.Store(now.Add(voice.CodeGuessWindow + time.Second).UnixMicro())
			if err := other.SubmitFeedback(ctx, service.Feedback(), service.Answers{Code: code.Code, Outcome: herAnswers(voice.No, 5)}); err != nil {
				t.Fatalf("her code after the window: %v", err)
			}
			var kept int
			if err := w.db.View(ctx, func(tx *store.Tx) (err error) { _, kept, err = tx.CodeFailures(ctx, time.Time{}); return err }); err != nil {
				t.Fatal(err)
			}
			if kept != voice.CodeGuesses+1 {
				t.Errorf("%d wrong codes kept; want %d", kept, voice.CodeGuesses+1)
			}
		})
	}
}
