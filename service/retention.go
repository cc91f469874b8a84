package service

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/retention"
	"github.com/drive-platform/drive/store"
)

// Retention: legal holds and the retention run (docs/data-protection.md).
// The data protection officer places and releases holds, on the holds
// page or from the command line; whoever runs the service applies the
// schedule, from the command line or drive serve's daily run.

// holdsAnywhere reports whether a may handle legal holds at some site: the
// command line, or a person who may handle subject access requests (the
// data protection officer), who answers for what the service keeps.
func holdsAnywhere(a Actor, now time.Time) bool {
	return trusted(a, "legal hold") == nil || subjectAccessAnywhere(a, now)
}

// mayHold reports whether a may place, see and release holds on records
// of site.
func mayHold(a Actor, site int64, now time.Time) bool {
	if trusted(a, "legal hold") == nil {
		return true
	}
	return access.Decide(a.Subject, access.Write, access.Resource{Class: access.SubjectAccess, RecordType: "legal_hold", SiteID: site}, now).Allowed
}

// PlaceHold places a legal hold on a record (a perpetrator's or a
// victim-survivor's case, a notification, an imported police incident,
// by number or by its site and police reference, or a whole site), audited
// (retention.hold, with the class and record and never the reason's
// text). A record at a site the actor may not hold is answered as one
// that does not exist. Errors: ENOTFOUND for an actor who may not handle
// holds, EINVALID.
func (s *Service) PlaceHold(ctx context.Context, a Actor, h *retention.Hold) error {
	if !holdsAnywhere(a, s.Now()) {
		return drive.NotFound("legal hold")
	}
	if err := h.Validate(); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		if h.Class == retention.Incident && h.RecordID <= 0 {
			// Named by its site and police reference, as on the extract.
			if !mayHold(a, h.SiteID, tx.Now) {
				return store.NoIncidentRef(h.Ref)
			}
			id, err := tx.IncidentByRef(ctx, h.SiteID, h.Ref)
			if drive.ErrorCode(err) == drive.ENOTFOUND {
				return store.NoIncidentRef(h.Ref)
			}
			if err != nil {
				return err
			}
			h.RecordID = id
		}
		site, err := tx.HoldRecordSite(ctx, h.Class, h.RecordID)
		if drive.ErrorCode(err) == drive.ENOTFOUND || (err == nil && !mayHold(a, site, tx.Now)) {
			return store.NoHoldRecord(h.Class, h.RecordID)
		}
		if err != nil {
			return err
		}
		if err := tx.PlaceHold(ctx, h); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "retention.hold", ActorID: a.UserID, ActorRole: actorRole(a, access.DPO), RecordType: string(h.Class),
			RecordID: strconv.FormatInt(h.RecordID, 10), SiteID: site, Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: "legal hold " + strconv.FormatInt(h.ID, 10)})
	})
}

// ReleaseHold ends a legal hold, audited (retention.release). Errors:
// ENOTFOUND (no such hold in force, one at a site the actor may not hold,
// or an actor who may not handle holds), EINVALID.
func (s *Service) ReleaseHold(ctx context.Context, a Actor, id int64, reason string) error {
	if !holdsAnywhere(a, s.Now()) {
		return drive.NotFound("legal hold")
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		h, err := tx.Hold(ctx, id)
		if err != nil {
			return err
		}
		if !mayHold(a, h.SiteID, tx.Now) || !h.InForce() {
			return drive.NotFound("legal hold")
		}
		if err := tx.ReleaseHold(ctx, id, reason); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "retention.release", ActorID: a.UserID, ActorRole: actorRole(a, access.DPO), RecordType: "legal_hold",
			RecordID: strconv.FormatInt(id, 10), SiteID: h.SiteID, Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
}

// Holds lists the legal holds the actor may handle (in force only, or
// all), newest first; a person's reading of them is audited. Errors:
// ENOTFOUND for an actor who may not handle holds.
func (s *Service) Holds(ctx context.Context, a Actor, inForceOnly bool) ([]retention.Hold, error) {
	if !holdsAnywhere(a, s.Now()) {
		return nil, drive.NotFound("legal hold")
	}
	var out []retention.Hold
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		all, err := tx.Holds(ctx, inForceOnly)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, h := range all {
			if mayHold(a, h.SiteID, tx.Now) {
				out = append(out, h)
			}
		}
		if a.UserID == 0 {
			return nil
		}
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: actorRole(a, access.DPO),
			RecordType: "legal_hold", Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: fmt.Sprintf("list: %d holds", len(out))})
	})
	return out, err
}

// RetentionClass is what a retention run did, or would do, to one class.
type RetentionClass struct {
	Rule retention.Rule
	// Due are the records whose period has ended: anonymised or deleted,
	// or, in a dry run, those that would be.
	Due []retention.Candidate
	// Held are records whose period has ended but a legal hold keeps.
	Held []retention.Candidate
	// Earlier are records an earlier run anonymised that still held free
	// text anonymising removes today (a case anonymised before its plan's
	// text, documents and appointments were covered): that text is
	// removed now, or, in a dry run, would be. EarlierHeld are such
	// records a legal hold keeps as they are.
	Earlier, EarlierHeld []retention.Candidate
}

// RetentionReport is the result of a retention run.
type RetentionReport struct {
	Today   drive.Date
	DryRun  bool
	Classes []RetentionClass
}

