// Package processing writes the records of processing (UK GDPR article
// 30) and the outline of a data protection impact assessment from the
// configuration itself: what Drive holds, by data class; who may see it,
// from the access policy; the lawful basis and Schedule 1 condition for
// it; how long it is kept, from the retention schedule; and who processes
// it on the controller's behalf. Because it is generated, the record
// cannot drift from what the code does. The lawful bases are the usual
// ones for a Drive service (DOMAIN.md, "Data protection"); each controller
// confirms them in its own appropriate policy document.
package processing

import (
	"fmt"
	"strings"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/retention"
)

// Activity is one line of the record: one data class.
type Activity struct {
	Class       access.DataClass
	Label       string
	Holds       string // what the class holds
	Subjects    string // whose data it is
	Purpose     string
	LawfulBasis string // UK GDPR article 6
	Condition   string // article 9 and 10, and the DPA 2018 Schedule 1 condition; "" if none is needed
	Retention   string
	// Writers and Readers are the roles the policy lets write and only
	// read the class, through any relationship; BreakGlass those that may
	// open it by break-glass.
	Writers, Readers, BreakGlass []string
}

// Record is the record of processing.
type Record struct {
	Activities []Activity
	// Processors are the services that process data on the controller's
	// behalf, as configured.
	Processors []string
	Schedule   retention.Schedule
}

// basis is the purpose and legal basis of each class.
var basis = map[access.DataClass]struct{ subjects, purpose, lawful, condition string }{
	access.PerpetratorCase: {"Perpetrators of domestic abuse referred to Drive",
		"Disrupting, changing and supporting perpetrators to protect victim-survivors and children",
		"Public task, art. 6(1)(e) (a provider that is not a public body: legitimate interests, art. 6(1)(f))",
		"Criminal offence data, art. 10, and special category data, art. 9(2)(g): DPA 2018 Sch. 1 para. 10 (preventing or detecting unlawful acts) and para. 18 (safeguarding of children and individuals at risk)"},
	access.VictimCompartment: {"Victim-survivors and their children",
		"Keeping victim-survivors safe: contact, safety planning, refuge and school arrangements",
		"Public task, art. 6(1)(e); vital interests, art. 6(1)(d), in an emergency",
		"Special category data, art. 9(2)(g): DPA 2018 Sch. 1 para. 18 (safeguarding of individuals at risk)"},
	access.VictimRisk: {"Victim-survivors",
		"Assessing and managing the risk the perpetrator poses",
		"Public task, art. 6(1)(e)",
		"Special category data, art. 9(2)(g): DPA 2018 Sch. 1 para. 18"},
	access.Child: {"Children linked to a perpetrator or victim-survivor",
		"Safeguarding children",
		"Public task, art. 6(1)(e)",
		"Special category data, art. 9(2)(g): DPA 2018 Sch. 1 para. 18 (safeguarding of children)"},
	access.PoliceIntel: {"Suspects and victims named in police extracts; people discussed at panels",
		"Identifying high-harm and serial perpetrators; multi-agency risk management",
		"Public task, art. 6(1)(e)",
		"Criminal offence data, art. 10: DPA 2018 Sch. 1 para. 10 and para. 18"},
	access.HealthNeeds: {"Perpetrators",
		"Support that removes obstacles to change (housing, mental health, substance use)",
		"Public task, art. 6(1)(e)",
		"Health data, art. 9(2)(g): DPA 2018 Sch. 1 para. 18"},
	access.Notes: {"Perpetrators, and others named in free text (screened by the barrier)",
		"Recording the work on a case",
		"Public task, art. 6(1)(e)",
		"As for the case: DPA 2018 Sch. 1 para. 10 and para. 18"},
	access.ListReferral: {"Suspects on a site's police identification list put forward for Drive",
		"Referring a high-harm or serial perpetrator found on the identification list to the site's panel",
		"Public task, art. 6(1)(e) (a provider that is not a public body: legitimate interests, art. 6(1)(f))",
		"Criminal offence data, art. 10: DPA 2018 Sch. 1 para. 10 and para. 18"},
	access.Aggregates: {"None identifiable: counts with small numbers suppressed",
		"Measuring outcomes for sites, commissioners and evaluators",
		"Public task, art. 6(1)(e); research and statistics, art. 89 safeguards for evaluators' pseudonymised extracts",
		""},
	access.Extracts: {"Perpetrators, victim-survivors and children, pseudonymised",
		"Evaluating the intervention: pseudonymised extracts released to approved evaluation projects",
		"Public task, art. 6(1)(e), with the research safeguards of art. 89 (pseudonyms, generalisation, a data protection officer's approval of each project)",
		"Special category and criminal offence data, art. 9(2)(j) and art. 10: DPA 2018 Sch. 1 para. 4 (research), with the art. 89 safeguards"},
	access.Trial: {"None identifiable: a trial's dates, rule and counts per arm and risk band",
		"Evaluating the intervention by random allocation at a site",
		"Public task, art. 6(1)(e), with the research safeguards of art. 89",
		""},
	access.Audit: {"Staff using Drive",
		"Accountability and security: who saw or changed which record",
		"Legal obligation, art. 6(1)(c) (arts. 5(2) and 32)",
		""},
	access.Configuration: {"Staff using Drive",
		"Running the service: accounts, roles, sites and settings",
		"Public task, art. 6(1)(e), or legitimate interests, art. 6(1)(f)",
		""},
	access.SubjectAccess: {"People who ask to see their records, and those who act for them",
		"Answering subject access requests",
		"Legal obligation, art. 6(1)(c) (art. 15)",
		""},
}

