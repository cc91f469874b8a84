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

// compute works in two steps so each case is read once: the facts of
// every case go into the cell of its site and programme (the finest
// breakdown any report uses), and each published group (all sites or one,
// all programmes or one) is then the sum of its cells. The behaviour and
// risk measures run once per cell over the cell's assessments, so the
// risk package's definitions are used as they are, never copied.
func compute(scope Scope, cases []CaseFacts, ref Reference, r rules) Report {
	dash := risk.DASH2009()
	eq := newEqualityIndex()
	cells := map[groupKey]*acc{}
	siteIDs := map[string]int64{}
	// First size each cell's assessments, so copying them in is one
	// allocation per cell, not a growing slice.
	in := make([]*acc, len(cases))
	for i := range cases {
		c := &cases[i]
		if !scope.Includes(c) {
			continue
		}
		k := groupKey{c.SiteCode, c.Programme}
		cell := cells[k]
		if cell == nil {
			cell = newAcc(eq)
			cells[k] = cell
			siteIDs[c.SiteCode] = c.SiteID
		}
		in[i] = cell
		cell.assessmentsCap += len(c.Behaviour)
	}
	for _, cell := range cells {
		cell.assessments = make([]risk.BehaviourAssessment, 0, cell.assessmentsCap)
		cell.exits = make([]risk.BehaviourAssessment, 0, cell.assessmentsCap/2)
	}
	for i, cell := range in {
		if cell != nil {
			cell.addCase(&cases[i], scope.AsOf, dash, eq)
		}
	}
	for _, cell := range cells {
		cell.pairBehaviour()
	}

	// The groups to publish, each with the cells it sums.
	groups := map[groupKey][]*acc{}
	for k, cell := range cells {
		keys := []groupKey{{All, k.programme}}
		if scope.Programme == "" {
			keys = append(keys, groupKey{All, All})
		}
		if scope.BySite {
			keys = append(keys, k)
			if scope.Programme == "" {
				keys = append(keys, groupKey{k.site, All})
			}
		}
		for _, gk := range keys {
			groups[gk] = append(groups[gk], cell)
		}
	}
	if len(groups) == 0 {
		// Nothing in scope: still publish every measure, with no data.
		p := All
		if scope.Programme != "" {
			p = scope.Programme
		}
		groups[groupKey{All, p}] = nil
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
		g := sum(groups[k], eq)
		b := builder{rules: r, site: k.site, programme: k.programme}
		rep.Measures = append(rep.Measures, b.measures(g)...)
		pop := ref.For(scope.Sites)
		if k.site != All {
			pop = ref.For([]int64{siteIDs[k.site]})
		}
		rep.Equality = append(rep.Equality, b.equality(g, eq, pop)...)
	}
	rep.Arms = compareArms(scope, cases, r)
	return rep
}

// Outcome codes of one case for one behaviour category: a cell of the
// paired table, or why the case is left out.
const (
	behYesToNo = iota
	behNoToYes
	behYesToYes
	behNoToNo
	behUnknown // assessed at both, but every answer at one was "not known"
	behNone    // no assessment at T1 or T3
	behNoT1
	behNoT3
	behCodes
)

// Risk outcome codes.
const (
	riskReduced = iota
	riskNotReduced
	riskNoRating // an exit assessment, but no rating
	riskNoExit
	riskCodes
)

// Eligibility codes of the after-closure measures.
const (
	afterEligible = iota
	afterNotAllocated
	afterNotClosed
	afterTooRecent
	afterCodes
)

// tally holds the additive counts of a cell or group.
type tally struct {
	cases, allocated, notAllocated int
	children, engaged, openCases   int

	beh  [4][behCodes]int // [category][code]
	risk [riskCodes]int

	dashPairs, dashSum1, dashSum3, dashDown, dashNoT1, dashNoT3 int

	police              [afterCodes]int
	polBefore, polAfter int
	marac               [afterCodes]int
	maracRep            int

	prong                                                 [3]int
	actDone, actOverdue, actCancel, actNotPoss, actNotDue int
	actTimed, actOnTime                                   int // done with both dates; of which by the due date
	asDue, asOnTime, asNotDue                             int
}

func (t *tally) plus(o *tally) {
	t.cases += o.cases
	t.allocated += o.allocated
	t.notAllocated += o.notAllocated
	t.children += o.children
	t.engaged += o.engaged
	t.openCases += o.openCases
	for i := range t.beh {
		for j := range t.beh[i] {
			t.beh[i][j] += o.beh[i][j]
		}
	}
	for i := range t.risk {
		t.risk[i] += o.risk[i]
	}
	t.dashPairs += o.dashPairs
	t.dashSum1 += o.dashSum1
	t.dashSum3 += o.dashSum3
	t.dashDown += o.dashDown
	t.dashNoT1 += o.dashNoT1
	t.dashNoT3 += o.dashNoT3
	for i := range t.police {
		t.police[i] += o.police[i]
		t.marac[i] += o.marac[i]
	}
	t.polBefore += o.polBefore
	t.polAfter += o.polAfter
	t.maracRep += o.maracRep
	for i := range t.prong {
		t.prong[i] += o.prong[i]
	}
	t.actDone += o.actDone
	t.actOverdue += o.actOverdue
	t.actCancel += o.actCancel
	t.actNotPoss += o.actNotPoss
	t.actNotDue += o.actNotDue
	t.actTimed += o.actTimed
	t.actOnTime += o.actOnTime
	t.asDue += o.asDue
	t.asOnTime += o.asOnTime
	t.asNotDue += o.asNotDue
}

