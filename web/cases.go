package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/victim"
	"github.com/drive-platform/drive/web/form"
)

// actor is the service layer's view of the signed-in user.
func actorOf(r *http.Request) service.Actor {
	p := principalFrom(r.Context())
	return service.Actor{UserID: p.user.ID, OrganisationID: p.user.OrganisationID, Subject: p.subject, Remote: clientAddress(r)}
}

func pathID(r *http.Request, name, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, drive.NotFound(what)
	}
	return id, nil
}

// casesData is what templates/cases.html shows.
type casesData struct {
	Rows  []service.CaseRow
	Total int
	// Over: more than Total cases match (service.CaseCountLimit, 1,000);
	// the list says "more than 1,000" and numbers its pages without a last.
	Over    bool
	Query   string
	State   string
	Sort    string
	Page    int
	Pages   int
	States  []casework.State
	Sorts   []sortLink
	PrevURL string
	NextURL string
	Today   drive.Date
	// CSVURL downloads the list as it is filtered and sorted, every page
	// of it (web/lists_csv.go).
	CSVURL string
}

type sortLink struct {
	Label string
	URL   string
	Aria  string
}

const pageSize = 50

// cases lists the cases the user may see, searchable by name or
// reference, filterable by state, sortable and paged. The search words are
// posted to /cases/search and kept with the session, so a name never
// appears in a URL (browser history, proxies, bookmarks): the address only
// says search=1.
func (s *Server) cases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := casesFilter(r)
	d := casesData{State: q.Get("state"), Sort: f.Sort, Query: f.Query, States: casework.States()}
	// A page starts from the cursor its link carries (the edge of the page
	// before or after it); "page" only numbers it for the reader. Without
	// a cursor it is the first page.
	f.Limit, f.Cursor = pageSize, q.Get("cursor")
	list, err := s.svc.ListCasePage(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	d.Rows, d.Total, d.Over, d.Today = list.Rows, list.Total, list.Over, s.svc.Today()
	d.Pages = (list.Total + pageSize - 1) / pageSize
	d.Page, _ = strconv.Atoi(q.Get("page"))
	if f.Cursor == "" || d.Page < 1 {
		d.Page = 1
	}
	if d.Over {
		d.Pages = 0 // not counted: the pages are numbered without a last
	} else {
		d.Page = min(d.Page, max(d.Pages, 1))
	}
	link := func(changes map[string]string) string {
		v := url.Values{}
		search := ""
		if d.Query != "" {
			search = "1"
		}
		for k, val := range map[string]string{"search": search, "state": d.State, "sort": d.Sort} {
			if val != "" {
				v.Set(k, val)
			}
		}
		for k, val := range changes {
			if val == "" {
				v.Del(k)
			} else {
				v.Set(k, val)
			}
		}
		if len(v) == 0 {
			return "/cases"
		}
		return "/cases?" + v.Encode()
	}
	for _, sc := range []struct{ key, label string }{{"name", "Name"}, {"referred", "Referred"}, {"state", "State"}, {"updated", "Last updated"}} {
		next, aria := sc.key, "none"
		switch d.Sort {
		case sc.key:
			next, aria = "-"+sc.key, "ascending"
		case "-" + sc.key:
			aria = "descending"
		}
		d.Sorts = append(d.Sorts, sortLink{Label: sc.label, URL: link(map[string]string{"sort": next}), Aria: aria})
	}
	d.CSVURL = "/cases.csv" + strings.TrimPrefix(link(nil), "/cases")
	switch {
	case list.Prev != "" && d.Page > 2:
		d.PrevURL = link(map[string]string{"cursor": list.Prev, "page": strconv.Itoa(d.Page - 1)})
	case list.Prev != "" || (f.Cursor != "" && len(list.Rows) == 0 && list.Total > 0):
		// Back to the start, or from a page whose edge has gone (its
		// case was erased) to the start.
		d.PrevURL = link(nil)
	}
	if list.Next != "" {
		next := d.Page + 1
		if !d.Over {
			next = min(next, max(d.Pages, 1))
		}
		d.NextURL = link(map[string]string{"cursor": list.Next, "page": strconv.Itoa(next)})
	}
	return s.render(w, r, http.StatusOK, "cases", s.page(r, "Cases", d))
}