// retentionOf says how long each class is kept under s.
func retentionOf(class access.DataClass, s retention.Schedule) string {
	rule := func(c retention.Class, open, after string) string {
		r, ok := s.Rule(c)
		if !ok {
			return open
		}
		done := map[retention.Action]string{retention.Anonymise: "anonymised", retention.Delete: "deleted"}[r.Action]
		text := fmt.Sprintf("%s; %s %s after %s", open, done, period(r.Years, r.Months), after)
		if r.ChildAge > 0 {
			text += fmt.Sprintf(", or when the youngest child linked to it is %d if later", r.ChildAge)
		}
		return text
	}
	switch class {
	case access.PerpetratorCase, access.Notes, access.HealthNeeds, access.ListReferral:
		return rule(retention.PerpetratorCase, "Kept while the case is open", "the case closes")
	case access.VictimCompartment, access.VictimRisk, access.Child:
		return rule(retention.VictimCase, "Kept while the victim-survivor's case is open", "her case closes")
	case access.PoliceIntel:
		return rule(retention.PoliceExtract, "Kept for identification and the police outcome measures", "the incident or MARAC hearing")
	case access.Audit:
		return "Kept; holds no personal data beyond staff identifiers and record numbers; append-only"
	case access.Aggregates:
		return "Published figures are kept; they identify no one"
	case access.Extracts:
		return "As each evaluation project's agreement says (see docs/evaluation.md)"
	case access.Trial:
		return "Kept with the cases allocated; the seed until the trial is verified (see docs/trials.md)"
	case access.SubjectAccess:
		return "Not yet scheduled (see docs/data-protection.md, \"Not built yet\")"
	case access.Configuration:
		return "While the account or setting is in use"
	default:
		return "Not yet scheduled (see docs/data-protection.md, \"Not built yet\")"
	}
}

// period says a number of years and months in words.
func period(years, months int) string {
	unit := func(n int, what string) string {
		if n == 1 {
			return "1 " + what
		}
		return fmt.Sprintf("%d %ss", n, what)
	}
	switch {
	case months == 0:
		return unit(years, "year")
	case years == 0:
		return unit(months, "month")
	}
	return unit(years, "year") + " and " + unit(months, "month")
}

// Build makes the record from the access policy, the retention schedule
// and the processors configured.
func Build(s retention.Schedule, processors []string) Record {
	rec := Record{Processors: processors, Schedule: s}
	for _, c := range access.DataClasses() {
		b := basis[c]
		a := Activity{Class: c, Label: c.Label(), Holds: c.Description(), Subjects: b.subjects, Purpose: b.purpose,
			LawfulBasis: b.lawful, Condition: b.condition, Retention: retentionOf(c, s)}
		for _, role := range access.Roles() {
			best := access.None
			for _, rel := range access.Relationships() {
				if act := access.Allowed(role, c, rel); act > best {
					best = act
				}
			}
			switch best {
			case access.Write:
				a.Writers = append(a.Writers, role.Label())
			case access.Read:
				a.Readers = append(a.Readers, role.Label())
			}
			if access.BreakGlassAllowed(role, c) {
				a.BreakGlass = append(a.BreakGlass, role.Label())
			}
		}
		rec.Activities = append(rec.Activities, a)
	}
	return rec
}

