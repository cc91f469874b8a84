package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/web/form"
)

// Multi-agency meetings: series, agendas, the confidentiality statement,
// recording at the meeting, and minutes. Each handler parses its form
// (package form), makes one service call and shows the answer; who may
// see or change what is the service's to decide. Addresses carry record
// numbers only, never a name.

// meetingDone is the confirmation a page shows after a change, chosen by
// the "done" code the change redirects with, so the address carries a
// fixed word and nothing about anyone.
var meetingDone = map[string]string{
	"series":     "Meeting series set up",
	"scheduled":  "Meeting scheduled: its agenda is in preparation",
	"added":      "Cases added to the agenda",
	"removed":    "Case taken off the agenda",
	"minutes":    "Time on the agenda changed",
	"invited":    "Invitation added",
	"uninvited":  "Invitation removed",
	"attendance": "Attendance recorded",
	"published":  "Agenda published: everyone invited has been told",
	"accepted":   "Confidentiality statement accepted: the cases on the agenda are open to you",
	"cancelled":  "Meeting cancelled",
	"held":       "Minutes published",
	"share":      "Information shared recorded",
	"decision":   "Decision recorded",
	"action":     "Action agreed",
}

// showsMeetings decides whether the navigation offers Meetings: to those
// who run or read a site's casework, and to partners and IDVAs, who are
// invited. The list shows each only the meetings they may see.
func showsMeetings(sub access.Subject) bool {
	if sites, _ := sub.SitesFor(access.PerpetratorCase, access.Read); len(sites) > 0 {
		return true
	}
	return sub.HasRole(access.Partner) || sub.HasRole(access.IDVA)
}

// pageWithDone builds a page carrying the confirmation named by the
// request's "done" code, if any.
func (s *Server) pageWithDone(r *http.Request, title string, data any) Page {
	p := s.page(r, title, data)
	p.Flash = doneMessageOf(r)
	return p
}

// meetingPath is the address of a meeting, or of a part of it.
func meetingPath(id int64, rest string) string {
	return "/meetings/" + strconv.FormatInt(id, 10) + rest
}

// postedForm reads a posted form.
func postedForm(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		return nil, drive.Errorf(drive.EINVALID, "The form could not be read")
	}
	return r.PostForm, nil
}

