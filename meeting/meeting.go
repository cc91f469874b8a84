// Package meeting holds the multi-agency meetings a site runs: Drive
// panels that decide who enters, MARACs that plan the safety of
// victim-survivors at high risk, and MATAC-style perpetrator tasking
// meetings. A meeting belongs to a series (the site's fortnightly MARAC,
// say); its agenda is a list of items, most of them perpetrator cases;
// its attendees are people from agencies; each item records what each
// agency shared and on what lawful basis, the decision, and the actions
// agencies volunteered.
//
// A case heard at a MARAC held here is a MARAC hearing, exactly as one
// imported from a coordinator's list (incident.Hearing) is: the word
// means one thing everywhere.
//
// The package is plain Go: no SQL, no HTTP. Who may see what is decided
// by the access policy's panel relationship (access.Panel), which the
// service fills from the attendee lists kept here.
package meeting

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
)

// Kind is the kind of meeting a series holds.
type Kind string

// The kinds of meeting (ARCHITECTURE.md §3).
const (
	// DrivePanel is the site's Drive panel: it decides which referrals
	// enter the intervention.
	DrivePanel Kind = "drive_panel"
	// MARAC is a multi-agency risk assessment conference: agencies share
	// what they know about a victim-survivor at high risk and agree
	// actions to keep her safe.
	MARAC Kind = "marac"
	// MATAC is a multi-agency tasking and co-ordination meeting: agencies
	// agree actions to disrupt a serial or high-harm perpetrator.
	MATAC Kind = "matac"
)

// Kinds lists every kind in a stable order.
func Kinds() []Kind { return []Kind{DrivePanel, MARAC, MATAC} }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// Label names the kind for people.
func (k Kind) Label() string {
	switch k {
	case DrivePanel:
		return "Drive panel"
	case MARAC:
		return "MARAC"
	case MATAC:
		return "MATAC (perpetrator tasking)"
	}
	return string(k)
}

// Defaults for a series (DOMAIN.md, "MARAC": about 16 cases a meeting,
// 12-15 minutes each).
const (
	DefaultMinutesPerItem = 12
	DefaultAccessDays     = 7
	MaxAccessDays         = 28
)

