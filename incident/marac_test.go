package incident

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

const maracHeader = "ref,heard_on,victim_given,victim_family,victim_dob,perpetrator_given,perpetrator_family,perpetrator_dob,perpetrator_postcode\n"

func TestReadMARAC(t *testing.T) {
	in := maracHeader +
		"M-101,2026-03-12,Sam,Example,1990-05-01,Darren,Hollis,1984-02-11,nm4 2xy\n" +
		" M-101 , 04/09/2026 ,Sam,Example,,Daz,Hollis,,\n" +
		"M-102,20261001,,,,,Doyle,1979-12-31T00:00:00Z,\n"
	hs, errs, err := ReadMARAC(strings.NewReader(in), DefaultMARACMapping(), today)
	if err != nil || len(errs) != 0 {
		t.Fatalf("read: %v %v", err, errs)
	}
	want := []Hearing{
		{Ref: "M-101", HeardOn: drive.MustDate("2026-03-12"),
			Victim:      Person{GivenName: "Sam", FamilyName: "Example", DOB: drive.MustDate("1990-05-01")},
			Perpetrator: Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11"), Postcode: "NM4 2XY"}},
		{Ref: "M-101", HeardOn: drive.MustDate("2026-09-04"),
			Victim:      Person{GivenName: "Sam", FamilyName: "Example"},
			Perpetrator: Person{GivenName: "Daz", FamilyName: "Hollis"}},
		{Ref: "M-102", HeardOn: drive.MustDate("2026-10-01"),
			Perpetrator: Person{FamilyName: "Doyle", DOB: drive.MustDate("1979-12-31")}},
	}
	if !reflect.DeepEqual(hs, want) {
		t.Fatalf("hearings:\n%+v\nwant\n%+v", hs, want)
	}
}

// TestReadMARACReportsEveryRow checks each problem is reported on its line
// and column, and good rows are not.
func TestReadMARACReportsEveryRow(t *testing.T) {
	in := maracHeader +
		",2026-01-02,Sam,Example,,Darren,Hollis,,\n" + // 2: no reference
		"M-2,,Sam,Example,,Darren,Hollis,,\n" + // 3: no date
		"M-3,2027-01-01,Sam,Example,,Darren,,,\n" + // 4: future date, no family name
		"M-4,31/02/2026,Sam,Example,yesterday,Darren,Hollis,2026-06-01,\n" + // 5: not a date, bad victim DOB
		"M-5,2026-01-02,Sam,Example,2026-01-03,Darren,Hollis,1980-13-01,\n" + // 6: DOB after the hearing, bad DOB
		"M-6,2026-01-02,Sam,Example,,Darren,Hollis,,\n" + // 7: good
		"M-6,2026-01-02,Sam,Example,,Darren,Hollis,,\n" + // 8: the same hearing twice
		"M-6,2026-05-02,Sam,Example,,Darren,Hollis,,\n" + // 9: good: a repeat hearing
		strings.Repeat("X", 65) + ",2026-01-02,Sam,Example,,Darren,Hollis,,\n" + // 10: reference too long
		"\"M-7,2026-01-02\n" // 11: not readable CSV
	_, errs, err := ReadMARAC(strings.NewReader(in), DefaultMARACMapping(), today)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][]string{
		2:  {"ref"},
		3:  {"heard_on"},
		4:  {"heard_on", "perpetrator_family"},
		5:  {"heard_on", "victim_dob"},
		6:  {"victim_dob", "perpetrator_dob"},
		8:  {"ref"},
		10: {"ref"},
		11: {"row"},
	}
	got := map[int][]string{}
	for _, e := range errs {
		got[e.Line] = append(got[e.Line], e.Field)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("errors by line = %v; want %v\n%v", got, want, errs)
	}
	for _, e := range errs {
		if e.Line == 8 && !strings.Contains(e.Message, "line 7") {
			t.Errorf("a repeated hearing does not name the first line: %v", e)
		}
		if e.Line == 5 && e.Field == "heard_on" && !strings.Contains(e.Message, "YYYY-MM-DD") {
			t.Errorf("a bad date does not say what to write: %v", e)
		}
	}
}

// TestReadMARACNeverKeepsVictimAddress checks address columns are not
// read, whatever they are called, and a mapping cannot ask for one.
func TestReadMARACNeverKeepsVictimAddress(t *testing.T) {
	in := "ref,heard_on,victim_given,victim_family,victim_postcode,victim_address,perpetrator_given,perpetrator_family,perpetrator_postcode\n" +
		"M-1,2026-01-02,Sam,Example,NM1 1AA,1 Secret Road,Darren,Hollis,nm4 2xy\n"
	hs, errs, err := ReadMARAC(strings.NewReader(in), DefaultMARACMapping(), today)
	if err != nil || len(errs) != 0 || len(hs) != 1 {
		t.Fatalf("read: %v %v %d", err, errs, len(hs))
	}
	if hs[0].Victim.Postcode != "" || hs[0].Perpetrator.Postcode != "NM4 2XY" {
		t.Fatalf("postcodes: victim %q, perpetrator %q", hs[0].Victim.Postcode, hs[0].Perpetrator.Postcode)
	}
	if strings.Contains(strings.ToUpper(strings.Join([]string{hs[0].Victim.GivenName, hs[0].Victim.FamilyName, hs[0].Ref}, " ")), "SECRET") {
		t.Fatalf("the victim's address was read: %+v", hs[0])
	}
	for _, field := range []string{"victim_address", "victim_postcode"} {
		if _, err := ParseMARACMapping([]byte(`{"` + field + `":"Address"}`)); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("a mapping for %s: %v", field, err)
		}
	}
}

