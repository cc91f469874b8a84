package web

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// outcomeSeed describes the synthetic cases seeded at one site for the
// outcome reports: n perpetrators' cases referred over the last two and a
// half years, most allocated, many closed, each with one or two
// victim-survivors, behaviour assessments at T1 and T3 (some missing),
// IDVA exit ratings, actions and a few repeat MARAC hearings. The effects
// are about the evaluation's size (physical abuse stopped in about four
// cases in five, and so on) with noise. Names are synthetic.
type outcomeSeed struct {
	site     int64
	n        int
	manager  int64 // the case manager holding the allocated cases
	idva     int64 // the IDVA allocated to most victim-survivors
	assessor int64 // who completed the assessments
	rnd      *rand.Rand
}

// seedOutcomeCases writes the cases through the store, as the
// conformance suite does; it returns the IDs of the first case, its
// person and its first victim-survivor, for the tests that look for
// person-level records.
func seedOutcomeCases(ctx context.Context, tx *store.Tx, now time.Time, s outcomeSeed) (caseID, personID, victimID int64, err error) {
	today := drive.DateOf(now)
	r := s.rnd
	pick := func(os []people.Option) string { return os[r.IntN(len(os))].Code }
	tri := func(p float64) risk.Tri {
		if r.Float64() < p {
			return risk.Used
		}
		return risk.NotUsed
	}
	types := map[string]string{"disrupt": "bail-review", "change": "one-to-one", "support": "housing-referral"}
	for i := 0; i < s.n; i++ {
		p := &people.Person{SiteID: s.site, GivenName: "Synthetic", FamilyName: fmt.Sprintf("Perpetrator%06d", i),
			DateOfBirth: drive.MustDate("1970-01-01").AddDays(r.IntN(12000)), Gender: pick(people.Genders()),
			Ethnicity: pick(people.Ethnicities()), SexualOrientation: pick(people.SexualOrientations()), Disability: pick(people.Disabilities())}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return 0, 0, 0, err
		}
		referred := today.AddDays(-30 - r.IntN(870))
		c := &casework.Case{SiteID: s.site, PersonID: p.ID, Programme: "drive", State: casework.Referred, Engagement: casework.Engaged,
			Source: casework.FromMARAC, ReferredAt: referred, Summary: "Synthetic case", Evidence: programme.Evidence{DASHScore: 14 + r.IntN(10)}}
		if i%7 == 6 {
			c.Programme = "restart"
		}
		if err := tx.CreateCase(ctx, c); err != nil {
			return 0, 0, 0, err
		}
		if i == 0 {
			caseID, personID = c.ID, p.ID
		}
		allocated := r.Float64() < 0.88
		var closed drive.Date
		if allocated {
			at := referred.AddDays(7 + r.IntN(30)).Time()
			c.State, c.CaseManagerID, c.AllocatedAt, c.StartedAt = casework.Active, s.manager, &at, &at
			c.DecisionReasons, c.DecidedBy, c.DecidedAt = "Panel agreed", s.manager, &at
			c.NextReviewDue = today.AddDays(r.IntN(30))
			if r.Float64() < 0.15 {
				c.Engagement = casework.Engagements()[r.IntN(len(casework.Engagements()))]
			}
			if end := drive.DateOf(at).AddDays(200 + r.IntN(200)); end.Before(today) {
				closed = end
				t := end.Time()
				c.State, c.ClosedAt, c.ClosureReason = casework.Closed, &t, "completed"
			}
			if err := tx.UpdateCase(ctx, c); err != nil {
				return 0, 0, 0, err
			}
		}
		// One victim-survivor, sometimes two.
		for v := 0; v < 1+min(r.IntN(4), 1)*r.IntN(2); v++ {
			vc := &victim.Case{SiteID: s.site, GivenName: "Synthetic", FamilyName: fmt.Sprintf("Survivor%06d-%d", i, v),
				DateOfBirth: drive.MustDate("1975-01-01").AddDays(r.IntN(12000)), Gender: "female", Ethnicity: pick(people.Ethnicities()),
				SexualOrientation: pick(people.SexualOrientations()), Disability: pick(people.Disabilities())}
			if r.Float64() < 0.8 {
				vc.IDVAID = s.idva
			}
			if err := tx.CreateVictimCase(ctx, vc); err != nil {
				return 0, 0, 0, err
			}
			if i == 0 && v == 0 {
				victimID = vc.ID
			}
			if err := tx.LinkVictim(ctx, victim.Link{VictimCaseID: vc.ID, PerpetratorCase: c.ID, Relationship: victim.ExPartner,
				LivingTogether: r.Float64() < 0.2}); err != nil {
				return 0, 0, 0, err
			}
			if !allocated || (v > 0 && r.Float64() < 0.5) {
				continue
			}
			start := drive.DateOf(*c.AllocatedAt)
			t1 := &risk.BehaviourAssessment{VictimID: vc.ID, CaseID: c.ID, TimePoint: "T1", Physical: tri(0.6), Sexual: tri(0.25),
				Stalking: tri(0.55), Controlling: tri(0.85), AssessedOn: start.AddDays(r.IntN(14)), AssessedBy: s.assessor}
			if t1.AssessedOn.After(today) {
				t1.AssessedOn = today
			}
			if r.Float64() < 0.9 {
				if err := tx.SaveBehaviour(ctx, t1); err != nil {
					return 0, 0, 0, err
				}
			}
			if closed.IsZero() || r.Float64() < 0.15 {
				continue
			}
			// At exit most who used a behaviour have stopped.
			keep := func(was risk.Tri, p float64) risk.Tri {
				if was == risk.Used {
					return tri(p)
				}
				return tri(0.03)
			}
			t3 := &risk.BehaviourAssessment{VictimID: vc.ID, CaseID: c.ID, TimePoint: "T3", Physical: keep(t1.Physical, 0.18),
				Sexual: keep(t1.Sexual, 0.12), Stalking: keep(t1.Stalking, 0.25), Controlling: keep(t1.Controlling, 0.27),
				AssessedOn: closed, AssessedBy: s.assessor}
			if r.Float64() < 0.85 {
				t3.RiskChange = []string{risk.RiskReducedSignificantly, risk.RiskReducedModerately, risk.RiskReducedModerately, risk.RiskReducedSlightly,
					risk.RiskReducedSignificantly}[r.IntN(5)]
			}
			if err := tx.SaveBehaviour(ctx, t3); err != nil {
				return 0, 0, 0, err
			}
			if r.Float64() < 0.12 {
				if heard := closed.AddDays(30 + r.IntN(300)); heard.Before(today) {
					if err := tx.AddMARACDate(ctx, vc.ID, c.ID, heard); err != nil {
						return 0, 0, 0, err
					}
				}
			}
		}
		if !allocated {
			continue
		}
		start := drive.DateOf(*c.AllocatedAt)
		for j, prong := range []string{"disrupt", "change", "support"} {
			a := &casework.Action{CaseID: c.ID, Prong: prong, Type: types[prong], Agency: "Police", Owner: "Synthetic owner",
				DueOn: start.AddDays(30 + 30*j), Status: casework.ActionOpen}
			if c.Programme == "restart" {
				a.Type = map[string]string{"disrupt": "housing-move", "change": "one-to-one", "support": "substance-use"}[prong]
			}
			if !a.DueOn.After(today) && r.Float64() < 0.75 {
				a.Status, a.Outcome = casework.ActionDone, "Done as planned"
			}
			if err := tx.CreateAction(ctx, a); err != nil {
				return 0, 0, 0, err
			}
		}
	}
	return caseID, personID, victimID, nil
}
