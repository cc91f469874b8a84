package api

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/service"
)

// Meetings holds the handlers of multi-agency meetings, the actions
// agencies own, and the quarterly MARAC data return. Each answer carries
// only what the service's view holds for the caller: a case on an agenda
// that the caller may not open shows only that a case is there, and the
// service has already audited every read.
type Meetings struct {
	Svc *service.Service
}

// MeetingSummary is a meeting in a list. Invited is true when the caller
// sees the meeting only as one of its invited attendees, not as someone
// who reads the site's casework.
type MeetingSummary struct {
	ID       int64  `json:"id"`
	SiteID   int64  `json:"site_id"`
	SiteName string `json:"site_name"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	HeldOn   string `json:"held_on"`
	StartsAt string `json:"starts_at"`
	State    string `json:"state"`
	Cases    int    `json:"cases"`
	Invited  bool   `json:"invited"`
}

// MeetingList is the body of GET /meetings: meetings from today on, soonest
// first, and those before today.
type MeetingList struct {
	Upcoming []MeetingSummary `json:"upcoming"`
	Past     []MeetingSummary `json:"past"`
}

func meetingSummary(m meeting.Meeting, siteName string, cases int, invited bool) MeetingSummary {
	return MeetingSummary{ID: m.ID, SiteID: m.SiteID, SiteName: siteName, Kind: string(m.Kind), Name: m.Name, HeldOn: m.HeldOn.String(),
		StartsAt: m.StartsAt, State: string(m.State), Cases: cases, Invited: invited}
}

// ListMeetings answers GET /meetings: the meetings the caller may see
// (service.Meetings).
func (h *Meetings) ListMeetings(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	l, err := h.Svc.Meetings(r.Context(), a)
	if err != nil {
		return err
	}
	out := MeetingList{Upcoming: []MeetingSummary{}, Past: []MeetingSummary{}}
	for _, m := range l.Upcoming {
		out.Upcoming = append(out.Upcoming, meetingSummary(m.Meeting, m.SiteName, m.Cases, m.Invited))
	}
	for _, m := range l.Past {
		out.Past = append(out.Past, meetingSummary(m.Meeting, m.SiteName, m.Cases, m.Invited))
	}
	return WriteJSON(w, http.StatusOK, out)
}

// SeriesBody is the series a meeting belongs to: where it meets and who
// runs it.
type SeriesBody struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Schedule    string `json:"schedule,omitempty"`
	Venue       string `json:"venue,omitempty"`
	CallLink    string `json:"call_link,omitempty"`
	Chair       string `json:"chair"`
	Coordinator string `json:"coordinator"`
}

// AttendeeBody is one person invited to a meeting for an agency.
type AttendeeBody struct {
	Agency                  string `json:"agency"`
	Name                    string `json:"name"`
	Status                  string `json:"status"`
	ConfidentialityAccepted bool   `json:"confidentiality_accepted"`
}

// MeetingBody is the body of GET /meetings/{id}. Admitted says whether
// the caller may open the cases on its agenda; an invited partner is
// admitted once they have accepted the confidentiality statement, until
// open_until.
type MeetingBody struct {
	MeetingSummary
	OpenUntil    string         `json:"open_until"`
	Series       SeriesBody     `json:"series"`
	Attendees    []AttendeeBody `json:"attendees"`
	Admitted     bool           `json:"admitted"`
	TotalMinutes int            `json:"total_minutes"`
}

// meetingView loads the meeting named in the path as the caller may see
// it.
func (h *Meetings) meetingView(r *http.Request, a service.Actor) (*service.MeetingView, error) {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return nil, err
	}
	return h.Svc.Meeting(r.Context(), a, id)
}

// GetMeeting answers GET /meetings/{id} (service.Meeting): "not found"
// for a meeting the caller may not see, which for an invited partner
// includes a draft and a meeting whose access window has closed.
func (h *Meetings) GetMeeting(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	v, err := h.meetingView(r, a)
	if err != nil {
		return err
	}
	cases := 0
	for _, it := range v.Items {
		if it.Kind == meeting.CaseItem {
			cases++
		}
	}
	s := v.Series
	b := MeetingBody{MeetingSummary: meetingSummary(v.Meeting, s.SiteName, cases, !v.Full), OpenUntil: v.Meeting.OpenUntil().String(),
		Series:    SeriesBody{ID: s.ID, Name: s.Name, Schedule: s.Schedule, Venue: s.Venue, CallLink: s.CallLink, Chair: s.Chair, Coordinator: s.Coordinator},
		Attendees: []AttendeeBody{}, Admitted: v.Admitted, TotalMinutes: v.Minutes}
	for _, at := range v.Attendees {
		b.Attendees = append(b.Attendees, AttendeeBody{Agency: at.Agency, Name: at.Person, Status: string(at.Status),
			ConfidentialityAccepted: at.ConfidentialityAt != nil})
	}
	return WriteJSON(w, http.StatusOK, b)
}

// ItemBody is one item of an agenda. A case item the caller may not open
// (open is false) carries only its place and time: nothing of the case,
// not even why it is heard or what was decided.
type ItemBody struct {
	ID      int64  `json:"id"`
	Ord     int    `json:"ord"`
	Kind    string `json:"kind"`
	Minutes int    `json:"minutes"`
	Start   string `json:"start"`
	End     string `json:"end"`
	Open    bool   `json:"open"`
	// The case, when open.
	CaseID     int64    `json:"case_id,omitempty"`
	PersonName string   `json:"person_name,omitempty"`
	CaseState  string   `json:"case_state,omitempty"`
	Reasons    []string `json:"reasons,omitempty"`
	Repeat     bool     `json:"repeat,omitempty"`
	// Children: children live in the household of one of the case's
	// victim-survivors. ChildrenLinked and DASHScore are given only to
	// those who may read children's and victims' risk records.
	Children        bool               `json:"children,omitempty"`
	ChildrenLinked  *int               `json:"children_linked,omitempty"`
	DASHScore       *int               `json:"dash_score,omitempty"`
	Decision        string             `json:"decision,omitempty"`
	DecisionReasons string             `json:"decision_reasons,omitempty"`
	Shares          []ShareBody        `json:"shares,omitempty"`
	Actions         []AgencyActionBody `json:"actions,omitempty"`
	// Safety is present only when the service gives it to the caller:
	// her IDVA's copy of the minutes. The agenda never carries it.
	Safety []SafetyBody `json:"safety,omitempty"`
}

// ShareBody is what one agency shared about a case at the meeting. Text
// the barrier holds back from the caller reads as the withheld notice.
type ShareBody struct {
	Agency      string `json:"agency"`
	LawfulBasis string `json:"lawful_basis"`
	VictimTold  bool   `json:"victim_told"`
	Text        string `json:"text"`
}

// SafetyBody is a victim-survivor's safety information, exactly as the
// service gives it to those who may read her protected record.
type SafetyBody struct {
	VictimCaseID int64  `json:"victim_case_id"`
	Name         string `json:"name"`
	SafeContact  string `json:"safe_contact,omitempty"`
	Refuge       string `json:"refuge,omitempty"`
	Address      string `json:"address,omitempty"`
}

func itemBody(iv service.ItemView, today drive.Date) ItemBody {
	b := ItemBody{ID: iv.ID, Ord: iv.Ord, Kind: string(iv.Kind), Minutes: iv.Minutes, Start: iv.Slot.Start, End: iv.Slot.End}
	if iv.Kind != meeting.CaseItem {
		b.Open = true
		return b
	}
	if !iv.Open {
		return b
	}
	b.Open, b.CaseID, b.PersonName, b.CaseState = true, iv.CaseID, iv.PersonName, string(iv.CaseState)
	for _, rs := range iv.Reasons {
		b.Reasons = append(b.Reasons, string(rs))
	}
	b.Repeat, b.Children = iv.Repeat, iv.Item.Children
	if iv.Children >= 0 {
		n := iv.Children
		b.ChildrenLinked = &n
	}
	if iv.Risk >= 0 {
		n := iv.Risk
		b.DASHScore = &n
	}
	b.Decision, b.DecisionReasons = string(iv.Decision), iv.DecisionReasons
	for _, sh := range iv.Shares {
		b.Shares = append(b.Shares, ShareBody{Agency: sh.Agency, LawfulBasis: string(sh.Basis), VictimTold: sh.VictimTold, Text: sh.Text})
	}
	for _, act := range iv.Actions {
		b.Actions = append(b.Actions, agencyActionBody(act, today))
	}
	for _, n := range iv.Safety {
		b.Safety = append(b.Safety, SafetyBody{VictimCaseID: n.VictimCaseID, Name: n.Name, SafeContact: n.SafeContact, Refuge: n.Refuge, Address: n.Address})
	}
	return b
}

// ListItems answers GET /meetings/{id}/items: the agenda in order, with
// each item's place in the timetable.
func (h *Meetings) ListItems(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	v, err := h.meetingView(r, a)
	if err != nil {
		return err
	}
	out := []ItemBody{}
	for _, it := range v.Items {
		out = append(out, itemBody(it, v.Today))
	}
	return WriteJSON(w, http.StatusOK, out)
}

// AgencyActionBody is an action a meeting agreed (or a case manager
// added) with the agency that owns it.
type AgencyActionBody struct {
	ID            int64  `json:"id"`
	CaseID        int64  `json:"case_id"`
	SiteID        int64  `json:"site_id"`
	SiteName      string `json:"site_name"`
	PersonName    string `json:"person_name"`
	CaseState     string `json:"case_state"`
	Type          string `json:"type"`
	TypeLabel     string `json:"type_label"`
	Agency        string `json:"agency"`
	Owner         string `json:"owner"`
	DueOn         string `json:"due_on"`
	Status        string `json:"status"`
	Outcome       string `json:"outcome,omitempty"`
	ReportedOn    string `json:"reported_on,omitempty"`
	MeetingItemID int64  `json:"meeting_item_id,omitempty"`
	Overdue       bool   `json:"overdue"`
}

func agencyActionBody(a service.AgencyAction, today drive.Date) AgencyActionBody {
	agency := a.AgencyName
	if agency == "" {
		agency = a.Agency
	}
	return AgencyActionBody{ID: a.ID, CaseID: a.CaseID, SiteID: a.SiteID, SiteName: a.SiteName, PersonName: a.PersonName,
		CaseState: string(a.CaseState), Type: a.Type, TypeLabel: a.TypeLabel, Agency: agency, Owner: a.Owner, DueOn: a.DueOn.String(),
		Status: string(a.Status), Outcome: a.Outcome, ReportedOn: a.ReportedOn.String(), MeetingItemID: a.MeetingItemID, Overdue: a.Overdue(today)}
}

// ListAgencyActions answers GET /actions: the unfinished actions the
// caller's organisation owns (?all=true: all of them).
func (h *Meetings) ListAgencyActions(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	all := false
	switch v := r.URL.Query().Get("all"); v {
	case "", "false", "0":
	case "true", "1":
		all = true
	default:
		msg := "Give all as true or false"
		return drive.Invalid(msg, map[string]string{"all": msg})
	}
	acts, err := h.Svc.AgencyActions(r.Context(), a, all)
	if err != nil {
		return err
	}
	today := h.Svc.Today()
	out := []AgencyActionBody{}
	for _, act := range acts {
		out = append(out, agencyActionBody(act, today))
	}
	return WriteJSON(w, http.StatusOK, out)
}

// ActionReportBody is the body of POST /actions/{id}: the owning agency's
// report. reported_on defaults to today.
type ActionReportBody struct {
	Status     string `json:"status"`
	ReportedOn string `json:"reported_on,omitempty"`
	Outcome    string `json:"outcome,omitempty"`
}

// ActionReported is the answer to POST /actions/{id}: the report as
// recorded.
type ActionReported struct {
	ID         int64  `json:"id"`
	Status     string `json:"status"`
	ReportedOn string `json:"reported_on"`
	Outcome    string `json:"outcome,omitempty"`
}

// ReportAction answers POST /actions/{id} (service.ReportAction): the
// owning agency's users, or the case's own writers, report status,
// outcome and date. "not found" for an action the caller may not write.
func (h *Meetings) ReportAction(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "action")
	if err != nil {
		return err
	}
	var b ActionReportBody
	if err := decode(r, "report", &b); err != nil {
		return err
	}
	fields := map[string]string{}
	rep := service.ActionReport{Status: casework.ActionStatus(b.Status), ReportedOn: dateParam(b.ReportedOn, "reported_on", fields),
		Outcome: strings.TrimSpace(b.Outcome)}
	if len(fields) > 0 {
		return drive.Invalid("Check the report", fields)
	}
	if rep.ReportedOn.IsZero() {
		// The service records today for a report without a date; the
		// answer says which day that was.
		rep.ReportedOn = h.Svc.Today()
	}
	if err := h.Svc.ReportAction(r.Context(), a, id, rep); err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, ActionReported{ID: id, Status: string(rep.Status), ReportedOn: rep.ReportedOn.String(), Outcome: rep.Outcome})
}

// FigureBody is one figure of the data return. Value is as published: a
// number, or the string "[c]" for a withheld one, which never carries the
// withheld value. A rate is given to one decimal place, as on the form.
type FigureBody struct {
	Code       string `json:"code"`
	Label      string `json:"label"`
	Definition string `json:"definition,omitempty"`
	Value      any    `json:"value"`
	Rate       bool   `json:"rate,omitempty"`
}

// DataReturnBody is the body of GET /marac-return.
type DataReturnBody struct {
	SiteID            int64        `json:"site_id"`
	SiteName          string       `json:"site_name"`
	Quarter           string       `json:"quarter"`
	Threshold         int          `json:"threshold"`
	Figures           []FigureBody `json:"figures"`
	ReferralsByAgency []FigureBody `json:"referrals_by_agency"`
	Notes             []string     `json:"notes"`
}

func figureBody(f meeting.Figure) FigureBody {
	b := FigureBody{Code: f.Code, Label: f.Label, Definition: f.Definition, Value: f.Cell}
	if f.IsRate {
		// suppress.Rate writes "[c]" when not shown; a shown rate is
		// rounded as the form prints it.
		rate := f.Rate
		if rate.Shown {
			rate.Value = math.Round(rate.Value*10) / 10
		}
		b.Value, b.Rate = rate, true
	}
	return b
}

// GetMARACReturn answers GET /marac-return?site=ID&quarter=YYYY-QN: the
// site's quarterly MARAC data return (service.MARACDataReturn) with small
// numbers withheld. "not found" for a site whose aggregates the caller may
// not read.
func (h *Meetings) GetMARACReturn(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	q := r.URL.Query()
	fields := map[string]string{}
	site, err := strconv.ParseInt(q.Get("site"), 10, 64)
	if err != nil || site <= 0 {
		fields["site"] = "Give the site's number"
	}
	quarter, err := meeting.ParseQuarter(q.Get("quarter"))
	if err != nil {
		fields["quarter"] = drive.ErrorMessage(err)
	}
	if len(fields) > 0 {
		return drive.Invalid("Check the site and quarter", fields)
	}
	ret, err := h.Svc.MARACDataReturn(r.Context(), a, site, quarter)
	if err != nil {
		return err
	}
	out := DataReturnBody{SiteID: site, SiteName: ret.SiteName, Quarter: ret.Quarter.String(), Threshold: ret.Threshold,
		Figures: []FigureBody{}, ReferralsByAgency: []FigureBody{}, Notes: []string{}}
	for _, f := range ret.Figures {
		out.Figures = append(out.Figures, figureBody(f))
	}
	for _, f := range ret.ReferralsByAgency {
		out.ReferralsByAgency = append(out.ReferralsByAgency, figureBody(f))
	}
	out.Notes = append(out.Notes, ret.Notes...)
	return WriteJSON(w, http.StatusOK, out)
}