// meetings lists the meetings the user may see.
func (s *Server) meetings(w http.ResponseWriter, r *http.Request) error {
	l, err := s.svc.Meetings(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	d := meetingsData{MeetingList: l, Sections: [][]service.MeetingRow{l.Upcoming, l.Past}}
	if l.CanCoordinate {
		setup, err := s.svc.MeetingSetup(r.Context(), actorOf(r))
		if err != nil {
			return err
		}
		d.Series = setup.Series
	}
	return s.render(w, r, http.StatusOK, "meetings", s.pageWithDone(r, "Meetings", d))
}

// meetingsData is what templates/meetings.html shows: the meetings coming
// up, then those held and past.
type meetingsData struct {
	*service.MeetingList
	Sections [][]service.MeetingRow
	Series   []service.SeriesRow
}

// seriesData is what templates/meeting-series.html shows.
type seriesData struct {
	*service.MeetingSetup
	Kinds  []meeting.Kind
	Form   url.Values
	Errors FormErrors
}

// Chosen reports whether the form chose value for a repeated field.
func (d seriesData) Chosen(field string, value int64) bool {
	return slices.Contains(d.Form[field], strconv.FormatInt(value, 10))
}

// option is one choice of a select.
type choice struct{ Value, Label string }

// SiteOptions are the sites the coordinator runs.
func (d seriesData) SiteOptions() []choice {
	var out []choice
	for _, st := range d.Sites {
		out = append(out, choice{strconv.FormatInt(st.ID, 10), st.Name})
	}
	return out
}

// PeopleOptions are the people of every site the coordinator runs, for
// choosing a chair and a coordinator, each once.
func (d seriesData) PeopleOptions() []choice {
	var out []choice
	seen := map[int64]bool{}
	for _, st := range d.Sites {
		for _, u := range d.People[st.ID] {
			if !seen[u.ID] {
				seen[u.ID] = true
				out = append(out, choice{strconv.FormatInt(u.ID, 10), u.DisplayName})
			}
		}
	}
	return out
}

var seriesOrder = []string{"site", "kind", "name", "schedule", "chair", "coordinator", "venue", "call_link", "agencies", "minutes_per_item", "access_days"}

// seriesForm shows the form that sets up a series.
func (s *Server) seriesForm(w http.ResponseWriter, r *http.Request) error {
	v := url.Values{"minutes_per_item": {strconv.Itoa(meeting.DefaultMinutesPerItem)}, "access_days": {strconv.Itoa(meeting.DefaultAccessDays)}}
	return s.renderSeries(w, r, http.StatusOK, v, nil)
}

func (s *Server) renderSeries(w http.ResponseWriter, r *http.Request, status int, v url.Values, errs FormErrors) error {
	setup, err := s.svc.MeetingSetup(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	title := "Set up a meeting series"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	d := seriesData{MeetingSetup: setup, Kinds: meeting.Kinds(), Form: v, Errors: errs}
	return s.render(w, r, status, "meeting-series", s.page(r, title, d))
}

// createSeries sets up a series.
func (s *Server) createSeries(w http.ResponseWriter, r *http.Request) error {
	v, err := postedForm(r)
	if err != nil {
		return err
	}
	f := form.NewSeries(v)
	err = f.Validate()
	if err == nil {
		err = s.svc.CreateSeries(r.Context(), actorOf(r), f.Series())
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderSeries(w, r, http.StatusUnprocessableEntity, v, invalidErrors(err, seriesOrder...))
	}
	if err != nil {
		return err
	}
	confirm(w, r, "/meetings", "series")
	return nil
}

// scheduleData is what templates/meeting-new.html shows.
type scheduleData struct {
	Series service.SeriesRow
	Form   url.Values
	Errors FormErrors
}

// scheduleForm shows the form that schedules a meeting of a series.
func (s *Server) scheduleForm(w http.ResponseWriter, r *http.Request) error {
	id, _ := strconv.ParseInt(r.URL.Query().Get("series"), 10, 64)
	return s.renderSchedule(w, r, http.StatusOK, id, url.Values{"starts_at": {"10:00"}}, nil)
}

func (s *Server) renderSchedule(w http.ResponseWriter, r *http.Request, status int, seriesID int64, v url.Values, errs FormErrors) error {
	setup, err := s.svc.MeetingSetup(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	i := slices.IndexFunc(setup.Series, func(x service.SeriesRow) bool { return x.ID == seriesID })
	if i < 0 {
		return drive.NotFound("meeting series")
	}
	title := "Schedule a meeting"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.render(w, r, status, "meeting-new", s.page(r, title, scheduleData{Series: setup.Series[i], Form: v, Errors: errs}))
}

// scheduleMeeting schedules a meeting and opens its page.
func (s *Server) scheduleMeeting(w http.ResponseWriter, r *http.Request) error {
	v, err := postedForm(r)
	if err != nil {
		return err
	}
	f := form.NewSchedule(v)
	var id int64
	err = f.Validate()
	if err == nil {
		id, err = s.svc.ScheduleMeeting(r.Context(), actorOf(r), f.SeriesID, f.HeldOn, f.StartsAt)
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderSchedule(w, r, http.StatusUnprocessableEntity, f.SeriesID, v, invalidErrors(err, "held_on", "starts_at"))
	}
	if err != nil {
		return err
	}
	confirm(w, r, meetingPath(id, ""), "scheduled")
	return nil
}

// meetingData is what templates/meeting.html shows.
type meetingData struct {
	*service.MeetingView
	Attendances []meeting.Attendance
	Form        url.Values
	Errors      FormErrors
}

// Cases counts the cases on the agenda.
func (d meetingData) Cases() int {
	n := 0
	for _, it := range d.Items {
		if it.Kind == meeting.CaseItem {
			n++
		}
	}
	return n
}

// Editable reports whether the agenda and invitations may still change.
func (d meetingData) Editable() bool {
	return d.CanCoordinate && (d.Meeting.State == meeting.Draft || d.Meeting.State == meeting.Published)
}

// MustAccept reports whether the user is invited and has still to accept
// the confidentiality statement before any case opens to them.
func (d meetingData) MustAccept() bool { return d.Me != nil && !d.Admitted }

// meetingPage shows a meeting.
func (s *Server) meetingPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderMeeting(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderMeeting(w http.ResponseWriter, r *http.Request, status int, v url.Values, errs FormErrors) error {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return err
	}
	mv, err := s.svc.Meeting(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	title := mv.Meeting.Name + ", " + mv.Meeting.HeldOn.Display()
	if len(errs) > 0 {
		title = "Error: " + title
	}
	d := meetingData{MeetingView: mv, Attendances: meeting.Attendances(), Form: v, Errors: errs}
	return s.render(w, r, status, "meeting", s.pageWithDone(r, title, d))
}

// meetingForm handles every form on the meeting page: it makes the change
// and returns to the page with a confirmation, or shows the page again
// with the form's errors and nothing changed.
func (s *Server) meetingForm(code string, fieldPrefix func(r *http.Request) string,
	submit func(r *http.Request, a service.Actor, id int64, v url.Values) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", "meeting")
		if err != nil {
			return err
		}
		v, err := postedForm(r)
		if err != nil {
			return err
		}
		err = submit(r, actorOf(r), id, v)
		if drive.ErrorCode(err) == drive.EINVALID {
			errs := invalidErrors(err)
			if fieldPrefix != nil {
				p := fieldPrefix(r)
				for i := range errs {
					if errs[i].Field != "" {
						errs[i].Field = p + errs[i].Field
					}
				}
			}
			return s.renderMeeting(w, r, http.StatusUnprocessableEntity, v, errs)
		}
		if err != nil {
			return err
		}
		confirm(w, r, meetingPath(id, ""), code)
		return nil
	}
}

// pathItem reads an agenda item's or attendee's number from the path.
func pathItem(r *http.Request, name string) (int64, error) { return pathID(r, name, "agenda item") }

// addToAgenda adds the ticked cases, or with "all" every proposed case
// not yet on the agenda: one click for the whole list.
func (s *Server) addToAgenda(r *http.Request, a service.Actor, id int64, v url.Values) error {
	f := form.NewAgendaCases(v)
	if f.All {
		rows, err := s.svc.AgendaCandidates(r.Context(), a, id)
		if err != nil {
			return err
		}
		for _, c := range rows {
			if !c.OnAgenda {
				f.CaseIDs = append(f.CaseIDs, c.CaseID)
			}
		}
	}
	if err := f.Validate(); err != nil {
		return err
	}
	return s.svc.AddToAgenda(r.Context(), a, id, f.CaseIDs)
}

// addItems adds the chosen candidates; with none chosen it shows the
// candidates again with the error.
func (s *Server) addItems(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return err
	}
	v, err := postedForm(r)
	if err != nil {
		return err
	}
	err = s.addToAgenda(r, actorOf(r), id, v)
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderCandidates(w, r, http.StatusUnprocessableEntity, v, invalidErrors(err, "cases"))
	}
	if err != nil {
		return err
	}
	confirm(w, r, meetingPath(id, ""), "added")
	return nil
}

// candidatesData is what templates/meeting-candidates.html shows.
type candidatesData struct {
	Meeting *service.MeetingView
	Rows    []service.CandidateRow
	Form    url.Values
	Errors  FormErrors
}

// Chosen reports whether a case was ticked on the form shown again.
func (d candidatesData) Chosen(caseID int64) bool {
	return slices.Contains(d.Form["cases"], strconv.FormatInt(caseID, 10))
}

// Available counts the candidates not yet on the agenda.
func (d candidatesData) Available() int {
	n := 0
	for _, c := range d.Rows {
		if !c.OnAgenda {
			n++
		}
	}
	return n
}

// candidates shows the cases proposed for the agenda, with a checkbox
// each.
func (s *Server) candidates(w http.ResponseWriter, r *http.Request) error {
	return s.renderCandidates(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderCandidates(w http.ResponseWriter, r *http.Request, status int, v url.Values, errs FormErrors) error {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return err
	}
	ctx, a := r.Context(), actorOf(r)
	rows, err := s.svc.AgendaCandidates(ctx, a, id)
	if err != nil {
		return err
	}
	mv, err := s.svc.Meeting(ctx, a, id)
	if err != nil {
		return err
	}
	title := "Cases proposed for the agenda"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.render(w, r, status, "meeting-candidates", s.page(r, title, candidatesData{Meeting: mv, Rows: rows, Form: v, Errors: errs}))
}

func (s *Server) removeItem(r *http.Request, a service.Actor, id int64, v url.Values) error {
	item, err := pathItem(r, "item")
	if err != nil {
		return err
	}
	return s.svc.RemoveFromAgenda(r.Context(), a, id, item)
}

func (s *Server) itemMinutes(r *http.Request, a service.Actor, id int64, v url.Values) error {
	item, err := pathItem(r, "item")
	if err != nil {
		return err
	}
	f := form.NewItemMinutes(v)
	if err := f.Validate(); err != nil {
		return err
	}
	return s.svc.SetItemMinutes(r.Context(), a, id, item, f.Minutes)
}

// itemPrefix names the fields of the form beside one agenda item, so an
// error links to that item's field.
func itemPrefix(r *http.Request) string { return "item-" + r.PathValue("item") + "-" }

// attendeePrefix names the fields of the form beside one attendee.
func attendeePrefix(r *http.Request) string { return "attendee-" + r.PathValue("att") + "-" }

// invitePrefix names the fields of the invitation form.
func invitePrefix(*http.Request) string { return "invite-" }

func (s *Server) invite(r *http.Request, a service.Actor, id int64, v url.Values) error {
	return s.svc.Invite(r.Context(), a, id, form.NewInvite(v).Attendee())
}

func (s *Server) uninvite(r *http.Request, a service.Actor, id int64, v url.Values) error {
	att, err := pathID(r, "att", "attendee")
	if err != nil {
		return err
	}
	return s.svc.Uninvite(r.Context(), a, id, att)
}

func (s *Server) attendance(r *http.Request, a service.Actor, id int64, v url.Values) error {
	att, err := pathID(r, "att", "attendee")
	if err != nil {
		return err
	}
	return s.svc.RecordAttendance(r.Context(), a, id, att, form.NewAttendance(v).Status)
}

func (s *Server) publishAgenda(r *http.Request, a service.Actor, id int64, v url.Values) error {
	return s.svc.PublishAgenda(r.Context(), a, id)
}

func (s *Server) acceptConfidentiality(r *http.Request, a service.Actor, id int64, v url.Values) error {
	return s.svc.AcceptConfidentiality(r.Context(), a, id)
}

func (s *Server) cancelMeeting(r *http.Request, a service.Actor, id int64, v url.Values) error {
	return s.svc.CancelMeeting(r.Context(), a, id)
}

// publishMinutes publishes the minutes and opens them.
func (s *Server) publishMinutes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return err
	}
	err = s.svc.PublishMinutes(r.Context(), actorOf(r), id)
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderMeeting(w, r, http.StatusUnprocessableEntity, nil, invalidErrors(err))
	}
	if err != nil {
		return err
	}
	confirm(w, r, meetingPath(id, "/minutes"), "held")
	return nil
}

