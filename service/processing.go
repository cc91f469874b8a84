package service

import (
	"context"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/processing"
	"github.com/drive-platform/drive/store"
)

// RecordsOfProcessing is the record of processing and DPIA outline built
// from this service's configuration: the access policy, the retention
// schedule in force (Service.Schedule), and the processors it uses (the e-mail relay when one is
// configured). It holds no personal data; reading it is still audited, as
// every page of the data protection officer's is. Errors: ENOTFOUND for
// anyone who may not read the audit log.
func (s *Service) RecordsOfProcessing(ctx context.Context, a Actor) (processing.Record, error) {
	rec := processing.Build(s.RetentionSchedule(), processing.DefaultProcessors(s.Mail != nil))
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		// The record is the service's, not a site's: whoever may read the
		// audit log at any site, or nationally, may read it.
		allowed := false
		for _, g := range a.Subject.Grants {
			r := access.Resource{Class: access.Audit, RecordType: "records_of_processing", SiteID: g.SiteID}
			allowed = allowed || access.Decide(a.Subject, access.Read, r, tx.Now).Allowed
		}
		if !allowed {
			return drive.NotFound("records of processing")
		}
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: actorRole(a, access.DPO),
			RecordType: "records_of_processing", Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
	return rec, err
}
