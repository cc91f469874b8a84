package outcomes

import (
	"fmt"
	"math/rand/v2"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/risk"
)

// genAsOf is the report date of generated case sets.
var genAsOf = drive.MustDate("2026-06-30")

// pick returns a random element of xs.
func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func codes(opts []people.Option) []string {
	var out []string
	for _, o := range opts {
		out = append(out, o.Code)
	}
	return append(out, "") // an unanswered field
}

// genCase builds one synthetic case with random facts over the three years
// before genAsOf: some never allocated, some open, some closed; assessments
// with gaps and "not known" answers; random equality answers.
func genCase(rng *rand.Rand, id int64, site int) CaseFacts {
	referred := genAsOf.AddDays(-rng.IntN(3 * 365))
	c := CaseFacts{
		CaseID:     id,
		SiteID:     int64(site + 1),
		SiteCode:   fmt.Sprintf("S%02d", site+1),
		Region:     fmt.Sprintf("R%d", site%4),
		Programme:  pick(rng, []string{"drive", "drive", "drive", "restart"}),
		State:      casework.Referred,
		ReferredOn: referred,
		Engagement: casework.NotYetContacted,
		Children:   rng.IntN(4),
	}
	eqOf := func() Equality {
		e := Equality{
			Ethnicity:         pick(rng, codes(people.Ethnicities())),
			Sex:               pick(rng, codes(people.Genders())),
			Disability:        pick(rng, codes(people.Disabilities())),
			SexualOrientation: pick(rng, codes(people.SexualOrientations())),
		}
		if rng.IntN(10) > 0 {
			e.DateOfBirth = referred.AddDays(-365*16 - rng.IntN(365*60))
		}
		return e
	}
	c.Perpetrator = eqOf()
	for v := range 1 + rng.IntN(2) {
		vid := id*4 + int64(v)
		if rng.IntN(50) == 0 {
			vid = id*4 - 4 // linked to the previous case's victim-survivor too
		}
		c.Victims = append(c.Victims, VictimFacts{ID: vid, IDVA: rng.IntN(5) > 0, LivingTogether: rng.IntN(3) == 0, Equality: eqOf()})
	}
	if rng.IntN(10) == 0 {
		return c // never allocated
	}
	c.AllocatedOn = referred.AddDays(rng.IntN(40))
	c.CaseManagerID = int64(site*10 + rng.IntN(5) + 1)
	c.State = casework.Active
	c.Engagement = pick(rng, casework.Engagements())
	if end := c.AllocatedOn.AddDays(200 + rng.IntN(200)); !end.After(genAsOf) {
		c.ClosedOn, c.State, c.ClosureReason = end, casework.Closed, "completed"
	}
	tri := func(pYes int) risk.Tri {
		switch n := rng.IntN(100); {
		case n < 3:
			return risk.NotKnown
		case n < 3+pYes:
			return risk.Used
		}
		return risk.NotUsed
	}
	for i, v := range c.Victims {
		for _, tp := range []string{Baseline, Exit} {
			if rng.IntN(8) == 0 || (tp == Exit && c.ClosedOn.IsZero()) {
				continue // a missed assessment, or not yet at exit
			}
			p := 60
			if tp == Exit {
				p = 15
			}
			a := risk.BehaviourAssessment{ID: id*10 + int64(i), VictimID: v.ID, CaseID: id, TimePoint: tp,
				Physical: tri(p), Sexual: tri(p / 2), Stalking: tri(p), Controlling: tri(p + 20), AssessedOn: c.AllocatedOn}
			if tp == Exit && rng.IntN(4) > 0 {
				a.RiskChange = pick(rng, risk.RiskChanges()).Code
			}
			c.Behaviour = append(c.Behaviour, a)
			c.DASH = append(c.DASH, DASHScore{VictimID: v.ID, TimePoint: tp, Score: rng.IntN(25), On: c.AllocatedOn})
		}
	}
	for range rng.IntN(5) {
		c.PoliceIncidents = append(c.PoliceIncidents, c.AllocatedOn.AddDays(-rng.IntN(200)))
	}
	if !c.ClosedOn.IsZero() {
		for range rng.IntN(3) {
			c.PoliceIncidents = append(c.PoliceIncidents, c.ClosedOn.AddDays(1+rng.IntN(200)))
		}
		if rng.IntN(4) == 0 {
			c.MARACHearings = append(c.MARACHearings, c.ClosedOn.AddDays(1+rng.IntN(500)))
		}
	}
	for range rng.IntN(6) {
		st := pick(rng, casework.ActionStatuses())
		a := ActionFacts{Prong: pick(rng, Prongs()), Status: st, DueOn: c.AllocatedOn.AddDays(rng.IntN(300))}
		if st == casework.ActionDone {
			a.CompletedOn = a.DueOn.AddDays(rng.IntN(30) - 20)
		}
		c.Actions = append(c.Actions, a)
	}
	for w, tp := range []string{Baseline, "T2", Exit} {
		a := AssessmentFacts{TimePoint: tp, DueOn: c.AllocatedOn.AddDays(w * 140)}
		if rng.IntN(5) > 0 {
			a.DoneOn = a.DueOn.AddDays(rng.IntN(30))
		}
		c.Assessments = append(c.Assessments, a)
	}
	return c
}

// genCases builds n cases spread over sites sites.
func genCases(rng *rand.Rand, n, sites int) []CaseFacts {
	out := make([]CaseFacts, n)
	for i := range out {
		out[i] = genCase(rng, int64(i+1), rng.IntN(sites))
	}
	return out
}
