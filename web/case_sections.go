package web

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/drive-platform/drive/service"
)

// caseSection is one page of a perpetrator case, and its item in the
// case's sub navigation (MOJ sub navigation pattern). The case was one page
// of every section and form, 8,000 px and more; a worker now opens the part
// they came for, and each form has a page of its own.
type caseSection struct {
	// Key is the last part of the section's address, /cases/{id}/{key};
	// "" for the summary at /cases/{id}.
	Key   string
	Label string
	// show says whether the case offers the section to this reader; nil
	// offers it always. A section that is not offered still answers "not
	// found" on its own (its handler asks the service), so hiding the
	// link is never the only gate.
	show func(*service.CaseView) bool
}

// caseSections is every section of a case, in the order of its sub
// navigation. A new page of a case is added here, with its GET route in
// routeList, and every case page links to it.
var caseSections = []caseSection{
	{Key: "", Label: "Summary"},
	{Key: "plan", Label: "Plan"},
	{Key: "contacts", Label: "Contacts"},
	{Key: "reviews", Label: "Reviews"},
	{Key: "notes", Label: "Notes", show: func(v *service.CaseView) bool { return v.CanReadNotes }},
	{Key: "victims", Label: "Victims' risk", show: func(v *service.CaseView) bool { return v.CanReadRisk }},
	{Key: "police", Label: "Police history", show: func(v *service.CaseView) bool { return v.PoliceHistory }},
	{Key: "appointments", Label: "Appointments"},
	{Key: "documents", Label: "Documents"},
	{Key: "timeline", Label: "Timeline"},
}

// subNavItem is one link of a case's sub navigation as a template shows it.
type subNavItem struct {
	Label   string
	Href    string
	Current bool
}

// caseSubNav lists the sections of case v its reader is offered, marking
// current (a section's Key) as the page being shown.
func caseSubNav(v *service.CaseView, current string) []subNavItem {
	var items []subNavItem
	for _, sec := range caseSections {
		if sec.show != nil && !sec.show(v) {
			continue
		}
		items = append(items, subNavItem{Label: sec.Label, Href: casePath(v.Case.ID, sec.Key), Current: sec.Key == current})
	}
	return items
}

// subNavHTML is the list items of a case's sub navigation, as
// templates/partials.html's "case-header" prints them. They are written
// here rather than by the template because every page of a case shows
// them and the template printed each link through three escaping calls
// and its label through one. The addresses are casePath's, which hold
// only digits and the sections' keys, letters and "/"
// (TestCaseSubNavHTML checks each reads as the template printed it);
// labels and addresses are escaped as html/template escapes them.
func subNavHTML(items []subNavItem) template.HTML {
	var b strings.Builder
	for _, it := range items {
		b.WriteString(`<li class="moj-sub-navigation__item"><a class="moj-sub-navigation__link"`)
		if it.Current {
			b.WriteString(` aria-current="page"`)
		}
		b.WriteString(` href="`)
		b.WriteString(escapeHTML(it.Href))
		b.WriteString(`">`)
		b.WriteString(escapeHTML(it.Label))
		b.WriteString("</a></li>\n    ")
	}
	return template.HTML(b.String()) // #nosec G203 -- fixed markup around labels and addresses passed through escapeHTML
}

// casePath is the address of a section of a case.
func casePath(id int64, key string) string {
	p := "/cases/" + strconv.FormatInt(id, 10)
	if key != "" {
		p += "/" + key
	}
	return p
}
