package evaluation

import (
	"sort"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/outcomes"
)

// Source is what an extract is made from: the cases of the project's sites
// and period, as dates, codes and counts. The caller reads it without any
// name, address, free text or victim-survivor compartment, so nothing of
// the kind can reach an extract even by mistake here.
type Source struct {
	Cases    []SourceCase
	Children []ChildFacts
	Contacts []ContactFacts
	Meetings []MeetingFacts
}

// SourceCase is one case's outcome facts and the person it is about.
type SourceCase struct {
	outcomes.CaseFacts
	PersonID int64
}

// ChildFacts is one child recorded on a victim-survivor's case.
type ChildFacts struct {
	ID, VictimID, CaseID int64
	DateOfBirth          drive.Date
	Relationship         string // both, victim, perpetrator
	SocialCare           string
}

// ContactFacts is one contact with the perpetrator: its kind and date only,
// never the summary or the method.
type ContactFacts struct {
	ID, CaseID int64
	Kind       string
	On         drive.Date
}

// MeetingFacts is one multi-agency meeting and its case items.
type MeetingFacts struct {
	ID       int64
	SiteCode string
	Kind     string // the series kind: drive_panel, marac, matac
	State    string
	HeldOn   drive.Date
	Items    []MeetingItemFacts
}

// MeetingItemFacts is one case heard at a meeting, without the reasons,
// the evidence or the discussion.
type MeetingItemFacts struct {
	CaseID   int64
	Decision string
	Repeat   bool
	Children bool
}

// Column is one column of an extract's table and what it means; the
// meanings make up the data dictionary.
type Column struct{ Name, Meaning string }

// Table is one CSV of an extract.
type Table struct {
	Name    string
	Columns []Column
	Rows    [][]string
}

// Extract is a pseudonymised extract ready to be released: its tables, the
// k-anonymity check of each table of people after generalisation, and what
// was generalised to get there.
type Extract struct {
	Project   string
	MadeOn    drive.Date
	Threshold int
	Tables    []Table
	// Checks holds the k-anonymity check of each table of people
	// (perpetrators, victim_survivors, children) that was granted.
	Checks map[string]KReport
	// Steps says what was merged, widened or suppressed, table by table.
	Steps []string
}

// Smallest returns the smallest group over every checked table (0 when no
// table holds anyone).
func (e *Extract) Smallest() int {
	s := 0
	for _, r := range e.Checks {
		if r.Groups > 0 && (s == 0 || r.Smallest < s) {
			s = r.Smallest
		}
	}
	return s
}

// Pass reports whether every checked table meets the project's threshold.
func (e *Extract) Pass() bool {
	for _, r := range e.Checks {
		if !r.Pass {
			return false
		}
	}
	return true
}

// Rows returns the number of data rows over every table.
func (e *Extract) Rows() int {
	n := 0
	for _, t := range e.Tables {
		n += len(t.Rows)
	}
	return n
}

// NotRecorded fills a quasi-identifier the platform does not hold for a
// kind of person (a child's sex and ethnicity).
const NotRecorded = "not_recorded"

// Build makes the project's extract from src as of today, with pseudonyms
// from ps. Only the project's granted tables are written, and only cases at
// its sites are read (the caller has already bounded src by site and
// period; Build checks the sites again so a wider source cannot leak).
// Dates become months, ages bands; sex, ethnicity and other categories of
// fewer than MinCategory people are merged; then each table of people is
// generalised until every combination of quasi-identifiers (age band, sex,
// ethnicity, site, month) holds at least the project's k people, and every
// date of that person's rows is coarsened to the same level as their month,
// so a wider period in one column is not undone by another. Errors:
// ECONFLICT when the project is not usable today.
func Build(p *Project, ps *Pseudonymiser, src Source, today drive.Date) (*Extract, error) {
	if !p.Usable(today) {
		return nil, drive.Errorf(drive.ECONFLICT, "The project %s cannot receive extracts: it is %s or its data-sharing agreement has expired", p.Name, p.State)
	}
	b := &builder{p: p, ps: ps, k: p.Threshold(), sites: map[int64]bool{}, ext: &Extract{
		Project: p.Name, MadeOn: today, Threshold: p.Threshold(), Checks: map[string]KReport{},
	}}
	for _, id := range p.SiteIDs {
		b.sites[id] = true
	}
	b.index(src)
	granted := map[string]bool{}
	for _, t := range p.Tables {
		granted[t] = true
	}
	// Generalise people first: every other table coarsens its dates to the
	// level its person's month was generalised to.
	b.generalisePeople()
	for _, name := range Tables() {
		if !granted[name] {
			continue
		}
		b.ext.Tables = append(b.ext.Tables, b.table(name))
		if name == "meetings" {
			b.ext.Tables = append(b.ext.Tables, b.meetingItems())
		}
	}
	for _, name := range []string{"perpetrators", "victim_survivors", "children"} {
		if granted[name] {
			b.ext.Checks[name] = b.checks[name]
		}
	}
	return b.ext, nil
}

