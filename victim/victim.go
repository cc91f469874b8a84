// Package victim holds the victim-survivor's side of Drive: the IDVA case,
// its links to perpetrator cases and children, and the protected
// compartment of where she is and how to reach her. It is pure: the
// compartment is a plain value here; storage seals it, and the access
// policy decides who may ever receive it.
//
// The one rule: a perpetrator-facing user, export or subject access pack
// never learns where a victim-survivor is or how to reach her. So the
// compartment is its own type, never embedded in anything a perpetrator
// case returns, and RiskFacts (what the case manager may know) is built
// from risk information only.
package victim

import (
	"regexp"
	"strings"
	"time"

	"github.com/drive-platform/drive"
)

// Case is a victim-survivor's IDVA case. Her name and equality details
// are held here, apart from the perpetrators' person records, so that no
// search, duplicate check or list on the perpetrator side can reach her.
type Case struct {
	ID                int64
	SiteID            int64
	GivenName         string
	FamilyName        string
	DateOfBirth       drive.Date
	Gender            string // people.Genders() codes
	Ethnicity         string // people.Ethnicities() codes
	SexualOrientation string
	Disability        string
	IDVAID            int64 // the allocated IDVA; 0 while unallocated
	Open              bool
	OpenedOn          drive.Date
	ClosedOn          drive.Date
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Name is her full name, for the IDVA's own pages only.
func (c *Case) Name() string { return strings.TrimSpace(c.GivenName + " " + c.FamilyName) }

// Validate checks a victim-survivor's case. Errors: EINVALID per field.
func (c *Case) Validate(today drive.Date) error {
	f := map[string]string{}
	c.GivenName, c.FamilyName = tidy(c.GivenName), tidy(c.FamilyName)
	if c.GivenName == "" || len(c.GivenName) > 100 {
		f["given_name"] = "Enter the first name"
	}
	if c.FamilyName == "" || len(c.FamilyName) > 100 {
		f["family_name"] = "Enter the last name"
	}
	if !c.DateOfBirth.IsZero() && c.DateOfBirth.After(today) {
		f["date_of_birth"] = "Date of birth must be in the past"
	}
	if c.OpenedOn.IsZero() {
		c.OpenedOn = today
	} else if c.OpenedOn.After(today) {
		f["opened_on"] = "The case cannot open in the future"
	}
	for _, v := range []*string{&c.Gender, &c.Ethnicity, &c.SexualOrientation, &c.Disability} {
		if *v == "" {
			*v = "not_known"
		}
	}
	if len(f) > 0 {
		return drive.Invalid("Check the victim-survivor's details", f)
	}
	return nil
}

// Relationship is how a victim-survivor is related to the perpetrator.
type Relationship string

// Relationships.
const (
	CurrentPartner Relationship = "current_partner"
	ExPartner      Relationship = "ex_partner"
	FamilyMember   Relationship = "family_member"
	OtherRelation  Relationship = "other"
)

// Relationships lists them in order.
func Relationships() []Relationship {
	return []Relationship{CurrentPartner, ExPartner, FamilyMember, OtherRelation}
}

// Label names the relationship.
func (r Relationship) Label() string {
	switch r {
	case CurrentPartner:
		return "Current partner"
	case ExPartner:
		return "Ex-partner"
	case FamilyMember:
		return "Family member"
	}
	return "Other"
}

// Link joins a victim-survivor's case to a perpetrator case: a serial
// perpetrator has several victims, and a victim may be linked to more
// than one perpetrator.
type Link struct {
	VictimCaseID    int64
	PerpetratorCase int64
	Relationship    Relationship
	LivingTogether  bool
	MARACDates      []drive.Date // hearings of this victim's case at MARAC
}

// Address is a place the victim-survivor lives or stays. It is part of
// the compartment.
type Address struct {
	Line1    string `json:"line1,omitempty"`
	Line2    string `json:"line2,omitempty"`
	Town     string `json:"town,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	Current  bool   `json:"current,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Compartment is everything that says where a victim-survivor is or how
// to reach her. It is stored sealed (encrypted under its own data key) and
// released only to the allocated IDVA, a team leader of that IDVA's own
// service, or a time-limited break-glass.
type Compartment struct {
	Addresses   []Address `json:"addresses,omitempty"`
	Phones      []string  `json:"phones,omitempty"`
	Emails      []string  `json:"emails,omitempty"`
	SafeContact string    `json:"safe_contact,omitempty"` // safe times and methods of contact
	Refuge      string    `json:"refuge,omitempty"`
	Workplace   string    `json:"workplace,omitempty"`
	GP          string    `json:"gp,omitempty"`
	Schools     []string  `json:"schools,omitempty"` // the children's schools
}

var (
	postcodeRE = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$`)
	phoneRE    = regexp.MustCompile(`^\+?[0-9 ()-]{7,20}$`)
	emailRE    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// Validate tidies and checks the compartment. Errors: EINVALID per field.
func (c *Compartment) Validate() error {
	f := map[string]string{}
	for i := range c.Addresses {
		a := &c.Addresses[i]
		a.Line1, a.Line2, a.Town, a.Note = tidy(a.Line1), tidy(a.Line2), tidy(a.Town), tidy(a.Note)
		a.Postcode = strings.ToUpper(tidy(a.Postcode))
		if a.Line1 == "" && a.Postcode == "" {
			f["addresses"] = "Each address needs at least a first line or a postcode"
		}
		if a.Postcode != "" && !postcodeRE.MatchString(a.Postcode) {
			f["addresses"] = "Enter a real postcode, such as LS1 4AP"
		}
	}
	c.Phones = tidyList(c.Phones)
	for _, p := range c.Phones {
		if !phoneRE.MatchString(p) {
			f["phones"] = "Enter phone numbers as digits, for example 07700 900123"
		}
	}
	c.Emails = tidyList(c.Emails)
	for _, e := range c.Emails {
		if !emailRE.MatchString(e) {
			f["emails"] = "Enter email addresses like name@example.org"
		}
	}
	c.Schools = tidyList(c.Schools)
	c.SafeContact, c.Refuge, c.Workplace, c.GP = tidy(c.SafeContact), tidy(c.Refuge), tidy(c.Workplace), tidy(c.GP)
	for name, v := range map[string]string{"safe_contact": c.SafeContact, "refuge": c.Refuge, "workplace": c.Workplace, "gp": c.GP} {
		if len(v) > 2000 {
			f[name] = "Keep this to 2,000 characters"
		}
	}
	if len(f) > 0 {
		return drive.Invalid("Check the protected details", f)
	}
	return nil
}

func tidy(s string) string { return strings.Join(strings.Fields(s), " ") }

func tidyList(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = tidy(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Values lists the compartment's identifying values, for the screen on
// free text written on the perpetrator side (Reveals).
// Each is returned in the forms a person might type it: a postcode with
// and without its space, a phone number as bare digits.
func (c *Compartment) Values() []string {
	var out []string
	add := func(v string) {
		if v = strings.TrimSpace(v); len(v) >= 4 {
			out = append(out, v)
		}
	}
	for _, a := range c.Addresses {
		add(a.Line1)
		add(a.Line2)
		add(a.Postcode)
		add(strings.ReplaceAll(a.Postcode, " ", ""))
	}
	for _, p := range c.Phones {
		d := digits(p)
		add(d)
		// A UK number written internationally (+44 7700...) drops its
		// leading 0: look for the rest too.
		if strings.HasPrefix(d, "0") && len(d) >= 10 {
			add(d[1:])
		}
	}
	for _, e := range c.Emails {
		add(e)
	}
	for _, s := range c.Schools {
		add(s)
	}
	add(c.Refuge)
	add(c.Workplace)
	add(c.GP)
	return out
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func normalise(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '@' || r == '.' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Child is a child linked to a victim-survivor and, where he is their
// parent or lives with them, a perpetrator case. The child's school
// belongs to the compartment, never here.
type Child struct {
	ID              int64
	VictimCaseID    int64
	PerpetratorCase int64 // 0 when not linked to a perpetrator case
	GivenName       string
	DateOfBirth     drive.Date
	Relationship    string // "both", "victim", "perpetrator": whose child
	SocialCare      string // SocialCareStatuses codes
}

// SocialCareStatuses are children's social care statuses, in order of
// involvement.
func SocialCareStatuses() []string {
	return []string{"none", "early_help", "child_in_need", "child_protection", "looked_after", "not_known"}
}

// Validate checks a child. Errors: EINVALID.
func (ch *Child) Validate(today drive.Date) error {
	f := map[string]string{}
	ch.GivenName = tidy(ch.GivenName)
	if ch.GivenName == "" || len(ch.GivenName) > 100 {
		f["child_name"] = "Enter the child's first name"
	}
	if ch.DateOfBirth.IsZero() || ch.DateOfBirth.After(today) || ch.DateOfBirth.AgeOn(today) > 25 {
		f["child_dob"] = "Enter the child's date of birth"
	}
	switch ch.Relationship {
	case "both", "victim", "perpetrator":
	default:
		f["child_relationship"] = "Say whose child this is"
	}
	ok := false
	for _, s := range SocialCareStatuses() {
		ok = ok || s == ch.SocialCare
	}
	if !ok {
		f["child_social_care"] = "Choose the children's social care status"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the child's details", f)
	}
	return nil
}

// RiskFacts is what the perpetrator's case manager may know about a linked
// victim-survivor: risk, never location or contact (ARCHITECTURE.md §2).
// It is built field by field from risk information; nothing from the
// compartment can reach it.
type RiskFacts struct {
	VictimLabel          string // "Victim-survivor 1": never her name
	Relationship         Relationship
	LivingTogether       bool
	DASHScore            int // -1 when none recorded
	DASHBand             string
	ProfessionalJudgment bool
	Behaviours           []string // behaviour types reported at the latest assessment
	ChildrenAges         []int
	MARACDates           []drive.Date
	IDVAAllocated        bool
}
