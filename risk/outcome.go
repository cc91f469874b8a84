package risk

import "math"

// BehaviourOutcome is the behaviour change measure for one category
// (DOMAIN.md "Behaviour change"). Among cases with both a baseline and an
// exit assessment, a case uses the behaviour at a time point if any
// linked victim-survivor's assessment says yes; N1 and N3 count the cases
// using it at baseline and at exit.
type BehaviourOutcome struct {
	Category Category
	// Baseline and Exit are the time point codes compared (T1, T3).
	Baseline, Exit string
	// Cases is the N behind the figures: cases with a known answer (yes
	// or no from at least one victim-survivor) for this category at both
	// time points.
	Cases int
	// Unknown counts cases assessed at both time points but left out for
	// this category because every answer at one of them was "not known".
	Unknown int
	// N1 and N3 count cases using the behaviour at baseline and at exit.
	N1, N3 int
	// The paired table: YesToNo stopped, NoToYes started, YesToYes
	// continued, NoToNo never used. YesToNo and NoToYes are the
	// discordant pairs the McNemar test uses.
	YesToNo, NoToYes, YesToYes, NoToNo int
	// PValue is the two-sided exact McNemar p-value; 1 when there are no
	// discordant pairs.
	PValue float64
}

// Reduction returns (N1 - N3) / N1, the proportional fall in cases using
// the behaviour (0.82 is an 82% fall; negative is a rise). ok is false
// when no case used it at baseline, where a reduction is undefined.
func (o BehaviourOutcome) Reduction() (r float64, ok bool) {
	if o.N1 == 0 {
		return 0, false
	}
	return float64(o.N1-o.N3) / float64(o.N1), true
}

// caseUse is what one case's victim-survivors said about one category at
// one time point.
type caseUse struct{ yes, known bool }

// victimPoint identifies one victim-survivor's assessment slot.
type victimPoint struct {
	caseID    int64
	timePoint string
	victimID  int64
}

// latestPerVictim keeps, for each case, time point and victim-survivor,
// the latest assessment (by date, then by ID): a later entry for the same
// person and time point replaces an earlier one, such as a correction.
func latestPerVictim(as []BehaviourAssessment) map[victimPoint]BehaviourAssessment {
	latest := map[victimPoint]BehaviourAssessment{}
	for _, a := range as {
		k := victimPoint{a.CaseID, a.TimePoint, a.VictimID}
		old, ok := latest[k]
		if !ok || old.AssessedOn.Before(a.AssessedOn) || (old.AssessedOn == a.AssessedOn && old.ID < a.ID) {
			latest[k] = a
		}
	}
	return latest
}

// BehaviourChange computes the behaviour change measure for every
// category, in the order of Categories, from all the behaviour
// assessments of the cases in scope. baseline and exit are the time point
// codes compared, usually "T1" and "T3". Only cases with an assessment at
// both time points count; assessments at other time points are ignored.
func BehaviourChange(as []BehaviourAssessment, baseline, exit string) []BehaviourOutcome {
	latest := latestPerVictim(as)
	// use[case][time point][category]
	type point map[string]caseUse
	use := map[int64]map[string]point{}
	for k, a := range latest {
		tp := k.timePoint
		if tp != baseline && tp != exit {
			continue
		}
		if use[a.CaseID] == nil {
			use[a.CaseID] = map[string]point{}
		}
		if use[a.CaseID][tp] == nil {
			use[a.CaseID][tp] = point{}
		}
		for _, c := range Categories() {
			u := use[a.CaseID][tp][c.Code]
			switch a.Use(c.Code) {
			case Used:
				u.yes, u.known = true, true
			case NotUsed:
				u.known = true
			}
			use[a.CaseID][tp][c.Code] = u
		}
	}
	var out []BehaviourOutcome
	for _, c := range Categories() {
		o := BehaviourOutcome{Category: c, Baseline: baseline, Exit: exit}
		for _, tps := range use {
			t1, ok1 := tps[baseline]
			t3, ok3 := tps[exit]
			if !ok1 || !ok3 || baseline == exit {
				continue
			}
			u1, u3 := t1[c.Code], t3[c.Code]
			if !u1.known || !u3.known {
				o.Unknown++
				continue
			}
			o.Cases++
			switch {
			case u1.yes && u3.yes:
				o.YesToYes++
			case u1.yes:
				o.YesToNo++
			case u3.yes:
				o.NoToYes++
			default:
				o.NoToNo++
			}
		}
		o.N1 = o.YesToNo + o.YesToYes
		o.N3 = o.NoToYes + o.YesToYes
		o.PValue = McNemarExact(o.YesToNo, o.NoToYes)
		out = append(out, o)
	}
	return out
}

