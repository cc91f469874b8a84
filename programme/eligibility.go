package programme

import (
	"fmt"
	"strings"

	"github.com/drive-platform/drive"
)

// Evidence is what a referral says about the person, as the eligibility
// rules need it. It holds risk facts, never where a victim-survivor is.
type Evidence struct {
	// LastMARAC is the most recent date an associated victim's case was
	// heard at MARAC; zero if never.
	LastMARAC drive.Date
	// DASHScore is the latest DASH score of an associated victim; -1 if
	// unknown.
	DASHScore int
	// Victims is the number of different victims known.
	Victims int
	// IdentificationRank is the person's rank on the site's list; 0 if
	// not on it.
	IdentificationRank int
	// KnownToChildrensSocialCare: the family is open to or known by
	// children's social care.
	KnownToChildrensSocialCare bool
	// ProfessionalJudgement is the reason a professional gives; empty if
	// none.
	ProfessionalJudgement string
}

// Result is one criterion evaluated: met or not, and on what evidence.
type Result struct {
	Rule     Rule
	Met      bool
	Evidence string
}

// Assessment is the eligibility rules evaluated for one referral.
type Assessment struct {
	Results  []Result
	Eligible bool
}

// Assess evaluates the programme's eligibility rules against the evidence
// on date on. The panel decides; this shows them which criteria are met.
func (p *Programme) Assess(e Evidence, on drive.Date) Assessment {
	var a Assessment
	met := 0
	for _, r := range p.Eligibility {
		res := Result{Rule: r}
		switch r.Kind {
		case MARACWithin:
			if e.LastMARAC.IsZero() {
				res.Evidence = "No MARAC hearing recorded"
			} else {
				res.Met = !e.LastMARAC.Before(on.AddMonths(-r.Months)) && !e.LastMARAC.After(on)
				res.Evidence = "Last heard at MARAC on " + e.LastMARAC.Display()
			}
		case DASHAtLeast, DASHAtMost:
			if e.DASHScore < 0 {
				res.Evidence = "No DASH score recorded"
			} else {
				if r.Kind == DASHAtLeast {
					res.Met = e.DASHScore >= r.Threshold
				} else {
					res.Met = e.DASHScore <= r.Threshold
				}
				res.Evidence = fmt.Sprintf("Latest DASH score %d", e.DASHScore)
			}
		case Serial:
			res.Met = e.Victims >= 2
			res.Evidence = fmt.Sprintf("%d different victims known", e.Victims)
		case IdentificationTop:
			if e.IdentificationRank <= 0 {
				res.Evidence = "Not on the identification list"
			} else {
				res.Met = e.IdentificationRank <= r.Threshold
				res.Evidence = fmt.Sprintf("Ranked %d on the identification list", e.IdentificationRank)
			}
		case ChildrensSocialCare:
			res.Met = e.KnownToChildrensSocialCare
			if res.Met {
				res.Evidence = "Known to children's social care"
			} else {
				res.Evidence = "Not known to children's social care"
			}
		case ProfessionalJudgement:
			res.Met = strings.TrimSpace(e.ProfessionalJudgement) != ""
			if res.Met {
				res.Evidence = "Reason given: " + strings.TrimSpace(e.ProfessionalJudgement)
			} else {
				res.Evidence = "No professional judgement given"
			}
		}
		if res.Met {
			met++
		}
		a.Results = append(a.Results, res)
	}
	switch p.Match {
	case All:
		a.Eligible = met == len(p.Eligibility) && met > 0
	default:
		a.Eligible = met > 0
	}
	return a
}