// searchCases keeps the search words with the session and shows the
// list: the words travel in the form body, never the address.
func (s *Server) searchCases(w http.ResponseWriter, r *http.Request) error {
	p := principalFrom(r.Context())
	if err := s.svc.SetCaseSearch(r.Context(), actorOf(r), p.session, r.PostFormValue("q")); err != nil {
		return err
	}
	v := url.Values{}
	if p.session.Search != "" {
		v.Set("search", "1")
	}
	if st := r.PostFormValue("state"); st != "" {
		v.Set("state", st)
	}
	if so := r.PostFormValue("sort"); so != "" {
		v.Set("sort", so)
	}
	target := "/cases"
	if len(v) > 0 {
		target += "?" + v.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// teamData is what templates/team.html shows.
type teamData struct {
	Sites []siteChoice
	Site  int64
	Dash  *service.Dashboard
	Today drive.Date
	// Cards count each of the dashboard's lists and link to it
	// (web/team_lists.go).
	Cards []teamCard
	// AgencyOverdue counts the overdue actions each agency owns at the
	// leader's sites.
	AgencyOverdue []service.AgencyOverdue
}

type siteChoice struct {
	ID       int64
	Name     string
	Selected bool
}

// team is the team leader's dashboard for one of their sites.
func (s *Server) team(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := actorOf(r)
	sites, progs, err := s.svc.ReferralSites(ctx, a)
	_ = progs
	if err != nil {
		return err
	}
	if len(sites) == 0 {
		return drive.NotFound("page")
	}
	d := teamData{Site: sites[0].ID, Today: s.svc.Today()}
	if v, err := strconv.ParseInt(r.URL.Query().Get("site"), 10, 64); err == nil {
		d.Site = v
	}
	for _, st := range sites {
		d.Sites = append(d.Sites, siteChoice{st.ID, st.Name, st.ID == d.Site})
	}
	if d.Dash, err = s.svc.Dashboard(ctx, a, d.Site); err != nil {
		return err
	}
	d.Cards = teamCards(d.Dash, d.Site)
	if d.AgencyOverdue, err = s.svc.OverdueByAgency(ctx, a); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "team", s.page(r, "Team", d))
}

// referralData is what templates/referral.html shows.
type referralData struct {
	Form       url.Values
	Errors     FormErrors
	Sites      []siteOption
	Sources    []casework.Source
	Genders    []people.Option
	Ethnics    []people.Option
	Duplicates []people.Candidate
	Programmes []programmeChoice
}

// siteOption is a site offered in a form.
type siteOption struct {
	ID   int64
	Name string
}

type programmeChoice struct {
	Code string
	Name string
	Site string
}

func (s *Server) referralForm(w http.ResponseWriter, r *http.Request) error {
	d, err := s.referralData(r, url.Values{"referred_at": {s.svc.Today().Entry()}})
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "referral", s.page(r, "New referral", d))
}

func (s *Server) referralData(r *http.Request, form url.Values) (*referralData, error) {
	sites, progs, err := s.svc.ReferralSites(r.Context(), actorOf(r))
	if err != nil {
		return nil, err
	}
	if len(sites) == 0 {
		return nil, drive.NotFound("page")
	}
	d := &referralData{Form: form, Sources: casework.Sources(), Genders: people.Genders(), Ethnics: people.Ethnicities()}
	seen := map[string]bool{}
	for _, st := range sites {
		d.Sites = append(d.Sites, siteOption{st.ID, st.Name})
		for _, p := range progs[st.ID] {
			if !seen[p.Code] {
				seen[p.Code] = true
				d.Programmes = append(d.Programmes, programmeChoice{Code: p.Code, Name: p.Name})
			}
		}
	}
	if len(d.Programmes) == 0 {
		d.Programmes = []programmeChoice{{Code: "drive", Name: "Drive"}}
	}
	return d, nil
}

