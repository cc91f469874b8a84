package service

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/victim"
)

// Appointments (package appointment): planned sessions on a perpetrator's
// case, for those who may change the case, and on a victim-survivor's IDVA
// case, for the victim-survivors' side only. Each side sees its own case's
// appointments and no other: an appointment on her case is hers, and no
// perpetrator-side page, file or feed ever lists it.

// KindAppointmentDue is the notification that an appointment is near.
const KindAppointmentDue = "appointment_due"

// CalendarTokenPrefix begins the secret in a calendar feed's address.
const CalendarTokenPrefix = "drv_c_"

// Appointments is a case's appointments as its page shows them.
type Appointments struct {
	// Reference is the case's reference ("case 12", "IDVA case 4").
	Reference string
	List      []AppointmentView
	// CanPlan: the actor may plan and cancel appointments on the case.
	CanPlan bool
	Today   drive.Date
}

// AppointmentView is one appointment with its owner's name.
type AppointmentView struct {
	appointment.Appointment
	Owner string
	// Past: it has started.
	Past bool
}

// PlanCaseAppointment plans an appointment on an open perpetrator's case
// for the actor, who owns it, and returns its id. Needs write on the case.
// formErr is what the form itself found wrong (a date that is not a
// date): it is answered only once the actor may plan on the case, so
// nobody learns of a case they may not see from how a form fails.
// Audited as a write of the appointment. Errors: ENOTFOUND for a case the
// actor may not change; EINVALID for formErr, a bad appointment or a case
// that is not open.
func (s *Service) PlanCaseAppointment(ctx context.Context, a Actor, caseID int64, ap appointment.Appointment, formErr error) (int64, error) {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		c, err := tx.Case(ctx, caseID)
		if err != nil {
			return drive.NotFound("case")
		}
		d, receiving, err := s.decideCase(ctx, tx, a, access.Write, c, access.PerpetratorCase)
		if err != nil || receiving {
			return drive.NotFound("case")
		}
		if formErr != nil {
			return formErr
		}
		if !c.State.Open() || c.State == casework.Transferred {
			return drive.Invalid("Appointments are planned on open cases only", map[string]string{"starts_at": "The case is " + c.State.Label() + ": appointments are planned on open cases only"})
		}
		ap.ID, ap.SiteID, ap.CaseID, ap.VictimCaseID, ap.OwnerID = 0, c.SiteID, c.ID, 0, a.UserID
		if err := ap.Validate(tx.Now); err != nil {
			return err
		}
		if err := tx.CreateAppointment(ctx, &ap); err != nil {
			return err
		}
		return appointmentEvent(ctx, tx, a, d, &ap, "planned")
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "case", caseID)
	}
	return ap.ID, err
}

// PlanVictimAppointment plans an appointment on a victim-survivor's IDVA
// case for the actor, who owns it, and returns its id. Whom and where she
// meets are as protected as where she lives, so it needs write on her
// protected details (her IDVA, her IDVA service's team leaders,
// break-glass). formErr is as for PlanCaseAppointment. Errors: ENOTFOUND
// for a case the actor may not change; EINVALID for formErr, a bad
// appointment or a closed case.
func (s *Service) PlanVictimAppointment(ctx context.Context, a Actor, victimID int64, ap appointment.Appointment, formErr error) (int64, error) {
	err := s.writeVictim(ctx, a, victimID, access.VictimCompartment, audit.PartAppointment, func(tx *store.Tx, v *victim.Case) error {
		if !victimSide(a, tx, ctx, v) {
			return drive.NotFound("victim-survivor")
		}
		if formErr != nil {
			return formErr
		}
		if !v.Open {
			return drive.Invalid("Appointments are planned on open cases only", map[string]string{"starts_at": "The victim-survivor's case is closed: appointments are planned on open cases only"})
		}
		ap.ID, ap.SiteID, ap.CaseID, ap.VictimCaseID, ap.OwnerID = 0, v.SiteID, 0, v.ID, a.UserID
		if err := ap.Validate(tx.Now); err != nil {
			return err
		}
		return tx.CreateAppointment(ctx, &ap)
	})
	return ap.ID, err
}

// CaseAppointments lists a perpetrator case's appointments for someone who
// may read the case, audited as a read of the case's appointments. Errors:
// ENOTFOUND for a case the actor may not read.
func (s *Service) CaseAppointments(ctx context.Context, a Actor, caseID int64) (*Appointments, error) {
	return s.appointments(ctx, a, caseID, 0)
}

// VictimAppointments lists a victim-survivor's appointments for those who
// may read her protected details, audited as a read of her case's
// appointments. Errors: ENOTFOUND for anyone else.
func (s *Service) VictimAppointments(ctx context.Context, a Actor, victimID int64) (*Appointments, error) {
	return s.appointments(ctx, a, 0, victimID)
}

