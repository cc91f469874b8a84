// Package retention holds the rules for how long records are kept: a
// schedule per record class (DOMAIN.md, "Data protection": typically six
// years after closure for adults, longer where children are involved),
// legal holds that stop a record being removed whatever its schedule says,
// and the plan of what is due to go on a given day. It reads no clock and
// no database: today and the records are passed in.
package retention

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/drive-platform/drive"
)

// Class is a kind of record with its own retention rule.
type Class string

// The classes a retention run acts on. The audit log is not among them:
// it is the evidence of who saw what and is kept for as long as the
// records it describes may be questioned; it holds no personal data
// (docs/audit.md), and the database refuses to delete from it.
const (
	// PerpetratorCase is a closed Drive case: its free text (summary,
	// decisions, notes) and its person's identifying details are removed,
	// and the case's dates, states and measures stay for the outcome
	// reports, which count cases but name no one.
	PerpetratorCase Class = "perpetrator_case"
	// Notification is a notification a user was shown; it is deleted.
	Notification Class = "notification"
	// VictimCase is a closed victim-survivor's (IDVA) case: her
	// compartment, safety plan, notes, IDVA contacts and risk comments are
	// deleted, and her name and date of birth and her children's names
	// are removed; the case's dates, risk scores and behaviour assessments
	// stay for the outcome measures, which name no one.
	VictimCase Class = "victim_case"
	// PoliceExtract is an imported police record: an incident or a MARAC
	// hearing. The names, dates of birth and postcodes on it are removed;
	// its date, type, site and the people it was resolved to stay, so the
	// police outcome measures, which count incidents, do not change.
	PoliceExtract Class = "police_extract"
)

// Site is not a class of records: a legal hold whose class is Site and
// whose record is a site's id keeps every record of that site, of every
// class, whatever the schedule says (an inquiry into a site's work).
const Site Class = "site"

// Incident is not a class of records with a rule either: a legal hold
// whose class is Incident and whose record is an imported police
// incident's id keeps that incident (a PoliceExtract record of kind
// KindIncident) whatever the schedule says, while the site's other
// expired records go (a claim or complaint about one incident).
const Incident Class = "incident"

// Record kinds within the PoliceExtract class, in Candidate.Kind.
const (
	KindIncident     = "incident"
	KindMARACHearing = "marac_hearing"
)

// classes are the classes with a rule, in the order of the default
// schedule.
var classes = []Class{PerpetratorCase, Notification, VictimCase, PoliceExtract}

// actions is the one action each class may take: closed cases, victim
// cases and police records are counted by the outcome measures, so they
// are anonymised; notifications are deleted.
var actions = map[Class]Action{PerpetratorCase: Anonymise, Notification: Delete, VictimCase: Anonymise, PoliceExtract: Anonymise}

// Action is what happens to a record when its period ends.
type Action string

const (
	// Anonymise removes what identifies the people in the record and
	// keeps the rest.
	Anonymise Action = "anonymise"
	// Delete removes the record.
	Delete Action = "delete"
)

// Rule is how long one class is kept.
type Rule struct {
	Class Class `json:"class"`
	// Years and Months are the period, counted from the record's end
	// (a case's closure, a notification's creation).
	Years  int `json:"years"`
	Months int `json:"months"`
	// ChildAge, if not 0, keeps a record linked to children until the
	// youngest of them reaches this age, when that is later than the
	// period's end.
	ChildAge int    `json:"child_age,omitempty"`
	Action   Action `json:"action"`
	// From says in words what the period counts from, for the schedule's
	// readers; it does not change the rule.
	From string `json:"from"`
}

// Schedule is the rule for every class. Make one with DefaultSchedule, and
// change it with ParseSchedule.
type Schedule struct {
	Rules []Rule `json:"rules"`
}

// DefaultSchedule is the schedule DOMAIN.md describes: a closed case six
// years after closure, or until the youngest child linked to it is 25 if
// that is later (children's services keep records to a child's 25th
// birthday), and the same for a closed victim-survivor's case and her
// children; a notification one year after it was raised; an imported
// police incident or MARAC hearing six years after it happened (an adult's
// record, and twice the usual three-year identification window, so that
// no list or score of today reads an anonymised record).
func DefaultSchedule() Schedule {
	return Schedule{Rules: []Rule{
		{Class: PerpetratorCase, Years: 6, ChildAge: 25, Action: Anonymise, From: "the case's closure"},
		{Class: Notification, Years: 1, Action: Delete, From: "it was raised"},
		{Class: VictimCase, Years: 6, ChildAge: 25, Action: Anonymise, From: "the victim-survivor's case's closure"},
		{Class: PoliceExtract, Years: 6, Action: Anonymise, From: "the incident or MARAC hearing"},
	}}
}

