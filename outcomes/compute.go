package outcomes

import (
	"slices"
	"sort"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/risk"
)

// All names the site or programme column of a figure over everything in
// scope.
const All = "all"

// Prongs are the three prongs of the model, in the order reports show
// them; actions on any other prong are counted under none of them.
func Prongs() []string { return []string{"disrupt", "change", "support"} }

// behaviourNames are the measure names of the behaviour categories, in the
// order of risk.Categories.
var behaviourNames = [...]string{
	"physical_abuse_stopped", "sexual_abuse_stopped",
	"harassment_stalking_stopped", "jealous_controlling_stopped",
}

// Compute makes the report for scope from the facts of the cases (any
// cases: those outside the scope are skipped), comparing equality figures
// with ref and withholding counts from 1 to threshold (a negative threshold
// counts as 0). The scope should have passed Validate: with a zero AsOf no
// case is old enough for the police and MARAC measures.
//
// Measures come for all sites in scope, then per site (by site code) when
// scope.BySite; within each, for all programmes and then per programme
// (by code) unless scope.Programme names one; within each, in a fixed
// order. Every count is published by the rules of the package doc.
func Compute(scope Scope, cases []CaseFacts, ref Reference, threshold int) Report {
	r := rules{threshold: max(threshold, 0), minDen: scope.MinDenominator, base: RoundingBase}
	if r.minDen <= 0 {
		r.minDen = DefaultMinDenominator
	}
	return compute(scope, cases, ref, r)
}

type groupKey struct{ site, programme string }

func compute(scope Scope, cases []CaseFacts, ref Reference, r rules) Report {
	dash := risk.DASH2009()
	eq := newEqualityIndex()
	groups := map[groupKey]*acc{}
	siteIDs := map[string]int64{}
	get := func(k groupKey) *acc {
		g := groups[k]
		if g == nil {
			g = newAcc(eq)
			groups[k] = g
		}
		return g
	}
	var st caseStat
	for i := range cases {
		c := &cases[i]
		if !scope.Includes(c) {
			continue
		}
		st.measure(c, scope.AsOf, dash)
		keys := [4]groupKey{{All, All}, {All, c.Programme}, {c.SiteCode, All}, {c.SiteCode, c.Programme}}
		n := 2
		if scope.BySite {
			n = 4
			siteIDs[c.SiteCode] = c.SiteID
		}
		for j := 0; j < n; j++ {
			if scope.Programme != "" && keys[j].programme == All {
				continue // one programme asked for: "all" would repeat it
			}
			get(keys[j]).add(c, &st, scope.AsOf, eq)
		}
	}
	if len(groups) == 0 {
		// Nothing in scope: still publish the measures, with no data.
		p := All
		if scope.Programme != "" {
			p = scope.Programme
		}
		groups[groupKey{All, p}] = newAcc(eq)
	}
	keys := make([]groupKey, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.site != b.site {
			return a.site == All || (b.site != All && a.site < b.site)
		}
		return a.programme == All || (b.programme != All && a.programme < b.programme)
	})
	rep := Report{Scope: scope}
	for _, k := range keys {
		g := groups[k]
		b := builder{rules: r, site: k.site, programme: k.programme}
		rep.Measures = append(rep.Measures, b.measures(g)...)
		pop := ref.For(scope.Sites)
		if k.site != All {
			pop = ref.For([]int64{siteIDs[k.site]})
		}
		rep.Equality = append(rep.Equality, b.equality(g, eq, pop)...)
	}
	return rep
}

// Outcome codes of one case for one behaviour category: a cell of the
// paired table, or why the case is left out.
const (
	behYesToNo int8 = iota
	behNoToYes
	behYesToYes
	behNoToNo
	behUnknown // assessed at both, but every answer at one was "not known"
	behNone    // no assessment at T1 or T3
	behNoT1
	behNoT3
)

// Risk outcome codes of one case.
const (
	riskReduced int8 = iota
	riskNotReduced
	riskNoRating // an exit assessment, but no rating
	riskNoExit
)

// Eligibility codes of the after-closure measures.
const (
	afterEligible int8 = iota
	afterNotAllocated
	afterNotClosed
	afterTooRecent
)

// caseStat is what one case contributes, worked out once and added to
// every group the case belongs to.
type caseStat struct {
	beh  [4]int8
	risk int8

	dashPairs, dashSum1, dashSum3, dashDown, dashNoT1, dashNoT3 int

	police                    int8
	policeBefore, policeAfter int
	marac                     int8
	maracRepeat               bool
	referralDays              int // -1 unless allocated
}

