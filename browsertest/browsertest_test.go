package browsertest

import (
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/drive-platform/drive/web/layout"
	"github.com/drive-platform/drive/web/static"
)

// The sample page exercises the layout with the kinds of content Drive's pages
// have: a heading, a form with a hint and an error state, a sortable table, a
// tag and a timeline. All names and references in it are made up.
const sampleContent = `{{define "content"}}
<div class="govuk-grid-row">
  <div class="govuk-grid-column-two-thirds">
    {{template "error-summary" .Data.Errors}}
    <h1 class="govuk-heading-l">Cases</h1>
    <p class="govuk-body">Find a case by its reference, or choose one from the list of open cases.</p>
    <form method="post" action="/" novalidate>
      <input type="hidden" name="csrf_token" value="{{.CSRF}}">
      <div class="govuk-form-group{{if .Data.Error}} govuk-form-group--error{{end}}">
        <label class="govuk-label govuk-label--s" for="reference">Case reference</label>
        <div id="reference-hint" class="govuk-hint">For example, DR-1024</div>
        {{- with .Data.Error}}
        <p id="reference-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {{.}}</p>
        {{- end}}
        <input class="govuk-input govuk-input--width-10{{if .Data.Error}} govuk-input--error{{end}}" id="reference" name="reference" type="text" spellcheck="false" autocomplete="off"
          aria-describedby="reference-hint{{if .Data.Error}} reference-error{{end}}" value="{{.Data.Reference}}">
      </div>
      <button type="submit" class="govuk-button" data-module="govuk-button">Find case</button>
    </form>
  </div>
</div>

<div class="moj-scrollable-pane">
<table class="govuk-table" data-module="moj-sortable-table">
  <caption class="govuk-table__caption govuk-table__caption--m">Open cases</caption>
  <thead class="govuk-table__head">
    <tr class="govuk-table__row">
      <th scope="col" class="govuk-table__header" aria-sort="ascending">Reference</th>
      <th scope="col" class="govuk-table__header" aria-sort="none">Site</th>
      <th scope="col" class="govuk-table__header" aria-sort="none">Status</th>
      <th scope="col" class="govuk-table__header govuk-table__header--numeric" aria-sort="none">Days open</th>
    </tr>
  </thead>
  <tbody class="govuk-table__body">
    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="/cases/1">DR-1001</a></td>
      <td class="govuk-table__cell">North hub</td>
      <td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--blue">Active</strong></td>
      <td class="govuk-table__cell govuk-table__cell--numeric" data-sort-value="12">12</td>
    </tr>
    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="/cases/2">DR-1002</a></td>
      <td class="govuk-table__cell">East hub</td>
      <td class="govuk-table__cell"><strong class="govuk-tag govuk-tag--yellow">Awaiting panel</strong></td>
      <td class="govuk-table__cell govuk-table__cell--numeric" data-sort-value="3">3</td>
    </tr>
  </tbody>
</table>
</div>

<h2 class="govuk-heading-m">Recent activity</h2>
<div class="moj-timeline">
  <div class="moj-timeline__item">
    <div class="moj-timeline__header">
      <h3 class="moj-timeline__title">Referral accepted</h3>
      <p class="moj-timeline__byline">by a case manager</p>
    </div>
    <p class="moj-timeline__date"><time datetime="2025-03-04T10:15:00Z">4 March 2025 at 10:15am</time></p>
    <div class="moj-timeline__description">The panel accepted the referral.</div>
  </div>
</div>
{{end}}`

type sampleUser struct{ Name, Role, Site string }

type fieldError struct{ Field, Message string }

type sampleData struct {
	Reference string
	Error     string
	Errors    []fieldError
}

type samplePage struct {
	Title string
	User  *sampleUser
	CSRF  string
	Nav   []layout.NavItem
	// NavHTML is Nav as the layout shows it, written as the real pages
	// write it.
	NavHTML template.HTML
	Flash   string
	// Unread is the signed-in user's unread notifications, shown in the
	// header as the real pages do.
	Unread int
	Data   sampleData
}

