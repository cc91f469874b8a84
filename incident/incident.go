// Package incident reads police-recorded domestic abuse incidents from
// extract files, and the lists of cases heard at a site's MARAC: each a
// CSV with a column mapping, validated row by row, so a bad file is
// reported in full and nothing of it is stored.
//
// A victim's address in an extract or a MARAC list is never kept: where a
// victim-survivor lives is held only in her IDVA's protected record.
// Suspects' and victims' names and dates of birth are kept, because
// identification needs them to tell people apart.
package incident

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/tabular"
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
func Fields() []string { return extractLayout().fields }

// extractLayout describes a police extract.
func extractLayout() layout {
	return layout{
		fields: []string{"ref", "date", "type", "crime", "suspect_given", "suspect_family", "suspect_dob", "suspect_postcode",
			"victim_given", "victim_family", "victim_dob", "victim_age"},
		required: []string{"ref", "date", "type", "suspect_given", "suspect_family"},
		one:      "incident",
		many:     "incidents",
	}
}

// Mapping maps logical fields to the extract's column headers.
type Mapping map[string]string

// NamedMapping is a mapping a site keeps for one of its sources ("Force X
// weekly extract"), or the standard headers (Name "").
type NamedMapping struct {
	Name    string
	Mapping Mapping
}

// fits reports whether a header (column names to positions) has every
// column the mapping needs for the layout's required fields.
func (l layout) fits(m Mapping, col map[string]int) bool {
	for _, f := range l.required {
		if _, ok := col[m[f]]; !ok {
			return false
		}
	}
	return true
}

// DefaultMapping uses the logical names as headers.
func DefaultMapping() Mapping { return extractLayout().defaultMapping() }

// ParseMapping reads a JSON object {"field": "Column header", ...}; fields
// left out keep their default header. Errors: EINVALID naming the field.
func ParseMapping(data []byte) (Mapping, error) { return extractLayout().parseMapping(data) }

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
// The file may be in any form ReadFile reads.
func Read(r io.Reader, m Mapping, today drive.Date) ([]Record, []RowError, error) {
	recs, errs, _, err := ReadFile(r, m, today, tabular.Options{})
	return recs, errs, err
}

// FileInfo says what was read and which mapping was used: the file's
// form (package tabular) and the name of the saved mapping chosen, ""
// for the one given or the standard headers.
type FileInfo struct {
	tabular.Info
	Mapping string
}

// ReadFileChoosing is ReadFile with the mapping chosen by the file's
// header: the first of cands whose columns the header has (pass the
// standard headers first, then the site's saved mappings). With none, the
// first candidate's missing column is the error.
func ReadFileChoosing(r io.Reader, cands []NamedMapping, today drive.Date, opt tabular.Options) ([]Record, []RowError, FileInfo, error) {
	return readExtract(r, cands, today, opt)
}

// ReadFile is Read for a file as a force saved it (package tabular: CSV
// in UTF-8, UTF-16 or Windows-1252 with commas, semicolons or tabs, or an
// .xlsx workbook), read as opt says, and returns what was read too.
func ReadFile(r io.Reader, m Mapping, today drive.Date, opt tabular.Options) ([]Record, []RowError, tabular.Info, error) {
	recs, errs, info, err := readExtract(r, []NamedMapping{{Mapping: m}}, today, opt)
	return recs, errs, info.Info, err
}

func readExtract(r io.Reader, cands []NamedMapping, today drive.Date, opt tabular.Options) ([]Record, []RowError, FileInfo, error) {
	var out []Record
	sc := &Scan{}
	err := scanExtract(sc, r, cands, today, opt, 0, func(rec Record, _ bool) { out = append(out, rec) })
	if err != nil {
		return nil, nil, sc.FileInfo, err
	}
	return out, sc.Problems, sc.FileInfo, nil
}

// MaxProblems is the most row problems a scan (ScanFileChoosing,
// ScanMARACFileChoosing) keeps: a file with a problem on every one of
// half a million rows is told how many more there are, not held whole
// as a list.
const MaxProblems = 1000

// Scan is what reading and checking a file found, without its rows.
type Scan struct {
	FileInfo
	// Rows counts the data rows read, good and bad.
	Rows int
	// Problems are the first MaxProblems row problems in file order; More
	// counts the rest.
	Problems []RowError
	More     int
}

// Found is the number of row problems found, kept or counted.
func (s *Scan) Found() int { return len(s.Problems) + s.More }

