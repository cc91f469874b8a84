// Package access decides who may do what to which record. It holds the
// roles, the data classes, the relationships between a user and a record,
// and the policy table that joins them. It is pure: no SQL, no HTTP.
package access

import "github.com/drive-platform/drive"

// Role is what a user does in the service. A user may hold several roles,
// each scoped to a site or held nationally.
type Role string

// The roles (ARCHITECTURE.md §3).
const (
	CaseManager      Role = "case_manager"
	IDVA             Role = "idva"
	TeamLeader       Role = "team_leader"
	Partner          Role = "partner"
	PanelCoordinator Role = "panel_coordinator"
	Analyst          Role = "analyst"
	Commissioner     Role = "commissioner"
	National         Role = "national"
	Evaluator        Role = "evaluator"
	Admin            Role = "admin"
	DPO              Role = "dpo"
)

// roleInfo describes a role for people and says where it may be held.
type roleInfo struct {
	label       string
	description string
	// nationalOK: the role may be held without a site.
	nationalOK bool
	// siteOK: the role may be held for a site.
	siteOK bool
}

// roleTable is the roles' descriptions, by role. It is built once
// (roleInfos): every decision and every check of a role reads it, and
// nothing changes it.
func roleTable() map[Role]roleInfo { return roleInfos }

var roleInfos = roleInfoTable()

// roleInfoTable writes the roles' descriptions out; roleTable is what
// reads them.
func roleInfoTable() map[Role]roleInfo {
	return map[Role]roleInfo{
		CaseManager:      {"Case manager", "Works with perpetrators on their allocated cases: single point of contact, action plan, disruption with partners.", false, true},
		IDVA:             {"IDVA", "Independent domestic violence advisor: supports and keeps safe the victim-survivors allocated to them.", false, true},
		TeamLeader:       {"Team leader", "Runs a site's Drive team: allocation, oversight, reviews, caseloads.", false, true},
		Partner:          {"Partner agency", "Police, probation, children's social care or housing staff who see a case while it is on an agenda they attend.", false, true},
		PanelCoordinator: {"Panel coordinator", "Prepares multi-agency panels: referrals, agendas, decisions and minutes.", false, true},
		Analyst:          {"Analyst", "Imports police data, runs identification lists and site reports, and refers suspects from the list.", false, true},
		Commissioner:     {"Commissioner", "Sees aggregate outcomes for the sites they fund; never a person-level record.", true, true},
		National:         {"National team", "Sees aggregate outcomes across all sites, and cross-site matches without other sites' details.", true, false},
		Evaluator:        {"Evaluator", "Receives pseudonymised extracts and aggregate measures only.", true, false},
		Admin:            {"System administrator", "Manages users, organisations, sites and configuration; sees no case records.", true, true},
		DPO:              {"Data protection officer", "Oversees audit, break-glass alerts, subject access and retention.", true, true},
	}
}

// Roles returns every role in a stable order.
func Roles() []Role {
	return []Role{CaseManager, IDVA, TeamLeader, Partner, PanelCoordinator, Analyst, Commissioner, National, Evaluator, Admin, DPO}
}

// Label is the role's name for people.
func (r Role) Label() string {
	if i, ok := roleTable()[r]; ok {
		return i.label
	}
	return string(r)
}

// Description says what the role is for.
func (r Role) Description() string { return roleTable()[r].description }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := roleTable()[r]; return ok }

// CheckScope validates holding role r at a site (national == false) or
// nationally. Errors: EINVALID saying what to change.
func (r Role) CheckScope(national bool) error {
	i, ok := roleTable()[r]
	if !ok {
		return drive.Errorf(drive.EINVALID, "unknown role %q: choose one of case_manager, idva, team_leader, partner, panel_coordinator, analyst, commissioner, national, evaluator, admin, dpo", string(r))
	}
	if national && !i.nationalOK {
		return drive.Errorf(drive.EINVALID, "the %s role works within a site: give the site it is for", i.label)
	}
	if !national && !i.siteOK {
		return drive.Errorf(drive.EINVALID, "the %s role is national: give it without a site", i.label)
	}
	return nil
}
