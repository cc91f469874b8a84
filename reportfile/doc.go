// Package reportfile writes an outcome report (package outcomes) as files
// people take away: CSV, an Excel workbook, a PDF and a standalone HTML
// page, for the report pages' downloads and `drive report`.
//
// It renders and never counts. Every figure comes from the Report as
// outcomes.Compute published it, so a count withheld there ("[c]") is
// withheld here and a rounded count stays rounded; a withheld measure
// shows "[c]" for its numerator, denominator and value, never a zero that
// could be read as a true zero.
//
// Files leave the platform and are opened in spreadsheet programs, so text
// that a spreadsheet would run as a formula is neutralised: in CSV any
// cell beginning with =, +, -, @, a tab or a carriage return is prefixed
// with an apostrophe (negative figures included, so "-4.2" is written
// "'-4.2"); in the workbook every text cell is written as a string, never
// a formula, and figures as numbers.
package reportfile

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/suppress"
)

// Marking is printed on every page of the PDF and at the head of the
// other formats.
const Marking = "OFFICIAL: aggregate figures, small numbers suppressed"

// Rule is the publication rule, stated in every file.
const Rule = "Small numbers: every count from 1 to 7 is withheld and shown as [c]; " +
	"every other count is rounded to the nearest 5 (a zero stays 0). " +
	"Shares, means, changes, intervals and p-values are worked out from the rounded counts shown, " +
	"and are withheld when a count they are made from is withheld or when the denominator shown is below 10. " +
	"This stops anyone working out a small number of people from one report, or from two reports whose scopes differ slightly. " +
	"Two exceptions: the median days from referral to allocation is a median, rounded to whole days and shown only over at least 10 cases; " +
	"the number of case managers behind the caseload figure counts staff and is shown as it is."

// MeasureHeader is the header of the CSV's measure rows.
var MeasureHeader = []string{"measure", "site", "programme", "numerator", "denominator", "value",
	"suppressed", "unit", "interval_low", "interval_high", "p_value", "definition"}

// ArmHeader is the header of the CSV's rows comparing a trial's arms
// (outcomes.ArmFigures).
var ArmHeader = []string{"arm", "measure", "numerator", "denominator", "value", "suppressed", "unit", "definition"}

// EqualityHeader is the header of the CSV's equality rows.
var EqualityHeader = []string{"population", "dimension", "site", "programme", "category", "label",
	"count", "share", "reference_share", "difference", "difference_low", "difference_high",
	"total", "known", "reference_source"}

// withheld is how every withheld figure is written.
const withheld = suppress.Withheld

// counts returns a measure's numerator and denominator as published: "[c]"
// for a withheld measure, an empty denominator for a plain count (it has
// none).
func counts(m *outcomes.Measure) (num, den string) {
	if m.Suppressed {
		num, den = withheld, withheld
		if m.Unit == outcomes.UnitCount {
			den = ""
		}
		return num, den
	}
	num = strconv.Itoa(m.Numerator)
	if m.Unit != outcomes.UnitCount {
		den = strconv.Itoa(m.Denominator)
	}
	return num, den
}

// number writes a figure for a machine: as short as it is exact.
func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// rawValue is a measure's value for CSV: "[c]" when withheld, empty when
// there was nothing to measure.
func rawValue(m *outcomes.Measure) string {
	switch {
	case m.Suppressed:
		return withheld
	case m.NoData:
		return ""
	}
	return number(m.Value)
}

// Figure writes a measure's value for a reader: a percentage, a mean to
// one decimal place, whole days or a count; "[c]" when withheld and "no
// data" when there was nothing to measure. Means keep their decimal place
// so that no figure but a count is a bare whole number.
func Figure(m *outcomes.Measure) string {
	switch {
	case m.Suppressed:
		return withheld
	case m.NoData:
		return "no data"
	}
	return format(m.Unit, m.Value)
}

