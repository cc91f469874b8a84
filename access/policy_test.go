package access

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

// now is the frozen clock for every test.
var now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// The ids the generated cases use. The user belongs to org and works at
// site; another site, user and organisation stand for "someone else".
const (
	user      int64 = 101
	org       int64 = 201
	site      int64 = 7
	otherSite int64 = 8
	otherUser int64 = 999
	otherOrg  int64 = 998
)

// TestPolicySpec states every non-None cell of the policy and every
// break-glass pair a second time, by hand, as ARCHITECTURE.md and the
// programme's agreements give them. A change to the table must be made here
// too: a permission cannot be widened by one edit.
func TestPolicySpec(t *testing.T) {
	wantCells := []string{
		"case_manager perpetrator_case allocated write",
		"case_manager perpetrator_case site read",
		"case_manager health_needs allocated write",
		"case_manager notes allocated write",
		"case_manager victim_risk allocated read",
		"case_manager child allocated read",
		"case_manager police_intel allocated read",
		"case_manager aggregates site read",

		"idva victim_compartment allocated write",
		"idva victim_risk allocated write",
		"idva victim_risk site read",
		"idva child allocated write",
		"idva notes allocated write",
		"idva perpetrator_case allocated read",
		"idva police_intel allocated read",
		"idva aggregates site read",

		"team_leader perpetrator_case site write",
		"team_leader notes site write",
		"team_leader health_needs site write",
		"team_leader victim_risk site read",
		"team_leader child site read",
		"team_leader police_intel site read",
		"team_leader victim_compartment team read",
		"team_leader victim_risk team write",
		"team_leader child team write",
		"team_leader aggregates site read",
		"team_leader configuration site read",
		"team_leader trial site write",
		"team_leader list_referral site write",

		"partner perpetrator_case panel read",
		"partner victim_risk panel read",
		"partner child panel read",
		"partner police_intel panel write",
		"partner perpetrator_case team write",

		"panel_coordinator perpetrator_case site write",
		"panel_coordinator victim_risk site read",
		"panel_coordinator police_intel site write",
		"panel_coordinator aggregates site read",
		"panel_coordinator list_referral site write",

		"analyst police_intel site write",
		"analyst perpetrator_case site read",
		"analyst aggregates site read",
		"analyst list_referral site write",

		"commissioner aggregates site read",
		"commissioner aggregates any read",
		"national aggregates any read",
		"evaluator aggregates any read",
		"national trial any write",

		"national extracts any write",
		"dpo extracts any write",
		"evaluator extracts any read",

		"admin configuration site write",
		"admin configuration any write",

		"dpo audit site read",
		"dpo audit any read",
		"dpo configuration site read",
		"dpo configuration any read",
		"dpo subject_access site write",
		"dpo subject_access any write",
	}
	var gotCells []string
	for _, r := range Roles() {
		for _, c := range DataClasses() {
			for _, rel := range Relationships() {
				if a := Allowed(r, c, rel); a != None {
					gotCells = append(gotCells, fmt.Sprintf("%s %s %s %s", r, c, rel, a))
				}
			}
		}
	}
	compareSets(t, "policy cell", gotCells, wantCells)

	wantGlass := []string{
		"idva victim_compartment",
		"team_leader victim_compartment",
		"dpo perpetrator_case",
		"dpo victim_compartment",
		"dpo victim_risk",
		"dpo child",
		"dpo police_intel",
		"dpo health_needs",
		"dpo notes",
	}
	var gotGlass []string
	for _, r := range Roles() {
		for _, c := range DataClasses() {
			if BreakGlassAllowed(r, c) {
				gotGlass = append(gotGlass, fmt.Sprintf("%s %s", r, c))
			}
		}
	}
	compareSets(t, "break-glass pair", gotGlass, wantGlass)
}

func compareSets(t *testing.T, what string, got, want []string) {
	t.Helper()
	sort.Strings(got)
	sort.Strings(want)
	for _, g := range got {
		if _, found := slices.BinarySearch(want, g); !found {
			t.Errorf("%s %q is in the policy but not in the specification", what, g)
		}
	}
	for _, w := range want {
		if _, found := slices.BinarySearch(got, w); !found {
			t.Errorf("%s %q is in the specification but not in the policy", what, w)
		}
	}
}

// TestPolicyWellFormed checks the table itself: known names, no duplicate
// or contradictory cells, and no cell a role could never use given where it
// may be held.
func TestPolicyWellFormed(t *testing.T) {
	roles := roleTable()
	seen := map[string]bool{}
	for _, x := range policy() {
		key := fmt.Sprintf("%s %s %s", x.role, x.class, x.rel)
		if seen[key] {
			t.Errorf("%s appears twice in the policy", key)
		}
		seen[key] = true
		if !x.role.Valid() || !x.class.Valid() || !x.rel.Valid() {
			t.Errorf("%s: unknown role, class or relationship", key)
		}
		if !x.action.Valid() {
			t.Errorf("%s: action %s; list only Read or Write (absent means None)", key, x.action)
		}
		i := roles[x.role]
		if x.rel == Any && !i.nationalOK {
			t.Errorf("%s: the role cannot be held nationally, so an Any cell is dead", key)
		}
		if x.rel != Any && !i.siteOK {
			t.Errorf("%s: the role cannot be held at a site, so a %s cell is dead", key, x.rel)
		}
	}
	seen = map[string]bool{}
	for _, x := range breakGlassPolicy() {
		key := fmt.Sprintf("%s %s", x.role, x.class)
		if seen[key] {
			t.Errorf("break-glass %s appears twice", key)
		}
		seen[key] = true
		if !x.role.Valid() || !x.class.Valid() {
			t.Errorf("break-glass %s: unknown role or class", key)
		}
		if !x.class.PersonLevel() {
			t.Errorf("break-glass %s: break-glass is for person-level classes only", key)
		}
	}
	for _, c := range DataClasses() {
		if c.Label() == string(c) || c.Description() == "" {
			t.Errorf("data class %s has no label or description", c)
		}
	}
	for _, rel := range Relationships() {
		if rel.Label() == string(rel) || rel.Description() == "" {
			t.Errorf("relationship %s has no label or description", rel)
		}
	}
	for _, a := range Actions() {
		if a.Description() == "" {
			t.Errorf("action %s has no description", a)
		}
	}
	if len(DataClasses()) != len(classTable()) || len(Relationships()) != len(relTable()) || len(Roles()) != len(roleTable()) {
		t.Error("an ordered list and its table disagree on how many entries there are")
	}
}

