package reportfile

import (
	"bytes"
	"encoding/csv"
	"html"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/pdf"
	"github.com/drive-platform/drive/risk"
)

var asOf = drive.MustDate("2026-06-30")

// fixture is 40 cases at site S01 and 3 at site S02, synthetic, with many
// true counts from 1 to 7: 3 children, 6 victim-survivors with an IDVA, 2
// living with the perpetrator, 4 perpetrators recorded female, 5 with
// behaviour assessed at T1 and T3, and the 3 cases of S02.
func fixture() []outcomes.CaseFacts {
	var cases []outcomes.CaseFacts
	add := func(id int, site int64, code string) *outcomes.CaseFacts {
		referred := drive.MustDate("2025-01-06").AddDays(id % 20)
		c := outcomes.CaseFacts{
			CaseID: int64(id), SiteID: site, SiteCode: code, Region: "South West", Programme: "drive",
			State: casework.Active, ReferredOn: referred, AllocatedOn: referred.AddDays(15 + id%7),
			CaseManagerID: int64(site*100) + int64(1+id%10), Engagement: casework.Engaged,
			Victims:     []outcomes.VictimFacts{{ID: int64(id)}},
			Perpetrator: outcomes.Equality{Sex: "male", Ethnicity: "white"},
		}
		cases = append(cases, c)
		return &cases[len(cases)-1]
	}
	for i := 1; i <= 40; i++ {
		c := add(i, 1, "S01")
		if i <= 3 {
			c.Children = 1
		}
		c.Victims[0].IDVA = i <= 6
		c.Victims[0].LivingTogether = i <= 2
		if i <= 4 {
			c.Perpetrator.Sex = "female"
		}
		if i > 25 {
			c.State, c.ClosedOn = casework.Closed, drive.MustDate("2025-09-30")
		}
		if i <= 5 {
			t1 := risk.BehaviourAssessment{ID: int64(i * 10), CaseID: c.CaseID, VictimID: int64(i), TimePoint: outcomes.Baseline,
				Physical: risk.Used, Sexual: risk.NotUsed, Stalking: risk.NotUsed, Controlling: risk.Used, AssessedOn: c.AllocatedOn}
			t3 := t1
			t3.ID, t3.TimePoint, t3.AssessedOn, t3.Physical = t1.ID+1, outcomes.Exit, c.AllocatedOn.AddMonths(6), risk.NotUsed
			c.Behaviour = []risk.BehaviourAssessment{t1, t3}
		}
	}
	for i := 41; i <= 43; i++ {
		add(i, 2, "S02")
	}
	return cases
}

func report(t *testing.T) *outcomes.Report {
	t.Helper()
	r := outcomes.Compute(outcomes.Scope{AsOf: asOf, BySite: true}, fixture(), outcomes.DefaultReference(), 4)
	withheldMeasures, withheldCells := 0, 0
	for _, m := range r.Measures {
		if m.Suppressed {
			withheldMeasures++
		}
	}
	for _, e := range r.Equality {
		for _, row := range e.Rows {
			if row.Count.Suppressed {
				withheldCells++
			}
		}
	}
	// The fixture must give the rule something to withhold, or the tests
	// below prove nothing.
	if withheldMeasures < 10 || withheldCells < 5 {
		t.Fatalf("fixture withholds %d measures and %d equality cells; want several", withheldMeasures, withheldCells)
	}
	return &r
}

// small reports whether a cell shows a count from 1 to 7 (all withheld by
// the rule): a bare whole number, as every format writes counts.
func small(cell string) bool {
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(cell, "'")))
	return err == nil && n != 0 && n >= -7 && n <= 7
}

// staff is the one figure allowed to be small: the number of case
// managers, a count of staff published as it is.
const staff = "caseload_per_case_manager"

