package evaluation

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/drive-platform/drive"
)

// State is where a project is in its life.
type State string

// The states of a project. A project is created as a draft, approved by a
// dpo, and ends either withdrawn (by a decision) or expired (its data-sharing
// agreement ran out). Only an approved project receives extracts.
const (
	StateDraft     State = "draft"
	StateApproved  State = "approved"
	StateExpired   State = "expired"
	StateWithdrawn State = "withdrawn"
)

// Tables returns the fixed list of tables a project may be granted, in the
// order an extract writes them. Anything else (notes, a victim-survivor's
// compartment, users) can never be granted. It returns a new slice each
// time so no caller can widen the list for everyone.
func Tables() []string {
	return []string{
		"cases", "perpetrators", "victim_survivors", "children", "assessments",
		"actions", "contacts", "police_incidents", "marac_hearings", "meetings",
	}
}

// TableLabel names a table of Tables in words for the pages that grant and
// list them; the extract's files keep the table's own name.
func TableLabel(table string) string {
	switch table {
	case "victim_survivors":
		return "Victim-survivors"
	case "police_incidents":
		return "Police incidents"
	case "marac_hearings":
		return "MARAC hearings"
	case "":
		return ""
	}
	return strings.ToUpper(table[:1]) + table[1:]
}

// DefaultK is the smallest group of people an extract may show unless the
// project sets a larger one; MinK is the least a project may set.
const (
	DefaultK = 5
	MinK     = 3
)

var slug = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Project is one evaluation: who evaluates, under which data-sharing
// agreement, which sites, period and tables it covers, and how small a group
// it may see. Created by the national team, approved by a dpo.
type Project struct {
	ID   int64
	Name string // a slug: 3-64 lowercase letters, digits and single hyphens
	// EvaluatorOrgID is the organisation whose evaluators may download.
	EvaluatorOrgID int64
	// AgreementRef and AgreementExpires identify the data-sharing
	// agreement; no extract is made after it expires.
	AgreementRef     string
	AgreementExpires drive.Date
	SiteIDs          []int64
	From, To         drive.Date // the period covered, both days included
	Tables           []string   // from Tables()
	// K is the k-anonymity threshold; 0 means DefaultK (see Threshold).
	K          int
	State      State
	CreatedBy  int64
	ApprovedBy int64
	ApprovedAt time.Time
}

// Threshold returns the project's k: K, or DefaultK when K is not set.
func (p *Project) Threshold() int {
	if p.K == 0 {
		return DefaultK
	}
	return p.K
}

// Validate checks every field of the project as of today. Errors: EINVALID
// with a message per field, keyed by the field's form name.
func (p *Project) Validate(today drive.Date) error {
	f := map[string]string{}
	switch {
	case len(p.Name) < 3 || len(p.Name) > 64:
		f["name"] = "Enter a name of 3 to 64 characters"
	case !slug.MatchString(p.Name):
		f["name"] = "Use only lowercase letters, digits and single hyphens, for example drive-trial-2026"
	}
	if p.EvaluatorOrgID <= 0 {
		f["evaluator_org_id"] = "Choose the evaluator's organisation"
	}
	ref := strings.TrimSpace(p.AgreementRef)
	switch {
	case ref == "":
		f["agreement_ref"] = "Enter the data-sharing agreement's reference"
	case len(ref) > 100:
		f["agreement_ref"] = "Enter a reference of at most 100 characters"
	}
	switch {
	case p.AgreementExpires.IsZero():
		f["agreement_expires"] = "Enter the date the data-sharing agreement expires"
	case p.AgreementExpires.Before(today) && (p.State == StateDraft || p.State == StateApproved):
		f["agreement_expires"] = "The data-sharing agreement has expired"
	}
	if len(p.SiteIDs) == 0 {
		f["site_ids"] = "Choose at least one site"
	} else {
		seen := map[int64]bool{}
		for _, id := range p.SiteIDs {
			if id <= 0 || seen[id] {
				f["site_ids"] = "Choose each site once"
				break
			}
			seen[id] = true
		}
	}
	switch {
	case p.From.IsZero():
		f["from"] = "Enter the first day of the period"
	case p.To.IsZero():
		f["to"] = "Enter the last day of the period"
	case p.To.Before(p.From):
		f["to"] = "The period must end on or after its first day"
	}
	if len(p.Tables) == 0 {
		f["tables"] = "Choose at least one table"
	} else {
		seen := map[string]bool{}
		for _, t := range p.Tables {
			if !isTable(t) {
				f["tables"] = fmt.Sprintf("%q is not a table that can be granted", t)
				break
			}
			if seen[t] {
				f["tables"] = fmt.Sprintf("%q is granted twice", t)
				break
			}
			seen[t] = true
		}
	}
	if p.K != 0 && p.K < MinK {
		f["k"] = fmt.Sprintf("Enter a threshold of at least %d", MinK)
	}
	switch p.State {
	case StateDraft, StateApproved, StateExpired, StateWithdrawn:
	default:
		f["state"] = "Unknown state"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the evaluation project", f)
	}
	return nil
}

func isTable(t string) bool {
	for _, x := range Tables() {
		if x == t {
			return true
		}
	}
	return false
}

// Approve records approval of a draft project by the user by at now.
// creator is the user who created the project: nobody approves their own
// project, so a second person (the dpo; the access policy checks the role)
// always sees it before data leaves. Errors: EINVALID for self-approval, a
// missing approver or a project that does not validate on now's date;
// ECONFLICT when the project is not a draft.
func (p *Project) Approve(by int64, now time.Time, creator int64) error {
	if p.State != StateDraft {
		return drive.Errorf(drive.ECONFLICT, "Only a draft project can be approved; this one is %s", p.State)
	}
	if by <= 0 {
		return drive.Invalid("Check the approval", map[string]string{"approved_by": "Say who approves the project"})
	}
	if by == creator {
		return drive.Invalid("Check the approval", map[string]string{
			"approved_by": "A project must be approved by someone other than the person who created it",
		})
	}
	if err := p.Validate(drive.DateOf(now)); err != nil {
		return err
	}
	p.State, p.ApprovedBy, p.ApprovedAt = StateApproved, by, now
	return nil
}

// Withdraw ends a draft or approved project; no further extracts are made.
// Errors: ECONFLICT when it has already ended.
func (p *Project) Withdraw() error {
	if p.State != StateDraft && p.State != StateApproved {
		return drive.Errorf(drive.ECONFLICT, "The project has already ended (%s)", p.State)
	}
	p.State = StateWithdrawn
	return nil
}

// Usable reports whether an extract may be made for the project today: it
// is approved and its agreement has not expired (the expiry day itself is
// still covered).
func (p *Project) Usable(today drive.Date) bool {
	return p.State == StateApproved && !p.AgreementExpires.IsZero() && !today.After(p.AgreementExpires)
}
