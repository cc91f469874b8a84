package service

import (
	"context"
	"errors"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// AuditRow is one event of an audit search, with the actor named.
type AuditRow struct {
	audit.Event
	Actor string // "Name (username)", or "Nobody signed in"
}

// SearchAudit answers the data protection officer's question: who looked
// at this record, and why. It returns the newest 500 events for the record
// at each site the actor audits (all sites for a national officer), and
// audits the search itself. Errors: EINVALID naming record_type or
// record_id when they cannot name a record.
func (s *Service) SearchAudit(ctx context.Context, a Actor, recordType, recordID string) ([]AuditRow, error) {
	if fields := audit.CheckRecord(recordType, recordID); fields != nil {
		return nil, drive.Invalid("Check the search", fields)
	}
	sites, national := a.Subject.SitesFor(access.Audit, access.Read)
	var out []AuditRow
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		names := map[int64]string{}
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			names[u.ID] = u.DisplayName + " (" + u.Username + ")"
		}
		scopes := sites
		if national {
			scopes = []int64{0}
		}
		for _, site := range scopes {
			evs, err := tx.AuditEvents(ctx, store.AuditFilter{RecordType: recordType, RecordID: recordID, SiteID: site, Limit: 500})
			if err != nil {
				return err
			}
			for _, e := range evs {
				actor := names[e.ActorID]
				if e.ActorID == 0 {
					actor = "Nobody signed in"
				}
				out = append(out, AuditRow{Event: e, Actor: actor})
			}
		}
		return tx.Audit(ctx, audit.Event{Action: "audit.read", ActorID: a.UserID, ActorRole: string(access.DPO), RecordType: recordType,
			RecordID: recordID, Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: "audit search: " + strconv.Itoa(len(out)) + " events"})
	})
	return out, err
}

// AuditCheck is the outcome of reading the whole audit log through a
// Verifier.
type AuditCheck struct {
	Report audit.Report
	// Broken is the *audit.BreakError when the log is broken, else nil.
	Broken error
	// Found is the stored event at the break, when the break is at an
	// event rather than at the end of the log.
	Found *audit.Event
}

// CheckAuditLog streams every event of the log, in order, through v,
// calling progress (if not nil) after every `every` events. The error is
// for a check that could not be completed (the database failed); a broken
// log is reported in the result. Checking reads nothing personal and
// changes nothing, so it is neither policed nor audited: it is the
// operator's check that the log itself can be trusted.
func (s *Service) CheckAuditLog(ctx context.Context, v *audit.Verifier, every int64, progress func(seen, seq int64)) (AuditCheck, error) {
	var res AuditCheck
	var seen int64
	err := s.DB.EachAuditEvent(ctx, func(e audit.Event) error {
		if err := v.Add(e); err != nil {
			res.Found = &e
			return err
		}
		seen++
		if progress != nil && every > 0 && seen%every == 0 {
			progress(seen, e.Seq)
		}
		return nil
	})
	var be *audit.BreakError
	if err != nil && !errors.As(err, &be) {
		return AuditCheck{}, err
	}
	res.Report, res.Broken = v.Finish()
	if res.Broken == nil {
		res.Found = nil
	}
	return res, nil
}
