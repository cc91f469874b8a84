package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/subjectaccess"
	"github.com/drive-platform/drive/victim"
	"github.com/drive-platform/drive/web/layout"
)

//go:embed templates
var templateFiles embed.FS

// Page is what every HTML template receives. The layout reads Title,
// User, CSRF, Nav and Flash; the page's own "content" template reads Data.
type Page struct {
	Title string
	User  *PageUser // nil when signed out
	CSRF  string
	Nav   []NavItem
	// NavHTML is Nav's list items as the layout shows them (layout.Nav).
	NavHTML template.HTML
	Flash   string
	Data    any
	// Unread is how many of the signed-in user's notifications are
	// unread, shown in the header.
	Unread int
}

// PageUser is the signed-in user as the layout shows them.
type PageUser struct {
	Name string
	Role string
	Site string
}

// NavItem is one entry of the service navigation.
type NavItem = layout.NavItem

// page builds the data every template receives.
func (s *Server) page(r *http.Request, title string, data any) Page {
	p := Page{Title: title, Data: data}
	if pr := principalFrom(r.Context()); pr != nil && pr.session != nil {
		p.CSRF = pr.session.CSRF
		if pr.session.Stage == account.StageFull {
			p.User = &PageUser{Name: pr.user.DisplayName}
			if len(pr.user.Roles) > 0 {
				p.User.Role = pr.user.Roles[0].Role.Label()
			}
			p.Nav = s.navFor(subjectOf(pr.user), r.URL.Path)
			p.NavHTML = layout.Nav(p.Nav)
			// The count read with the session serves a page that only
			// reads; a form's answer is counted again after its change,
			// in case the change was to the user's notifications. One
			// indexed count; a failure only leaves the count out.
			if pr.unreadKnown && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
				p.Unread = pr.unread
			} else {
				p.Unread, _ = s.svc.UnreadNotifications(r.Context(), actorOf(r))
			}
		}
	}
	return p
}

// menuItem is one section of the service navigation. Whether a user sees
// it is the need of the route it links to (routeList), so a link appears
// only where the route would answer; show narrows that further for
// sections meant for some of those who may use the route.
type menuItem struct {
	label string
	href  string
	// prefix marks the item current on every page under href, not only
	// on href itself.
	prefix bool
	show   func(access.Subject) bool
}

// menu is the navigation, in order.
var menu = []menuItem{
	{label: "Home", href: "/"},
	{label: "My caseload", href: "/caseload", show: func(sub access.Subject) bool { return sub.HasRole(access.CaseManager) }},
	{label: "Team", href: "/team", prefix: true},
	{label: "New referral", href: "/referrals/new", prefix: true},
	{label: "Identification", href: "/identify", prefix: true},
	{label: "Across sites", href: "/identify/national", show: service.CanSeeNationalMatches},
	{label: "Cases", href: "/cases", prefix: true},
	{label: "Meetings", href: "/meetings", prefix: true, show: showsMeetings},
	{label: "Agency actions", href: "/actions", prefix: true, show: func(sub access.Subject) bool { return sub.HasRole(access.Partner) }},
	{label: "Outcomes", href: "/reports"},
	{label: "Evaluation", href: "/evaluation", prefix: true},
	{label: "Trials", href: "/trials", prefix: true},
	// The list holds only the victim-survivors' side's records: an IDVA's,
	// or a team leader's of an IDVA service. A Drive provider's team
	// leader would find it empty, so is not offered it.
	{label: "Victim-survivors", href: "/victims", prefix: true, show: func(sub access.Subject) bool {
		return sub.HasRole(access.IDVA) || sub.HasRole(access.TeamLeader) && sub.OrganisationKind == access.IDVAService
	}},
	// What survivors tell the service: IDVA services and the national
	// team (service.ServiceViews decides).
	{label: "Survivors' views", href: "/victim-views", show: func(sub access.Subject) bool {
		return sub.HasRole(access.National) || (sub.OrganisationKind == access.IDVAService && (sub.HasRole(access.IDVA) || sub.HasRole(access.TeamLeader)))
	}},
	{label: "Users", href: "/admin/users", prefix: true},
	{label: "Service accounts", href: "/service-accounts", prefix: true},
	// The background job queue is national: administrators and data
	// protection officers who hold their role nationally.
	{label: "Jobs", href: "/admin/jobs", show: func(sub access.Subject) bool {
		_, national := sub.SitesFor(access.Configuration, access.Read)
		return national
	}},
	{label: "Audit log", href: "/audit"},
	{label: "Alerts", href: "/alerts"},
	{label: "Subject access", href: "/subject-access", prefix: true},
	{label: "Legal holds", href: "/retention/holds", prefix: true},
	{label: "Records of processing", href: "/records-of-processing"},
	{label: "Your account", href: "/account", prefix: true},
}

