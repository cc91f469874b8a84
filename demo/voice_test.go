package demo_test

import (
	"context"
	"testing"

	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/voice"
)

// TestDemoHerVoice checks the demo gives her own answers: most women at
// intake with their IDVA, and at exit some with their IDVA and some
// through a code, shared or anonymous, with views of the support.
func TestDemoHerVoice(t *testing.T) {
	d := generateSealed(t, 42, built)
	ctx := context.Background()
	bySource := map[voice.Source]map[string]int{voice.FromIDVA: {}, voice.FromHerself: {}}
	var anon, views, texts, women int
	err := d.db.View(ctx, func(tx *store.Tx) error {
		sites, err := tx.Sites(ctx)
		if err != nil {
			return err
		}
		var ids []int64
		for _, s := range sites {
			ids = append(ids, s.ID)
		}
		outs, _, err := tx.SiteReportedOutcomes(ctx, ids)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, o := range outs {
			seen[o.VictimCaseID] = true
			got, err := tx.ReportedOutcomes(ctx, o.VictimCaseID)
			if err != nil {
				return err
			}
			for _, g := range got {
				if g.TimePoint == o.TimePoint && g.ReportedOn == o.ReportedOn {
					bySource[g.Source][g.TimePoint]++
					break
				}
			}
		}
		women = len(seen)
		a, err := tx.AnonymousOutcomes(ctx, ids)
		anon = len(a)
		if err != nil {
			return err
		}
		vs, err := tx.ServiceViews(ctx, ids)
		for _, v := range vs {
			views++
			if len(v.Text.Data) > 0 {
				texts++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d women; with IDVA %v; herself %v; anonymous %d; views %d (%d written)", women, bySource[voice.FromIDVA], bySource[voice.FromHerself], anon, views, texts)
	if women < 100 || bySource[voice.FromIDVA]["T1"] < 100 || bySource[voice.FromIDVA]["T3"] < 10 || bySource[voice.FromHerself]["T3"] < 10 ||
		bySource[voice.FromHerself]["T1"] != 0 || anon < 5 || views < 20 || texts < 5 {
		t.Error("the demo does not give enough of her own answers of every kind")
	}
}
