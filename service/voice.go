package service

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"io"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
	"github.com/drive-platform/drive/voice"
)

// Her own voice (package voice): what she reports of her safety, the
// one-time codes that let her answer with no account, and her views of
// the service. Everything here is on the IDVA side of the wall: the
// perpetrator's case, its risk facts, his case manager's notifications
// and every perpetrator-side count are computed without reading these
// tables, so nothing there changes when she answers.

// Feedback is the actor for the public route where she answers with a
// code: a trusted entry point with no user, no grants and no network
// address, so nothing it writes records where she answered from.
func Feedback() Actor { return Actor{System: "feedback"} }

// FeedbackFrom is the survivor route's entry point for a request from
// remote (her address, which counts her wrong codes and is kept only as a
// keyed name; see voice.CodeGuesses).
func FeedbackFrom(remote string) Actor { return Actor{System: "feedback", Remote: remote} }

// VoiceView is her reported outcomes as her IDVA's page shows them.
type VoiceView struct {
	Outcomes []voice.Outcome
	// Changes compares each time point with the one before.
	Changes []voice.Change
	// CanWrite: the actor may record her answers and issue codes.
	CanWrite bool
}

// readVoice opens her case for a reader on the IDVA side: the policy's
// VictimRisk read and victimSide. Errors: ENOTFOUND.
func (s *Service) voiceCase(ctx context.Context, tx *store.Tx, a Actor, id int64, want access.Action) (*victim.Case, access.Decision, error) {
	v, err := tx.VictimCase(ctx, id)
	if err != nil {
		return nil, access.Decision{}, drive.NotFound("victim-survivor")
	}
	d, err := s.decide(ctx, tx, a, want, VictimResource(ctx, tx, v, access.VictimRisk), "victim-survivor")
	if err != nil {
		return nil, d, err
	}
	if !victimSide(a, tx, ctx, v) {
		return nil, d, drive.NotFound("victim-survivor")
	}
	return v, d, nil
}

// ReportedOutcomes returns what she has reported at each time point,
// oldest first, with the change between them. It needs her risk
// information on the IDVA side (her IDVA, an IDVA at her site, a team
// leader of the IDVA service, or break-glass). The read is audited.
// Errors: ENOTFOUND.
func (s *Service) ReportedOutcomes(ctx context.Context, a Actor, id int64) (*VoiceView, error) {
	out := &VoiceView{}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		v, d, err := s.voiceCase(ctx, tx, a, id, access.Read)
		if err != nil {
			return err
		}
		if out.Outcomes, err = tx.ReportedOutcomes(ctx, id); err != nil {
			return err
		}
		for i := 1; i < len(out.Outcomes); i++ {
			out.Changes = append(out.Changes, voice.Compare(&out.Outcomes[i-1], &out.Outcomes[i]))
		}
		out.CanWrite = access.Decide(a.Subject, access.Write, VictimResource(ctx, tx, v, access.VictimRisk), tx.Now).Allowed
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "victim",
			RecordID: strconv.FormatInt(id, 10), SiteID: v.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: "reported outcomes"})
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "victim", id)
	}
	return out, err
}

// RecordOutcome records her answers as her IDVA took them down with her
// (source "idva"). It needs write on her risk information. Errors:
// ENOTFOUND, EINVALID.
func (s *Service) RecordOutcome(ctx context.Context, a Actor, id int64, o *voice.Outcome) error {
	return s.writeVictim(ctx, a, id, access.VictimRisk, audit.PartOwnAnswers, func(tx *store.Tx, v *victim.Case) error {
		if !victimSide(a, tx, ctx, v) {
			return drive.NotFound("victim-survivor")
		}
		o.VictimCaseID, o.Source, o.RecordedBy = id, voice.FromIDVA, a.UserID
		return tx.AddReportedOutcome(ctx, o)
	})
}

// IssuedCode is a one-time code, shown once: only its hash is kept.
type IssuedCode struct {
	Code      string
	ExpiresAt time.Time
	TimePoint string
}