// McNemarExact returns the two-sided p-value of the exact McNemar test
// for a paired table with b and c discordant pairs: under no change each
// discordant pair is equally likely to go either way, so the smaller of b
// and c is a Binomial(b+c, 1/2) tail, doubled and capped at 1. It is 1
// when there are no discordant pairs, and NaN for a negative count.
//
// The tail is summed in proportion to its largest term, which is scaled
// by a log-gamma binomial coefficient, so the result stays accurate for
// counts in the millions where 2^-n underflows.
func McNemarExact(b, c int) float64 {
	if b < 0 || c < 0 {
		return math.NaN()
	}
	n, k := b+c, min(b, c)
	if n == 0 || 2*k >= n-1 {
		// The smaller count is at the middle of the distribution: its
		// tail holds at least half the probability, so 2x >= 1.
		return 1
	}
	// The tail P(X <= k) = sum C(n,i)/2^n for i = 0..k. Its terms grow
	// with i up to k < n/2, so sum them from i = k downwards as ratios
	// of the largest, C(n,i-1)/C(n,i) = i/(n-i+1), stopping once they no
	// longer change the sum.
	sum, term := 1.0, 1.0
	for i := k; i > 0; i-- {
		term *= float64(i) / float64(n-i+1)
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	logTail := logChoose(n, k) - float64(n)*math.Ln2 + math.Log(sum)
	return math.Min(1, 2*math.Exp(logTail))
}

// logChoose returns log C(n, k).
func logChoose(n, k int) float64 {
	a, _ := math.Lgamma(float64(n) + 1)
	b, _ := math.Lgamma(float64(k) + 1)
	c, _ := math.Lgamma(float64(n-k) + 1)
	return a - b - c
}

// RatingCount is how many cases received a risk-change rating.
type RatingCount struct {
	Rating Rating
	Cases  int
}

// RiskChangeOutcome is the risk change measure (DOMAIN.md "Risk change"):
// the share of cases whose exit rating is "reduced moderately" or
// "reduced significantly", among cases with a rating.
type RiskChangeOutcome struct {
	// Exit is the time point code the ratings come from.
	Exit string
	// Rated is the N behind the share: cases with a rating at exit.
	Rated int
	// Reduced counts rated cases whose rating is reduced moderately or
	// reduced significantly.
	Reduced int
	// ByRating counts rated cases by rating, in the order of RiskChanges.
	ByRating []RatingCount
}

// Share returns Reduced / Rated (0.82 is 82%). ok is false when no case
// was rated.
func (o RiskChangeOutcome) Share() (share float64, ok bool) {
	if o.Rated == 0 {
		return 0, false
	}
	return float64(o.Reduced) / float64(o.Rated), true
}

// RiskChangeShare computes the risk change measure from the behaviour
// assessments of the cases in scope, using the ratings recorded at the
// exit time point. Each victim-survivor's latest exit assessment counts;
// a case with several rated victim-survivors takes the least favourable
// rating among them, so a case counts as reduced only if the risk fell
// moderately or significantly for every one of them. Unknown rating codes
// are ignored.
func RiskChangeShare(as []BehaviourAssessment, exit string) RiskChangeOutcome {
	o := RiskChangeOutcome{Exit: exit}
	worst := map[int64]int{}
	for k, a := range latestPerVictim(as) {
		if k.timePoint != exit {
			continue
		}
		r := riskChangeRank(a.RiskChange)
		if r < 0 {
			continue
		}
		if old, ok := worst[a.CaseID]; !ok || r < old {
			worst[a.CaseID] = r
		}
	}
	ratings := RiskChanges()
	counts := make([]int, len(ratings))
	for _, r := range worst {
		counts[r]++
		o.Rated++
		if ratings[r].Code == RiskReducedModerately || ratings[r].Code == RiskReducedSignificantly {
			o.Reduced++
		}
	}
	for i, r := range ratings {
		o.ByRating = append(o.ByRating, RatingCount{Rating: r, Cases: counts[i]})
	}
	return o
}
