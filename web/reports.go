package web

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/reportfile"
	"github.com/drive-platform/drive/service"
	svgchart "github.com/drive-platform/drive/web/chart"
	"github.com/drive-platform/drive/web/form"
)

// The outcome reports (issue 14): one page for everyone who may read
// aggregates, adapting to what they may read. A site's staff see their
// site; a commissioner the sites they fund, side by side; the national
// team and evaluators every site side by side and the trends by quarter.
// Every figure comes from package outcomes through the service, already
// rounded or withheld: this file counts nothing, it only lays out what
// the report says, as cards, charts and the tables beside them.

// trendQuarters is how many quarters the trends cover.
const trendQuarters = 8

// reportsData is what templates/reports.html shows.
type reportsData struct {
	Sites      []siteChoice
	AllSites   bool
	Periods    []optionChoice
	Programmes []optionChoice
	Errors     FormErrors

	// What the report covers, in words.
	Scope, Period, Programme string
	// Comparing is true when sites are shown side by side.
	Comparing bool
	Reach     []reportCard
	Sections  []reportFigure
	// Comparison holds the headline figures site by site.
	Comparison []reportFigure
	// Trends holds the headline figures by quarter (national readers).
	Trends []reportFigure
	// Trial sets a trial's intervention arm against its comparison arm,
	// where a trial allocated referrals in scope.
	Trial     []reportFigure
	Equality  []equalityView
	Downloads []reportLink
	// Voice is the victim-survivors' own measures, beside the
	// practitioners': for IDVA services and the national team only
	// (service.HerOwnMeasures); nil for everyone else.
	Voice *service.HerMeasures

	// Path is the address of the page shown (without the filter), where
	// the filter form sends a new choice so the reader stays on it.
	Path string
	// Overview is true on the report's first page: the headline counts.
	Overview bool
	// Parts are the report's parts in the sub navigation; Pages the pages
	// of the part shown, when it has more than one.
	Parts, Pages []reportNav
}

// reportNav is a link of the report's sub navigation or of the list of a
// part's pages.
type reportNav struct {
	Label, Href string
	Current     bool
}

// reportPage is one page of the report. The report was one page of every
// chart and table, 11,000 px and more (22,000 for national readers), so
// each figure now has a page of its own at /reports/{key}, grouped in
// parts; the downloads still hold the whole report.
type reportPage struct {
	// Key is the last part of the page's address; "" for the overview at
	// /reports.
	Key, Part, Label string
	// keep empties every figure of data d not on this page.
	keep func(d *reportsData)
}

// reportParts names the parts of the report in the order of the sub
// navigation.
var reportParts = []struct{ Key, Label string }{
	{"overview", "Overview"}, {"outcomes", "Outcomes"}, {"her-own-words", "In their own words"}, {"trial", "Trial"},
	{"sites", "Sites side by side"}, {"trends", "Trends by quarter"}, {"equality", "Equality"},
}

// reportPages lists the pages report d has, in order.
func reportPages(d *reportsData) []reportPage {
	figures := func(part string, figs []reportFigure, set func(*reportsData, []reportFigure)) []reportPage {
		var out []reportPage
		for i, f := range figs {
			out = append(out, reportPage{Key: f.ID, Part: part, Label: f.Heading, keep: func(d *reportsData) { set(d, figs[i:i+1]) }})
		}
		return out
	}
	reach := d.Reach
	pages := []reportPage{{Key: "", Part: "overview", Label: "Overview", keep: func(d *reportsData) { d.Overview, d.Reach = true, reach }}}
	pages = append(pages, figures("outcomes", d.Sections, func(d *reportsData, f []reportFigure) { d.Sections = f })...)
	if v := d.Voice; v != nil {
		pages = append(pages, reportPage{Key: "her-own-words", Part: "her-own-words", Label: "In their own words", keep: func(d *reportsData) { d.Voice = v }})
	}
	pages = append(pages, figures("trial", d.Trial, func(d *reportsData, f []reportFigure) { d.Trial = f })...)
	pages = append(pages, figures("sites", d.Comparison, func(d *reportsData, f []reportFigure) { d.Comparison = f })...)
	pages = append(pages, figures("trends", d.Trends, func(d *reportsData, f []reportFigure) { d.Trends = f })...)
	for i, e := range d.Equality {
		all := d.Equality
		pages = append(pages, reportPage{Key: "equality-" + strconv.Itoa(i+1), Part: "equality", Label: e.Caption,
			keep: func(d *reportsData) { d.Equality = all[i : i+1] }})
	}
	return pages
}