// appointments lists the appointments of the case named (caseID or
// victimID: exactly one is set): a case may have appointments planned
// while it is open and not transferred away.
func (s *Service) appointments(ctx context.Context, a Actor, caseID, victimID int64) (*Appointments, error) {
	out := &Appointments{Reference: caseReference(caseID, victimID)}
	err := s.readCaseList(ctx, a, caseID, victimID, "appointments", func(tx *store.Tx, mayWrite, open bool) error {
		list, err := caseOrVictim(caseID, tx.CaseAppointments, tx.VictimAppointments)(ctx, caseID+victimID)
		if err != nil {
			return err
		}
		out.CanPlan = mayWrite && open
		out.List, err = appointmentViews(ctx, tx, list)
		out.Today = drive.DateOf(tx.Now)
		return err
	})
	return out, err
}

// CancelAppointment cancels a planned appointment on the case (caseID for
// a perpetrator's, victimID for a victim-survivor's: exactly one is set),
// for someone who may plan appointments on it. Cancelling one cancelled
// already changes nothing. Audited. Errors: ENOTFOUND for an appointment
// not on that case, or on a case the actor may not change.
func (s *Service) CancelAppointment(ctx context.Context, a Actor, caseID, victimID, id int64) error {
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		ap, err := tx.Appointment(ctx, id)
		if err != nil || ap.CaseID != caseID || ap.VictimCaseID != victimID {
			return drive.NotFound("appointment")
		}
		var d access.Decision
		if ap.CaseID != 0 {
			c, err := tx.Case(ctx, ap.CaseID)
			if err != nil {
				return err
			}
			var receiving bool
			if d, receiving, err = s.decideCase(ctx, tx, a, access.Write, c, access.PerpetratorCase); err != nil || receiving {
				return drive.NotFound("appointment")
			}
		} else {
			v, err := tx.VictimCase(ctx, ap.VictimCaseID)
			if err != nil {
				return err
			}
			if d, err = s.decide(ctx, tx, a, access.Write, VictimResource(ctx, tx, v, access.VictimCompartment), "appointment"); err != nil || !victimSide(a, tx, ctx, v) {
				return drive.NotFound("appointment")
			}
		}
		if ap.CancelledAt != nil {
			return nil // cancelled already: the form sent twice
		}
		if err := tx.CancelAppointment(ctx, id); err != nil {
			return err
		}
		return appointmentEvent(ctx, tx, a, d, ap, "cancelled")
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "appointment", id)
	}
	return err
}

// RemindAppointments tells the owner of each appointment that starts
// within appointment.ReminderLead of now, and has not been reminded, that
// it is near: a notification (and the e-mail that one is waiting, for
// those who asked) naming the case's reference and the time only, never
// whom it is with or where. Each appointment is reminded once however
// often this runs, so the server, or a job, may call it as often as it
// likes. Only a trusted entry point may ask; audited as
// "notification.raise" when it raised any. Returns how many it raised.
// Errors: ENOTFOUND for any other actor.
func (s *Service) RemindAppointments(ctx context.Context, a Actor) (int, error) {
	if err := trusted(a, "appointment"); err != nil {
		return 0, err
	}
	var out *raisedAlerts
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		due, err := tx.AppointmentsToRemind(ctx, tx.Now.Add(appointment.ReminderLead))
		if err != nil || len(due) == 0 {
			return err
		}
		ns := make([]store.Notification, 0, len(due))
		ids := make([]int64, 0, len(due))
		for _, ap := range due {
			n := store.Notification{UserID: ap.OwnerID, SiteID: ap.SiteID, Kind: KindAppointmentDue, SourceKey: "appointment:" + strconv.FormatInt(ap.ID, 10)}
			if ap.VictimCaseID != 0 {
				n.VictimCaseID = ap.VictimCaseID
				n.Summary = "Victim-survivor's case " + strconv.FormatInt(ap.VictimCaseID, 10) + ": appointment on " + ap.When()
			} else {
				n.CaseID = ap.CaseID
				n.Summary = "Case " + strconv.FormatInt(ap.CaseID, 10) + ": appointment on " + ap.When()
			}
			ns = append(ns, n)
			ids = append(ids, ap.ID)
		}
		var users int
		if out, users, err = s.raise(ctx, tx, ns); err != nil {
			return err
		}
		if err := tx.MarkReminded(ctx, ids); err != nil {
			return err
		}
		if len(out.created) == 0 {
			return nil
		}
		return tx.Audit(ctx, systemEvent(a, "notification.raise", 0, fmt.Sprintf("%d appointments near: %d notifications to %d users", len(due), len(out.created), users)))
	})
	if err != nil || out == nil {
		return 0, err
	}
	return len(out.created), nil
}

