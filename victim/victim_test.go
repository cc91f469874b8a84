package victim

import (
	"testing"

	"github.com/drive-platform/drive"
)

func TestCompartmentValidate(t *testing.T) {
	c := Compartment{
		Addresses: []Address{{Line1: " 14  Acacia Road ", Postcode: "nm1 3qt", Current: true}},
		Phones:    []string{"07700 900123", " "},
		Emails:    []string{"sam@example.org"},
		Schools:   []string{"Brook Lane Primary"},
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Addresses[0].Line1 != "14 Acacia Road" || c.Addresses[0].Postcode != "NM1 3QT" || len(c.Phones) != 1 {
		t.Fatalf("not tidied: %+v", c)
	}
	for name, bad := range map[string]Compartment{
		"postcode": {Addresses: []Address{{Line1: "x", Postcode: "12345"}}},
		"empty":    {Addresses: []Address{{Town: "Northmoor"}}},
		"phone":    {Phones: []string{"call me"}},
		"email":    {Emails: []string{"not-an-email"}},
	} {
		err := bad.Validate()
		if drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: err %v; want invalid", name, err)
		}
	}
}

func TestLeaks(t *testing.T) {
	c := []Compartment{{
		Addresses: []Address{{Line1: "14 Acacia Road", Postcode: "NM1 3QT"}},
		Phones:    []string{"07700 900123"},
		Emails:    []string{"sam@example.org"},
		Schools:   []string{"Brook Lane Primary"},
		Refuge:    "Harbour House",
	}}
	for text, want := range map[string]bool{
		"She has moved to 14 acacia road.":                 true,
		"New postcode nm13qt apparently":                   true,
		"Her number is 077009 00123":                       true,
		"Call +44 (0) 7700 900123 later":                   true,
		"Call +44 7700 900123 later":                       true,
		"Reference 1234567 on the police log":              false,
		"email SAM@example.org":                            true,
		"Kids now at brook lane primary":                   true,
		"Staying at Harbour House for now":                 true,
		"Disruption: bail conditions reviewed with police": false,
		"Road safety course booked":                        false,
	} {
		got := len(Leaks(text, c)) > 0
		if got != want {
			t.Errorf("%q: leak=%v; want %v", text, got, want)
		}
	}
}