// navFor lists the sections the user can use: each menu item whose route
// (GET href) exists for them. The routes enforce access regardless.
func (s *Server) navFor(sub access.Subject, path string) []NavItem {
	var items []NavItem
	for i, m := range menu {
		rt, ok := s.menuRoutes[i].route, s.menuRoutes[i].ok
		if !ok || (rt.need != none && !holds(sub, rt.need)) || (m.show != nil && !m.show(sub)) {
			continue
		}
		current := path == m.href
		if m.prefix {
			current = strings.HasPrefix(path, m.href)
		}
		items = append(items, NavItem{Label: m.label, Href: m.href, Current: current})
	}
	return items
}

// pageRoute finds the route that shows the page at path.
// menuRoute is the page route a menu item links to, if there is one.
type menuRoute struct {
	route route
	ok    bool
}

// menuRouteList finds the route of each item of menu, in menu's order:
// looking them up among every route on every page was a linear search
// of the route list for each item.
func (s *Server) menuRouteList() []menuRoute {
	out := make([]menuRoute, len(menu))
	for i, m := range menu {
		out[i].route, out[i].ok = s.pageRoute(m.href)
	}
	return out
}

func (s *Server) pageRoute(path string) (route, bool) {
	want := path
	if path == "/" {
		want = "/{$}"
	}
	for _, rt := range s.routes {
		if rt.method == "GET" && rt.kind == pageRoute && rt.path == want {
			return rt, true
		}
	}
	return route{}, false
}

// assetHead is the links in every page's head to the built icon,
// stylesheet and script, written once when the pages are parsed: their
// addresses do not change while the server runs, and the layout printed
// each through four calls on every page (the lookup and three escapers).
// A missing asset is the error of any page rendered, as it was when the
// layout looked each up.
func (s *Server) assetHead() (template.HTML, error) { return layout.Head(s.assets.Path) }

// parsePages parses layout.html with each other template file, giving one
// template set per page, keyed by the file's name without ".html".
func (s *Server) parsePages() (map[string]*template.Template, error) {
	head, headErr := s.assetHead()
	funcs := template.FuncMap{
		"asset":       func(name string) (string, error) { return s.assets.Path(name) },
		"assetHead":   func() (template.HTML, error) { return head, headErr },
		"dict":        dict,
		"join":        strings.Join,
		"lower":       strings.ToLower,
		"humanise":    humanise,
		"pronouns":    pronounsFor,
		"when":        drive.DisplayTime,
		"tableLabel":  evaluation.TableLabel,
		"day":         subjectaccess.Day,
		"stateColour": stateColour,
		"needLabel":   casework.NeedAreaLabel,
		"add":         func(a, b int) int { return a + b },
		"kb":          func(n int) string { return fmt.Sprintf("%d KB", (n+1023)/1024) },
		"append1": func(as []victim.Address) []victim.Address {
			if len(as) == 0 {
				return []victim.Address{{}}
			}
			return as
		},
		"closureLabel": func(p *programme.Programme, code string) string { r, _ := p.ClosureReason(code); return r.Label },
		"actionLabel": func(p *programme.Programme, code string) string {
			if a, ok := p.Action(code); ok {
				return a.Label
			}
			return code
		},
	}
	layout, err := fs.ReadFile(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: read layout: %w", err)
	}
	partials, err := fs.ReadFile(templateFiles, "templates/partials.html")
	if err != nil {
		return nil, fmt.Errorf("web: read partials: %w", err)
	}
	entries, err := fs.ReadDir(templateFiles, "templates")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" || name == "partials.html" || !strings.HasSuffix(name, ".html") {
			continue
		}
		body, err := fs.ReadFile(templateFiles, "templates/"+name)
		if err != nil {
			return nil, err
		}
		t, err := template.New("layout").Funcs(funcs).Parse(string(layout))
		if err != nil {
			return nil, fmt.Errorf("web: parse layout: %w", err)
		}
		if _, err := t.Parse(string(partials)); err != nil {
			return nil, fmt.Errorf("web: parse partials: %w", err)
		}
		if _, err := t.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", name, err)
		}
		pages[strings.TrimSuffix(name, ".html")] = t
	}
	return pages, nil
}

