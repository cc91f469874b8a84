package form

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
)

// number reads a whole number the form cannot do without; blank or
// unreadable puts message against the field.
func number(v url.Values, name, message string, errs Errors) int {
	n, err := strconv.Atoi(strings.TrimSpace(v.Get(name)))
	if err != nil {
		errs[name] = message
	}
	return n
}

// ids reads every value of a repeated field (checkboxes) as record
// numbers, leaving out any that cannot be read: they name no record.
func ids(v url.Values, name string) []int64 {
	var out []int64
	for _, s := range v[name] {
		if n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// Series is the form that sets up a meeting series.
type Series struct {
	SiteID, ChairID, CoordinatorID  int64
	Kind                            meeting.Kind
	Name, Schedule, Venue, CallLink string
	AgencyIDs                       []int64
	MinutesPerItem, AccessDays      int
	errs                            Errors
}

// NewSeries reads the series form.
func NewSeries(v url.Values) *Series {
	f := &Series{SiteID: id(v, "site"), ChairID: id(v, "chair"), CoordinatorID: id(v, "coordinator"), Kind: meeting.Kind(v.Get("kind")),
		Name: v.Get("name"), Schedule: v.Get("schedule"), Venue: v.Get("venue"), CallLink: v.Get("call_link"),
		AgencyIDs: ids(v, "agencies"), errs: Errors{}}
	f.MinutesPerItem = number(v, "minutes_per_item", "Enter the minutes each case has as a number, for example 12", f.errs)
	f.AccessDays = number(v, "access_days", "Enter the days partners keep access as a number, for example 7", f.errs)
	return f
}

// Validate reports numbers that cannot be read.
func (f *Series) Validate() error { return f.errs.Err("Check the meeting series") }

// Series is the series to set up.
func (f *Series) Series() *meeting.Series {
	return &meeting.Series{SiteID: f.SiteID, Kind: f.Kind, Name: f.Name, Schedule: f.Schedule, ChairID: f.ChairID,
		CoordinatorID: f.CoordinatorID, Venue: f.Venue, CallLink: f.CallLink, AgencyIDs: f.AgencyIDs,
		MinutesPerItem: f.MinutesPerItem, AccessDays: f.AccessDays}
}

// Schedule is the form that schedules a meeting of a series.
type Schedule struct {
	SeriesID int64
	HeldOn   drive.Date
	StartsAt string
	errs     Errors
}

// NewSchedule reads the schedule form.
func NewSchedule(v url.Values) *Schedule {
	f := &Schedule{SeriesID: id(v, "series"), StartsAt: strings.TrimSpace(v.Get("starts_at")), errs: Errors{}}
	f.HeldOn = requiredDate(v, "held_on", f.errs)
	return f
}

// Validate reports a date that is missing or not a date.
func (f *Schedule) Validate() error { return f.errs.Err("Check the meeting") }

// AgendaCases is the candidates form: the cases chosen for the agenda,
// or all of those proposed.
type AgendaCases struct {
	CaseIDs []int64
	// All: the "add all" button was pressed; the handler fills CaseIDs
	// with every proposed case, whatever was ticked.
	All bool
}

// NewAgendaCases reads the ticked candidates.
func NewAgendaCases(v url.Values) *AgendaCases {
	f := &AgendaCases{All: v.Get("all") == "yes"}
	if !f.All {
		f.CaseIDs = ids(v, "cases")
	}
	return f
}

// Validate reports that no case was chosen.
func (f *AgendaCases) Validate() error {
	if len(f.CaseIDs) == 0 {
		return Errors{"cases": "Choose at least one case to add"}.Err("Check the cases")
	}
	return nil
}

// ItemMinutes is the form beside an agenda item that changes its time.
type ItemMinutes struct {
	Minutes int
	errs    Errors
}

// NewItemMinutes reads an item's time.
func NewItemMinutes(v url.Values) *ItemMinutes {
	f := &ItemMinutes{errs: Errors{}}
	f.Minutes = number(v, "minutes", "Enter the minutes as a number, for example 15", f.errs)
	return f
}

// Validate reports minutes that cannot be read.
func (f *ItemMinutes) Validate() error { return f.errs.Err("Check the time") }

// Invite is the form that invites someone: a user, or an agency and the
// name of someone without an account.
type Invite struct {
	UserID, OrganisationID int64
	Name                   string
}

// NewInvite reads the invitation form.
func NewInvite(v url.Values) *Invite {
	return &Invite{UserID: id(v, "user"), OrganisationID: id(v, "organisation"), Name: v.Get("name")}
}

// Attendee is the person to invite. A chosen user is invited as
// themselves: the agency and name typed are for people without an
// account.
func (f *Invite) Attendee() meeting.Attendee {
	if f.UserID > 0 {
		return meeting.Attendee{UserID: f.UserID}
	}
	return meeting.Attendee{OrganisationID: f.OrganisationID, Name: f.Name}
}

// Attendance is the form beside an attendee recording how they took part.
type Attendance struct {
	Status meeting.Attendance
}

// NewAttendance reads an attendee's status.
func NewAttendance(v url.Values) *Attendance {
	return &Attendance{Status: meeting.Attendance(v.Get("status"))}
}

// Share is the form that records what an agency shared about a case.
type Share struct {
	OrganisationID int64
	Basis          meeting.LawfulBasis
	VictimTold     bool
	Text           string
	errs           Errors
}

// NewShare reads the share form. Whether the victim-survivor was told is
// a yes or no the recorder must give.
func NewShare(v url.Values) *Share {
	f := &Share{OrganisationID: id(v, "organisation"), Basis: meeting.LawfulBasis(v.Get("basis")), Text: v.Get("text"), errs: Errors{}}
	switch v.Get("victim_told") {
	case "yes":
		f.VictimTold = true
	case "no":
	default:
		f.errs["victim_told"] = "Say whether the victim-survivor was told this is being shared"
	}
	return f
}

// Validate reports a missing answer about telling the victim-survivor.
func (f *Share) Validate() error { return f.errs.Err("Check the information shared") }

// Share is the share to record.
func (f *Share) Share() *meeting.Share {
	return &meeting.Share{OrganisationID: f.OrganisationID, Basis: f.Basis, VictimTold: f.VictimTold, Text: f.Text}
}

// Decision is the form that records the meeting's decision on a case.
type Decision struct {
	Decision meeting.Decision
	Reasons  string
}

// NewDecision reads the decision form.
func NewDecision(v url.Values) *Decision {
	return &Decision{Decision: meeting.Decision(v.Get("decision")), Reasons: v.Get("reasons")}
}

// MeetingAction is the form that records an action a meeting agreed.
type MeetingAction struct {
	Type           string
	OrganisationID int64
	Owner          string
	DueOn          drive.Date
	errs           Errors
}

// NewMeetingAction reads the agreed action form.
func NewMeetingAction(v url.Values) *MeetingAction {
	f := &MeetingAction{Type: v.Get("type"), OrganisationID: id(v, "organisation"), Owner: v.Get("owner"), errs: Errors{}}
	f.DueOn = requiredDate(v, "due_on", f.errs)
	return f
}

// Validate reports a due date that is missing or not a date.
func (f *MeetingAction) Validate() error { return f.errs.Err(checkDate) }

// Action is the action agreed, owned by the organisation chosen.
func (f *MeetingAction) Action() *casework.Action {
	return &casework.Action{Type: f.Type, OrganisationID: f.OrganisationID, Owner: f.Owner, DueOn: f.DueOn}
}
