package demo_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/drive-platform/drive/demo"
	"github.com/drive-platform/drive/service"
)

// personal are the columns of the demo database that hold names, dates of
// birth, addresses, postcodes, other agencies' references, usernames and
// free text: the values that must never reach an evaluator.
var personal = map[string][]string{
	"people":           {"given_name", "family_name", "date_of_birth", "police_ref", "social_care_ref", "probation_ref"},
	"person_addresses": {"line1", "postcode"},
	"person_aliases":   {"name"},
	"incidents":        {"ref", "suspect_given", "suspect_family", "suspect_dob", "suspect_postcode", "victim_given", "victim_family", "victim_dob"},
	"marac_hearings":   {"ref", "victim_dob", "perpetrator_dob", "perpetrator_postcode"},
	"users":            {"username", "display_name"},
	"victim_cases":     {"given_name", "family_name", "date_of_birth"},
	"victim_children":  {"given_name", "date_of_birth"},
	"case_contacts":    {"summary", "method"},
	"meeting_items":    {"reasons", "decision_reasons", "evidence"},
}

// categorical are the extract's columns of codes: their values come from
// the platform's fixed lists (the database refuses anything else), so a
// surname that is also a code ("White", "Open") is no leak there. Every
// other column's cells are looked at whole for every personal value, and
// every cell of every column for the longer ones.
var categorical = map[string]bool{"site": true, "programme": true, "state": true, "engagement": true, "closure_reason": true,
	"age_band": true, "sex": true, "ethnicity": true, "disability": true, "idva_allocated": true, "living_together": true,
	"relationship": true, "social_care": true, "kind": true, "time_point": true, "physical": true, "sexual": true, "stalking": true,
	"controlling": true, "risk_change": true, "dash_band": true, "done": true, "prong": true, "status": true, "decision": true,
	"repeat": true, "children": true}

// TestEvaluationExtractIdentifiesNoOne builds the demo, releases nothing
// new but writes the demo-evaluation project's extract as `drive extract`
// does, and looks in every cell of it for every name, date of birth,
// address, postcode, phone number, e-mail, agency reference, username and
// note text the demo holds, including every value of every victim-survivor's
// compartment. None may appear, and no full date may (unzipCells).
func TestEvaluationExtractIdentifiesNoOne(t *testing.T) {
	d := privateDemo(t, 42, built)
	ctx := context.Background()
	svc := &service.Service{DB: d.db, Keys: d.keys}
	var buf bytes.Buffer
	ext, err := svc.WriteExtract(ctx, service.CommandLine(), demo.EvaluationProject, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if !ext.Pass() || ext.Rows() < 1000 {
		t.Fatalf("extract: pass %v, %d rows; want a released extract of the demo's records", ext.Pass(), ext.Rows())
	}
	cells, text := unzipCells(t, buf.Bytes())

	canaries := map[string]string{} // normalised value -> where from
	raw, err := sql.Open("sqlite", "file:"+d.path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for table, cols := range personal {
		rows, err := raw.Query(`SELECT ` + strings.Join(cols, ", ") + ` FROM ` + table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if v.Valid {
					canaries[normalise(v.String)] = table + "." + cols[i]
				}
			}
		}
		rows.Close()
	}
	for _, v := range d.victims(t) {
		for _, x := range v.Compartment.Values() {
			canaries[normalise(x)] = "victim compartment"
		}
		for _, n := range append(v.Notes, v.Contacts...) {
			canaries[normalise(n.Text)] = "victim note"
		}
		if v.SafetyPlan != "" {
			canaries[normalise(v.SafetyPlan)] = "safety plan"
		}
	}
	checked := 0
	for c, from := range canaries {
		if len(c) < 3 {
			continue
		}
		checked++
		if cells[c] {
			t.Errorf("%s value %q is a cell of the extract", from, c)
		}
		if len(c) >= 8 && strings.Contains(text, c) {
			t.Errorf("%s value %q appears in the extract", from, c)
		}
	}
	if checked < 2000 {
		t.Fatalf("only %d personal values checked; the demo should hold thousands", checked)
	}
	t.Logf("%d personal values checked against %d cells (%d rows); smallest group %d", checked, len(cells), ext.Rows(), ext.Smallest())
}

var full = regexp.MustCompile(`\d{4}-\d{2}-\d{2}`)

// unzipCells reads every CSV of an extract (the data dictionary and
// release note aside: they describe columns, not people) and returns its
// cells outside the categorical columns, normalised, and all of its
// text; a full date in any cell fails
// the test.
func unzipCells(t *testing.T, b []byte) (map[string]bool, string) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	cells := map[string]bool{}
	var all strings.Builder
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".csv") || f.Name == "data_dictionary.csv" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		for _, row := range rows[1:] {
			for i, c := range row {
				if full.MatchString(c) {
					t.Errorf("%s holds a full date %q", f.Name, c)
				}
				if !categorical[rows[0][i]] {
					cells[normalise(c)] = true
				}
				// Cells are kept apart, so a value is found only
				// within one cell, never across two.
				all.WriteString(normalise(c))
				all.WriteByte('|')
			}
		}
	}
	return cells, all.String()
}
