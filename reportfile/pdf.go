package reportfile

import (
	"time"

	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/pdf"
)

// PDF writes the report as a PDF (package pdf): a heading and a table of
// figures for each site and programme, the equality tables, a table for
// each arm of a trial where one is in the report, how each
// figure is calculated and the small-number rule, marked Marking on every
// page. created is the file's creation date (the package reads no clock).
// Errors: those of pdf.Render (an empty title is EINVALID).
func PDF(r *outcomes.Report, title string, created time.Time) ([]byte, error) {
	d := pdf.Document{Title: title, Subject: "Outcome measures", Marking: Marking, Created: created}
	add := func(b ...pdf.Block) { d.Blocks = append(d.Blocks, b...) }
	add(pdf.Paragraph{Text: Rule})

	add(pdf.Heading{Level: 1, Text: "Measures"})
	for _, g := range groups(r) {
		add(pdf.Heading{Level: 2, Text: scopeName(g.site, g.programme)})
		t := pdf.Table{Header: []string{"Measure", "Figure", "Numerator", "Denominator", "95% interval", "p-value"}}
		var left [][2]string
		for _, m := range g.measures {
			num, den := counts(m)
			t.Rows = append(t.Rows, []string{m.Label, Figure(m), num, den, interval(m), pValue(m)})
			if e := exclusions(m); e != "" {
				left = append(left, [2]string{m.Label, e})
			}
		}
		add(t)
		if len(left) > 0 {
			add(pdf.Paragraph{Text: "Left out of the figures above:"}, pdf.KeyValues{Rows: left})
		}
	}

	if len(r.Equality) > 0 {
		add(pdf.Heading{Level: 1, Text: "Equality"})
		for i := range r.Equality {
			e := &r.Equality[i]
			t := pdf.Table{Caption: tableTitle(e), Header: []string{"Category", "Count", "Share of those who answered", "Reference share"}}
			for _, row := range e.Rows {
				t.Rows = append(t.Rows, []string{row.Label, row.Count.String(), share(row.Share, row.Count),
					share(row.Reference, outcomes.Count{})})
			}
			t.Rows = append(t.Rows, []string{"Total", e.Total.String(), "", ""}, []string{"Answered", e.Known.String(), "", ""})
			add(t)
			if e.Reference != "" {
				add(pdf.Paragraph{Text: "Reference: " + e.Reference})
			}
		}
	}

	if len(r.Voice) > 0 {
		add(pdf.Heading{Level: 1, Text: "In their own words"})
		t := pdf.Table{Header: []string{"Measure", "Reported", "Of", "Share"}}
		for _, v := range r.Voice {
			t.Rows = append(t.Rows, []string{v.Label, v.Yes.String(), v.Of.String(), v.Share})
		}
		add(t, pdf.Paragraph{Text: outcomes.VoiceDefinition})
	}

	if len(r.Arms) > 0 {
		add(pdf.Heading{Level: 1, Text: "Trial: intervention against comparison"})
		for _, a := range r.Arms {
			add(pdf.Heading{Level: 2, Text: armCaption(a.Arm)})
			t := pdf.Table{Header: []string{"Measure", "Figure", "Numerator", "Denominator", "95% interval", "p-value"}}
			var left [][2]string
			for i := range a.Measures {
				m := &a.Measures[i]
				num, den := counts(m)
				t.Rows = append(t.Rows, []string{m.Label, Figure(m), num, den, interval(m), pValue(m)})
				if e := exclusions(m); e != "" {
					left = append(left, [2]string{m.Label, e})
				}
			}
			add(t)
			if len(left) > 0 {
				add(pdf.Paragraph{Text: "Left out of the figures above:"}, pdf.KeyValues{Rows: left})
			}
		}
	}

	add(pdf.Heading{Level: 1, Text: "How each figure is calculated"})
	var defs [][2]string
	for _, d := range definitions(r) {
		defs = append(defs, [2]string{d[1], d[2]})
	}
	add(pdf.KeyValues{Rows: defs})
	add(pdf.Heading{Level: 1, Text: "Small numbers"}, pdf.Paragraph{Text: Rule})
	return pdf.Render(d)
}
