package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
)

// Handler is a JSON API handler: it receives the caller as the service
// layer sees them, and returns an error for the one renderer.
type Handler func(w http.ResponseWriter, r *http.Request, a service.Actor) error

// Cases holds the casework handlers.
type Cases struct {
	Svc *service.Service
}

func pathID(r *http.Request, name, what string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, drive.NotFound(what)
	}
	return id, nil
}

// view loads the case named in the path as the caller may see it. A case
// that has moved to another site shows its former site only what that
// site's staff wrote, so whole-case resources answer "not found" for it
// unless partial is true.
func (h *Cases) view(r *http.Request, a service.Actor, partial bool) (*service.CaseView, error) {
	return h.viewOf(r, a, partial, false)
}

// viewOf is view; transfer admits a pending transfer's decision view,
// which only the case resource itself (GetCase) shows.
func (h *Cases) viewOf(r *http.Request, a service.Actor, partial, transfer bool) (*service.CaseView, error) {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return nil, err
	}
	v, err := h.Svc.Case(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	// A pending transfer's decision view is the case resource itself
	// (GetCase) and nothing under it: the plan, notes and history stay
	// with the sending site until the transfer is accepted.
	if v.Transfer != nil && !transfer || v.Restricted && !partial {
		return nil, drive.NotFound("case")
	}
	return v, nil
}

// CaseSummary is a case in a list.
type CaseSummary struct {
	ID            int64  `json:"id"`
	SiteID        int64  `json:"site_id"`
	PersonID      int64  `json:"person_id"`
	PersonName    string `json:"person_name"`
	Programme     string `json:"programme"`
	State         string `json:"state"`
	Engagement    string `json:"engagement"`
	Source        string `json:"source"`
	ReferredAt    string `json:"referred_at"`
	CaseManagerID int64  `json:"case_manager_id,omitempty"`
	CaseManager   string `json:"case_manager,omitempty"`
	// What is due, by the definitions every page shares (casework.Due).
	OpenActions    int    `json:"open_actions"`
	OverdueActions int    `json:"overdue_actions"`
	LastContactAt  string `json:"last_contact_at,omitempty"`
	NextReviewDue  string `json:"next_review_due,omitempty"`
	ReviewOverdue  bool   `json:"review_overdue"`
	UpdatedAt      string `json:"updated_at"`
}

// CaseList is the body of GET /cases.
type CaseList struct {
	Items []CaseSummary `json:"items"`
	// Total counts the cases up to service.CaseCountLimit; TotalCapped
	// says more than that many match (the count stops there rather than
	// read the site's whole history for every page).
	Total       int  `json:"total"`
	TotalCapped bool `json:"total_capped,omitempty"`
	// NextCursor and PrevCursor read the pages after and before this one
	// (as cursor); absent where there is none. They hold no personal data.
	NextCursor string `json:"next_cursor,omitempty"`
	PrevCursor string `json:"prev_cursor,omitempty"`
}

// caseList is the answer for one page of cases.
func (h *Cases) caseList(p *service.CasePage) CaseList {
	out := CaseList{Items: []CaseSummary{}, Total: p.Total, TotalCapped: p.Over, NextCursor: p.Next, PrevCursor: p.Prev}
	today := h.Svc.Today()
	for _, row := range p.Rows {
		out.Items = append(out.Items, summary(row, row.Due(today)))
	}
	return out
}

// summary is a case in a list with what is due on it: due comes from
// the list row (CaseRow.Due) or the case's own actions (CaseView.Due), by
// one definition, so a list and a case agree.
func summary(row service.CaseRow, due casework.Due) CaseSummary {
	c := row.Case
	s := CaseSummary{ID: c.ID, SiteID: c.SiteID, PersonID: c.PersonID, PersonName: row.PersonName, Programme: c.Programme,
		State: string(c.State), Engagement: string(c.Engagement), Source: string(c.Source), ReferredAt: c.ReferredAt.String(),
		CaseManagerID: c.CaseManagerID, CaseManager: row.CaseManagerName, OpenActions: due.OpenActions, OverdueActions: due.OverdueActions,
		NextReviewDue: due.NextReview.String(), ReviewOverdue: due.ReviewOverdue, UpdatedAt: c.UpdatedAt.UTC().Format(time.RFC3339)}
	if due.LastContact != nil {
		s.LastContactAt = due.LastContact.UTC().Format(time.RFC3339)
	}
	return s
}

