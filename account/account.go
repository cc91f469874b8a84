// Package account holds the people who use the service and where they
// work: sites, organisations, users and the roles users hold. It validates
// them; storage and sign-in live elsewhere.
package account

import (
	"regexp"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
)

// Site is a Drive delivery area: one or more police force areas. It is the
// tenant boundary: staff of one site never see another site's records.
type Site struct {
	ID        int64
	Code      string // short stable code, e.g. "NSH"
	Name      string
	Region    string
	CreatedAt time.Time
}

var siteCode = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,31}$`)

// Validate checks a site before it is stored.
func (s *Site) Validate() error {
	fields := map[string]string{}
	s.Code = strings.ToUpper(strings.TrimSpace(s.Code))
	s.Name = strings.TrimSpace(s.Name)
	s.Region = strings.TrimSpace(s.Region)
	if !siteCode.MatchString(s.Code) {
		fields["code"] = "Enter a site code of 2 to 32 capital letters, digits or dashes, starting with a letter"
	}
	if s.Name == "" || len(s.Name) > 200 {
		fields["name"] = "Enter the site's name (up to 200 characters)"
	}
	if s.Region == "" {
		fields["region"] = "Enter the region the site belongs to"
	}
	if len(fields) > 0 {
		return drive.Invalid("The site could not be saved", fields)
	}
	return nil
}

// OrgKind is the kind of organisation a user belongs to. The kinds are
// defined in access, because who may reach the victim compartment depends on
// them.
type OrgKind = access.OrgKind

// Organisation kinds (ARCHITECTURE.md §3).
const (
	Provider          = access.Provider
	PoliceForce       = access.PoliceForce
	LocalAuthority    = access.LocalAuthority
	ProbationRegion   = access.ProbationRegion
	IDVAService       = access.IDVAService
	HousingProvider   = access.HousingProvider
	NationalTeam      = access.NationalTeam
	CommissionerBody  = access.CommissionerBody
	EvaluationPartner = access.EvaluationPartner
)

// OrgKinds lists every kind in a stable order.
func OrgKinds() []OrgKind { return access.OrgKinds() }

// Organisation is an employer of users: a provider, a police force, a local
// authority and so on.
type Organisation struct {
	ID        int64
	Name      string
	Kind      OrgKind
	SiteIDs   []int64 // sites it works with
	CreatedAt time.Time
}

// Validate checks an organisation before it is stored.
func (o *Organisation) Validate() error {
	fields := map[string]string{}
	o.Name = strings.TrimSpace(o.Name)
	if o.Name == "" || len(o.Name) > 200 {
		fields["name"] = "Enter the organisation's name (up to 200 characters)"
	}
	if !o.Kind.Valid() {
		fields["kind"] = "Choose the kind of organisation"
	}
	if len(fields) > 0 {
		return drive.Invalid("The organisation could not be saved", fields)
	}
	return nil
}

// User is a member of staff who signs in. PasswordHash and TOTPSecret are
// credentials: they are never rendered or logged. TOTPSecret is given when
// a user is created; reads never fill it (the secret is sealed at rest and
// opened only where a code is checked) and say only TOTPEnrolled.
type User struct {
	ID             int64
	Username       string
	DisplayName    string
	OrganisationID int64
	// OrganisationKind is the kind of the user's organisation, loaded with
	// the user, because the access policy needs it (access.Subject).
	OrganisationKind OrgKind
	PasswordHash     string
	TOTPSecret       string
	// TOTPEnrolled reports whether the user has a second-factor secret.
	TOTPEnrolled bool
	TOTPLastStep int64
	DisabledAt   *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Roles        []RoleAssignment
}

// Disabled reports whether the user may no longer sign in.
func (u *User) Disabled() bool { return u.DisabledAt != nil }

var username = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

// Validate checks the user's own fields (not credentials or roles).
func (u *User) Validate() error {
	fields := map[string]string{}
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	if !username.MatchString(u.Username) {
		fields["username"] = "Enter a username of 3 to 64 lower-case letters, digits, dots, dashes or underscores"
	}
	if u.DisplayName == "" || len(u.DisplayName) > 200 {
		fields["display_name"] = "Enter the person's name (up to 200 characters)"
	}
	if u.OrganisationID <= 0 {
		fields["organisation"] = "Choose the organisation the person works for"
	}
	if len(fields) > 0 {
		return drive.Invalid("The user could not be saved", fields)
	}
	return nil
}

// RoleAssignment gives a user a role at a site, or nationally when SiteID
// is zero.
type RoleAssignment struct {
	ID     int64
	UserID int64
	Role   access.Role
	SiteID int64 // 0 = national
}

// Validate checks the role may be held at that scope.
func (a RoleAssignment) Validate() error {
	return a.Role.CheckScope(a.SiteID == 0)
}