const sampleCSRF = "sample-csrf-token"

// csp is the policy Drive's pages are meant to carry: nothing inline.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// sampleServer serves the sample page at / (GET, and POST for the form)
// with the real built assets. signedIn chooses whether a user is shown.
func sampleServer(t *testing.T, signedIn bool) *httptest.Server {
	t.Helper()
	assets, err := static.New()
	if err != nil {
		t.Fatal(err)
	}
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.New("layout.html").
		Funcs(template.FuncMap{"asset": assets.Path, "assetHead": func() (template.HTML, error) { return layout.Head(assets.Path) }}).
		ParseFiles(filepath.Join(root, "web", "templates", "layout.html"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tmpl.Parse(sampleContent); err != nil {
		t.Fatal(err)
	}

	render := func(w http.ResponseWriter, status int, p samplePage) {
		if signedIn {
			p.User = &sampleUser{Name: "Sam Example", Role: "Case manager", Site: "North hub"}
			p.Nav = []layout.NavItem{
				{Label: "Cases", Href: "/", Current: true},
				{Label: "Referrals", Href: "/referrals"},
				{Label: "Reports", Href: "/reports"},
			}
			p.NavHTML = layout.Nav(p.Nav)
		}
		p.CSRF = sampleCSRF
		var buf strings.Builder
		if err := tmpl.ExecuteTemplate(&buf, "layout", p); err != nil {
			t.Errorf("rendering: %v", err)
			http.Error(w, "render failed", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		fmt.Fprint(w, buf.String())
	}

	mux := http.NewServeMux()
	mux.Handle("GET "+static.Prefix, assets)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		render(w, http.StatusOK, samplePage{Title: "Cases"})
	})
	mux.HandleFunc("POST /{$}", func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("csrf_token") != sampleCSRF {
			http.Error(w, "bad token", http.StatusForbidden)
			return
		}
		ref := strings.TrimSpace(r.PostFormValue("reference"))
		if ref == "" {
			msg := "Enter a case reference"
			render(w, http.StatusUnprocessableEntity, samplePage{
				Title: "Error: Cases",
				Data:  sampleData{Error: msg, Errors: []fieldError{{Field: "reference", Message: msg}}},
			})
			return
		}
		render(w, http.StatusOK, samplePage{Title: "Cases", Flash: "Case " + ref + " found", Data: sampleData{Reference: ref}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func open(t *testing.T, b *Browser, url string) {
	t.Helper()
	status, err := b.Navigate(url)
	if err != nil {
		t.Fatal(err)
	}
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200", url, status)
	}
}

// screenshot saves a picture of the page when $BROWSERTEST_SCREENSHOTS names
// a directory, for a person to check the look of the layout.
func screenshot(t *testing.T, b *Browser, name string) {
	t.Helper()
	dir := os.Getenv("BROWSERTEST_SCREENSHOTS")
	if dir == "" {
		return
	}
	path := filepath.Join(dir, name)
	if err := b.Screenshot(path); err != nil {
		t.Error(err)
		return
	}
	t.Logf("screenshot: %s", path)
}

func style(t *testing.T, b *Browser, selector, property string) string {
	t.Helper()
	v, err := b.ComputedStyle(selector, property)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func exists(t *testing.T, b *Browser, selector string) bool {
	t.Helper()
	ok, err := b.Exists(selector)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

// assertBranded checks that drive.css loaded and applied Drive's brand.
func assertBranded(t *testing.T, b *Browser) {
	t.Helper()
	for _, sel := range []string{"body", ".govuk-heading-l", ".govuk-body", ".govuk-button", ".govuk-table"} {
		font := style(t, b, sel, "font-family")
		if strings.Contains(font, "GDS Transport") || !strings.HasPrefix(font, "system-ui") {
			t.Errorf("%s font-family = %s, want the system font stack", sel, font)
		}
	}
	if got, want := style(t, b, ".drive-header", "background-color"), "rgb(0, 84, 90)"; got != want {
		t.Errorf("header background = %s, want %s (Drive teal)", got, want)
	}
	if got, want := style(t, b, ".govuk-button", "background-color"), "rgb(0, 112, 60)"; got != want {
		t.Errorf("button background = %s, want %s: GOV.UK Frontend styles not applied", got, want)
	}
	if got := style(t, b, ".moj-timeline__item", "padding-left"); got == "0px" {
		t.Error("timeline not styled: MOJ Frontend styles not applied")
	}
	text, err := b.Text(".drive-header__wordmark")
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(text) != "Drive" {
		t.Errorf("wordmark text = %q, want Drive", text)
	}
}

func TestLayoutSignedIn(t *testing.T) {
	srv := sampleServer(t, true)
	b := New(t)
	open(t, b, srv.URL+"/")

	if title, err := b.Title(); err != nil || title != "Cases - Drive" {
		t.Errorf("title = %q, %v; want %q", title, err, "Cases - Drive")
	}
	assertBranded(t, b)

	// drive.js ran as a module under script-src 'self' and initialised both
	// libraries: GOV.UK's support class and MOJ's sortable table buttons.
	if !exists(t, b, "body.govuk-frontend-supported") {
		t.Error("body lacks govuk-frontend-supported: drive.js did not run")
	}
	if !exists(t, b, `th[aria-sort] button`) {
		t.Error("sortable table has no sort buttons: MOJ Frontend not initialised")
	}

	for _, sel := range []string{
		`a.drive-header__wordmark[href="/"]`,
		`form[action="/signout"][method="post"] input[type="hidden"][name="csrf_token"][value="` + sampleCSRF + `"]`,
		`form[action="/signout"] button[type="submit"]`,
		`.govuk-service-navigation a[aria-current="page"][href="/"]`,
		`a.govuk-skip-link[href="#main-content"]`,
		`main#main-content`,
		`footer a[href="/accessibility"]`,
		`footer a[href="/privacy"]`,
		`link[rel="icon"][href^="/assets/favicon."]`,
	} {
		if !exists(t, b, sel) {
			t.Errorf("page has no %s", sel)
		}
	}
	account, err := b.Text(".drive-header__account")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Sam Example", "Case manager, North hub", "Sign out"} {
		if !strings.Contains(account, want) {
			t.Errorf("header account area %q lacks %q", account, want)
		}
	}
	footer, err := b.Text("footer")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(footer, "Drive platform") {
		t.Errorf("footer %q lacks the platform name", footer)
	}

	b.AssertAccessible(t)
	b.AssertNoConsoleErrors(t)
	screenshot(t, b, "layout.png")
}

func TestLayoutWithoutJavaScript(t *testing.T) {
	srv := sampleServer(t, true)
	b := New(t, WithoutJavaScript())
	open(t, b, srv.URL+"/")

	assertBranded(t, b)
	if exists(t, b, "body.govuk-frontend-supported") {
		t.Error("drive.js ran with JavaScript off")
	}
	if exists(t, b, `th[aria-sort] button`) {
		t.Error("sort buttons present with JavaScript off")
	}
	// Without script the service navigation is a plain visible list and its
	// menu toggle stays hidden.
	if got := style(t, b, ".govuk-service-navigation__toggle", "display"); got != "none" {
		t.Errorf("navigation toggle display = %s, want none", got)
	}
	if got := style(t, b, ".govuk-service-navigation__list", "display"); got == "none" {
		t.Error("navigation list hidden without JavaScript")
	}

	b.AssertAccessible(t)
	// Axe switches script on only while it runs.
	if exists(t, b, "body.govuk-frontend-supported") {
		t.Error("drive.js ran after axe")
	}
	b.AssertNoConsoleErrors(t)
	screenshot(t, b, "layout-nojs.png")
}

func TestLayoutSignedOut(t *testing.T) {
	srv := sampleServer(t, false)
	b := New(t)
	open(t, b, srv.URL+"/")

	for _, sel := range []string{".drive-header__account", `form[action="/signout"]`, ".govuk-service-navigation"} {
		if exists(t, b, sel) {
			t.Errorf("signed-out page has %s", sel)
		}
	}
	b.AssertAccessible(t)
	b.AssertNoConsoleErrors(t)
}

// The form round trip: an empty submission shows the error summary, a valid
// one the notification banner, and both pages stay accessible.
func TestLayoutErrorSummaryAndFlash(t *testing.T) {
	srv := sampleServer(t, true)
	for _, js := range []bool{true, false} {
		t.Run(fmt.Sprintf("javascript=%v", js), func(t *testing.T) {
			var opts []Option
			if !js {
				opts = append(opts, WithoutJavaScript())
			}
			b := New(t, opts...)
			open(t, b, srv.URL+"/")

			status, err := b.Submit(`form[action="/"] button[type="submit"]`)
			if err != nil {
				t.Fatal(err)
			}
			if status != http.StatusUnprocessableEntity {
				t.Errorf("empty submission status = %d, want 422", status)
			}
			if title, _ := b.Title(); title != "Error: Cases - Drive" {
				t.Errorf("title = %q", title)
			}
			summary, err := b.Text(".govuk-error-summary")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(summary, "There is a problem") || !strings.Contains(summary, "Enter a case reference") {
				t.Errorf("error summary = %q", summary)
			}
			if !exists(t, b, `.govuk-error-summary a[href="#reference"]`) {
				t.Error("error summary does not link to the field")
			}
			b.AssertAccessible(t)

			if err := b.Fill("#reference", "DR-1002"); err != nil {
				t.Fatal(err)
			}
			if status, err := b.Submit(`form[action="/"] button[type="submit"]`); err != nil || status != http.StatusOK {
				t.Fatalf("valid submission = %d, %v", status, err)
			}
			banner, err := b.Text(".govuk-notification-banner")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(banner, "Case DR-1002 found") {
				t.Errorf("notification banner = %q", banner)
			}
			if exists(t, b, ".govuk-error-summary") {
				t.Error("error summary shown after a valid submission")
			}
			b.AssertAccessible(t)
			b.AssertNoConsoleErrors(t)
			if js {
				screenshot(t, b, "layout-flash.png")
			}
		})
	}
}

// WCAG 1.4.10 Reflow: at 320 CSS pixels wide the page does not scroll
// sideways; a wide table scrolls inside its own pane.
func TestLayoutReflowsOnNarrowScreens(t *testing.T) {
	srv := sampleServer(t, true)
	b := New(t, WindowSize(320, 720))
	open(t, b, srv.URL+"/")

	overflow, err := RunValue(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if overflow > 0 {
		t.Errorf("page is %dpx wider than a 320px viewport", overflow)
	}
	b.AssertAccessible(t)
	screenshot(t, b, "layout-narrow.png")
}

func TestFindChromiumHonoursEnvironment(t *testing.T) {
	t.Setenv("CHROMIUM", filepath.Join(t.TempDir(), "no-such-browser"))
	if _, err := FindChromium(); err == nil || !strings.Contains(err.Error(), "$CHROMIUM") {
		t.Errorf("FindChromium with a missing $CHROMIUM: %v", err)
	}
}

func TestViolationDescription(t *testing.T) {
	v := Violation{
		ID: "color-contrast", Impact: "serious", Help: "Elements must meet minimum color contrast ratio thresholds",
		HelpURL: "https://example.org/rules/color-contrast",
		Nodes: []Node{
			{Target: []string{".a"}, FailureSummary: "Fix this:\n  contrast 2.1"},
			{Target: []string{".b"}}, {Target: []string{".c"}}, {Target: []string{".d"}}, {Target: []string{".e"}},
		},
	}
	got := v.describe("http://127.0.0.1/x")
	for _, want := range []string{"color-contrast (serious) on http://127.0.0.1/x", "at .a", "contrast 2.1", "at .c", "... and 2 more"} {
		if !strings.Contains(got, want) {
			t.Errorf("description lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "at .d") {
		t.Errorf("description lists more than three elements:\n%s", got)
	}
}