// IssueFeedbackCode makes a one-time code with which she can give her
// answers at timePoint herself, on the public route. Her IDVA (or anyone
// who may write her risk information on the IDVA side) issues it; the
// code works once and expires after voice.CodeLifetime. The code is
// returned once and never stored. Errors: ENOTFOUND, EINVALID.
func (s *Service) IssueFeedbackCode(ctx context.Context, a Actor, id int64, timePoint string) (*IssuedCode, error) {
	if !voice.ValidTimePoint(timePoint) {
		return nil, drive.Invalid("Check the code", map[string]string{"time_point": voice.MsgTimePoint})
	}
	code, err := voice.NewCode(s.random())
	if err != nil {
		return nil, err
	}
	var out *IssuedCode
	err = s.writeVictim(ctx, a, id, access.VictimRisk, audit.PartFeedbackCode, func(tx *store.Tx, v *victim.Case) error {
		if !victimSide(a, tx, ctx, v) {
			return drive.NotFound("victim-survivor")
		}
		// Codes past their time are of no use to anyone: clear them as
		// new ones are made.
		if _, err := tx.DeleteExpiredFeedbackCodes(ctx); err != nil {
			return err
		}
		c := &store.FeedbackCode{Hash: voice.HashCode(code), VictimCaseID: id, TimePoint: timePoint, IssuedBy: a.UserID,
			ExpiresAt: tx.Now.Add(voice.CodeLifetime)}
		if err := tx.CreateFeedbackCode(ctx, c); err != nil {
			return err
		}
		out = &IssuedCode{Code: code, ExpiresAt: c.ExpiresAt, TimePoint: timePoint}
		return nil
	})
	return out, err
}

// CheckFeedbackCode says whether a code she typed is live, without using
// it, so the route can show her the questions. Only the Feedback actor
// may ask. Errors: ENOTFOUND for a code that is unknown, used or expired
// (the same answer for each, and nothing about whose it is), which counts
// against the route's allowance of wrong codes; ETOOMANY once that is
// spent, whatever the code.
func (s *Service) CheckFeedbackCode(ctx context.Context, a Actor, code string) error {
	if err := trusted(a, "code"); err != nil {
		return err
	}
	if err := s.codeGuessesLeft(ctx, a); err != nil {
		return err
	}
	hash := voice.HashCode(code)
	if hash == "" {
		return s.wrongCode(ctx, a)
	}
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		_, err := tx.FeedbackCodeByHash(ctx, hash)
		return err
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return s.wrongCode(ctx, a)
	}
	return err
}

// codeGuessesLeft answers ETOOMANY while the allowance of wrong codes is
// spent: a.Remote's own (voice.CodeGuesses in voice.CodeGuessWindow), or
// the route's as a whole (voice.RouteCodeGuesses, a flood from many
// addresses). The counts are kept in the database, so every replica
// refuses alike.
func (s *Service) codeGuessesLeft(ctx context.Context, a Actor) error {
	return s.DB.View(ctx, func(tx *store.Tx) error {
		mine, all, err := tx.CodeFailures(ctx, tx.Now.Add(-voice.CodeGuessWindow), s.tryers(a, tx.Now)...)
		if err != nil {
			return err
		}
		if mine >= voice.CodeGuesses || all >= voice.RouteCodeGuesses {
			return drive.Errorf(drive.ETOOMANY, "Too many wrong codes have been tried: wait %d minutes, then try again", int(voice.CodeGuessWindow.Minutes()))
		}
		return nil
	})
}

// wrongCode counts a wrong code against a.Remote's allowance and the
// route's, in a transaction of its own (the one that found the code wrong
// changes nothing), and answers ENOTFOUND as every wrong code does.
func (s *Service) wrongCode(ctx context.Context, a Actor) error {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		return tx.AddCodeFailure(ctx, tx.Now.Add(-voice.CodeGuessWindow), s.tryers(a, tx.Now)[0])
	})
	if err != nil {
		return err
	}
	return drive.NotFound("code")
}

