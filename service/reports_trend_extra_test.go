package service_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// TestOutcomesWithTrend: the main report and each period's report, read
// in one go, are the reports Outcomes gives for each alone; access is as
// for Outcomes; a period ending before it starts is refused.
func TestOutcomesWithTrend(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			today := drive.DateOf(now)
			periods := []service.OutcomePeriod{{From: today.AddMonths(-6), To: today.AddMonths(-3)}, {From: today.AddMonths(-3).AddDays(1), To: today}}
			f := service.OutcomeFilter{From: today.AddMonths(-12), To: today, BySite: true}
			main, reps, err := w.svc.OutcomesWithTrend(ctx, w.actor(t, "lead"), f, periods)
			if err != nil || len(reps) != 2 {
				t.Fatalf("trend: %d reports, %v", len(reps), err)
			}
			alone, err := w.svc.Outcomes(ctx, w.actor(t, "lead"), f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(alone.Measures, main.Measures) || !reflect.DeepEqual(alone.Equality, main.Equality) {
				t.Errorf("the main report differs from Outcomes' report")
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
			if _, _, err := w.svc.OutcomesWithTrend(ctx, w.actor(t, "lead"), service.OutcomeFilter{SiteIDs: []int64{w.siteB.ID}}, periods); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("another site's trend: %v; want not found", err)
			}
			bad := []service.OutcomePeriod{{From: today, To: today.AddDays(-1)}}
			if _, _, err := w.svc.OutcomesWithTrend(ctx, w.actor(t, "lead"), service.OutcomeFilter{}, bad); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a period ending before it starts: %v; want invalid", err)
			}
		})
	}
}