// TestInvariants checks the rules that must survive any future edit of the
// table (ARCHITECTURE.md §2 and §4).
func TestInvariants(t *testing.T) {
	gets := func(r Role, c DataClass) bool {
		for _, rel := range Relationships() {
			if Allowed(r, c, rel) != None {
				return true
			}
		}
		return BreakGlassAllowed(r, c)
	}

	t.Run("aggregate-only roles never see a person", func(t *testing.T) {
		for _, r := range []Role{Commissioner, National, Evaluator} {
			for _, c := range DataClasses() {
				// Pseudonymised extracts are rows about people but identify
				// no one (package evaluation), and a trial is counts: the
				// national team runs both; the commissioner gets neither.
				if c != Aggregates && !(c == Extracts && r != Commissioner) && !(r == National && c == Trial) && gets(r, c) {
					t.Errorf("%s gets %s; aggregate-only roles get aggregates (and, for evaluation, pseudonymised extracts and trials) and nothing else", r, c)
				}
			}
		}
		if Trial.PersonLevel() {
			t.Error("a trial is person-level: the national team would see a person")
		}
	})
	t.Run("admin sees no person", func(t *testing.T) {
		for _, c := range DataClasses() {
			if c.PersonLevel() && gets(Admin, c) {
				t.Errorf("admin gets %s", c)
			}
		}
	})
	t.Run("victim compartment never reaches these roles", func(t *testing.T) {
		for _, r := range []Role{CaseManager, Partner, PanelCoordinator, Analyst, Commissioner, National, Evaluator, Admin} {
			if gets(r, VictimCompartment) {
				t.Errorf("%s gets the victim compartment", r)
			}
		}
	})
	t.Run("victim compartment only through allocation, the IDVA's own team or break-glass", func(t *testing.T) {
		for _, r := range Roles() {
			for _, rel := range []Relationship{Site, Panel, Any} {
				if a := Allowed(r, VictimCompartment, rel); a != None {
					t.Errorf("%s gets %s on the victim compartment through %s", r, a, rel)
				}
			}
		}
	})
	t.Run("partners see cases only at panels, and their agency's actions", func(t *testing.T) {
		for _, c := range DataClasses() {
			for _, rel := range Relationships() {
				if rel == Panel || (rel == Team && c == PerpetratorCase) {
					continue
				}
				if Allowed(Partner, c, rel) != None {
					t.Errorf("partner gets %s through %s", c, rel)
				}
			}
		}
	})
	t.Run("the analyst refers from the list and changes no case", func(t *testing.T) {
		for _, c := range DataClasses() {
			for _, rel := range Relationships() {
				a := Allowed(Analyst, c, rel)
				if c.PersonLevel() && c != PoliceIntel && c != ListReferral && a == Write {
					t.Errorf("analyst writes %s through %s", c, rel)
				}
			}
		}
		// Referring from the list gives no read: those who may refer
		// from it read its suspects already.
		for _, r := range Roles() {
			for _, rel := range Relationships() {
				if Allowed(r, ListReferral, rel) != None && Allowed(r, PoliceIntel, rel) == None {
					t.Errorf("%s may refer from the list through %s without reading it", r, rel)
				}
			}
		}
	})
	t.Run("nobody writes aggregates or the audit log", func(t *testing.T) {
		for _, r := range Roles() {
			for _, c := range []DataClass{Aggregates, Audit} {
				for _, rel := range Relationships() {
					if Allowed(r, c, rel) == Write {
						t.Errorf("%s may write %s through %s", r, c, rel)
					}
				}
			}
		}
	})
	t.Run("a holder of a perpetrator-facing role is never given the compartment", func(t *testing.T) {
		for _, pf := range perpetratorFacing() {
			for _, other := range Roles() {
				s := Subject{UserID: user, OrganisationID: org, OrganisationKind: IDVAService, Grants: []Grant{{pf, site}, {other, site}, {other, 0}},
					BreakGlass: []Glass{glass(VictimCompartment, "victim", "1", now.Add(time.Hour))}}
				r := Resource{Class: VictimCompartment, RecordType: "victim", RecordID: "1", SiteID: site,
					AllocatedUserIDs: []int64{user}, AllocatedOrganisationIDs: []int64{org}, PanelUserIDs: []int64{user}}
				for _, want := range []Action{Read, Write} {
					if d := Decide(s, want, r, now); d.Allowed {
						t.Errorf("%s + %s: %s on the victim compartment allowed (%+v)", pf, other, want, d)
					}
				}
				if role, ok := CanBreakGlass(s, VictimCompartment, site); ok {
					t.Errorf("%s + %s: may break glass on the victim compartment as %s", pf, other, role)
				}
				if ids, national := s.SitesFor(VictimCompartment, Read); len(ids) > 0 || national {
					t.Errorf("%s + %s: SitesFor(victim compartment) = %v, %v", pf, other, ids, national)
				}
			}
		}
	})
}

