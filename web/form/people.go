package form

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/people"
)

// Merge is the form on a person's page that folds a duplicate record
// into the one shown.
type Merge struct {
	KeepID, Duplicate int64
	bad               bool
}

// NewMerge reads the merge form posted from the page of person keep.
func NewMerge(keep int64, v url.Values) *Merge {
	f := &Merge{KeepID: keep}
	n, err := strconv.ParseInt(strings.TrimSpace(v.Get("duplicate")), 10, 64)
	f.Duplicate, f.bad = n, err != nil || n == keep
	return f
}

// Validate refuses a duplicate that is not a record number, or is the
// record shown. The form has one field, so the message is the whole
// answer.
func (f *Merge) Validate() error {
	if f.bad {
		return drive.Invalid("Enter the number of the duplicate person record to fold into this one", nil)
	}
	return nil
}

// Person is the form that changes a person's details, and may add the
// address he now lives at.
type Person struct {
	GivenName, FamilyName         string
	Aliases                       []string
	DateOfBirth                   drive.Date
	Gender, Ethnicity             string
	SexualOrientation, Disability string
	PoliceRef                     string
	SocialCareRef, ProbationRef   string
	// NewAddress is the address he moved to, or nil when the form's
	// address fields were left blank.
	NewAddress *people.Address
	errs       Errors
}

// NewPerson reads the person form. The new address counts as given when
// its first line or its postcode is.
func NewPerson(v url.Values) *Person {
	f := &Person{GivenName: v.Get("given_name"), FamilyName: v.Get("family_name"), Aliases: lines(v.Get("aliases")),
		Gender: v.Get("gender"), Ethnicity: v.Get("ethnicity"),
		SexualOrientation: v.Get("sexual_orientation"), Disability: v.Get("disability"),
		PoliceRef: v.Get("police_ref"), SocialCareRef: v.Get("social_care_ref"), ProbationRef: v.Get("probation_ref"),
		errs: Errors{}}
	f.DateOfBirth = date(v, "date_of_birth", "Enter a real date of birth, for example 11 2 1984", f.errs)
	line, pc := strings.TrimSpace(v.Get("address_line1")), strings.TrimSpace(v.Get("address_postcode"))
	if line != "" || pc != "" {
		from, err := drive.ParseDate(v.Get("address_from"))
		if err != nil {
			// The date sits in the address group, whose id is addresses.
			f.errs["addresses"] = "Enter the date the person started living at the new address, for example 1 10 2026"
		}
		f.NewAddress = &people.Address{Line1: line, Town: v.Get("address_town"), Postcode: pc, From: from}
	}
	return f
}

// Validate reports a date of birth or a moving-in date that cannot be
// read. It is checked before anything is stored, so a bad date changes
// nothing.
func (f *Person) Validate() error { return f.errs.Err("Check the person's details") }

// Apply changes p as the form says. A new address becomes the current
// one: the address before it ends the day before. (The domain refuses a
// new address that starts before the current one.)
func (f *Person) Apply(p *people.Person) {
	p.GivenName, p.FamilyName = f.GivenName, f.FamilyName
	p.Aliases = f.Aliases
	p.Gender, p.Ethnicity = f.Gender, f.Ethnicity
	p.SexualOrientation, p.Disability = f.SexualOrientation, f.Disability
	p.PoliceRef, p.SocialCareRef, p.ProbationRef = f.PoliceRef, f.SocialCareRef, f.ProbationRef
	p.DateOfBirth = f.DateOfBirth
	if f.NewAddress == nil {
		return
	}
	for i := range p.Addresses {
		if p.Addresses[i].To.IsZero() {
			p.Addresses[i].To = f.NewAddress.From.AddDays(-1)
		}
	}
	p.Addresses = append(p.Addresses, *f.NewAddress)
}