// DefaultProcessors are the processors every deployment has; the
// operator adds its own (the hosting provider) in its copy.
func DefaultProcessors(mail bool) []string {
	out := []string{
		"The hosting provider of the servers and the database (named by the controller)",
		"Each organisation's OpenID Connect sign-in provider, where one is configured: sign-in only, no case data",
	}
	if mail {
		out = append(out, "The e-mail relay: a message that a notification is waiting, never what it says")
	}
	return out
}

// docCommand regenerates docs/records-of-processing.md.
const docCommand = "UPDATE_DOCS=1 go test ./processing/"

func list(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}

// Markdown renders the record and the DPIA outline as a document. It is
// deterministic and ends with a newline.
func (r Record) Markdown() string {
	var b strings.Builder
	b.WriteString("# Records of processing and DPIA template\n\n")
	fmt.Fprintf(&b, "<!-- Generated from the access policy, the retention schedule and package processing by `%s`. Do not edit by hand. -->\n\n", docCommand)
	b.WriteString("This is the record of processing (UK GDPR article 30) for a Drive service, built from its " +
		"configuration: what it holds by data class, who may see it (the access policy), on what lawful basis, " +
		"and for how long (the retention schedule). The controller confirms the lawful bases in its appropriate " +
		"policy document and completes the parts marked *controller*. The data protection officer sees the same " +
		"record, with the deployment's own schedule and processors, on the **Records of processing** page.\n\n")
	b.WriteString("## What is held, by data class\n\n")
	for _, a := range r.Activities {
		fmt.Fprintf(&b, "### %s\n\n", a.Label)
		fmt.Fprintf(&b, "- **Holds:** %s\n", a.Holds)
		fmt.Fprintf(&b, "- **About:** %s\n", a.Subjects)
		fmt.Fprintf(&b, "- **Purpose:** %s\n", a.Purpose)
		fmt.Fprintf(&b, "- **Lawful basis:** %s\n", a.LawfulBasis)
		if a.Condition != "" {
			fmt.Fprintf(&b, "- **Condition:** %s\n", a.Condition)
		}
		fmt.Fprintf(&b, "- **Who may change it:** %s\n", list(a.Writers))
		fmt.Fprintf(&b, "- **Who may only read it:** %s\n", list(a.Readers))
		if len(a.BreakGlass) > 0 {
			fmt.Fprintf(&b, "- **Break-glass (reason, time limit, alert, audit):** %s\n", list(a.BreakGlass))
		}
		fmt.Fprintf(&b, "- **Kept:** %s\n\n", a.Retention)
	}
	b.WriteString("## Processors\n\n")
	for _, p := range r.Processors {
		fmt.Fprintf(&b, "- %s\n", p)
	}
	b.WriteString("\n## Transfers outside the UK\n\nNone by Drive itself. *Controller:* confirm for the hosting provider.\n\n")
	b.WriteString("## Security measures\n\n" +
		"- Victim-survivors' compartment, notes and sign-in secrets encrypted at rest under a key kept outside the database (docs/encryption.md).\n" +
		"- One access decision for every channel; records a user may not see answer \"not found\" (docs/access-policy.md).\n" +
		"- A hash-chained, append-only audit log with signed checkpoints (docs/audit.md).\n" +
		"- Signed, verified backups and restore drills (docs/data-protection.md).\n" +
		"- Free text on a perpetrator's case screened for a victim-survivor's details and held back for the IDVA's review.\n\n")
	b.WriteString("## DPIA template\n\n" +
		"Complete one for each deployment, and again before any change to what is held or who sees it.\n\n" +
		"1. **The processing.** The classes above, their purposes and the people they are about. *Controller:* the sites, the partner agencies and the information-sharing agreement.\n" +
		"2. **Necessity and proportionality.** Why each class is needed for the Drive model; what is not collected (a victim-survivor's address in a police extract is never kept). *Controller.*\n" +
		"3. **Risks to the people concerned**, with likelihood and severity:\n" +
		"   - a perpetrator learning where a victim-survivor is or how to reach them (the barrier; the subject access screen);\n" +
		"   - a breach of the compartment (encryption at rest; break-glass alerts to the data protection officer);\n" +
		"   - re-identification from published figures (small-number suppression; pseudonymised extracts only);\n" +
		"   - records kept too long (the retention schedule above; legal holds named and owned);\n" +
		"   - loss of a safety plan (verified backups; point-in-time recovery on PostgreSQL).\n" +
		"4. **Measures** against each risk: the security measures above, and the controller's own. *Controller.*\n" +
		"5. **Sign-off.** Data protection officer's advice, the controller's decision, and the date of review.\n")
	return b.String()
}
