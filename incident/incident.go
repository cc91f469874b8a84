// Package incident reads police-recorded domestic abuse incidents from
// extract files: a CSV with a column mapping, validated row by row, so a
// bad file is reported in full and nothing of it is stored.
//
// A victim's address in an extract is never kept: where a victim-survivor
// lives is held only in her IDVA's protected record. Suspects' and
// victims' names and dates of birth are kept, because identification needs
// them to tell people apart.
package incident

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/drive-platform/drive"
)

// Person is a person mentioned on an incident.
type Person struct {
	GivenName  string
	FamilyName string
	DOB        drive.Date
	Postcode   string // suspects only; never kept for victims
	Age        int    // at the incident; 0 when unknown
}

// Record is one incident (or crime) with its suspect and victim.
type Record struct {
	Ref     string
	On      drive.Date
	Type    string
	Crime   bool
	Suspect Person
	Victim  Person // zero when the extract names none
}

// Fields are the logical fields a mapping names columns for.
func Fields() []string {
	return []string{"ref", "date", "type", "crime", "suspect_given", "suspect_family", "suspect_dob", "suspect_postcode",
		"victim_given", "victim_family", "victim_dob", "victim_age"}
}

// Mapping maps logical fields to the extract's column headers.
type Mapping map[string]string

// DefaultMapping uses the logical names as headers.
func DefaultMapping() Mapping {
	m := Mapping{}
	for _, f := range Fields() {
		m[f] = f
	}
	return m
}

// ParseMapping reads a JSON object {"field": "Column header", ...}; fields
// left out keep their default header. Errors: EINVALID naming the field.
func ParseMapping(data []byte) (Mapping, error) {
	var given map[string]string
	if err := json.Unmarshal(data, &given); err != nil {
		return nil, drive.Errorf(drive.EINVALID, "The mapping file is not a JSON object of field names to column headers: %v", err)
	}
	m := DefaultMapping()
	for k, v := range given {
		if _, ok := m[k]; !ok {
			return nil, drive.Errorf(drive.EINVALID, "The mapping names an unknown field %q: use %s", k, strings.Join(Fields(), ", "))
		}
		if strings.TrimSpace(v) == "" {
			return nil, drive.Errorf(drive.EINVALID, "The mapping gives field %q an empty column header", k)
		}
		m[k] = strings.TrimSpace(v)
	}
	return m, nil
}

// RowError is one problem in an extract, by line and column.
type RowError struct {
	Line    int
	Field   string
	Message string
}

func (e RowError) String() string { return fmt.Sprintf("line %d, %s: %s", e.Line, e.Field, e.Message) }

// Read parses and validates a whole extract. It returns the records and
// every row error found (reading on past errors, so the report is
// complete); the caller stores nothing unless errors is empty. today
// bounds dates. A missing required column is a single error for the file.
func Read(r io.Reader, m Mapping, today drive.Date) ([]Record, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, drive.Errorf(drive.EINVALID, "The file is empty: it needs a header row and at least one incident")
	}
	if err != nil {
		return nil, nil, drive.Errorf(drive.EINVALID, "The file is not a readable CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	idx := map[string]int{}
	for _, f := range Fields() {
		i, ok := col[m[f]]
		if !ok {
			switch f {
			case "ref", "date", "type", "suspect_given", "suspect_family":
				return nil, nil, drive.Errorf(drive.EINVALID, "The file has no column %q for %s: add it or give a mapping file (--mapping) that names the right column", m[f], f)
			}
			i = -1
		}
		idx[f] = i
	}
	var out []Record
	var errs []RowError
	line := 1
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			errs = append(errs, RowError{line, "row", "not readable CSV: " + err.Error()})
			continue
		}
		get := func(f string) string {
			i := idx[f]
			if i < 0 || i >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[i])
		}
		bad := func(f, msg string) { errs = append(errs, RowError{line, m[f], msg}) }
		rec := Record{Ref: get("ref"), Type: strings.ToLower(get("type"))}
		if rec.Ref == "" || len(rec.Ref) > 64 {
			bad("ref", "give the incident reference (up to 64 characters)")
		}
		if v := get("date"); v == "" {
			bad("date", "give the date of the incident")
		} else if d, err := parseDate(v); err != nil {
			bad("date", "not a date: use YYYY-MM-DD, DD/MM/YYYY or YYYYMMDD")
		} else if d.After(today) {
			bad("date", "the date is in the future")
		} else {
			rec.On = d
		}
		if rec.Type == "" {
			bad("type", "give the incident or offence type")
		}
		switch strings.ToLower(get("crime")) {
		case "", "n", "no", "false", "0", "non-crime":
		case "y", "yes", "true", "1", "crime":
			rec.Crime = true
		default:
			bad("crime", "say yes or no")
		}
		rec.Suspect = Person{GivenName: get("suspect_given"), FamilyName: get("suspect_family"), Postcode: strings.ToUpper(get("suspect_postcode"))}
		if rec.Suspect.GivenName == "" && rec.Suspect.FamilyName == "" {
			bad("suspect_family", "give the suspect's name")
		}
		if v := get("suspect_dob"); v != "" {
			d, err := parseDate(v)
			if err != nil || (!rec.On.IsZero() && d.After(rec.On)) {
				bad("suspect_dob", "not a date of birth before the incident")
			}
			rec.Suspect.DOB = d
		}
		rec.Victim = Person{GivenName: get("victim_given"), FamilyName: get("victim_family")}
		if v := get("victim_dob"); v != "" {
			d, err := parseDate(v)
			if err != nil || (!rec.On.IsZero() && d.After(rec.On)) {
				bad("victim_dob", "not a date of birth before the incident")
			}
			rec.Victim.DOB = d
			if err == nil && !rec.On.IsZero() {
				rec.Victim.Age = d.AgeOn(rec.On)
			}
		}
		if v := get("victim_age"); v != "" && rec.Victim.Age == 0 {
			var age int
			if _, err := fmt.Sscanf(v, "%d", &age); err != nil || age < 0 || age > 120 {
				bad("victim_age", "not an age")
			}
			rec.Victim.Age = age
		}
		out = append(out, rec)
	}
	if len(out) == 0 && len(errs) == 0 {
		return nil, nil, drive.Errorf(drive.EINVALID, "The file has a header but no incidents")
	}
	return out, errs, nil
}

func parseDate(s string) (drive.Date, error) {
	if len(s) > 10 && s[4] == '-' {
		s = s[:10] // a date-time: the date part
	}
	return drive.ParseDate(s)
}