// CalendarFeed says when the actor's calendar feed was made, or nil if
// they have none.
func (s *Service) CalendarFeed(ctx context.Context, a Actor) (*time.Time, error) {
	if a.UserID == 0 {
		return nil, drive.NotFound("calendar")
	}
	var at *time.Time
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		at, err = tx.CalendarFeed(ctx, a.UserID)
		return err
	})
	return at, err
}

// NewCalendarFeed gives the actor a new secret calendar address, replacing
// any they had, and returns its secret, shown to them once and never
// kept. Audited.
func (s *Service) NewCalendarFeed(ctx context.Context, a Actor) (string, error) {
	if a.UserID == 0 {
		return "", drive.NotFound("calendar")
	}
	token, hash, err := auth.NewToken(s.random(), CalendarTokenPrefix)
	if err != nil {
		return "", drive.Wrap(err, drive.EINTERNAL, "the calendar address could not be made")
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetCalendarFeed(ctx, a.UserID, hash); err != nil {
			return err
		}
		return tx.Audit(ctx, calendarEvent(a, audit.ActionRecordWrite, "calendar address made"))
	})
	if err != nil {
		return "", err
	}
	return token, nil
}

// RevokeCalendarFeed ends the actor's calendar feed, so its address works
// no more, and reports whether there was one. Audited.
func (s *Service) RevokeCalendarFeed(ctx context.Context, a Actor) (bool, error) {
	if a.UserID == 0 {
		return false, drive.NotFound("calendar")
	}
	var had bool
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if had, err = tx.DeleteCalendarFeed(ctx, a.UserID); err != nil || !had {
			return err
		}
		return tx.Audit(ctx, calendarEvent(a, audit.ActionRecordWrite, "calendar address revoked"))
	})
	return had, err
}

// calendarWindow is how far back a feed reaches: a calendar program keeps
// what it fetched before, so past appointments need not be sent for long.
const calendarWindow = 30 * 24 * time.Hour

// calendarLimit is the most appointments one feed holds.
const calendarLimit = 1000

// CalendarICS is the calendar whose address holds token: the appointments
// its user owns from 30 days ago on (appointment.Calendar: times and case
// numbers only), for a user who is still active. Asked without a session
// by a calendar program; audited as an export by its user. Errors:
// ENOTFOUND for a token that is not a calendar's, or whose user is no
// longer active.
func (s *Service) CalendarICS(ctx context.Context, token, host string) ([]byte, error) {
	var body []byte
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		userID, err := tx.CalendarFeedUser(ctx, auth.HashToken(token))
		if err != nil {
			return err
		}
		u, err := tx.User(ctx, userID)
		if err != nil || u.Disabled() {
			return drive.NotFound("calendar")
		}
		list, err := tx.OwnerAppointments(ctx, userID, tx.Now.Add(-calendarWindow), calendarLimit)
		if err != nil {
			return err
		}
		body = appointment.Calendar(list, tx.Now, host)
		e := calendarEvent(Actor{UserID: userID, Remote: "calendar"}, audit.ActionRecordExport, fmt.Sprintf("calendar fetched: %d appointments", len(list)))
		return tx.Audit(ctx, e)
	})
	return body, err
}

func calendarEvent(a Actor, action, reason string) audit.Event {
	return audit.Event{Action: action, ActorID: a.UserID, RecordType: "calendar", RecordID: strconv.FormatInt(a.UserID, 10), Remote: a.Remote,
		Outcome: audit.OutcomeAllowed, Reason: reason}
}

// appointmentEvent records a change to an appointment as a change to the
// appointments of the case it is on, naming the appointment and what
// happened to it, never whom it is with or where.
func appointmentEvent(ctx context.Context, tx *store.Tx, a Actor, d access.Decision, ap *appointment.Appointment, what string) error {
	detail := "appointment " + strconv.FormatInt(ap.ID, 10) + " " + what
	if ap.VictimCaseID != 0 {
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "victim", ap.VictimCaseID, ap.SiteID, detail, audit.PartAppointment)
	}
	return record(ctx, tx, a, d, audit.ActionRecordWrite, "case", ap.CaseID, ap.SiteID, detail, audit.PartAppointment)
}

func appointmentViews(ctx context.Context, tx *store.Tx, list []appointment.Appointment) ([]AppointmentView, error) {
	names := map[int64]string{}
	out := make([]AppointmentView, 0, len(list))
	for _, ap := range list {
		if _, ok := names[ap.OwnerID]; !ok {
			u, err := tx.User(ctx, ap.OwnerID)
			if err != nil {
				return nil, err
			}
			names[ap.OwnerID] = u.DisplayName
		}
		out = append(out, AppointmentView{Appointment: ap, Owner: names[ap.OwnerID], Past: !ap.StartsAt.After(tx.Now)})
	}
	return out, nil
}