// render writes a page with the given status. It renders into a buffer
// first, so a template error becomes a clean error page rather than half a
// page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p Page) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("web: no page template %q", name)
	}
	buf, _ := s.pageBuffers.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer s.putPageBuffer(buf)
	if err := t.ExecuteTemplate(buf, "layout", p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// maxPooledPage is the largest buffer kept for the next page: a rare
// very long page (a team list of thousands) should not pin its memory.
const maxPooledPage = 256 << 10

func (s *Server) putPageBuffer(buf *bytes.Buffer) {
	if buf.Cap() > maxPooledPage {
		return
	}
	buf.Reset()
	s.pageBuffers.Put(buf)
}

// errorPageData is what templates/error.html shows.
type errorPageData struct {
	Status    int
	Heading   string
	Message   string
	RequestID string
}

// renderErrorPage writes the branded error page. If even that fails it
// falls back to plain text, still without internals.
func (s *Server) renderErrorPage(w http.ResponseWriter, r *http.Request, status int, message, reqID string) {
	d := errorPageData{Status: status, Message: message}
	switch {
	case status == http.StatusNotFound:
		d.Heading = "Page not found"
		d.Message = "If you typed the web address, check it is correct. If you followed a link or a record was moved, go back to your home page and search for it."
	case status >= 500:
		d.Heading = "Sorry, there is a problem with the service"
		d.RequestID = reqID
	case status == http.StatusUnauthorized:
		d.Heading = "Sign in to continue"
	case status == http.StatusTooManyRequests:
		d.Heading = "Too many attempts"
	default:
		d.Heading = "There is a problem"
	}
	p := Page{Title: d.Heading, Data: d}
	if r != nil {
		p = s.page(r, d.Heading, d)
	}
	err := s.render(w, r, status, "error", p)
	if err != nil {
		s.log.Error("error page failed to render", "cause", err.Error())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(d.Heading + "\n"))
	}
}

// signinData is what templates/signin.html shows.
type signinData struct {
	Username string
	Errors   FormErrors
	// Organisations whose staff may sign in with their own provider.
	Organisations []account.OIDCSignin
}

func (s *Server) accessibility(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "accessibility", s.page(r, "Accessibility statement", nil))
}

func (s *Server) privacy(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, http.StatusOK, "privacy", s.page(r, "Privacy notice", nil))
}

// dict builds a map for passing several values to a partial template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// humanise turns a code such as "very_high" into "very high".
func humanise(code string) string { return strings.ReplaceAll(code, "_", " ") }

// stateColour is the tag colour for a case state.
func stateColour(s casework.State) string {
	switch s {
	case casework.Referred, casework.Accepted:
		return "blue"
	case casework.Allocated, casework.Active:
		return "green"
	case casework.Closing, casework.Transferred:
		return "yellow"
	case casework.Declined:
		return "red"
	}
	return "grey"
}
