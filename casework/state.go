// Package casework holds the Drive case from referral to closure: the
// state machine and who may move it, engagement, the intervention plan,
// contacts, needs, reviews and notes. It is pure: storage and pages call
// it, it calls neither.
package casework

import (
	"slices"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
)

// State is where a case is in its life.
type State string

// The states (ARCHITECTURE.md §3).
const (
	Referred    State = "referred"
	Accepted    State = "accepted"
	Declined    State = "declined"
	Allocated   State = "allocated"
	Active      State = "active"
	Closing     State = "closing"
	Closed      State = "closed"
	Transferred State = "transferred" // waiting for the receiving site to accept
)

// States lists every state in life order.
func States() []State {
	return []State{Referred, Accepted, Declined, Allocated, Active, Closing, Closed, Transferred}
}

// Label names a state for people.
func (s State) Label() string {
	switch s {
	case Referred:
		return "Referred"
	case Accepted:
		return "Accepted, not allocated"
	case Declined:
		return "Declined"
	case Allocated:
		return "Allocated"
	case Active:
		return "Active"
	case Closing:
		return "Closing"
	case Closed:
		return "Closed"
	case Transferred:
		return "Transfer pending"
	}
	return string(s)
}

// Open reports whether work is still going on in this state.
func (s State) Open() bool {
	return s == Accepted || s == Allocated || s == Active || s == Closing || s == Transferred
}

// Event is something that moves a case.
type Event string

// The events.
const (
	Accept         Event = "accept"
	Decline        Event = "decline"
	Allocate       Event = "allocate"
	Reallocate     Event = "reallocate"
	Start          Event = "start"
	BeginClosure   Event = "begin_closure"
	Resume         Event = "resume"
	Close          Event = "close"
	Transfer       Event = "transfer"
	AcceptTransfer Event = "accept_transfer"
	RejectTransfer Event = "reject_transfer"
	Reopen         Event = "reopen"
)

// Transition is one row of the state machine: an event that moves a case
// from one state to another, and the roles that may make it happen.
type Transition struct {
	From  State
	Event Event
	To    State
	Roles []access.Role
	// Label is the button text.
	Label string
	// Needs lists what the event must carry: "reasons", "case_manager",
	// "closure_reason", "site".
	Needs []string
	// AtReceivingSite: the event is made by staff of the site the case
	// is being transferred to, not the site that holds it.
	AtReceivingSite bool
}

// Machine returns the state machine, one row per allowed move. Any move
// not listed is refused.
func Machine() []Transition {
	panel := []access.Role{access.PanelCoordinator, access.TeamLeader}
	lead := []access.Role{access.TeamLeader}
	work := []access.Role{access.CaseManager, access.TeamLeader}
	return []Transition{
		{From: Referred, Event: Accept, To: Accepted, Roles: panel, Label: "Accept", Needs: []string{"reasons"}},
		{From: Referred, Event: Decline, To: Declined, Roles: panel, Label: "Decline", Needs: []string{"reasons"}},
		{From: Accepted, Event: Allocate, To: Allocated, Roles: lead, Label: "Allocate to a case manager", Needs: []string{"case_manager"}},
		{From: Allocated, Event: Reallocate, To: Allocated, Roles: lead, Label: "Reallocate", Needs: []string{"case_manager"}},
		{From: Active, Event: Reallocate, To: Active, Roles: lead, Label: "Reallocate", Needs: []string{"case_manager"}},
		{From: Allocated, Event: Start, To: Active, Roles: work, Label: "Start work on the case"},
		{From: Active, Event: BeginClosure, To: Closing, Roles: work, Label: "Begin closure", Needs: []string{"closure_reason"}},
		{From: Closing, Event: Resume, To: Active, Roles: lead, Label: "Return to active work"},
		{From: Closing, Event: Close, To: Closed, Roles: lead, Label: "Close the case", Needs: []string{"closure_reason"}},
		{From: Active, Event: Transfer, To: Transferred, Roles: lead, Label: "Transfer to another site", Needs: []string{"site"}},
		{From: Allocated, Event: Transfer, To: Transferred, Roles: lead, Label: "Transfer to another site", Needs: []string{"site"}},
		{From: Transferred, Event: AcceptTransfer, To: Accepted, Roles: lead, Label: "Accept the transfer", AtReceivingSite: true},
		{From: Transferred, Event: RejectTransfer, To: Active, Roles: lead, Label: "Decline the transfer", Needs: []string{"reasons"}, AtReceivingSite: true},
		{From: Closed, Event: Reopen, To: Active, Roles: lead, Label: "Reopen the case", Needs: []string{"reasons"}},
	}
}