// Checkers read one format back and return every small count it shows.
func csvLeaks(t *testing.T, b []byte) []string {
	t.Helper()
	rd := csv.NewReader(bytes.NewReader(b))
	rd.FieldsPerRecord = -1
	var leaks []string
	var header []string
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("CSV: %v", err)
		}
		if rec[0] == "measure" || rec[0] == "population" {
			header = rec
			continue
		}
		for i, c := range rec {
			col := header[i]
			switch col {
			case "denominator":
				if rec[0] == staff {
					continue
				}
			case "numerator", "count", "total", "known":
			case "value":
				if rec[7] != outcomes.UnitCount || header[0] != "measure" {
					continue
				}
			default:
				continue
			}
			if small(c) {
				leaks = append(leaks, rec[0]+" "+col+" "+c)
			}
		}
	}
	return leaks
}

func xlsxLeaks(t *testing.T, b []byte) []string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("XLSX: %v", err)
	}
	defer f.Close()
	var leaks []string
	check := func(sheet string, cols map[string]bool, skip func(row []string, col string) bool) {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatalf("XLSX %s: %v", sheet, err)
		}
		if len(rows) == 0 {
			t.Fatalf("XLSX %s: empty", sheet)
		}
		for _, row := range rows[1:] {
			for i, c := range row {
				col := rows[0][i]
				if cols[col] && !skip(row, col) && small(c) {
					leaks = append(leaks, sheet+" "+strings.Join(row[:2], " ")+" "+col+" "+c)
				}
			}
		}
	}
	check("Measures", map[string]bool{"Numerator": true, "Denominator": true, "Value": true}, func(row []string, col string) bool {
		return (col == "Denominator" && row[1] == staff) || (col == "Value" && row[7] != outcomes.UnitCount)
	})
	check("Equality", map[string]bool{"Count": true, "Total": true, "Answered": true}, func([]string, string) bool { return false })
	return leaks
}

func pdfLeaks(t *testing.T, b []byte) []string {
	t.Helper()
	text, err := pdf.Text(b)
	if err != nil {
		t.Fatalf("PDF: %v", err)
	}
	var leaks []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "Open cases per case manager\t") {
			continue // the staff count
		}
		for _, piece := range strings.Split(line, "\t") {
			if small(piece) {
				leaks = append(leaks, line)
			}
		}
	}
	return leaks
}

var cellRE = regexp.MustCompile(`(?s)<(t[hd]|caption)[^>]*>(.*?)</t[hd]>`)
var rowRE = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)

func htmlLeaks(t *testing.T, b []byte) []string {
	t.Helper()
	var leaks []string
	for _, row := range rowRE.FindAllStringSubmatch(string(b), -1) {
		cells := cellRE.FindAllStringSubmatch(row[1], -1)
		if len(cells) == 0 {
			t.Fatalf("HTML row without cells: %s", row[0])
		}
		if html.UnescapeString(cells[0][2]) == "Open cases per case manager" {
			continue
		}
		for _, c := range cells {
			if small(html.UnescapeString(c[2])) {
				leaks = append(leaks, row[1])
			}
		}
	}
	return leaks
}

type fileFormat struct {
	name  string
	write func(*testing.T, *outcomes.Report) []byte
	leaks func(*testing.T, []byte) []string
	// withheld counts the "[c]" a reader sees.
	withheld func(*testing.T, []byte) int
}

func countIn(s string) int { return strings.Count(s, withheld) }

var formats = []fileFormat{
	{"csv", func(_ *testing.T, r *outcomes.Report) []byte { return CSV(r) }, csvLeaks,
		func(_ *testing.T, b []byte) int { return countIn(string(b)) }},
	{"xlsx", func(t *testing.T, r *outcomes.Report) []byte {
		b, err := XLSX(r, "Outcomes")
		if err != nil {
			t.Fatal(err)
		}
		return b
	}, xlsxLeaks, func(t *testing.T, b []byte) int {
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		n := 0
		for _, sheet := range []string{"Measures", "Equality"} {
			rows, _ := f.GetRows(sheet)
			for _, r := range rows {
				n += countIn(strings.Join(r, " "))
			}
		}
		return n
	}},
	{"pdf", func(t *testing.T, r *outcomes.Report) []byte {
		b, err := PDF(r, "Outcomes", time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}, pdfLeaks, func(t *testing.T, b []byte) int {
		text, err := pdf.Text(b)
		if err != nil {
			t.Fatal(err)
		}
		return countIn(text)
	}},
	{"html", func(_ *testing.T, r *outcomes.Report) []byte { return HTML(r, "Outcomes") }, htmlLeaks,
		func(_ *testing.T, b []byte) int { return countIn(string(b)) }},
}

func TestNoSmallCountInAnyFormat(t *testing.T) {
	r := report(t)
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			b := f.write(t, r)
			if leaks := f.leaks(t, b); len(leaks) > 0 {
				t.Errorf("small counts shown: %q", leaks)
			}
			if n := f.withheld(t, b); n < 10 {
				t.Errorf("%d withheld figures readable, want at least 10", n)
			}
		})
	}
}

