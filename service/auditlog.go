package service

import (
	"context"
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
