// Package layout writes the parts of the page layout (web/templates/
// layout.html) that every page shows the same way: the head's links to the
// built assets and the service navigation's items. They are written in Go
// rather than printed by the template because every page carries them and
// the template printed each link through several escaping calls; what is
// written here reads exactly as the template printed it, escaped as
// html/template escapes text and quoted attributes. The web package's
// pages and the browser tests' sample page (browsertest) both use it, so
// the layout has one writer of these parts.
package layout

import (
	"html/template"
	"strings"
)

// NavItem is one link of the service navigation.
type NavItem struct {
	Label   string
	Href    string
	Current bool
}

// Nav is the list items of the service navigation (GOV.UK service
// navigation), the current one marked for assistive technology and, for
// browsers without styles, in bold.
func Nav(items []NavItem) template.HTML {
	var b strings.Builder
	for _, it := range items {
		if it.Current {
			b.WriteString("\n            <li class=\"govuk-service-navigation__item govuk-service-navigation__item--active\">\n              <a class=\"govuk-service-navigation__link\" href=\"")
			b.WriteString(Escape(it.Href))
			b.WriteString("\" aria-current=\"page\">\n                <strong class=\"govuk-service-navigation__active-fallback\">")
			b.WriteString(Escape(it.Label))
			b.WriteString("</strong>\n              </a>\n            </li>")
			continue
		}
		b.WriteString("\n            <li class=\"govuk-service-navigation__item\">\n              <a class=\"govuk-service-navigation__link\" href=\"")
		b.WriteString(Escape(it.Href))
		b.WriteString("\">")
		b.WriteString(Escape(it.Label))
		b.WriteString("</a>\n            </li>")
	}
	return template.HTML(b.String()) // #nosec G203 -- fixed markup around labels and addresses passed through Escape
}

// Head is the links in a page's head to the built icon, stylesheet and
// script, at the addresses path gives for each asset's name (the
// content-hashed URLs of static.Assets.Path). A missing asset is an error.
func Head(path func(name string) (string, error)) (template.HTML, error) {
	var b strings.Builder
	for _, a := range []struct{ name, before, after string }{
		{"favicon.svg", `<link rel="icon" href="`, `" type="image/svg+xml">`},
		{"drive.css", "\n  <link rel=\"stylesheet\" href=\"", `">`},
		{"drive.js", "\n  <script type=\"module\" src=\"", `"></script>`},
	} {
		p, err := path(a.name)
		if err != nil {
			return "", err
		}
		b.WriteString(a.before)
		b.WriteString(Escape(p))
		b.WriteString(a.after)
	}
	return template.HTML(b.String()), nil // #nosec G203 -- fixed markup around asset paths passed through Escape
}

// Escape escapes s for HTML text or a quoted attribute's value as
// html/template does, which also writes "+" as "&#43;", so what is written
// here reads the same as what a template printed.
func Escape(s string) string {
	return strings.ReplaceAll(template.HTMLEscapeString(s), "+", "&#43;")
}