// tryers names whoever is trying codes from a.Remote, in this window of
// voice.CodeGuessWindow and the last (a try counts for a whole window
// after it, which may begin in the last): a keyed name under the service's
// key and the window's number, so the database holds no address, and a
// name kept from one window matches nothing in the next. Without keys
// (a service that seals nothing) every try shares one name.
func (s *Service) tryers(a Actor, now time.Time) []string {
	w := now.Unix() / int64(voice.CodeGuessWindow/time.Second)
	out := make([]string, 0, 2)
	for _, n := range []int64{w, w - 1} {
		out = append(out, hex.EncodeToString(s.Keys.Name("feedback-tryer", []byte(strconv.FormatInt(n, 10)+"|"+a.Remote))))
	}
	return out
}

// Answers is everything she gives on the public route.
type Answers struct {
	Code    string
	Outcome voice.Outcome // TimePoint, ReportedOn and Source are set from the code
	// Joined: her answers go on her IDVA case. Otherwise they are kept
	// with only her site and the month.
	Joined bool
	Views  voice.Views // SiteID and Month are set from the code
}

// SubmitFeedback takes her answers and uses up her code, in one
// transaction: a code that is unknown, used or expired changes nothing
// (ENOTFOUND), nor do answers that do not validate (EINVALID, and the code
// still works). Joined answers go on her IDVA case, audited as a write by
// the feedback entry point. Anonymous answers keep only the site and the
// month; they are not audited, since an audit event's time would tie them
// to the code's case. Her views of the service are kept the same way
// whichever she chose, the free text sealed. A wrong code counts against
// the route's allowance, and once that is spent every code is refused
// (ETOOMANY), as in CheckFeedbackCode. Only the Feedback actor may call it.
func (s *Service) SubmitFeedback(ctx context.Context, a Actor, in Answers) error {
	if err := trusted(a, "code"); err != nil {
		return err
	}
	// Her address counts her wrong codes and goes nowhere else: not into
	// the audit event of joined answers, nor anywhere that keeps it.
	from := a
	a.Remote = ""
	if err := s.codeGuessesLeft(ctx, from); err != nil {
		return err
	}
	hash := voice.HashCode(in.Code)
	if hash == "" {
		return s.wrongCode(ctx, from)
	}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.UseFeedbackCode(ctx, hash)
		if err != nil {
			return err
		}
		today := drive.DateOf(tx.Now)
		o := in.Outcome
		o.TimePoint, o.ReportedOn, o.Source, o.RecordedBy = c.TimePoint, today, voice.FromHerself, 0
		if err := o.Validate(today); err != nil {
			return err
		}
		views := in.Views
		views.SiteID, views.Month = c.SiteID, voice.Month(today)
		if err := views.Validate(); err != nil {
			return err
		}
		if in.Joined {
			o.VictimCaseID = c.VictimCaseID
			if err := tx.AddReportedOutcome(ctx, &o); err != nil {
				return err
			}
			if err := tx.Audit(ctx, audit.Event{Action: audit.ActionRecordWrite, ActorRole: "system", RecordType: "victim",
				RecordID: strconv.FormatInt(c.VictimCaseID, 10), SiteID: c.SiteID, Remote: a.System, Outcome: audit.OutcomeAllowed,
				Reason: audit.Part(audit.PartOwnAnswers)}); err != nil {
				return err
			}
		} else if err := tx.AddAnonymousOutcome(ctx, c.SiteID, views.Month, o); err != nil {
			return err
		}
		if views.Empty() {
			return nil
		}
		var text store.SealedValue
		if views.Text != "" {
			if text, err = s.seal([]byte(views.Text), aadServiceViews(c.SiteID)); err != nil {
				return err
			}
		}
		var id [8]byte
		if _, err := io.ReadFull(s.random(), id[:]); err != nil {
			return err
		}
		return tx.AddServiceViews(ctx, int64(binary.BigEndian.Uint64(id[:])>>1)|1, views, text)
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return s.wrongCode(ctx, from)
	}
	return err
}

func aadServiceViews(siteID int64) []byte {
	return []byte("service_views:" + strconv.FormatInt(siteID, 10))
}