// ScanFileChoosing reads and checks an extract as ReadFileChoosing does,
// a row at a time, keeping no row: each, if set, is given every record
// whose row has no problem, in file order, as it is read, with the
// number of problems found so far (a caller keeping the records can let
// them go at the first, since nothing is imported with any). Only the first
// MaxProblems problems are kept. Errors: as ReadFileChoosing.
func ScanFileChoosing(r io.Reader, cands []NamedMapping, today drive.Date, opt tabular.Options, each func(Record, int)) (*Scan, error) {
	sc := &Scan{}
	err := scanExtract(sc, r, cands, today, opt, MaxProblems, func(rec Record, ok bool) {
		if ok && each != nil {
			each(rec, sc.Found())
		}
	})
	return sc, err
}

// scanExtract reads and checks an extract, handing each readable row's
// record to each with whether its row had no problem; limit (0: none)
// caps the problems kept.
func scanExtract(sc *Scan, r io.Reader, cands []NamedMapping, today drive.Date, opt tabular.Options, limit int, each func(Record, bool)) error {
	return extractLayout().read(sc, r, cands, opt, limit, func(row *row) {
		before := row.errs.found()
		rec := Record{Ref: row.get("ref"), Type: strings.ToLower(row.get("type"))}
		if rec.Ref == "" || len(rec.Ref) > 64 {
			row.bad("ref", "give the incident reference (up to 64 characters)")
		}
		rec.On = row.date("date", "give the date of the incident", today)
		if rec.Type == "" {
			row.bad("type", "give the incident or offence type")
		}
		switch strings.ToLower(row.get("crime")) {
		case "", "n", "no", "false", "0", "non-crime":
		case "y", "yes", "true", "1", "crime":
			rec.Crime = true
		default:
			row.bad("crime", "say yes or no")
		}
		rec.Suspect = Person{GivenName: row.get("suspect_given"), FamilyName: row.get("suspect_family"), Postcode: strings.ToUpper(row.get("suspect_postcode"))}
		if rec.Suspect.GivenName == "" && rec.Suspect.FamilyName == "" {
			row.bad("suspect_family", "give the suspect's name")
		}
		const beforeIncident = "not a date of birth before the incident"
		rec.Suspect.DOB, _ = row.dob("suspect_dob", rec.On, beforeIncident)
		rec.Victim = Person{GivenName: row.get("victim_given"), FamilyName: row.get("victim_family")}
		var isDate bool
		rec.Victim.DOB, isDate = row.dob("victim_dob", rec.On, beforeIncident)
		if isDate && !rec.On.IsZero() {
			rec.Victim.Age = rec.Victim.DOB.AgeOn(rec.On)
		}
		if v := row.get("victim_age"); v != "" && rec.Victim.Age == 0 {
			var age int
			if _, err := fmt.Sscanf(v, "%d", &age); err != nil || age < 0 || age > 120 {
				row.bad("victim_age", "not an age")
			}
			rec.Victim.Age = age
		}
		each(rec, row.errs.found() == before)
	})
}

// layout describes one kind of file: its logical fields, the fields whose
// column must be present, and what one row is called in messages.
type layout struct {
	fields    []string
	required  []string
	one, many string
}

func (l layout) defaultMapping() Mapping {
	m := Mapping{}
	for _, f := range l.fields {
		m[f] = f
	}
	return m
}

func (l layout) parseMapping(data []byte) (Mapping, error) {
	var given map[string]string
	if err := json.Unmarshal(data, &given); err != nil {
		return nil, drive.Errorf(drive.EINVALID, "The mapping file is not a JSON object of field names to column headers: %v", err)
	}
	m := l.defaultMapping()
	for k, v := range given {
		if _, ok := m[k]; !ok {
			return nil, drive.Errorf(drive.EINVALID, "The mapping names an unknown field %q: use %s", k, strings.Join(l.fields, ", "))
		}
		if strings.TrimSpace(v) == "" {
			return nil, drive.Errorf(drive.EINVALID, "The mapping gives field %q an empty column header", k)
		}
		m[k] = strings.TrimSpace(v)
	}
	return m, nil
}

