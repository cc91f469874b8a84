package service_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// TestOutcomeTrend: each period's report read in one go is the report
// Outcomes gives for that period alone; access is as for Outcomes; no
// period, or one ending before it starts, is refused.
func TestOutcomeTrend(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			today := drive.DateOf(now)
			periods := []service.OutcomePeriod{{From: today.AddMonths(-6), To: today.AddMonths(-3)}, {From: today.AddMonths(-3).AddDays(1), To: today}}
			reps, err := w.svc.OutcomeTrend(ctx, w.actor(t, "lead"), service.OutcomeFilter{}, periods)
			if err != nil || len(reps) != 2 {
				t.Fatalf("trend: %d reports, %v", len(reps), err)
			}
			for i, p := range periods {
				one, err := w.svc.Outcomes(ctx, w.actor(t, "lead"), service.OutcomeFilter{From: p.From, To: p.To})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(one.Measures, reps[i].Measures) {
					t.Errorf("period %d: the trend's figures differ from the report's", i)
				}
			}
			if _, err := w.svc.OutcomeTrend(ctx, w.actor(t, "lead"), service.OutcomeFilter{SiteIDs: []int64{w.siteB.ID}}, periods); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("another site's trend: %v; want not found", err)
			}
			if _, err := w.svc.OutcomeTrend(ctx, w.actor(t, "lead"), service.OutcomeFilter{}, nil); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("no periods: %v; want invalid", err)
			}
			bad := []service.OutcomePeriod{{From: today, To: today.AddDays(-1)}}
			if _, err := w.svc.OutcomeTrend(ctx, w.actor(t, "lead"), service.OutcomeFilter{}, bad); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a period ending before it starts: %v; want invalid", err)
			}
		})
	}
}
