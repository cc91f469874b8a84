package web

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/web/layout"
)

// The case page's forms are prepared here in Go rather than worked out by
// templates/case.html. A template compares, calls methods and escapes
// every value it prints through reflection, one call each, and the
// team leader's page of a case printed over three hundred values that
// way: forty case managers' options alone were eighty. The markup stays
// in the template; what is prepared is the choices of its lists, already
// escaped, and which fields each decision asks for.

// decisionForm is one decision on a case (a casework.Transition) as its
// form on the case page shows it.
type decisionForm struct {
	Event casework.Event
	Label string
	// Needs are the fields the decision asks for, in the order the
	// transition lists them.
	Needs []decisionNeed
}

// decisionNeed is one field of a decision's form: exactly one of its
// members is set. Reasons and TransferReasons are the textarea
// partial's arguments (templates/partials.html).
type decisionNeed struct {
	Reasons         map[string]any
	CaseManager     bool
	ClosureReason   bool
	Site            bool
	TransferReasons map[string]any
}

// caseFieldErrors are the messages of the case page's decision fields
// from a form sent with errors, read once rather than looked up by the
// template for each place it shows one.
type caseFieldErrors struct {
	Reasons, CaseManager, ClosureReason, Site string
}

// caseDecisions fills d's decision forms and its lists' options for the
// case page, from its transitions and the errors of the form sent.
func (d *caseData) caseDecisions() {
	e := caseFieldErrors{Reasons: d.Errors.Get("reasons"), CaseManager: d.Errors.Get("case_manager"),
		ClosureReason: d.Errors.Get("closure_reason"), Site: d.Errors.Get("site")}
	d.FieldErrors = e
	d.Decisions = make([]decisionForm, 0, len(d.Transitions))
	for _, t := range d.Transitions {
		f := decisionForm{Event: t.Event, Label: t.Label, Needs: make([]decisionNeed, 0, len(t.Needs))}
		for _, n := range t.Needs {
			var need decisionNeed
			switch n {
			case "reasons":
				need.Reasons = map[string]any{"ID": "reasons-" + strconv.FormatInt(d.Case.ID, 10), "Name": "reasons", "Label": "Reasons",
					"Error": e.Reasons, "Rows": 2}
			case "case_manager":
				need.CaseManager = true
				if d.ManagerOptions == "" {
					d.ManagerOptions = options(d.CaseManagers, func(u account.User) (string, string, bool) {
						return strconv.FormatInt(u.ID, 10), u.DisplayName, false
					})
				}
			case "closure_reason":
				need.ClosureReason = true
				if d.ClosureOptions == "" {
					d.ClosureOptions = options(d.Closure, func(r programme.Reason) (string, string, bool) {
						return r.Code, r.Label, r.Code == d.Case.ClosureReason
					})
				}
			case "site":
				need.Site = true
				if d.SiteOptions == "" {
					d.SiteOptions = options(d.Sites, func(s account.Site) (string, string, bool) {
						return strconv.FormatInt(s.ID, 10), s.Name, false
					})
				}
				need.TransferReasons = map[string]any{"ID": "transfer-reasons", "Name": "reasons", "Label": "Reason for the transfer (optional)",
					"Hint":  "The receiving site's team leaders see this when they decide. Do not write where a victim-survivor lives or how to reach them.",
					"Error": e.Reasons, "Rows": 2}
			}
			f.Needs = append(f.Needs, need)
		}
		d.Decisions = append(d.Decisions, f)
	}
	d.EngagementOptions = options(d.Engage, func(g casework.Engagement) (string, string, bool) {
		return string(g), g.Label(), g == d.Case.Engagement
	})
}

// options writes a select's options, one for each item, with the value,
// label and whether selected that each gives.
func options[T any](items []T, each func(T) (value, label string, selected bool)) template.HTML {
	var b strings.Builder
	for _, it := range items {
		value, label, selected := each(it)
		writeOption(&b, value, label, selected)
	}
	return template.HTML(b.String()) // #nosec G203 -- options written by writeOption, which escapes every value and label
}

// writeOption writes one <option> of a select, its value and label
// escaped as html/template escapes them.
func writeOption(b *strings.Builder, value, label string, selected bool) {
	b.WriteString(`<option value="`)
	b.WriteString(escapeHTML(value))
	b.WriteString(`"`)
	if selected {
		b.WriteString(` selected`)
	}
	b.WriteString(`>`)
	b.WriteString(escapeHTML(label))
	b.WriteString(`</option>`)
}

// escapeHTML escapes s for HTML text or a quoted attribute's value,
// byte for byte as html/template escapes a string printed there
// (layout.Escape), so a page prepared here reads the same as one the
// template printed.
func escapeHTML(s string) string { return layout.Escape(s) }
