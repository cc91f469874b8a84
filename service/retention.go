package service

import (
	"context"
	"fmt"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/retention"
	"github.com/drive-platform/drive/store"
)

// Retention: legal holds and the retention run (docs/data-protection.md).
// These are operator's use cases, from the command line for now: the
// data protection officer decides holds and the schedule, and whoever runs
// the service applies them.

// PlaceHold places a legal hold on a record, audited (retention.hold,
// with the record and never the reason's text in the record ID). Errors:
// ENOTFOUND for an actor who is not the command line, EINVALID.
func (s *Service) PlaceHold(ctx context.Context, a Actor, h *retention.Hold) error {
	if err := trusted(a, "legal hold"); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.PlaceHold(ctx, h); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "retention.hold", ActorRole: actorRole(a, access.Admin), RecordType: string(h.Class),
			RecordID: strconv.FormatInt(h.RecordID, 10), Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: "legal hold " + strconv.FormatInt(h.ID, 10)})
	})
}

// ReleaseHold ends a legal hold, audited (retention.release). Errors:
// ENOTFOUND (no such hold in force, or an actor who is not the command
// line), EINVALID.
func (s *Service) ReleaseHold(ctx context.Context, a Actor, id int64, reason string) error {
	if err := trusted(a, "legal hold"); err != nil {
		return err
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.ReleaseHold(ctx, id, reason); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "retention.release", ActorRole: actorRole(a, access.Admin), RecordType: "legal_hold",
			RecordID: strconv.FormatInt(id, 10), Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
}

// Holds lists legal holds (in force only, or all), newest first. Errors:
// ENOTFOUND for an actor who is not the command line.
func (s *Service) Holds(ctx context.Context, a Actor, inForceOnly bool) ([]retention.Hold, error) {
	if err := trusted(a, "legal hold"); err != nil {
		return nil, err
	}
	var out []retention.Hold
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Holds(ctx, inForceOnly)
		return err
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
	}
	return nil
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
