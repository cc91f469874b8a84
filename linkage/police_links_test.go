package linkage

import (
	"testing"

	"github.com/drive-platform/drive"
)

func TestWeighPoliceLinks(t *testing.T) {
	dob := drive.MustDate("1985-03-14")
	drivePerson := Who{Names: []Name{{"William", "Hartley"}, ParseAlias("Billy Hart")}, DOB: dob, Postcodes: []string{"LS6 2AB"}}
	tests := []struct {
		name string
		m    Who
		want LinkStatus
	}{
		{"exact name and date", Who{Names: []Name{{"William", "Hartley"}}, DOB: dob}, Linked},
		{"short form, date and postcode", Who{Names: []Name{{"Bill", "Hartley"}}, DOB: dob, Postcodes: []string{"ls62ab"}}, Linked},
		{"date with a typo, name and postcode", Who{Names: []Name{{"William", "Hartley"}}, DOB: drive.MustDate("1985-03-15"), Postcodes: []string{"LS6 2AB"}}, Linked},
		{"date with a typo and name, no address", Who{Names: []Name{{"William", "Hartley"}}, DOB: drive.MustDate("1985-08-14")}, Suggested},
		{"name alone", Who{Names: []Name{{"William", "Hartley"}}}, Suggested},
		{"other name and date", Who{Names: []Name{{"Billy", "Hart"}}, DOB: dob}, Linked},
		{"misspelt family name and date", Who{Names: []Name{{"William", "Hartly"}}, DOB: dob}, Linked},
		{"short form and date, no address", Who{Names: []Name{{"Bill", "Hartley"}}, DOB: dob}, Linked},
		{"initial and family name only", Who{Names: []Name{{"W", "Hartley"}}}, ""},
		{"name but another date", Who{Names: []Name{{"William", "Hartley"}}, DOB: drive.MustDate("1990-11-02")}, ""},
		{"another man with the same date", Who{Names: []Name{{"Kevin", "Osei"}}, DOB: dob}, ""},
		{"same family, other given name", Who{Names: []Name{{"Marcus", "Hartley"}}, DOB: drive.MustDate("1987-06-01")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, ev := Weigh(drivePerson, tt.m)
			if got := StatusOf(w); got != tt.want {
				t.Errorf("weight %.1f (%v) is %q, want %q", w, ev, got, tt.want)
			}
		})
	}
}

func TestDayMonthSwapIsATypo(t *testing.T) {
	if !dobTypoOf(drive.MustDate("1985-04-03"), drive.MustDate("1985-03-04")) {
		t.Error("a swapped day and month is a keying slip")
	}
	if dobTypoOf(drive.MustDate("1985-04-03"), drive.MustDate("1986-05-03")) {
		t.Error("two digits apart is not one slip")
	}
}

func TestIndexMatch(t *testing.T) {
	dob := drive.MustDate("1979-12-01")
	ix := NewIndex([]Mention{
		{Person: 7, Who: Who{Names: []Name{{"Darren", "Cole"}}, DOB: dob, Postcodes: []string{"M14 5QT"}}},
		{Person: 7, Who: Who{Names: []Name{{"Daz", "Cole"}}}},
		{Person: 9, Who: Who{Names: []Name{{"Darren", "Coles"}}, DOB: drive.MustDate("1979-12-07")}},
		{Person: 10, Who: Who{Names: []Name{{"Darren", "Coles"}}}}, // a close name alone is not enough
		{Person: 11, Who: Who{Names: []Name{{"Paul", "Briggs"}}, DOB: dob}},
	})
	got := ix.Match(Who{Names: []Name{{"Darren", "Cole"}}, DOB: dob})
	if len(got) != 2 || got[0].Person != 7 || got[0].Status != Linked || got[1].Person != 9 || got[1].Status != Suggested {
		t.Fatalf("got %+v, want 7 linked then 9 suggested", got)
	}
	for _, f := range got {
		for _, e := range f.Evidence {
			if e == "Darren" || e == "Cole" {
				t.Errorf("evidence names a value: %v", f.Evidence)
			}
		}
	}
	if got := ix.Match(Who{Names: []Name{{"Susan", "Park"}}}); len(got) != 0 {
		t.Errorf("a stranger matched %+v", got)
	}
}