func (s *caseStat) measure(c *CaseFacts, asOf drive.Date, dash *risk.Questionnaire) {
	// Behaviour and risk change, through the risk package's own measures
	// run over this one case, so the definitions live in one place.
	hasT1, hasT3 := false, false
	for i := range c.Behaviour {
		switch c.Behaviour[i].TimePoint {
		case Baseline:
			hasT1 = true
		case Exit:
			hasT3 = true
		}
	}
	if hasT1 && hasT3 {
		for i, o := range risk.BehaviourChange(c.Behaviour, Baseline, Exit) {
			switch {
			case o.YesToNo == 1:
				s.beh[i] = behYesToNo
			case o.NoToYes == 1:
				s.beh[i] = behNoToYes
			case o.YesToYes == 1:
				s.beh[i] = behYesToYes
			case o.NoToNo == 1:
				s.beh[i] = behNoToNo
			default:
				s.beh[i] = behUnknown
			}
		}
	} else {
		code := behNoT3
		switch {
		case !hasT1 && !hasT3:
			code = behNone
		case !hasT1:
			code = behNoT1
		}
		s.beh = [4]int8{code, code, code, code}
	}
	s.risk = riskNoExit
	if hasT3 {
		s.risk = riskNoRating
		if o := risk.RiskChangeShare(c.Behaviour, Exit); o.Rated > 0 {
			s.risk = riskNotReduced
			if o.Reduced > 0 {
				s.risk = riskReduced
			}
		}
	}

	s.measureDASH(c, dash)

	// Police incidents and repeat MARAC: only for cases closed long
	// enough ago for the whole window after closure to have passed.
	s.police, s.policeBefore, s.policeAfter = afterClosure(c, asOf, 6), 0, 0
	if s.police == afterEligible {
		from, closedTo := c.AllocatedOn.AddMonths(-6), c.ClosedOn.AddMonths(6)
		for _, d := range c.PoliceIncidents {
			if !d.Before(from) && d.Before(c.AllocatedOn) {
				s.policeBefore++
			}
			if d.After(c.ClosedOn) && !d.After(closedTo) {
				s.policeAfter++
			}
		}
	}
	s.marac, s.maracRepeat = afterClosure(c, asOf, 12), false
	if s.marac == afterEligible {
		to := c.ClosedOn.AddMonths(12)
		for _, d := range c.MARACHearings {
			if d.After(c.ClosedOn) && !d.After(to) {
				s.maracRepeat = true
				break
			}
		}
	}
	s.referralDays = -1
	if c.allocated() && !c.ReferredOn.IsZero() {
		s.referralDays = max(0, c.ReferredOn.DaysUntil(c.AllocatedOn))
	}
}

// afterClosure says whether a case counts for a measure over the months
// after closure: allocated, closed, and closed at least months before asOf.
func afterClosure(c *CaseFacts, asOf drive.Date, months int) int8 {
	switch {
	case !c.allocated():
		return afterNotAllocated
	case c.ClosedOn.IsZero():
		return afterNotClosed
	case asOf.IsZero() || c.ClosedOn.AddMonths(months).After(asOf):
		return afterTooRecent
	}
	return afterEligible
}

// measureDASH pairs each victim-survivor's latest T1 and T3 DASH scores.
func (s *caseStat) measureDASH(c *CaseFacts, dash *risk.Questionnaire) {
	s.dashPairs, s.dashSum1, s.dashSum3, s.dashDown, s.dashNoT1, s.dashNoT3 = 0, 0, 0, 0, 0, 0
	type pair struct {
		victim int64
		t1, t3 int // index into c.DASH, -1 if none
	}
	var ps [4]pair
	pairs := ps[:0]
	for i := range c.DASH {
		d := &c.DASH[i]
		if d.TimePoint != Baseline && d.TimePoint != Exit {
			continue
		}
		j := slices.IndexFunc(pairs, func(p pair) bool { return p.victim == d.VictimID })
		if j < 0 {
			pairs = append(pairs, pair{d.VictimID, -1, -1})
			j = len(pairs) - 1
		}
		slot := &pairs[j].t1
		if d.TimePoint == Exit {
			slot = &pairs[j].t3
		}
		if *slot < 0 || c.DASH[*slot].On.Before(d.On) {
			*slot = i
		}
	}
	for _, p := range pairs {
		switch {
		case p.t1 < 0:
			s.dashNoT1++
		case p.t3 < 0:
			s.dashNoT3++
		default:
			a, b := &c.DASH[p.t1], &c.DASH[p.t3]
			s.dashPairs++
			s.dashSum1 += a.Score
			s.dashSum3 += b.Score
			if bandRank(dash, b) < bandRank(dash, a) {
				s.dashDown++
			}
		}
	}
}