// ListCases answers GET /cases: the cases the caller may see, filtered by
// state and programme. Searching by name is POST /cases/search, so names
// never travel in a URL.
func (h *Cases) ListCases(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	q := r.URL.Query()
	if q.Has("q") {
		return drive.Errorf(drive.EINVALID, "Search with POST /api/v1/cases/search and the words in the body: names must not travel in a URL")
	}
	f := service.CaseFilter{Sort: q.Get("sort"), Programme: q.Get("programme")}
	if s := q.Get("state"); s != "" {
		f.States = []casework.State{casework.State(s)}
	}
	var err error
	if f.Limit, err = intParam(q.Get("limit"), 50, 1, 1000); err != nil {
		return err
	}
	if q.Has("offset") {
		return drive.Errorf(drive.EINVALID, "offset is no longer taken: page with cursor, giving the next_cursor or prev_cursor of the page before")
	}
	f.Cursor = q.Get("cursor")
	p, err := h.Svc.ListCasePage(r.Context(), a, f)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, h.caseList(p))
}

// SearchBody is the body of POST /cases/search.
type SearchBody struct {
	Q         string `json:"q"`
	State     string `json:"state,omitempty"`
	Programme string `json:"programme,omitempty"`
	Sort      string `json:"sort,omitempty"`
	Limit     int    `json:"limit,omitempty"`
	// Cursor is the next_cursor or prev_cursor of a page of the same
	// search; empty for the first page.
	Cursor string `json:"cursor,omitempty"`
}

// SearchCases answers POST /cases/search: cases whose person's names,
// other names or references match the words, or whose number matches.
func (h *Cases) SearchCases(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var b SearchBody
	if err := decode(r, "search", &b); err != nil {
		return err
	}
	if b.Limit == 0 {
		b.Limit = 50
	}
	if b.Limit < 1 || b.Limit > 1000 {
		return drive.Invalid("Check the search", map[string]string{"limit": "Give a limit from 1 to 1000"})
	}
	f := service.CaseFilter{Query: strings.TrimSpace(b.Q), Sort: b.Sort, Programme: b.Programme, Limit: b.Limit, Cursor: b.Cursor}
	if b.State != "" {
		f.States = []casework.State{casework.State(b.State)}
	}
	p, err := h.Svc.ListCasePage(r.Context(), a, f)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, h.caseList(p))
}

func intParam(s string, def, lo, hi int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, drive.Errorf(drive.EINVALID, "Give a whole number from %d to %d", lo, hi)
	}
	return n, nil
}

// Evidence is the eligibility evidence of a referral.
type Evidence struct {
	LastMARAC                  string `json:"last_marac,omitempty"`
	DASHScore                  *int   `json:"dash_score,omitempty"`
	Victims                    int    `json:"victims"`
	IdentificationRank         int    `json:"identification_rank,omitempty"`
	KnownToChildrensSocialCare bool   `json:"known_to_childrens_social_care"`
	ProfessionalJudgement      string `json:"professional_judgement,omitempty"`
}

// PersonBody is a person as the API shows and takes them.
type PersonBody struct {
	ID                int64         `json:"id,omitempty"`
	SiteID            int64         `json:"site_id,omitempty"`
	GivenName         string        `json:"given_name"`
	FamilyName        string        `json:"family_name"`
	Aliases           []string      `json:"aliases,omitempty"`
	DateOfBirth       string        `json:"date_of_birth,omitempty"`
	Gender            string        `json:"gender,omitempty"`
	Ethnicity         string        `json:"ethnicity,omitempty"`
	SexualOrientation string        `json:"sexual_orientation,omitempty"`
	Disability        string        `json:"disability,omitempty"`
	PoliceRef         string        `json:"police_ref,omitempty"`
	SocialCareRef     string        `json:"social_care_ref,omitempty"`
	ProbationRef      string        `json:"probation_ref,omitempty"`
	MergedInto        int64         `json:"merged_into,omitempty"`
	Addresses         []AddressBody `json:"addresses,omitempty"`
}

