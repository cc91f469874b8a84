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

func TestReveals(t *testing.T) {
	her := Sought{VictimCaseID: 7, GivenName: "Sam", FamilyName: "Okafor", Compartment: Compartment{
		Addresses:   []Address{{Line1: "Flat 2, 14 Acacia Road", Line2: "Riverside Court", Town: "Northmoor", Postcode: "NM1 3QT"}},
		Phones:      []string{"07700 900123"},
		Emails:      []string{"sam@example.org"},
		Schools:     []string{"Brook Lane Primary"},
		Refuge:      "Harbour House",
		SafeContact: "Text her sister's mobile after six; never the landline",
	}, SafetyPlan: "If he comes to the door she goes to the neighbour at number 16 and rings 999 with the code word bluebell."}
	other := Sought{VictimCaseID: 9, GivenName: "Jo", FamilyName: "Price"}
	for text, want := range map[string]bool{
		"She has moved to 14 acacia road.":                      true,
		"New postcode nm13qt apparently":                        true,
		"Her number is 077009 00123":                            true,
		"Call +44 (0) 7700 900123 later":                        true,
		"Call +44 7700 900123 later":                            true,
		"email SAM@example.org":                                 true,
		"Kids now at brook lane primary":                        true,
		"Staying at Harbour House for now":                      true,
		"He said she is somewhere on Acacia Road":               true, // the street without its number
		"drove past acacia rd twice":                            true, // abbreviated
		"flat in Riverside Court, he thinks":                    true, // the second line
		"somewhere off Acacia in Northmoor":                     true, // the street's name with her town
		"says he'll text her sister's mobile after six tonight": true, // her safe-contact wording
		"she goes to the neighbour at number 16 if he calls":    true, // her safety plan
		"He keeps talking about Sam Okafor":                     true, // her name
		"Okafor, Sam was mentioned at the hearing":              true,
		"Reference 1234567 on the police log":                   false,
		"Disruption: bail conditions reviewed with police":      false,
		"Road safety course booked":                             false,
		"Lives near Acacia Close in another town":               false, // another street
		"Attended Northmoor magistrates court":                  false, // her town alone
		"She will call the police if he comes round":            false, // everyday words
		"Sam from probation joined the call":                    false, // a given name alone
		"Her number is 07700 900124":                            false,
		"postcode NM1 3QU":                                      false,
		"Harbour Home is a hostel for men":                      false,
	} {
		got := Reveals(text, []Sought{other, her})
		if (len(got) == 1 && got[0] == 7) != want || len(got) > 1 {
			t.Errorf("%q: reveals %v; want her: %v", text, got, want)
		}
	}
	if got := Reveals("Jo Price called", []Sought{other, her}); len(got) != 1 || got[0] != 9 {
		t.Errorf("the other victim-survivor's name: %v", got)
	}
}

func TestHeldSet(t *testing.T) {
	set := NewHeldSet([]HeldText{
		{RecordType: HeldNote, RecordID: 1, VictimCaseID: 7, AuthorID: 10, Status: Withheld},
		{RecordType: HeldNote, RecordID: 2, VictimCaseID: 7, AuthorID: 10, Status: Released},
		{RecordType: HeldNote, RecordID: 3, VictimCaseID: 7, AuthorID: 10, Status: Released},
		{RecordType: HeldNote, RecordID: 3, VictimCaseID: 9, AuthorID: 10, Status: Kept},
	})
	for _, c := range []struct {
		id, reader int64
		want       bool
	}{{1, 10, false}, {1, 11, true}, {2, 11, false}, {3, 11, true}, {3, 10, false}, {4, 11, false}} {
		if got := set.Hidden(HeldNote, c.id, c.reader); got != c.want {
			t.Errorf("note %d for user %d: hidden %v; want %v", c.id, c.reader, got, c.want)
		}
	}
	if set.Hidden(HeldContact, 1, 11) {
		t.Error("a hold on a note hides a contact with the same id")
	}
}