// Rule returns the rule for class, and false if the schedule has none.
func (s Schedule) Rule(class Class) (Rule, bool) {
	for _, r := range s.Rules {
		if r.Class == class {
			return r, true
		}
	}
	return Rule{}, false
}

// Validate reports whether r can be applied. Errors: EINVALID.
func (r Rule) Validate() error {
	var problem string
	switch {
	case !slices.Contains(classes, r.Class):
		problem = fmt.Sprintf("there is no record class %q: use %s, %s, %s or %s", r.Class, PerpetratorCase, Notification, VictimCase, PoliceExtract)
	case r.Years < 0 || r.Months < 0 || r.Years > 200 || r.Months > 2400:
		problem = "its period is negative or longer than 200 years"
	case r.Years == 0 && r.Months == 0:
		problem = "it keeps records for no time at all"
	case r.ChildAge < 0 || r.ChildAge > 120:
		problem = "its child age is not between 0 and 120"
	case r.Action != Anonymise && r.Action != Delete:
		problem = "its action is neither anonymise nor delete"
	case r.Action != actions[r.Class]:
		// The outcome measures count closed cases, victim-survivors' risk
		// and police incidents; deleting them would change every published
		// figure.
		problem = fmt.Sprintf("its records are %sd, not %sd", actions[r.Class], r.Action)
	case r.Class == PoliceExtract && 12*r.Years+r.Months < 36:
		// Identification scores police records over a window of at least
		// three years; an anonymised record in it would still be counted
		// but no longer be told apart from others.
		problem = "police records are kept at least 3 years, the identification window"
	}
	if problem == "" {
		return nil
	}
	return drive.Errorf(drive.EINVALID, "The retention rule for %s is not valid: %s.", r.Class, problem)
}

// ParseSchedule reads a schedule file: {"rules": [rule, ...]}, each rule
// replacing the default for its class (classes not named keep theirs).
// It is strict: unknown members, trailing data and invalid rules are
// refused with a drive.EINVALID error.
func ParseSchedule(data []byte) (Schedule, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f Schedule
	if err := dec.Decode(&f); err != nil {
		return Schedule{}, drive.Errorf(drive.EINVALID, "The retention schedule is not a schedule JSON object: %s.", strings.TrimPrefix(err.Error(), "json: "))
	}
	if _, err := dec.Token(); err != io.EOF {
		return Schedule{}, drive.Errorf(drive.EINVALID, "The retention schedule has more after its JSON object.")
	}
	s := DefaultSchedule()
	seen := map[Class]bool{}
	for _, r := range f.Rules {
		if err := r.Validate(); err != nil {
			return Schedule{}, err
		}
		if seen[r.Class] {
			return Schedule{}, drive.Errorf(drive.EINVALID, "The retention schedule has two rules for %s.", r.Class)
		}
		seen[r.Class] = true
		for i := range s.Rules {
			if s.Rules[i].Class == r.Class {
				if r.From == "" {
					r.From = s.Rules[i].From
				}
				s.Rules[i] = r
			}
		}
	}
	return s, nil
}

// Expires returns the first day on which a record that ended on end may
// go: the day after its period, or after the youngest child's ChildAge-th
// birthday if that is later. youngestChild is the latest date of birth of
// the children linked to the record; zero for none.
func (r Rule) Expires(end, youngestChild drive.Date) drive.Date {
	exp := end.AddMonths(12*r.Years + r.Months)
	if r.ChildAge > 0 && !youngestChild.IsZero() {
		if adult := youngestChild.AddMonths(12 * r.ChildAge); adult.After(exp) {
			exp = adult
		}
	}
	return exp
}

// Candidate is a record a retention run may act on: its class, id, the
// day its period ended from (End), and the youngest linked child's date of
// birth if any.
type Candidate struct {
	Class Class
	// Kind tells apart the records of a class held in more than one table
	// (KindIncident, KindMARACHearing); empty for the others.
	Kind     string
	RecordID int64
	// SiteID is the site the record belongs to, for holds on a site.
	SiteID        int64
	End           drive.Date
	YoungestChild drive.Date
	// Expires is filled in by Plan.
	Expires drive.Date
}

// Hold is a legal hold: while it is in force, the record it names is
// kept whatever the schedule says (litigation, a complaint, an inquiry, a
// subject access request being answered).
type Hold struct {
	ID       int64
	Class    Class
	RecordID int64
	// SiteID is the site of the record held (the site itself for a
	// site hold), filled in by the store; who may see and release a hold
	// follows it.
	SiteID     int64
	Reason     string // why it is held, as the data protection officer records it
	Owner      string // who answers for the hold and decides when it ends
	PlacedAt   time.Time
	ReleasedAt *time.Time
	// ReleaseReason says why the hold ended.
	ReleaseReason string
	// Ref is the police reference of a held incident (class Incident),
	// filled in by the store, for people; a new hold on an incident may
	// name it by Ref and SiteID instead of RecordID.
	Ref string
}

