package form

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/people"
)

func TestMerge(t *testing.T) {
	const message = "Enter the number of the duplicate person record to fold into this one"
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"12", 12, true},
		{"  12 ", 12, true},
		{"", 0, false},
		{"#12", 0, false},
		{"twelve", 0, false},
		{"7", 7, false}, // the record shown cannot be its own duplicate
		{"99999999999999999999", 0, false},
	} {
		f := NewMerge(7, url.Values{"duplicate": {c.in}})
		err := f.Validate()
		if c.ok {
			if err != nil || f.Duplicate != c.want || f.KeepID != 7 {
				t.Errorf("%q: %+v, %v", c.in, f, err)
			}
			continue
		}
		// The form has one field: the message is the answer, with no
		// field of its own.
		if err == nil || len(fieldsOf(t, err)) != 0 || summary(err) != message {
			t.Errorf("%q: %v", c.in, err)
		}
	}
}

func person(changes url.Values) url.Values {
	v := url.Values{"given_name": {"Darren"}, "family_name": {"Hollis"}, "aliases": {"Daz\n\nD Hollis"},
		"date_of_birth": {"11/02/1984"}, "gender": {"male"}, "ethnicity": {"white_british"},
		"sexual_orientation": {"heterosexual"}, "disability": {"none"}, "police_ref": {"P1"},
		"social_care_ref": {"S1"}, "probation_ref": {"R1"}}
	for k, vs := range changes {
		v[k] = vs
	}
	return v
}

func TestPerson(t *testing.T) {
	f := NewPerson(person(nil))
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	if f.NewAddress != nil {
		t.Errorf("address %+v from a form without one", f.NewAddress)
	}
	old := people.Address{Line1: "1 Old Road", Postcode: "AB1 2CD", From: drive.MustDate("2020-01-01")}
	p := &people.Person{ID: 5, GivenName: "D", Addresses: []people.Address{old}}
	f.Apply(p)
	want := &people.Person{ID: 5, GivenName: "Darren", FamilyName: "Hollis", Aliases: []string{"Daz", "D Hollis"},
		DateOfBirth: drive.MustDate("1984-02-11"), Gender: "male", Ethnicity: "white_british", SexualOrientation: "heterosexual",
		Disability: "none", PoliceRef: "P1", SocialCareRef: "S1", ProbationRef: "R1", Addresses: []people.Address{old}}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("person %+v, want %+v", p, want)
	}
}

func TestPersonNewAddress(t *testing.T) {
	ended := people.Address{Line1: "1 First Road", From: drive.MustDate("2018-01-01"), To: drive.MustDate("2019-12-31")}
	current := people.Address{Line1: "1 Old Road", From: drive.MustDate("2020-01-01")}
	for _, c := range []struct {
		name string
		in   url.Values
		want people.Address
	}{
		{"first line", url.Values{"address_line1": {" 2 New Street "}, "address_town": {"Leeds"}, "address_from": {"2026-10-01"}},
			people.Address{Line1: "2 New Street", Town: "Leeds", From: drive.MustDate("2026-10-01")}},
		{"postcode alone", url.Values{"address_postcode": {" LS1 1AA "}, "address_from": {"01/10/2026"}},
			people.Address{Postcode: "LS1 1AA", From: drive.MustDate("2026-10-01")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := NewPerson(person(c.in))
			if err := f.Validate(); err != nil {
				t.Fatal(err)
			}
			p := &people.Person{Addresses: []people.Address{ended, current}}
			f.Apply(p)
			// The current address ends the day before the new one starts;
			// one already ended is left alone.
			closed := current
			closed.To = drive.MustDate("2026-09-30")
			want := []people.Address{ended, closed, c.want}
			if !reflect.DeepEqual(p.Addresses, want) {
				t.Errorf("addresses %+v, want %+v", p.Addresses, want)
			}
		})
	}
	// A town alone is not a new address.
	if f := NewPerson(person(url.Values{"address_town": {"Leeds"}})); f.NewAddress != nil || f.Validate() != nil {
		t.Errorf("town alone: %+v", f.NewAddress)
	}
}

func TestPersonErrors(t *testing.T) {
	const moved = "Enter the date the person started living at the new address, for example 1 10 2026"
	for _, c := range []struct {
		name string
		in   url.Values
		want map[string]string
	}{
		{"date of birth", url.Values{"date_of_birth": {"1984-02-30"}}, map[string]string{"date_of_birth": "Enter a real date of birth, for example 11 2 1984"}},
		{"blank date of birth", url.Values{"date_of_birth": {" "}}, nil},
		{"address without a date", url.Values{"address_line1": {"2 New Street"}}, map[string]string{"addresses": moved}},
		{"address with a bad date", url.Values{"address_postcode": {"LS1 1AA"}, "address_from": {"October"}}, map[string]string{"addresses": moved}},
		{"both", url.Values{"date_of_birth": {"x"}, "address_line1": {"2 New Street"}},
			map[string]string{"date_of_birth": "Enter a real date of birth, for example 11 2 1984", "addresses": moved}},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := NewPerson(person(c.in)).Validate()
			wantFields(t, err, c.want)
			if err != nil && summary(err) != "Check the person's details" {
				t.Errorf("summary %q", summary(err))
			}
		})
	}
}
