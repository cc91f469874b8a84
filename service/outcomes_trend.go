package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/suppress"
)

// OutcomePeriod is one period of a trend: from and to, both inclusive.
type OutcomePeriod struct {
	From, To drive.Date
}

// OutcomesWithTrend computes the outcome report for f, as Outcomes does,
// and beside it the report for each period given, in order, over the same
// sites, region and programme (each over all sites in scope together:
// f.BySite applies to the main report only). The national page draws its
// trends by quarter from it. The facts are read once, over the span of f's
// period and all the periods, and every report is computed from them: a
// page with eight quarters of trends costs one read of the caseload rather
// than nine. With no periods it is Outcomes. Access is as for Outcomes:
// sites the actor may not read are "not found". Audited once, as a read of
// aggregates. Errors: EINVALID for a period that ends before it starts,
// ENOTFOUND.
func (s *Service) OutcomesWithTrend(ctx context.Context, a Actor, f OutcomeFilter, periods []OutcomePeriod) (*outcomes.Report, []*outcomes.Report, error) {
	return s.outcomesWithTrend(ctx, a, f, periods, false)
}

// WarmOutcomes computes a report and its trend afresh into the report
// cache, for drive serve to keep the pages people open most (the national
// page above all, which reads every case in the country) ready before
// anyone asks, so nobody waits while it is computed. Only a trusted entry
// point may ask; it reads as a national user does. It does nothing
// without a cache. Errors: ENOTFOUND for a person.
func (s *Service) WarmOutcomes(ctx context.Context, a Actor, f OutcomeFilter, periods []OutcomePeriod) error {
	if err := trusted(a, "report"); err != nil {
		return err
	}
	if s.Reports == nil {
		return nil
	}
	national := a
	national.Subject.Grants = append(slices.Clone(a.Subject.Grants), access.Grant{Role: access.National})
	_, _, err := s.outcomesWithTrend(ctx, national, f, periods, true)
	return err
}

func (s *Service) outcomesWithTrend(ctx context.Context, a Actor, f OutcomeFilter, periods []OutcomePeriod, refresh bool) (*outcomes.Report, []*outcomes.Report, error) {
	allowed, national := a.Subject.SitesFor(access.Aggregates, access.Read)
	if !national && len(allowed) == 0 {
		return nil, nil, drive.NotFound("report")
	}
	sites := f.SiteIDs
	for _, id := range sites {
		if !national && !slices.Contains(allowed, id) {
			return nil, nil, drive.NotFound("site")
		}
	}
	if len(sites) == 0 && !national {
		sites = allowed
	}
	// The span read: open where f's period is open.
	from, to := f.From, f.To
	for _, p := range periods {
		if p.From.IsZero() || p.To.IsZero() || p.To.Before(p.From) {
			return nil, nil, drive.Invalid("Check the periods of the trend", map[string]string{"period": "Each period needs a start and an end, in that order"})
		}
		if !from.IsZero() && p.From.Before(from) {
			from = p.From
		}
		if !to.IsZero() && p.To.After(to) {
			to = p.To
		}
	}
	var main *outcomes.Report
	trend := make([]*outcomes.Report, len(periods))
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		today := drive.DateOf(tx.Now)
		key := reportKey(sites, f, periods, today.String())
		scope := outcomes.Scope{Sites: sites, Region: f.Region, Programme: f.Programme, From: f.From, To: f.To, AsOf: today, BySite: f.BySite}
		if err := scope.Validate(); err != nil {
			return err
		}
		for _, id := range sites {
			if _, err := tx.Site(ctx, id); err != nil {
				return drive.NotFound("site")
			}
		}
		if e, ok := s.Reports.get(key, tx.Now); ok && !refresh {
			main, trend = e.main, e.trend
		} else {
			facts, err := tx.OutcomeFacts(ctx, sites, from, to)
			if err != nil {
				return err
			}
			cases, err := withAssessments(ctx, tx, facts)
			if err != nil {
				return err
			}
			ref, err := reference(ctx, tx)
			if err != nil {
				return err
			}
			rep := outcomes.Compute(scope, cases, ref, suppress.DefaultThreshold)
			main = &rep
			for i, p := range periods {
				ps := outcomes.Scope{Sites: sites, Region: f.Region, Programme: f.Programme, From: p.From, To: p.To, AsOf: today}
				rep := outcomes.Compute(ps, cases, ref, suppress.DefaultThreshold)
				trend[i] = &rep
			}
			s.Reports.put(key, cachedReport{at: tx.Now, main: main, trend: trend})
		}
		what := fmt.Sprintf("%d sites", len(sites))
		if len(sites) == 0 {
			what = "all sites"
		}
		reason := fmt.Sprintf("outcomes: %s, programme %q, %s to %s, with %d trend periods", what, f.Programme, f.From, f.To, len(periods))
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(aggregateRole(a)),
			RecordType: "report", RecordID: "outcomes", Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: reason})
	})
	if err != nil {
		return nil, nil, err
	}
	return main, trend, nil
}
