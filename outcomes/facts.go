package outcomes

import (
	"slices"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/risk"
)

// Time point codes compared by the paired measures: both default
// programmes (programme.Drive, programme.Restart) configure them.
const (
	Baseline = "T1"
	Exit     = "T3"
)

// Defaults of the publication rules (see the package doc).
const (
	// DefaultMinDenominator is the smallest published denominator a
	// derived figure is shown over.
	DefaultMinDenominator = 10
	// RoundingBase is the base published counts are rounded to.
	RoundingBase = 5
	// AssessmentGraceDays is how late an assessment may be done and still
	// count as on time: the programme schedules give a due date, and a
	// fortnight's slack matches the review cycle of the slowest programme.
	AssessmentGraceDays = 14
)

// Equality holds one person's equality answers, as codes of people.Genders,
// people.Ethnicities, people.Disabilities and people.SexualOrientations.
// An empty code counts as "not known". DateOfBirth gives the age band at
// the case's referral; it is never published.
type Equality struct {
	Ethnicity         string
	Sex               string
	Disability        string
	SexualOrientation string
	DateOfBirth       drive.Date
}

// VictimFacts is what the measures need about one victim-survivor linked to
// the case: no name and nothing about where she is. ID is her victim case
// ID, used only to count her once when she is linked to several cases; 0
// means unknown, and such a victim-survivor counts once per case.
type VictimFacts struct {
	ID             int64
	IDVA           bool // an IDVA is allocated
	LivingTogether bool // she lives with the perpetrator
	Equality       Equality
}

// DASHScore is one DASH score of a linked victim-survivor at a time point.
// Band is the band code of risk.DASH2009; when empty it is worked out from
// the score. Where several scores share a victim-survivor and time point,
// the latest (by date) counts.
type DASHScore struct {
	VictimID  int64
	TimePoint string
	Score     int
	Band      string
	On        drive.Date
}

// ActionFacts is one action of the intervention plan.
type ActionFacts struct {
	Prong       string // disrupt, change or support
	Status      casework.ActionStatus
	DueOn       drive.Date
	CompletedOn drive.Date // when it was done; zero if not done or not recorded
}

// AssessmentFacts is one scheduled assessment: due at a time point on a
// date, and done on a date (zero while not done).
type AssessmentFacts struct {
	TimePoint string
	DueOn     drive.Date
	DoneOn    drive.Date
}

// CaseFacts is one perpetrator's case as the measures see it: dates,
// codes and counts only, no names, no addresses, no free text. The caller
// fills it from the case, its links to police records and MARAC hearings,
// and its victim-survivors' records.
type CaseFacts struct {
	CaseID    int64
	SiteID    int64
	SiteCode  string
	Region    string
	Programme string // programme code: drive, restart
	State     casework.State

	ReferredOn  drive.Date
	AllocatedOn drive.Date // zero if never allocated
	ClosedOn    drive.Date // zero while open

	CaseManagerID int64 // 0 while unallocated
	Engagement    casework.Engagement
	ClosureReason string

	// Behaviour holds every behaviour assessment of the case, at any time
	// point; the paired measures use T1 and T3.
	Behaviour []risk.BehaviourAssessment
	DASH      []DASHScore
	// PoliceIncidents are the dates of police-recorded domestic abuse
	// incidents of the perpetrator's linked police records.
	PoliceIncidents []drive.Date
	// MARACHearings are the dates the case's victim-survivors' cases were
	// heard at MARAC.
	MARACHearings []drive.Date

	Victims  []VictimFacts
	Children int

	Actions     []ActionFacts
	Assessments []AssessmentFacts

	Perpetrator Equality

	// Trial is the referral's arm when a trial allocated it (arms.go);
	// nil otherwise.
	Trial *TrialFacts
}

// allocated reports whether the case reached a case manager: the cases the
// service worked with, which reach and fidelity count.
func (c *CaseFacts) allocated() bool { return !c.AllocatedOn.IsZero() }

// Scope says which cases a report covers and how it is broken down.
type Scope struct {
	// Sites limits the report to these site IDs; empty means every site.
	Sites []int64
	// Region limits the report to one region; empty means every region.
	Region string
	// Programme limits the report to one programme code; empty means
	// every programme, reported together ("all") and one by one.
	Programme string
	// From and To bound the period: a case is in it when it was referred
	// on or before To and not closed before From. A zero bound is open.
	From, To drive.Date
	// AsOf is the date the report is made for: it decides which cases
	// closed long enough ago for the police (6 months) and MARAC (12
	// months) measures, which actions and assessments were due, and ages.
	AsOf drive.Date
	// BySite adds every measure per site beside the figure for all sites
	// in scope.
	BySite bool
	// MinDenominator is the smallest published denominator a derived
	// figure is shown over; 0 means DefaultMinDenominator.
	MinDenominator int
}

// Validate checks a scope before a report is made. Errors: EINVALID with
// "as_of", "to" or "min_denominator".
func (s Scope) Validate() error {
	f := map[string]string{}
	if s.AsOf.IsZero() {
		f["as_of"] = "Give the date the report is made for"
	}
	if !s.From.IsZero() && !s.To.IsZero() && s.To.Before(s.From) {
		f["to"] = "The end of the period must not be before its start"
	}
	if s.MinDenominator < 0 {
		f["min_denominator"] = "The minimum denominator cannot be negative"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the report's scope", f)
	}
	return nil
}

// Includes reports whether a case is in the scope.
func (s Scope) Includes(c *CaseFacts) bool {
	if len(s.Sites) > 0 && !slices.Contains(s.Sites, c.SiteID) {
		return false
	}
	if s.Region != "" && c.Region != s.Region {
		return false
	}
	if s.Programme != "" && c.Programme != s.Programme {
		return false
	}
	if !s.To.IsZero() && c.ReferredOn.After(s.To) {
		return false
	}
	if !s.From.IsZero() && !c.ClosedOn.IsZero() && c.ClosedOn.Before(s.From) {
		return false
	}
	return true
}
