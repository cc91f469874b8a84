package demo

import (
	"context"
	"fmt"
	"math"
	"sort"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/risk"
)

// The outcome side of the demo: what became of each case, drawn once per
// case so that every victim-survivor of the case tells the same story,
// and drawn so that the outcome pages show figures near the University
// of Bristol evaluation's (DOMAIN.md "Outcome measures"): physical abuse
// -82%, sexual -88%, harassment and stalking -75%, jealous and
// controlling -73%, risk reduced in 82% of IDVA cases, police-recorded
// incidents -30% in the 6 months after closure against the 6 months
// before allocation, and few repeat MARACs. Each figure carries the noise
// of a few hundred cases, and the exclusions a real site has: closed cases
// without an exit assessment, answers not known, ratings not given, cases
// closed too recently for the after-closure measures.

// behaviourRate is how a behaviour category moves over the programme, in
// cases per thousand: using it at T1, and using it at T3 given it was or
// was not used at T1. The expected fall in cases using it is
// 1 - stay - start*(1000-t1)/t1 (over thousands).
type behaviourRate struct{ t1, stay, start int }

// behaviourRates are the rates of risk.Categories(), in order, chosen so
// the expected fall is the evaluated one: physical 1-.17-.02*.28/.72 =
// 82.2%, sexual 1-.10-.01*.68/.32 = 87.9%, harassment and stalking
// 1-.23-.03*.38/.62 = 75.2%, jealous and controlling 1-.26-.04*.12/.88 =
// 73.5%. How common each is at T1 is as the demo had it before.
func behaviourRates() [4]behaviourRate {
	return [4]behaviourRate{{720, 170, 20}, {320, 100, 10}, {620, 230, 30}, {880, 260, 40}}
}

// Further rates of the demo's outcomes, in percent.
const (
	// riskReducedShare is the share of cases whose IDVAs rate the risk
	// reduced moderately or significantly at exit (evaluated: 82%).
	riskReducedShare = 82
	// noRatingShare is the share of exit assessments without a rating.
	noRatingShare = 5
	// noExitShare and noExitShareUnplanned are the shares of closed cases
	// whose exit (T3) was never taken: after a planned ending, and after
	// disengagement, custody or a move, when she is harder to reach. They
	// are kept low: the demo's coverage test allows at most one closed
	// case in 20 without an exit assessment.
	noExitShare          = 1
	noExitShareUnplanned = 5
	// repeatMARACShare is the share of closed cases heard again at MARAC
	// within a year of closure: below the 28-40% repeat rate SafeLives
	// expects of a MARAC, as the evaluation found fewer repeats.
	repeatMARACShare = 18
	// policeAfterKept is the share of a perpetrator's incident rate before
	// allocation that persists after closure, and policeAfterNew the
	// share that turns up afresh: 60 + 10 gives the evaluated -30%.
	policeAfterKept = 60
	policeAfterNew  = 10
)

// caseOutcome is what became of one case, as its victim-survivors and the
// police record it.
type caseOutcome struct {
	uses    [2][4]bool // [T1, T3][category]: he used it
	reduced bool       // the IDVAs rate the risk reduced moderately or significantly
	noT3    bool       // no exit assessment was taken
	// repeatMARAC is how many days after closure the case was heard at
	// MARAC again; 0 for none.
	repeatMARAC int
}

// caseOutcomes holds each case's outcome, drawn when first asked for.
type caseOutcomes map[int64]*caseOutcome

// outcomeOf is case c's outcome, drawn from the demo's stream the first
// time any of its victim-survivors needs it.
func (g *generator) outcomeOf(outs caseOutcomes, c *casework.Case) *caseOutcome {
	if o := outs[c.ID]; o != nil {
		return o
	}
	r := g.rng
	o := &caseOutcome{}
	for i, rate := range behaviourRates() {
		o.uses[0][i] = r.IntN(1000) < rate.t1
		p := rate.start
		if o.uses[0][i] {
			p = rate.stay
		}
		o.uses[1][i] = r.IntN(1000) < p
	}
	o.reduced = r.IntN(100) < riskReducedShare
	missing := noExitShare
	switch c.ClosureReason {
	case "disengaged", "custody", "moved-away":
		missing = noExitShareUnplanned
	}
	o.noT3 = r.IntN(100) < missing
	if r.IntN(100) < repeatMARACShare {
		o.repeatMARAC = between(r, 20, 360)
	}
	outs[c.ID] = o
	return o
}

// answer is a victim-survivor's answer about a behaviour: what he did,
// or now and then "not known".
func (g *generator) answer(used bool) risk.Tri {
	switch {
	case g.rng.IntN(100) < 3:
		return risk.NotKnown
	case used:
		return risk.Used
	}
	return risk.NotUsed
}

// riskRating is one victim-survivor's exit rating given the case's
// outcome: now and then not given, otherwise agreeing with the case.
func (g *generator) riskRating(o *caseOutcome) string {
	r := g.rng
	switch {
	case r.IntN(100) < noRatingShare:
		return ""
	case o.reduced:
		return pickWeighted(r, []string{risk.RiskReducedModerately, risk.RiskReducedSignificantly}, []int{45, 55})
	}
	return pickWeighted(r, []string{risk.RiskIncreased, risk.RiskNoChange, risk.RiskReducedSlightly}, []int{22, 39, 39})
}