// Find returns the transition for event from state.
func Find(from State, ev Event) (Transition, bool) {
	for _, t := range Machine() {
		if t.From == from && t.Event == ev {
			return t, true
		}
	}
	return Transition{}, false
}

// Allowed returns the transitions out of state that a user holding roles
// may make: what the case page offers.
func Allowed(from State, roles []access.Role, receiving bool) []Transition {
	var out []Transition
	for _, t := range Machine() {
		if t.From == from && t.AtReceivingSite == receiving && anyRole(t.Roles, roles) {
			out = append(out, t)
		}
	}
	return out
}

func anyRole(want, have []access.Role) bool {
	for _, w := range want {
		for _, h := range have {
			if w == h {
				return true
			}
		}
	}
	return false
}

// Check says whether a user acting in roles may make event happen to a
// case in state from. Errors: EINVALID saying why not.
func Check(from State, ev Event, roles []access.Role, receiving bool) (Transition, error) {
	t, ok := Find(from, ev)
	if !ok {
		return t, drive.Errorf(drive.EINVALID, "A case that is %s cannot be moved that way (%s).", lower(from.Label()), ev)
	}
	if t.AtReceivingSite != receiving {
		if receiving {
			return t, drive.Errorf(drive.EINVALID, "Only the site that holds the case can do that.")
		}
		return t, drive.Errorf(drive.EINVALID, "Only the receiving site can accept or decline a transfer.")
	}
	if !anyRole(t.Roles, roles) {
		return t, drive.Errorf(drive.EINVALID, "Only a %s can %s.", rolesText(t.Roles), lower(t.Label))
	}
	return t, nil
}

func rolesText(rs []access.Role) string {
	s := ""
	for i, r := range rs {
		if i > 0 {
			if i == len(rs)-1 {
				s += " or "
			} else {
				s += ", "
			}
		}
		s += lower(r.Label())
	}
	return s
}

func lower(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' && !(len(b) > 1 && b[1] >= 'A' && b[1] <= 'Z') {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

// Engagement is how the perpetrator is engaging, kept apart from the
// state: a case stays open on disruption whether or not he engages.
type Engagement string

// Engagement statuses (DOMAIN.md "The case").
const (
	NotYetContacted  Engagement = "not_yet_contacted"
	Engaged          Engagement = "engaged"
	PartiallyEngaged Engagement = "partially_engaged"
	Refused          Engagement = "refused"
	Uncontactable    Engagement = "uncontactable"
	InCustody        Engagement = "in_custody"
)

// Engagements lists every status.
func Engagements() []Engagement {
	return []Engagement{NotYetContacted, Engaged, PartiallyEngaged, Refused, Uncontactable, InCustody}
}

// Label names the status for people.
func (e Engagement) Label() string {
	switch e {
	case NotYetContacted:
		return "Not yet contacted"
	case Engaged:
		return "Engaged"
	case PartiallyEngaged:
		return "Partially engaged"
	case Refused:
		return "Refused"
	case Uncontactable:
		return "Uncontactable"
	case InCustody:
		return "In custody"
	}
	return string(e)
}

// Valid reports whether e is a known status.
func (e Engagement) Valid() bool {
	for _, x := range Engagements() {
		if x == e {
			return true
		}
	}
	return false
}

// ReceivingRoles returns the roles that decide a pending transfer at the
// receiving site: those of the transitions made there. Only holders of
// these roles at the receiving site see the case before it is accepted,
// and then only what they need to decide, because nobody else there has a
// reason to know of a perpetrator who is not yet their site's case.
func ReceivingRoles() []access.Role {
	var out []access.Role
	for _, t := range Machine() {
		if t.From != Transferred || !t.AtReceivingSite {
			continue
		}
		for _, r := range t.Roles {
			if !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
	}
	return out
}
