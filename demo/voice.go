package demo

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/voice"
)

// Her own voice in the demo: most victim-survivors give their own answers
// at intake with their IDVA; those whose cases ran long enough answer
// again at exit, some with their IDVA, some through a code on the
// survivor route (shared or anonymous, with a few words about the
// support). Each woman's answers are drawn from a generator of her own,
// seeded by her case, so the rest of the demo draws exactly what it drew
// before.

// herWords are what survivors write about the support, invented.
var herWords = []string{
	"She always called back when she said she would.",
	"I felt believed for the first time.",
	"It took a long time to get a call back at the start.",
	"Help with the housing forms made a real difference.",
	"I would have liked to meet in person more often.",
	"Thank you for sticking with me.",
}

// herVoice plans her own answers: at intake (opened days ago) and, when
// her case has run at least 200 days, at exit (until days ago).
func (g *generator) herVoice(victimID, idva int64, opened, until int) {
	r := rand.New(rand.NewPCG(uint64(victimID), 22))
	if r.IntN(100) >= 70 {
		return
	}
	at := func(ago int) time.Time {
		return ReferenceDate().AddDays(-max(ago, 1)).Time().Add(time.Duration(9*60+r.IntN(8*60)) * time.Minute)
	}
	t1 := voice.Outcome{TimePoint: "T1", FeelsSafe: 1 + r.IntN(5), QualityOfLife: 1 + r.IntN(3), Confidence: 1 + r.IntN(3)}
	for code, pct := range map[string]int{"physical": 65, "sexual": 25, "stalking": 60, "controlling": 85} {
		h := voice.No
		if r.IntN(100) < pct {
			h = voice.Yes
		}
		if r.IntN(100) < 5 {
			h = voice.RatherNotSay
		}
		t1.SetAnswer(code, h)
	}
	intake := at(opened - 3)
	t1.ReportedOn = drive.DateOf(intake)
	g.asIDVA(intake, idva, func(ctx context.Context, svc *service.Service, a service.Actor) error {
		o := t1
		return svc.RecordOutcome(ctx, a, victimID, &o)
	})
	if opened-until < 200 {
		return
	}
	t3 := t1
	t3.TimePoint = "T3"
	t3.FeelsSafe = min(10, t1.FeelsSafe+r.IntN(7))
	t3.QualityOfLife = min(5, t1.QualityOfLife+r.IntN(3))
	t3.Confidence = min(5, t1.Confidence+r.IntN(3))
	for _, k := range voice.Kinds() {
		if t1.Answer(k.Code) == voice.Yes && r.IntN(100) < 75 {
			t3.SetAnswer(k.Code, voice.No)
		}
	}
	exit := at(until + 2)
	t3.ReportedOn = drive.DateOf(exit)
	how := r.IntN(100)
	views := voice.Views{Ratings: map[string]voice.Rating{}}
	for _, q := range voice.ServiceQuestions() {
		views.Ratings[q.Code] = []voice.Rating{voice.RatingYes, voice.RatingYes, voice.RatingYes, voice.RatingPartly, voice.RatingNo}[r.IntN(5)]
	}
	if r.IntN(100) < 40 {
		views.Text = herWords[r.IntN(len(herWords))]
	}
	g.asIDVA(exit, idva, func(ctx context.Context, svc *service.Service, a service.Actor) error {
		if how < 50 {
			o := t3
			return svc.RecordOutcome(ctx, a, victimID, &o)
		}
		// She answers herself with the code her IDVA gave her.
		c, err := svc.IssueFeedbackCode(ctx, a, victimID, "T3")
		if err != nil {
			return err
		}
		return svc.SubmitFeedback(ctx, service.Feedback(), service.Answers{Code: c.Code, Outcome: t3, Joined: how < 80, Views: views})
	})
}