func format(unit string, v float64) string {
	switch unit {
	case outcomes.UnitPercent:
		return strconv.FormatFloat(v*100, 'f', 1, 64) + "%"
	case outcomes.UnitDays:
		return strconv.FormatFloat(v, 'f', 0, 64) + " days"
	case outcomes.UnitCount:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// interval writes a measure's 95% interval for a reader, or "".
func interval(m *outcomes.Measure) string {
	if m.Interval == nil {
		return ""
	}
	return format(m.Unit, m.Interval.Low) + " to " + format(m.Unit, m.Interval.High)
}

// pValue writes a measure's p-value for a reader, or "". A bound (a
// discordant count withheld) is written "at most".
func pValue(m *outcomes.Measure) string {
	if m.PValue == nil {
		return ""
	}
	p := *m.PValue
	switch {
	case p < 0.001 && m.PValueBound:
		return "at most 0.001"
	case p < 0.001:
		return "below 0.001"
	case m.PValueBound:
		return "at most " + strconv.FormatFloat(p, 'g', 3, 64)
	}
	return strconv.FormatFloat(p, 'g', 3, 64)
}

// share writes an equality share for a reader, or "[c]" when the row's
// count is withheld and "" when there is no share.
func share(p *float64, c outcomes.Count) string {
	if p == nil {
		if c.Suppressed {
			return withheld
		}
		return ""
	}
	return strconv.FormatFloat(*p*100, 'f', 1, 64) + "%"
}

// scopeName names a group of figures: "All sites, all programmes" or
// "Site S01, programme drive".
func scopeName(site, programme string) string {
	s := "All sites"
	if site != outcomes.All {
		s = "Site " + site
	}
	if programme == outcomes.All {
		return s + ", all programmes"
	}
	return s + ", programme " + programme
}

// group is the measures of one site and programme, in report order.
type group struct {
	site, programme string
	measures        []*outcomes.Measure
}

// groups splits the measures by site and programme, keeping the order
// Compute gave them.
func groups(r *outcomes.Report) []group {
	var out []group
	for i := range r.Measures {
		m := &r.Measures[i]
		if n := len(out); n == 0 || out[n-1].site != m.Site || out[n-1].programme != m.Programme {
			out = append(out, group{site: m.Site, programme: m.Programme})
		}
		out[len(out)-1].measures = append(out[len(out)-1].measures, m)
	}
	return out
}

// definitions returns each measure name's label and definition once, in
// report order, the trial's arms last.
func definitions(r *outcomes.Report) [][3]string {
	seen := map[string]bool{}
	var out [][3]string
	for _, m := range r.Measures {
		if !seen[m.Name] {
			seen[m.Name] = true
			out = append(out, [3]string{m.Name, m.Label, m.Definition})
		}
	}
	for _, a := range r.Arms {
		for _, m := range a.Measures {
			if !seen[m.Name] {
				seen[m.Name] = true
				out = append(out, [3]string{m.Name, m.Label, m.Definition})
			}
		}
	}
	return out
}

// armCaption names the table of one arm of a trial.
func armCaption(arm string) string {
	switch arm {
	case "intervention":
		return "Trial: intervention arm"
	case "comparison":
		return "Trial: comparison arm"
	}
	return "Trial: " + arm
}

// exclusions writes the cases left out of a measure, or "".
func exclusions(m *outcomes.Measure) string {
	var parts []string
	for _, e := range m.Exclusions {
		parts = append(parts, fmt.Sprintf("%s: %s", e.Reason, e.Cases))
	}
	return strings.Join(parts, "; ")
}

// tableTitle names an equality table.
func tableTitle(t *outcomes.EqualityTable) string {
	pop := map[string]string{outcomes.PopulationPerpetrators: "Perpetrators",
		outcomes.PopulationVictimSurvivors: "Victim-survivors"}[t.Population]
	if pop == "" {
		pop = t.Population
	}
	return fmt.Sprintf("%s by %s: %s", pop, strings.ReplaceAll(t.Dimension, "_", " "), scopeName(t.Site, t.Programme))
}
