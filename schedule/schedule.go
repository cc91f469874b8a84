// Package schedule says when a case's assessments fall due: the behaviour
// assessments of a perpetrator's case and the DASH reviews of a
// victim-survivor's IDVA case, at the time points of the case's programme
// (T1 baseline, T2 mid-point, T3 exit, F follow-up, or whatever the
// programme configures). Outcome measures compare time points, so a
// missed point is a hole in the evidence, not only a late form: the lists
// show what is next and what is overdue, and a notification says when one
// falls due. It is pure: the caller passes the dates, the programme, what
// has been done and today.
package schedule

import (
	"sort"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/programme"
)

// Kind is what is assessed.
type Kind string

// The kinds of assessment on a schedule.
const (
	// Behaviour is the assessment of the perpetrator's behaviour, made
	// with each victim-survivor linked to his case (risk.BehaviourAssessment).
	Behaviour Kind = "behaviour"
	// DASH is a review of a victim-survivor's risk (risk.Assessment).
	DASH Kind = "dash"
)

// Label names a kind for people.
func (k Kind) Label() string {
	switch k {
	case Behaviour:
		return "Behaviour assessment"
	case DASH:
		return "DASH review"
	}
	return string(k)
}

// DASHWindow is how long before a time point a DASH review may be made and
// still count for it. DASH reviews are not labelled with a time point when
// they are recorded (risk changes do not wait for the calendar), so a
// review counts for the first open point whose window it falls in.
const DASHWindow = 28

// Course is the span of the work the schedule hangs on.
type Course struct {
	// Start is the day the time points count from: for a perpetrator's
	// case the day work started, or the allocation while it has not; for
	// a victim-survivor's case the day it opened. Zero means nothing is
	// due yet.
	Start drive.Date
	// Closed is the day the work ended; zero while it goes on. The exit
	// point falls due on it, and follow-ups only fall due after it.
	Closed drive.Date
}

// Point is one time point of a schedule.
type Point struct {
	Kind  Kind
	Code  string // "T1"
	Label string // "Baseline"
	// Due is the day the point falls due; zero for the exit point while
	// the course is open (it falls due at closure) and for a follow-up
	// before closure.
	Due    drive.Date
	Done   bool
	DoneOn drive.Date
}

// Overdue reports whether the point is due before asOf and not done.
func (p Point) Overdue(asOf drive.Date) bool {
	return !p.Done && !p.Due.IsZero() && p.Due.Before(asOf)
}

// Schedule is a course's time points in programme order.
type Schedule struct {
	Points []Point
}

// plan lays the programme's time points over the course. Points listed
// before the exit point fall due Start plus their weeks, and are dropped
// when that day is after the closure (the work ended before them); the
// exit point falls due on the closure; points listed after the exit are
// follow-ups, due their weeks after Start but never before the closure.
func plan(kind Kind, prog *programme.Programme, c Course) []Point {
	if prog == nil || c.Start.IsZero() {
		return nil
	}
	var out []Point
	afterExit := false
	for _, tp := range prog.TimePoints {
		p := Point{Kind: kind, Code: tp.Code, Label: tp.Label}
		switch {
		case tp.WeeksAfterStart < 0:
			afterExit = true
			p.Due = c.Closed
		case afterExit:
			if !c.Closed.IsZero() {
				p.Due = c.Start.AddDays(7 * tp.WeeksAfterStart)
				if p.Due.Before(c.Closed) {
					p.Due = c.Closed
				}
			}
		default:
			p.Due = c.Start.AddDays(7 * tp.WeeksAfterStart)
			if !c.Closed.IsZero() && p.Due.After(c.Closed) {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// Behaviours is the behaviour-assessment schedule of a perpetrator's case:
// a point is done when an assessment was recorded for its time point code
// (done maps the code to the day of the first one). For the case, any
// linked victim-survivor's assessment counts, as it does in the outcome
// measures; for one victim-survivor, pass only hers.
func Behaviours(prog *programme.Programme, c Course, done map[string]drive.Date) Schedule {
	pts := plan(Behaviour, prog, c)
	for i := range pts {
		if d, ok := done[pts[i].Code]; ok {
			pts[i].Done, pts[i].DoneOn = true, d
		}
	}
	return Schedule{Points: pts}
}

// DASHReviews is the DASH-review schedule of a victim-survivor's case at
// the programme's time points. Each review (assessed holds their days, in
// any order) counts for at most one point: the first open point whose
// window it falls in, from DASHWindow days before the point falls due to
// the start of the next dated point's window. The first point takes any
// earlier review too: the DASH a referral was made on is her baseline.
func DASHReviews(prog *programme.Programme, c Course, assessed []drive.Date) Schedule {
	pts := plan(DASH, prog, c)
	days := append([]drive.Date(nil), assessed...)
	sort.Slice(days, func(i, j int) bool { return days[i].Before(days[j]) })
	used := make([]bool, len(days))
	for i := range pts {
		if pts[i].Due.IsZero() {
			continue
		}
		var from, until drive.Date // until zero: no upper bound
		if i > 0 {
			from = pts[i].Due.AddDays(-DASHWindow)
		}
		for j := i + 1; j < len(pts); j++ {
			if !pts[j].Due.IsZero() {
				until = pts[j].Due.AddDays(-DASHWindow)
				break
			}
		}
		for k, d := range days {
			if used[k] || (!from.IsZero() && d.Before(from)) || (!until.IsZero() && !d.Before(until)) {
				continue
			}
			used[k] = true
			pts[i].Done, pts[i].DoneOn = true, d
			break
		}
	}
	return Schedule{Points: pts}
}

// Next returns the earliest dated point not yet done, overdue or not: what
// the lists show in their next-due column.
func (s Schedule) Next() (Point, bool) {
	var best Point
	found := false
	for _, p := range s.Points {
		if p.Done || p.Due.IsZero() {
			continue
		}
		if !found || p.Due.Before(best.Due) {
			best, found = p, true
		}
	}
	return best, found
}

// Overdue returns the points due before asOf and not done.
func (s Schedule) Overdue(asOf drive.Date) []Point {
	var out []Point
	for _, p := range s.Points {
		if p.Overdue(asOf) {
			out = append(out, p)
		}
	}
	return out
}

// DueOn returns the points not done that fall due on day: what a
// notification of that day is about.
func (s Schedule) DueOn(day drive.Date) []Point {
	var out []Point
	for _, p := range s.Points {
		if !p.Done && !p.Due.IsZero() && p.Due == day {
			out = append(out, p)
		}
	}
	return out
}

// Status is what a list row shows of one or more schedules.
type Status struct {
	Next    Point
	HasNext bool
	// NextOverdue: the next point is already overdue.
	NextOverdue bool
	Overdue     int
}

// StatusOf sums schedules up as of a day: the earliest outstanding point
// of any of them and how many are overdue.
func StatusOf(asOf drive.Date, ss ...Schedule) Status {
	var st Status
	for _, s := range ss {
		if p, ok := s.Next(); ok && (!st.HasNext || p.Due.Before(st.Next.Due)) {
			st.Next, st.HasNext = p, true
		}
		st.Overdue += len(s.Overdue(asOf))
	}
	st.NextOverdue = st.HasNext && st.Next.Overdue(asOf)
	return st
}