// Validate checks a new hold. Errors: EINVALID with the fields at fault.
func (h *Hold) Validate() error {
	h.Reason = strings.TrimSpace(h.Reason)
	h.Owner = strings.TrimSpace(h.Owner)
	fields := map[string]string{}
	h.Ref = strings.TrimSpace(h.Ref)
	if !slices.Contains(HoldClasses, h.Class) {
		fields["class"] = "Choose what to hold: a perpetrator's case, a victim-survivor's case, a notification, a police incident or a whole site."
	}
	switch {
	case h.Class == Incident && h.RecordID <= 0 && (h.Ref == "" || len(h.Ref) > 64):
		fields["ref"] = "Give the incident's police reference, as on the extract, in up to 64 characters."
	case h.Class == Incident && h.RecordID <= 0 && h.SiteID <= 0:
		fields["site"] = "Choose the site whose extract holds the incident."
	case h.Class != Incident && h.RecordID <= 0:
		fields["record"] = "Give the record's number."
	}
	switch n := len([]rune(h.Reason)); {
	case n == 0:
		fields["reason"] = "Say why the record is held."
	case n > 500:
		fields["reason"] = "Keep the reason to 500 characters."
	}
	switch n := len([]rune(h.Owner)); {
	case n == 0:
		fields["owner"] = "Say who owns the hold."
	case n > 200:
		fields["owner"] = "Keep the owner to 200 characters."
	}
	if len(fields) > 0 {
		return drive.Invalid("The legal hold cannot be placed.", fields)
	}
	return nil
}

// HoldClasses are what a legal hold may name. A police incident is held
// by itself (a claim about one incident) or with its whole site (an
// inquiry); a MARAC hearing only with its site. Police people are not
// held: each import resolves the site's people again, so a person's
// incidents are not a fixed set, while an incident stays itself.
var HoldClasses = []Class{PerpetratorCase, VictimCase, Notification, Incident, Site}

// InForce reports whether the hold still stops deletion.
func (h Hold) InForce() bool { return h.ReleasedAt == nil }

// Plan works out, for today, which candidates are due to go and which
// would be due but are held. A candidate whose period has not ended is in
// neither list. Both lists are in the order of the candidates given, with
// Expires filled in. Candidates of a class the schedule has no rule for
// are never due.
func (s Schedule) Plan(today drive.Date, cands []Candidate, holds []Hold) (due, held []Candidate) {
	kept := holdIndex(holds)
	for _, c := range cands {
		r, ok := s.Rule(c.Class)
		if !ok {
			continue
		}
		c.Expires = r.Expires(c.End, c.YoungestChild)
		if c.Expires.After(today) {
			continue
		}
		if kept.holds(c) {
			held = append(held, c)
			continue
		}
		due = append(due, c)
	}
	return due, held
}

// Split divides candidates whose period has already ended (records a run
// acted on before, with something left to remove) into those to act on
// and those a hold in force keeps, each in the order given.
func Split(cands []Candidate, holds []Hold) (due, held []Candidate) {
	kept := holdIndex(holds)
	for _, c := range cands {
		if kept.holds(c) {
			held = append(held, c)
		} else {
			due = append(due, c)
		}
	}
	return due, held
}

// heldRecords is what the holds in force keep: records by class and
// number, and whole sites.
type heldRecords struct {
	records map[holdKey]bool
	sites   map[int64]bool
}

type holdKey struct {
	class Class
	id    int64
}

func holdIndex(holds []Hold) heldRecords {
	k := heldRecords{records: map[holdKey]bool{}, sites: map[int64]bool{}}
	for _, h := range holds {
		switch {
		case !h.InForce():
		case h.Class == Site:
			k.sites[h.RecordID] = true
		default:
			k.records[holdKey{h.Class, h.RecordID}] = true
		}
	}
	return k
}

// holds reports whether a hold keeps c: a hold on the record itself, or
// on its whole site.
func (k heldRecords) holds(c Candidate) bool {
	switch {
	case c.SiteID != 0 && k.sites[c.SiteID]:
		return true
	case c.Kind == "":
		return k.records[holdKey{c.Class, c.RecordID}]
	case c.Class == PoliceExtract && c.Kind == KindIncident:
		return k.records[holdKey{Incident, c.RecordID}]
	}
	return false
}

// Classes returns the classes of the schedule in order.
func (s Schedule) Classes() []Class {
	var out []Class
	for _, r := range s.Rules {
		out = append(out, r.Class)
	}
	return slices.Clip(out)
}