// TestCompartmentByOrganisation walks every role, alone and with every
// other role, held at the record's site and nationally, in every kind of
// organisation (and none recorded), with every relationship to a
// victim-survivor's record and a live glass on it: only staff of an IDVA
// service may reach the compartment by any route, break-glass included.
func TestCompartmentByOrganisation(t *testing.T) {
	r := Resource{Class: VictimCompartment, RecordType: "victim", RecordID: "1", SiteID: site,
		AllocatedUserIDs: []int64{user}, AllocatedOrganisationIDs: []int64{org}, PanelUserIDs: []int64{user}}
	reached := map[OrgKind]int{}
	for _, kind := range append(OrgKinds(), "", "idva") {
		for _, role := range Roles() {
			for _, other := range Roles() {
				s := Subject{UserID: user, OrganisationID: org, OrganisationKind: kind,
					Grants:     []Grant{{role, site}, {role, 0}, {other, site}, {other, 0}},
					BreakGlass: []Glass{glass(VictimCompartment, "victim", "1", now.Add(time.Hour))}}
				// Without the glass, for CanBreakGlass.
				bare := s
				bare.BreakGlass = nil
				_, canGlass := CanBreakGlass(bare, VictimCompartment, site)
				ids, national := s.SitesFor(VictimCompartment, Read)
				any := canGlass || len(ids) > 0 || national
				for _, want := range []Action{Read, Write} {
					any = any || Decide(s, want, r, now).Allowed
				}
				if !any {
					continue
				}
				reached[kind]++
				if kind != IDVAService {
					t.Errorf("%s + %s in a %q organisation reach the victim compartment", role, other, kind)
				}
			}
		}
	}
	if reached[IDVAService] == 0 {
		t.Error("nobody in an IDVA service reaches the victim compartment: the test is not exercising the rule")
	}
	// What each role alone reaches in each kind, as the documentation shows.
	for _, kind := range OrgKinds() {
		for _, role := range Roles() {
			a, g := compartmentReach(role, kind)
			wantA, wantG := None, false
			if kind == IDVAService {
				switch role {
				case IDVA:
					wantA, wantG = Write, true
				case TeamLeader:
					wantA, wantG = Read, true
				case DPO:
					wantG = true
				}
			}
			if a != wantA || g != wantG {
				t.Errorf("%s in %s: reaches %s, break-glass %v; want %s, %v", role, kind, a, g, wantA, wantG)
			}
		}
	}
}

// matrixCase builds a subject holding one role and a record that together
// give the relationships listed in rels, and nothing else.
type matrixCase struct {
	name string
	s    Subject
	r    Resource
	rels []Relationship
}

// matrixCases returns, for role and class, one case per relationship, plus
// the same role held at another site (which must give nothing, except Panel
// for a partner on the attendee list). A role held at a site always has
// Site too, so Allocated, Team and Panel at the record's site come with
// Site; Site alone, Any alone and a partner's Panel from another site are
// exact.
func matrixCases(role Role, class DataClass) []matrixCase {
	res := func(alloc, orgs, panel []int64) Resource {
		return Resource{Class: class, RecordType: "record", RecordID: "42", SiteID: site,
			AllocatedUserIDs: alloc, AllocatedOrganisationIDs: orgs, PanelUserIDs: panel}
	}
	at := func(siteID int64) Subject {
		// An IDVA service's staff, so that the table alone decides; the
		// rule over organisations has its own test (TestCompartmentByOrganisation).
		return Subject{UserID: user, OrganisationID: org, OrganisationKind: IDVAService, Grants: []Grant{{role, siteID}}}
	}
	nobody, others := []int64{otherUser}, []int64{otherOrg}
	everything := res([]int64{otherUser, user}, []int64{org}, []int64{user})
	cases := []matrixCase{
		{"allocated", at(site), res([]int64{otherUser, user}, others, nobody), []Relationship{Site, Allocated}},
		{"team", at(site), res(nobody, []int64{otherOrg, org}, nobody), []Relationship{Site, Team}},
		{"site", at(site), res(nobody, others, nobody), []Relationship{Site}},
		{"panel", at(site), res(nobody, others, []int64{user}), []Relationship{Site, Panel}},
		{"any", at(0), everything, []Relationship{Any}},
		{"other site, on every list", at(otherSite), everything, nil},
	}
	if role == Partner {
		cases[len(cases)-1].rels = []Relationship{Panel}
	}
	// A grant the role cannot have (a site role held nationally, a national
	// role held at a site) counts for nothing.
	i := roleTable()[role]
	for k := range cases {
		national := cases[k].s.Grants[0].SiteID == 0
		if national && !i.nationalOK || !national && !i.siteOK {
			cases[k].rels = nil
		}
	}
	return cases
}

// TestDecideMatrix walks every role x data class x relationship x action
// and checks Decide against the table: the action allowed is the greatest
// cell over the relationships the case gives, and the decision names the
// role and the narrowest relationship that allowed it.
func TestDecideMatrix(t *testing.T) {
	checked := map[Relationship]int{}
	for _, role := range Roles() {
		for _, class := range DataClasses() {
			for _, mc := range matrixCases(role, class) {
				g := mc.s.Grants[0]
				gotRels := []Relationship(nil)
				if g.inScope(roleTable()) {
					gotRels = relationships(mc.s, g, mc.r)
				}
				if !sameRels(gotRels, mc.rels) {
					t.Fatalf("%s %s %s: the case gives relationships %v, want %v", role, class, mc.name, gotRels, mc.rels)
				}
				for _, want := range Actions() {
					best, bestRel := None, Relationship("")
					for _, rel := range Relationships() {
						if !slices.Contains(mc.rels, rel) {
							continue
						}
						a := Allowed(role, class, rel)
						if a > best {
							best = a
						}
						if want.Valid() && a >= want && bestRel == "" {
							bestRel = rel
						}
					}
					allowed := want.Valid() && best >= want
					d := Decide(mc.s, want, mc.r, now)
					if d.Allowed != allowed {
						t.Errorf("%s %s %s %s: allowed = %v, want %v (%s)", role, class, mc.name, want, d.Allowed, allowed, d.Reason)
						continue
					}
					if d.BreakGlass {
						t.Errorf("%s %s %s %s: break-glass without a glass", role, class, mc.name, want)
					}
					if allowed {
						checked[bestRel]++
						if d.Role != role || d.Relationship != bestRel {
							t.Errorf("%s %s %s %s: decided as %s through %s, want %s through %s", role, class, mc.name, want, d.Role, d.Relationship, role, bestRel)
						}
					} else if d.Role != "" || d.Relationship != "" {
						t.Errorf("%s %s %s %s: refusal names %s through %s", role, class, mc.name, want, d.Role, d.Relationship)
					}
					if d.Reason == "" {
						t.Errorf("%s %s %s %s: no reason", role, class, mc.name, want)
					}
				}
			}
		}
	}
	// Every relationship must have been the deciding one somewhere, or the
	// matrix is not exercising it.
	for _, rel := range Relationships() {
		if checked[rel] == 0 {
			t.Errorf("no allowed case was decided through %s", rel)
		}
	}
}