// bandRank is the rank of a score's band, by its code or else its score.
func bandRank(q *risk.Questionnaire, d *DASHScore) int {
	if d.Band != "" {
		if _, r := q.Band(d.Band); r >= 0 {
			return r
		}
	}
	_, r := q.BandFor(d.Score)
	return r
}

// acc accumulates the counts of one group (a site or all sites, a
// programme or all programmes).
type acc struct {
	cases, allocated, notAllocated int

	victims        map[int64]struct{}
	victimCount    int
	idva, together int
	children       int

	beh        [4][8]int // [category][beh code]
	risk       [4]int
	dashPairs  int
	dashSum1   int
	dashSum3   int
	dashDown   int
	dashNoT1   int
	dashNoT3   int
	police     [4]int
	polBefore  int
	polAfter   int
	marac      [4]int
	maracRep   int
	refDays    []int
	openCases  int
	managers   map[int64]struct{}
	engaged    int
	prong      [3]int
	actDone    int
	actOverdue int
	actCancel  int
	actNotPoss int
	actNotDue  int
	actTimed   int // done with both dates
	actOnTime  int
	asDue      int
	asOnTime   int
	asNotDue   int

	// eq[population][dimension][category index]
	eq [2][][]int
}

func newAcc(eq *equalityIndex) *acc {
	g := &acc{victims: map[int64]struct{}{}, managers: map[int64]struct{}{}}
	for p := range g.eq {
		g.eq[p] = make([][]int, len(eq.dims))
		for d := range eq.dims {
			g.eq[p][d] = make([]int, len(eq.dims[d].cats))
		}
	}
	return g
}

func (g *acc) add(c *CaseFacts, s *caseStat, asOf drive.Date, eq *equalityIndex) {
	g.cases++
	for i, code := range s.beh {
		g.beh[i][code]++
	}
	g.risk[s.risk]++
	g.dashPairs += s.dashPairs
	g.dashSum1 += s.dashSum1
	g.dashSum3 += s.dashSum3
	g.dashDown += s.dashDown
	g.dashNoT1 += s.dashNoT1
	g.dashNoT3 += s.dashNoT3
	g.police[s.police]++
	if s.police == afterEligible {
		g.polBefore += s.policeBefore
		g.polAfter += s.policeAfter
	}
	g.marac[s.marac]++
	if s.marac == afterEligible && s.maracRepeat {
		g.maracRep++
	}
	if c.State.Open() && c.CaseManagerID != 0 {
		g.openCases++
		g.managers[c.CaseManagerID] = struct{}{}
	}
	if !c.allocated() {
		g.notAllocated++
		return
	}
	// Reach, fidelity and equality: the cases the service worked with.
	g.allocated++
	if s.referralDays >= 0 {
		g.refDays = append(g.refDays, s.referralDays)
	}
	g.children += c.Children
	eq.count(g.eq[0], &c.Perpetrator, c)
	for i := range c.Victims {
		v := &c.Victims[i]
		if v.ID != 0 {
			if _, seen := g.victims[v.ID]; seen {
				continue
			}
			g.victims[v.ID] = struct{}{}
		}
		g.victimCount++
		if v.IDVA {
			g.idva++
		}
		if v.LivingTogether {
			g.together++
		}
		eq.count(g.eq[1], &v.Equality, c)
	}
	if c.Engagement == casework.Engaged {
		g.engaged++
	}
	for i := range c.Actions {
		a := &c.Actions[i]
		if p := slices.Index(Prongs(), a.Prong); p >= 0 {
			g.prong[p]++
		}
		switch {
		case a.Status == casework.ActionCancelled:
			g.actCancel++
		case a.Status == casework.ActionNotPossible:
			g.actNotPoss++
		case a.Status == casework.ActionDone:
			g.actDone++
			if !a.DueOn.IsZero() && !a.CompletedOn.IsZero() {
				g.actTimed++
				if !a.CompletedOn.After(a.DueOn) {
					g.actOnTime++
				}
			}
		case !a.DueOn.IsZero() && !a.DueOn.After(asOf) && !asOf.IsZero():
			g.actOverdue++
		default:
			g.actNotDue++
		}
	}
	for i := range c.Assessments {
		a := &c.Assessments[i]
		if a.DueOn.IsZero() || asOf.IsZero() || a.DueOn.After(asOf) {
			g.asNotDue++
			continue
		}
		g.asDue++
		if !a.DoneOn.IsZero() && !a.DoneOn.After(a.DueOn.AddDays(AssessmentGraceDays)) {
			g.asOnTime++
		}
	}
}