// victimRec is what a group needs of one victim-survivor: kept by ID so
// she is counted once in a group however many of its cases she is on.
type victimRec struct {
	idva, together bool     // on any of her links
	eq             [5]uint8 // category index per dimension, from her first case
	caseID         int64    // her first case (lowest ID) in the group
}

// merge keeps one record per victim-survivor whatever order her cases come
// in: flags from any link, equality answers from her first case.
func (v victimRec) merge(o victimRec) victimRec {
	out := v
	if o.caseID < v.caseID {
		out = o
	}
	out.idva, out.together = v.idva || o.idva, v.together || o.together
	return out
}

// acc accumulates one cell (a site and programme), or a group summed from
// cells.
type acc struct {
	tally
	victims   map[int64]victimRec
	noID      []victimRec // victim-survivors without an ID: one per link
	managers  map[int64]struct{}
	refDays   []int
	perpEq    [][]int // [dimension][category]
	victimsEq [][]int // filled by sum

	// Victim-survivors counted once each, filled by sum.
	victimCount, idva, together int

	// Behaviour assessments of the cell's cases at T1 and T3, and at T3
	// alone, used by pairBehaviour and then dropped.
	assessments    []risk.BehaviourAssessment
	exits          []risk.BehaviourAssessment
	assessmentsCap int
	pairedCases    int // cases with both T1 and T3
	exitCases      int // cases with a T3 assessment
}

func newAcc(eq *equalityIndex) *acc {
	return &acc{victims: map[int64]victimRec{}, managers: map[int64]struct{}{}, perpEq: eq.table(), victimsEq: eq.table()}
}

// addCase adds one case's facts to its cell.
func (g *acc) addCase(c *CaseFacts, asOf drive.Date, dash *risk.Questionnaire, eq *equalityIndex) {
	g.cases++

	// Behaviour and risk change: which time points the case has; the
	// pairing itself is left to the risk package, per cell.
	hasT1, hasT3 := false, false
	for i := range c.Behaviour {
		switch c.Behaviour[i].TimePoint {
		case Baseline:
			hasT1 = true
		case Exit:
			hasT3 = true
		}
	}
	switch {
	case hasT1 && hasT3:
		g.pairedCases++
	case !hasT1 && !hasT3:
		g.excludeBehaviour(behNone)
	case !hasT1:
		g.excludeBehaviour(behNoT1)
	default:
		g.excludeBehaviour(behNoT3)
	}
	if hasT3 {
		g.exitCases++
	} else {
		g.risk[riskNoExit]++
	}
	// Only what the measures read is copied: T1 and T3 of cases with both
	// for the pairing, T3 of every case for the exit ratings.
	for _, a := range c.Behaviour {
		a.CaseID = c.CaseID // both measures group by case: never trust a copied ID
		switch {
		case a.TimePoint == Exit:
			g.exits = append(g.exits, a)
			if hasT1 {
				g.assessments = append(g.assessments, a)
			}
		case a.TimePoint == Baseline && hasT3:
			g.assessments = append(g.assessments, a)
		}
	}

	g.addDASH(c, dash)

	// Police incidents and repeat MARAC: only for cases closed long
	// enough ago for the whole window after closure to have passed.
	p := afterClosure(c, asOf, 6)
	g.police[p]++
	if p == afterEligible {
		from, to := c.AllocatedOn.AddMonths(-6), c.ClosedOn.AddMonths(6)
		for _, d := range c.PoliceIncidents {
			if !before(d, from) && before(d, c.AllocatedOn) {
				g.polBefore++
			}
			if before(c.ClosedOn, d) && !before(to, d) {
				g.polAfter++
			}
		}
	}
	m := afterClosure(c, asOf, 12)
	g.marac[m]++
	if m == afterEligible {
		to := c.ClosedOn.AddMonths(12)
		for _, d := range c.MARACHearings {
			if before(c.ClosedOn, d) && !before(to, d) {
				g.maracRep++
				break
			}
		}
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
	if !c.ReferredOn.IsZero() {
		g.refDays = append(g.refDays, max(0, c.ReferredOn.DaysUntil(c.AllocatedOn)))
	}
	g.children += c.Children
	eq.add(g.perpEq, eq.categories(&c.Perpetrator, c.ReferredOn))
	for i := range c.Victims {
		v := &c.Victims[i]
		rec := victimRec{idva: v.IDVA, together: v.LivingTogether, eq: eq.categories(&v.Equality, c.ReferredOn), caseID: c.CaseID}
		if v.ID == 0 {
			g.noID = append(g.noID, rec)
		} else if old, seen := g.victims[v.ID]; seen {
			g.victims[v.ID] = old.merge(rec)
		} else {
			g.victims[v.ID] = rec
		}
	}
	if c.Engagement == casework.Engaged {
		g.engaged++
	}
	for i := range c.Actions {
		a := &c.Actions[i]
		for p, name := range [...]string{"disrupt", "change", "support"} {
			if a.Prong == name {
				g.prong[p]++
			}
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
				if !before(a.DueOn, a.CompletedOn) {
					g.actOnTime++
				}
			}
		case !asOf.IsZero() && !a.DueOn.IsZero() && !before(asOf, a.DueOn):
			g.actOverdue++
		default:
			g.actNotDue++
		}
	}
	for i := range c.Assessments {
		a := &c.Assessments[i]
		if asOf.IsZero() || a.DueOn.IsZero() || before(asOf, a.DueOn) {
			g.asNotDue++
			continue
		}
		g.asDue++
		if !a.DoneOn.IsZero() && !before(a.DueOn.AddDays(AssessmentGraceDays), a.DoneOn) {
			g.asOnTime++
		}
	}
}

