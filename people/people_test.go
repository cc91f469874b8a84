package people

import (
	"testing"

	"github.com/drive-platform/drive"
)

func TestValidate(t *testing.T) {
	today := drive.MustDate("2026-06-01")
	ok := Person{GivenName: "  Darren ", FamilyName: "Hollis", DateOfBirth: drive.MustDate("1984-02-11"),
		Addresses: []Address{{Line1: "12 Mill Lane", Town: "Northmoor", Postcode: "nm4 2xy", From: drive.MustDate("2020-01-01")}}}
	if err := ok.Validate(today); err != nil {
		t.Fatal(err)
	}
	if ok.GivenName != "Darren" || ok.Gender != NotKnown || ok.Addresses[0].Postcode != "NM4 2XY" {
		t.Fatalf("not tidied: %+v", ok)
	}
	for name, tc := range map[string]struct {
		p     Person
		field string
	}{
		"no names":     {Person{}, "given_name"},
		"future birth": {Person{GivenName: "A", FamilyName: "B", DateOfBirth: drive.MustDate("2027-01-01")}, "date_of_birth"},
		"bad gender":   {Person{GivenName: "A", FamilyName: "B", Gender: "robot"}, "gender"},
		"bad postcode": {Person{GivenName: "A", FamilyName: "B", Addresses: []Address{{Line1: "x", Postcode: "12345"}}}, "addresses"},
		"backwards":    {Person{GivenName: "A", FamilyName: "B", Addresses: []Address{{Line1: "x", From: drive.MustDate("2020-01-01"), To: drive.MustDate("2019-01-01")}}}, "addresses"},
	} {
		err := tc.p.Validate(today)
		de, isDE := err.(*drive.Error)
		if !isDE || de.Fields[tc.field] == "" {
			t.Errorf("%s: err %v; want a %s field error", name, err, tc.field)
		}
	}
}

func TestDuplicates(t *testing.T) {
	existing := []*Person{
		{ID: 1, GivenName: "John", FamilyName: "Smith", DateOfBirth: drive.MustDate("1980-03-04")},
		{ID: 2, GivenName: "Jonathan", FamilyName: "Smyth", DateOfBirth: drive.MustDate("1980-04-03")},
		{ID: 3, GivenName: "Ahmed", FamilyName: "Khan", DateOfBirth: drive.MustDate("1990-01-01")},
		{ID: 4, GivenName: "John", FamilyName: "Smith", DateOfBirth: drive.MustDate("1980-03-04"), MergedInto: 1},
		{ID: 5, GivenName: "Kevin", FamilyName: "Doyle", PoliceRef: "NM/123"},
	}
	got := Duplicates(&Person{GivenName: "Jon", FamilyName: "Smith", DateOfBirth: drive.MustDate("1980-03-04")}, existing)
	if len(got) == 0 || got[0].Person.ID != 1 {
		t.Fatalf("candidates = %+v; want John Smith first", got)
	}
	for _, c := range got {
		if c.Person.ID == 3 || c.Person.ID == 4 {
			t.Errorf("unexpected candidate %d", c.Person.ID)
		}
	}
	if got := Duplicates(&Person{GivenName: "Kev", FamilyName: "Other", PoliceRef: "NM/123"}, existing); len(got) != 1 || got[0].Person.ID != 5 {
		t.Errorf("same police reference not found: %+v", got)
	}
	if got := Duplicates(&Person{GivenName: "Zara", FamilyName: "Quinn"}, existing); len(got) != 0 {
		t.Errorf("unrelated person matched: %+v", got)
	}
}