func sameRels(a, b []Relationship) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func glass(class DataClass, typ, id string, expires time.Time) Glass {
	return Glass{Class: class, RecordType: typ, RecordID: id, Expires: expires, Reason: "Safeguarding call from the police out of hours"}
}

func TestDecide(t *testing.T) {
	victim := Resource{Class: VictimCompartment, RecordType: "victim", RecordID: "7", SiteID: site,
		AllocatedUserIDs: []int64{otherUser}, AllocatedOrganisationIDs: []int64{otherOrg}}
	perp := Resource{Class: PerpetratorCase, RecordType: "perpetrator_case", RecordID: "9", SiteID: site,
		AllocatedUserIDs: []int64{user}, AllocatedOrganisationIDs: []int64{org}}
	intel := Resource{Class: PoliceIntel, RecordType: "incident", RecordID: "3", SiteID: site}
	audit := Resource{Class: Audit, RecordType: "audit_event", RecordID: "5", SiteID: site}
	aggr := Resource{Class: Aggregates, RecordType: "report", RecordID: "outcomes", SiteID: site}
	live := now.Add(time.Hour)
	// The user works for an IDVA service unless the case says otherwise.
	who := func(grants ...Grant) Subject {
		return Subject{UserID: user, OrganisationID: org, OrganisationKind: IDVAService, Grants: grants}
	}
	of := func(kind OrgKind, s Subject) Subject { s.OrganisationKind = kind; return s }
	withGlass := func(s Subject, g ...Glass) Subject { s.BreakGlass = g; return s }
	with := func(r Resource, f func(*Resource)) Resource { f(&r); return r }

	tests := []struct {
		name    string
		s       Subject
		want    Action
		r       Resource
		allowed bool
		role    Role
		rel     Relationship
		glass   bool
	}{
		// Several roles.
		{"case manager and analyst: intel write as analyst", who(Grant{CaseManager, site}, Grant{Analyst, site}), Write, with(intel, func(r *Resource) { r.AllocatedUserIDs = []int64{user} }), true, Analyst, Site, false},
		{"case manager and analyst: own case write as case manager", who(Grant{Analyst, site}, Grant{CaseManager, site}), Write, perp, true, CaseManager, Allocated, false},
		{"case manager and analyst: read reports the narrowest relationship", who(Grant{Analyst, site}, Grant{CaseManager, site}), Read, perp, true, CaseManager, Allocated, false},
		{"team leader and national dpo: audit through any", who(Grant{TeamLeader, site}, Grant{DPO, 0}), Read, audit, true, DPO, Any, false},
		{"site dpo and national dpo: audit through site", who(Grant{DPO, 0}, Grant{DPO, site}), Read, audit, true, DPO, Site, false},
		{"commissioner at site and nationally: site first", who(Grant{Commissioner, 0}, Grant{Commissioner, site}), Read, aggr, true, Commissioner, Site, false},
		{"team leader at two sites: the record's site", who(Grant{TeamLeader, otherSite}, Grant{TeamLeader, site}), Write, perp, true, TeamLeader, Site, false},
		{"idva and partner elsewhere: panel read of the case", Subject{UserID: user, OrganisationID: org, Grants: []Grant{{IDVA, otherSite}, {Partner, otherSite}}}, Read, with(perp, func(r *Resource) { r.AllocatedUserIDs = nil; r.PanelUserIDs = []int64{user} }), true, Partner, Panel, false},
		{"idva and partner elsewhere: no write of the case", Subject{UserID: user, OrganisationID: org, Grants: []Grant{{IDVA, otherSite}, {Partner, otherSite}}}, Write, with(perp, func(r *Resource) { r.PanelUserIDs = []int64{user} }), false, "", "", false},
		{"case manager and idva: own victim's compartment refused", who(Grant{CaseManager, site}, Grant{IDVA, site}), Read, with(victim, func(r *Resource) { r.AllocatedUserIDs = []int64{user} }), false, "", "", false},
		{"case manager elsewhere and idva here: compartment refused", who(Grant{CaseManager, otherSite}, Grant{IDVA, site}), Read, with(victim, func(r *Resource) { r.AllocatedUserIDs = []int64{user} }), false, "", "", false},
		{"idva and partner: own victim's compartment", who(Grant{Partner, site}, Grant{IDVA, site}), Write, with(victim, func(r *Resource) { r.AllocatedUserIDs = []int64{user} }), true, IDVA, Allocated, false},
		{"admin and commissioner nationally: no case", who(Grant{Admin, 0}, Grant{Commissioner, 0}, Grant{National, 0}), Read, perp, false, "", "", false},

		// Team.
		{"team leader of the idva's service reads the compartment", who(Grant{TeamLeader, site}), Read, with(victim, func(r *Resource) { r.AllocatedOrganisationIDs = []int64{org} }), true, TeamLeader, Team, false},
		{"team leader of the idva's service does not write it", who(Grant{TeamLeader, site}), Write, with(victim, func(r *Resource) { r.AllocatedOrganisationIDs = []int64{org} }), false, "", "", false},
		{"team leader of another organisation: refused", who(Grant{TeamLeader, site}), Read, victim, false, "", "", false},
		{"idva in the same service: no team access", who(Grant{IDVA, site}), Read, with(victim, func(r *Resource) { r.AllocatedOrganisationIDs = []int64{org} }), false, "", "", false},
		{"user with no organisation: no team access", Subject{UserID: user, Grants: []Grant{{TeamLeader, site}}}, Read, with(victim, func(r *Resource) { r.AllocatedOrganisationIDs = []int64{0} }), false, "", "", false},

		// Other sites.
		{"case manager, own case moved to another site", who(Grant{CaseManager, otherSite}), Read, perp, false, "", "", false},
		{"idva, own victim at another site", who(Grant{IDVA, otherSite}), Read, with(victim, func(r *Resource) { r.AllocatedUserIDs = []int64{user} }), false, "", "", false},
		{"team leader, own service at another site", who(Grant{TeamLeader, otherSite}), Read, with(victim, func(r *Resource) { r.AllocatedOrganisationIDs = []int64{org} }), false, "", "", false},
		{"analyst at another site", who(Grant{Analyst, otherSite}), Read, intel, false, "", "", false},
		{"partner at another site, not on the panel", who(Grant{Partner, otherSite}), Read, perp, false, "", "", false},
		{"site commissioner, other site's aggregates", who(Grant{Commissioner, otherSite}), Read, aggr, false, "", "", false},
		{"site dpo, other site's audit", who(Grant{DPO, otherSite}), Read, audit, false, "", "", false},
		{"national record, site grant", who(Grant{Admin, site}), Read, Resource{Class: Configuration, RecordType: "setting", RecordID: "1"}, false, "", "", false},
		{"national record, national grant", who(Grant{Admin, 0}), Write, Resource{Class: Configuration, RecordType: "setting", RecordID: "1"}, true, Admin, Any, false},

		// Grants that cannot exist count for nothing.
		{"case manager held nationally", who(Grant{CaseManager, 0}), Read, perp, false, "", "", false},
		{"national role held at a site", who(Grant{National, site}), Read, aggr, false, "", "", false},
		{"unknown role", who(Grant{"superuser", site}), Read, perp, false, "", "", false},
		{"negative site", who(Grant{TeamLeader, -1}), Read, with(perp, func(r *Resource) { r.SiteID = -1 }), false, "", "", false},
		{"no user id: not allocated", Subject{Grants: []Grant{{CaseManager, site}}}, Write, with(perp, func(r *Resource) { r.AllocatedUserIDs = []int64{0} }), false, "", "", false},
		{"no grants", Subject{UserID: user}, Read, aggr, false, "", "", false},

		// Bad requests fail closed.
		{"want none", who(Grant{TeamLeader, site}), None, perp, false, "", "", false},
		{"want unknown action", who(Grant{TeamLeader, site}), Action(7), perp, false, "", "", false},
		{"unknown class", who(Grant{TeamLeader, site}), Read, with(perp, func(r *Resource) { r.Class = "everything" }), false, "", "", false},

		// Break-glass.
		{"idva break-glass on a colleague's victim", withGlass(who(Grant{IDVA, site}), glass(VictimCompartment, "victim", "7", live)), Read, victim, true, IDVA, Site, true},
		{"break-glass never writes", withGlass(who(Grant{IDVA, site}), glass(VictimCompartment, "victim", "7", live)), Write, victim, false, "", "", false},
		{"break-glass expired at now", withGlass(who(Grant{IDVA, site}), glass(VictimCompartment, "victim", "7", now)), Read, victim, false, "", "", false},
		{"break-glass expired before now", withGlass(who(Grant{IDVA, site}), glass(VictimCompartment, "victim", "7", now.Add(-time.Minute))), Read, victim, false, "", "", false},
		{"break-glass on another record id", withGlass(who(Grant{IDVA, site}), glass(VictimCompartment, "victim", "8", live)), Read, victim, false, "", "", false},
		{"break-glass on another record type", withGlass(who(Grant{IDVA, site}), glass(VictimCompartment, "child", "7", live)), Read, victim, false, "", "", false},
		{"break-glass on another class", withGlass(who(Grant{IDVA, site}), glass(VictimRisk, "victim", "7", live)), Read, victim, false, "", "", false},
		{"break-glass with an empty record", withGlass(who(Grant{IDVA, site}), glass(VictimCompartment, "", "", live)), Read, with(victim, func(r *Resource) { r.RecordType, r.RecordID = "", "" }), false, "", "", false},
		{"break-glass without a reason", withGlass(who(Grant{IDVA, site}), Glass{Class: VictimCompartment, RecordType: "victim", RecordID: "7", Expires: live, Reason: "  "}), Read, victim, false, "", "", false},
		{"break-glass beyond the limit", withGlass(who(Grant{IDVA, site}), glass(VictimCompartment, "victim", "7", now.Add(MaxBreakGlass+time.Second))), Read, victim, false, "", "", false},
		{"break-glass at the limit", withGlass(who(Grant{IDVA, site}), glass(VictimCompartment, "victim", "7", now.Add(MaxBreakGlass))), Read, victim, true, IDVA, Site, true},
		{"break-glass by an idva at another site", withGlass(who(Grant{IDVA, otherSite}), glass(VictimCompartment, "victim", "7", live)), Read, victim, false, "", "", false},
		{"break-glass by a case manager", withGlass(who(Grant{CaseManager, site}), glass(VictimCompartment, "victim", "7", live)), Read, victim, false, "", "", false},
		{"break-glass by a partner", withGlass(who(Grant{Partner, site}), glass(VictimCompartment, "victim", "7", live)), Read, with(victim, func(r *Resource) { r.PanelUserIDs = []int64{user} }), false, "", "", false},
		{"break-glass by an analyst", withGlass(who(Grant{Analyst, site}), glass(VictimCompartment, "victim", "7", live)), Read, victim, false, "", "", false},
		{"break-glass by a national commissioner", withGlass(who(Grant{Commissioner, 0}), glass(PerpetratorCase, "perpetrator_case", "9", live)), Read, perp, false, "", "", false},
		{"break-glass by an idva on a perpetrator case", withGlass(who(Grant{IDVA, site}), glass(PerpetratorCase, "perpetrator_case", "9", live)), Read, with(perp, func(r *Resource) { r.AllocatedUserIDs = nil }), false, "", "", false},
		{"break-glass by a team leader of the idva service", withGlass(who(Grant{TeamLeader, site}), glass(VictimCompartment, "victim", "7", live)), Read, victim, true, TeamLeader, Site, true},
		{"break-glass by a team leader of the provider", of(Provider, withGlass(who(Grant{TeamLeader, site}), glass(VictimCompartment, "victim", "7", live))), Read, victim, false, "", "", false},
		{"break-glass by a team leader of no known organisation", of("", withGlass(who(Grant{TeamLeader, site}), glass(VictimCompartment, "victim", "7", live))), Read, victim, false, "", "", false},
		{"break-glass by an idva of the police", of(PoliceForce, withGlass(who(Grant{IDVA, site}), glass(VictimCompartment, "victim", "7", live))), Read, victim, false, "", "", false},
		{"break-glass by a dpo of the provider", of(Provider, withGlass(who(Grant{DPO, site}), glass(VictimCompartment, "victim", "7", live))), Read, victim, false, "", "", false},
		{"break-glass by a dpo of the provider: other classes", of(Provider, withGlass(who(Grant{DPO, site}), glass(Notes, "victim", "7", live))), Read, with(victim, func(r *Resource) { r.Class = Notes }), true, DPO, Site, true},
		{"team leader of the provider, own organisation's victim", of(Provider, who(Grant{TeamLeader, site})), Read, with(victim, func(r *Resource) { r.AllocatedOrganisationIDs = []int64{org} }), false, "", "", false},
		{"idva of a local authority, own victim", of(LocalAuthority, who(Grant{IDVA, site})), Read, with(victim, func(r *Resource) { r.AllocatedUserIDs = []int64{user} }), false, "", "", false},
		{"team leader of the provider: risk facts still read", of(Provider, who(Grant{TeamLeader, site})), Read, with(victim, func(r *Resource) { r.Class = VictimRisk }), true, TeamLeader, Site, false},
		{"break-glass by the national dpo", withGlass(who(Grant{DPO, 0}), glass(HealthNeeds, "perpetrator_case", "9", live)), Read, with(perp, func(r *Resource) { r.Class = HealthNeeds }), true, DPO, Any, true},
		{"break-glass by a dpo at another site", withGlass(who(Grant{DPO, otherSite}), glass(Notes, "note", "1", live)), Read, Resource{Class: Notes, RecordType: "note", RecordID: "1", SiteID: site}, false, "", "", false},
		{"no break-glass needed: table wins", withGlass(who(Grant{IDVA, site}), glass(VictimCompartment, "victim", "7", live)), Read, with(victim, func(r *Resource) { r.AllocatedUserIDs = []int64{user} }), true, IDVA, Allocated, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.s, tt.want, tt.r, now)
			if d.Allowed != tt.allowed || d.Role != tt.role || d.Relationship != tt.rel || d.BreakGlass != tt.glass {
				t.Errorf("Decide = %+v, want allowed %v as %q through %q, break-glass %v", d, tt.allowed, tt.role, tt.rel, tt.glass)
			}
			if d.Reason == "" {
				t.Error("no reason given")
			}
			// The order of grants must not change the answer.
			rev := tt.s
			rev.Grants = slices.Clone(tt.s.Grants)
			slices.Reverse(rev.Grants)
			if d2 := Decide(rev, tt.want, tt.r, now); d2 != d {
				t.Errorf("reversing the grants changed the decision: %+v, then %+v", d, d2)
			}
		})
	}
}