type builder struct {
	p     *Project
	ps    *Pseudonymiser
	k     int
	sites map[int64]bool
	ext   *Extract

	cases    []*SourceCase
	byCase   map[int64]*SourceCase
	children []ChildFacts
	contacts []ContactFacts
	meetings []MeetingFacts

	// The generalised quasi-identifiers of each person, by pseudonym kind
	// and record id, and the checks.
	people map[personKey]QuasiRecord
	checks map[string]KReport
	// cats holds the categories merged below MinCategory, per column.
	cats map[string]map[string]string
}

type personKey struct {
	kind string
	id   int64
}

func (b *builder) index(src Source) {
	b.byCase = map[int64]*SourceCase{}
	for i := range src.Cases {
		c := &src.Cases[i]
		if !b.sites[c.SiteID] {
			continue
		}
		b.cases = append(b.cases, c)
		b.byCase[c.CaseID] = c
	}
	for _, ch := range src.Children {
		if b.byCase[ch.CaseID] != nil {
			b.children = append(b.children, ch)
		}
	}
	for _, ct := range src.Contacts {
		if b.byCase[ct.CaseID] != nil {
			b.contacts = append(b.contacts, ct)
		}
	}
	siteCodes := map[string]bool{}
	for _, c := range b.cases {
		siteCodes[c.SiteCode] = true
	}
	for _, m := range src.Meetings {
		if !siteCodes[m.SiteCode] || m.HeldOn.Before(b.p.From) || m.HeldOn.After(b.p.To) {
			continue
		}
		b.meetings = append(b.meetings, m)
	}
}