func TestMARACMapping(t *testing.T) {
	m, err := ParseMARACMapping([]byte(`{"ref":"MARAC No","heard_on":" Date of MARAC ","victim_given":"V Forename","victim_family":"V Surname",
		"perpetrator_given":"P Forename","perpetrator_family":"P Surname"}`))
	if err != nil {
		t.Fatal(err)
	}
	in := "\ufeffMARAC No, Date of MARAC ,V Forename,V Surname,P Forename,P Surname\nM-9,2026-05-05,Jo,Second,Kev,Doyle\n"
	hs, errs, err := ReadMARAC(strings.NewReader(in), m, today)
	if err != nil || len(errs) != 0 || len(hs) != 1 || hs[0].Perpetrator.FamilyName != "Doyle" || hs[0].Victim.GivenName != "Jo" {
		t.Fatalf("mapped read: %v %v %+v", err, errs, hs)
	}
	// Row errors name the file's own column.
	_, errs, err = ReadMARAC(strings.NewReader("MARAC No,Date of MARAC,V Forename,V Surname,P Forename,P Surname\nM-9,,Jo,Second,Kev,Doyle\n"), m, today)
	if err != nil || len(errs) != 1 || errs[0].Field != "Date of MARAC" || errs[0].String() != "line 2, Date of MARAC: give the date the case was heard at MARAC" {
		t.Fatalf("mapped errors: %v %v", err, errs)
	}
	for _, bad := range []string{`{"colour":"x"}`, `{"ref":" "}`, `[]`, `{"date":"Date"}`} {
		if _, err := ParseMARACMapping([]byte(bad)); drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("mapping %s: %v", bad, err)
		}
	}
	// The incident mapping's fields are not a MARAC list's.
	if _, err := ParseMapping([]byte(`{"heard_on":"Date"}`)); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("heard_on accepted in an incident mapping: %v", err)
	}
}

func TestReadMARACFileErrors(t *testing.T) {
	for name, tc := range map[string]struct{ in, says string }{
		"empty":          {"", "at least one case heard"},
		"header only":    {maracHeader, "no cases heard"},
		"missing column": {"ref,heard_on,victim_given,victim_family,perpetrator_given\nM-1,2026-01-01,A,B,C\n", `"perpetrator_family"`},
		"not a CSV":      {"ref,\"heard_on\n", "not a readable CSV"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := ReadMARAC(strings.NewReader(tc.in), DefaultMARACMapping(), today)
			if drive.ErrorCode(err) != drive.EINVALID || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error = %v; want EINVALID saying %q", err, tc.says)
			}
		})
	}
	_, _, err := ReadMARAC(strings.NewReader("a,b\n1,2\n"), DefaultMARACMapping(), today)
	if !strings.Contains(err.Error(), "--mapping") {
		t.Fatalf("a missing column does not say how to map it: %v", err)
	}
}

// TestMARACDocExample checks the example list and mapping in
// docs/incidents.md read as the page says, and its table of columns names
// every field.
func TestMARACDocExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "incidents.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "## MARAC lists\n")
	if !ok {
		t.Fatal("docs/incidents.md has no MARAC lists section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var example []string
	for _, line := range strings.Split(section, "\n") {
		if strings.HasPrefix(line, "    ") && !strings.HasPrefix(line, "    drive ") {
			example = append(example, strings.TrimPrefix(line, "    "))
		}
	}
	hs, errs, err := ReadMARAC(strings.NewReader(strings.Join(example, "\n")), DefaultMARACMapping(), today)
	if err != nil || len(errs) != 0 || len(hs) != 3 || hs[0].Ref != hs[1].Ref {
		t.Fatalf("the documented example: %v %v %+v", err, errs, hs)
	}
	mapping := regexp.MustCompile("`(\\{\"ref\"[^`]*)`").FindStringSubmatch(section)
	if mapping == nil {
		t.Fatal("no example mapping in the MARAC lists section")
	}
	if _, err := ParseMARACMapping([]byte(mapping[1])); err != nil {
		t.Fatalf("the documented mapping %s: %v", mapping[1], err)
	}
	for _, f := range MARACFields() {
		if !strings.Contains(section, "`"+f+"`") {
			t.Errorf("the MARAC lists section does not describe %s", f)
		}
	}
}