// TestCheckersFindALeak plants a shown count of 3 (and a measure wrongly
// marked shown) so that each format's checker is seen to catch it: the
// test above would otherwise pass on a checker that reads nothing.
func TestCheckersFindALeak(t *testing.T) {
	r := report(t)
	for i := range r.Measures {
		if r.Measures[i].Name == "children" && r.Measures[i].Site == "S01" && r.Measures[i].Programme == outcomes.All {
			r.Measures[i].Suppressed, r.Measures[i].Numerator, r.Measures[i].Value = false, 3, 3
		}
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			if leaks := f.leaks(t, f.write(t, r)); len(leaks) == 0 {
				t.Errorf("planted count of 3 not found")
			}
		})
	}
}

// hostile is a report whose text fields hold formulas, as a site code or
// definition never should but a file must survive.
func hostile() *outcomes.Report {
	return &outcomes.Report{
		Measures: []outcomes.Measure{
			{Name: "=HYPERLINK(\"http://example.invalid\",\"x\")", Label: "+SUM(A1:A9)", Site: "@S01", Programme: "-drive",
				Unit: outcomes.UnitMean, Numerator: -20, Denominator: 40, Value: -0.5, Definition: "\t=1+1"},
			{Name: "perpetrators", Label: "Perpetrators", Site: "all", Programme: "all", Unit: outcomes.UnitCount,
				Numerator: 40, Value: 40, Definition: "\r=cmd|' /C calc'!A0"},
		},
		Equality: []outcomes.EqualityTable{{Population: "perpetrators", Dimension: "sex", Site: "all", Programme: "all",
			Total: outcomes.Count{Value: 40}, Known: outcomes.Count{Value: 40}, Reference: "=2+2",
			Rows: []outcomes.EqualityRow{{Category: "male", Label: "=A1", Count: outcomes.Count{Value: 40}}}}},
	}
}

func TestCSVFormulaInjection(t *testing.T) {
	rd := csv.NewReader(bytes.NewReader(CSV(hostile())))
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 { // two headers, two measures, one category
		t.Fatalf("%d records: %q", len(recs), recs)
	}
	tests := []struct {
		row, col int
		want     string
	}{
		{1, 0, "'=HYPERLINK(\"http://example.invalid\",\"x\")"},
		{1, 1, "'@S01"},
		{1, 2, "'-drive"},
		{1, 3, "'-20"},
		{1, 5, "'-0.5"},
		{1, 11, "'\t=1+1"},
		{2, 11, "'\r=cmd|' /C calc'!A0"},
		{2, 3, "40"},
		{4, 5, "'=A1"},
		{4, 14, "'=2+2"},
	}
	for _, tt := range tests {
		if got := recs[tt.row][tt.col]; got != tt.want {
			t.Errorf("row %d col %d = %q, want %q", tt.row, tt.col, got, tt.want)
		}
	}
	for _, rec := range recs {
		for _, c := range rec {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("cell %q starts a formula", c)
			}
		}
	}
}