// refer records a referral, first showing possible duplicates of a new
// person so the same perpetrator is not entered twice.
func (s *Server) refer(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		return drive.Errorf(drive.EINVALID, "The form could not be read")
	}
	f := r.PostForm
	rf := form.NewReferral(f)
	in := service.ReferralInput{SiteID: rf.SiteID, Programme: rf.Programme, PersonID: rf.PersonID, Person: rf.Person(),
		NotDuplicate: rf.NotDuplicate, Case: rf.Case()}
	var res *service.Referral
	var errs FormErrors
	err := rf.Validate()
	if err == nil {
		res, err = s.svc.Refer(ctx, actorOf(r), in)
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		errs = invalidErrors(err, "site", "programme", "given_name", "family_name", "date_of_birth", "person", "source", "referred_at",
			"summary", "last_marac", "dash_score", "victims", "identification_rank")
	} else if err != nil {
		return err
	}
	if len(errs) > 0 || (res != nil && len(res.Duplicates) > 0) {
		d, derr := s.referralData(r, f)
		if derr != nil {
			return derr
		}
		d.Errors = errs
		title := "New referral"
		status := http.StatusUnprocessableEntity
		if res != nil && len(errs) == 0 {
			d.Duplicates = res.Duplicates
			title = "Is this someone already known?"
			status = http.StatusOK
		}
		if len(d.Errors) > 0 {
			title = "Error: " + title
		}
		return s.render(w, r, status, "referral", s.page(r, title, d))
	}
	confirm(w, r, "/cases/"+strconv.FormatInt(res.CaseID, 10), "referral")
	return nil
}

// caseData is what the pages of a case show (templates/case*.html): the
// case view's fields copied out as plain fields, not the view embedded.
// A template finds a field by its name; through an embedded pointer that
// lookup searches the embedded struct for every field it reads, which was
// a fifth of the case page's rendering. The fields read most come first,
// as the lookup reads the names in order.
type caseData struct {
	Case   *casework.Case
	Errors FormErrors
	Form   url.Values
	Due    casework.Due
	Person *people.Person
	// SubNavHTML is the case's sub navigation, with the page shown
	// marked, as "case-header" prints its list items.
	SubNavHTML  template.HTML
	Programme   *programme.Programme
	SiteName    string
	Transitions []casework.Transition

	// Decisions are the case page's decision forms, with the field
	// errors and the lists' options below (case_decisions.go).
	Decisions         []decisionForm
	FieldErrors       caseFieldErrors
	ManagerOptions    template.HTML
	ClosureOptions    template.HTML
	SiteOptions       template.HTML
	EngagementOptions template.HTML

	CanWrite     bool
	CaseManager  string
	Assessment   programme.Assessment
	Restricted   bool
	Arm          *service.CaseArm
	Scores       []service.CaseScore
	ScoreChange  *float64
	EscalateTo   *programme.Programme
	CaseManagers []account.User
	Sites        []account.Site
	Today        drive.Date
	Actions      []casework.Action
	Contacts     []casework.Contact
	Reviews      []casework.Review
	Notes        []casework.Note
	History      []casework.HistoryEntry
	Users        map[int64]string
	CanReadNotes bool
	CanNote      bool
	CanNeeds     bool
	RiskFacts    []victim.RiskFacts
	CanReadRisk  bool
	// PoliceHistory: the reader may read the case's police history.
	PoliceHistory bool
	Transfer      *service.TransferDecision

	Prongs   []prongPlan
	Timeline []timelineItem
	Closure  []programme.Reason
	Engage   []casework.Engagement
	Kinds    []casework.ContactKind
	Needs    []string
	Levels   []string
	Risks    []string
	Changes  []string
	Statuses []casework.ActionStatus
	// NoteList is the case's notes, newest first, each marked when a
	// later note corrects it.
	NoteList []timelineItem
	// ContactList is the case's contacts and attempts, newest first.
	ContactList []casework.Contact
}

// newCaseData is the case view v as the pages of a case show it, with its
// sub navigation marked at section.
func newCaseData(v *service.CaseView, section string) caseData {
	d := caseOnly(v)
	d.SubNavHTML = subNavHTML(caseSubNav(v, section))
	return d
}

// caseOnly is the case view v as a page of a case shows it, without the
// sub navigation (the one-page views of a case moved or being
// transferred).
func caseOnly(v *service.CaseView) caseData {
	return caseData{Case: v.Case, Person: v.Person, Programme: v.Programme, Assessment: v.Assessment, Actions: v.Actions,
		Contacts: v.Contacts, Reviews: v.Reviews, Notes: v.Notes, History: v.History, Users: v.Users, CaseManager: v.CaseManager,
		SiteName: v.SiteName, Transitions: v.Transitions, CanWrite: v.CanWrite, CanReadNotes: v.CanReadNotes, CanNote: v.CanNote,
		CanNeeds: v.CanNeeds, EscalateTo: v.EscalateTo, CaseManagers: v.CaseManagers, Sites: v.Sites, Today: v.Today, Due: v.Due,
		Restricted: v.Restricted, RiskFacts: v.RiskFacts, CanReadRisk: v.CanReadRisk, Scores: v.Scores, ScoreChange: v.ScoreChange,
		PoliceHistory: v.PoliceHistory, Arm: v.Arm, Transfer: v.Transfer}
}

