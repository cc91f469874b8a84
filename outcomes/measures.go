package outcomes

import (
	"math"
	"slices"
	"strings"

	"github.com/drive-platform/drive/risk"
)

// builder publishes the measures of one group by the rules.
type builder struct {
	rules
	site, programme string
}

func (b builder) measure(name, label, unit, definition string, excl ...Exclusion) Measure {
	return Measure{Name: name, Label: label, Site: b.site, Programme: b.programme, Unit: unit,
		Definition: definition, Exclusions: excl}
}

// exclusions publishes the cases left out, counts[i] for reasons[i], in
// the order given, skipping reasons no case met.
func (b builder) exclusions(reasons []string, counts ...int) []Exclusion {
	var out []Exclusion
	for i, n := range counts {
		if n != 0 {
			out = append(out, Exclusion{Reason: reasons[i], Cases: b.count(n)})
		}
	}
	return out
}

// withhold clears every figure of a suppressed measure.
func withhold(m Measure) Measure {
	m.Suppressed = true
	m.Numerator, m.Denominator, m.Value = 0, 0, 0
	m.Interval, m.PValue, m.PValueBound, m.Paired = nil, nil, false, nil
	return m
}

// ratio publishes num / den from the published counts: a share (with its
// Wilson interval) when unit is UnitPercent, otherwise a mean or a change.
func (b builder) ratio(m Measure, num, den int) Measure {
	if den == 0 {
		m.NoData = true
		return m
	}
	n, d := b.count(num), b.count(den)
	if n.Suppressed || d.Suppressed || d.Value < b.minDen {
		return withhold(m)
	}
	m.Numerator, m.Denominator = n.Value, d.Value
	m.Value = float64(n.Value) / float64(d.Value)
	if m.Unit == UnitPercent && n.Value >= 0 {
		m.Interval = wilson(n.Value, d.Value)
	}
	return m
}

// total publishes a count of people or things.
func (b builder) total(m Measure, n int) Measure {
	c := b.count(n)
	if c.Suppressed {
		return withhold(m)
	}
	m.Numerator, m.Value = c.Value, float64(c.Value)
	return m
}

// reduction publishes a behaviour measure from its paired table: the value
// is (n1 - n3) / n1 = (yes to no - no to yes) / n1, from published counts.
func (b builder) reduction(m Measure, cells [8]int) Measure {
	yn, ny, yy, nn := cells[behYesToNo], cells[behNoToYes], cells[behYesToYes], cells[behNoToNo]
	m = b.ratio(m, yn-ny, yn+yy)
	m.Interval = nil // (n1-n3)/n1 is not a binomial share; the test is McNemar's
	if m.Suppressed || m.NoData {
		return m
	}
	p := &Paired{YesToNo: b.count(yn), NoToYes: b.count(ny), YesToYes: b.count(yy), NoToNo: b.count(nn)}
	m.Paired = p
	pv, bound := b.mcnemar(p.YesToNo, p.NoToYes)
	m.PValue, m.PValueBound = &pv, bound
	return m
}

// mcnemar is the exact McNemar p-value of the published discordant
// counts; for a withheld count it is the largest over the values it could
// have, so the published p-value never says more than the counts do.
func (b builder) mcnemar(yn, ny Count) (p float64, bound bool) {
	values := func(c Count) []int {
		if !c.Suppressed {
			return []int{c.Value}
		}
		vs := make([]int, b.limit())
		for i := range vs {
			vs[i] = i + 1
		}
		return vs
	}
	p = -1
	for _, x := range values(yn) {
		for _, y := range values(ny) {
			p = math.Max(p, risk.McNemarExact(x, y))
		}
	}
	return p, yn.Suppressed || ny.Suppressed
}

