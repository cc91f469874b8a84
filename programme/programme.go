// Package programme holds the settings of an intervention programme as
// data: who is eligible, when assessments fall due, which actions exist,
// why cases close and how often they are reviewed. Drive is the default; a
// site may run others (such as Restart) or change the defaults, without a
// code change. Every case records the programme it belongs to.
package programme

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/drive-platform/drive"
)

// RuleKind names an eligibility criterion.
type RuleKind string

// Criteria (DOMAIN.md "Eligibility and referral").
const (
	// MARACWithin: an associated victim's case heard at MARAC within
	// Months months of the referral.
	MARACWithin RuleKind = "marac_within"
	// DASHAtLeast: the latest DASH score of an associated victim is at
	// least Threshold.
	DASHAtLeast RuleKind = "dash_at_least"
	// DASHAtMost: the latest DASH score is at most Threshold (earlier
	// intervention programmes for lower risk).
	DASHAtMost RuleKind = "dash_at_most"
	// Serial: two or more different victims.
	Serial RuleKind = "serial"
	// IdentificationTop: the perpetrator ranks in the site's top
	// Threshold on the identification list.
	IdentificationTop RuleKind = "identification_top"
	// ChildrensSocialCare: the family is known to children's social care.
	ChildrensSocialCare RuleKind = "childrens_social_care"
	// ProfessionalJudgement: a professional's reasoned judgement; the
	// reason is required.
	ProfessionalJudgement RuleKind = "professional_judgement"
)

// Rule is one eligibility criterion with its configured threshold.
type Rule struct {
	Kind      RuleKind `json:"kind"`
	Months    int      `json:"months,omitempty"`
	Threshold int      `json:"threshold,omitempty"`
	Label     string   `json:"label"`
}

// Match says whether a referral meets the rules: Any (one is enough) or
// All.
type Match string

// Matching modes.
const (
	Any Match = "any"
	All Match = "all"
)

// TimePoint is an assessment time point, such as baseline or exit.
type TimePoint struct {
	Code  string `json:"code"`  // T1, T2, T3, F
	Label string `json:"label"` // "Baseline"
	// WeeksAfterStart is when it falls due, from the case becoming active;
	// -1 means at closure.
	WeeksAfterStart int `json:"weeks_after_start"`
}

// ActionType is an entry of the action catalogue.
type ActionType struct {
	Code   string `json:"code"`
	Prong  string `json:"prong"` // disrupt, change, support
	Label  string `json:"label"`
	Agency string `json:"agency"` // the agency that usually acts
}