type prongPlan struct {
	Prong   string
	Label   string
	Actions []casework.Action
	Types   []programme.ActionType
}

// casePageDef is one page of a case: a section of its sub navigation, or
// the page of one of its forms.
type casePageDef struct {
	template string
	// section is the sub navigation item the page belongs to.
	section string
	// title names the page before the person's name; "" for the summary.
	title string
	// offered says whether the reader may use the page at all; a page
	// not offered is "not found", as its link is not shown.
	offered func(v *service.CaseView) bool
	// parts are the lists of the case the page shows, the only ones
	// read for it (service.CaseSection).
	parts service.CaseParts
}

// casePages are the pages of a case by their address under /cases/{id}
// ("" for the summary). Each form has its own page, so a worker logging a
// contact sees one short form, and a change lands on its section with a
// banner saying what was saved (web/confirm.go).
var casePages = map[string]casePageDef{
	"":         {template: "case", section: ""},
	"plan":     {template: "case-plan", section: "plan", title: "Plan"},
	"contacts": {template: "case-contacts", section: "contacts", title: "Contacts", parts: service.CaseContacts},
	"reviews":  {template: "case-reviews", section: "reviews", title: "Reviews", parts: service.CaseReviews},
	// The notes are listed as the timeline lists them (timeline).
	"notes": {template: "case-notes", section: "notes", title: "Notes", parts: service.CaseNotes,
		offered: func(v *service.CaseView) bool { return v.CanReadNotes }},
	// Only the page that shows the victim-survivors' risk facts reads
	// them, since each read is audited as a read of her record.
	"victims": {template: "case-victims", section: "victims", title: "Victims' risk", parts: service.CaseRiskFacts,
		offered: func(v *service.CaseView) bool { return v.CanReadRisk }},
	"timeline": {template: "case-timeline", section: "timeline", title: "Timeline", parts: service.CaseEverything},
	"actions/new": {template: "case-action-new", section: "plan", title: "Add an action",
		offered: func(v *service.CaseView) bool { return v.CanWrite && v.Case.State.Open() }},
	"contacts/new": {template: "case-contact-new", section: "contacts", title: "Log a contact or session",
		offered: func(v *service.CaseView) bool { return v.CanWrite }},
	"reviews/new": {template: "case-review-new", section: "reviews", title: "Record a review",
		offered: func(v *service.CaseView) bool {
			return v.CanNeeds && (v.Case.State == casework.Active || v.Case.State == casework.Closing)
		}},
	// A correction names the note it corrects, from the case's notes.
	"notes/new": {template: "case-note-new", section: "notes", title: "Add a note", parts: service.CaseNotes,
		offered: func(v *service.CaseView) bool { return v.CanNote }},
}

// casePage shows the page of a case at key (casePages).
func (s *Server) casePage(key string) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.renderCase(w, r, http.StatusOK, key, nil, nil)
	}
}