// TestDecideProperties throws random subjects and records at Decide and
// checks the rules that no combination may break.
func TestDecideProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	roles, classes := Roles(), DataClasses()
	pick := func(ids ...int64) []int64 {
		var out []int64
		for _, id := range ids {
			if rng.IntN(2) == 0 {
				out = append(out, id)
			}
		}
		return out
	}
	for range 20000 {
		kinds := append(OrgKinds(), "")
		s := Subject{UserID: user, OrganisationID: org, OrganisationKind: kinds[rng.IntN(len(kinds))]}
		for range 1 + rng.IntN(3) {
			s.Grants = append(s.Grants, Grant{roles[rng.IntN(len(roles))], []int64{0, site - 1, site, otherSite}[rng.IntN(4)]})
		}
		r := Resource{Class: classes[rng.IntN(len(classes))], RecordType: "record", RecordID: "1", SiteID: site,
			AllocatedUserIDs: pick(user, otherUser), AllocatedOrganisationIDs: pick(org, otherOrg), PanelUserIDs: pick(user)}
		if rng.IntN(3) == 0 {
			s.BreakGlass = []Glass{glass(r.Class, "record", "1", now.Add(time.Duration(rng.IntN(120)-30)*time.Minute))}
		}
		want := Action(1 + rng.IntN(2))
		d := Decide(s, want, r, now)
		if !d.Allowed {
			continue
		}
		where := fmt.Sprintf("%+v %s %+v: %+v", s.Grants, want, r, d)
		if !s.HasRole(d.Role) {
			t.Fatalf("%s: allowed as a role the user does not hold", where)
		}
		if d.Role == Commissioner || d.Role == National || d.Role == Evaluator || d.Role == Admin {
			if r.Class.PersonLevel() {
				t.Fatalf("%s: %s reached a person-level record", where, d.Role)
			}
		}
		if r.Class == VictimCompartment && (s.OrganisationKind != IDVAService || s.HasRole(CaseManager) || !slices.Contains([]Role{IDVA, TeamLeader, DPO}, d.Role)) {
			t.Fatalf("%s: the victim compartment reached the wrong user", where)
		}
		if d.BreakGlass {
			if want != Read || !BreakGlassAllowed(d.Role, r.Class) {
				t.Fatalf("%s: break-glass beyond its table", where)
			}
			continue
		}
		if Allowed(d.Role, r.Class, d.Relationship) < want {
			t.Fatalf("%s: the table does not give this", where)
		}
		atSite := slices.ContainsFunc(s.Grants, func(g Grant) bool { return g.Role == d.Role && g.SiteID == site })
		switch d.Relationship {
		case Any:
			if !slices.Contains(s.Grants, Grant{d.Role, 0}) {
				t.Fatalf("%s: Any without a national grant", where)
			}
		case Panel:
			if !slices.Contains(r.PanelUserIDs, user) || !atSite && d.Role != Partner {
				t.Fatalf("%s: Panel without attending, or from another site", where)
			}
		default:
			if !atSite {
				t.Fatalf("%s: %s without the role at the record's site", where, d.Relationship)
			}
		}
	}
}

