package appointment

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

func TestValidate(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	good := func() Appointment {
		return Appointment{CaseID: 1, StartsAt: now.Add(48 * time.Hour), Minutes: 60, Place: Office, With: " him "}
	}
	a := good()
	if err := a.Validate(now); err != nil || a.With != "him" {
		t.Fatalf("a good appointment: %v %q", err, a.With)
	}
	for _, tc := range []struct {
		name  string
		edit  func(*Appointment)
		field string
	}{
		{"no time", func(a *Appointment) { a.StartsAt = time.Time{} }, "starts_at"},
		{"in the past", func(a *Appointment) { a.StartsAt = now.Add(-time.Minute) }, "starts_at"},
		{"now", func(a *Appointment) { a.StartsAt = now }, "starts_at"},
		{"too far", func(a *Appointment) { a.StartsAt = now.Add(Horizon + time.Hour) }, "starts_at"},
		{"too short", func(a *Appointment) { a.Minutes = 4 }, "minutes"},
		{"too long", func(a *Appointment) { a.Minutes = 481 }, "minutes"},
		{"no place", func(a *Appointment) { a.Place = "" }, "place"},
		{"an address for a place", func(a *Appointment) { a.Place = "12 High Street" }, "place"},
		{"with too long", func(a *Appointment) { a.With = strings.Repeat("é", 201) }, "with"},
	} {
		a := good()
		tc.edit(&a)
		err := a.Validate(now)
		var de *drive.Error
		if !errors.As(err, &de) || de.Code != drive.EINVALID || de.Fields[tc.field] == "" {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestCalendarHoldsNoPersonalData writes a calendar of a perpetrator's and
// a victim-survivor's appointment whose place and company are full of
// personal data: the file holds the events' times and case numbers only.
func TestCalendarHoldsNoPersonalData(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	at := now.Add(-time.Hour)
	apps := []Appointment{
		{ID: 7, CaseID: 12, StartsAt: time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC), Minutes: 90, Place: Partner, With: "Darren Hollis at probation"},
		{ID: 8, VictimCaseID: 4, StartsAt: time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC), Minutes: 30, Place: Phone, With: "Sam on 07700 900917", CancelledAt: &at},
	}
	got := string(Calendar(apps, now, "drive.example\r\nX:evil"))
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "UID:appointment-7@drive.exampleXevil\r\n", "DTSTART:20261124T093000Z\r\n", "DTEND:20261124T110000Z\r\n",
		"SUMMARY:Drive appointment: case 12\r\n", "SUMMARY:Drive appointment: IDVA case 4\r\n", "STATUS:CANCELLED\r\n", "DTSTAMP:20261123T100000Z\r\n", "END:VCALENDAR\r\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("the calendar lacks %q:\n%s", want, got)
		}
	}
	for _, secret := range []string{"Darren", "Hollis", "probation", "Sam", "07700", "partner", "phone", "Telephone", "\r\nX:"} {
		if strings.Contains(got, secret) {
			t.Errorf("the calendar holds %q:\n%s", secret, got)
		}
	}
}

// TestUKTime reads and shows times on the clock in England and Wales, in
// winter and in summer time.
func TestUKTime(t *testing.T) {
	for _, tc := range []struct{ date, clock, utc, when string }{
		{"2026-11-24", "14:30", "2026-11-24T14:30:00Z", "Tuesday 24 November 2026 at 2:30pm"},
		{"2026-07-01", "09:00", "2026-07-01T08:00:00Z", "Wednesday 1 July 2026 at 9am"},
		// Typed day first, as the hint shows, where no date picker is.
		{"24 11 2026", "14:30", "2026-11-24T14:30:00Z", "Tuesday 24 November 2026 at 2:30pm"},
		{"1/7/2026", "09:00", "2026-07-01T08:00:00Z", "Wednesday 1 July 2026 at 9am"},
	} {
		got, ok := ParseUK(tc.date, tc.clock)
		a := Appointment{StartsAt: got}
		if !ok || got.Format(time.RFC3339) != tc.utc || a.When() != tc.when {
			t.Errorf("%s %s: %v %v %q", tc.date, tc.clock, got, ok, a.When())
		}
	}
	for _, bad := range [][2]string{{"", "10:00"}, {"2026-11-24", ""}, {"11/24/2026", "10:00"}, {"2026-11-24", "25:00"}} {
		if _, ok := ParseUK(bad[0], bad[1]); ok {
			t.Errorf("%q read", bad)
		}
	}
}
