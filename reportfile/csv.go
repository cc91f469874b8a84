package reportfile

import (
	"bytes"
	"encoding/csv"
	"github.com/drive-platform/drive"
	"strconv"

	"github.com/drive-platform/drive/outcomes"
)

// CSV writes the report as CSV: a header and one row per measure (columns
// MeasureHeader), then an empty line, a header and one row per category of
// each equality table (columns EqualityHeader), and, where a trial's arms
// are in the report, an empty line, a header and one row per measure of
// each arm (columns ArmHeader). Every cell is as
// published ("[c]" for a withheld figure) and made safe against formula
// injection (see the package doc).
func CSV(r *outcomes.Report) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	write := func(cells []string) {
		safe := make([]string, len(cells))
		for i, c := range cells {
			safe[i] = drive.SpreadsheetCell(c)
		}
		_ = w.Write(safe) // writes to a bytes.Buffer cannot fail
	}
	write(MeasureHeader)
	for i := range r.Measures {
		m := &r.Measures[i]
		num, den := counts(m)
		low, high, p := "", "", ""
		if m.Interval != nil {
			low, high = number(m.Interval.Low), number(m.Interval.High)
		}
		if m.PValue != nil {
			p = number(*m.PValue)
		}
		write([]string{m.Name, m.Site, m.Programme, num, den, rawValue(m),
			strconv.FormatBool(m.Suppressed), m.Unit, low, high, p, m.Definition})
	}
	if len(r.Equality) > 0 {
		w.Flush()
		buf.WriteString("\r\n")
		write(EqualityHeader)
		for i := range r.Equality {
			t := &r.Equality[i]
			for _, row := range t.Rows {
				sh, ref, diff, low, high := optional(row.Share), optional(row.Reference), optional(row.Difference), "", ""
				if row.Share == nil && row.Count.Suppressed {
					sh = withheld
				}
				if row.Interval != nil {
					low, high = number(row.Interval.Low), number(row.Interval.High)
				}
				write([]string{t.Population, t.Dimension, t.Site, t.Programme, row.Category, row.Label,
					row.Count.String(), sh, ref, diff, low, high, t.Total.String(), t.Known.String(), t.Reference})
			}
		}
	}
	if len(r.Arms) > 0 {
		w.Flush()
		buf.WriteString("\r\n")
		write(ArmHeader)
		for _, a := range r.Arms {
			for i := range a.Measures {
				m := &a.Measures[i]
				num, den := counts(m)
				write([]string{a.Arm, m.Name, num, den, rawValue(m), strconv.FormatBool(m.Suppressed), m.Unit, m.Definition})
			}
		}
	}
	if len(r.Voice) > 0 {
		w.Flush()
		buf.WriteString("\r\n")
		write([]string{"own_account", "label", "reported", "of", "share", "how_calculated"})
		for _, v := range r.Voice {
			write([]string{v.Code, v.Label, v.Yes.String(), v.Of.String(), v.Share, outcomes.VoiceDefinition})
		}
	}
	w.Flush()
	return buf.Bytes()
}

func optional(p *float64) string {
	if p == nil {
		return ""
	}
	return number(*p)
}