// showPage keeps in d only the page with key, and the links to every
// page; false if the report has no such page (for this filter).
func (d *reportsData) showPage(key, query string) bool {
	pages := reportPages(d)
	i := slices.IndexFunc(pages, func(p reportPage) bool { return p.Key == key })
	if i < 0 {
		return false
	}
	href := func(k string) string {
		h := "/reports"
		if k != "" {
			h += "/" + k
		}
		if query != "" {
			h += "?" + query
		}
		return h
	}
	shown := pages[i]
	for _, part := range reportParts {
		j := slices.IndexFunc(pages, func(p reportPage) bool { return p.Part == part.Key })
		if j >= 0 {
			d.Parts = append(d.Parts, reportNav{Label: part.Label, Href: href(pages[j].Key), Current: part.Key == shown.Part})
		}
	}
	for _, p := range pages {
		if p.Part == shown.Part {
			d.Pages = append(d.Pages, reportNav{Label: p.Label, Href: href(p.Key), Current: p.Key == key})
		}
	}
	if len(d.Pages) < 2 {
		d.Pages = nil
	}
	d.Reach, d.Sections, d.Voice, d.Trial, d.Comparison, d.Trends, d.Equality = nil, nil, nil, nil, nil, nil, nil
	shown.keep(d)
	return true
}

type optionChoice struct {
	Value, Label string
	Selected     bool
}

type reportLink struct{ Label, Href string }

// reportCard is one headline count.
type reportCard struct {
	Label, Value string
	How          measureHow
}

// reportFigure is a chart with its table and how each figure in it is
// calculated.
type reportFigure struct {
	ID, Heading, Intro string
	Chart              template.HTML
	Caption            string
	Columns            []reportColumn
	Rows               []reportRow
	How                []measureHow
}

// reportColumn is a table heading.
type reportColumn struct {
	Label string
}

type reportRow struct {
	Label string
	Cells []reportCell
}

// reportCell is a table cell; Count marks a published count of people or
// cases (rounded or withheld), which the tests hold to the rule.
type reportCell struct {
	Text  string
	Count bool
}

// cells makes a row's cells: those at the given positions are counts.
func cells(texts []string, countAt ...int) []reportCell {
	out := make([]reportCell, len(texts))
	for i, t := range texts {
		out[i] = reportCell{Text: t, Count: t != "" && slices.Contains(countAt, i)}
	}
	return out
}

// measureHow is the "How this is calculated" note of a measure.
type measureHow struct {
	Label, Definition      string
	Numerator, Denominator string
	// StaffDenominator is true when the denominator counts staff, not
	// people the service works with, and so is published as it is.
	StaffDenominator bool
	// Short hides the label from sight where the measure is named beside
	// the note already (a card); screen readers still hear it.
	Short      bool
	Exclusions []exclusionView
	Notes      []string
}

type exclusionView struct{ Reason, Cases string }

// equalityView is an equality table ready to show.
type equalityView struct {
	Caption      string
	Total, Known string
	Source       string
	Rows         []equalityRowView
}

type equalityRowView struct {
	Label, Count, Share, Reference, Difference, Interval string
}

// reportQuery reads the filter and the sites the user may report on. A
// site the user may not read is "not found", as the service answers.
func (s *Server) reportQuery(r *http.Request) (*form.ReportFilter, []account.Site, bool, error) {
	sites, national, err := s.svc.OutcomeSites(r.Context(), actorOf(r))
	if err != nil {
		return nil, nil, false, err
	}
	if len(sites) == 0 && !national {
		return nil, nil, false, drive.NotFound("report")
	}
	f := form.NewReportFilter(r.URL.Query(), s.svc.Today())
	if f.Site != 0 && f.Validate() == nil && !slices.ContainsFunc(sites, func(st account.Site) bool { return st.ID == f.Site }) {
		return nil, nil, false, drive.NotFound("site")
	}
	return f, sites, national, nil
}