// Series is a site's run of meetings of one kind: the fortnightly MARAC,
// the monthly Drive panel. Its settings are the defaults each meeting
// starts from.
type Series struct {
	ID     int64
	SiteID int64
	Kind   Kind
	Name   string
	// Schedule says when it meets, in words ("Every other Tuesday,
	// 10:00"); meetings are scheduled one at a time.
	Schedule      string
	ChairID       int64
	CoordinatorID int64
	Venue         string // a room, or empty for a call
	CallLink      string // an https link, or empty
	// AgencyIDs are the organisations expected at every meeting.
	AgencyIDs []int64
	// MinutesPerItem is the time each case is given on the agenda.
	MinutesPerItem int
	// AccessDays is how long after a meeting its partner attendees keep
	// seeing the cases on its agenda, to write up their actions. After
	// it, the cases are "not found" to them again.
	AccessDays int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Validate tidies and checks a series. Errors: EINVALID per field.
func (s *Series) Validate() error {
	f := map[string]string{}
	s.Name, s.Schedule, s.Venue, s.CallLink = tidy(s.Name), tidy(s.Schedule), tidy(s.Venue), tidy(s.CallLink)
	if !s.Kind.Valid() {
		f["kind"] = "Choose the kind of meeting"
	}
	if s.Name == "" || len(s.Name) > 200 {
		f["name"] = "Give the series a name of up to 200 characters, for example \"North MARAC\""
	}
	if len(s.Schedule) > 200 {
		f["schedule"] = "Keep the schedule to 200 characters"
	}
	if s.ChairID <= 0 {
		f["chair"] = "Choose who chairs the meetings"
	}
	if s.CoordinatorID <= 0 {
		f["coordinator"] = "Choose who coordinates the meetings"
	}
	if len(s.Venue) > 200 {
		f["venue"] = "Keep the venue to 200 characters"
	}
	if s.CallLink != "" {
		u, err := url.Parse(s.CallLink)
		if err != nil || u.Scheme != "https" || u.Host == "" || len(s.CallLink) > 500 {
			f["call_link"] = "Enter the call link as a full https:// address"
		}
	}
	if s.Venue == "" && s.CallLink == "" {
		f["venue"] = "Give a venue or a call link"
	}
	if s.MinutesPerItem == 0 {
		s.MinutesPerItem = DefaultMinutesPerItem
	}
	if s.MinutesPerItem < 5 || s.MinutesPerItem > 30 {
		f["minutes_per_item"] = "Give each item between 5 and 30 minutes"
	}
	if s.AccessDays < 0 || s.AccessDays > MaxAccessDays {
		f["access_days"] = "Partners may keep access for 0 to 28 days after a meeting"
	}
	slices.Sort(s.AgencyIDs)
	s.AgencyIDs = slices.Compact(s.AgencyIDs)
	if len(f) > 0 {
		return drive.Invalid("Check the meeting series", f)
	}
	return nil
}

// State is where a meeting stands.
type State string

// Meeting states: a draft agenda is the coordinator's alone; publishing
// it tells the attendees and opens the cases to them; the meeting is
// held when its minutes are published.
const (
	Draft     State = "draft"
	Published State = "published"
	Held      State = "held"
	Cancelled State = "cancelled"
)

// States lists every state.
func States() []State { return []State{Draft, Published, Held, Cancelled} }

// Label names the state.
func (s State) Label() string {
	switch s {
	case Draft:
		return "Agenda in preparation"
	case Published:
		return "Agenda published"
	case Held:
		return "Held, minutes published"
	case Cancelled:
		return "Cancelled"
	}
	return string(s)
}

// Meeting is one meeting of a series.
type Meeting struct {
	ID       int64
	SeriesID int64
	SiteID   int64
	Kind     Kind
	// Name is the series' name, for lists.
	Name        string
	HeldOn      drive.Date
	StartsAt    string // "HH:MM", local time
	State       State
	AccessDays  int // copied from the series when the meeting is scheduled
	PublishedAt *time.Time
	HeldAt      *time.Time
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate checks a meeting being scheduled on today or later. Errors:
// EINVALID per field.
func (m *Meeting) Validate(today drive.Date) error {
	f := map[string]string{}
	if m.HeldOn.IsZero() {
		f["held_on"] = "Enter the date of the meeting"
	} else if m.HeldOn.Before(today) {
		f["held_on"] = "A meeting cannot be scheduled in the past"
	} else if m.HeldOn.After(today.AddDays(366)) {
		f["held_on"] = "Schedule meetings up to a year ahead"
	}
	m.StartsAt = tidy(m.StartsAt)
	if _, err := time.Parse("15:04", m.StartsAt); err != nil || len(m.StartsAt) != 5 {
		f["starts_at"] = "Enter the start time as HH:MM, for example 10:00"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the meeting", f)
	}
	if m.State == "" {
		m.State = Draft
	}
	return nil
}

// OpenUntil is the last day the meeting's partner attendees see the cases
// on its agenda: the meeting's day plus its access window.
func (m *Meeting) OpenUntil() drive.Date { return m.HeldOn.AddDays(m.AccessDays) }

// PanelOpen reports whether the meeting admits its attendees to the cases
// on its agenda at now: from publication to the end of the access window.
// A draft or cancelled meeting admits no one.
func (m *Meeting) PanelOpen(now time.Time) bool {
	if m.State != Published && m.State != Held {
		return false
	}
	return !drive.DateOf(now).After(m.OpenUntil())
}

// Publish moves a draft meeting with at least one case on its agenda to
// published. Errors: EINVALID.
func (m *Meeting) Publish(items []Item, now time.Time) error {
	if m.State != Draft {
		return drive.Errorf(drive.EINVALID, "Only an agenda in preparation can be published; this one is %s", strings.ToLower(m.State.Label()))
	}
	if !slices.ContainsFunc(items, func(it Item) bool { return it.Kind == CaseItem }) {
		return drive.Invalid("The agenda could not be published", map[string]string{"items": "Add at least one case to the agenda"})
	}
	if drive.DateOf(now).After(m.HeldOn) {
		return drive.Errorf(drive.EINVALID, "The meeting's date has passed: schedule a new meeting")
	}
	m.State, m.PublishedAt = Published, &now
	return nil
}

// Hold records that the meeting took place, when its minutes are
// published: every case item has a decision. Errors: EINVALID naming what
// is missing.
func (m *Meeting) Hold(items []Item, now time.Time) error {
	if m.State != Published {
		return drive.Errorf(drive.EINVALID, "Minutes can be published only for a meeting whose agenda was published")
	}
	if drive.DateOf(now).Before(m.HeldOn) {
		return drive.Errorf(drive.EINVALID, "The meeting is on %s: publish its minutes after it has taken place", m.HeldOn.Display())
	}
	var missing int
	for _, it := range items {
		if it.Kind == CaseItem && it.Decision == "" {
			missing++
		}
	}
	if missing > 0 {
		return drive.Invalid("The minutes could not be published", map[string]string{"items": plural(missing, "case has", "cases have") + " no decision or outcome recorded"})
	}
	m.State, m.HeldAt = Held, &now
	return nil
}

// Cancel cancels a draft or published meeting. Errors: EINVALID.
func (m *Meeting) Cancel() error {
	if m.State != Draft && m.State != Published {
		return drive.Errorf(drive.EINVALID, "A meeting that has been held cannot be cancelled")
	}
	m.State = Cancelled
	return nil
}

func tidy(s string) string { return strings.TrimSpace(s) }

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
