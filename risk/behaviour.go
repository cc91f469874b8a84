package risk

import (
	"fmt"
	"slices"
	"strings"

	"github.com/drive-platform/drive"
)

// Tri is a yes / no / not known answer about one behaviour. The empty Tri
// means no answer was given, which Validate refuses: "not known" must be
// said, so that a gap in the form is never read as "no".
type Tri string

// Behaviour answers.
const (
	Used     Tri = "yes"
	NotUsed  Tri = "no"
	NotKnown Tri = "unknown"
)

// TriChoices lists the answers in the order a form offers them.
func TriChoices() []Tri { return []Tri{Used, NotUsed, NotKnown} }

// Valid reports whether t is one of the recorded answers.
func (t Tri) Valid() bool { return t == Used || t == NotUsed || t == NotKnown }

// Label names the answer for people.
func (t Tri) Label() string {
	switch t {
	case Used:
		return "Yes"
	case NotUsed:
		return "No"
	case NotKnown:
		return "Not known"
	}
	return "Not answered"
}

// Category is a kind of abusive behaviour measured at each time point.
type Category struct {
	Code  string
	Label string
}

// Behaviour category codes (DOMAIN.md "Outcome measures").
const (
	CategoryPhysical    = "physical"
	CategorySexual      = "sexual"
	CategoryStalking    = "stalking"
	CategoryControlling = "controlling"
)

// Categories lists the behaviour categories in the order forms and
// reports show them.
func Categories() []Category {
	return []Category{
		{CategoryPhysical, "Physical abuse"},
		{CategorySexual, "Sexual abuse"},
		{CategoryStalking, "Harassment or stalking"},
		{CategoryControlling, "Jealous or controlling behaviour"},
	}
}

// CategoryByCode returns the category with the given code.
func CategoryByCode(code string) (Category, bool) {
	for _, c := range Categories() {
		if c.Code == code {
			return c, true
		}
	}
	return Category{}, false
}

// Risk-change ratings an IDVA gives at exit, from worst to best.
const (
	RiskIncreased            = "increased"
	RiskNoChange             = "no_change"
	RiskReducedSlightly      = "reduced_slightly"
	RiskReducedModerately    = "reduced_moderately"
	RiskReducedSignificantly = "reduced_significantly"
)

// Rating is a risk-change rating with its label.
type Rating struct {
	Code  string
	Label string
}

// RiskChanges lists the IDVA's risk-change ratings from worst (risk
// increased) to best (reduced significantly); the order is used to pick
// the least favourable rating for a case with several victim-survivors.
func RiskChanges() []Rating {
	return []Rating{
		{RiskIncreased, "Increased"},
		{RiskNoChange, "No change"},
		{RiskReducedSlightly, "Reduced slightly"},
		{RiskReducedModerately, "Reduced moderately"},
		{RiskReducedSignificantly, "Reduced significantly"},
	}
}

// riskChangeRank returns the position of code in RiskChanges, or -1.
func riskChangeRank(code string) int {
	for i, r := range RiskChanges() {
		if r.Code == code {
			return i
		}
	}
	return -1
}

// BehaviourAssessment records, for one victim-survivor and one
// perpetrator's case at one time point (T1 baseline, T2 mid-point, T3 exit,
// F follow-up, or whatever the programme configures), whether each
// category of behaviour has been used, and at exit the IDVA's rating of
// how the risk changed. The outcome measures are computed from these.
type BehaviourAssessment struct {
	ID        int64
	VictimID  int64
	CaseID    int64
	TimePoint string
	// One answer per category (see Categories).
	Physical    Tri
	Sexual      Tri
	Stalking    Tri
	Controlling Tri
	// RiskChange is the IDVA's risk-change rating (see RiskChanges); only
	// at the exit time point, and optional there.
	RiskChange string
	AssessedOn drive.Date
	AssessedBy int64
}

// Use returns the answer for the category with the given code, or "" for
// an unknown code.
func (b *BehaviourAssessment) Use(category string) Tri {
	switch category {
	case CategoryPhysical:
		return b.Physical
	case CategorySexual:
		return b.Sexual
	case CategoryStalking:
		return b.Stalking
	case CategoryControlling:
		return b.Controlling
	}
	return ""
}

// Validate checks a behaviour assessment. timePoints are the codes the
// case's programme configures (programme.TimePoint.Code); exit is the code
// of its exit time point, the only one at which a risk-change rating may
// be recorded. today bounds the date.
//
// Errors: EINVALID with one entry per field to fix: "victim", "case",
// "time_point", "physical", "sexual", "stalking", "controlling",
// "risk_change", "assessed_on" and "assessed_by".
func (b *BehaviourAssessment) Validate(today drive.Date, timePoints []string, exit string) error {
	f := map[string]string{}
	if b.VictimID <= 0 {
		f["victim"] = "Choose the victim-survivor this assessment is about"
	}
	if b.CaseID <= 0 {
		f["case"] = "Choose the perpetrator's case this assessment belongs to"
	}
	b.TimePoint = strings.TrimSpace(b.TimePoint)
	if b.TimePoint == "" {
		f["time_point"] = "Choose the time point"
	} else if !slices.Contains(timePoints, b.TimePoint) {
		f["time_point"] = fmt.Sprintf("Choose one of this programme's time points: %s", strings.Join(timePoints, ", "))
	}
	for _, c := range Categories() {
		if !b.Use(c.Code).Valid() {
			f[c.Code] = fmt.Sprintf("%s: answer yes, no or not known", c.Label)
		}
	}
	if b.RiskChange != "" {
		switch {
		case riskChangeRank(b.RiskChange) < 0:
			f["risk_change"] = "Choose how the risk changed from the list"
		case exit == "" || b.TimePoint != exit:
			f["risk_change"] = "The risk-change rating is recorded only at exit"
		}
	}
	if b.AssessedBy <= 0 {
		f["assessed_by"] = "Say who completed the assessment"
	}
	if b.AssessedOn.IsZero() {
		f["assessed_on"] = "Enter the date of the assessment"
	} else if b.AssessedOn.After(today) {
		f["assessed_on"] = "The assessment date cannot be in the future"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the behaviour assessment", f)
	}
	return nil
}
