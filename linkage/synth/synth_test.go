package synth

import (
	"bytes"
	"encoding/csv"
	"slices"
	"testing"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a := Generate(Config{Records: 2000, Seed: 3})
	b := Generate(Config{Records: 2000, Seed: 3})
	if !slices.Equal(a, b) {
		t.Error("the same seed gave different records")
	}
	c := Generate(Config{Records: 2000, Seed: 4})
	if slices.Equal(a, c) {
		t.Error("different seeds gave the same records")
	}
}

func TestGenerateShape(t *testing.T) {
	recs := Generate(Config{Records: 20_000, Seed: 1})
	if len(recs) != 20_000 {
		t.Fatalf("%d records, want 20000", len(recs))
	}
	ids := map[string]bool{}
	people := map[string]int{}
	var missingGiven, missingDOB, isoDates int
	for _, r := range recs {
		if ids[r.ID] {
			t.Fatalf("id %s repeated", r.ID)
		}
		ids[r.ID] = true
		people[r.PersonID]++
		if r.Given == "" {
			missingGiven++
		}
		if r.DOB == "" {
			missingDOB++
		}
		if len(r.DOB) == 10 && r.DOB[4] == '-' {
			isoDates++
		}
	}
	dups := 0
	for _, n := range people {
		if n > 1 {
			dups++
		}
	}
	// Most people have one record, many have several; some values are
	// missing; dates come in more than one format.
	if dups < len(people)/5 || dups > len(people)*3/4 {
		t.Errorf("%d of %d people have several records, want between a fifth and three quarters", dups, len(people))
	}
	if missingGiven == 0 || missingGiven > len(recs)/10 {
		t.Errorf("%d records lack a given name, want some but under a tenth", missingGiven)
	}
	if missingDOB == 0 || missingDOB > len(recs)/10 {
		t.Errorf("%d records lack a date of birth, want some but under a tenth", missingDOB)
	}
	if isoDates == len(recs)-missingDOB || isoDates < len(recs)/2 {
		t.Errorf("%d ISO dates of %d, want most but not all", isoDates, len(recs))
	}
}

func TestWriteCSV(t *testing.T) {
	recs := Generate(Config{Records: 50, Seed: 1})
	var buf bytes.Buffer
	if err := WriteCSV(&buf, recs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], Header()) || len(rows) != 51 {
		t.Fatalf("header %q and %d rows, want %q and 51", rows[0], len(rows), Header())
	}
	if rows[1][0] != recs[0].ID || rows[1][6] != recs[0].PersonID {
		t.Errorf("first row %q does not match the first record %+v", rows[1], recs[0])
	}
}