// itemData is what templates/meeting-item.html shows.
type itemData struct {
	Meeting      *service.MeetingView
	Item         service.ItemView
	Bases        []meeting.LawfulBasis
	Prongs       []prongPlan
	OwnAgency    string
	Form         url.Values
	Errors       FormErrors
	CanAgree     bool
	Organisation []account.Organisation
}

// itemPage shows a case on the agenda as the user may see it: the case,
// what agencies shared, the decision and the actions agreed.
func (s *Server) itemPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderItem(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderItem(w http.ResponseWriter, r *http.Request, status int, v url.Values, errs FormErrors) error {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return err
	}
	itemID, err := pathItem(r, "item")
	if err != nil {
		return err
	}
	mv, err := s.svc.Meeting(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(mv.Items, func(it service.ItemView) bool { return it.ID == itemID })
	if i < 0 || !mv.Items[i].Open {
		return drive.NotFound("agenda item")
	}
	it := mv.Items[i]
	d := itemData{Meeting: mv, Item: it, Bases: meeting.LawfulBases(), Form: v, Errors: errs, Organisation: mv.Organisations,
		CanAgree: mv.CanCoordinate && mv.Meeting.State == meeting.Published && it.CaseState.Open()}
	if d.CanAgree {
		p := programme.Drive()
		if r := programme.Restart(); it.Programme == r.Code {
			p = r
		}
		for _, pr := range programme.Prongs() {
			pp := prongPlan{Label: programme.ProngLabel(pr)}
			for _, t := range p.Actions {
				if t.Prong == pr {
					pp.Types = append(pp.Types, t)
				}
			}
			d.Prongs = append(d.Prongs, pp)
		}
	}
	title := it.PersonName + ", " + mv.Meeting.Name
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.render(w, r, status, "meeting-item", s.pageWithDone(r, title, d))
}

// itemForm handles the forms of the item page.
func (s *Server) itemForm(code string, order []string, submit func(r *http.Request, a service.Actor, id, item int64, v url.Values) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", "meeting")
		if err != nil {
			return err
		}
		item, err := pathItem(r, "item")
		if err != nil {
			return err
		}
		v, err := postedForm(r)
		if err != nil {
			return err
		}
		err = submit(r, actorOf(r), id, item, v)
		if drive.ErrorCode(err) == drive.EINVALID {
			return s.renderItem(w, r, http.StatusUnprocessableEntity, v, invalidErrors(err, order...))
		}
		if err != nil {
			return err
		}
		confirm(w, r, meetingPath(id, "/items/"+strconv.FormatInt(item, 10)), code)
		return nil
	}
}