func TestCanBreakGlass(t *testing.T) {
	tests := []struct {
		name   string
		grants []Grant
		class  DataClass
		siteID int64
		role   Role
		ok     bool
	}{
		{"idva at the site", []Grant{{IDVA, site}}, VictimCompartment, site, IDVA, true},
		{"idva at another site", []Grant{{IDVA, otherSite}}, VictimCompartment, site, "", false},
		{"idva on a perpetrator case", []Grant{{IDVA, site}}, PerpetratorCase, site, "", false},
		{"team leader at the site", []Grant{{TeamLeader, site}}, VictimCompartment, site, TeamLeader, true},
		{"team leader of the provider", []Grant{{TeamLeader, site}}, VictimCompartment, site, "", false},
		{"team leader of the provider, another class", []Grant{{DPO, site}}, Child, site, DPO, true},
		{"case manager", []Grant{{CaseManager, site}}, VictimCompartment, site, "", false},
		{"case manager who is also an idva", []Grant{{IDVA, site}, {CaseManager, otherSite}}, VictimCompartment, site, "", false},
		{"case manager who is also a dpo: not the compartment", []Grant{{CaseManager, site}, {DPO, 0}}, VictimCompartment, site, "", false},
		{"case manager who is also a dpo: other classes", []Grant{{CaseManager, site}, {DPO, 0}}, Notes, site, DPO, true},
		{"national dpo, any site", []Grant{{DPO, 0}}, Child, otherSite, DPO, true},
		{"national dpo, national record", []Grant{{DPO, 0}}, Child, 0, DPO, true},
		{"site dpo, national record", []Grant{{DPO, site}}, Child, 0, "", false},
		{"dpo, not person-level", []Grant{{DPO, 0}}, Audit, site, "", false},
		{"earlier role first", []Grant{{DPO, site}, {TeamLeader, site}, {IDVA, site}}, VictimCompartment, site, IDVA, true},
		{"site grant before national", []Grant{{DPO, 0}, {TeamLeader, site}}, VictimCompartment, site, TeamLeader, true},
		{"partner", []Grant{{Partner, site}}, PoliceIntel, site, "", false},
		{"commissioner", []Grant{{Commissioner, 0}}, PerpetratorCase, site, "", false},
		{"admin", []Grant{{Admin, 0}}, VictimCompartment, site, "", false},
		{"idva held nationally (cannot exist)", []Grant{{IDVA, 0}}, VictimCompartment, site, "", false},
		{"unknown class", []Grant{{DPO, 0}}, "everything", site, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kind := IDVAService
			if strings.Contains(tt.name, "provider") {
				kind = Provider
			}
			role, ok := CanBreakGlass(Subject{UserID: user, OrganisationID: org, OrganisationKind: kind, Grants: tt.grants}, tt.class, tt.siteID)
			if role != tt.role || ok != tt.ok {
				t.Errorf("CanBreakGlass = %q, %v; want %q, %v", role, ok, tt.role, tt.ok)
			}
		})
	}
}