// generalisePeople builds the quasi-identifiers of every perpetrator,
// victim-survivor and child, one record per person (a person on several
// cases counts once, at their earliest referral), and generalises each
// table on its own, since a reader knows which table a row is in.
func (b *builder) generalisePeople() {
	b.people = map[personKey]QuasiRecord{}
	b.checks = map[string]KReport{}
	type first struct {
		rec QuasiRecord
		on  drive.Date
	}
	perps := map[int64]first{}
	victims := map[int64]first{}
	keep := func(m map[int64]first, id int64, on drive.Date, rec QuasiRecord) {
		if f, ok := m[id]; !ok || on.Before(f.on) {
			m[id] = first{rec, on}
		}
	}
	for _, c := range b.cases {
		keep(perps, c.PersonID, c.ReferredOn, QuasiRecord{
			AgeBand: AgeBand(c.Perpetrator.DateOfBirth, c.ReferredOn), Sex: code(c.Perpetrator.Sex),
			Ethnicity: code(c.Perpetrator.Ethnicity), Site: c.SiteCode, Month: Month(c.ReferredOn),
		})
		for _, v := range c.Victims {
			keep(victims, victimID(c, v), c.ReferredOn, QuasiRecord{
				AgeBand: AgeBand(v.Equality.DateOfBirth, c.ReferredOn), Sex: code(v.Equality.Sex),
				Ethnicity: code(v.Equality.Ethnicity), Site: c.SiteCode, Month: Month(c.ReferredOn),
			})
		}
	}
	children := map[int64]first{}
	for _, ch := range b.children {
		c := b.byCase[ch.CaseID]
		keep(children, ch.ID, c.ReferredOn, QuasiRecord{
			AgeBand: AgeBand(ch.DateOfBirth, c.ReferredOn), Sex: NotRecorded, Ethnicity: NotRecorded,
			Site: c.SiteCode, Month: Month(c.ReferredOn),
		})
	}
	run := func(table, kind string, m map[int64]first) {
		ids := make([]int64, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		recs := make([]QuasiRecord, len(ids))
		for i, id := range ids {
			recs[i] = m[id].rec
		}
		out, steps := Generalise(recs, b.k)
		for i, id := range ids {
			b.people[personKey{kind, id}] = out[i]
		}
		for _, s := range steps {
			b.ext.Steps = append(b.ext.Steps, table+": "+s)
		}
		b.checks[table] = CheckK(out, b.k)
	}
	run("perpetrators", KindPerpetrator, perps)
	run("victim_survivors", KindVictimSurvivor, victims)
	run("children", KindChild, children)

	// Other categories describing people are merged below MinCategory.
	b.cats = map[string]map[string]string{}
	rare := func(col string, values map[int64]string) {
		counts := map[string]int{}
		for _, v := range values {
			counts[v]++
		}
		m := map[string]string{}
		var merged []string
		for v, n := range counts {
			if n < MinCategory && v != OtherOrNotKnown {
				m[v] = OtherOrNotKnown
				merged = append(merged, v)
			}
		}
		b.cats[col] = m
		if len(merged) > 0 {
			sort.Strings(merged)
			b.ext.Steps = append(b.ext.Steps, col+": "+strings.Join(merged, ", ")+
				" (fewer than "+strconv.Itoa(MinCategory)+" people each) merged into "+OtherOrNotKnown)
		}
	}
	disability := map[int64]string{}
	for _, c := range b.cases {
		disability[c.PersonID] = code(c.Perpetrator.Disability)
	}
	rare("perpetrators.disability", disability)
	care, rel := map[int64]string{}, map[int64]string{}
	for _, ch := range b.children {
		care[ch.ID], rel[ch.ID] = code(ch.SocialCare), code(ch.Relationship)
	}
	rare("children.social_care", care)
	rare("children.relationship", rel)
	closure := map[int64]string{}
	for _, c := range b.cases {
		closure[c.CaseID] = code(c.ClosureReason)
	}
	rare("cases.closure_reason", closure)
}

// cat returns value as published in column col: merged when rare.
func (b *builder) cat(col, value string) string {
	v := code(value)
	if m, ok := b.cats[col][v]; ok {
		return m
	}
	return v
}

// victimID is the id a victim-survivor is pseudonymised by: her victim
// case, or, when the case does not know it, a per-case stand-in that can
// never join another case.
func victimID(c *SourceCase, v outcomes.VictimFacts) int64 {
	if v.ID != 0 {
		return v.ID
	}
	return -c.CaseID
}

func code(s string) string {
	if s = strings.TrimSpace(s); s == "" {
		return "not_known"
	}
	return s
}

// period coarsens d to the level of the generalised month like: a month,
// a quarter, a year, or suppressed; "" for a zero date.
func period(d drive.Date, like string) string {
	if d.IsZero() {
		return ""
	}
	m := Month(d)
	switch {
	case like == Suppressed:
		return Suppressed
	case strings.Contains(like, "-Q"):
		return quarter(m)
	case len(like) == 4:
		return year(m)
	}
	return m
}

// caseLevel returns the generalised month of the case's perpetrator, the
// level every date of the case's rows is coarsened to.
func (b *builder) caseLevel(c *SourceCase) string {
	return b.people[personKey{KindPerpetrator, c.PersonID}].Month
}

func offset(from, d drive.Date) string {
	if from.IsZero() || d.IsZero() {
		return ""
	}
	return strconv.Itoa(DayOffset(from, d))
}

func yesNo(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func (b *builder) table(name string) Table {
	t := Table{Name: name, Columns: columns[name]}
	add := func(row ...string) { t.Rows = append(t.Rows, row) }
	kase := func(c *SourceCase) string { return b.ps.Pseudonym(KindCase, c.CaseID) }
	switch name {
	case "cases":
		for _, c := range b.cases {
			lv := b.caseLevel(c)
			manager := ""
			if c.CaseManagerID != 0 {
				manager = b.ps.Pseudonym("u", c.CaseManagerID)
			}
			// The site is a quasi-identifier: it is shown as the
			// perpetrator's row shows it, suppressed with the rest.
			site := b.people[personKey{KindPerpetrator, c.PersonID}].Site
			add(kase(c), b.ps.Pseudonym(KindPerpetrator, c.PersonID), site, c.Programme, string(c.State),
				period(c.ReferredOn, lv), period(c.AllocatedOn, lv), period(c.ClosedOn, lv),
				offset(c.ReferredOn, c.AllocatedOn), offset(c.AllocatedOn, c.ClosedOn),
				code(string(c.Engagement)), b.cat("cases.closure_reason", c.ClosureReason), manager,
				strconv.Itoa(len(c.Victims)), strconv.Itoa(c.Children))
		}
	case "perpetrators":
		seen := map[int64]bool{}
		for _, c := range b.cases {
			if seen[c.PersonID] {
				continue
			}
			seen[c.PersonID] = true
			q := b.people[personKey{KindPerpetrator, c.PersonID}]
			add(b.ps.Pseudonym(KindPerpetrator, c.PersonID), q.Site, q.AgeBand, q.Sex, q.Ethnicity, q.Month,
				b.cat("perpetrators.disability", c.Perpetrator.Disability))
		}
	case "victim_survivors":
		for _, c := range b.cases {
			for _, v := range c.Victims {
				id := victimID(c, v)
				q := b.people[personKey{KindVictimSurvivor, id}]
				add(b.ps.Pseudonym(KindVictimSurvivor, id), kase(c), q.Site, q.AgeBand, q.Sex, q.Ethnicity, q.Month,
					yesNo(v.IDVA), yesNo(v.LivingTogether))
			}
		}
	case "children":
		for _, ch := range b.children {
			c := b.byCase[ch.CaseID]
			q := b.people[personKey{KindChild, ch.ID}]
			add(b.ps.Pseudonym(KindChild, ch.ID), b.ps.Pseudonym(KindVictimSurvivor, ch.VictimID), kase(c), q.Site, q.AgeBand,
				q.Month, b.cat("children.relationship", ch.Relationship), b.cat("children.social_care", ch.SocialCare))
		}
	case "assessments":
		for _, c := range b.cases {
			lv := b.caseLevel(c)
			for _, a := range c.Behaviour {
				add(kase(c), b.ps.Pseudonym(KindVictimSurvivor, a.VictimID), "behaviour", a.TimePoint, period(a.AssessedOn, lv),
					offset(c.AllocatedOn, a.AssessedOn), string(a.Physical), string(a.Sexual), string(a.Stalking),
					string(a.Controlling), a.RiskChange, "", "", "")
			}
			for _, d := range c.DASH {
				add(kase(c), b.ps.Pseudonym(KindVictimSurvivor, d.VictimID), "dash", d.TimePoint, period(d.On, lv),
					offset(c.AllocatedOn, d.On), "", "", "", "", "", strconv.Itoa(d.Score), d.Band, "")
			}
			for _, s := range c.Assessments {
				add(kase(c), "", "scheduled", s.TimePoint, period(s.DueOn, lv), offset(c.AllocatedOn, s.DueOn),
					"", "", "", "", "", "", "", yesNo(!s.DoneOn.IsZero()))
			}
		}
	case "actions":
		for _, c := range b.cases {
			lv := b.caseLevel(c)
			for _, a := range c.Actions {
				add(kase(c), a.Prong, string(a.Status), period(a.DueOn, lv), period(a.CompletedOn, lv),
					offset(c.AllocatedOn, a.DueOn), offset(c.AllocatedOn, a.CompletedOn))
			}
		}
	case "contacts":
		for _, ct := range b.contacts {
			c := b.byCase[ct.CaseID]
			add(kase(c), ct.Kind, period(ct.On, b.caseLevel(c)), offset(c.AllocatedOn, ct.On))
		}
	case "police_incidents":
		for _, c := range b.cases {
			for _, d := range c.PoliceIncidents {
				add(kase(c), period(d, b.caseLevel(c)), offset(c.ReferredOn, d), offset(c.AllocatedOn, d), offset(c.ClosedOn, d))
			}
		}
	case "marac_hearings":
		for _, c := range b.cases {
			for _, d := range c.MARACHearings {
				add(kase(c), period(d, b.caseLevel(c)), offset(c.ReferredOn, d), offset(c.ClosedOn, d))
			}
		}
	case "meetings":
		for _, m := range b.meetings {
			heard := 0
			for _, it := range m.Items {
				if b.byCase[it.CaseID] != nil {
					heard++
				}
			}
			add(b.ps.Pseudonym(KindMeeting, m.ID), m.SiteCode, m.Kind, m.State, Month(m.HeldOn), strconv.Itoa(heard))
		}
	}
	return t
}

// meetingItems returns the extra table written beside meetings: one row
// per case heard, so an evaluator can follow a case through the panel and
// MARAC without the discussion.
func (b *builder) meetingItems() Table {
	t := Table{Name: "meeting_items", Columns: columns["meeting_items"]}
	for _, m := range b.meetings {
		for _, it := range m.Items {
			c := b.byCase[it.CaseID]
			if c == nil {
				continue
			}
			t.Rows = append(t.Rows, []string{b.ps.Pseudonym(KindMeeting, m.ID), b.ps.Pseudonym(KindCase, c.CaseID),
				code(it.Decision), yesNo(it.Repeat), yesNo(it.Children)})
		}
	}
	return t
}
