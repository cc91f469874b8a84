package account

import (
	"slices"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
)

// VictimSide reports whether the staff of organisation o work on the
// victim-survivors' side: an IDVA service. Their accounts can reach the
// victim compartment, so whoever controls such an account controls a way
// to her; they are managed by the service's own team leader, and by an
// administrator only with that team leader's approval (AccountRequest).
func (o *Organisation) VictimSide() bool { return o != nil && o.Kind == IDVAService }

// RequestKind is a change to an account that may need a second person's
// approval.
type RequestKind string

// The changes an administrator may ask for on a victim-side account.
const (
	RequestCreate      RequestKind = "create_user"
	RequestGrantRole   RequestKind = "grant_role"
	RequestResetPass   RequestKind = "reset_password"
	RequestResetSecond RequestKind = "reset_second_factor"
	RequestResetBoth   RequestKind = "reset_sign_in"
)

// RequestKinds lists every kind in a stable order.
func RequestKinds() []RequestKind {
	return []RequestKind{RequestCreate, RequestGrantRole, RequestResetPass, RequestResetSecond, RequestResetBoth}
}

// Label names the kind for people.
func (k RequestKind) Label() string {
	switch k {
	case RequestCreate:
		return "Create an account"
	case RequestGrantRole:
		return "Give a role"
	case RequestResetPass:
		return "Reset the password"
	case RequestResetSecond:
		return "Reset the second factor"
	case RequestResetBoth:
		return "Reset the password and second factor"
	}
	return string(k)
}

// Reset reports whether the change resets an existing account's sign-in
// (its password, its second factor or both), which ends its sessions.
func (k RequestKind) Reset() bool {
	return k == RequestResetPass || k == RequestResetSecond || k == RequestResetBoth
}

// ResetsPassword reports whether applying the change sets a new one-time
// password (an account is created with one).
func (k RequestKind) ResetsPassword() bool {
	return k == RequestCreate || k == RequestResetPass || k == RequestResetBoth
}

// ResetsSecondFactor reports whether applying the change removes the
// account's authenticator and recovery codes.
func (k RequestKind) ResetsSecondFactor() bool {
	return k == RequestResetSecond || k == RequestResetBoth
}

// RequestState is where a request stands. A request is decided once.
type RequestState string

// Request states.
const (
	RequestPending  RequestState = "pending"
	RequestApproved RequestState = "approved"
	RequestRefused  RequestState = "refused"
)

// AccountRequest is a change to a victim-side account asked for by someone
// who may not make it alone (an administrator, or the command line), and
// waiting for a team leader of the IDVA service to approve or refuse it.
// It carries no credential: a one-time password is made only when the
// request is approved, and shown only to the approver, so the person who
// asked never holds a way into the account.
type AccountRequest struct {
	ID   int64
	Kind RequestKind
	// OrganisationID is the IDVA service whose team leader decides.
	OrganisationID int64
	// UserID is the account changed; for RequestCreate it is 0 until the
	// request is approved and the account exists.
	UserID int64
	// Username and DisplayName are the new account's, for RequestCreate.
	Username    string
	DisplayName string
	// Role and SiteID are the role to give (RequestCreate, RequestGrantRole).
	Role   access.Role
	SiteID int64
	// Reason is what the person asking said the change is for.
	Reason string
	// RequestedBy is the user who asked; 0 for the command line.
	RequestedBy int64
	RequestedAt time.Time
	State       RequestState
	DecidedBy   int64
	DecidedAt   *time.Time
}

// Pending reports whether the request still waits for a decision.
func (r *AccountRequest) Pending() bool { return r.State == RequestPending }

// Validate checks a request before it is stored.
func (r *AccountRequest) Validate() error {
	fields := map[string]string{}
	r.Reason = strings.TrimSpace(r.Reason)
	if !slices.Contains(RequestKinds(), r.Kind) {
		fields["kind"] = "Choose the change to ask for"
	}
	if r.OrganisationID <= 0 {
		fields["organisation"] = "Choose the IDVA service the account belongs to"
	}
	if len(r.Reason) > 500 {
		fields["reason"] = "Give the reason in up to 500 characters"
	}
	switch r.Kind {
	case RequestCreate:
		u := User{Username: r.Username, DisplayName: r.DisplayName, OrganisationID: r.OrganisationID}
		if err := u.Validate(); err != nil {
			for k, v := range fieldsOf(err) {
				fields[k] = v
			}
		}
		r.Username, r.DisplayName = u.Username, u.DisplayName
	default:
		if r.UserID <= 0 {
			fields["user"] = "Choose the account to change"
		}
	}
	if r.Kind == RequestCreate || r.Kind == RequestGrantRole {
		if err := (RoleAssignment{Role: r.Role, SiteID: r.SiteID}).Validate(); err != nil {
			fields["role"] = drive.ErrorMessage(err)
		}
	}
	if len(fields) > 0 {
		return drive.Invalid("The request could not be made", fields)
	}
	return nil
}

// Decide records the approver's answer. The person who asked, and the
// person whose account it is, may not decide: the point is a second person.
// Errors: ECONFLICT when already decided; EINVALID when approver is the
// one who asked or the account's holder.
func (r *AccountRequest) Decide(approver int64, approve bool, now time.Time) error {
	if !r.Pending() {
		return drive.Errorf(drive.ECONFLICT, "This request was already %s: nothing changed", r.State)
	}
	if approver == r.RequestedBy {
		return drive.Errorf(drive.EINVALID, "You asked for this change, so someone else in the IDVA service must decide it")
	}
	if r.UserID != 0 && approver == r.UserID {
		return drive.Errorf(drive.EINVALID, "This change is to your own account, so another team leader of the IDVA service must decide it")
	}
	r.State, r.DecidedBy = RequestRefused, approver
	if approve {
		r.State = RequestApproved
	}
	r.DecidedAt = &now
	return nil
}

// ServiceLeader reports whether u leads the victim-side organisation org:
// they work for it and hold the team leader role at a site. Such a person
// manages the service's accounts and decides requests about them.
func ServiceLeader(u *User, org *Organisation) bool {
	if u == nil || !org.VictimSide() || u.OrganisationID != org.ID || u.Disabled() {
		return false
	}
	for _, a := range u.Roles {
		if a.Role == access.TeamLeader && a.SiteID != 0 {
			return true
		}
	}
	return false
}

// LeadsSite reports whether u holds the team leader role at site.
func LeadsSite(u *User, site int64) bool {
	for _, a := range u.Roles {
		if a.Role == access.TeamLeader && a.SiteID == site && site != 0 {
			return true
		}
	}
	return false
}

// ServiceRoles are the roles a service's team leader gives directly: the
// work of an IDVA service. Any other role for a victim-side account is
// asked of an administrator, who needs the team leader's approval.
func ServiceRoles() []access.Role { return []access.Role{access.IDVA, access.TeamLeader} }

func fieldsOf(err error) map[string]string {
	if de, ok := err.(*drive.Error); ok {
		return de.Fields
	}
	return nil
}
