package web

import (
	"html/template"
	"strings"
	"testing"

	"github.com/drive-platform/drive/web/layout"
	"github.com/drive-platform/drive/web/static"
)

// TestWriteOptionEscapesAsTemplates checks that an option prepared in Go
// reads byte for byte as the template printed it, for every ASCII
// character and some others, so the case page's lists are escaped
// exactly as before.
func TestWriteOptionEscapesAsTemplates(t *testing.T) {
	tmpl := template.Must(template.New("o").Parse(`<select>{{range .}}<option value="{{.V}}"{{if .S}} selected{{end}}>{{.L}}</option>{{end}}</select>`))
	var ascii strings.Builder
	for c := 0; c < 128; c++ {
		ascii.WriteByte(byte(c))
	}
	values := []string{"", "Case Manager 01", "O'Brien & Sons", `"quoted" <b>bold</b>`, "a+b", "Zoë Ångström", "\u2028\u00a0", "\x00", ascii.String(),
		"javascript:alert(1)", "&amp;", "&#43;"}
	type opt struct {
		V, L string
		S    bool
	}
	for _, v := range values {
		for _, selected := range []bool{false, true} {
			var want strings.Builder
			if err := tmpl.Execute(&want, []opt{{V: v, L: v, S: selected}}); err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			got.WriteString("<select>")
			writeOption(&got, v, v, selected)
			got.WriteString("</select>")
			if got.String() != want.String() {
				t.Errorf("option %q:\n got %q\nwant %q", v, got.String(), want.String())
			}
		}
	}
}

// TestCaseSubNavHTML checks that the sub navigation written in Go reads
// byte for byte as the template printed it, for every section of a case
// marked as the page shown in turn.
func TestCaseSubNavHTML(t *testing.T) {
	tmpl := template.Must(template.New("n").Parse(`    {{range .}}<li class="moj-sub-navigation__item"><a class="moj-sub-navigation__link"{{if .Current}} aria-current="page"{{end}} href="{{.Href}}">{{.Label}}</a></li>
    {{end}}`))
	for _, id := range []int64{1, 42, 9007199254740993} {
		for _, current := range caseSections {
			var items []subNavItem
			for _, sec := range caseSections {
				items = append(items, subNavItem{Label: sec.Label, Href: casePath(id, sec.Key), Current: sec.Key == current.Key})
			}
			var want strings.Builder
			if err := tmpl.Execute(&want, items); err != nil {
				t.Fatal(err)
			}
			if got := "    " + string(subNavHTML(items)); got != want.String() {
				t.Errorf("case %d at %q:\n got %q\nwant %q", id, current.Key, got, want.String())
			}
		}
	}
}

// TestNavHTML checks that the service navigation written in Go reads
// byte for byte as the layout printed it, with every item of the menu
// marked current in turn, and with labels that need escaping.
func TestNavHTML(t *testing.T) {
	tmpl := template.Must(template.New("n").Parse(`<ul class="govuk-service-navigation__list" id="navigation">
            {{- range .}}
            {{- if .Current}}
            <li class="govuk-service-navigation__item govuk-service-navigation__item--active">
              <a class="govuk-service-navigation__link" href="{{.Href}}" aria-current="page">
                <strong class="govuk-service-navigation__active-fallback">{{.Label}}</strong>
              </a>
            </li>
            {{- else}}
            <li class="govuk-service-navigation__item">
              <a class="govuk-service-navigation__link" href="{{.Href}}">{{.Label}}</a>
            </li>
            {{- end}}
            {{- end}}
          </ul>`))
	for current := -1; current < len(menu)+1; current++ {
		var items []NavItem
		for i, m := range menu {
			items = append(items, NavItem{Label: m.label, Href: m.href, Current: i == current})
		}
		items = append(items, NavItem{Label: `Tom & "Jerry's" <b>+1</b>`, Href: "/a", Current: current == len(menu)})
		var want strings.Builder
		if err := tmpl.Execute(&want, items); err != nil {
			t.Fatal(err)
		}
		got := `<ul class="govuk-service-navigation__list" id="navigation">` + string(layout.Nav(items)) + "\n          </ul>"
		if got != want.String() {
			t.Errorf("current %d:\n got %q\nwant %q", current, got, want.String())
		}
	}
}

// TestAssetHead checks that the head's links written once read byte for
// byte as the layout printed them through the asset function.
func TestAssetHead(t *testing.T) {
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{assets: assets}
	tmpl := template.Must(template.New("h").Funcs(template.FuncMap{"asset": assets.Path}).Parse(`<head>
  <link rel="icon" href="{{asset "favicon.svg"}}" type="image/svg+xml">
  <link rel="stylesheet" href="{{asset "drive.css"}}">
  <script type="module" src="{{asset "drive.js"}}"></script>
</head>`))
	var want strings.Builder
	if err := tmpl.Execute(&want, nil); err != nil {
		t.Fatal(err)
	}
	head, err := s.assetHead()
	if err != nil {
		t.Fatal(err)
	}
	if got := "<head>\n  " + string(head) + "\n</head>"; got != want.String() {
		t.Errorf("head:\n got %q\nwant %q", got, want.String())
	}
}