// read reads the header, finds each field's column through the mapping
// and calls each for every data row that is readable, collecting the row
// errors of the whole file. The file may be CSV in any encoding and with
// any separator package tabular reads, or an .xlsx workbook; what was read
// is returned. A missing required column, an empty file or a header with
// no rows is an error for the file.
func (l layout) read(sc *Scan, in io.Reader, cands []NamedMapping, opt tabular.Options, limit int, each func(*row)) error {
	tr, err := tabular.Open(in, opt)
	if err != nil {
		return err
	}
	defer tr.Close()
	sc.Info = tr.Info
	header, _, err := tr.Read()
	if errors.Is(err, io.EOF) {
		return drive.Errorf(drive.EINVALID, "The file is empty: it needs a header row and at least one %s", l.one)
	}
	if err != nil {
		return drive.Errorf(drive.EINVALID, "The file is not a readable CSV (read as %s): %v", sc.Info, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	// The first candidate mapping whose required columns the header has
	// is the one used; with none, the first is named in the error.
	var m Mapping
	for _, c := range cands {
		if l.fits(c.Mapping, col) {
			m, sc.Mapping = c.Mapping, c.Name
			break
		}
	}
	if m == nil {
		m = cands[0].Mapping
		for _, f := range l.required {
			if _, ok := col[m[f]]; !ok {
				return drive.Errorf(drive.EINVALID, "The file has no column %q for %s (read as %s): add it or give a mapping file (--mapping) that names the right column", m[f], f, sc.Info)
			}
		}
	}
	idx := map[string]int{}
	for _, f := range l.fields {
		i, ok := col[m[f]]
		if !ok {
			i = -1
		}
		idx[f] = i
	}
	errs := &problems{scan: sc, limit: limit}
	for {
		cells, line, err := tr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		sc.Rows++
		var le *tabular.LineError
		if errors.As(err, &le) {
			errs.add(RowError{le.Line, "row", le.Message})
			continue
		}
		if err != nil {
			return err
		}
		if bad := badText(cells); bad != "" {
			errs.add(RowError{line, "row", bad})
			continue
		}
		each(&row{line: line, cells: cells, idx: idx, m: m, errs: errs})
	}
	if sc.Rows == 0 {
		return drive.Errorf(drive.EINVALID, "The file has a header but no %s", l.many)
	}
	return nil
}

// problems gathers a scan's row problems: the first limit of them (all,
// for 0), and a count of the rest.
type problems struct {
	scan  *Scan
	limit int
}

func (p *problems) add(e RowError) {
	if p.limit > 0 && len(p.scan.Problems) >= p.limit {
		p.scan.More++
		return
	}
	p.scan.Problems = append(p.scan.Problems, e)
}

func (p *problems) found() int { return p.scan.Found() }

// badText says what is wrong with a row whose text could not be stored
// as written: bytes that are not UTF-8 (a file saved in an older Windows
// encoding) or a NUL. "" when the row is fine.
func badText(cells []string) string {
	for _, c := range cells {
		if !utf8.ValidString(c) {
			return "the text is not UTF-8: name the file's encoding (for example windows-1252) and import it again"
		}
		if strings.ContainsRune(c, 0) {
			return "the row contains a NUL character"
		}
	}
	return ""
}

// row is one data row being validated: its cells by logical field, and
// the file's list of row errors to add to.
type row struct {
	line  int
	cells []string
	idx   map[string]int // logical field to column; -1 when the file has none
	m     Mapping
	errs  *problems
}

// get returns a field's trimmed value, "" when the row or file lacks it.
func (r *row) get(f string) string {
	i := r.idx[f]
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// bad records a problem with a field, named by the file's column header.
func (r *row) bad(f, msg string) { r.errs.add(RowError{r.line, r.m[f], msg}) }

// date reads a required date, no later than today; missing is the
// message for an empty cell. It returns zero for a bad date.
func (r *row) date(f, missing string, today drive.Date) drive.Date {
	v := r.get(f)
	if v == "" {
		r.bad(f, missing)
		return drive.Date{}
	}
	d, err := parseDate(v)
	switch {
	case err != nil:
		r.bad(f, "not a date: use YYYY-MM-DD, DD/MM/YYYY or YYYYMMDD")
	case d.After(today):
		r.bad(f, "the date is in the future")
	default:
		return d
	}
	return drive.Date{}
}

// dob reads an optional date of birth, which must not be after on (when
// on is known); msg is the problem reported otherwise. isDate says the
// cell read as a date at all.
func (r *row) dob(f string, on drive.Date, msg string) (d drive.Date, isDate bool) {
	v := r.get(f)
	if v == "" {
		return drive.Date{}, false
	}
	d, err := parseDate(v)
	switch {
	case err == nil && d.Year < 1900:
		// A mistyped century: no one in an extract was born then, and
		// PostgreSQL refuses a year 0 outright.
		r.bad(f, "a date of birth before 1900 cannot be right: check the year")
		return drive.Date{}, false
	case err != nil || (!on.IsZero() && d.After(on)):
		r.bad(f, msg)
	}
	return d, err == nil
}

func parseDate(s string) (drive.Date, error) {
	if len(s) > 10 && s[4] == '-' {
		s = s[:10] // a date-time: the date part
	}
	return drive.ParseDate(s)
}
