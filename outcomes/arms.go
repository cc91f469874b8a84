package outcomes

import (
	"github.com/drive-platform/drive"
)

// Where a randomised trial runs (package evaluation), the report sets the
// referrals allocated to intervention beside those allocated to
// comparison. Only measures both arms can have are compared: a comparison
// referral is never allocated to a case manager and never closed, so the
// windows are counted from the trial allocation instead. Both arms are
// followed for the same outcome period from allocation (the trial's
// OutcomeMonths); police incidents are compared 6 months before
// allocation against 6 months after the period ends, and a repeat MARAC
// is a hearing of a linked victim-survivor in the 12 months after it
// ends. Every count is published by the same rules as the rest of the
// report, so a small trial shows "[c]" rather than a count of people.

// TrialFacts is a referral's place in a trial, as the measures need it.
type TrialFacts struct {
	TrialID       int64
	Arm           string // ArmIntervention or ArmComparison
	AllocatedOn   drive.Date
	OutcomeMonths int
}

// outcomeEnd is the end of the referral's outcome period.
func (t *TrialFacts) outcomeEnd() drive.Date { return t.AllocatedOn.AddMonths(t.OutcomeMonths) }

// ArmFigures is the comparison measures of one arm of the trials in scope.
type ArmFigures struct {
	Arm      string    `json:"arm"`
	Measures []Measure `json:"measures"`
}

// Arms lists the arms in the order reports show them.
// The two arms of a trial (package evaluation allocates referrals to
// them), as the facts name them.
const (
	ArmIntervention = "intervention"
	ArmComparison   = "comparison"
)

func Arms() []string { return []string{ArmIntervention, ArmComparison} }

// armTally is what one arm's measures are made from.
type armTally struct {
	referrals           int
	police              [afterCodes]int
	polBefore, polAfter int
	marac               [afterCodes]int
	maracRep            int
}

// armWindow says whether an allocated referral counts for a measure over
// the months after its outcome period.
func armWindow(t *TrialFacts, asOf drive.Date, months int) int {
	if asOf.IsZero() || before(asOf, t.outcomeEnd().AddMonths(months)) {
		return afterTooRecent
	}
	return afterEligible
}

func (a *armTally) add(c *CaseFacts, asOf drive.Date) {
	t := c.Trial
	a.referrals++
	end := t.outcomeEnd()
	p := armWindow(t, asOf, 6)
	a.police[p]++
	if p == afterEligible {
		from, to := t.AllocatedOn.AddMonths(-6), end.AddMonths(6)
		for _, d := range c.PoliceIncidents {
			if !before(d, from) && before(d, t.AllocatedOn) {
				a.polBefore++
			}
			if before(end, d) && !before(to, d) {
				a.polAfter++
			}
		}
	}
	m := armWindow(t, asOf, 12)
	a.marac[m]++
	if m == afterEligible {
		to := end.AddMonths(12)
		for _, d := range c.MARACHearings {
			if before(end, d) && !before(to, d) {
				a.maracRep++
				break
			}
		}
	}
}

// compareArms computes the comparison of the arms over the allocated
// referrals in scope, or nil when none is in scope: the section appears
// only where a trial runs.
func compareArms(scope Scope, cases []CaseFacts, r rules) []ArmFigures {
	tallies := map[string]*armTally{}
	for i := range cases {
		c := &cases[i]
		if c.Trial == nil || !scope.Includes(c) {
			continue
		}
		t := tallies[c.Trial.Arm]
		if t == nil {
			t = &armTally{}
			tallies[c.Trial.Arm] = t
		}
		t.add(c, scope.AsOf)
	}
	if len(tallies) == 0 {
		return nil
	}
	var out []ArmFigures
	for _, arm := range Arms() {
		t := tallies[arm]
		if t == nil {
			t = &armTally{}
		}
		b := builder{rules: r, site: All, programme: All}
		out = append(out, ArmFigures{Arm: arm, Measures: b.armMeasures(t)})
	}
	return out
}

func (b builder) armMeasures(t *armTally) []Measure {
	var out []Measure
	out = append(out, b.total(b.measure("trial_referrals", "Referrals allocated", UnitCount,
		"Referrals the panel accepted while a trial ran, allocated to this arm, in scope."), t.referrals))

	reasons := func(months string) []string {
		return []string{"", "", "", "Outcome period and the " + months + " months after it not yet over"}
	}
	polExcl := b.exclusions(reasons("6"), 0, 0, 0, t.police[afterTooRecent])
	eligible := t.police[afterEligible]
	m := b.measure("trial_police_incidents_change", "Change in police-recorded incidents", UnitPercent,
		"(incidents in the 6 months after the outcome period - incidents in the 6 months before allocation) / incidents before, "+
			"over the perpetrator's linked police records, among referrals of this arm whose outcome period ended at least 6 months before the report date.", polExcl...)
	m = b.ratio(m, t.polAfter-t.polBefore, t.polBefore)
	m.Interval = nil
	out = append(out, m)
	out = append(out, b.ratio(b.measure("trial_police_incidents_before_mean", "Police incidents per perpetrator, 6 months before allocation", UnitMean,
		"Incidents in the 6 months before the trial allocation over referrals of this arm whose outcome period ended at least 6 months before the report date.", polExcl...),
		t.polBefore, eligible))
	out = append(out, b.ratio(b.measure("trial_police_incidents_after_mean", "Police incidents per perpetrator, 6 months after the outcome period", UnitMean,
		"Incidents in the 6 months after the outcome period over referrals of this arm whose outcome period ended at least 6 months before the report date.", polExcl...),
		t.polAfter, eligible))

	m = b.measure("trial_repeat_marac_12m", "Repeat MARAC within 12 months of the outcome period", UnitPercent,
		"Referrals of this arm whose outcome period ended at least 12 months before the report date with a MARAC hearing of a linked "+
			"victim-survivor in the 12 months after it, over those referrals.", b.exclusions(reasons("12"), 0, 0, 0, t.marac[afterTooRecent])...)
	out = append(out, b.ratio(m, t.maracRep, t.marac[afterEligible]))
	return out
}