func (g *acc) excludeBehaviour(code int) {
	for i := range g.beh {
		g.beh[i][code]++
	}
}

// pairBehaviour runs the risk package's behaviour and risk change
// measures over the cell's assessments and keeps their tables.
func (g *acc) pairBehaviour() {
	if g.pairedCases > 0 {
		for i, o := range risk.BehaviourChange(g.assessments, Baseline, Exit) {
			g.beh[i][behYesToNo] += o.YesToNo
			g.beh[i][behNoToYes] += o.NoToYes
			g.beh[i][behYesToYes] += o.YesToYes
			g.beh[i][behNoToNo] += o.NoToNo
			g.beh[i][behUnknown] += o.Unknown
		}
	}
	if g.exitCases > 0 {
		o := risk.RiskChangeShare(g.exits, Exit)
		g.risk[riskReduced] += o.Reduced
		g.risk[riskNotReduced] += o.Rated - o.Reduced
		g.risk[riskNoRating] += g.exitCases - o.Rated
	}
	g.assessments, g.exits = nil, nil
}

// sum adds up cells into a group. One cell is its own group.
func sum(cells []*acc, eq *equalityIndex) *acc {
	var g *acc
	switch len(cells) {
	case 0:
		g = newAcc(eq)
	case 1:
		g = cells[0]
	default:
		n := 0
		for _, c := range cells {
			n += len(c.victims)
		}
		g = newAcc(eq)
		g.victims = make(map[int64]victimRec, n)
		for _, c := range cells {
			g.tally.plus(&c.tally)
			for id, v := range c.victims {
				if old, seen := g.victims[id]; seen {
					v = old.merge(v)
				}
				g.victims[id] = v
			}
			g.noID = append(g.noID, c.noID...)
			for id := range c.managers {
				g.managers[id] = struct{}{}
			}
			g.refDays = append(g.refDays, c.refDays...)
			for d := range g.perpEq {
				for i := range g.perpEq[d] {
					g.perpEq[d][i] += c.perpEq[d][i]
				}
			}
		}
	}
	out := *g
	out.victimsEq = eq.table()
	out.refDays = slices.Clone(g.refDays) // the median sorts it
	for _, v := range out.noID {
		out.addVictim(&v, eq)
	}
	for _, v := range out.victims {
		out.addVictim(&v, eq)
	}
	return &out
}

func (g *acc) addVictim(v *victimRec, eq *equalityIndex) {
	g.victimCount++
	if v.idva {
		g.idva++
	}
	if v.together {
		g.together++
	}
	eq.add(g.victimsEq, v.eq)
}

// afterClosure says whether a case counts for a measure over the months
// after closure: allocated, closed, and closed at least months before asOf.
func afterClosure(c *CaseFacts, asOf drive.Date, months int) int {
	switch {
	case !c.allocated():
		return afterNotAllocated
	case c.ClosedOn.IsZero():
		return afterNotClosed
	case asOf.IsZero() || before(asOf, c.ClosedOn.AddMonths(months)):
		return afterTooRecent
	}
	return afterEligible
}

// addDASH pairs each victim-survivor's latest T1 and T3 DASH scores.
func (g *acc) addDASH(c *CaseFacts, dash *risk.Questionnaire) {
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
		if *slot < 0 || before(c.DASH[*slot].On, d.On) {
			*slot = i
		}
	}
	for _, p := range pairs {
		switch {
		case p.t1 < 0:
			g.dashNoT1++
		case p.t3 < 0:
			g.dashNoT3++
		default:
			a, b := &c.DASH[p.t1], &c.DASH[p.t3]
			g.dashPairs++
			g.dashSum1 += a.Score
			g.dashSum3 += b.Score
			if bandRank(dash, b) < bandRank(dash, a) {
				g.dashDown++
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

// before reports whether date a is before date b. It compares the fields
// rather than calling drive.Date.Before, which builds two time.Time values:
// a national report makes millions of these comparisons.
func before(a, b drive.Date) bool {
	if a.Year != b.Year {
		return a.Year < b.Year
	}
	if a.Month != b.Month {
		return a.Month < b.Month
	}
	return a.Day < b.Day
}