func TestOpenGlass(t *testing.T) {
	idva := Subject{UserID: user, OrganisationID: org, OrganisationKind: IDVAService, Grants: []Grant{{IDVA, site}}}
	victim := Resource{Class: VictimCompartment, RecordType: "victim", RecordID: "7", SiteID: site, AllocatedUserIDs: []int64{otherUser}}
	const reason = "Police called about an urgent safeguarding concern"

	g, role, err := OpenGlass(idva, victim, "  "+reason+" ", time.Hour, now)
	if err != nil {
		t.Fatal(err)
	}
	want := Glass{Class: VictimCompartment, RecordType: "victim", RecordID: "7", Expires: now.Add(time.Hour), Reason: reason}
	if g != want || role != IDVA {
		t.Fatalf("OpenGlass = %+v, %s; want %+v, idva", g, role, want)
	}
	idva.BreakGlass = []Glass{g}
	if d := Decide(idva, Read, victim, now.Add(59*time.Minute)); !d.Allowed || !d.BreakGlass {
		t.Errorf("the opened glass does not open the record: %+v", d)
	}
	if d := Decide(idva, Read, victim, now.Add(time.Hour)); d.Allowed {
		t.Errorf("the opened glass outlives its expiry: %+v", d)
	}
	idva.BreakGlass = nil

	tests := []struct {
		name   string
		s      Subject
		r      Resource
		reason string
		d      time.Duration
		code   string
		field  string
	}{
		{"case manager", Subject{UserID: user, Grants: []Grant{{CaseManager, site}}}, victim, reason, time.Hour, drive.ENOTFOUND, ""},
		{"idva at another site", Subject{UserID: user, OrganisationKind: IDVAService, Grants: []Grant{{IDVA, otherSite}}}, victim, reason, time.Hour, drive.ENOTFOUND, ""},
		{"team leader of the provider", Subject{UserID: user, OrganisationID: org, OrganisationKind: Provider, Grants: []Grant{{TeamLeader, site}}}, victim, reason, time.Hour, drive.ENOTFOUND, ""},
		{"no record named", idva, Resource{Class: VictimCompartment, SiteID: site}, reason, time.Hour, drive.ENOTFOUND, ""},
		{"already allocated", idva, Resource{Class: VictimCompartment, RecordType: "victim", RecordID: "7", SiteID: site, AllocatedUserIDs: []int64{user}}, reason, time.Hour, drive.EINVALID, ""},
		{"no reason", idva, victim, " ", time.Hour, drive.EINVALID, "reason"},
		{"short reason", idva, victim, "because", time.Hour, drive.EINVALID, "reason"},
		{"long reason", idva, victim, strings.Repeat("x", 2001), time.Hour, drive.EINVALID, "reason"},
		{"line break in reason", idva, victim, "urgent safeguarding\nconcern", time.Hour, drive.EINVALID, "reason"},
		{"no duration", idva, victim, reason, 0, drive.EINVALID, "duration"},
		{"too long", idva, victim, reason, MaxBreakGlass + time.Minute, drive.EINVALID, "duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := OpenGlass(tt.s, tt.r, tt.reason, tt.d, now)
			if drive.ErrorCode(err) != tt.code {
				t.Fatalf("error %v, want code %s", err, tt.code)
			}
			if tt.field != "" {
				if e, ok := err.(*drive.Error); !ok || e.Fields[tt.field] == "" {
					t.Errorf("error %v says nothing about %s", err, tt.field)
				}
			}
			if tt.code == drive.ENOTFOUND && drive.ErrorMessage(err) != "Record not found" {
				t.Errorf("refusal message %q differs from absence", drive.ErrorMessage(err))
			}
		})
	}
	if _, _, err := OpenGlass(idva, victim, reason, MaxBreakGlass, now); err != nil {
		t.Errorf("the longest allowed glass was refused: %v", err)
	}
}