// AddressBody is one of a perpetrator's addresses over time. Victim
// addresses are never here: they live in the protected compartment.
type AddressBody struct {
	Line1    string `json:"line1,omitempty"`
	Town     string `json:"town,omitempty"`
	Postcode string `json:"postcode,omitempty"`
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
}

func personBody(p *people.Person) PersonBody {
	b := personFields(p)
	for _, a := range p.Addresses {
		b.Addresses = append(b.Addresses, AddressBody{Line1: a.Line1, Town: a.Town, Postcode: a.Postcode, From: a.From.String(), To: a.To.String()})
	}
	return b
}

func personFields(p *people.Person) PersonBody {
	return PersonBody{ID: p.ID, SiteID: p.SiteID, GivenName: p.GivenName, FamilyName: p.FamilyName, Aliases: p.Aliases,
		DateOfBirth: p.DateOfBirth.String(), Gender: p.Gender, Ethnicity: p.Ethnicity, SexualOrientation: p.SexualOrientation,
		Disability: p.Disability, PoliceRef: p.PoliceRef, SocialCareRef: p.SocialCareRef, ProbationRef: p.ProbationRef, MergedInto: p.MergedInto}
}

// ReferralBody is the body of POST /referrals.
type ReferralBody struct {
	SiteID       int64       `json:"site_id"`
	Programme    string      `json:"programme"`
	PersonID     int64       `json:"person_id,omitempty"`
	Person       *PersonBody `json:"person,omitempty"`
	NotDuplicate bool        `json:"not_duplicate,omitempty"`
	Source       string      `json:"source"`
	ReferredAt   string      `json:"referred_at"`
	Summary      string      `json:"summary"`
	Evidence     Evidence    `json:"evidence"`
}

// ReferralResult is the answer to POST /referrals: the new case, or the
// people who may already be the one referred.
type ReferralResult struct {
	Created    bool        `json:"created"`
	CaseID     int64       `json:"case_id,omitempty"`
	PersonID   int64       `json:"person_id,omitempty"`
	Duplicates []Duplicate `json:"duplicates,omitempty"`
}

// Duplicate is a possible duplicate person.
type Duplicate struct {
	Person  PersonBody `json:"person"`
	Score   float64    `json:"score"`
	Reasons []string   `json:"reasons"`
}

func dateParam(s, field string, fields map[string]string) drive.Date {
	if strings.TrimSpace(s) == "" {
		return drive.Date{}
	}
	d, err := drive.ParseDate(s)
	if err != nil {
		fields[field] = "Give a date as YYYY-MM-DD"
	}
	return d
}

