package form

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive/appointment"
)

// Appointment is the form that plans an appointment: a date and a time on
// the clock in England and Wales, how long, the kind of place and with
// whom.
type Appointment struct {
	StartsAt time.Time
	Minutes  int
	Place    appointment.Place
	With     string
	errs     Errors
}

// NewAppointment reads the form.
func NewAppointment(v url.Values) *Appointment {
	f := &Appointment{Place: appointment.Place(v.Get("place")), With: v.Get("with"), errs: Errors{}}
	date, clock := strings.TrimSpace(v.Get("date")), strings.TrimSpace(v.Get("time"))
	switch t, ok := appointment.ParseUK(date, clock); {
	case date == "" || clock == "":
		f.errs["starts_at"] = "Enter the date and the time of the appointment"
	case !ok:
		f.errs["starts_at"] = "Enter a real date and time, for example 24 11 2026 and 14:30"
	default:
		f.StartsAt = t
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v.Get("minutes"))); err == nil {
		f.Minutes = n
	} else {
		f.errs["minutes"] = "Enter how long it lasts in minutes, for example 60"
	}
	return f
}

// Validate reports a date, time or length that cannot be read.
func (f *Appointment) Validate() error { return f.errs.Err("Check the appointment") }

// Appointment is the appointment to plan; the service sets its case and owner.
func (f *Appointment) Appointment() appointment.Appointment {
	return appointment.Appointment{StartsAt: f.StartsAt, Minutes: f.Minutes, Place: f.Place, With: f.With}
}