// RetentionRun applies the schedule on the service's today: every record
// whose period has ended and that no legal hold keeps is anonymised or
// deleted, as its class's rule says, all in one transaction (a failure
// part-way changes nothing). Each class gets one audit event
// (retention.run, or retention.dry_run) whose reason gives how many
// records went and how many were held, never which or what they held. A
// dry run changes nothing but the audit log and lists what would go.
//
// Errors: ENOTFOUND for an actor who is not the command line, EINVALID
// for a schedule with an invalid rule.
func (s *Service) RetentionRun(ctx context.Context, a Actor, schedule retention.Schedule, dryRun bool) (RetentionReport, error) {
	if err := trusted(a, "retention"); err != nil {
		return RetentionReport{}, err
	}
	for _, r := range schedule.Rules {
		if err := r.Validate(); err != nil {
			return RetentionReport{}, err
		}
	}
	rep := RetentionReport{DryRun: dryRun}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		return s.retentionRun(ctx, tx, a, schedule, &rep)
	})
	return rep, err
}

// DailyRetentionRun is the retention run drive serve makes each day, as
// RetentionRun does it, but once a day however many servers ask: the
// first to claim the day (a row of its own in the database, claimed in
// the run's own transaction) runs it and the others are told ran false
// and change nothing. A run that fails releases its claim with
// everything else it did, so a later try that day runs it. by names the
// server for the claim. Errors: as RetentionRun.
func (s *Service) DailyRetentionRun(ctx context.Context, a Actor, schedule retention.Schedule, by string) (rep RetentionReport, ran bool, err error) {
	if err := trusted(a, "retention"); err != nil {
		return RetentionReport{}, false, err
	}
	for _, r := range schedule.Rules {
		if err := r.Validate(); err != nil {
			return RetentionReport{}, false, err
		}
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		rep, ran = RetentionReport{}, false
		claimed, err := tx.ClaimRetentionDay(ctx, drive.DateOf(tx.Now), by)
		if err != nil || !claimed {
			return err
		}
		ran = true
		return s.retentionRun(ctx, tx, a, schedule, &rep)
	})
	if err != nil {
		return RetentionReport{}, false, err
	}
	return rep, ran, nil
}

// retentionRun applies schedule in tx, as RetentionRun says, filling rep.
func (s *Service) retentionRun(ctx context.Context, tx *store.Tx, a Actor, schedule retention.Schedule, rep *RetentionReport) error {
	dryRun := rep.DryRun
	rep.Today = drive.DateOf(tx.Now)
	rep.Classes = nil
	holds, err := tx.Holds(ctx, true)
	if err != nil {
		return err
	}
	for _, rule := range schedule.Rules {
		cutoff := rep.Today.AddMonths(-(12*rule.Years + rule.Months))
		cands, err := tx.RetentionCandidates(ctx, rule.Class, cutoff)
		if err != nil {
			return err
		}
		due, held := retention.Schedule{Rules: []retention.Rule{rule}}.Plan(rep.Today, cands, holds)
		rep.Classes = append(rep.Classes, RetentionClass{Rule: rule, Due: due, Held: held})
		action := "retention.dry_run"
		if !dryRun {
			action = "retention.run"
			for _, c := range due {
				switch rule.Class {
				case retention.PerpetratorCase:
					err = tx.AnonymiseCase(ctx, c.RecordID)
				case retention.Notification:
					err = tx.DeleteNotification(ctx, c.RecordID)
				case retention.VictimCase:
					err = tx.AnonymiseVictimCase(ctx, c.RecordID)
				case retention.PoliceExtract:
					err = tx.AnonymisePoliceRecord(ctx, c.Kind, c.RecordID)
				}
				if err != nil {
					return err
				}
			}
		}
		if err := tx.Audit(ctx, audit.Event{Action: action, ActorRole: actorRole(a, access.Admin), RecordType: string(rule.Class),
			Remote: a.Remote, Outcome: audit.OutcomeOK,
			Reason: fmt.Sprintf("%d %s, %d held", len(due), pastTense(rule.Action, dryRun), len(held))}); err != nil {
			return err
		}
		if err := s.retentionEarlier(ctx, tx, a, rule.Class, holds, &rep.Classes[len(rep.Classes)-1], dryRun); err != nil {
			return err
		}
	}
	return nil
}

// retentionEarlier removes, from the cases of class an earlier run
// anonymised, the free text they still hold (store.AnonymisedWithText),
// unless a hold keeps them, and records them in rc. It is audited by class
// and count only, in one event of the run's action, when there were any:
// a run that finds none, as every run after the first does, adds nothing.
func (s *Service) retentionEarlier(ctx context.Context, tx *store.Tx, a Actor, class retention.Class, holds []retention.Hold, rc *RetentionClass, dryRun bool) error {
	if class != retention.PerpetratorCase && class != retention.VictimCase {
		return nil
	}
	left, err := tx.AnonymisedWithText(ctx, class)
	if err != nil || len(left) == 0 {
		return err
	}
	rc.Earlier, rc.EarlierHeld = retention.Split(left, holds)
	action, verb := "retention.dry_run", "still hold free text to remove"
	if !dryRun {
		action, verb = "retention.run", "had the free text they still held removed"
		for _, c := range rc.Earlier {
			if err := tx.RemoveAnonymisedText(ctx, class, c.RecordID); err != nil {
				return err
			}
		}
	}
	return tx.Audit(ctx, audit.Event{Action: action, ActorRole: actorRole(a, access.Admin), RecordType: string(class),
		Remote: a.Remote, Outcome: audit.OutcomeOK,
		Reason: fmt.Sprintf("%d anonymised earlier %s, %d held", len(rc.Earlier), verb, len(rc.EarlierHeld))})
}

// pastTense says what happened to the records due, for the audit reason.
func pastTense(a retention.Action, dryRun bool) string {
	switch {
	case dryRun:
		return "due"
	case a == retention.Anonymise:
		return "anonymised"
	default:
		return "deleted"
	}
}