// Refer answers POST /referrals.
func (h *Cases) Refer(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var b ReferralBody
	if err := decode(r, "referral", &b); err != nil {
		return err
	}
	fields := map[string]string{}
	in := service.ReferralInput{SiteID: b.SiteID, Programme: b.Programme, PersonID: b.PersonID, NotDuplicate: b.NotDuplicate}
	if b.PersonID == 0 && b.Person != nil {
		p := b.Person
		in.Person = &people.Person{GivenName: p.GivenName, FamilyName: p.FamilyName, Aliases: p.Aliases, Gender: p.Gender,
			Ethnicity: p.Ethnicity, SexualOrientation: p.SexualOrientation, Disability: p.Disability, PoliceRef: p.PoliceRef,
			SocialCareRef: p.SocialCareRef, ProbationRef: p.ProbationRef, DateOfBirth: dateParam(p.DateOfBirth, "person.date_of_birth", fields)}
	}
	dash := -1
	if b.Evidence.DASHScore != nil {
		dash = *b.Evidence.DASHScore
	}
	in.Case = casework.Case{Source: casework.Source(b.Source), ReferredAt: dateParam(b.ReferredAt, "referred_at", fields), Summary: b.Summary,
		Evidence: programme.Evidence{LastMARAC: dateParam(b.Evidence.LastMARAC, "evidence.last_marac", fields), DASHScore: dash,
			Victims: b.Evidence.Victims, IdentificationRank: b.Evidence.IdentificationRank,
			KnownToChildrensSocialCare: b.Evidence.KnownToChildrensSocialCare, ProfessionalJudgement: b.Evidence.ProfessionalJudgement}}
	if len(fields) > 0 {
		return drive.Invalid("Check the referral", fields)
	}
	res, err := h.Svc.Refer(r.Context(), a, in)
	if err != nil {
		return err
	}
	if len(res.Duplicates) > 0 {
		out := ReferralResult{}
		for _, d := range res.Duplicates {
			out.Duplicates = append(out.Duplicates, Duplicate{Person: personBody(d.Person), Score: d.Score, Reasons: d.Reasons})
		}
		return WriteJSON(w, http.StatusOK, out)
	}
	return WriteJSON(w, http.StatusCreated, ReferralResult{Created: true, CaseID: res.CaseID, PersonID: res.PersonID})
}

// CaseBody is the body of GET /cases/{id}.
type CaseBody struct {
	CaseSummary
	Summary         string       `json:"summary"`
	TrialArm        string       `json:"trial_arm,omitempty"`
	Evidence        Evidence     `json:"evidence"`
	Eligible        bool         `json:"eligible"`
	CriteriaMet     []string     `json:"criteria_met"`
	DecisionReasons string       `json:"decision_reasons,omitempty"`
	ClosureReason   string       `json:"closure_reason,omitempty"`
	Person          PersonBody   `json:"person"`
	Transitions     []string     `json:"allowed_events"`
	Actions         []ActionBody `json:"actions"`
}

// TransferBody is a case pending transfer as the receiving site's team
// leaders see it: enough to decide (service.TransferDecision).
type TransferBody struct {
	ID          int64    `json:"id"`
	State       string   `json:"state"`
	PersonName  string   `json:"person_name"`
	Age         *int     `json:"age,omitempty"`
	FromSite    string   `json:"from_site"`
	ToSite      string   `json:"to_site"`
	Reason      string   `json:"reason,omitempty"`
	RequestedAt string   `json:"requested_at,omitempty"`
	RiskLevel   string   `json:"risk_level,omitempty"`
	RiskSource  string   `json:"risk_source,omitempty"`
	Transitions []string `json:"transitions"`
}

// GetCase answers GET /cases/{id}: the case, or the decision view of a
// transfer pending to the caller's site.
func (h *Cases) GetCase(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	v, err := h.viewOf(r, a, false, true)
	if err != nil {
		return err
	}
	if t := v.Transfer; t != nil {
		b := TransferBody{ID: v.Case.ID, State: string(v.Case.State), PersonName: t.PersonName, FromSite: t.FromSite, ToSite: t.ToSite,
			Reason: t.Reason, RiskLevel: t.RiskLevel, RiskSource: t.RiskSource, Transitions: []string{}}
		if t.HasAge {
			age := t.Age
			b.Age = &age
		}
		if !t.RequestedAt.IsZero() {
			b.RequestedAt = t.RequestedAt.UTC().Format(time.RFC3339)
		}
		for _, tr := range v.Transitions {
			b.Transitions = append(b.Transitions, string(tr.Event))
		}
		return WriteJSON(w, http.StatusOK, b)
	}
	c := v.Case
	b := CaseBody{CaseSummary: summary(service.CaseRow{Case: *c, PersonName: v.Person.Name(), CaseManagerName: v.CaseManager}, v.Due),
		Summary: c.Summary, Eligible: v.Assessment.Eligible, CriteriaMet: []string{}, DecisionReasons: c.DecisionReasons,
		ClosureReason: c.ClosureReason, Person: personBody(v.Person),
		Transitions: []string{}, Actions: []ActionBody{}}
	if v.Arm != nil {
		b.TrialArm = v.Arm.Arm
	}
	score := c.Evidence.DASHScore
	b.Evidence = Evidence{LastMARAC: c.Evidence.LastMARAC.String(), Victims: c.Evidence.Victims, IdentificationRank: c.Evidence.IdentificationRank,
		KnownToChildrensSocialCare: c.Evidence.KnownToChildrensSocialCare, ProfessionalJudgement: c.Evidence.ProfessionalJudgement}
	if score >= 0 {
		b.Evidence.DASHScore = &score
	}
	for _, res := range v.Assessment.Results {
		if res.Met {
			b.CriteriaMet = append(b.CriteriaMet, string(res.Rule.Kind))
		}
	}
	for _, t := range v.Transitions {
		b.Transitions = append(b.Transitions, string(t.Event))
	}
	today := v.Today
	for _, act := range v.Actions {
		b.Actions = append(b.Actions, actionBody(act, today))
	}
	return WriteJSON(w, http.StatusOK, b)
}

