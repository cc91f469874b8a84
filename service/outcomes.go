package service

import (
	"context"
	"slices"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/schedule"
	"github.com/drive-platform/drive/store"
)

// Outcome reports (package outcomes): the measures the evaluation used,
// for the sites whose aggregates the actor may read. Every figure leaves
// the service already suppressed; nothing person-level does.

// OutcomeFilter chooses a report: sites (empty: every site the actor may
// report on), a region, a programme code, the period and whether to
// break the figures down by site.
type OutcomeFilter struct {
	SiteIDs   []int64
	Region    string
	Programme string
	From, To  drive.Date
	BySite    bool
}

// OutcomeSites lists the sites whose outcomes the actor may read, and
// whether they read the nation (every site, present and future).
func (s *Service) OutcomeSites(ctx context.Context, a Actor) ([]account.Site, bool, error) {
	ids, national := a.Subject.SitesFor(access.Aggregates, access.Read)
	if !national && len(ids) == 0 {
		return nil, false, nil
	}
	var out []account.Site
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		all, err := tx.Sites(ctx)
		for _, st := range all {
			if national || slices.Contains(ids, st.ID) {
				out = append(out, st)
			}
		}
		return err
	})
	return out, national, err
}

// Outcomes computes an outcome report as of today: OutcomesWithTrend
// with no trend. Sites the actor may not read are "not found"; an actor
// who reads no site's aggregates gets "not found" too. Audited as a read
// of aggregates, with the scope. Errors: EINVALID for a bad period,
// ENOTFOUND.
func (s *Service) Outcomes(ctx context.Context, a Actor, f OutcomeFilter) (*outcomes.Report, error) {
	rep, _, err := s.OutcomesWithTrend(ctx, a, f, nil)
	return rep, err
}

// SystemOutcomes is Outcomes for a trusted entry point: `drive report`,
// run by the operator on the server. The command line holds the powers of
// a national administrator, and administrators read no aggregates, so it
// reads the outcomes as a national user does: every site's figures, already
// suppressed, and never a person-level row. Like the other trusted use
// cases it refuses a person (ENOTFOUND), whatever roles they hold. Audited
// as Outcomes is, with the entry point's name as the remote address and
// the role "national".
func (s *Service) SystemOutcomes(ctx context.Context, a Actor, f OutcomeFilter) (*outcomes.Report, error) {
	if err := trusted(a, "report"); err != nil {
		return nil, err
	}
	national := a
	national.Subject.Grants = append(slices.Clone(a.Subject.Grants), access.Grant{Role: access.National})
	return s.Outcomes(ctx, national, f)
}

// aggregateRole is the role an actor reads aggregates in, for the audit.
func aggregateRole(a Actor) access.Role {
	for _, r := range access.Roles() {
		if a.Subject.HasRole(r) && access.Allowed(r, access.Aggregates, access.Site) >= access.Read ||
			a.Subject.HasRole(r) && access.Allowed(r, access.Aggregates, access.Any) >= access.Read {
			return r
		}
	}
	return ""
}

// withAssessments lays each case's behaviour-assessment schedule over its
// course (package schedule, as the caseload shows it) and records, for
// each time point due, when it was done: the fidelity measure "assessments
// done on time" reads them.
func withAssessments(ctx context.Context, tx *store.Tx, facts []store.OutcomeCase) ([]outcomes.CaseFacts, error) {
	progs := newProgrammes(tx)
	out := make([]outcomes.CaseFacts, len(facts))
	for i, oc := range facts {
		c := oc.CaseFacts
		co := schedule.Course{Start: oc.StartedOn, Closed: c.ClosedOn}
		if co.Start.IsZero() {
			co.Start = c.AllocatedOn
		}
		if !co.Start.IsZero() {
			prog, err := progs.of(ctx, c.SiteID, c.Programme)
			if err != nil {
				return nil, err
			}
			done := map[string]drive.Date{}
			for _, b := range c.Behaviour {
				if d, ok := done[b.TimePoint]; !ok || b.AssessedOn.Before(d) {
					done[b.TimePoint] = b.AssessedOn
				}
			}
			for _, p := range schedule.Behaviours(prog, co, done).Points {
				if p.Due.IsZero() {
					continue
				}
				c.Assessments = append(c.Assessments, outcomes.AssessmentFacts{TimePoint: p.Code, DueOn: p.Due, DoneOn: p.DoneOn})
			}
		}
		out[i] = c
	}
	return out, nil
}