// renderCase shows the page of a case at key, with errors from a form on
// it.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, status int, key string, errs FormErrors, form url.Values) error {
	def, ok := casePages[key]
	if !ok {
		return drive.NotFound("page")
	}
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	v, err := s.svc.CaseSection(r.Context(), actorOf(r), id, def.parts)
	if err != nil {
		return err
	}
	if v.Transfer != nil || v.Restricted {
		// A case being transferred in, or moved away, is one page.
		if key != "" {
			return drive.NotFound("page")
		}
		if v.Transfer != nil {
			d := caseOnly(v)
			d.Errors, d.Form = errs, form
			return s.render(w, r, status, "case-transfer", s.pageWithDone(r, "Transfer: "+v.Transfer.PersonName, d))
		}
		d := caseOnly(v)
		d.Timeline = timeline(v)
		return s.render(w, r, status, "case-moved", s.pageWithDone(r, "Case "+strconv.FormatInt(v.Case.ID, 10), d))
	}
	if def.offered != nil && !def.offered(v) {
		return drive.NotFound("page")
	}
	d := newCaseData(v, def.section)
	d.Errors, d.Form, d.Closure = errs, form, v.Programme.Closure
	d.Engage, d.Kinds, d.Needs, d.Levels, d.Risks, d.Changes, d.Statuses = casework.Engagements(), casework.ContactKinds(), casework.NeedAreas(), casework.NeedLevels(),
		casework.RiskLevels(), casework.RiskChanges(), casework.ActionStatuses()
	for _, p := range programme.Prongs() {
		pp := prongPlan{Prong: p, Label: programme.ProngLabel(p)}
		for _, a := range v.Actions {
			if a.Prong == p {
				pp.Actions = append(pp.Actions, a)
			}
		}
		for _, t := range v.Programme.Actions {
			if t.Prong == p {
				pp.Types = append(pp.Types, t)
			}
		}
		d.Prongs = append(d.Prongs, pp)
	}
	if def.template == "case" {
		d.caseDecisions()
	}
	d.ContactList = slices.Clone(v.Contacts)
	sort.SliceStable(d.ContactList, func(i, j int) bool { return d.ContactList[i].On.After(d.ContactList[j].On) })
	d.Timeline = timeline(v)
	for _, it := range d.Timeline {
		if it.NoteID != 0 {
			d.NoteList = append(d.NoteList, it)
		}
	}
	title := v.Person.Name()
	if def.title != "" {
		title = def.title + ": " + title
	}
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.render(w, r, status, def.template, s.pageWithDone(r, title, d))
}

// caseForm handles every form of a case: it runs the change and answers
// with the section the change shows on, or shows the form's page again
// with its errors.
func (s *Server) caseForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return drive.Errorf(drive.EINVALID, "The form could not be read")
	}
	f := r.PostForm
	a := actorOf(r)
	// target is where a form sends the user on success, when it is not
	// the form's section of this case (an escalation goes to the new
	// referral); code names the confirmation shown there, when it depends
	// on what was asked (web/confirm.go).
	target, code := "", ""
	// The forms by the name in their address, each with its
	// confirmation, the section it returns to, and the page that shows
	// it with its errors: each reads its fields (package form) and makes
	// one service call.
	forms := map[string]struct {
		code    string
		section string
		page    string
		submit  func() error
	}{
		"move": {"", "", "", func() error {
			mv := form.NewMove(f)
			code = moveCode(mv.Event)
			return s.svc.Move(ctx, a, id, mv.Change())
		}},
		"engagement": {"engagement", "", "", func() error {
			return s.svc.SetEngagement(ctx, a, id, form.NewEngagement(f).Engagement)
		}},
		"actions": {"plan_action", "plan", "actions/new", func() error {
			act := form.NewAction(f)
			if err := act.Validate(); err != nil {
				return err
			}
			return s.svc.AddAction(ctx, a, id, act.Action())
		}},
		"action-status": {"plan_action_saved", "plan", "plan", func() error {
			st := form.NewActionStatus(f)
			return s.svc.UpdateAction(ctx, a, id, st.ActionID, st.Apply)
		}},
		"contacts": {"contact", "contacts", "contacts/new", func() error {
			ct := form.NewContact(f)
			if err := ct.Validate(); err != nil {
				return err
			}
			return s.svc.AddContact(ctx, a, id, ct.Contact())
		}},
		"reviews": {"review", "reviews", "reviews/new", func() error {
			rv := form.NewReview(f)
			if err := rv.Validate(); err != nil {
				return err
			}
			return s.svc.AddReview(ctx, a, id, rv.Review())
		}},
		"notes": {"note", "notes", "notes/new", func() error {
			n := form.NewNote(f)
			if n.Amends != 0 {
				code = "note_corrected"
			}
			return s.svc.AddNote(ctx, a, id, n.Note())
		}},
		"escalate": {"escalated", "", "", func() error {
			newID, err := s.svc.Escalate(ctx, a, id, form.NewEscalation(f).Reasons)
			if err == nil {
				target = casePath(newID, "")
			}
			return err
		}},
		"police-link": {"", "police", "", func() error {
			pl := form.NewPoliceLink(f)
			if err := pl.Validate(); err != nil {
				return err
			}
			code = linkCode(pl.Confirm)
			return s.svc.DecideCaseLink(ctx, a, id, pl.LinkID, pl.Confirm)
		}},
	}
	fm, ok := forms[r.PathValue("form")]
	if !ok {
		return drive.NotFound("page")
	}
	err = fm.submit()
	if drive.ErrorCode(err) == drive.EINVALID {
		if r.PathValue("form") == "police-link" {
			return s.renderPoliceHistory(w, r, http.StatusUnprocessableEntity, invalidErrors(err))
		}
		return s.renderCase(w, r, http.StatusUnprocessableEntity, fm.page, invalidErrors(err), f)
	}
	if err != nil {
		return err
	}
	if code == "" {
		code = fm.code
	}
	if target == "" {
		target = casePath(id, fm.section)
	}
	confirm(w, r, target, code)
	return nil
}