// outcomeFilter is the service's filter for the report: sites side by
// side when it covers more than one.
func outcomeFilter(f *form.ReportFilter, sites []account.Site, national bool) service.OutcomeFilter {
	of := service.OutcomeFilter{Programme: f.Programme, From: f.From, To: f.To}
	if f.Site != 0 {
		of.SiteIDs = []int64{f.Site}
	} else {
		of.BySite = national || len(sites) > 1
	}
	return of
}

// reports shows the outcome report page.
func (s *Server) reports(w http.ResponseWriter, r *http.Request) error {
	f, sites, national, err := s.reportQuery(r)
	if err != nil {
		return err
	}
	today := s.svc.Today()
	d := reportsData{AllSites: f.Site == 0, Path: "/reports"}
	section := r.PathValue("section")
	if section != "" {
		d.Path += "/" + section
	}
	for _, st := range sites {
		d.Sites = append(d.Sites, siteChoice{ID: st.ID, Name: st.Name, Selected: st.ID == f.Site})
	}
	for _, p := range form.Periods(today) {
		d.Periods = append(d.Periods, optionChoice{Value: p.Value, Label: p.Label, Selected: p.Value == f.Period})
	}
	for _, p := range []optionChoice{{"", "All programmes", false}, {"drive", "Drive", false}, {"restart", "Restart", false}} {
		p.Selected = p.Value == f.Programme
		d.Programmes = append(d.Programmes, p)
	}
	if err := f.Validate(); err != nil {
		d.Errors = formErrors(f.Errors(), "site", "period", "from", "to", "programme")
		return s.render(w, r, http.StatusUnprocessableEntity, "reports", s.page(r, "Error: Outcomes", d))
	}
	of := outcomeFilter(f, sites, national)
	// National readers see the trends by quarter too: the last eight
	// quarters, oldest first, read with the report in one go.
	var periods []service.OutcomePeriod
	qs := form.Quarters(today, trendQuarters)
	slices.Reverse(qs)
	if national {
		for _, q := range qs {
			periods = append(periods, service.OutcomePeriod{From: q.Start(), To: q.End()})
		}
	}
	rep, reps, err := s.svc.OutcomesWithTrend(r.Context(), actorOf(r), of, periods)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, st := range sites {
		names[st.Code] = st.Name
	}
	prog := f.Programme
	if prog == "" {
		prog = outcomes.All
	}
	v := newReportView(rep, prog)
	d.Scope = "All your sites"
	switch {
	case f.Site != 0:
		for _, st := range sites {
			if st.ID == f.Site {
				d.Scope = st.Name
			}
		}
	case national:
		d.Scope = "All sites"
	case len(sites) == 1:
		d.Scope = sites[0].Name
	}
	if f.Period != "" {
		p, _ := form.ParsePeriod(f.Period, today)
		d.Period = p.Label
	} else {
		d.Period = f.From.Display() + " to " + f.To.Display()
	}
	d.Programme = map[string]string{"": "All programmes", "drive": "Drive", "restart": "Restart"}[f.Programme]
	d.Reach = v.reach()
	d.Sections = v.sections()
	if d.Voice, err = s.svc.HerOwnMeasures(r.Context(), actorOf(r), f.Site); err != nil {
		return err
	}
	d.Equality = v.equality()
	d.Trial = trialArms(rep)
	if of.BySite {
		d.Comparing = true
		d.Comparison = v.comparison(rep, names)
	}
	if national {
		labels := make([]string, len(qs))
		for i, q := range qs {
			labels[i] = fmt.Sprintf("Q%d %d", q.Q, q.Year)
		}
		d.Trends = trends(reps, labels, prog)
	}
	q := f.Query().Encode()
	d.Downloads = []reportLink{{"CSV", "/reports.csv?" + q}, {"Excel (XLSX)", "/reports.xlsx?" + q}, {"PDF", "/reports.pdf?" + q}}
	if !d.showPage(section, q) {
		// A page this filter's report does not have (sites side by
		// side for one site, say): its first page instead.
		to := "/reports"
		if q != "" {
			to += "?" + q
		}
		http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- a fixed path with a query re-encoded from the parsed filter, so never another host
		return nil
	}
	return s.render(w, r, http.StatusOK, "reports", s.page(r, "Outcomes", d))
}

// reportView finds a report's measures by site and name.
type reportView struct {
	prog string
	by   map[[2]string]outcomes.Measure // {site, name}
	eq   []outcomes.EqualityTable
}