func TestXLSXFormulaInjection(t *testing.T) {
	b, err := XLSX(hostile(), "=1+1")
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tests := []struct{ sheet, cell, want string }{
		{"Measures", "A2", "+SUM(A1:A9)"},
		{"Measures", "B2", "=HYPERLINK(\"http://example.invalid\",\"x\")"},
		{"Measures", "C2", "@S01"},
		{"Measures", "N2", "\t=1+1"},
		{"Equality", "F2", "=A1"},
		{"Equality", "M2", "=2+2"},
		{"Notes", "A1", "=1+1"},
	}
	for _, tt := range tests {
		if got, _ := f.GetCellValue(tt.sheet, tt.cell); got != tt.want {
			t.Errorf("%s!%s = %q, want %q", tt.sheet, tt.cell, got, tt.want)
		}
	}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for r, row := range rows {
			for c := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fm, _ := f.GetCellFormula(sheet, ref); fm != "" {
					t.Errorf("%s!%s holds the formula %q", sheet, ref, fm)
				}
				if typ, _ := f.GetCellType(sheet, ref); typ == excelize.CellTypeFormula {
					t.Errorf("%s!%s is a formula cell", sheet, ref)
				}
			}
		}
	}
	// Figures are numbers, not text.
	if typ, _ := f.GetCellType("Measures", "E2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("numerator cell type %v, want a number", typ)
	}
	if got, _ := f.GetCellValue("Measures", "E2"); got != "-20" {
		t.Errorf("numerator %q, want -20", got)
	}
}

func TestHTMLDocument(t *testing.T) {
	doc := string(HTML(hostile(), `Outcomes <b>& more</b>`))
	for _, want := range []string{`<html lang="en-GB">`, `<title>Outcomes &lt;b&gt;&amp; more&lt;/b&gt;</title>`,
		`<caption>All sites, all programmes</caption>`, `<th scope="col">Measure</th>`, `<th scope="row">Perpetrators</th>`,
		Marking} {
		if !strings.Contains(doc, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<b>", "src=", "href="} {
		if strings.Contains(strings.ToLower(doc), bad) {
			t.Errorf("HTML holds %q", bad)
		}
	}
	if h := regexp.MustCompile(`(?i)\son[a-z]+=`).FindString(doc); h != "" {
		t.Errorf("HTML holds an event handler %q", h)
	}
}

func TestPDFShowsMarkingRuleAndDefinitions(t *testing.T) {
	r := report(t)
	b, err := PDF(r, "Outcomes, South West", time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	text, err := pdf.Text(b)
	if err != nil {
		t.Fatal(err)
	}
	flat := strings.NewReplacer("\n", " ", "\t", " ").Replace(text)
	for _, want := range []string{Marking, "Small numbers", "All sites, all programmes", "Site S02, all programmes",
		"How each figure is calculated", "Adult victim-survivors linked to the allocated cases in scope"} {
		if !strings.Contains(flat, want) {
			t.Errorf("PDF lacks %q", want)
		}
	}
	if _, err := PDF(r, " ", time.Time{}); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("empty title: %v", err)
	}
}

func TestFigure(t *testing.T) {
	p := func(v float64) *float64 { return &v }
	tests := []struct {
		m    outcomes.Measure
		want string
	}{
		{outcomes.Measure{Unit: outcomes.UnitPercent, Value: 0.82}, "82.0%"},
		{outcomes.Measure{Unit: outcomes.UnitMean, Value: 2}, "2.0"},
		{outcomes.Measure{Unit: outcomes.UnitMean, Value: -4.2}, "-4.2"},
		{outcomes.Measure{Unit: outcomes.UnitDays, Value: 21}, "21 days"},
		{outcomes.Measure{Unit: outcomes.UnitCount, Value: 45}, "45"},
		{outcomes.Measure{Unit: outcomes.UnitCount, Suppressed: true}, "[c]"},
		{outcomes.Measure{Unit: outcomes.UnitPercent, NoData: true}, "no data"},
	}
	for _, tt := range tests {
		if got := Figure(&tt.m); got != tt.want {
			t.Errorf("Figure(%+v) = %q, want %q", tt.m, got, tt.want)
		}
	}
	pvalues := []struct {
		m    outcomes.Measure
		want string
	}{
		{outcomes.Measure{PValue: p(0.0004)}, "below 0.001"},
		{outcomes.Measure{PValue: p(0.0004), PValueBound: true}, "at most 0.001"},
		{outcomes.Measure{PValue: p(0.0625), PValueBound: true}, "at most 0.0625"},
		{outcomes.Measure{}, ""},
	}
	for _, tt := range pvalues {
		if got := pValue(&tt.m); got != tt.want {
			t.Errorf("pValue(%+v) = %q, want %q", tt.m, got, tt.want)
		}
	}
}
