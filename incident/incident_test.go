package incident

import (
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/tabular"
)

var today = drive.MustDate("2026-11-23")

func TestRead(t *testing.T) {
	in := "ref,date,type,crime,suspect_given,suspect_family,suspect_dob,suspect_postcode,victim_given,victim_family,victim_dob\n" +
		"NM-1,2026-01-02,ABH,yes,Darren,Hollis,1984-02-11,nm4 2xy,Sam,Example,1990-05-01\n" +
		"NM-2,03/02/2026 ,non-crime domestic,no,Daz,Hollis,,,Jo,Other,\n"
	recs, errs, err := Read(strings.NewReader(in), DefaultMapping(), today)
	if err != nil || len(errs) != 0 || len(recs) != 2 {
		t.Fatalf("read: %v %v %d", err, errs, len(recs))
	}
	if recs[0].Type != "abh" || !recs[0].Crime || recs[0].Suspect.Postcode != "NM4 2XY" || recs[0].Victim.Age != 35 {
		t.Fatalf("record = %+v", recs[0])
	}
	if recs[1].On != drive.MustDate("2026-02-03") || recs[1].Crime {
		t.Fatalf("record = %+v", recs[1])
	}
}

func TestReadReportsEveryRow(t *testing.T) {
	in := "ref,date,type,crime,suspect_given,suspect_family\n" +
		",2026-01-02,ABH,yes,A,B\n" +
		"X,2027-01-01,ABH,maybe,A,B\n" +
		"Y,notadate,,no,,\n" +
		"Z,2026-01-01,ABH,no,A,B\n"
	_, errs, err := Read(strings.NewReader(in), DefaultMapping(), today)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int][]string{2: {"ref"}, 3: {"date", "crime"}, 4: {"date", "type", "suspect_family"}}
	for line, fields := range want {
		for _, f := range fields {
			found := false
			for _, e := range errs {
				found = found || (e.Line == line && e.Field == f)
			}
			if !found {
				t.Errorf("no error for line %d field %s in %v", line, f, errs)
			}
		}
	}
	for _, e := range errs {
		if e.Line == 5 {
			t.Errorf("a good row reported: %v", e)
		}
	}
}