// personPage shows a person and their cases, with merge and unmerge.
func (s *Server) personPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	p, rows, err := s.svc.Person(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "person", s.pageWithDone(r, p.Name(), struct {
		Person *people.Person
		Rows   []service.CaseRow
		Gender string
		Ethnic string
	}{p, rows, people.Label(p.Gender, people.Genders()), people.Label(p.Ethnicity, people.Ethnicities())}))
}

// personEdit shows the form for a person's details.
func (s *Server) personEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	return s.renderPersonEdit(w, r, http.StatusOK, id, nil)
}

func (s *Server) renderPersonEdit(w http.ResponseWriter, r *http.Request, status int, id int64, de *drive.Error) error {
	p, _, err := s.svc.Person(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	form := r.PostForm
	if form == nil || de == nil {
		form = url.Values{"given_name": {p.GivenName}, "family_name": {p.FamilyName}, "aliases": {strings.Join(p.Aliases, "\n")},
			"date_of_birth": {p.DateOfBirth.Entry()}, "gender": {p.Gender}, "ethnicity": {p.Ethnicity},
			"sexual_orientation": {p.SexualOrientation}, "disability": {p.Disability}, "police_ref": {p.PoliceRef},
			"social_care_ref": {p.SocialCareRef}, "probation_ref": {p.ProbationRef}}
	}
	d := struct {
		Person  *people.Person
		Form    url.Values
		Errors  FormErrors
		Genders []people.Option
		Ethnics []people.Option
		Orients []people.Option
		Disabs  []people.Option
	}{p, form, nil, people.Genders(), people.Ethnicities(), people.SexualOrientations(), people.Disabilities()}
	title := "Change " + p.Name()
	if de != nil {
		d.Errors = formErrors(de.Fields, "given_name", "family_name", "date_of_birth", "gender", "ethnicity", "references", "addresses")
		if len(d.Errors) == 0 {
			d.Errors = FormErrors{{"", de.Message}}
		}
		title = "Error: " + title
	}
	return s.render(w, r, status, "person-edit", s.page(r, title, d))
}

// personForm handles the forms on a person's pages: merge a duplicate
// into him, undo a merge, change his details.
func (s *Server) personForm(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	f := r.PostForm
	// The forms by the name in their address, each reading its fields
	// (package form) and making one service call. Only the details form
	// has a page of its own to show its errors on; the others' errors get
	// the error page.
	forms := map[string]struct {
		submit    func() error
		ownErrors bool
		code      string
	}{
		"merge": {code: "merged", submit: func() error {
			m := form.NewMerge(id, f)
			if err := m.Validate(); err != nil {
				return err
			}
			return s.svc.Merge(ctx, actorOf(r), id, m.Duplicate)
		}},
		"unmerge": {code: "unmerged", submit: func() error { return s.svc.Unmerge(ctx, actorOf(r), id) }},
		"edit": {ownErrors: true, code: "person_details", submit: func() error {
			p := form.NewPerson(f)
			if err := p.Validate(); err != nil {
				return err
			}
			_, err := s.svc.UpdatePerson(ctx, actorOf(r), id, p.Apply)
			return err
		}},
	}
	fm, ok := forms[r.PathValue("form")]
	if !ok {
		return drive.NotFound("page")
	}
	err = fm.submit()
	if fm.ownErrors && drive.ErrorCode(err) == drive.EINVALID {
		return s.renderPersonEdit(w, r, http.StatusUnprocessableEntity, id, asInvalid(err))
	}
	if err != nil {
		return err
	}
	confirm(w, r, "/people/"+strconv.FormatInt(id, 10), fm.code)
	return nil
}

// apiAs adapts a JSON handler that takes the caller as the service layer
// sees them.
func (s *Server) apiAs(h api.Handler) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error { return h(w, r, actorOf(r)) }
}
