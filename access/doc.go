package access

import (
	"fmt"
	"strings"
	"time"
)

// docCommand is the command that regenerates docs/access-policy.md. The
// documentation names it, and the test that keeps the file current tells
// developers to run it.
const docCommand = "go run ./cmd/drive policy doc > docs/access-policy.md"

// Markdown renders the whole access policy as a Markdown document: the
// rules that hold everywhere, what each action, role, data class and
// relationship means, and one table per data class (rows are roles, columns
// are relationships, plus whether the role may break glass). It is built
// from the same table Decide uses, so the documentation cannot drift from
// the code; docs/access-policy.md is its output, checked by a test. The
// output is deterministic and ends with a newline.
func Markdown() string {
	var b strings.Builder
	p := policy()
	roles := roleTable()

	b.WriteString("# Access policy\n\n")
	fmt.Fprintf(&b, "<!-- Generated from access/policy.go by `%s`. Do not edit by hand: change the table in the code and regenerate. -->\n\n", docCommand)
	b.WriteString("Every read and write in Drive, through every channel (pages, JSON, CSV and PDF exports, search, " +
		"autocomplete, notifications), goes through one decision, `access.Decide`: may this user, with these roles, " +
		"do this to this record now? The tables below are rendered from the table that decision uses, so they " +
		"say exactly what the code does.\n\n")

	b.WriteString("## Rules that hold everywhere\n\n")
	fmt.Fprintf(&b, "1. **A perpetrator-facing user never learns where a victim-survivor is or how to reach them.** "+
		"Only staff of %s ever reach the victim compartment, break-glass included: a user of any other kind of "+
		"organisation (or of none recorded) is refused it whatever role they hold, so a team leader of the Drive "+
		"provider never sees it. Within those, it is never given, not even by break-glass, to: %s. "+
		"A user who holds the %s role anywhere is refused the compartment whatever other roles they hold. "+
		"The table \"The victim compartment, by organisation\" below shows this for every role in every kind of organisation.\n",
		kindList(compartmentOrganisations()),
		roleList(rolesWithout(p, func(c DataClass) bool { return c == VictimCompartment })),
		roleList(perpetratorFacing()))
	b.WriteString("2. **A hidden record answers \"not found\".** A record the user may not see is reported exactly like " +
		"one that does not exist (HTTP 404, never 403), and is left out of lists, search results, autocomplete, " +
		"exports and counts, so that identifiers cannot be probed.\n")
	b.WriteString("3. **Write includes read.** A cell saying \"write\" also allows reading; \"—\" means no access.\n")
	b.WriteString("4. **The site is the boundary.** Allocated, Team and Site need the role to be held at the record's " +
		"site. A role held at another site gives nothing, even if the record is still allocated to the user " +
		"(for example after a transfer). A role held nationally gives Any and nothing else. The one exception is " +
		"Panel for partners: see Relationships.\n")
	b.WriteString("5. **Several roles: the greatest grant wins.** A user with several roles gets the greatest action any of " +
		"their roles gives through any relationship they have to the record. The audit event names the role and " +
		"the narrowest relationship that allowed it.\n")
	fmt.Fprintf(&b, "6. **Some roles never see a person.** %s receive no person-level class; evaluators' "+
		"pseudonymised extracts are governed separately.\n",
		capitalise(roleList(rolesWithout(p, DataClass.PersonLevel))))
	fmt.Fprintf(&b, "7. **Break-glass is read-only, named and short.** Where the table allows it, a user may open one "+
		"named record to read, giving a reason (at least %d characters) for at most %s. The data protection officer "+
		"is alerted and the opening is audited. The policy checks the glass again on every read, so it closes at "+
		"expiry or when the role is removed. Break-glass never allows writing.\n\n",
		minGlassReason, formatDuration(MaxBreakGlass))

	b.WriteString("## Actions\n\n| Action | Meaning |\n|---|---|\n")
	for _, a := range Actions() {
		fmt.Fprintf(&b, "| %s | %s |\n", a.Label(), a.Description())
	}

	b.WriteString("\n## Roles\n\n| Role | Code | Held | What for |\n|---|---|---|---|\n")
	for _, r := range Roles() {
		i := roles[r]
		held := "at a site"
		switch {
		case i.nationalOK && i.siteOK:
			held = "at a site or nationally"
		case i.nationalOK:
			held = "nationally"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", r.Label(), r, held, r.Description())
	}

	b.WriteString("\n## Data classes\n\nEvery field belongs to exactly one class. A page or export that shows " +
		"fields of several classes asks the policy once for each, and leaves out what is refused.\n\n" +
		"| Data class | Code | Person-level | What it holds |\n|---|---|---|---|\n")
	for _, c := range DataClasses() {
		person := "no"
		if c.PersonLevel() {
			person = "yes"
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s |\n", c.Label(), c, person, c.Description())
	}

	b.WriteString("\n## Relationships\n\nA user's relationship to a record comes from each role they hold. " +
		"A role held at the record's site always gives Site, and also Allocated, Team or Panel when the record " +
		"says so.\n\n| Relationship | Code | When it holds |\n|---|---|---|\n")
	for _, r := range Relationships() {
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", r.Label(), r, r.Description())
	}

	b.WriteString("\n## The policy, by data class\n\n")
	b.WriteString("Rows are roles, columns are relationships; a cell is what the role may do to records of the class " +
		"through that relationship. \"Break-glass\" says whether the role may open one record of the class to read, " +
		"as rule 7 describes.\n")
	for _, c := range DataClasses() {
		fmt.Fprintf(&b, "\n### %s\n\n%s\n\n| Role |", c.Label(), c.Description())
		for _, rel := range Relationships() {
			fmt.Fprintf(&b, " %s |", rel.Label())
		}
		b.WriteString(" Break-glass |\n|---|")
		for range Relationships() {
			b.WriteString("---|")
		}
		b.WriteString("---|\n")
		for _, r := range Roles() {
			fmt.Fprintf(&b, "| %s |", r.Label())
			for _, rel := range Relationships() {
				fmt.Fprintf(&b, " %s |", cell(lookup(p, r, c, rel)))
			}
			glass := "—"
			if BreakGlassAllowed(r, c) {
				glass = "yes"
			}
			fmt.Fprintf(&b, " %s |\n", glass)
		}
	}

	b.WriteString("\n## The victim compartment, by organisation\n\n")
	b.WriteString("What a user holding one role, in an organisation of each kind, can reach of a victim-survivor's " +
		"compartment at their site when they have every relationship to the victim-survivor's record (allocated to them, to their " +
		"organisation, on a panel they attend), and whether they may break glass on it. Each cell is the answer " +
		"of `access.Decide` and `access.CanBreakGlass` themselves, not a copy of the table, so it shows the rule " +
		"over organisations applied. \"—\" means never, by any route.\n\n| Role |")
	for _, k := range OrgKinds() {
		fmt.Fprintf(&b, " %s |", k.Label())
	}
	b.WriteString("\n|---|")
	for range OrgKinds() {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range Roles() {
		fmt.Fprintf(&b, "| %s |", r.Label())
		for _, k := range OrgKinds() {
			a, glass := compartmentReach(r, k)
			c := cell(a)
			switch {
			case glass && a == None:
				c = "break-glass"
			case glass:
				c += ", break-glass"
			}
			fmt.Fprintf(&b, " %s |", c)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// compartmentReach is the most a user holding only role, working for an
// organisation of kind, can do to a victim-survivor's compartment at a site
// where they hold the role (and, for a role that may be held nationally,
// nationally too), given every relationship to her record; and whether they
// may break glass on it. It asks Decide and CanBreakGlass, so it is the
// policy applied, for the documentation and for tests that walk every role
// in every kind of organisation.
func compartmentReach(role Role, kind OrgKind) (Action, bool) {
	const user, org, site = 1, 1, 1
	s := Subject{UserID: user, OrganisationID: org, OrganisationKind: kind}
	for _, siteID := range []int64{site, 0} {
		if g := (Grant{Role: role, SiteID: siteID}); g.inScope(roleTable()) {
			s.Grants = append(s.Grants, g)
		}
	}
	r := Resource{Class: VictimCompartment, RecordType: "victim", RecordID: "1", SiteID: site,
		AllocatedUserIDs: []int64{user}, AllocatedOrganisationIDs: []int64{org}, PanelUserIDs: []int64{user}}
	// The time does not matter: no glass is open.
	var now time.Time
	best := None
	for _, a := range []Action{Read, Write} {
		if Decide(s, a, r, now).Allowed {
			best = a
		}
	}
	_, glass := CanBreakGlass(s, VictimCompartment, site)
	return best, glass
}

// kindList writes organisation kinds as an English list of their labels,
// with an article ("an IDVA service").
func kindList(kinds []OrgKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = lowerFirst(k.Label())
	}
	switch len(names) {
	case 0:
		return "no organisation"
	case 1:
		return "an " + names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// cell is how an action appears in a policy table.
func cell(a Action) string {
	if a == None {
		return "—"
	}
	return a.String()
}

// rolesWithout returns, in order, the roles that get nothing, by the table
// or by break-glass, on any class for which match is true.
func rolesWithout(p []rule, match func(DataClass) bool) []Role {
	var out []Role
	for _, r := range Roles() {
		none := true
		for _, c := range DataClasses() {
			if !match(c) {
				continue
			}
			if BreakGlassAllowed(r, c) {
				none = false
			}
			for _, rel := range Relationships() {
				if lookup(p, r, c, rel) != None {
					none = false
				}
			}
		}
		if none {
			out = append(out, r)
		}
	}
	return out
}

// roleList writes roles as an English list of their lower-cased labels.
func roleList(roles []Role) string {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = lowerFirst(r.Label())
	}
	switch len(names) {
	case 0:
		return "no role"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// lowerFirst lower-cases a label for use inside a sentence, leaving
// acronyms such as IDVA and DPO alone.
func lowerFirst(s string) string {
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
