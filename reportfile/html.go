package reportfile

import (
	"bytes"
	"html/template"

	"github.com/drive-platform/drive/outcomes"
)

// HTML writes the report as a standalone HTML document for reading or
// printing: the language set, a title, one table per group of measures,
// per equality table and per arm of a trial, each with a caption and header cells scoped to
// their column or row, the definitions and the small-number rule. It has
// no scripts, no external resources and no links.
func HTML(r *outcomes.Report, title string) []byte {
	var buf bytes.Buffer
	if err := page.Execute(&buf, view(r, title)); err != nil {
		// The template is fixed and the data plain strings: an error is a
		// bug in this package.
		panic("reportfile: HTML template: " + err.Error())
	}
	return buf.Bytes()
}

type htmlMeasure struct {
	Label, Figure, Numerator, Denominator, Interval, PValue, Excluded string
}

type htmlGroup struct {
	Caption  string
	Measures []htmlMeasure
}

type htmlRow struct{ Label, Count, Share, Reference string }

type htmlTable struct {
	Caption, Total, Known, Source string
	Rows                          []htmlRow
}

type htmlView struct {
	Title, Marking, Rule string
	Groups               []htmlGroup
	Tables               []htmlTable
	Arms                 []htmlGroup
	Voice                []outcomes.VoiceMeasure
	VoiceDefinition      string
	Definitions          [][3]string
}

func view(r *outcomes.Report, title string) htmlView {
	v := htmlView{Title: title, Marking: Marking, Rule: Rule, Definitions: definitions(r), Voice: r.Voice}
	if len(r.Voice) > 0 {
		v.VoiceDefinition = outcomes.VoiceDefinition
	}
	for _, g := range groups(r) {
		hg := htmlGroup{Caption: scopeName(g.site, g.programme)}
		for _, m := range g.measures {
			num, den := counts(m)
			hg.Measures = append(hg.Measures, htmlMeasure{Label: m.Label, Figure: Figure(m), Numerator: num,
				Denominator: den, Interval: interval(m), PValue: pValue(m), Excluded: exclusions(m)})
		}
		v.Groups = append(v.Groups, hg)
	}
	for i := range r.Equality {
		t := &r.Equality[i]
		ht := htmlTable{Caption: tableTitle(t), Total: t.Total.String(), Known: t.Known.String(), Source: t.Reference}
		for _, row := range t.Rows {
			ht.Rows = append(ht.Rows, htmlRow{Label: row.Label, Count: row.Count.String(),
				Share: share(row.Share, row.Count), Reference: share(row.Reference, outcomes.Count{})})
		}
		v.Tables = append(v.Tables, ht)
	}
	for _, a := range r.Arms {
		hg := htmlGroup{Caption: armCaption(a.Arm)}
		for i := range a.Measures {
			m := &a.Measures[i]
			num, den := counts(m)
			hg.Measures = append(hg.Measures, htmlMeasure{Label: m.Label, Figure: Figure(m), Numerator: num,
				Denominator: den, Interval: interval(m), PValue: pValue(m), Excluded: exclusions(m)})
		}
		v.Arms = append(v.Arms, hg)
	}
	return v
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 60rem; margin: 1rem auto; padding: 0 1rem; color: #0b0c0c; background: #fff; }
table { border-collapse: collapse; margin: 0 0 2rem; width: 100%; }
caption { text-align: left; font-weight: bold; font-size: 1.1rem; padding: 0.5rem 0; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
td.n { text-align: right; }
.marking { font-weight: bold; }
</style>
</head>
<body>
<p class="marking">{{.Marking}}</p>
<main>
<h1>{{.Title}}</h1>
<p>{{.Rule}}</p>
<h2>Measures</h2>
{{range .Groups}}<table>
<caption>{{.Caption}}</caption>
<thead><tr><th scope="col">Measure</th><th scope="col">Figure</th><th scope="col">Numerator</th><th scope="col">Denominator</th><th scope="col">95% interval</th><th scope="col">p-value</th><th scope="col">Left out</th></tr></thead>
<tbody>
{{range .Measures}}<tr><th scope="row">{{.Label}}</th><td class="n">{{.Figure}}</td><td class="n">{{.Numerator}}</td><td class="n">{{.Denominator}}</td><td>{{.Interval}}</td><td>{{.PValue}}</td><td>{{.Excluded}}</td></tr>
{{end}}</tbody>
</table>
{{end}}{{if .Tables}}<h2>Equality</h2>
{{range .Tables}}<table>
<caption>{{.Caption}}</caption>
<thead><tr><th scope="col">Category</th><th scope="col">Count</th><th scope="col">Share of those who answered</th><th scope="col">Reference share</th></tr></thead>
<tbody>
{{range .Rows}}<tr><th scope="row">{{.Label}}</th><td class="n">{{.Count}}</td><td class="n">{{.Share}}</td><td class="n">{{.Reference}}</td></tr>
{{end}}<tr><th scope="row">Total</th><td class="n">{{.Total}}</td><td></td><td></td></tr>
<tr><th scope="row">Answered</th><td class="n">{{.Known}}</td><td></td><td></td></tr>
</tbody>
</table>
{{if .Source}}<p>Reference: {{.Source}}</p>
{{end}}{{end}}{{end}}{{if .Arms}}<h2>Trial: intervention against comparison</h2>
{{range .Arms}}<table>
<caption>{{.Caption}}</caption>
<thead><tr><th scope="col">Measure</th><th scope="col">Figure</th><th scope="col">Numerator</th><th scope="col">Denominator</th><th scope="col">95% interval</th><th scope="col">p-value</th><th scope="col">Left out</th></tr></thead>
<tbody>
{{range .Measures}}<tr><th scope="row">{{.Label}}</th><td class="n">{{.Figure}}</td><td class="n">{{.Numerator}}</td><td class="n">{{.Denominator}}</td><td>{{.Interval}}</td><td>{{.PValue}}</td><td>{{.Excluded}}</td></tr>
{{end}}</tbody>
</table>
{{end}}{{end}}{{if .Voice}}<h2>In their own words</h2>
<table>
<caption>What victim-survivors report themselves</caption>
<thead><tr><th scope="col">Measure</th><th scope="col">Reported</th><th scope="col">Of</th><th scope="col">Share</th></tr></thead>
<tbody>
{{range .Voice}}<tr><th scope="row">{{.Label}}</th><td class="n">{{.Yes}}</td><td class="n">{{.Of}}</td><td class="n">{{.Share}}</td></tr>
{{end}}</tbody>
</table>
<p>{{.VoiceDefinition}}</p>
{{end}}<h2>How each figure is calculated</h2>
<dl>
{{range .Definitions}}<dt>{{index . 1}} ({{index . 0}})</dt>
<dd>{{index . 2}}</dd>
{{end}}</dl>
</main>
<p class="marking">{{.Marking}}</p>
</body>
</html>
`))
