// Package appointment holds planned sessions: a time set aside with the
// person a case is about or with someone working on it, on a perpetrator's
// case or on a victim-survivor's IDVA case. A logged contact says what
// happened; an appointment says what is to happen, so its owner is
// reminded before it and can see it in their own calendar.
//
// The calendar (Calendar) is an iCalendar file a user's calendar program
// fetches with a secret address. It leaves the platform's protection (it
// is synchronised to phones and shared calendars), so it holds no personal
// data at all: each event is "Drive appointment" and the case's reference
// number, with its start and end, and nothing of who, where or why.
package appointment

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/drive-platform/drive"
)

// Place is the kind of place an appointment is held, from a closed list:
// never an address, which on a victim-survivor's case would say where she
// can be found.
type Place string

// The kinds of place.
const (
	Office    Place = "office"         // the service's own office
	Phone     Place = "phone"          // a telephone call
	Video     Place = "video"          // a video call
	Partner   Place = "partner_agency" // at a partner agency (probation, police, housing)
	Community Place = "community"      // elsewhere agreed as safe
)

// Places lists every kind of place in the order a form offers them.
func Places() []Place { return []Place{Office, Phone, Video, Partner, Community} }

// Label names the kind of place for people.
func (p Place) Label() string {
	switch p {
	case Office:
		return "At the office"
	case Phone:
		return "Telephone"
	case Video:
		return "Video call"
	case Partner:
		return "At a partner agency"
	case Community:
		return "Elsewhere agreed as safe"
	}
	return string(p)
}

// Appointment is one planned session. Exactly one of CaseID (a
// perpetrator's case) and VictimCaseID (a victim-survivor's IDVA case) is
// set; the owner is the worker who planned it and is reminded of it.
type Appointment struct {
	ID           int64
	SiteID       int64
	CaseID       int64
	VictimCaseID int64
	OwnerID      int64
	StartsAt     time.Time // UTC
	Minutes      int
	Place        Place
	// With says with whom, as the worker writes it ("him", "his probation
	// officer"). It stays with the case: never in a reminder's words or
	// the calendar.
	With        string
	CreatedAt   time.Time
	CancelledAt *time.Time
}

// The bounds of an appointment.
const (
	MinMinutes = 5
	MaxMinutes = 8 * 60
	MaxWith    = 200
	// Horizon is how far ahead an appointment may be planned.
	Horizon = 366 * 24 * time.Hour
	// ReminderLead is how long before an appointment its owner is
	// reminded.
	ReminderLead = 24 * time.Hour
)

// Validate checks an appointment being planned at now: it starts in the
// future and within Horizon, lasts MinMinutes to MaxMinutes, at a known
// kind of place, and With is at most MaxWith characters. Errors: EINVALID
// with a message for each field ("starts_at", "minutes", "place", "with").
func (a *Appointment) Validate(now time.Time) error {
	f := map[string]string{}
	a.With = strings.TrimSpace(a.With)
	switch {
	case a.StartsAt.IsZero():
		f["starts_at"] = "Enter the date and time of the appointment"
	case !a.StartsAt.After(now):
		f["starts_at"] = "The appointment must be in the future: record what has happened as a contact"
	case a.StartsAt.After(now.Add(Horizon)):
		f["starts_at"] = "Plan an appointment no more than a year ahead"
	}
	if a.Minutes < MinMinutes || a.Minutes > MaxMinutes {
		f["minutes"] = "Enter how long it lasts, from 5 minutes to 8 hours (480 minutes)"
	}
	known := false
	for _, p := range Places() {
		known = known || p == a.Place
	}
	if !known {
		f["place"] = "Choose where the appointment is"
	}
	if utf8.RuneCountInString(a.With) > MaxWith {
		f["with"] = "Keep who the appointment is with to 200 characters"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the appointment", f)
	}
	a.StartsAt = a.StartsAt.UTC()
	return nil
}

// EndsAt is when the appointment ends.
func (a *Appointment) EndsAt() time.Time {
	return a.StartsAt.Add(time.Duration(a.Minutes) * time.Minute)
}

// Reference is the case's reference number as the calendar and reminders
// give it: "case 12" or "IDVA case 4", nothing about anyone.
func (a *Appointment) Reference() string {
	if a.VictimCaseID != 0 {
		return "IDVA case " + strconv.FormatInt(a.VictimCaseID, 10)
	}
	return "case " + strconv.FormatInt(a.CaseID, 10)
}

// Calendar writes a user's appointments as an iCalendar file (RFC 5545):
// one event for each, "Drive appointment: case 12", with its start and end
// in UTC and a cancelled one marked so; stamped at now. host names the
// platform in each event's UID. Nothing else is written.
func Calendar(apps []Appointment, now time.Time, host string) []byte {
	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteString("\r\n") }
	const stamp = "20060102T150405Z"
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//Drive platform//Appointments//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:Drive appointments")
	for _, a := range apps {
		line("BEGIN:VEVENT")
		line("UID:appointment-" + strconv.FormatInt(a.ID, 10) + "@" + uidHost(host))
		line("DTSTAMP:" + now.UTC().Format(stamp))
		line("DTSTART:" + a.StartsAt.UTC().Format(stamp))
		line("DTEND:" + a.EndsAt().UTC().Format(stamp))
		line("SUMMARY:Drive appointment: " + a.Reference())
		if a.CancelledAt != nil {
			line("STATUS:CANCELLED")
		} else {
			line("STATUS:CONFIRMED")
		}
		line("CLASS:PRIVATE")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return []byte(b.String())
}

// uidHost keeps a host name to the characters a UID line can hold as
// written, so nothing from a request can add a line to the file.
func uidHost(host string) string {
	var b strings.Builder
	for _, c := range host {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return "drive"
	}
	return b.String()
}

// uk is the time zone appointments are planned and shown in: people write
// and read the time on the clock in England and Wales, summer time or not.
var uk = drive.InUK(time.Time{}).Location()

// InUK is t on the clock in England and Wales.
func InUK(t time.Time) time.Time { return drive.InUK(t) }

// ParseUK reads a date and a time of day (14:30) on the clock in England
// and Wales, as a form gives them: the date as a browser's date picker
// sends it (2026-11-24) or as a person types it (24 11 2026, 24/11/2026).
// ok is false for either missing or not of those forms.
func ParseUK(date, clock string) (t time.Time, ok bool) {
	d, err := drive.ParseDate(date)
	if err != nil {
		return time.Time{}, false
	}
	t, err = time.ParseInLocation("2006-01-02 15:04", d.String()+" "+strings.TrimSpace(clock), uk)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// When says when an appointment is, for people, as every page shows a
// time with its day of the week first: "Tuesday 24 November 2026 at
// 2:30pm".
func (a *Appointment) When() string {
	return InUK(a.StartsAt).Format("Monday ") + drive.DisplayTime(a.StartsAt)
}