// policeCase is a closed case whose perpetrator the site's police hold
// incidents for.
type policeCase struct {
	personID          int64
	given, family     string
	dob               drive.Date
	postcode          string
	allocated, closed drive.Date
}

// policeHistory plans the police-recorded incidents of every closed,
// allocated case's perpetrator, which the site's extract will hold beside
// the rest (incidents); the perpetrators are then linked to them, as
// linking at referral would have done had the extract been there. Each man has his own rate of incidents (most one
// or two in six months, a few many more): in the 6 months before
// allocation a Poisson count at that rate; in the 6 months after closure
// a share of those that persist plus a few new ones (policeAfterKept,
// policeAfterNew), so the fall is about 30% with a few men doing worse;
// and a little history before and during the programme, which the
// measure does not count. Incidents after the reference date have not
// happened yet, and the extract reaches back three years. Only closed cases are named, so no open case raises an
// alert.
func (g *generator) policeHistory(ctx context.Context, cases []*casework.Case) error {
	r := g.rng
	ref := ReferenceDate()
	bySite := map[int64][]policeCase{}
	open := map[int64]bool{}
	for _, c := range cases {
		if c.State.Open() {
			open[c.PersonID] = true
		}
	}
	for _, c := range cases {
		if c.State != casework.Closed || c.AllocatedAt == nil || c.ClosedAt == nil || open[c.PersonID] {
			continue
		}
		p, err := g.sd.Person(ctx, c.PersonID)
		if err != nil {
			return err
		}
		pc := policeCase{personID: p.ID, given: p.GivenName, family: p.FamilyName, dob: p.DateOfBirth,
			allocated: drive.DateOf(*c.AllocatedAt), closed: drive.DateOf(*c.ClosedAt)}
		if n := len(p.Addresses); n > 0 {
			pc.postcode = p.Addresses[n-1].Postcode
		}
		bySite[c.SiteID] = append(bySite[c.SiteID], pc)
	}
	types := []string{"non_crime", "common_assault", "criminal_damage", "harassment", "breach", "abh", "coercive_control", "stalking"}
	weights := []int{38, 18, 8, 7, 7, 6, 5, 3}
	windowStart := ref.AddMonths(-36)
	g.policeCases = map[string]*caseExtract{}
	for _, site := range g.res.Sites {
		ex := &caseExtract{}
		for _, pc := range bySite[site.ID] {
			rate := []float64{0.4, 1.0, 1.8, 3.0}[pickWeighted(r, []int{0, 1, 2, 3}, []int{25, 40, 25, 10})]
			var dates []drive.Date
			add := func(d drive.Date) {
				if d.Before(ref) && !d.Before(windowStart) {
					dates = append(dates, d)
				}
			}
			before := poisson(r.Float64, rate)
			for range before {
				add(pc.allocated.AddDays(-between(r, 1, 180)))
			}
			kept := 0
			for range before {
				if r.IntN(100) < policeAfterKept {
					kept++
				}
			}
			for range kept + poisson(r.Float64, rate*policeAfterNew/100) {
				add(pc.closed.AddDays(between(r, 1, 180)))
			}
			for range poisson(r.Float64, rate/3) {
				add(pc.allocated.AddDays(-between(r, 190, 540)))
			}
			if during := pc.allocated.DaysUntil(pc.closed); during > 2 {
				for range poisson(r.Float64, rate*0.3*float64(during)/180) {
					add(pc.allocated.AddDays(between(r, 1, during-1)))
				}
			}
			if len(dates) == 0 {
				continue
			}
			sort.Slice(dates, func(i, j int) bool { return dates[i].Before(dates[j]) })
			for _, d := range dates {
				ex.recs = append(ex.recs, incident.Record{Ref: fmt.Sprintf("%s-DP%05d", site.Code, len(ex.recs)+1), On: d,
					Type: pickWeighted(r, types, weights), Crime: r.IntN(100) < 55,
					Suspect: incident.Person{GivenName: pc.given, FamilyName: pc.family, DOB: pc.dob, Postcode: pc.postcode}})
			}
			ex.people = append(ex.people, pc.personID)
		}
		g.policeCases[site.Code] = ex
	}
	return nil
}

// caseExtract is what a site's police extract holds of closed cases'
// perpetrators: their incidents, and the people to link to them.
type caseExtract struct {
	recs   []incident.Record
	people []int64
}

// poisson draws a Poisson count with mean lambda (Knuth's method: the
// means here are small).
func poisson(uniform func() float64, lambda float64) int {
	limit, k, p := math.Exp(-lambda), 0, uniform()
	for p > limit {
		k++
		p *= uniform()
	}
	return k
}

// repeatHearing is the day (days before the reference date) a closed
// case was heard at MARAC again, or 0: none, or not yet.
func repeatHearing(c *casework.Case, o *caseOutcome) int {
	if o.repeatMARAC == 0 || c.State != casework.Closed || c.ClosedAt == nil {
		return 0
	}
	ago := timeAgo(c.ClosedAt) - o.repeatMARAC
	if ago < 1 {
		return 0
	}
	return ago
}
