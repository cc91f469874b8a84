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

// OutcomeTrend computes the outcome report for each period, in the order
// given, over the sites, region and programme of f (its From, To and
// BySite are ignored: each period is its own, over all sites in scope).
// The national page draws its trends by quarter from it. The facts are
// read once, over the span of all the periods, and each report is
// computed from them, so eight quarters cost one read rather than eight.
// Access is as for Outcomes: sites the actor may not read are "not
// found". Audited once, as a read of aggregates. Errors: EINVALID for a
// period that ends before it starts or no period, ENOTFOUND.
func (s *Service) OutcomeTrend(ctx context.Context, a Actor, f OutcomeFilter, periods []OutcomePeriod) ([]*outcomes.Report, error) {
	allowed, national := a.Subject.SitesFor(access.Aggregates, access.Read)
	if !national && len(allowed) == 0 {
		return nil, drive.NotFound("report")
	}
	sites := f.SiteIDs
	for _, id := range sites {
		if !national && !slices.Contains(allowed, id) {
			return nil, drive.NotFound("site")
		}
	}
	if len(sites) == 0 && !national {
		sites = allowed
	}
	if len(periods) == 0 {
		return nil, drive.Invalid("Give the periods of the trend", map[string]string{"period": "Give at least one period"})
	}
	from, to := periods[0].From, periods[0].To
	for _, p := range periods {
		if p.From.IsZero() || p.To.IsZero() || p.To.Before(p.From) {
			return nil, drive.Invalid("Check the periods of the trend", map[string]string{"period": "Each period needs a start and an end, in that order"})
		}
		if p.From.Before(from) {
			from = p.From
		}
		if p.To.After(to) {
			to = p.To
		}
	}
	out := make([]*outcomes.Report, len(periods))
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		today := drive.DateOf(tx.Now)
		for _, id := range sites {
			if _, err := tx.Site(ctx, id); err != nil {
				return drive.NotFound("site")
			}
		}
		facts, err := tx.OutcomeFacts(ctx, sites, from, to)
		if err != nil {
			return err
		}
		cases, err := withAssessments(ctx, tx, facts)
		if err != nil {
			return err
		}
		for i, p := range periods {
			scope := outcomes.Scope{Sites: sites, Region: f.Region, Programme: f.Programme, From: p.From, To: p.To, AsOf: today}
			if err := scope.Validate(); err != nil {
				return err
			}
			rep := outcomes.Compute(scope, cases, outcomes.DefaultReference(), suppress.DefaultThreshold)
			out[i] = &rep
		}
		what := fmt.Sprintf("%d sites", len(sites))
		if len(sites) == 0 {
			what = "all sites"
		}
		reason := fmt.Sprintf("outcome trend: %s, programme %q, %d periods from %s to %s", what, f.Programme, len(periods), from, to)
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(aggregateRole(a)),
			RecordType: "report", RecordID: "outcomes", Remote: a.Remote, Outcome: audit.OutcomeAllowed, Reason: reason})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
