package casework

import (
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/programme"
)

// ActionStatus is where an action of the plan stands.
type ActionStatus string

// Action statuses. Overdue is not one of them: it is worked out from the
// due date, so it can never be stale.
const (
	ActionOpen       ActionStatus = "open"
	ActionInProgress ActionStatus = "in_progress"
	ActionDone       ActionStatus = "done"
	ActionCancelled  ActionStatus = "cancelled"
	// ActionNotPossible is an action that could not be done because
	// circumstances changed (he moved, she withdrew): kept apart from
	// "not done" so an agency is not counted as failing.
	ActionNotPossible ActionStatus = "not_possible"
)

// ActionStatuses lists every status.
func ActionStatuses() []ActionStatus {
	return []ActionStatus{ActionOpen, ActionInProgress, ActionDone, ActionNotPossible, ActionCancelled}
}

// Label names the status.
func (s ActionStatus) Label() string {
	switch s {
	case ActionOpen:
		return "Not started"
	case ActionInProgress:
		return "In progress"
	case ActionDone:
		return "Done"
	case ActionCancelled:
		return "Cancelled"
	case ActionNotPossible:
		return "Not possible (circumstances changed)"
	}
	return string(s)
}

// Action is one step of the intervention plan on one prong.
type Action struct {
	ID     int64
	CaseID int64
	Prong  string // disrupt, change, support
	Type   string // catalogue code
	// OrganisationID is the agency that owns the action, when it is one
	// the platform knows: its partner users see and update the action.
	// Agency is then the organisation's name; otherwise it is free text.
	OrganisationID int64
	Agency         string
	Owner          string // the person responsible, by name or role
	DueOn          drive.Date
	Status         ActionStatus
	Outcome        string
	// ReportedOn is when the owning agency last reported on the action.
	ReportedOn drive.Date
	// MeetingItemID is the agenda item at which a meeting agreed the
	// action, or 0 for an action the case manager added.
	MeetingItemID int64
	CreatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Unfinished reports whether the action is still to be done: open or in
// progress. Such actions come back on the next meeting's agenda.
func (a *Action) Unfinished() bool { return a.Status == ActionOpen || a.Status == ActionInProgress }

// Overdue reports whether the action is unfinished past its due date.
func (a *Action) Overdue(today drive.Date) bool {
	return a.Unfinished() && !a.DueOn.IsZero() && a.DueOn.Before(today)
}

// Validate checks an action against the programme's catalogue. Errors:
// EINVALID naming each field.
func (a *Action) Validate(prog *programme.Programme, today drive.Date, isNew bool) error {
	f := map[string]string{}
	t, ok := prog.Action(a.Type)
	if !ok {
		f["type"] = "Choose an action from the list"
	} else {
		a.Prong = t.Prong
		if strings.TrimSpace(a.Agency) == "" {
			a.Agency = t.Agency
		}
	}
	a.Agency, a.Owner, a.Outcome = strings.TrimSpace(a.Agency), strings.TrimSpace(a.Owner), strings.TrimSpace(a.Outcome)
	if a.Owner == "" || len(a.Owner) > 200 {
		f["owner"] = "Say who is responsible for this action"
	}
	if len(a.Agency) > 200 {
		f["agency"] = "Keep the agency to 200 characters"
	}
	if a.DueOn.IsZero() {
		f["due_on"] = "Enter the date this action is due"
	} else if isNew && a.DueOn.Before(today.AddDays(-1)) {
		f["due_on"] = "A new action cannot be due in the past"
	}
	if a.Status == "" {
		a.Status = ActionOpen
	}
	known := false
	for _, s := range ActionStatuses() {
		known = known || s == a.Status
	}
	if !known {
		f["status"] = "Choose the action's status"
	}
	if a.Status == ActionDone && a.Outcome == "" {
		f["outcome"] = "Say what the action achieved"
	}
	if a.Status == ActionNotPossible && a.Outcome == "" {
		f["outcome"] = "Say what changed, so the action could not be done"
	}
	if !a.ReportedOn.IsZero() && a.ReportedOn.After(today) {
		f["reported_on"] = "The date reported cannot be in the future"
	}
	if len(a.Outcome) > 4000 {
		f["outcome"] = "Keep the outcome to 4,000 characters"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the action", f)
	}
	return nil
}

// ContactKind is the kind of contact logged against a case.
type ContactKind string

// Contact kinds.
const (
	ContactAttempt ContactKind = "attempt"        // tried to reach him, no contact made
	OneToOne       ContactKind = "one_to_one"     // a session of change work
	ContactMade    ContactKind = "contact"        // spoke or met, not a session
	PartnerContact ContactKind = "partner_agency" // with police, probation, housing...
)

// ContactKinds lists every kind.
func ContactKinds() []ContactKind {
	return []ContactKind{ContactAttempt, ContactMade, OneToOne, PartnerContact}
}

// Label names the kind.
func (k ContactKind) Label() string {
	switch k {
	case ContactAttempt:
		return "Attempted contact"
	case OneToOne:
		return "One-to-one session"
	case ContactMade:
		return "Contact"
	case PartnerContact:
		return "Contact with a partner agency"
	}
	return string(k)
}

// Contact is a dated contact or attempt.
type Contact struct {
	ID        int64
	CaseID    int64
	Kind      ContactKind
	On        drive.Date
	Method    string // in person, phone, letter, video
	Summary   string
	CreatedBy int64
	CreatedAt time.Time
}

// Validate checks a contact. Errors: EINVALID.
func (c *Contact) Validate(today drive.Date) error {
	f := map[string]string{}
	known := false
	for _, k := range ContactKinds() {
		known = known || k == c.Kind
	}
	if !known {
		f["kind"] = "Choose the kind of contact"
	}
	if c.On.IsZero() {
		f["on"] = "Enter the date of the contact"
	} else if c.On.After(today) {
		f["on"] = "A contact cannot be in the future"
	}
	c.Method, c.Summary = strings.TrimSpace(c.Method), strings.TrimSpace(c.Summary)
	if c.Summary == "" {
		f["summary"] = "Say briefly what happened"
	} else if len(c.Summary) > 4000 {
		f["summary"] = "Keep the summary to 4,000 characters"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the contact", f)
	}
	return nil
}

// Counts reports whether the contact counts as contact with the
// perpetrator (for the "no contact for 14 days" list).
func (c *Contact) Counts() bool { return c.Kind == ContactMade || c.Kind == OneToOne }

// NeedAreas are the needs a case assesses.
func NeedAreas() []string {
	return []string{"housing", "mental_health", "substance_use", "finance_employment", "physical_health", "relationships_family", "education_skills"}
}

// NeedAreaLabel names a need area.
func NeedAreaLabel(a string) string {
	switch a {
	case "housing":
		return "Housing"
	case "mental_health":
		return "Mental health"
	case "substance_use":
		return "Substance use"
	case "finance_employment":
		return "Finance and employment"
	case "physical_health":
		return "Physical health"
	case "relationships_family":
		return "Relationships and family"
	case "education_skills":
		return "Education and skills"
	}
	return a
}

// NeedLevels, from none to high.
func NeedLevels() []string { return []string{"none", "low", "medium", "high"} }

// Review is a case review: risk and needs, and when the next is due.
type Review struct {
	ID         int64
	CaseID     int64
	On         drive.Date
	RiskLevel  string // standard, medium, high, very_high
	RiskChange string // increased, unchanged, reduced
	Needs      map[string]string
	Summary    string
	NextDue    drive.Date
	CreatedBy  int64
	CreatedAt  time.Time
}

// RiskLevels lists the risk levels a review records.
func RiskLevels() []string { return []string{"standard", "medium", "high", "very_high"} }

// RiskChanges lists the risk changes a review records.
func RiskChanges() []string { return []string{"increased", "unchanged", "reduced"} }

// Validate checks a review and sets its next due date from the
// programme's interval. Errors: EINVALID.
func (r *Review) Validate(prog *programme.Programme, today drive.Date) error {
	f := map[string]string{}
	if r.On.IsZero() {
		f["on"] = "Enter the date of the review"
	} else if r.On.After(today) {
		f["on"] = "A review cannot be in the future"
	}
	if !member(r.RiskLevel, RiskLevels()) {
		f["risk_level"] = "Choose the current risk level"
	}
	if !member(r.RiskChange, RiskChanges()) {
		f["risk_change"] = "Say how risk has changed since the last review"
	}
	for area, level := range r.Needs {
		if !member(area, NeedAreas()) || !member(level, NeedLevels()) {
			f["needs"] = "Choose a level for each need"
		}
	}
	r.Summary = strings.TrimSpace(r.Summary)
	if r.Summary == "" {
		f["summary"] = "Summarise the review"
	} else if len(r.Summary) > 8000 {
		f["summary"] = "Keep the summary to 8,000 characters"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the review", f)
	}
	r.NextDue = r.On.AddDays(7 * prog.ReviewEveryWeeks)
	return nil
}

func member(s string, xs []string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// Note is an entry in a case's notes. Notes are never edited or deleted:
// a correction is a new note that amends an earlier one, and both stay
// visible.
type Note struct {
	ID        int64
	CaseID    int64
	Text      string
	Amends    int64 // the note this one corrects; 0 for none
	CreatedBy int64
	CreatedAt time.Time
}

// Validate checks a note. Errors: EINVALID.
func (n *Note) Validate() error {
	n.Text = strings.TrimSpace(n.Text)
	switch {
	case n.Text == "":
		return drive.Invalid("Check the note", map[string]string{"text": "Write the note"})
	case len(n.Text) > 20000:
		return drive.Invalid("Check the note", map[string]string{"text": "Keep a note to 20,000 characters; split a longer one"})
	}
	return nil
}

// HistoryEntry is one line of a case's timeline: state changes and
// decisions, recorded as they happen.
type HistoryEntry struct {
	ID        int64
	CaseID    int64
	At        time.Time
	UserID    int64
	Event     string // an Event, or "referred", "engagement"
	FromState State
	ToState   State
	Detail    string
	SiteID    int64 // the site whose staff made the entry
}