// Reason is a closure reason.
type Reason struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Programme is one programme's settings.
type Programme struct {
	Code        string       `json:"code"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Match       Match        `json:"match"`
	Eligibility []Rule       `json:"eligibility"`
	TimePoints  []TimePoint  `json:"time_points"`
	Actions     []ActionType `json:"actions"`
	Closure     []Reason     `json:"closure_reasons"`
	// ReviewEveryWeeks is the case review interval.
	ReviewEveryWeeks int `json:"review_every_weeks"`
	// ReopenWithinDays is how long after closure a case may be reopened
	// rather than referred again.
	ReopenWithinDays int `json:"reopen_within_days"`
	// ExpectedWeeks is the usual length of the intervention.
	ExpectedWeeks int `json:"expected_weeks"`
	// CaseloadLimit is the number of active cases per case manager past
	// which the team leader is warned.
	CaseloadLimit int `json:"caseload_limit"`
	// NoContactDays flags cases with no recorded contact for this long.
	NoContactDays int `json:"no_contact_days"`
}

// Prongs are the three strands of the intervention plan, in order.
func Prongs() []string { return []string{"disrupt", "change", "support"} }

// ProngLabel names a prong for people.
func ProngLabel(p string) string {
	switch p {
	case "disrupt":
		return "Disrupt"
	case "change":
		return "Change"
	case "support":
		return "Support"
	}
	return p
}

// Validate checks a programme's settings hang together. Errors: EINVALID
// naming what to fix.
func (p *Programme) Validate() error {
	fields := map[string]string{}
	if !validCode(p.Code) {
		fields["code"] = "Give the programme a code of lower-case letters, digits and dashes"
	}
	if strings.TrimSpace(p.Name) == "" {
		fields["name"] = "Give the programme a name"
	}
	if p.Match != Any && p.Match != All {
		fields["match"] = `Say whether any or all eligibility rules must be met ("any" or "all")`
	}
	if len(p.Eligibility) == 0 {
		fields["eligibility"] = "Give at least one eligibility rule"
	}
	for i, r := range p.Eligibility {
		switch r.Kind {
		case MARACWithin:
			if r.Months <= 0 {
				fields[fmt.Sprintf("eligibility[%d]", i)] = "A MARAC rule needs a number of months"
			}
		case DASHAtLeast, DASHAtMost:
			if r.Threshold < 0 || r.Threshold > 24 {
				fields[fmt.Sprintf("eligibility[%d]", i)] = "A DASH threshold is between 0 and 24"
			}
		case IdentificationTop:
			if r.Threshold <= 0 {
				fields[fmt.Sprintf("eligibility[%d]", i)] = "An identification rule needs a rank such as 20"
			}
		case Serial, ChildrensSocialCare, ProfessionalJudgement:
		default:
			fields[fmt.Sprintf("eligibility[%d]", i)] = fmt.Sprintf("Unknown eligibility rule %q", r.Kind)
		}
	}
	seen := map[string]bool{}
	for i, a := range p.Actions {
		if !validCode(a.Code) || seen[a.Code] {
			fields[fmt.Sprintf("actions[%d]", i)] = "Each action type needs its own code"
		}
		seen[a.Code] = true
		if a.Prong != "disrupt" && a.Prong != "change" && a.Prong != "support" {
			fields[fmt.Sprintf("actions[%d]", i)] = "An action's prong is disrupt, change or support"
		}
	}
	if len(p.Closure) == 0 {
		fields["closure_reasons"] = "Give at least one closure reason"
	}
	if len(p.TimePoints) == 0 {
		fields["time_points"] = "Give at least one assessment time point"
	}
	if p.ReviewEveryWeeks <= 0 || p.ReopenWithinDays < 0 || p.CaseloadLimit <= 0 || p.NoContactDays <= 0 {
		fields["settings"] = "The review interval, caseload limit and no-contact period must be positive"
	}
	if len(fields) > 0 {
		return drive.Invalid("The programme settings are not valid", fields)
	}
	return nil
}

func validCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Action returns the catalogue entry for code.
func (p *Programme) Action(code string) (ActionType, bool) {
	for _, a := range p.Actions {
		if a.Code == code {
			return a, true
		}
	}
	return ActionType{}, false
}

// ClosureReason returns the closure reason for code.
func (p *Programme) ClosureReason(code string) (Reason, bool) {
	for _, r := range p.Closure {
		if r.Code == code {
			return r, true
		}
	}
	return Reason{}, false
}

// Parse reads a programme from JSON and validates it.
func Parse(data []byte) (*Programme, error) {
	var p Programme
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, drive.Errorf(drive.EINVALID, "The programme settings are not valid JSON: %v", err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Clone returns a copy of p that shares nothing with it, so a copy kept
// to save parsing the same settings again can be handed out and changed.
func (p *Programme) Clone() *Programme {
	c := *p
	c.Eligibility = slices.Clone(p.Eligibility)
	c.TimePoints = slices.Clone(p.TimePoints)
	c.Actions = slices.Clone(p.Actions)
	c.Closure = slices.Clone(p.Closure)
	return &c
}

// JSON returns the programme as indented JSON.
func (p *Programme) JSON() []byte {
	b, _ := json.MarshalIndent(p, "", "  ")
	return b
}