func newReportView(rep *outcomes.Report, prog string) *reportView {
	v := &reportView{prog: prog, by: map[[2]string]outcomes.Measure{}}
	for _, m := range rep.Measures {
		if m.Programme == prog {
			v.by[[2]string{m.Site, m.Name}] = m
		}
	}
	for _, t := range rep.Equality {
		if t.Site == outcomes.All && t.Programme == prog {
			v.eq = append(v.eq, t)
		}
	}
	return v
}

// get returns the measure for the site ("all" for every site in scope).
func (v *reportView) get(site, name string) (outcomes.Measure, bool) {
	m, ok := v.by[[2]string{site, name}]
	return m, ok
}

// Names of the headline measures, by section.
var (
	reachNames     = []string{"perpetrators", "victim_survivors", "children", "living_together"}
	behaviourNames = []string{"physical_abuse_stopped", "sexual_abuse_stopped", "harassment_stalking_stopped", "jealous_controlling_stopped"}
	fidelityShares = []string{"idva_coverage", "engaged_share", "actions_completed_share", "actions_done_on_time_share", "assessments_on_time_share"}
	fidelityOther  = []string{"referral_to_allocation_days", "caseload_per_case_manager", "actions_per_prong_disrupt", "actions_per_prong_change", "actions_per_prong_support"}
	// comparedNames are the figures shown site by site and by quarter.
	comparedNames = []string{"perpetrators", "physical_abuse_stopped", "sexual_abuse_stopped", "harassment_stalking_stopped",
		"jealous_controlling_stopped", "idva_risk_reduced", "police_incidents_change", "repeat_marac_12m", "engaged_share"}
	trendNames = []string{"perpetrators", "physical_abuse_stopped", "jealous_controlling_stopped", "idva_risk_reduced", "repeat_marac_12m"}
)

// value writes a measure's value as published.
func value(m outcomes.Measure) string {
	switch {
	case m.Suppressed:
		return "[c]"
	case m.NoData:
		return "No data"
	}
	switch m.Unit {
	case outcomes.UnitPercent:
		return percent(m.Value)
	case outcomes.UnitDays:
		return strconv.FormatFloat(m.Value, 'f', 0, 64) + " days"
	case outcomes.UnitCount:
		return strconv.Itoa(m.Numerator)
	}
	return strconv.FormatFloat(m.Value, 'f', 2, 64)
}

// percent writes a share of 1 as a whole percentage, one decimal place
// below 10%.
func percent(x float64) string {
	p := x * 100
	if math.Abs(p) < 10 && p != 0 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(math.Round(p), 'f', 0, 64) + "%"
}

func interval(m outcomes.Measure) string {
	if m.Interval == nil || m.Suppressed || m.NoData {
		return ""
	}
	return percent(m.Interval.Low) + " to " + percent(m.Interval.High)
}

// counts writes a measure's published numerator and denominator: "[c]"
// for a withheld measure, blank where the measure has none.
func counts(m outcomes.Measure) (num, den string) {
	switch {
	case m.Suppressed:
		return "[c]", "[c]"
	case m.NoData:
		return "0", "0"
	case m.Unit == outcomes.UnitCount:
		return strconv.Itoa(m.Numerator), ""
	case m.Unit == outcomes.UnitDays:
		return "", strconv.Itoa(m.Denominator)
	}
	return strconv.Itoa(m.Numerator), strconv.Itoa(m.Denominator)
}

// how is the measure's "How this is calculated" note.
func how(m outcomes.Measure) measureHow {
	h := measureHow{Label: m.Label, Definition: m.Definition}
	h.Numerator, h.Denominator = counts(m)
	for _, e := range m.Exclusions {
		h.Exclusions = append(h.Exclusions, exclusionView{Reason: e.Reason, Cases: e.Cases.String()})
	}
	if m.Interval != nil {
		h.Notes = append(h.Notes, "The interval is the "+m.Interval.Method+" confidence interval of the share, worked out from the rounded counts shown.")
	}
	if m.Name == "caseload_per_case_manager" {
		h.StaffDenominator = true
		h.Notes = append(h.Notes, "The denominator counts case managers (staff), so it is shown as it is.")
	}
	if m.PValue != nil {
		p := "The two-sided exact McNemar test of the paired table gives p: " + boundedP(m) + "."
		if m.PValueBound {
			p += " A count in the table is withheld, so this is the largest p any count it could be would give."
		}
		h.Notes = append(h.Notes, p)
	}
	return h
}

