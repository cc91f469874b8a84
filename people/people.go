// Package people holds the person record: a real individual as known to
// the service (a perpetrator, a victim-survivor or a child), with names,
// date of birth, equality fields and agency references. Records that turn
// out to be the same individual are merged, reversibly.
package people

import (
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/drive-platform/drive"
)

// Equality field values shared by every question: a person may decline to
// say, or the service may not know.
const (
	PreferNotToSay = "prefer_not_to_say"
	NotKnown       = "not_known"
)

// Option is a coded answer with its label.
type Option struct {
	Code  string
	Label string
}

// Genders, Ethnicities (the 2021 census groups), sexual orientations and
// disability answers, each ending with "prefer not to say" and "not known".
func Genders() []Option {
	return withUnknown([]Option{{"female", "Female"}, {"male", "Male"}, {"non_binary", "Non-binary"}, {"other", "Another gender"}})
}

// Ethnicities returns the ethnic groups of the 2021 census of England and Wales.
func Ethnicities() []Option {
	return withUnknown([]Option{
		{"asian", "Asian or Asian British"}, {"black", "Black, Black British, Caribbean or African"},
		{"mixed", "Mixed or multiple ethnic groups"}, {"white", "White"}, {"other", "Another ethnic group"},
	})
}

// SexualOrientations returns the sexual orientation answers.
func SexualOrientations() []Option {
	return withUnknown([]Option{{"heterosexual", "Heterosexual or straight"}, {"gay_lesbian", "Gay or lesbian"}, {"bisexual", "Bisexual"}, {"other", "Another sexual orientation"}})
}

// Disabilities returns the disability answers.
func Disabilities() []Option {
	return withUnknown([]Option{{"yes", "Yes"}, {"no", "No"}})
}

func withUnknown(o []Option) []Option {
	return append(o, Option{PreferNotToSay, "Prefer not to say"}, Option{NotKnown, "Not known"})
}

func valid(code string, opts []Option) bool {
	for _, o := range opts {
		if o.Code == code {
			return true
		}
	}
	return false
}

// Label returns the label of code among opts.
func Label(code string, opts []Option) string {
	for _, o := range opts {
		if o.Code == code {
			return o.Label
		}
	}
	return code
}

// Address is a perpetrator's address over a period. A victim-survivor's
// addresses are never held here: they live in the protected compartment.
type Address struct {
	Line1    string
	Town     string
	Postcode string
	From     drive.Date
	To       drive.Date // zero: current
}

// Person is an individual known to the service.
type Person struct {
	ID                int64
	SiteID            int64
	GivenName         string
	FamilyName        string
	Aliases           []string
	DateOfBirth       drive.Date
	Gender            string
	Ethnicity         string
	SexualOrientation string
	Disability        string
	PoliceRef         string
	SocialCareRef     string
	ProbationRef      string
	Addresses         []Address
	// MergedInto is the person this record was merged into; 0 if it
	// stands on its own. Merged records stay, so a merge can be undone.
	MergedInto int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Name is the person's full name.
func (p *Person) Name() string { return strings.TrimSpace(p.GivenName + " " + p.FamilyName) }

var postcode = regexp.MustCompile(`^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$`)

// Validate checks the record, tidying spaces and codes. today is the
// current date, so a birth date cannot be in the future. Errors: EINVALID
// with a message per field.
func (p *Person) Validate(today drive.Date) error {
	f := map[string]string{}
	p.GivenName, p.FamilyName = tidy(p.GivenName), tidy(p.FamilyName)
	if p.GivenName == "" || len(p.GivenName) > 100 {
		f["given_name"] = "Enter the person's first name"
	}
	if p.FamilyName == "" || len(p.FamilyName) > 100 {
		f["family_name"] = "Enter the person's last name"
	}
	var aliases []string
	for _, a := range p.Aliases {
		if a = tidy(a); a != "" {
			aliases = append(aliases, a)
		}
	}
	p.Aliases = aliases
	if len(p.Aliases) > 20 {
		f["aliases"] = "Enter at most 20 other names"
	}
	if !p.DateOfBirth.IsZero() {
		if p.DateOfBirth.After(today) {
			f["date_of_birth"] = "Date of birth must be in the past"
		} else if p.DateOfBirth.AgeOn(today) > 120 {
			f["date_of_birth"] = "Check the date of birth: it makes the person over 120"
		}
	}
	for field, v := range map[string]*string{"gender": &p.Gender, "ethnicity": &p.Ethnicity, "sexual_orientation": &p.SexualOrientation, "disability": &p.Disability} {
		if *v == "" {
			*v = NotKnown
		}
		opts := map[string][]Option{"gender": Genders(), "ethnicity": Ethnicities(), "sexual_orientation": SexualOrientations(), "disability": Disabilities()}[field]
		if !valid(*v, opts) {
			f[field] = "Choose one of the answers"
		}
	}
	for _, ref := range []*string{&p.PoliceRef, &p.SocialCareRef, &p.ProbationRef} {
		*ref = strings.ToUpper(strings.TrimSpace(*ref))
		if len(*ref) > 40 {
			f["references"] = "Agency reference numbers are at most 40 characters"
		}
	}
	for i := range p.Addresses {
		a := &p.Addresses[i]
		a.Line1, a.Town = tidy(a.Line1), tidy(a.Town)
		a.Postcode = strings.ToUpper(tidy(a.Postcode))
		if a.Line1 == "" && a.Postcode == "" {
			f["addresses"] = "Each address needs at least a first line or a postcode"
		}
		if a.Postcode != "" && !postcode.MatchString(a.Postcode) {
			f["addresses"] = "Enter a real postcode, such as LS1 4AP"
		}
		if !a.To.IsZero() && !a.From.IsZero() && a.To.Before(a.From) {
			f["addresses"] = "An address cannot end before it starts: a new address must start after the current one"
		}
		if a.From.After(today) {
			f["addresses"] = "An address cannot start in the future"
		}
	}
	if len(f) > 0 {
		return drive.Invalid("Check the person's details", f)
	}
	return nil
}

func tidy(s string) string { return strings.Join(strings.Fields(s), " ") }

// Normalise folds a name for comparison: lower case, letters only.
func Normalise(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