// measures publishes every measure of one group, in a fixed order.
func (b builder) measures(g *acc) []Measure {
	var out []Measure
	add := func(m Measure) { out = append(out, m) }
	notAllocated := []string{"Referred but never allocated to a case manager"}

	// Reach.
	add(b.total(b.measure("perpetrators", "Perpetrators worked with", UnitCount,
		"Perpetrators' cases in scope that were allocated to a case manager."),
		g.allocated))
	add(b.total(b.measure("victim_survivors", "Adult victim-survivors", UnitCount,
		"Adult victim-survivors linked to the allocated cases in scope, each counted once however many cases she is linked to."),
		g.victimCount))
	add(b.total(b.measure("children", "Children", UnitCount,
		"Children recorded on the allocated cases in scope (a child on two cases counts twice)."),
		g.children))
	add(b.total(b.measure("living_together", "Victim-survivors living with the perpetrator", UnitCount,
		"Adult victim-survivors of the allocated cases in scope recorded as living with the perpetrator, each counted once."),
		g.together))
	if n := g.notAllocated; n > 0 {
		out[0].Exclusions = b.exclusions(notAllocated, n)
	}

	// Behaviour change, one measure per category.
	behReasons := []string{
		"T1 and T3 assessed, but every answer at one of them was not known",
		"No behaviour assessment at T1 or T3",
		"No baseline (T1) behaviour assessment",
		"No exit (T3) behaviour assessment",
	}
	for i, c := range risk.Categories() {
		m := b.measure(behaviourNames[i], c.Label+": fall in cases using it", UnitPercent,
			"(n1 - n3) / n1, where n1 and n3 count cases in scope using "+strings.ToLower(c.Label)+" at T1 and at T3 "+
				"(a case uses it if any linked victim-survivor's latest assessment at that time point says yes), "+
				"among cases with a known answer at both T1 and T3; paired table and two-sided exact McNemar test.")
		m.Exclusions = b.exclusions(behReasons, g.beh[i][behUnknown], g.beh[i][behNone], g.beh[i][behNoT1], g.beh[i][behNoT3])
		add(b.reduction(m, g.beh[i]))
	}

	// Risk change.
	m := b.measure("idva_risk_reduced", "IDVA-recorded risk reduced", UnitPercent,
		"Cases in scope whose IDVA exit (T3) rating is reduced moderately or reduced significantly for every rated victim-survivor, "+
			"over cases with an exit rating.")
	m.Exclusions = b.exclusions([]string{"Exit (T3) assessment without a risk rating", "No exit (T3) assessment"},
		g.risk[riskNoRating], g.risk[riskNoExit])
	add(b.ratio(m, g.risk[riskReduced], g.risk[riskReduced]+g.risk[riskNotReduced]))

	dashReasons := []string{"Victim-survivors with a T3 DASH score but none at T1", "Victim-survivors with a T1 DASH score but none at T3"}
	m = b.measure("dash_score_change", "Mean change in DASH score, T1 to T3", UnitMean,
		"Sum over victim-survivors of (latest T3 DASH score - latest T1 DASH score), divided by the victim-survivors with both; negative is a fall.")
	m.Exclusions = b.exclusions(dashReasons, g.dashNoT1, g.dashNoT3)
	add(b.ratio(m, g.dashSum3-g.dashSum1, g.dashPairs))
	m = b.measure("dash_band_change", "Victim-survivors moving down a DASH band", UnitPercent,
		"Victim-survivors whose latest T3 DASH band (standard, medium, high) is lower than their latest T1 band, over victim-survivors with both.")
	m.Exclusions = b.exclusions(dashReasons, g.dashNoT1, g.dashNoT3)
	add(b.ratio(m, g.dashDown, g.dashPairs))

	// Police incidents, over cases closed 6+ months before the as-of date.
	afterReasons := func(months string) []string {
		return []string{"Referred but never allocated", "Not closed", "Closed less than " + months + " months before the report date"}
	}
	polExcl := b.exclusions(afterReasons("6"), g.police[afterNotAllocated], g.police[afterNotClosed], g.police[afterTooRecent])
	eligible := g.police[afterEligible]
	m = b.measure("police_incidents_change", "Change in police-recorded incidents", UnitPercent,
		"(incidents in the 6 months after closure - incidents in the 6 months before allocation) / incidents before, "+
			"over the perpetrator's linked police records, among allocated cases closed at least 6 months before the report date.", polExcl...)
	m = b.ratio(m, g.polAfter-g.polBefore, g.polBefore)
	m.Interval = nil // a change in a count of events, not a share of cases
	add(m)
	m = b.measure("police_incidents_before_mean", "Police incidents per perpetrator, 6 months before allocation", UnitMean,
		"Incidents in the 6 months before allocation over allocated cases closed at least 6 months before the report date.", polExcl...)
	add(b.ratio(m, g.polBefore, eligible))
	m = b.measure("police_incidents_after_mean", "Police incidents per perpetrator, 6 months after closure", UnitMean,
		"Incidents in the 6 months after closure over allocated cases closed at least 6 months before the report date.", polExcl...)
	add(b.ratio(m, g.polAfter, eligible))

	m = b.measure("repeat_marac_12m", "Repeat MARAC within 12 months of closure", UnitPercent,
		"Allocated cases closed at least 12 months before the report date with a MARAC hearing of a linked victim-survivor "+
			"in the 12 months after closure, over those cases.")
	m.Exclusions = b.exclusions(afterReasons("12"), g.marac[afterNotAllocated], g.marac[afterNotClosed], g.marac[afterTooRecent])
	add(b.ratio(m, g.maracRep, g.marac[afterEligible]))

	// Fidelity to the model.
	add(b.median(b.measure("referral_to_allocation_days", "Days from referral to allocation (median)", UnitDays,
		"Median of the days from referral to allocation over allocated cases in scope, rounded to whole days.",
		b.exclusions(notAllocated, g.notAllocated)...), g.refDays))
	add(b.ratio(b.measure("idva_coverage", "Victim-survivors with an IDVA", UnitPercent,
		"Adult victim-survivors of the allocated cases in scope with an IDVA allocated, over all of them, each counted once."),
		g.idva, g.victimCount))
	add(b.caseload(b.measure("caseload_per_case_manager", "Open cases per case manager", UnitMean,
		"Open cases in scope with a case manager, over the case managers holding them (a count of staff, published as it is)."),
		g.openCases, len(g.managers)))
	add(b.ratio(b.measure("engaged_share", "Perpetrators engaged", UnitPercent,
		"Allocated cases in scope whose engagement is recorded as engaged (not partially engaged), over allocated cases.",
		b.exclusions(notAllocated, g.notAllocated)...), g.engaged, g.allocated))
	for i, p := range Prongs() {
		add(b.ratio(b.measure("actions_per_prong_"+p, "Actions per case: "+p, UnitMean,
			"Actions on the "+p+" prong of allocated cases in scope, whatever their status, over allocated cases."),
			g.prong[i], g.allocated))
	}
	m = b.measure("actions_completed_share", "Actions completed", UnitPercent,
		"Actions of allocated cases in scope that are done, over those done or unfinished past their due date on the report date.")
	m.Exclusions = b.exclusions([]string{"Actions cancelled", "Actions not possible (circumstances changed)", "Unfinished actions not yet due"},
		g.actCancel, g.actNotPoss, g.actNotDue)
	add(b.ratio(m, g.actDone, g.actDone+g.actOverdue))
	m = b.measure("actions_done_on_time_share", "Actions done by their due date", UnitPercent,
		"Done actions of allocated cases in scope completed on or before their due date, over done actions with both dates recorded.")
	m.Exclusions = b.exclusions([]string{"Done actions without a due or completion date"}, g.actDone-g.actTimed)
	add(b.ratio(m, g.actOnTime, g.actTimed))
	m = b.measure("assessments_on_time_share", "Assessments done on time", UnitPercent,
		"Scheduled assessments of allocated cases in scope due on or before the report date that were done no more than 14 days after "+
			"their due date, over those due.")
	m.Exclusions = b.exclusions([]string{"Assessments not yet due"}, g.asNotDue)
	add(b.ratio(m, g.asOnTime, g.asDue))
	return out
}

// median publishes the median of days, over at least the minimum number
// of cases.
func (b builder) median(m Measure, days []int) Measure {
	if len(days) == 0 {
		m.NoData = true
		return m
	}
	d := b.count(len(days))
	if d.Suppressed || d.Value < b.minDen {
		return withhold(m)
	}
	slices.Sort(days)
	n := len(days)
	m.Denominator = d.Value
	m.Value = math.Round(float64(days[(n-1)/2]+days[n/2]) / 2)
	return m
}

// caseload publishes open cases over case managers. The managers are
// staff, not people the service works with, so their number is not
// withheld; the cases are.
func (b builder) caseload(m Measure, cases, managers int) Measure {
	if managers == 0 {
		m.NoData = true
		return m
	}
	c := b.count(cases)
	if c.Suppressed || c.Value < b.minDen {
		return withhold(m)
	}
	m.Numerator, m.Denominator = c.Value, managers
	m.Value = float64(c.Value) / float64(managers)
	return m
}
