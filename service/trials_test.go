package service_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestTrials runs a trial at site A on both engines: who may start it,
// allocation at the panel's acceptance and never before, one place per
// referral in its stratum, no case work for the comparison arm, the
// balance per stratum, and verification from the seed once it has ended.
func TestTrials(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testTrial(t, newWorld(t, e)) })
	}
}

func testTrial(t *testing.T, w *world) {
	ctx := context.Background()
	lead, cm := w.actor(t, "lead"), w.actor(t, "cm")

	// A referral accepted before the trial starts is not allocated.
	before := acceptReferral(t, w, lead, 0, 16)

	tr := &evaluation.Trial{SiteID: w.siteA.ID, Name: "Northmoor trial", Programme: "drive"}
	wantCode(t, w.svc.StartTrial(ctx, cm, tr), drive.ENOTFOUND)
	wantCode(t, w.svc.StartTrial(ctx, lead, &evaluation.Trial{SiteID: w.siteB.ID, Name: "Elsewhere"}), drive.ENOTFOUND)
	wantCode(t, w.svc.StartTrial(ctx, lead, &evaluation.Trial{SiteID: w.siteA.ID, Name: "Bad", Programme: "nonesuch"}), drive.EINVALID)
	if err := w.svc.StartTrial(ctx, lead, tr); err != nil {
		t.Fatal(err)
	}
	wantCode(t, w.svc.StartTrial(ctx, service.CommandLine(), &evaluation.Trial{SiteID: w.siteA.ID, Name: "Second"}), drive.ECONFLICT)

	if v, err := w.svc.CasePage(ctx, lead, before); err != nil || v.Arm != nil {
		t.Errorf("referral accepted before the trial: arm %+v, %v", v.Arm, err)
	}

	// A referral is not allocated while it waits for the panel, nor when
	// it is declined.
	res, err := w.svc.Refer(ctx, lead, referral(w, "Waiting", "Person", "1980-01-01"))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := w.svc.CasePage(ctx, lead, res.CaseID); err != nil || v.Arm != nil {
		t.Errorf("referral not yet decided: arm %+v, %v", v.Arm, err)
	}
	if err := w.svc.Move(ctx, lead, res.CaseID, casework.Change{Event: casework.Decline, Reasons: "Not eligible"}); err != nil {
		t.Fatal(err)
	}
	if v, err := w.svc.CasePage(ctx, lead, res.CaseID); err != nil || v.Arm != nil {
		t.Errorf("declined referral: arm %+v, %v", v.Arm, err)
	}

	// Accepted referrals in two bands are allocated, each at its place.
	scores := []int{16, 11, 15, 3, 20, 12, 14, 18, 9, 17}
	seq := w.head(t)
	arms := map[int64]string{}
	ids := make([]int64, len(scores))
	for i, sc := range scores {
		id := acceptReferral(t, w, lead, i+1, sc)
		ids[i] = id
		v, err := w.svc.CasePage(ctx, lead, id)
		if err != nil {
			t.Fatal(err)
		}
		if v.Arm == nil || v.Arm.TrialName != tr.Name || v.Arm.OutcomeEnd != drive.DateOf(now).AddMonths(evaluation.DefaultOutcomeMonths) {
			t.Fatalf("accepted referral %d: arm %+v", i, v.Arm)
		}
		arms[id] = v.Arm.Arm
		if v.Arm.Arm == evaluation.ArmComparison {
			for _, tr := range v.Transitions {
				if tr.Event == casework.Allocate {
					t.Errorf("comparison referral %d offers allocation to a case manager", id)
				}
			}
			err := w.svc.Move(ctx, lead, id, casework.Change{Event: casework.Allocate, CaseManagerID: w.users["cm"].ID})
			wantCode(t, err, drive.ECONFLICT)
		} else if err := w.svc.Move(ctx, lead, id, casework.Change{Event: casework.Allocate, CaseManagerID: w.users["cm"].ID}); err != nil {
			t.Errorf("intervention referral %d: %v", id, err)
		}
	}
	// The team's dashboard does not list comparison referrals as waiting
	// for a case manager.
	dash, err := w.svc.Dashboard(ctx, lead, w.siteA.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range dash.Unallocated {
		if arms[r.Case.ID] == evaluation.ArmComparison {
			t.Errorf("comparison referral %d listed as waiting for allocation", r.Case.ID)
		}
	}
	allocations := 0
	for _, e := range w.events(t, seq) {
		if e.Action == "record.write" && strings.HasPrefix(e.Reason, "trial allocation") {
			allocations++
			if e.ActorRole != "team_leader" || e.RecordType != "case" {
				t.Errorf("allocation audited as %+v", e)
			}
		}
	}
	if allocations != len(scores) {
		t.Errorf("%d allocations audited, want %d", allocations, len(scores))
	}

	// The balance counts what was allocated, per band and overall.
	wantCodeOf := func(err error, code string) {
		t.Helper()
		wantCode(t, err, code)
	}
	seq = w.head(t)
	_, err = w.svc.Balance(ctx, cm, tr.ID)
	wantCodeOf(err, drive.ENOTFOUND)
	if es := w.events(t, seq); len(es) != 1 || es[0].Action != "access.denied" || es[0].RecordType != "trial" || es[0].SiteID != w.siteA.ID {
		t.Errorf("a refused balance is audited as %s", summary(es))
	}
	bal, err := w.svc.Balance(ctx, lead, tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]evaluation.Counts{}
	for i, sc := range scores {
		band := evaluation.BandOf(sc)
		c := want[band]
		if arms[ids[i]] == evaluation.ArmIntervention {
			c.Intervention++
		} else {
			c.Comparison++
		}
		want[band] = c
	}
	overall := evaluation.Counts{}
	for _, s := range bal.Strata[:len(bal.Strata)-1] {
		w := want[s.Band]
		w.Imbalance = abs(w.Intervention - w.Comparison)
		if s.Counts != w {
			t.Errorf("band %s: balance %+v, want %+v", s.Band, s.Counts, w)
		}
		overall.Intervention += w.Intervention
		overall.Comparison += w.Comparison
		delete(want, s.Band)
	}
	if len(want) != 0 {
		t.Errorf("bands missing from the balance: %v", want)
	}
	overall.Imbalance = abs(overall.Intervention - overall.Comparison)
	if bal.Overall() != overall || overall.Intervention+overall.Comparison != len(scores) {
		t.Errorf("overall balance %+v, want %+v", bal.Overall(), overall)
	}

	// The outcome report sets the arms side by side where the trial runs,
	// with small numbers withheld, and not elsewhere.
	rep, err := w.svc.Outcomes(ctx, lead, service.OutcomeFilter{SiteIDs: []int64{w.siteA.ID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Arms) != 2 {
		t.Fatalf("outcome report arms = %+v", rep.Arms)
	}
	for _, a := range rep.Arms {
		n := 0
		for _, arm := range arms {
			if arm == a.Arm {
				n++
			}
		}
		m := a.Measures[0]
		if m.Name != "trial_referrals" || m.Suppressed != (n >= 1 && n <= 7) || (!m.Suppressed && m.Numerator != (n+2)/5*5) {
			t.Errorf("%s: %d referrals published as %+v", a.Arm, n, m)
		}
	}
	rep, err = w.svc.SystemOutcomes(ctx, service.CommandLine(), service.OutcomeFilter{SiteIDs: []int64{w.siteB.ID}})
	if err != nil || rep.Arms != nil {
		t.Errorf("a site without a trial: arms %+v, %v", rep.Arms, err)
	}

	// Verification waits for the end, then finds every allocation is the
	// seed's, and the seed it reveals recomputes them without the system.
	_, err = w.svc.VerifyTrial(ctx, lead, tr.ID)
	wantCodeOf(err, drive.ECONFLICT)
	wantCode(t, w.svc.EndTrial(ctx, cm, tr.ID), drive.ENOTFOUND)
	if err := w.svc.EndTrial(ctx, lead, tr.ID); err != nil {
		t.Fatal(err)
	}
	after := acceptReferral(t, w, lead, 99, 16)
	if v, err := w.svc.CasePage(ctx, lead, after); err != nil || v.Arm != nil {
		t.Errorf("referral accepted after the trial ended: arm %+v, %v", v.Arm, err)
	}
	// A key rotation re-wraps the seed with everything else: once the
	// old key is gone, the seed still opens.
	old := w.svc.Keys.Current().ID()
	if err := w.svc.Keys.Rotate(rand.Reader); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.RewrapKeys(ctx, service.CommandLine()); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Keys.Remove(old); err != nil {
		t.Fatal(err)
	}
	ver, err := w.svc.VerifyTrial(ctx, service.CommandLine(), tr.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ver.Allocations != len(scores) || len(ver.Mismatches) != 0 {
		t.Errorf("verification: %d allocations, mismatches %+v", ver.Allocations, ver.Mismatches)
	}
	al := evaluation.NewAllocator(ver.Seed)
	err = w.db.View(ctx, func(tx *store.Tx) error {
		recs, err := tx.TrialAllocations(ctx, tr.ID)
		if err != nil {
			return err
		}
		for _, r := range recs {
			a, err := al.Allocate(w.siteA.ID, r.Allocation.Stratum.Band, r.Allocation.Seq)
			if err != nil {
				return err
			}
			if a != r.Allocation || arms[r.CaseID] != a.Arm {
				t.Errorf("case %d: stored %+v (shown %s), the seed gives %+v", r.CaseID, r.Allocation, arms[r.CaseID], a)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	list, err := w.svc.Trials(ctx, lead)
	if err != nil || len(list) != 1 || list[0].Running() {
		t.Errorf("trials = %+v, %v", list, err)
	}
	if list, err := w.svc.Trials(ctx, cm); err != nil || len(list) != 0 {
		t.Errorf("a case manager's trials = %+v, %v", list, err)
	}
}

// acceptReferral refers a new person to site A with a DASH score and has
// the team leader accept the referral; n makes the person unique.
func acceptReferral(t *testing.T, w *world, lead service.Actor, n, dash int) int64 {
	t.Helper()
	ctx := context.Background()
	in := referral(w, "Trial", fmt.Sprintf("Referral%03d", n), "1979-03-01")
	in.Person.DateOfBirth = in.Person.DateOfBirth.AddDays(n)
	in.Case.Evidence.DASHScore = dash
	in.NotDuplicate = true
	res, err := w.svc.Refer(ctx, lead, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.svc.Move(ctx, lead, res.CaseID, casework.Change{Event: casework.Accept, Reasons: "Meets the criteria"}); err != nil {
		t.Fatal(err)
	}
	return res.CaseID
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