func TestSitesFor(t *testing.T) {
	s := Subject{UserID: user, OrganisationID: org, Grants: []Grant{
		{CaseManager, 9}, {CaseManager, site}, {TeamLeader, 3}, {Analyst, site}, {CaseManager, site},
		{Commissioner, 0}, {DPO, 0}, {IDVA, 0}, // idva held nationally cannot exist
	}}
	tests := []struct {
		class    DataClass
		want     Action
		ids      []int64
		national bool
	}{
		{PerpetratorCase, Read, []int64{3, site, 9}, false},
		{PerpetratorCase, Write, []int64{3}, false},
		{PoliceIntel, Write, []int64{site}, false},
		{PoliceIntel, Read, []int64{3, site}, false},
		{Aggregates, Read, []int64{3, site, 9}, true},
		{Audit, Read, nil, true},
		{Configuration, Write, nil, false},
		{VictimCompartment, Read, nil, false},
		{VictimRisk, Read, []int64{3}, false},
		{PerpetratorCase, None, nil, false},
		{"everything", Read, nil, false},
	}
	for _, tt := range tests {
		ids, national := s.SitesFor(tt.class, tt.want)
		if !slices.Equal(ids, tt.ids) || national != tt.national {
			t.Errorf("SitesFor(%s, %s) = %v, %v; want %v, %v", tt.class, tt.want, ids, national, tt.ids, tt.national)
		}
	}
	// Every site SitesFor lists must be one where Decide allows a record of
	// that site through Site or Any, and no other.
	for _, class := range DataClasses() {
		for _, want := range []Action{Read, Write} {
			ids, national := s.SitesFor(class, want)
			for _, id := range []int64{3, site, 9, 11} {
				d := Decide(s, want, Resource{Class: class, RecordType: "record", RecordID: "1", SiteID: id}, now)
				if d.Allowed != (national || slices.Contains(ids, id)) {
					t.Errorf("%s %s at site %d: Decide %+v, SitesFor %v, %v", class, want, id, d, ids, national)
				}
			}
		}
	}
	if ids, _ := (Subject{UserID: user, Grants: []Grant{{IDVA, site}}}).SitesFor(VictimCompartment, Read); ids != nil {
		t.Errorf("an IDVA lists the whole site's compartments: %v", ids)
	}
}

func TestHasRole(t *testing.T) {
	s := Subject{Grants: []Grant{{IDVA, site}, {DPO, 0}}}
	for _, r := range Roles() {
		if got, want := s.HasRole(r), r == IDVA || r == DPO; got != want {
			t.Errorf("HasRole(%s) = %v", r, got)
		}
	}
}

func TestDecisionErr(t *testing.T) {
	if err := (Decision{Allowed: true}).Err("Case"); err != nil {
		t.Errorf("allowed decision gives %v", err)
	}
	refused := Decide(Subject{UserID: user}, Read, Resource{Class: PerpetratorCase, SiteID: site}, now)
	err := refused.Err("Case")
	if drive.ErrorCode(err) != drive.ENOTFOUND || drive.ErrorMessage(err) != drive.ErrorMessage(drive.NotFound("Case")) {
		t.Errorf("refusal gives %v; want the same not found as a missing record", err)
	}
	if strings.Contains(err.Error(), refused.Reason) {
		t.Error("the refusal's reason leaks into the error")
	}
}

func TestLabels(t *testing.T) {
	if got := Action(9).String(); got != "action(9)" {
		t.Errorf("unknown action String = %q", got)
	}
	if Action(9).Valid() || None.Valid() || !Read.Valid() || !Write.Valid() {
		t.Error("Action.Valid is wrong")
	}
	if DataClass("x").Valid() || Relationship("x").Valid() || DataClass("x").PersonLevel() {
		t.Error("unknown names are accepted")
	}
	if DataClass("x").Label() != "x" || Relationship("x").Label() != "x" {
		t.Error("unknown names have invented labels")
	}
	for d, want := range map[time.Duration]string{4 * time.Hour: "4 hours", time.Hour: "1 hour", 90 * time.Minute: "1 hour 30 minutes", time.Minute: "1 minute", 0: "0 minutes"} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func BenchmarkDecide(b *testing.B) {
	s := Subject{UserID: user, OrganisationID: org, Grants: []Grant{{CaseManager, site}, {Analyst, site}, {DPO, 0}}}
	r := Resource{Class: PoliceIntel, RecordType: "incident", RecordID: "3", SiteID: site, AllocatedUserIDs: []int64{user}}
	for b.Loop() {
		Decide(s, Read, r, now)
	}
}
