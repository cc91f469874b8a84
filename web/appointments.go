package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/web/form"
)

// Appointments on a perpetrator's case and on a victim-survivor's case
// (service.CaseAppointments, service.VictimAppointments), and each user's
// calendar feed. The two sides have their own pages under their own case:
// nothing links one side's appointments from the other.

// appointmentsData is what templates/appointments.html shows.
type appointmentsData struct {
	*service.Appointments
	// Base is the case's page; the appointments page is Base+"/appointments".
	Base string
	Back string
	// Head is the case's header and sub navigation, on his case's page;
	// nil on hers.
	Head   *caseData
	Places []appointment.Place
	Form   url.Values
	Errors FormErrors
}

// appointmentSide is one side's case: how to read its appointments and to
// plan and cancel one.
type appointmentSide struct {
	base   string // "/cases/" or "/victims/"
	what   string // "case" or "victim-survivor"
	back   string // the case page's name in the back link
	list   func(s *Server, r *http.Request, id int64) (*service.Appointments, error)
	plan   func(s *Server, r *http.Request, id int64, ap appointment.Appointment, formErr error) error
	cancel func(s *Server, r *http.Request, id, app int64) error
}

var caseSide = appointmentSide{base: "/cases/", what: "case", back: "Back to the case",
	list: func(s *Server, r *http.Request, id int64) (*service.Appointments, error) {
		return s.svc.CaseAppointments(r.Context(), actorOf(r), id)
	},
	plan: func(s *Server, r *http.Request, id int64, ap appointment.Appointment, formErr error) error {
		_, err := s.svc.PlanCaseAppointment(r.Context(), actorOf(r), id, ap, formErr)
		return err
	},
	cancel: func(s *Server, r *http.Request, id, app int64) error {
		return s.svc.CancelAppointment(r.Context(), actorOf(r), id, 0, app)
	},
}

var victimSide = appointmentSide{base: "/victims/", what: "victim-survivor", back: "Back to the victim-survivor's case",
	list: func(s *Server, r *http.Request, id int64) (*service.Appointments, error) {
		return s.svc.VictimAppointments(r.Context(), actorOf(r), id)
	},
	plan: func(s *Server, r *http.Request, id int64, ap appointment.Appointment, formErr error) error {
		_, err := s.svc.PlanVictimAppointment(r.Context(), actorOf(r), id, ap, formErr)
		return err
	},
	cancel: func(s *Server, r *http.Request, id, app int64) error {
		return s.svc.CancelAppointment(r.Context(), actorOf(r), 0, id, app)
	},
}

// appointments shows a case's appointments page.
func (s *Server) appointments(side appointmentSide) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		return s.renderAppointments(w, r, side, http.StatusOK, nil, nil)
	}
}

func (s *Server) renderAppointments(w http.ResponseWriter, r *http.Request, side appointmentSide, status int, errs FormErrors, f url.Values) error {
	id, err := pathID(r, "id", side.what)
	if err != nil {
		return err
	}
	v, err := side.list(s, r, id)
	if err != nil {
		return err
	}
	base := side.base + strconv.FormatInt(id, 10)
	title := "Appointments: " + v.Reference
	if len(errs) > 0 {
		title = "Error: " + title
	}
	d := appointmentsData{Appointments: v, Base: base, Back: side.back, Places: appointment.Places(), Form: f, Errors: errs}
	if d.Head, err = s.caseHead(r, side.base, id, "appointments"); err != nil {
		return err
	}
	return s.render(w, r, status, "appointments", s.pageWithDone(r, title, d))
}

// planAppointment plans an appointment from the form, or shows the page
// again with what to fix.
func (s *Server) planAppointment(side appointmentSide) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", side.what)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return drive.Errorf(drive.EINVALID, "The form could not be read")
		}
		f := form.NewAppointment(r.PostForm)
		err = side.plan(s, r, id, f.Appointment(), f.Validate())
		var e *drive.Error
		if errors.As(err, &e) && e.Code == drive.EINVALID && len(e.Fields) > 0 {
			return s.renderAppointments(w, r, side, http.StatusUnprocessableEntity, formErrors(e.Fields, "starts_at", "minutes", "place", "with"), r.PostForm)
		}
		if err != nil {
			return err
		}
		confirm(w, r, side.base+strconv.FormatInt(id, 10)+"/appointments", "appointment")
		return nil
	}
}

// cancelAppointment cancels one of the case's appointments.
func (s *Server) cancelAppointment(side appointmentSide) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", side.what)
		if err != nil {
			return err
		}
		app, err := pathID(r, "app", "appointment")
		if err != nil {
			return err
		}
		if err := side.cancel(s, r, id, app); err != nil {
			return err
		}
		confirm(w, r, side.base+strconv.FormatInt(id, 10)+"/appointments", "appointment_cancelled")
		return nil
	}
}

// calendarData is what templates/calendar.html shows.
type calendarData struct {
	// Since is when the user's feed was made; nil for none.
	Since *time.Time
	// Address is a new feed's address, shown once, just after it is made.
	Address string
	Revoked bool
}

// calendarPage shows whether the user has a calendar feed, and lets them
// make, replace or revoke it.
func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request) error {
	since, err := s.svc.CalendarFeed(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "calendar", s.pageWithDone(r, "Your calendar", calendarData{Since: since}))
}

// newCalendar makes a new feed address and shows it, once: the page is
// the answer to the POST, so the address is never in a redirect, a
// history entry or a log.
func (s *Server) newCalendar(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	token, err := s.svc.NewCalendarFeed(ctx, actorOf(r))
	if err != nil {
		return err
	}
	since, err := s.svc.CalendarFeed(ctx, actorOf(r))
	if err != nil {
		return err
	}
	scheme := "http"
	if s.cfg.Secure {
		scheme = "https"
	}
	addr := scheme + "://" + r.Host + "/calendar/" + token + ".ics"
	p := s.page(r, "Your calendar", calendarData{Since: since, Address: addr})
	p.Flash = "Calendar address made: any address you made before no longer works"
	return s.render(w, r, http.StatusOK, "calendar", p)
}

// revokeCalendar ends the user's feed.
func (s *Server) revokeCalendar(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.svc.RevokeCalendarFeed(r.Context(), actorOf(r)); err != nil {
		return err
	}
	confirm(w, r, "/account/calendar", "calendar_revoked")
	return nil
}

// calendarFeed serves a calendar program the feed its secret address
// names. Nobody signs in: the address is the key, so a wrong one is "not
// found", as is one revoked.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) error {
	token, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok || !strings.HasPrefix(token, service.CalendarTokenPrefix) {
		return drive.NotFound("calendar")
	}
	body, err := s.svc.CalendarICS(r.Context(), token, r.Host)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body) // #nosec G705 -- text/calendar for calendar programs, never rendered as HTML
	return err
}

// caseHead is the header and sub navigation of a perpetrator's case page
// (web/case_sections.go), as the reader sees the case; nil for a
// victim-survivor's case, whose page has its own.
func (s *Server) caseHead(r *http.Request, base string, id int64, section string) (*caseData, error) {
	if base != "/cases/" {
		return nil, nil
	}
	v, err := s.svc.Case(r.Context(), actorOf(r), id)
	if err != nil {
		return nil, err
	}
	d := newCaseData(v, section)
	return &d, nil
}
