package service

import (
	"context"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/store"
)

// readCaseList opens a perpetrator's case (caseID) or a victim-survivor's
// (victimID: exactly one is set) to read one of its lists (its
// appointments, its documents), calls list with whether the actor may
// write to the case and whether it is open, and audits the read with
// reason. Her case is read only by those who may read her protected
// details, on her side of the barrier. Errors: ENOTFOUND for a case the
// actor may not read.
func (s *Service) readCaseList(ctx context.Context, a Actor, caseID, victimID int64, reason string, list func(tx *store.Tx, mayWrite, open bool) error) error {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		if victimID == 0 {
			c, err := tx.Case(ctx, caseID)
			if err != nil {
				return drive.NotFound("case")
			}
			d, receiving, err := s.decideCase(ctx, tx, a, access.Read, c, access.PerpetratorCase)
			if err != nil || receiving {
				return drive.NotFound("case")
			}
			mayWrite := access.Decide(a.Subject, access.Write, caseResource(c, access.PerpetratorCase), tx.Now).Allowed
			if err := list(tx, mayWrite, c.State.Open() && c.State != casework.Transferred); err != nil {
				return err
			}
			return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "case",
				RecordID: strconv.FormatInt(c.ID, 10), SiteID: c.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: reason})
		}
		v, err := tx.VictimCase(ctx, victimID)
		if err != nil {
			return drive.NotFound("victim-survivor")
		}
		d, err := s.decide(ctx, tx, a, access.Read, VictimResource(ctx, tx, v, access.VictimCompartment), "victim-survivor")
		if err != nil {
			return err
		}
		if !victimSide(a, tx, ctx, v) {
			return drive.NotFound("victim-survivor")
		}
		mayWrite := access.Decide(a.Subject, access.Write, VictimResource(ctx, tx, v, access.VictimCompartment), tx.Now).Allowed
		if err := list(tx, mayWrite, v.Open); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "victim",
			RecordID: strconv.FormatInt(v.ID, 10), SiteID: v.SiteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: reason})
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		if victimID == 0 {
			s.denied(ctx, a, "case", caseID)
		} else {
			s.denied(ctx, a, "victim", victimID)
		}
	}
	return err
}

// caseReference is how a case's own lists name it: "case 12" or "IDVA case 7".
func caseReference(caseID, victimID int64) string {
	if victimID != 0 {
		return "IDVA case " + strconv.FormatInt(victimID, 10)
	}
	return "case " + strconv.FormatInt(caseID, 10)
}

// caseOrVictim picks the store's reader for a perpetrator's case (caseID
// set) or a victim-survivor's.
func caseOrVictim[T any](caseID int64, forCase, forVictim func(context.Context, int64) (T, error)) func(context.Context, int64) (T, error) {
	if caseID != 0 {
		return forCase
	}
	return forVictim
}
