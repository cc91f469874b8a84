package access

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/drive-platform/drive"
)

// Action is what a user wants to do with a record. The values are ordered:
// Write implies Read, so a policy cell of Write also allows Read, and
// "allowed" means the cell is at least the action wanted.
type Action int

// The actions, weakest first.
const (
	// None is no access. It is the zero value so that anything the policy
	// does not mention is refused.
	None Action = iota
	// Read is seeing the record, in any channel: pages, JSON, exports,
	// search results, notifications.
	Read
	// Write is creating and changing the record, and reading it.
	Write
)

// Actions returns every action in order, None first, for rendering and
// for tests that walk the whole policy.
func Actions() []Action { return []Action{None, Read, Write} }

// String is the action's stable code, as written to logs and audit events.
func (a Action) String() string {
	switch a {
	case None:
		return "none"
	case Read:
		return "read"
	case Write:
		return "write"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Label names the action for people.
func (a Action) Label() string {
	switch a {
	case None:
		return "No access"
	case Read:
		return "Read"
	case Write:
		return "Write"
	}
	return a.String()
}

// Description says what the action lets a user do, for the documentation.
func (a Action) Description() string {
	switch a {
	case None:
		return "The record does not exist as far as the user can tell: it is left out of lists and searches, and asking for it answers \"not found\"."
	case Read:
		return "See the record through any channel: pages, JSON, CSV and PDF exports, search results, autocomplete, notifications."
	case Write:
		return "Create and change the record; includes read. Notes stay append-only: a correction is a new entry."
	}
	return ""
}

// Valid reports whether a is one of the actions a caller may ask for. None
// is not something a caller can want, so asking for it is refused.
func (a Action) Valid() bool { return a == Read || a == Write }

// DataClass groups the fields of records by how sensitive they are and who
// may see them. Every field the service stores belongs to exactly one class;
// a page, export or query that mixes classes asks the policy once per class.
type DataClass string

// The data classes (ARCHITECTURE.md §4).
const (
	// PerpetratorCase is the Drive case about a perpetrator: identity,
	// referral, panel decision, state, allocation, actions, closure.
	PerpetratorCase DataClass = "perpetrator_case"
	// VictimCompartment is where a victim-survivor is and how to reach her
	// (ARCHITECTURE.md §2). Perpetrator-facing users never receive it.
	VictimCompartment DataClass = "victim_compartment"
	// VictimRisk is the risk-relevant facts about a victim-survivor that the
	// case manager needs: DASH score and band, abuse types, children's ages,
	// whether the couple live together.
	VictimRisk DataClass = "victim_risk"
	// Child is a child linked to a case: age, relationship, children's
	// social care status. A child's school is in VictimCompartment.
	Child DataClass = "child"
	// PoliceIntel is police incidents, identification scores and
	// intelligence shared at panels.
	PoliceIntel DataClass = "police_intel"
	// HealthNeeds is the perpetrator's health and needs: mental health,
	// substance use, housing, and the support work on them.
	HealthNeeds DataClass = "health_needs"
	// Notes is dated notes, contacts and sessions on a case.
	Notes DataClass = "notes"
	// Aggregates is counts and measures over many cases, with small
	// numbers suppressed; never a person-level row.
	Aggregates DataClass = "aggregates"
	// Extracts is evaluation projects and the pseudonymised, person-level
	// extracts released to them: no names, contact details or free text,
	// but rows about people, so kept from aggregate-only roles.
	Extracts DataClass = "extracts"
	// Audit is the audit log: who did what to which record.
	Audit DataClass = "audit"
	// Configuration is users, sites, organisations and settings.
	Configuration DataClass = "configuration"
	// Trial is a randomised trial at a site: its dates, eligibility rule
	// and the balance of its allocations. Never a person, and never its
	// seed (package evaluation).
	Trial DataClass = "trial"
	// SubjectAccess is subject access requests and the packs assembled
	// for them (docs/data-protection.md).
	SubjectAccess DataClass = "subject_access"
	// ListReferral is a referral made from the identification list: a
	// suspect's name and date of birth as the police recorded them, with
	// their rank and score as its evidence, put in the site's referral
	// queue for the panel to decide. It is its own class so that whoever
	// ranks the list (the analyst) can put someone forward without being
	// able to write, or read any more of, a case: writing PerpetratorCase
	// would let them change every case at the site.
	ListReferral DataClass = "list_referral"
)

// classInfo describes a data class for people.
type classInfo struct {
	label       string
	description string
	// personLevel: the class holds facts about an identifiable person.
	personLevel bool
}

func classTable() map[DataClass]classInfo {
	return map[DataClass]classInfo{
		PerpetratorCase:   {"Perpetrator case", "The Drive case about a perpetrator: identity and identifiers, referral and panel decision, state and engagement, allocation, disrupt/change/support actions, reviews and closure.", true},
		VictimCompartment: {"Victim compartment", "Where a victim-survivor is and how to reach them: location and addresses, contact details, safe-contact arrangements, refuge, school and GP details, the safety plan, and free text on her case that could reveal any of them.", true},
		VictimRisk:        {"Victim risk facts", "The risk-relevant facts shared with the case manager: DASH score, band and professional judgement, abuse types, behaviour assessments, children's ages, whether the couple live together. Never location or contact.", true},
		Child:             {"Child", "A child linked to a perpetrator or victim-survivor: age, relationship, children's social care status. The child's school is in the victim compartment.", true},
		PoliceIntel:       {"Police intelligence", "Police-recorded incidents and crimes, identification scores and their components, and information shared by agencies at panels. A location that could place a victim-survivor is in the victim compartment.", true},
		HealthNeeds:       {"Health and needs", "The perpetrator's health and needs: mental health, substance use, housing, finance, and the support work on them.", true},
		Extracts:          {"Evaluation extracts", "Evaluation projects and the pseudonymised extracts released to them: one row per person, case or event, with keyed-hash pseudonyms, dates to the month, ages in bands and small groups generalised; never a name, contact detail, identifier of another agency, free text or victim compartment value.", false},
		Notes:             {"Notes", "Dated notes, contacts and sessions on a perpetrator case; append-only. Notes on a victim-survivor's own case are in the victim compartment, since free text can reveal where they are.", true},
		Aggregates:        {"Aggregates", "Counts and outcome measures over many cases, with small numbers suppressed. Never a person-level row; evaluators' pseudonymised extracts are governed separately.", false},
		Audit:             {"Audit log", "Who did what to which record, when, from where and why. Never the content of the record. Written only by the service itself, in the same transaction as the change.", false},
		Configuration:     {"Configuration", "Users and their roles, sites, organisations, programmes and settings such as thresholds and caseload limits.", false},
		Trial:             {"Trial", "A randomised trial at a site: its name, dates and eligibility rule, and how many referrals each arm holds per risk band. Never a person and never the trial's seed; a referral's own arm is part of its perpetrator case.", false},
		SubjectAccess:     {"Subject access", "Subject access requests (who asked, how their identity was checked, the deadline), the packs assembled for them with third parties redacted, the redactions made on review and the approval before release.", false},
		ListReferral:      {"Referral from the identification list", "Putting a suspect on the site's identification list forward to the site's referrals, for the panel to decide: their name and date of birth as the police recorded them, with their rank and score as the evidence. It makes the referral and nothing else: it gives no read of any case and no change to one, and the referral waits with the others for the team leaders and panel coordinators.", true},
	}
}

// DataClasses returns every data class in a stable order, person-level
// classes first, for rendering and for tests that walk the whole policy.
func DataClasses() []DataClass {
	return []DataClass{PerpetratorCase, VictimCompartment, VictimRisk, Child, PoliceIntel, HealthNeeds, Notes, ListReferral, Aggregates, Extracts, Audit, Configuration, Trial, SubjectAccess}
}

// Label names the data class for people.
func (c DataClass) Label() string {
	if i, ok := classTable()[c]; ok {
		return i.label
	}
	return string(c)
}

// Description says which fields belong to the class.
func (c DataClass) Description() string { return classTable()[c].description }

// Valid reports whether c is a known data class.
func (c DataClass) Valid() bool { return slices.Contains(DataClasses(), c) }

// PersonLevel reports whether the class holds facts about an identifiable
// person. Aggregate-only roles never receive a person-level class, and
// break-glass applies only to person-level classes.
func (c DataClass) PersonLevel() bool { return classTable()[c].personLevel }

// Relationship is how a user, through one of their role grants, stands to
// a record. The policy grants actions per relationship, so the same role
// may write its own cases and only read the rest of its site's.
type Relationship string

// The relationships, narrowest first.
const (
	// Allocated: the record is allocated to the user (their case; for an
	// IDVA, their victim-survivor's case and the perpetrator cases linked
	// to it).
	Allocated Relationship = "allocated"
	// Team: the record is allocated to someone in the user's own
	// organisation at the same site. This is how the team leader of an
	// IDVA service sees their IDVAs' victim-survivors, while the team leader
	// of the Drive provider, a different organisation, does not.
	Team Relationship = "team"
	// Site: the record belongs to a site where the user holds the role.
	Site Relationship = "site"
	// Panel: the case is on the agenda of a meeting the user attends,
	// while the meeting runs.
	Panel Relationship = "panel"
	// Any: national scope, from a role held without a site.
	Any Relationship = "any"
)

// relInfo describes a relationship for people.
type relInfo struct {
	label       string
	description string
}

func relTable() map[Relationship]relInfo {
	return map[Relationship]relInfo{
		Allocated: {"Allocated", "The record is allocated to the user: their own case or, for an IDVA, their victim-survivor's case and the perpetrator cases linked to it. Needs the role at the record's site."},
		Team:      {"Team", "The record is allocated to someone in the user's own organisation at the record's site, or, for an action on a case's plan, owned by the user's organisation. A team leader of an IDVA service sees their IDVAs' victim-survivors this way; a team leader of the Drive provider is in another organisation and does not. A partner agency's staff see and update their agency's actions this way, and nothing else of the case."},
		Site:      {"Site", "The record belongs to a site where the user holds the role."},
		Panel:     {"Panel", "The case is on the agenda of a meeting the user attends, for as long as the meeting runs. A partner's role need not be at the record's site: being on the attendee list, kept by the site that holds the case, is what admits them."},
		Any:       {"Any", "National scope: the role is held without a site and covers every site's records."},
	}
}

// Relationships returns every relationship in order, narrowest first. The
// order is also how Decide chooses which relationship to report when more
// than one allows an action.
func Relationships() []Relationship { return []Relationship{Allocated, Team, Site, Panel, Any} }

// Label names the relationship for people.
func (r Relationship) Label() string {
	if i, ok := relTable()[r]; ok {
		return i.label
	}
	return string(r)
}

// Description says when the relationship holds.
func (r Relationship) Description() string { return relTable()[r].description }

// Valid reports whether r is a known relationship.
func (r Relationship) Valid() bool { return slices.Contains(Relationships(), r) }

// rule is one cell of the policy that is not None: role may do action on
// records of class through relationship.
type rule struct {
	role   Role
	class  DataClass
	rel    Relationship
	action Action
}

// policy is the access policy: role x data class x relationship -> action.
// Every cell not listed is None. It is the only place permissions are
// written down; Decide, SitesFor, the documentation (docs/access-policy.md)
// and the test matrix are all derived from it.
//
// Where ARCHITECTURE.md left room, the cell is the least that lets the role
// do its job. Change a line here and the documentation, the matrix and the
// specification test in policy_test.go must all agree before tests pass.
//
// The table is built once (policyRules): every decision reads it, a page
// makes dozens of decisions, and building it for each one was a
// noticeable part of a page's allocations. Nothing changes it.
func policy() []rule { return policyRules }

var policyRules = policyTable()

// policyTable writes the table out; policy is what reads it.
func policyTable() []rule {
	return []rule{
		// The case manager works the perpetrator's case. The risk facts
		// about the victim-survivor are shared with them; where she is and
		// how to reach her never are, not even by break-glass.
		{CaseManager, PerpetratorCase, Allocated, Write},
		{CaseManager, PerpetratorCase, Site, Read},
		{CaseManager, HealthNeeds, Allocated, Write},
		{CaseManager, Notes, Allocated, Write},
		{CaseManager, VictimRisk, Allocated, Read},
		{CaseManager, Child, Allocated, Read},
		{CaseManager, PoliceIntel, Allocated, Read},
		{CaseManager, Aggregates, Site, Read},

		// The IDVA keeps their victim-survivors safe, and reads the
		// perpetrator case linked to them. Risk facts are readable across
		// the site so that IDVAs can cover for each other and prepare
		// MARACs; the compartment is not.
		{IDVA, VictimCompartment, Allocated, Write},
		{IDVA, VictimRisk, Allocated, Write},
		{IDVA, VictimRisk, Site, Read},
		{IDVA, Child, Allocated, Write},
		{IDVA, Notes, Allocated, Write},
		{IDVA, PerpetratorCase, Allocated, Read},
		{IDVA, PoliceIntel, Allocated, Read},
		{IDVA, Aggregates, Site, Read},

		// The team leader runs the site's team. Only a team leader of the
		// IDVA's own service (Team) reads the compartment.
		{TeamLeader, PerpetratorCase, Site, Write},
		{TeamLeader, Notes, Site, Write},
		{TeamLeader, HealthNeeds, Site, Write},
		{TeamLeader, VictimRisk, Site, Read},
		{TeamLeader, Child, Site, Read},
		{TeamLeader, PoliceIntel, Site, Read},
		{TeamLeader, VictimCompartment, Team, Read},
		// A team leader of the IDVA service opens victim-survivors' cases
		// for their IDVAs and reallocates them.
		{TeamLeader, VictimRisk, Team, Write},
		{TeamLeader, Child, Team, Write},
		{TeamLeader, Aggregates, Site, Read},
		{TeamLeader, Configuration, Site, Read},
		// The team leader starts and ends a trial at their site and
		// watches its balance.
		{TeamLeader, Trial, Site, Write},
		// They refer from the identification list, as they refer anyone.
		{TeamLeader, ListReferral, Site, Write},

		// Partner agency staff see a case only while it is on the agenda of
		// a meeting they attend, and share their agency's information there.
		{Partner, PerpetratorCase, Panel, Read},
		{Partner, VictimRisk, Panel, Read},
		{Partner, Child, Panel, Read},
		{Partner, PoliceIntel, Panel, Write},
		// Between meetings, partner staff see and update the actions their
		// own agency owns. An action is the only record whose resource
		// names an owning organisation on the perpetrator side, so Team
		// here reaches those actions and nothing else of the case.
		{Partner, PerpetratorCase, Team, Write},

		// The panel coordinator records referrals and panel decisions.
		{PanelCoordinator, PerpetratorCase, Site, Write},
		{PanelCoordinator, VictimRisk, Site, Read},
		// They minute meetings: what each agency shared, and on what basis.
		{PanelCoordinator, PoliceIntel, Site, Write},
		{PanelCoordinator, Aggregates, Site, Read},
		{PanelCoordinator, ListReferral, Site, Write},

		// The analyst imports police data and runs identification lists.
		{Analyst, PoliceIntel, Site, Write},
		{Analyst, PerpetratorCase, Site, Read},
		{Analyst, Aggregates, Site, Read},
		// The analyst's work ends in a referral: they put someone on their
		// list forward to the site's referrals, where the team leaders and
		// panel coordinators take it up as any other. Nothing more of a
		// case: they still only read cases, and change none.
		{Analyst, ListReferral, Site, Write},

		// Aggregate-only roles.
		{Commissioner, Aggregates, Site, Read},
		{Commissioner, Aggregates, Any, Read},
		{National, Aggregates, Any, Read},
		{Evaluator, Aggregates, Any, Read},
		// The national team runs trials at any site; a trial is counts,
		// never a person, so it stays within what they may see.
		{National, Trial, Any, Write},

		// Evaluation: the national team sets up projects and releases
		// extracts, a dpo approves projects and may override the release
		// check with a reason, and an evaluator downloads what was
		// released to a project of their own organisation (the service
		// checks the organisation: a project has no site).
		{National, Extracts, Any, Write},
		{DPO, Extracts, Any, Write},
		{Evaluator, Extracts, Any, Read},

		// The administrator manages configuration and sees no person.
		{Admin, Configuration, Site, Write},
		{Admin, Configuration, Any, Write},

		// The data protection officer reviews the audit log; person-level
		// records only by break-glass (breakGlassPolicy).
		{DPO, Audit, Site, Read},
		{DPO, Audit, Any, Read},
		{DPO, Configuration, Site, Read},
		{DPO, Configuration, Any, Read},
		// Subject access requests about a person at the officer's site, or
		// at any site for a national officer. The pack gathers the person's
		// records wherever they are.
		{DPO, SubjectAccess, Site, Write},
		{DPO, SubjectAccess, Any, Write},
	}
}

// glassRule says role may break glass on records of class.
type glassRule struct {
	role  Role
	class DataClass
}

// breakGlassPolicy lists where break-glass is allowed: role x data class.
// Every pair not listed is refused. Break-glass only ever gives Read, on one
// named record, until an expiry at most MaxBreakGlass away.
func breakGlassPolicy() []glassRule {
	return []glassRule{
		// An IDVA covering for a colleague, and the team leader of the
		// IDVA service beyond their own organisation's cases. Only staff of
		// an IDVA service may use these (compartmentOrganisations): a team
		// leader of the Drive provider may not.
		{IDVA, VictimCompartment},
		{TeamLeader, VictimCompartment},

		// The data protection officer investigates: every person-level class.
		{DPO, PerpetratorCase},
		{DPO, VictimCompartment},
		{DPO, VictimRisk},
		{DPO, Child},
		{DPO, PoliceIntel},
		{DPO, HealthNeeds},
		{DPO, Notes},
	}
}

// perpetratorFacing lists the roles whose holders work face to face with
// perpetrators. Whoever holds one of them, at any site, never receives the
// victim compartment, whatever other role they also hold (ARCHITECTURE.md
// §2). Such a combination of roles is a mistake in assignment; refusing it
// here means the mistake cannot leak anything.
func perpetratorFacing() []Role { return []Role{CaseManager} }

// Allowed returns the action the policy gives role on records of class
// through rel: None, Read or Write. It is the table itself; use Decide for
// a user and a record.
func Allowed(role Role, class DataClass, rel Relationship) Action {
	return lookup(policy(), role, class, rel)
}

func lookup(p []rule, role Role, class DataClass, rel Relationship) Action {
	for _, x := range p {
		if x.role == role && x.class == class && x.rel == rel {
			return x.action
		}
	}
	return None
}

// BreakGlassAllowed reports whether holders of role may break glass on
// records of class. It is the table itself; use CanBreakGlass for a user.
func BreakGlassAllowed(role Role, class DataClass) bool {
	for _, x := range breakGlassPolicy() {
		if x.role == role && x.class == class {
			return true
		}
	}
	return false
}

// MaxBreakGlass is the longest a break-glass may stay open. It is long
// enough for a safeguarding emergency and short enough that access does not
// quietly become routine; a longer need is a reallocation.
const MaxBreakGlass = 4 * time.Hour

// Grant is one role a user holds, at a site or nationally. It mirrors a
// stored role assignment.
type Grant struct {
	Role Role
	// SiteID is the site the role is held at; 0 means held nationally.
	SiteID int64
}

// inScope reports whether g is a grant that can exist: a known role, held
// at a site or nationally as the role allows. Decide ignores any other
// grant, so a bad row in storage fails closed.
func (g Grant) inScope(roles map[Role]roleInfo) bool {
	i, ok := roles[g.Role]
	switch {
	case !ok || g.SiteID < 0:
		return false
	case g.SiteID == 0:
		return i.nationalOK
	default:
		return i.siteOK
	}
}

// Glass is an open break-glass: read access to one named record, with a
// stated reason, until Expires. It is made by OpenGlass, stored with an
// audit event and an alert to the data protection officer, and handed back
// to Decide in Subject.BreakGlass for as long as it lasts.
type Glass struct {
	Class      DataClass
	RecordType string
	RecordID   string
	// Expires is when the access ends; Decide treats a glass as closed
	// from this instant on.
	Expires time.Time
	// Reason is the justification the user gave. A glass without one
	// cannot be reviewed, so Decide ignores it.
	Reason string
}

// live reports whether g opens record r at now.
func (g Glass) live(r Resource, now time.Time) bool {
	return g.Class == r.Class &&
		g.RecordType != "" && g.RecordType == r.RecordType &&
		g.RecordID != "" && g.RecordID == r.RecordID &&
		strings.TrimSpace(g.Reason) != "" &&
		now.Before(g.Expires) &&
		// A glass reaching further ahead than MaxBreakGlass was not made by
		// OpenGlass; refuse it rather than trust it.
		!g.Expires.After(now.Add(MaxBreakGlass))
}

// Subject is the user asking: who they are, where they work, the roles
// they hold and any break-glass they have open. Build it once per request
// from the signed-in user.
type Subject struct {
	UserID int64
	// OrganisationID is the user's organisation, for the Team relationship.
	OrganisationID int64
	// OrganisationKind is the kind of the user's organisation. Only staff
	// of an IDVA service ever receive the victim compartment; an empty or
	// unknown kind is treated as any other organisation (refused).
	OrganisationKind OrgKind
	Grants           []Grant
	BreakGlass       []Glass
}

// HasRole reports whether s holds role r at any site or nationally, for
// choosing what to offer (menus, start pages). It grants nothing: whether s
// may see a record is for Decide alone.
func (s Subject) HasRole(r Role) bool {
	for _, g := range s.Grants {
		if g.Role == r {
			return true
		}
	}
	return false
}

// barred reports whether s may never receive records of class, whatever
// the table or break-glass says. The victim compartment is reached only by
// staff of an IDVA service (compartmentOrganisations), so a team leader of
// the Drive provider cannot reach it through any role; and, within an IDVA
// service, never by a holder of a perpetrator-facing role, which would be a
// mistaken assignment.
func (s Subject) barred(class DataClass) bool {
	if class != VictimCompartment {
		return false
	}
	if !slices.Contains(compartmentOrganisations(), s.OrganisationKind) {
		return true
	}
	for _, r := range perpetratorFacing() {
		if s.HasRole(r) {
			return true
		}
	}
	return false
}

// Resource is the record being asked about, described by what the policy
// needs: its class, its identity, its site and who it is allocated to. The
// caller builds it from the stored record, never from the request.
type Resource struct {
	Class DataClass
	// RecordType and RecordID name the record, as in audit events, for
	// matching break-glass.
	RecordType string
	RecordID   string
	// SiteID is the site the record belongs to; 0 for a national record,
	// which only national (Any) grants reach.
	SiteID int64
	// AllocatedUserIDs are the users the record is allocated to: for a
	// perpetrator case, its case manager and the IDVAs of its linked
	// victim-survivors; for a victim-survivor's records, her IDVA.
	AllocatedUserIDs []int64
	// AllocatedOrganisationIDs are the organisations of those users, for
	// the Team relationship.
	AllocatedOrganisationIDs []int64
	// PanelUserIDs are the users attending a meeting that has the case on
	// its agenda, and only while that meeting runs.
	PanelUserIDs []int64
}

// Decision is the policy's answer for one request. When allowed, Role and
// Relationship say on what authority, for the audit event's actor role.
type Decision struct {
	Allowed bool
	// Role is the role the user acts in; empty when refused.
	Role Role
	// Relationship is the relationship that allowed the action: for
	// break-glass, Site or Any for the grant that may break glass.
	Relationship Relationship
	// BreakGlass is true when only an open break-glass allowed the read;
	// the caller records it in the audit log.
	BreakGlass bool
	// Reason explains the decision for logs and the audit trail. It names
	// roles, classes and relationships, never data, and is never shown to
	// the user: a refused record answers "not found".
	Reason string
}

// Err is nil when d allows the action, and otherwise the error to return:
// ENOTFOUND for what (for example "Case"), exactly as for a record that
// does not exist, so that a refusal cannot be told from absence.
func (d Decision) Err(what string) error {
	if d.Allowed {
		return nil
	}
	return drive.NotFound(what)
}

// relationships returns the relationships grant g gives s to record r,
// given that g is in scope. A grant at the record's site gives Site, and
// Allocated, Team and Panel as the record's lists say. A national grant
// gives Any and nothing else. A grant at another site gives nothing, except
// that a partner on the record's panel attendee list is admitted to that
// panel (Panel) wherever their own role is held: the attendee list is kept
// by the site that holds the case and ends with the meeting, so it is a
// narrower authority than any site grant.
func relationships(s Subject, g Grant, r Resource) []Relationship {
	if g.SiteID == 0 {
		return []Relationship{Any}
	}
	if r.SiteID <= 0 {
		// A national record has no site, no allocation and no panel.
		return nil
	}
	onPanel := s.UserID > 0 && slices.Contains(r.PanelUserIDs, s.UserID)
	if g.SiteID != r.SiteID {
		if g.Role == Partner && onPanel {
			return []Relationship{Panel}
		}
		return nil
	}
	rels := []Relationship{Site}
	if s.UserID > 0 && slices.Contains(r.AllocatedUserIDs, s.UserID) {
		rels = append(rels, Allocated)
	}
	if s.OrganisationID > 0 && slices.Contains(r.AllocatedOrganisationIDs, s.OrganisationID) {
		rels = append(rels, Team)
	}
	if onPanel {
		rels = append(rels, Panel)
	}
	return rels
}

// Decide is the one access decision: may subject s do want to record r at
// time now? Every handler, export and query asks it (or SitesFor, for
// lists) before a record leaves the service.
//
// The action allowed is the greatest over all of s's grants and every
// relationship each grant gives (see Relationships for what each means).
// Grants that cannot exist (unknown role, a site role held nationally) are
// ignored. When several grants allow the action, the narrowest relationship
// is reported, then the role first in Roles(), so the answer does not
// depend on the order of s.Grants.
//
// If the table refuses, want is Read, s has a live Glass for exactly this
// record (same class, record type and id, a reason, not expired at now),
// and one of s's grants may break glass on the class at the record's site
// (CanBreakGlass), the read is allowed with BreakGlass set. Break-glass
// never allows Write.
//
// Only staff of an IDVA service reach the victim compartment, and a holder
// of a perpetrator-facing role (case_manager) is refused it whatever else
// they hold; both hold for break-glass too.
//
// Decide refuses an unknown class, a negative site, or an action other than
// Read or Write.
// It returns no error: a refusal is Allowed == false, and the caller answers
// "not found" (Decision.Err).
func Decide(s Subject, want Action, r Resource, now time.Time) Decision {
	if !want.Valid() {
		return Decision{Reason: fmt.Sprintf("refused: %s is not an action that can be asked for", want)}
	}
	if !r.Class.Valid() {
		return Decision{Reason: fmt.Sprintf("refused: unknown data class %q", string(r.Class))}
	}
	if r.SiteID < 0 {
		return Decision{Reason: "refused: the record's site is not valid"}
	}
	if s.barred(r.Class) {
		return Decision{Reason: "refused: only staff of an IDVA service, and none holding a perpetrator-facing role, receive " + string(r.Class)}
	}

	p := policy()
	roles := roleTable()
	order := Roles()
	var best Decision
	for _, g := range s.Grants {
		if !g.inScope(roles) {
			continue
		}
		for _, rel := range relationships(s, g, r) {
			if lookup(p, g.Role, r.Class, rel) < want {
				continue
			}
			if best.Allowed && !narrower(rel, g.Role, best.Relationship, best.Role, order) {
				continue
			}
			best = Decision{Allowed: true, Role: g.Role, Relationship: rel}
		}
	}
	if best.Allowed {
		best.Reason = "allowed: " + string(best.Role) + " may " + want.String() + " " + string(r.Class) + " through " + string(best.Relationship)
		return best
	}

	for _, gl := range s.BreakGlass {
		if !gl.live(r, now) {
			continue
		}
		if want != Read {
			return Decision{Reason: "refused: break-glass gives read only, and no role gives " + want.String() + " on " + string(r.Class)}
		}
		g, ok := glassGrant(s, r.Class, r.SiteID)
		if !ok {
			break
		}
		rel := Site
		if g.SiteID == 0 {
			rel = Any
		}
		return Decision{
			Allowed:      true,
			Role:         g.Role,
			Relationship: rel,
			BreakGlass:   true,
			Reason:       "allowed by break-glass: " + string(g.Role) + " may read " + string(r.Class) + " until the glass expires",
		}
	}
	return Decision{Reason: "refused: no role held gives " + want.String() + " on " + string(r.Class) + " through any relationship to this record"}
}

// narrower reports whether (rel, role) is a better authority to report than
// (bestRel, bestRole): the narrower relationship, then the earlier role.
func narrower(rel Relationship, role Role, bestRel Relationship, bestRole Role, order []Role) bool {
	rels := Relationships()
	a, b := slices.Index(rels, rel), slices.Index(rels, bestRel)
	if a != b {
		return a < b
	}
	return slices.Index(order, role) < slices.Index(order, bestRole)
}

// CanBreakGlass reports whether s may break glass on records of class at
// site siteID, and the role they would act in. It is for offering the
// break-glass button and, through OpenGlass, for opening one; Decide asks
// it again on every read, so removing the role closes the glass.
//
// A role held at the site qualifies, as does a role held nationally. Only
// staff of an IDVA service may break glass on the victim compartment, and
// never a holder of a perpetrator-facing role. When several roles qualify, the first in Roles() is
// returned, preferring a grant at the site over a national one.
func CanBreakGlass(s Subject, class DataClass, siteID int64) (Role, bool) {
	g, ok := glassGrant(s, class, siteID)
	return g.Role, ok
}

func glassGrant(s Subject, class DataClass, siteID int64) (Grant, bool) {
	if !class.Valid() || s.barred(class) || siteID < 0 {
		return Grant{}, false
	}
	roles := roleTable()
	order := Roles()
	var best Grant
	found := false
	for _, g := range s.Grants {
		if !g.inScope(roles) || !BreakGlassAllowed(g.Role, class) {
			continue
		}
		if g.SiteID != 0 && (siteID == 0 || g.SiteID != siteID) {
			continue
		}
		switch {
		case !found:
		case (g.SiteID == 0) != (best.SiteID == 0):
			if g.SiteID == 0 {
				continue
			}
		case slices.Index(order, g.Role) >= slices.Index(order, best.Role):
			continue
		}
		best, found = g, true
	}
	return best, found
}

// Limits on a break-glass reason, in characters. The minimum asks for a
// sentence a reviewer can act on, not "x"; the maximum is the audit log's.
const (
	minGlassReason = 10
	maxGlassReason = 2000
)

// OpenGlass checks a request by s to break glass on record r for duration d
// with the given reason, and returns the Glass to store and the role s acts
// in. The caller stores the glass, writes the audit event (with the reason)
// in the same transaction and alerts the data protection officer.
//
// Errors: ENOTFOUND when s may not break glass on r's class at r's site, or
// r names no record, so that the request cannot be used to probe for
// records; EINVALID when s can already read the record without break-glass,
// when the reason is missing, too short, too long or holds control
// characters, or when d is not positive or is longer than MaxBreakGlass.
func OpenGlass(s Subject, r Resource, reason string, d time.Duration, now time.Time) (Glass, Role, error) {
	if r.RecordType == "" || r.RecordID == "" {
		return Glass{}, "", drive.NotFound("Record")
	}
	g, ok := glassGrant(s, r.Class, r.SiteID)
	if !ok {
		return Glass{}, "", drive.NotFound("Record")
	}
	if Decide(Subject{UserID: s.UserID, OrganisationID: s.OrganisationID, OrganisationKind: s.OrganisationKind, Grants: s.Grants}, Read, r, now).Allowed {
		return Glass{}, "", drive.Errorf(drive.EINVALID, "You can already see this record, so there is no need to break glass.")
	}
	fields := map[string]string{}
	reason = strings.TrimSpace(reason)
	switch n := len([]rune(reason)); {
	case n == 0:
		fields["reason"] = "Say why you need to see this record: a reviewer will read it."
	case n < minGlassReason:
		fields["reason"] = fmt.Sprintf("Say more about why you need to see this record (at least %d characters): a reviewer will read it.", minGlassReason)
	case len(reason) > maxGlassReason:
		fields["reason"] = fmt.Sprintf("Shorten the reason to at most %d characters.", maxGlassReason)
	case strings.ContainsFunc(reason, unicode.IsControl):
		fields["reason"] = "Write the reason on one line, without tabs or line breaks."
	}
	switch {
	case d <= 0:
		fields["duration"] = "Choose how long you need access for."
	case d > MaxBreakGlass:
		fields["duration"] = fmt.Sprintf("Choose at most %s; if you need longer, ask for the case to be reallocated.", formatDuration(MaxBreakGlass))
	}
	if len(fields) > 0 {
		return Glass{}, "", drive.Invalid("Break-glass access could not be opened", fields)
	}
	return Glass{Class: r.Class, RecordType: r.RecordType, RecordID: r.RecordID, Expires: now.Add(d), Reason: reason}, g.Role, nil
}

// formatDuration writes d in hours and minutes for people: "4 hours".
func formatDuration(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	var parts []string
	switch h {
	case 0:
	case 1:
		parts = append(parts, "1 hour")
	default:
		parts = append(parts, fmt.Sprintf("%d hours", h))
	}
	switch {
	case m == 1:
		parts = append(parts, "1 minute")
	case m > 1 || h == 0:
		parts = append(parts, fmt.Sprintf("%d minutes", m))
	}
	return strings.Join(parts, " ")
}

// SitesFor returns the sites whose records of class s may list with want
// through the Site relationship, in ascending order, and national == true
// when a national grant gives want through Any (every site). It is for
// building queries that return only what s may see.
//
// It covers Site and Any only. Records s reaches through Allocated, Team or
// Panel must be added by the query on those lists (allocated to s, to s's
// organisation at a site where s holds the role, on the agenda of a meeting
// s attends), and every record returned is still subject to Decide before
// it is shown. An invalid class or action gives nothing.
func (s Subject) SitesFor(class DataClass, want Action) (siteIDs []int64, national bool) {
	if !want.Valid() || !class.Valid() || s.barred(class) {
		return nil, false
	}
	p := policy()
	roles := roleTable()
	for _, g := range s.Grants {
		if !g.inScope(roles) {
			continue
		}
		if g.SiteID == 0 {
			if lookup(p, g.Role, class, Any) >= want {
				national = true
			}
			continue
		}
		if lookup(p, g.Role, class, Site) >= want && !slices.Contains(siteIDs, g.SiteID) {
			siteIDs = append(siteIDs, g.SiteID)
		}
	}
	slices.Sort(siteIDs)
	return siteIDs, national
}