// boundedP writes a p-value, "at most" one when a withheld count bounds it.
func boundedP(m outcomes.Measure) string {
	if m.PValue == nil {
		return ""
	}
	if m.PValueBound && *m.PValue >= 0.001 {
		return "at most " + pValue(*m.PValue)
	}
	return pValue(*m.PValue)
}

func pValue(p float64) string {
	if p < 0.001 {
		return "less than 0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

// bar is a measure as a bar of a chart of shares or means.
func bar(label string, m outcomes.Measure) svgchart.Bar {
	b := svgchart.Bar{Label: label, Value: m.Value, Text: value(m), Withheld: m.Suppressed || m.NoData}
	if m.Interval != nil && !b.Withheld {
		b.Interval, b.Low, b.High = true, m.Interval.Low, m.Interval.High
	}
	return b
}

var (
	measureColumns = []reportColumn{{Label: "Figure"}, {Label: "95% interval"}, {Label: "Numerator"}, {Label: "Denominator"}}
)

// measureRow is the table row of a measure.
func measureRow(label string, m outcomes.Measure) reportRow {
	num, den := counts(m)
	countAt := []int{2, 3}
	switch {
	case m.Unit == outcomes.UnitCount && !m.Suppressed:
		countAt = []int{0, 2} // the value is the count
	case m.Name == "caseload_per_case_manager" && !m.Suppressed:
		countAt = []int{2} // the denominator counts staff
	}
	return reportRow{Label: label, Cells: cells([]string{value(m), interval(m), num, den}, countAt...)}
}

// reach is the headline counts, as cards.
func (v *reportView) reach() []reportCard {
	var out []reportCard
	for _, n := range reachNames {
		if m, ok := v.get(outcomes.All, n); ok {
			h := how(m)
			h.Short = true
			out = append(out, reportCard{Label: m.Label, Value: value(m), How: h})
		}
	}
	return out
}

// sections is the headline figures for every site in scope together.
func (v *reportView) sections() []reportFigure {
	var out []reportFigure
	// Behaviour change, with the paired table.
	beh := reportFigure{ID: "behaviour", Heading: "Abusive behaviour stopped",
		Intro:   "Of the cases using each kind of abuse at the start (T1), the share no longer using it at the end (T3), as victim-survivors' assessments report it.",
		Caption: "Fall in cases using each kind of abuse, T1 to T3",
		Columns: []reportColumn{{Label: "Fall"}, {Label: "Stopped"}, {Label: "Started"}, {Label: "Continued"},
			{Label: "Never used"}, {Label: "Cases using it at T1"}, {Label: "McNemar p"}}}
	var bars []svgchart.Bar
	for _, n := range behaviourNames {
		m, ok := v.get(outcomes.All, n)
		if !ok {
			continue
		}
		label := strings.TrimSuffix(m.Label, ": fall in cases using it")
		bars = append(bars, bar(label, m))
		texts := []string{value(m), "[c]", "[c]", "[c]", "[c]", "[c]", ""}
		switch {
		case m.NoData:
			texts = []string{value(m), "0", "0", "0", "0", "0", ""}
		case m.Paired != nil:
			p := m.Paired
			texts = []string{value(m), p.YesToNo.String(), p.NoToYes.String(), p.YesToYes.String(), p.NoToNo.String(), strconv.Itoa(m.Denominator), ""}
			texts[6] = boundedP(m)
		}
		beh.Rows = append(beh.Rows, reportRow{Label: label, Cells: cells(texts, 1, 2, 3, 4, 5)})
		beh.How = append(beh.How, how(m))
	}
	beh.Chart = svgchart.Chart{ID: "chart-behaviour", Title: beh.Caption, Max: 1, Percent: true, Bars: bars,
		Desc: "A bar for each kind of abuse: the share of cases using it at T1 that no longer did at T3, written at the end of each bar. The table below gives the same figures."}.SVG()
	out = append(out, beh)

	// Risk: IDVA rating and DASH bands.
	out = append(out, v.shares("risk", "Risk to victim-survivors", "Risk as IDVAs rated it at exit, and DASH risk bands from the first assessment to the last.",
		[]string{"idva_risk_reduced", "dash_band_change"}, []string{"dash_score_change"}))

	// Police incidents before and after.
	pol := reportFigure{ID: "police", Heading: "Police-recorded incidents",
		Intro:   "Incidents recorded by the police in the 6 months before allocation and the 6 months after closure, per perpetrator.",
		Caption: "Police incidents per perpetrator, before and after", Columns: measureColumns}
	bars = nil
	for _, n := range []string{"police_incidents_before_mean", "police_incidents_after_mean", "police_incidents_change"} {
		m, ok := v.get(outcomes.All, n)
		if !ok {
			continue
		}
		if n != "police_incidents_change" {
			bars = append(bars, bar(map[string]string{"police_incidents_before_mean": "6 months before allocation", "police_incidents_after_mean": "6 months after closure"}[n], m))
		}
		pol.Rows = append(pol.Rows, measureRow(m.Label, m))
		pol.How = append(pol.How, how(m))
	}
	pol.Chart = svgchart.Chart{ID: "chart-police", Title: pol.Caption, Bars: bars,
		Desc: "Two bars: incidents per perpetrator in the 6 months before allocation and in the 6 months after closure, each value written beside its bar. The table below gives the same figures and the change."}.SVG()
	out = append(out, pol)

	out = append(out, v.shares("marac", "Repeat MARAC", "Cases heard again at a MARAC within 12 months of closure.", []string{"repeat_marac_12m"}, nil))
	out = append(out, v.shares("fidelity", "Fidelity to the model", "How closely the work followed the Drive model: support for victim-survivors, engagement, actions and assessments on time.",
		fidelityShares, nil))
	// The pace and load of the work are days and counts, not shares, so
	// they are a table of their own rather than bars on the shares' scale
	// (and together the two ran past three screens).
	out = append(out, v.shares("fidelity-work", "Pace and load of the work", "How soon a case was allocated, how many cases each case manager held, and the actions taken in each prong of the model.",
		nil, fidelityOther))
	return out
}

// shares is a section charting percentage measures (with intervals) and
// listing others in its table only.
func (v *reportView) shares(id, heading, intro string, charted, listed []string) reportFigure {
	f := reportFigure{ID: id, Heading: heading, Intro: intro, Caption: heading, Columns: measureColumns}
	var bars []svgchart.Bar
	for _, n := range append(slices.Clone(charted), listed...) {
		m, ok := v.get(outcomes.All, n)
		if !ok {
			continue
		}
		if slices.Contains(charted, n) {
			bars = append(bars, bar(m.Label, m))
		}
		f.Rows = append(f.Rows, measureRow(m.Label, m))
		f.How = append(f.How, how(m))
	}
	if len(bars) > 0 {
		f.Chart = svgchart.Chart{ID: "chart-" + id, Title: heading, Max: 1, Percent: true, Bars: bars,
			Desc: "A bar for each share, with a line across its 95% confidence interval where there is one and the value written beside it. The table below gives the same figures."}.SVG()
	}
	return f
}

// comparison is each compared measure site by site, beside all of them.
func (v *reportView) comparison(rep *outcomes.Report, names map[string]string) []reportFigure {
	var codes []string
	seen := map[string]bool{}
	for _, m := range rep.Measures {
		if m.Site != outcomes.All && !seen[m.Site] {
			seen[m.Site] = true
			codes = append(codes, m.Site)
		}
	}
	slices.SortFunc(codes, func(a, b string) int { return strings.Compare(names[a]+a, names[b]+b) })
	var out []reportFigure
	for _, n := range comparedNames {
		all, ok := v.get(outcomes.All, n)
		if !ok {
			continue
		}
		f := reportFigure{ID: "sites-" + n, Heading: all.Label, Caption: all.Label + ", by site", Columns: measureColumns, How: []measureHow{how(all)}}
		bars := []svgchart.Bar{bar("All sites shown", all)}
		f.Rows = append(f.Rows, measureRow("All sites shown", all))
		for _, code := range codes {
			m, ok := v.get(code, n)
			if !ok {
				continue
			}
			label := names[code]
			if label == "" {
				label = code
			}
			bars = append(bars, bar(label, m))
			f.Rows = append(f.Rows, measureRow(label, m))
		}
		c := svgchart.Chart{ID: "chart-sites-" + n, Title: f.Caption, Bars: bars,
			Desc: "A bar for each site and one for all of them, the value written beside each bar; [c] marks a withheld figure. The table below gives the same figures."}
		if all.Unit == outcomes.UnitPercent && n != "police_incidents_change" {
			c.Max, c.Percent = 1, true
		}
		if n == "police_incidents_change" {
			c.Percent = true
		}
		f.Chart = c.SVG()
		out = append(out, f)
	}
	return out
}

// trends is each trend measure quarter by quarter.
func trends(reps []*outcomes.Report, labels []string, prog string) []reportFigure {
	views := make([]*reportView, len(reps))
	for i, r := range reps {
		views[i] = newReportView(r, prog)
	}
	var out []reportFigure
	for _, n := range trendNames {
		var f reportFigure
		var bars []svgchart.Bar
		unit := ""
		for i, v := range views {
			m, ok := v.get(outcomes.All, n)
			if !ok {
				m = outcomes.Measure{Name: n, NoData: true}
			}
			if f.Heading == "" && m.Label != "" {
				f.Heading, unit = m.Label, m.Unit
				f.How = []measureHow{how(m)}
			}
			bars = append(bars, bar(labels[i], m))
			f.Rows = append(f.Rows, measureRow(labels[i], m))
		}
		if f.Heading == "" {
			continue
		}
		f.ID, f.Caption, f.Columns = "trend-"+n, f.Heading+", by quarter", measureColumns
		c := svgchart.Chart{ID: "chart-trend-" + n, Title: f.Caption, Bars: bars,
			Desc: "A column for each of the last " + strconv.Itoa(len(bars)) + " quarters, oldest first, the value written above each; [c] marks a withheld figure. The table below gives the same figures."}
		if unit == outcomes.UnitPercent {
			c.Max, c.Percent = 1, true
		}
		f.Chart = c.ColumnsSVG()
		out = append(out, f)
	}
	return out
}

// equality is the equality tables for every site in scope together.
func (v *reportView) equality() []equalityView {
	var out []equalityView
	pop := map[string]string{"perpetrators": "Perpetrators", "victim_survivors": "Victim-survivors"}
	opt := func(p *float64) string {
		if p == nil {
			return ""
		}
		return percent(*p)
	}
	for _, t := range v.eq {
		e := equalityView{Caption: pop[t.Population] + " by " + strings.ReplaceAll(t.Dimension, "_", " "), Total: t.Total.String(), Known: t.Known.String(), Source: t.Reference}
		for _, r := range t.Rows {
			row := equalityRowView{Label: r.Label, Count: r.Count.String(), Share: opt(r.Share), Reference: opt(r.Reference), Difference: opt(r.Difference)}
			if r.Difference != nil && !strings.HasPrefix(row.Difference, "-") && *r.Difference != 0 {
				row.Difference = "+" + row.Difference
			}
			if r.Interval != nil {
				row.Interval = percent(r.Interval.Low) + " to " + percent(r.Interval.High)
			}
			e.Rows = append(e.Rows, row)
		}
		out = append(out, e)
	}
	return out
}

// reportDownload serves the report the page shows as a file: the same
// filter, the same figures, through package reportfile. A filter that
// cannot be read is refused (422) before anything is read.
func (s *Server) reportDownload(ext string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, sites, national, err := s.reportQuery(r)
		if err != nil {
			return err
		}
		if err := f.Validate(); err != nil {
			return err
		}
		rep, err := s.svc.Outcomes(r.Context(), actorOf(r), outcomeFilter(f, sites, national))
		if err != nil {
			return err
		}
		// Her own measures go only to those on the IDVA side and the
		// national team (the service answers nil for anyone else), on a
		// copy: the report itself may be shared from the cache.
		if her, err := s.svc.HerOwnMeasures(r.Context(), actorOf(r), f.Site); err != nil {
			return err
		} else if her != nil {
			withHer := *rep
			withHer.Voice = her.Measures
			rep = &withHer
		}
		scope, name := "All sites", "all-sites"
		if f.Site != 0 {
			name = "site-" + strconv.FormatInt(f.Site, 10)
			for _, st := range sites {
				if st.ID == f.Site {
					scope = st.Name
				}
			}
		} else if !national && len(sites) == 1 {
			scope = sites[0].Name
		}
		period := f.Period
		label := f.From.Display() + " to " + f.To.Display()
		if period == "" {
			period = f.From.String() + "-to-" + f.To.String()
		} else if p, ok := form.ParsePeriod(f.Period, s.svc.Today()); ok {
			label = p.Label
		}
		prog := f.Programme
		if prog == "" {
			prog = "all"
		}
		title := "Drive outcomes: " + scope + ", " + label + ", " + map[string]string{"all": "all programmes", "drive": "Drive", "restart": "Restart"}[prog]
		file := "outcomes-" + name + "-" + strings.ToLower(period) + "-" + prog + "." + ext
		var body []byte
		contentType := ""
		switch ext {
		case "csv":
			body, contentType = reportfile.CSV(rep), "text/csv; charset=utf-8"
		case "xlsx":
			body, err = reportfile.XLSX(rep, title)
			contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		case "pdf":
			body, err = reportfile.PDF(rep, title, s.svc.Now())
			contentType = "application/pdf"
		}
		if err != nil {
			return err
		}
		// Aggregates only, but a report is still not for a shared cache.
		w.Header().Set("Cache-Control", "no-store")
		return serveDownload(w, contentType, file, body)
	}
}

// WarmReports computes the national outcome page's report as the page
// would ask for it by default (every site side by side, the last 12
// months, all programmes, eight quarters of trends) into the service's
// report cache, so the first national reader does not wait while a
// country's cases are read. drive serve calls it at start and then
// before each cached report expires.
func (s *Server) WarmReports(ctx context.Context) error {
	today := s.svc.Today()
	f := form.NewReportFilter(url.Values{}, today)
	if err := f.Validate(); err != nil {
		return err
	}
	var periods []service.OutcomePeriod
	qs := form.Quarters(today, trendQuarters)
	slices.Reverse(qs)
	for _, q := range qs {
		periods = append(periods, service.OutcomePeriod{From: q.Start(), To: q.End()})
	}
	return s.svc.WarmOutcomes(ctx, service.System("reports"), outcomeFilter(f, nil, true), periods)
}

// trialArms sets a trial's arms side by side, measure by measure, or
// returns nil when no trial allocated referrals in scope.
func trialArms(rep *outcomes.Report) []reportFigure {
	if len(rep.Arms) == 0 {
		return nil
	}
	fig := reportFigure{ID: "trial", Heading: "Intervention against comparison",
		Intro: "Referrals the panel accepted while a trial ran were allocated at random to Drive (intervention) or to usual services (comparison). " +
			"Both groups are followed for the same outcome period from allocation, so only measures both can have are compared.",
		Caption: "Trial arms side by side"}
	byName := map[string]map[string]outcomes.Measure{}
	var names []string
	for _, a := range rep.Arms {
		fig.Columns = append(fig.Columns, reportColumn{Label: armHeading(a.Arm)})
		for _, m := range a.Measures {
			if byName[m.Name] == nil {
				byName[m.Name] = map[string]outcomes.Measure{}
				names = append(names, m.Name)
			}
			byName[m.Name][a.Arm] = m
		}
	}
	var bars []svgchart.Bar
	for _, n := range names {
		var texts []string
		var countAt []int
		var label string
		for i, a := range rep.Arms {
			m := byName[n][a.Arm]
			label = m.Label
			texts = append(texts, value(m))
			if m.Unit == outcomes.UnitCount && !m.Suppressed {
				countAt = append(countAt, i)
			}
			h := how(m)
			h.Label = armHeading(a.Arm) + ": " + m.Label
			fig.How = append(fig.How, h)
			if n == "trial_repeat_marac_12m" {
				bars = append(bars, bar(armHeading(a.Arm), m))
			}
		}
		fig.Rows = append(fig.Rows, reportRow{Label: label, Cells: cells(texts, countAt...)})
	}
	fig.Chart = svgchart.Chart{ID: "chart-trial", Title: "Repeat MARAC within 12 months of the outcome period, by arm", Max: 1, Percent: true, Bars: bars,
		Desc: "A bar for each arm of the trial: the share of its referrals heard again at a MARAC within 12 months of the outcome period. The table below gives these and the other figures."}.SVG()
	return []reportFigure{fig}
}

func armHeading(arm string) string {
	switch arm {
	case evaluation.ArmIntervention:
		return "Intervention"
	case evaluation.ArmComparison:
		return "Comparison"
	}
	return arm
}