func TestMapping(t *testing.T) {
	m, err := ParseMapping([]byte(`{"ref":"Incident Ref","date":"Occurred","type":"Offence","suspect_given":"Forename","suspect_family":"Surname"}`))
	if err != nil {
		t.Fatal(err)
	}
	in := "Incident Ref,Occurred,Offence,Forename,Surname\nR1,2026-05-05,Stalking,Kev,Doyle\n"
	recs, errs, err := Read(strings.NewReader(in), m, today)
	if err != nil || len(errs) != 0 || len(recs) != 1 || recs[0].Suspect.FamilyName != "Doyle" {
		t.Fatalf("mapped read: %v %v %+v", err, errs, recs)
	}
	if _, err := ParseMapping([]byte(`{"colour":"x"}`)); drive.ErrorCode(err) != drive.EINVALID {
		t.Fatalf("unknown field: %v", err)
	}
	if _, _, err := Read(strings.NewReader("a,b\n1,2\n"), DefaultMapping(), today); drive.ErrorCode(err) != drive.EINVALID || !strings.Contains(err.Error(), "--mapping") {
		t.Fatalf("missing column: %v", err)
	}
	if _, _, err := Read(strings.NewReader(""), DefaultMapping(), today); drive.ErrorCode(err) != drive.EINVALID {
		t.Fatalf("empty file: %v", err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add("ref,date,type,crime,suspect_given,suspect_family\nR,2026-01-01,abh,yes,A,B\n")
	f.Add("ref,date\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		recs, errs, err := Read(strings.NewReader(in), DefaultMapping(), today)
		if err == nil && len(recs) == 0 && len(errs) == 0 {
			t.Fatal("no records, no errors and no error")
		}
	})
}

func FuzzParseMapping(f *testing.F) {
	f.Add(`{"ref":"Ref"}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, in string) { _, _ = ParseMapping([]byte(in)) })
}

// TestReadRefusesBadText: a file saved as plain CSV from Excel
// (Windows-1252) is read with its accents; named as UTF-8 instead, its
// undecodable row is refused with its line; a NUL is refused row by row,
// rather than stored differently on each database engine.
func TestReadRefusesBadText(t *testing.T) {
	in := "ref,date,type,suspect_given,suspect_family\nR1,2026-01-01,abh,Jos\xe9,Hollis\nR2,2026-01-02,abh,A\x00,B\nR3,2026-01-03,abh,Ann,Other\n"
	recs, errs, info, err := ReadFile(strings.NewReader(in), DefaultMapping(), drive.MustDate("2026-11-23"), tabular.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if info.Encoding != tabular.Windows1252 || len(errs) != 1 || errs[0].Line != 3 || !strings.Contains(errs[0].Message, "NUL") {
		t.Fatalf("read as %+v, errors: %v", info, errs)
	}
	if len(recs) != 2 || recs[0].Suspect.GivenName != "José" || recs[1].Ref != "R3" {
		t.Fatalf("records: %+v", recs)
	}
	recs, errs, _, err = ReadFile(strings.NewReader(in), DefaultMapping(), drive.MustDate("2026-11-23"), tabular.Options{Encoding: "utf-8"})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 2 || errs[0].Line != 2 || !strings.Contains(errs[0].Message, "windows-1252") || errs[1].Line != 3 {
		t.Fatalf("named UTF-8: errors %v", errs)
	}
	if len(recs) != 1 || recs[0].Ref != "R3" {
		t.Fatalf("named UTF-8: records %+v", recs)
	}
}

// TestReadRefusesAMistypedCentury: a date of birth before 1900 is a typo
// (and year 0 is no date PostgreSQL will store), so the row is refused
// with a message that says to check the year, for suspect and victim.
func TestReadRefusesAMistypedCentury(t *testing.T) {
	in := "ref,date,type,crime,suspect_given,suspect_family,suspect_dob,victim_given,victim_family,victim_dob\n" +
		"A,2026-01-02,ABH,yes,Kev,Doyle,0000-03-30,Ann,Doyle,1990-01-01\n" +
		"B,2026-01-02,ABH,yes,Kev,Doyle,1985-03-30,Ann,Doyle,0190-01-01\n" +
		"C,2026-01-02,ABH,yes,Kev,Doyle,1900-01-01,Ann,Doyle,\n"
	_, errs, err := Read(strings.NewReader(in), DefaultMapping(), today)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range errs {
		got[strconv.Itoa(e.Line)+" "+e.Field] = true
		if !strings.Contains(e.Message, "before 1900") {
			t.Errorf("line %d %s: %q does not say what is wrong", e.Line, e.Field, e.Message)
		}
	}
	if len(errs) != 2 || !got["2 suspect_dob"] || !got["3 victim_dob"] {
		t.Errorf("errors %v; want line 2 suspect_dob and line 3 victim_dob only", errs)
	}
}

// TestReadFileChoosing: the mapping is the first whose columns the
// header has; a file with none names the standard header it lacks.
func TestReadFileChoosing(t *testing.T) {
	force, err := ParseMapping([]byte(`{"ref": "Incident Ref", "date": "Occurred", "type": "Offence", "suspect_given": "Forename", "suspect_family": "Surname"}`))
	if err != nil {
		t.Fatal(err)
	}
	marac := Mapping{}
	for k, v := range force {
		marac[k] = v
	}
	marac["type"] = "Category"
	cands := []NamedMapping{{Mapping: DefaultMapping()}, {Name: "MARAC coordinator list", Mapping: marac}, {Name: "Force X weekly extract", Mapping: force}}
	today := drive.MustDate("2026-11-23")
	recs, errs, info, err := ReadFileChoosing(strings.NewReader("Incident Ref;Occurred;Offence;Forename;Surname\nX1;2026-01-02;abh;Ann;Bee\n"), cands, today, tabular.Options{})
	if err != nil || len(errs) != 0 || len(recs) != 1 || info.Mapping != "Force X weekly extract" || info.Separator != tabular.Semicolon {
		t.Fatalf("force file: %v %v %+v %+v", err, errs, recs, info)
	}
	_, _, info, err = ReadFileChoosing(strings.NewReader("ref,date,type,suspect_given,suspect_family\nX1,2026-01-02,abh,Ann,Bee\n"), cands, today, tabular.Options{})
	if err != nil || info.Mapping != "" {
		t.Fatalf("standard file: %v, mapping %q", err, info.Mapping)
	}
	_, _, _, err = ReadFileChoosing(strings.NewReader("Ref,When\nX1,2026-01-02\n"), cands, today, tabular.Options{})
	if drive.ErrorCode(err) != drive.EINVALID || !strings.Contains(err.Error(), `"ref"`) {
		t.Fatalf("no mapping fits: %v", err)
	}
}
