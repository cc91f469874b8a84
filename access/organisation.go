package access

import "slices"

// OrgKind is the kind of organisation a user works for. It lives here, not
// in account, because the policy depends on it: who may ever reach the
// victim compartment is decided by the organisation a user works for, not
// only by the role they hold (ARCHITECTURE.md §2). account.OrgKind is the
// same type.
type OrgKind string

// Organisation kinds (ARCHITECTURE.md §3).
const (
	Provider          OrgKind = "provider"
	PoliceForce       OrgKind = "police"
	LocalAuthority    OrgKind = "local_authority"
	ProbationRegion   OrgKind = "probation"
	IDVAService       OrgKind = "idva_service"
	HousingProvider   OrgKind = "housing"
	NationalTeam      OrgKind = "national_team"
	CommissionerBody  OrgKind = "commissioner"
	EvaluationPartner OrgKind = "evaluator"
)

// OrgKinds lists every kind in a stable order.
func OrgKinds() []OrgKind {
	return []OrgKind{Provider, PoliceForce, LocalAuthority, ProbationRegion, IDVAService, HousingProvider, NationalTeam, CommissionerBody, EvaluationPartner}
}

// Label names the kind for people.
func (k OrgKind) Label() string {
	switch k {
	case Provider:
		return "Drive provider"
	case PoliceForce:
		return "Police force"
	case LocalAuthority:
		return "Local authority"
	case ProbationRegion:
		return "Probation region"
	case IDVAService:
		return "IDVA service"
	case HousingProvider:
		return "Housing provider"
	case NationalTeam:
		return "National team"
	case CommissionerBody:
		return "Commissioner"
	case EvaluationPartner:
		return "Evaluator"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool { return slices.Contains(OrgKinds(), k) }

// compartmentOrganisations lists the kinds of organisation whose staff may
// ever receive the victim compartment, break-glass included. It is the one
// rule over organisations: the role table says what an IDVA or a team
// leader may do, and this says that only staff of an IDVA service are ever
// IDVAs or team leaders of victim-survivors. A team leader of the Drive
// provider, or any user whose organisation is unknown, never reaches it,
// whatever role they hold or however the roles were assigned.
func compartmentOrganisations() []OrgKind { return []OrgKind{IDVAService} }
