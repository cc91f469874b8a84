package casework

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/programme"
)

// EscalatedToDrive is the closure reason of a case whose risk rose past
// what its programme is for and was referred to Drive. A programme offers
// escalation by listing it among its closure reasons (Restart does).
const EscalatedToDrive = "escalated-drive"

// Escalated and EscalatedFrom are the history events on either side of an
// escalation: the case that closed, and the Drive referral it became.
const (
	Escalated     = "escalated"
	EscalatedFrom = "escalated_from"
)

// EscalationRoles are the roles that may escalate a case: those who work
// it. The new referral still goes to the panel, which decides it.
func EscalationRoles() []access.Role { return []access.Role{access.CaseManager, access.TeamLeader} }

// CanEscalate reports whether a case in its state, of programme from, may
// be escalated to programme to: from offers the escalation, to is another
// programme, and the case is referred or open and not waiting for another
// site to accept it.
func (c *Case) CanEscalate(from, to *programme.Programme) bool {
	if from == nil || to == nil || from.Code == to.Code {
		return false
	}
	if _, ok := from.ClosureReason(EscalatedToDrive); !ok {
		return false
	}
	switch c.State {
	case Referred, Accepted, Allocated, Active, Closing:
		return true
	}
	return false
}

// Escalate closes the case as escalated (from's closure reason
// EscalatedToDrive) and returns the referral to programme to that carries
// it on: the same person at the same site, the same referral source and
// evidence, referred today, its summary naming the case it came from.
// Only the referral's ID is left to set; the caller stores both and the
// history of each. The reasons are required: the panel reads them. userID
// makes the referral; roles are that user's at the case's site. Errors: EINVALID saying what is
// wrong; the case is unchanged on error.
func (c *Case) Escalate(from, to *programme.Programme, userID int64, roles []access.Role, reasons string, now time.Time) (*Case, error) {
	if !slices.ContainsFunc(roles, func(r access.Role) bool { return slices.Contains(EscalationRoles(), r) }) {
		return nil, drive.Errorf(drive.EINVALID, "Only a case manager or team leader can escalate a case.")
	}
	if !c.CanEscalate(from, to) {
		return nil, drive.Errorf(drive.EINVALID, "A case that is %s cannot be escalated to %s.", lower(c.State.Label()), programmeName(to))
	}
	reasons = strings.TrimSpace(reasons)
	switch {
	case reasons == "":
		return nil, drive.Invalid("The case could not be escalated", map[string]string{"reasons": "Say why the risk has escalated"})
	case len(reasons) > 4000:
		return nil, drive.Invalid("The case could not be escalated", map[string]string{"reasons": "Keep the reasons to 4,000 characters"})
	}
	n := now.UTC()
	today := drive.DateOf(n)
	summary := "Escalated from " + from.Name + " case " + strconv.FormatInt(c.ID, 10) + ". " + c.Summary
	if len(summary) > 4000 {
		summary = strings.ToValidUTF8(summary[:4000], "")
	}
	ref := &Case{SiteID: c.SiteID, PersonID: c.PersonID, Programme: to.Code, Source: c.Source, ReferredAt: today,
		ReferredBy: userID, Summary: summary, Evidence: c.Evidence}
	if err := ref.ValidateReferral(today, to); err != nil {
		return nil, err
	}
	c.State, c.ClosureReason, c.ClosedAt, c.UpdatedAt = Closed, EscalatedToDrive, &n, n
	return ref, nil
}

func programmeName(p *programme.Programme) string {
	if p == nil {
		return "another programme"
	}
	return p.Name
}