// TransitionBody is the body of POST /cases/{id}/transitions.
type TransitionBody struct {
	Event         string `json:"event"`
	Reasons       string `json:"reasons,omitempty"`
	CaseManagerID int64  `json:"case_manager_id,omitempty"`
	ClosureReason string `json:"closure_reason,omitempty"`
	SiteID        int64  `json:"site_id,omitempty"`
	Engagement    string `json:"engagement,omitempty"`
}

// Transition answers POST /cases/{id}/transitions: a state change, or an
// engagement change when event is "engagement".
func (h *Cases) Transition(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	var b TransitionBody
	if err := decode(r, "transition", &b); err != nil {
		return err
	}
	if b.Event == "engagement" {
		err = h.Svc.SetEngagement(r.Context(), a, id, casework.Engagement(b.Engagement))
	} else {
		err = h.Svc.Move(r.Context(), a, id, casework.Change{Event: casework.Event(b.Event), Reasons: b.Reasons,
			CaseManagerID: b.CaseManagerID, ClosureReason: b.ClosureReason, SiteID: b.SiteID})
	}
	if err != nil {
		return err
	}
	return h.GetCase(w, r, a)
}

// ActionBody is an action of the plan.
type ActionBody struct {
	ID      int64  `json:"id,omitempty"`
	Prong   string `json:"prong,omitempty"`
	Type    string `json:"type"`
	Agency  string `json:"agency,omitempty"`
	Owner   string `json:"owner"`
	DueOn   string `json:"due_on"`
	Status  string `json:"status,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	Overdue bool   `json:"overdue"`
}

func actionBody(a casework.Action, today drive.Date) ActionBody {
	return ActionBody{ID: a.ID, Prong: a.Prong, Type: a.Type, Agency: a.Agency, Owner: a.Owner, DueOn: a.DueOn.String(),
		Status: string(a.Status), Outcome: a.Outcome, Overdue: a.Overdue(today)}
}

// ListActions answers GET /cases/{id}/actions.
func (h *Cases) ListActions(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	v, err := h.view(r, a, false)
	if err != nil {
		return err
	}
	out := []ActionBody{}
	for _, act := range v.Actions {
		out = append(out, actionBody(act, v.Today))
	}
	return WriteJSON(w, http.StatusOK, out)
}

// AddAction answers POST /cases/{id}/actions.
func (h *Cases) AddAction(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	var b ActionBody
	if err := decode(r, "action", &b); err != nil {
		return err
	}
	fields := map[string]string{}
	act := &casework.Action{Type: b.Type, Agency: b.Agency, Owner: b.Owner, DueOn: dateParam(b.DueOn, "due_on", fields), Status: casework.ActionStatus(b.Status), Outcome: b.Outcome}
	if len(fields) > 0 {
		return drive.Invalid("Check the action", fields)
	}
	if err := h.Svc.AddAction(r.Context(), a, id, act); err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, actionBody(*act, drive.DateOf(act.CreatedAt)))
}

// ActionUpdate is the body of POST /cases/{id}/actions/{action}.
type ActionUpdate struct {
	Status  string `json:"status,omitempty"`
	Outcome string `json:"outcome,omitempty"`
	Owner   string `json:"owner,omitempty"`
	DueOn   string `json:"due_on,omitempty"`
}

// UpdateAction answers POST /cases/{id}/actions/{action}.
func (h *Cases) UpdateAction(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "action", "action")
	if err != nil {
		return err
	}
	var b ActionUpdate
	if err := decode(r, "action", &b); err != nil {
		return err
	}
	fields := map[string]string{}
	due := dateParam(b.DueOn, "due_on", fields)
	if len(fields) > 0 {
		return drive.Invalid("Check the action", fields)
	}
	// updated is the service's own action: after the change it carries
	// the time of the change, which is the day its overdue flag is for.
	var updated *casework.Action
	err = h.Svc.UpdateAction(r.Context(), a, id, aid, func(act *casework.Action) {
		if b.Status != "" {
			act.Status = casework.ActionStatus(b.Status)
		}
		if b.Outcome != "" {
			act.Outcome = b.Outcome
		}
		if b.Owner != "" {
			act.Owner = b.Owner
		}
		if !due.IsZero() {
			act.DueOn = due
		}
		updated = act
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, actionBody(*updated, drive.DateOf(updated.UpdatedAt)))
}

// NoteBody is a note.
type NoteBody struct {
	ID        int64  `json:"id,omitempty"`
	Text      string `json:"text"`
	Amends    int64  `json:"amends,omitempty"`
	CreatedBy int64  `json:"created_by,omitempty"`
	CreatedAt string `json:"created_at,omitempty"`
}

// ListNotes answers GET /cases/{id}/notes.
func (h *Cases) ListNotes(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	v, err := h.view(r, a, true)
	if err != nil {
		return err
	}
	if !v.CanReadNotes {
		return drive.NotFound("notes")
	}
	out := []NoteBody{}
	for _, n := range v.Notes {
		out = append(out, NoteBody{ID: n.ID, Text: n.Text, Amends: n.Amends, CreatedBy: n.CreatedBy, CreatedAt: n.CreatedAt.UTC().Format(time.RFC3339)})
	}
	return WriteJSON(w, http.StatusOK, out)
}

// AddNote answers POST /cases/{id}/notes.
func (h *Cases) AddNote(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	var b NoteBody
	if err := decode(r, "note", &b); err != nil {
		return err
	}
	n := &casework.Note{Text: b.Text, Amends: b.Amends}
	if err := h.Svc.AddNote(r.Context(), a, id, n); err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, NoteBody{ID: n.ID, Text: n.Text, Amends: n.Amends, CreatedBy: n.CreatedBy, CreatedAt: n.CreatedAt.UTC().Format(time.RFC3339)})
}

// ContactBody is a contact.
type ContactBody struct {
	ID      int64  `json:"id,omitempty"`
	Kind    string `json:"kind"`
	On      string `json:"on"`
	Method  string `json:"method,omitempty"`
	Summary string `json:"summary"`
}

// ListContacts answers GET /cases/{id}/contacts.
func (h *Cases) ListContacts(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	v, err := h.view(r, a, true)
	if err != nil {
		return err
	}
	out := []ContactBody{}
	for _, c := range v.Contacts {
		out = append(out, ContactBody{ID: c.ID, Kind: string(c.Kind), On: c.On.String(), Method: c.Method, Summary: c.Summary})
	}
	return WriteJSON(w, http.StatusOK, out)
}

// AddContact answers POST /cases/{id}/contacts.
func (h *Cases) AddContact(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	var b ContactBody
	if err := decode(r, "contact", &b); err != nil {
		return err
	}
	fields := map[string]string{}
	c := &casework.Contact{Kind: casework.ContactKind(b.Kind), On: dateParam(b.On, "on", fields), Method: b.Method, Summary: b.Summary}
	if len(fields) > 0 {
		return drive.Invalid("Check the contact", fields)
	}
	if err := h.Svc.AddContact(r.Context(), a, id, c); err != nil {
		return err
	}
	b.ID = c.ID
	return WriteJSON(w, http.StatusCreated, b)
}

// ReviewBody is a case review.
type ReviewBody struct {
	ID         int64             `json:"id,omitempty"`
	On         string            `json:"on"`
	RiskLevel  string            `json:"risk_level"`
	RiskChange string            `json:"risk_change"`
	Needs      map[string]string `json:"needs,omitempty"`
	Summary    string            `json:"summary"`
	NextDue    string            `json:"next_due,omitempty"`
}

// ListReviews answers GET /cases/{id}/reviews.
func (h *Cases) ListReviews(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	v, err := h.view(r, a, false)
	if err != nil {
		return err
	}
	out := []ReviewBody{}
	for _, rv := range v.Reviews {
		out = append(out, ReviewBody{ID: rv.ID, On: rv.On.String(), RiskLevel: rv.RiskLevel, RiskChange: rv.RiskChange, Needs: rv.Needs, Summary: rv.Summary, NextDue: rv.NextDue.String()})
	}
	return WriteJSON(w, http.StatusOK, out)
}

// AddReview answers POST /cases/{id}/reviews.
func (h *Cases) AddReview(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	var b ReviewBody
	if err := decode(r, "review", &b); err != nil {
		return err
	}
	fields := map[string]string{}
	rv := &casework.Review{On: dateParam(b.On, "on", fields), RiskLevel: b.RiskLevel, RiskChange: b.RiskChange, Needs: b.Needs, Summary: b.Summary}
	if rv.Needs == nil {
		rv.Needs = map[string]string{}
	}
	if len(fields) > 0 {
		return drive.Invalid("Check the review", fields)
	}
	if err := h.Svc.AddReview(r.Context(), a, id, rv); err != nil {
		return err
	}
	b.ID, b.NextDue = rv.ID, rv.NextDue.String()
	return WriteJSON(w, http.StatusCreated, b)
}

// GetPerson answers GET /people/{id}.
func (h *Cases) GetPerson(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	p, rows, err := h.Svc.Person(r.Context(), a, id)
	if err != nil {
		return err
	}
	out := struct {
		PersonBody
		Cases []CaseSummary `json:"cases"`
	}{personBody(p), []CaseSummary{}}
	today := h.Svc.Today()
	for _, row := range rows {
		out.Cases = append(out.Cases, summary(row, row.Due(today)))
	}
	return WriteJSON(w, http.StatusOK, out)
}

// UpdatePerson answers POST /people/{id}: the body replaces the person's
// details (names, other names, date of birth, equality fields, references
// and, when given, the address history).
func (h *Cases) UpdatePerson(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	var b PersonBody
	if err := decode(r, "person", &b); err != nil {
		return err
	}
	fields := map[string]string{}
	dob := dateParam(b.DateOfBirth, "date_of_birth", fields)
	var addrs []people.Address
	for i, ad := range b.Addresses {
		addrs = append(addrs, people.Address{Line1: ad.Line1, Town: ad.Town, Postcode: ad.Postcode,
			From: dateParam(ad.From, "addresses["+strconv.Itoa(i)+"].from", fields), To: dateParam(ad.To, "addresses["+strconv.Itoa(i)+"].to", fields)})
	}
	if len(fields) > 0 {
		return drive.Invalid("Check the person", fields)
	}
	p, err := h.Svc.UpdatePerson(r.Context(), a, id, func(p *people.Person) {
		p.GivenName, p.FamilyName, p.Aliases, p.DateOfBirth = b.GivenName, b.FamilyName, b.Aliases, dob
		p.Gender, p.Ethnicity, p.SexualOrientation, p.Disability = b.Gender, b.Ethnicity, b.SexualOrientation, b.Disability
		p.PoliceRef, p.SocialCareRef, p.ProbationRef = b.PoliceRef, b.SocialCareRef, b.ProbationRef
		if b.Addresses != nil {
			p.Addresses = addrs
		}
	})
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, personBody(p))
}
