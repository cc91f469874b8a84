package reportfile

import (
	"bytes"

	"github.com/xuri/excelize/v2"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/outcomes"
)

// XLSX writes the report as an Excel workbook with three sheets (four
// where a trial's arms are in the report, "Trial" before "Notes"):
// "Measures" (a header row, one row per measure, and a "How calculated"
// column with its definition), "Equality" (one row per category of each
// equality table) and "Notes" (the title, the marking and the
// small-number rule). Figures shown are numbers; withheld ones are the
// text "[c]"; every text cell is written as a string, never a formula.
// Errors: EINTERNAL if the workbook cannot be written.
func XLSX(r *outcomes.Report, title string) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	x := &sheets{f: f}
	x.rename("Sheet1", "Measures")
	x.row("Measures", 1, "Measure", "Code", "Site", "Programme", "Numerator", "Denominator", "Value", "Unit",
		"Suppressed", "Interval low", "Interval high", "p-value", "Left out", "How calculated")
	for i := range r.Measures {
		m := &r.Measures[i]
		cells := []any{m.Label, m.Name, m.Site, m.Programme}
		switch {
		case m.Suppressed:
			cells = append(cells, withheld, withheldUnlessCount(m), withheld)
		case m.Unit == outcomes.UnitCount:
			cells = append(cells, m.Numerator, nil, valueOrNone(m))
		default:
			cells = append(cells, m.Numerator, m.Denominator, valueOrNone(m))
		}
		cells = append(cells, m.Unit, m.Suppressed)
		if m.Interval != nil {
			cells = append(cells, m.Interval.Low, m.Interval.High)
		} else {
			cells = append(cells, nil, nil)
		}
		if m.PValue != nil {
			cells = append(cells, *m.PValue)
		} else {
			cells = append(cells, nil)
		}
		cells = append(cells, exclusions(m), m.Definition)
		x.row("Measures", i+2, cells...)
	}

	x.add("Equality")
	x.row("Equality", 1, "Population", "Dimension", "Site", "Programme", "Category", "Label", "Count",
		"Share", "Reference share", "Difference", "Total", "Answered", "Reference source")
	n := 2
	for i := range r.Equality {
		t := &r.Equality[i]
		for _, row := range t.Rows {
			x.row("Equality", n, t.Population, t.Dimension, t.Site, t.Programme, row.Category, row.Label,
				count(row.Count), shareCell(row.Share, row.Count), ptr(row.Reference), ptr(row.Difference),
				count(t.Total), count(t.Known), t.Reference)
			n++
		}
	}

	if len(r.Voice) > 0 {
		x.add("Own account")
		x.row("Own account", 1, "Measure", "Code", "Reported", "Of", "Share", "How calculated")
		for i, v := range r.Voice {
			x.row("Own account", i+2, v.Label, v.Code, count(v.Yes), count(v.Of), v.Share, outcomes.VoiceDefinition)
		}
	}

	if len(r.Arms) > 0 {
		x.add("Trial")
		x.row("Trial", 1, "Arm", "Measure", "Code", "Numerator", "Denominator", "Value", "Unit", "Suppressed", "Left out", "How calculated")
		n := 2
		for _, a := range r.Arms {
			for i := range a.Measures {
				m := &a.Measures[i]
				cells := []any{a.Arm, m.Label, m.Name}
				switch {
				case m.Suppressed:
					cells = append(cells, withheld, withheldUnlessCount(m), withheld)
				case m.Unit == outcomes.UnitCount:
					cells = append(cells, m.Numerator, nil, valueOrNone(m))
				default:
					cells = append(cells, m.Numerator, m.Denominator, valueOrNone(m))
				}
				x.row("Trial", n, append(cells, m.Unit, m.Suppressed, exclusions(m), m.Definition)...)
				n++
			}
		}
	}

	x.add("Notes")
	x.row("Notes", 1, title)
	x.row("Notes", 2, Marking)
	x.row("Notes", 3, Rule)
	x.row("Notes", 4, "Values in percent are proportions: 0.82 is 82%.")
	if x.err != nil {
		return nil, x.err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, drive.Wrap(err, drive.EINTERNAL, "The report could not be written as a workbook.")
	}
	return buf.Bytes(), nil
}

// sheets writes cells and keeps the first error.
type sheets struct {
	f   *excelize.File
	err error
}

func (x *sheets) fail(err error) {
	if err != nil && x.err == nil {
		x.err = drive.Wrap(err, drive.EINTERNAL, "The report could not be written as a workbook.")
	}
}

func (x *sheets) rename(from, to string) { x.fail(x.f.SetSheetName(from, to)) }

func (x *sheets) add(name string) {
	_, err := x.f.NewSheet(name)
	x.fail(err)
}

// row writes one row from column A: strings with SetCellStr (never a
// formula), numbers and booleans as values, nil as an empty cell.
func (x *sheets) row(sheet string, n int, cells ...any) {
	for i, c := range cells {
		if c == nil {
			continue
		}
		ref, err := excelize.CoordinatesToCellName(i+1, n)
		if err != nil {
			x.fail(err)
			return
		}
		switch v := c.(type) {
		case string:
			if v != "" {
				x.fail(x.f.SetCellStr(sheet, ref, v))
			}
		case int:
			x.fail(x.f.SetCellInt(sheet, ref, int64(v)))
		case float64:
			x.fail(x.f.SetCellFloat(sheet, ref, v, -1, 64))
		case bool:
			x.fail(x.f.SetCellBool(sheet, ref, v))
		}
	}
}

func withheldUnlessCount(m *outcomes.Measure) any {
	if m.Unit == outcomes.UnitCount {
		return nil
	}
	return withheld
}

func valueOrNone(m *outcomes.Measure) any {
	if m.NoData {
		return "no data"
	}
	return m.Value
}

func count(c outcomes.Count) any {
	if c.Suppressed {
		return withheld
	}
	return c.Value
}

func shareCell(p *float64, c outcomes.Count) any {
	if p == nil && c.Suppressed {
		return withheld
	}
	return ptr(p)
}

func ptr(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
