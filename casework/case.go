package casework

import (
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/programme"
)

// Source is where a referral came from.
type Source string

// Referral sources (DOMAIN.md).
const (
	FromMARAC         Source = "marac"
	FromPoliceList    Source = "police_identification"
	FromPanel         Source = "perpetrator_panel"
	FromChildrensCare Source = "childrens_social_care"
	FromProbation     Source = "probation"
	FromIDVA          Source = "idva_service"
	FromOther         Source = "other"
)

// Sources lists every referral source.
func Sources() []Source {
	return []Source{FromMARAC, FromPoliceList, FromPanel, FromChildrensCare, FromProbation, FromIDVA, FromOther}
}

// Label names a source for people.
func (s Source) Label() string {
	switch s {
	case FromMARAC:
		return "MARAC"
	case FromPoliceList:
		return "Police identification list"
	case FromPanel:
		return "Multi-agency perpetrator panel"
	case FromChildrensCare:
		return "Children's social care"
	case FromProbation:
		return "Probation"
	case FromIDVA:
		return "IDVA service"
	case FromOther:
		return "Other partner"
	}
	return string(s)
}

// Case is a perpetrator's case: from referral, through the panel's
// decision and the intervention, to closure. The referral is the case in
// its first state.
type Case struct {
	ID         int64
	SiteID     int64
	PersonID   int64
	Programme  string
	State      State
	Engagement Engagement

	// The referral.
	Source     Source
	ReferredAt drive.Date
	ReferredBy int64
	Summary    string // why referred; never where a victim-survivor is
	Evidence   programme.Evidence

	// The panel's decision.
	DecisionReasons string
	DecidedBy       int64
	DecidedAt       *time.Time

	// Panel is who a meeting admits to the case at the moment it was
	// read (the access policy's panel relationship): the attendees with an
	// account who accepted the confidentiality statement, of a published
	// or held meeting with the case on its agenda, within the meeting's
	// access window. The store fills it when it reads a case; it is never
	// saved.
	Panel []PanelSeat

	CaseManagerID int64 // 0 while unallocated
	AllocatedAt   *time.Time
	StartedAt     *time.Time
	ClosureReason string
	ClosedAt      *time.Time

	// TransferToSiteID is the receiving site while a transfer is pending.
	TransferToSiteID int64
	// StateBeforeTransfer is where a declined transfer returns the case.
	LastContactAt *time.Time
	NextReviewDue drive.Date
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// ValidateReferral checks a new referral. today bounds dates. Errors:
// EINVALID naming each field.
func (c *Case) ValidateReferral(today drive.Date, prog *programme.Programme) error {
	f := map[string]string{}
	known := false
	for _, s := range Sources() {
		known = known || s == c.Source
	}
	if !known {
		f["source"] = "Choose where the referral came from"
	}
	if c.ReferredAt.IsZero() {
		f["referred_at"] = "Enter the date of the referral"
	} else if c.ReferredAt.After(today) {
		f["referred_at"] = "The referral date cannot be in the future"
	}
	c.Summary = strings.TrimSpace(c.Summary)
	if c.Summary == "" {
		f["summary"] = "Say why this person is being referred"
	} else if len(c.Summary) > 4000 {
		f["summary"] = "Keep the reason to 4,000 characters"
	}
	if c.PersonID <= 0 {
		f["person"] = "Choose or enter the person being referred"
	}
	if prog == nil {
		f["programme"] = "Choose a programme this site runs"
	}
	e := c.Evidence
	if e.DASHScore < -1 || e.DASHScore > 24 {
		f["dash_score"] = "A DASH score is between 0 and 24"
	}
	if e.Victims < 0 || e.Victims > 100 {
		f["victims"] = "Enter the number of different victims known"
	}
	if e.IdentificationRank < 0 {
		f["identification_rank"] = "Enter the rank on the identification list, or leave it blank"
	}
	if !e.LastMARAC.IsZero() && e.LastMARAC.After(today) {
		f["last_marac"] = "The MARAC date cannot be in the future"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the referral", f)
	}
	c.State = Referred
	c.Engagement = NotYetContacted
	return nil
}

// Change is one state change with what it carries; Apply validates and
// applies it.
type Change struct {
	Event         Event
	Reasons       string
	CaseManagerID int64
	ClosureReason string
	SiteID        int64 // transfer target
}

// Apply moves the case by ch, made at now by a user acting in a role that
// Check has already accepted. It enforces what the event needs and the
// programme's rules (closure reasons, the reopening window). Errors:
// EINVALID saying what to fix; the case is unchanged on error.
func (c *Case) Apply(t Transition, ch Change, prog *programme.Programme, userID int64, now time.Time) error {
	f := map[string]string{}
	ch.Reasons = strings.TrimSpace(ch.Reasons)
	for _, need := range t.Needs {
		switch need {
		case "reasons":
			if ch.Reasons == "" {
				f["reasons"] = "Give the reasons for this decision"
			}
		case "case_manager":
			if ch.CaseManagerID <= 0 {
				f["case_manager"] = "Choose a case manager"
			}
		case "closure_reason":
			if _, ok := prog.ClosureReason(ch.ClosureReason); !ok {
				f["closure_reason"] = "Choose a closure reason"
			}
		case "site":
			if ch.SiteID <= 0 || ch.SiteID == c.SiteID {
				f["site"] = "Choose the site the case is moving to"
			}
		}
	}
	if t.Event == Reopen && c.ClosedAt != nil && now.Sub(*c.ClosedAt) > time.Duration(prog.ReopenWithinDays)*24*time.Hour {
		f["reasons"] = "This case closed more than " + strconv.Itoa(prog.ReopenWithinDays) + " days ago: make a new referral instead"
	}
	if len(f) > 0 {
		return drive.Invalid("The case could not be moved", f)
	}
	n := now.UTC()
	switch t.Event {
	case Accept, Decline:
		c.DecisionReasons, c.DecidedBy, c.DecidedAt = ch.Reasons, userID, &n
	case Allocate, Reallocate:
		c.CaseManagerID, c.AllocatedAt = ch.CaseManagerID, &n
	case Start:
		c.StartedAt = &n
		c.NextReviewDue = drive.DateOf(n).AddDays(7 * prog.ReviewEveryWeeks)
	case BeginClosure:
		c.ClosureReason = ch.ClosureReason
	case Close:
		c.ClosureReason, c.ClosedAt = ch.ClosureReason, &n
	case Transfer:
		c.TransferToSiteID = ch.SiteID
	case AcceptTransfer:
		// The case moves with its history; its new site allocates it.
		c.SiteID, c.TransferToSiteID, c.CaseManagerID = c.TransferToSiteID, 0, 0
	case RejectTransfer:
		c.TransferToSiteID = 0
	case Reopen:
		c.ClosedAt, c.ClosureReason = nil, ""
	}
	c.State = t.To
	c.UpdatedAt = n
	return nil
}

// NoContactFor reports whether an open case has had no contact for at
// least days as of now (a case never contacted counts from allocation).
func (c *Case) NoContactFor(days int, now time.Time) bool {
	if !c.State.Open() || c.State == Accepted {
		return false
	}
	since := c.LastContactAt
	if since == nil {
		since = c.AllocatedAt
	}
	return since != nil && now.Sub(*since) >= time.Duration(days)*24*time.Hour
}

// ReviewDue reports whether the next review falls on or before today.
func (c *Case) ReviewDue(today drive.Date) bool {
	return (c.State == Active || c.State == Closing) && !c.NextReviewDue.IsZero() && !c.NextReviewDue.After(today)
}

// PanelSeat is one attendee a meeting admits to a case.
type PanelSeat struct {
	UserID    int64
	MeetingID int64
}

// PanelUserIDs lists the users on the case's panel, for the policy.
func (c *Case) PanelUserIDs() []int64 {
	var ids []int64
	for _, p := range c.Panel {
		ids = append(ids, p.UserID)
	}
	return ids
}

// PanelMeeting is the meeting that admits user to the case, or 0.
func (c *Case) PanelMeeting(user int64) int64 {
	for _, p := range c.Panel {
		if p.UserID == user {
			return p.MeetingID
		}
	}
	return 0
}