func (s *Server) recordShare(r *http.Request, a service.Actor, id, item int64, v url.Values) error {
	f := form.NewShare(v)
	if err := f.Validate(); err != nil {
		return err
	}
	return s.svc.RecordShare(r.Context(), a, id, item, f.Share())
}

func (s *Server) decideItem(r *http.Request, a service.Actor, id, item int64, v url.Values) error {
	f := form.NewDecision(v)
	return s.svc.DecideItem(r.Context(), a, id, item, f.Decision, f.Reasons)
}

func (s *Server) agreeAction(r *http.Request, a service.Actor, id, item int64, v url.Values) error {
	f := form.NewMeetingAction(v)
	if err := f.Validate(); err != nil {
		return err
	}
	err := s.svc.AgreeAction(r.Context(), a, id, item, f.Action())
	if drive.ErrorCode(err) == drive.EINVALID {
		// The share form above has its own agency field.
		de := asInvalid(err)
		if m, ok := de.Fields["organisation"]; ok {
			fields := map[string]string{"action-organisation": m}
			for k, v := range de.Fields {
				if k != "organisation" {
					fields[k] = v
				}
			}
			return drive.Invalid(de.Message, fields)
		}
	}
	return err
}

// minutesData is what templates/meeting-minutes.html shows.
type minutesData struct {
	*service.MeetingView
	Marking string
}

// CaseItems are the agenda's cases, in order.
func (d minutesData) CaseItems() []service.ItemView {
	var out []service.ItemView
	for _, it := range d.Items {
		if it.Kind == meeting.CaseItem {
			out = append(out, it)
		}
	}
	return out
}

// minutesPage shows the minutes of a held meeting as the user may see
// them; only her IDVA's copy carries a victim-survivor's safety
// information.
func (s *Server) minutesPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return err
	}
	mv, err := s.svc.Minutes(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	title := "Minutes: " + mv.Meeting.Name + ", " + mv.Meeting.HeldOn.Display()
	return s.render(w, r, http.StatusOK, "meeting-minutes", s.pageWithDone(r, title, minutesData{MeetingView: mv, Marking: service.Marking}))
}

// minutesPDF serves the minutes as a file to download, never kept by the
// browser's cache.
func (s *Server) minutesPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return err
	}
	b, name, err := s.svc.MinutesPDF(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	_, err = w.Write(b) // #nosec G705 -- a PDF sent as an attachment, never rendered as HTML
	return err
}
