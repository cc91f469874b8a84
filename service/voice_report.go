package service

import (
	"context"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/suppress"
)

// HerMeasures is her own measures for the outcome report.
type HerMeasures struct {
	Definition string
	Measures   []outcomes.VoiceMeasure
}

// HerOwnMeasures computes the victim-survivors' own measures (package
// outcomes, VoiceMeasures) for the outcome report, over site (0: every
// site the reader may see). They are for readers on the IDVA side and the
// national team only: the staff of an IDVA service see their own sites,
// the national team every site. For anyone else it returns nil and no
// error, and reads nothing: a perpetrator-side report must not change
// when she answers, not even in a count.
func (s *Service) HerOwnMeasures(ctx context.Context, a Actor, site int64) (*HerMeasures, error) {
	// Every outcome page and download asks: most readers are neither, and
	// are answered without a transaction.
	if !national(a) && a.Subject.OrganisationKind != access.IDVAService {
		return nil, nil
	}
	var out *HerMeasures
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		nat := national(a)
		var ids []int64
		for _, st := range sites {
			if (site == 0 || st.ID == site) && (nat || idvaServiceAt(a, st.ID)) {
				ids = append(ids, st.ID)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		outs, _, err := tx.SiteReportedOutcomes(ctx, ids)
		if err != nil {
			return err
		}
		out = &HerMeasures{Definition: outcomes.VoiceDefinition, Measures: outcomes.VoiceMeasures(outs, suppress.DefaultThreshold)}
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, RecordType: "reported_outcomes",
			Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: "her own measures in the outcome report"})
	})
	return out, err
}
