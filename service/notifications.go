package service

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/store"
)

// Notifications tell a user that something needs their attention. The
// first ones are police alerts: when an import brings a new incident or
// MARAC hearing naming a person on an open case, his case manager and the
// site's team leaders are told on the perpetrator side (when, what type,
// how grave, crime or not: never anything about a victim-survivor), and
// the IDVA of each victim-survivor linked to his case, or named as the
// victim, is told on the victim side. Alerts are raised in the import's
// own transaction, so an import and its alerts stand or fall together.

// The kinds of notification.
const (
	KindPoliceIncident = "police_incident"
	KindMARACHearing   = "marac_hearing"
	KindAssessmentDue  = "assessment_due"
)

// Notification is one of a user's notifications. It concerns a
// perpetrator case (CaseID) or a victim-survivor's IDVA case
// (VictimCaseID), never both; Summary was written for the user's side of
// the wall.
type Notification struct {
	ID           int64
	Kind         string
	CaseID       int64
	VictimCaseID int64
	// MeetingID is the meeting a notification about a meeting concerns.
	MeetingID int64
	// ImportJobID is the import job whose end a notification tells.
	ImportJobID int64
	Summary     string
	CreatedAt   time.Time
	Read        bool
}

// Href is the page of the record the notification concerns, or "" for
// none.
func (n Notification) Href() string {
	switch {
	case n.MeetingID != 0:
		return "/meetings/" + strconv.FormatInt(n.MeetingID, 10)
	case n.ImportJobID != 0:
		return "/imports/" + strconv.FormatInt(n.ImportJobID, 10)
	case n.CaseID != 0:
		return "/cases/" + strconv.FormatInt(n.CaseID, 10)
	case n.VictimCaseID != 0:
		return "/victims/" + strconv.FormatInt(n.VictimCaseID, 10)
	case n.Kind == KindFeedSilent || n.Kind == KindFeedFailing || n.Kind == KindInboxSilent:
		return "/feeds"
	}
	return ""
}

// person refuses an actor who is not a signed-in person: notifications
// belong to users, and a system actor has none.
func notificationOwner(a Actor) error {
	if a.UserID == 0 {
		return drive.NotFound("notification")
	}
	return nil
}

// Notifications lists the actor's own notifications, newest first (the
// latest 200; only unread ones when unreadOnly). The list is audited like
// other lists (how many rows, never what they say). Errors: ENOTFOUND for
// an actor who is not a person.
func (s *Service) Notifications(ctx context.Context, a Actor, unreadOnly bool) ([]Notification, error) {
	if err := notificationOwner(a); err != nil {
		return nil, err
	}
	var out []Notification
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		ns, err := tx.Notifications(ctx, a.UserID, unreadOnly, 200)
		if err != nil {
			return err
		}
		out = make([]Notification, 0, len(ns))
		for _, n := range ns {
			out = append(out, Notification{ID: n.ID, Kind: n.Kind, CaseID: n.CaseID, VictimCaseID: n.VictimCaseID,
				MeetingID: meetingOfKey(n.SourceKey), ImportJobID: importOfKey(n.SourceKey), Summary: n.Summary, CreatedAt: n.CreatedAt, Read: n.ReadAt != nil})
		}
		return listedIn(ctx, tx, a, "notification", "list", len(out))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UnreadNotifications counts the actor's unread notifications, for the
// header of every page: one indexed count, not audited (it shows no
// record). A system actor has none.
func (s *Service) UnreadNotifications(ctx context.Context, a Actor) (int, error) {
	if a.UserID == 0 {
		return 0, nil
	}
	var n int
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.UnreadNotifications(ctx, a.UserID)
		return err
	})
	return n, err
}

// MarkNotificationsRead marks the actor's notification id read, or all of
// their unread ones when id is 0, and returns how many changed. Audited
// as "notification.read". Errors: ENOTFOUND for another user's
// notification, one that does not exist, or an actor who is not a
// person.
func (s *Service) MarkNotificationsRead(ctx context.Context, a Actor, id int64) (int, error) {
	if err := notificationOwner(a); err != nil {
		return 0, err
	}
	var n int
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = tx.MarkNotificationsRead(ctx, a.UserID, id); err != nil {
			return err
		}
		rec := "all"
		if id != 0 {
			rec = strconv.FormatInt(id, 10)
		}
		return tx.Audit(ctx, audit.Event{Action: "notification.read", ActorID: a.UserID, RecordType: "notification", RecordID: rec,
			Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: strconv.Itoa(n) + " marked read"})
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// NotificationEmail returns the address the actor is told at that a
// notification is waiting, or "" for none. Errors: ENOTFOUND for an
// actor who is not a person.
func (s *Service) NotificationEmail(ctx context.Context, a Actor) (string, error) {
	if err := notificationOwner(a); err != nil {
		return "", err
	}
	var addr string
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		got, err := tx.NotificationEmails(ctx, []int64{a.UserID})
		addr = got[a.UserID]
		return err
	})
	return addr, err
}

// SetNotificationEmail sets the address the actor is told at, by e-mail,
// that a notification is waiting (never what it says), or stops the
// e-mails when address is blank. Audited as "notification.email" without
// the address. Errors: EINVALID for an address that is not one;
// ENOTFOUND for an actor who is not a person.
func (s *Service) SetNotificationEmail(ctx context.Context, a Actor, address string) error {
	if err := notificationOwner(a); err != nil {
		return err
	}
	address = strings.TrimSpace(address)
	if address != "" {
		parsed, err := mail.ParseAddress(address)
		if err != nil || parsed.Name != "" || parsed.Address != address || len(address) > 254 {
			return drive.Invalid("Check the e-mail address", map[string]string{"email": "Enter an e-mail address like name@example.org"})
		}
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.SetNotificationEmail(ctx, a.UserID, address); err != nil {
			return err
		}
		reason := "set"
		if address == "" {
			reason = "removed"
		}
		return tx.Audit(ctx, audit.Event{Action: "notification.email", ActorID: a.UserID, RecordType: "user",
			RecordID: strconv.FormatInt(a.UserID, 10), Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: reason})
	})
}

// raisedAlerts is what raising alerts stored.
type raisedAlerts struct {
	created []store.Notification
}

// raisePoliceAlerts notifies, inside an import's transaction, everyone
// the site's incidents and hearings added after mark concern (see the
// package comment above), and writes one audit event when it notified
// anyone, as the actor importing (in role, for a person). Something
// already notified (the same event, record and user)
// is not notified again.
func (s *Service) raisePoliceAlerts(ctx context.Context, tx *store.Tx, a Actor, role string, siteID int64, mark store.PoliceMark) (*raisedAlerts, error) {
	cases, err := tx.CaseAlertsSince(ctx, siteID, mark)
	if err != nil {
		return nil, err
	}
	victims, err := tx.VictimAlertsSince(ctx, siteID, mark, cases)
	if err != nil {
		return nil, err
	}
	if len(cases) == 0 && len(victims) == 0 {
		return &raisedAlerts{}, nil
	}
	var sites []int64
	for _, e := range cases {
		if !slices.Contains(sites, e.SiteID) {
			sites = append(sites, e.SiteID)
		}
	}
	leaders, err := tx.NotifiedTeamLeaders(ctx, sites)
	if err != nil {
		return nil, err
	}
	var ns []store.Notification
	for _, e := range cases {
		n := store.Notification{SiteID: e.SiteID, Kind: alertKind(e.AlertEvent), CaseID: e.CaseID,
			Summary: alertCaseSummary(e), SourceKey: alertKey(e.AlertEvent) + "/case:" + strconv.FormatInt(e.CaseID, 10)}
		to := leaders[e.SiteID]
		if e.CaseManagerID != 0 {
			to = append([]int64{e.CaseManagerID}, to...)
		}
		for _, u := range to {
			n.UserID = u
			ns = append(ns, n)
		}
	}
	for _, e := range victims {
		ns = append(ns, store.Notification{UserID: e.IDVAID, SiteID: e.SiteID, Kind: alertKind(e.AlertEvent), VictimCaseID: e.VictimCaseID,
			Summary: alertVictimSummary(e), SourceKey: alertKey(e.AlertEvent) + "/victim:" + strconv.FormatInt(e.VictimCaseID, 10)})
	}
	out, users, err := s.raise(ctx, tx, ns)
	if err != nil || len(out.created) == 0 {
		return out, err
	}
	e := systemEvent(a, "notification.raise", siteID, fmt.Sprintf("%d notifications to %d users", len(out.created), users))
	if a.UserID != 0 {
		e.ActorRole = role
	}
	return out, tx.Audit(ctx, e)
}

// raise stores ns (skipping any already raised) and, when the service
// e-mails (s.Mail), queues in the same transaction one mail.notify job for
// each user notified who gave an address, so the e-mail is sent once
// the notification is stored, and is not lost if the server stops first;
// users is how many users were notified.
func (s *Service) raise(ctx context.Context, tx *store.Tx, ns []store.Notification) (out *raisedAlerts, users int, err error) {
	out = &raisedAlerts{}
	if out.created, err = tx.CreateNotifications(ctx, ns); err != nil || len(out.created) == 0 {
		return out, 0, err
	}
	var ids []int64
	first := map[int64]int64{} // user: the first notification raised for them now
	for _, n := range out.created {
		if !slices.Contains(ids, n.UserID) {
			ids = append(ids, n.UserID)
			first[n.UserID] = n.ID
		}
	}
	if err := s.queueMail(ctx, tx, ids, first); err != nil {
		return nil, 0, err
	}
	return out, len(ids), nil
}

func alertKind(e store.AlertEvent) string {
	if e.Hearing {
		return KindMARACHearing
	}
	return KindPoliceIncident
}

// alertKey names a police event for a notification's source key.
func alertKey(e store.AlertEvent) string {
	if e.Hearing {
		return "marac:" + strconv.FormatInt(e.ID, 10)
	}
	return "incident:" + strconv.FormatInt(e.ID, 10)
}

// alertIncidentWords says what an incident was, as an alert tells it on either
// side: its type as the identification strategy names it, its gravity on
// that strategy's scale, and whether it was recorded as a crime.
func alertIncidentWords(e store.AlertEvent) string {
	s := identify.Default()
	label, points := strings.ReplaceAll(e.Type, "_", " "), s.DefaultGravity
	for _, g := range s.Gravity {
		if g.Type == e.Type {
			label, points = g.Label, g.Points
			break
		}
	}
	crime := "not recorded as a crime"
	if e.Crime {
		crime = "recorded as a crime"
	}
	return fmt.Sprintf("%s on %s (gravity %s of 10), %s", label, alertDate(e.On), strconv.FormatFloat(points, 'f', -1, 64), crime)
}

func alertDate(d drive.Date) string { return d.Time().Format("2 January 2006") }

// alertCaseSummary is the perpetrator-side sentence: what happened and when,
// never who else was there or where.
func alertCaseSummary(e store.CaseAlert) string {
	if e.Hearing {
		return "The person on case " + strconv.FormatInt(e.CaseID, 10) + " was heard at MARAC on " + alertDate(e.On) + "."
	}
	return "New police incident for the person on case " + strconv.FormatInt(e.CaseID, 10) + ": " + alertIncidentWords(e.AlertEvent) + "."
}

// alertVictimSummary is the victim-side sentence, for her IDVA.
func alertVictimSummary(e store.VictimAlert) string {
	who := "naming the victim-survivor as the victim"
	if e.CaseID != 0 {
		who = "involving the perpetrator linked to the victim-survivor's case"
	}
	if e.Hearing {
		return "A MARAC hearing on " + alertDate(e.On) + " " + who + "."
	}
	return "New police incident " + who + ": " + alertIncidentWords(e.AlertEvent) + "."
}

// NotifyDueAssessments tells each person responsible for an assessment
// that falls due on asOf (DueAssessments: the case manager for a
// behaviour assessment, her IDVA for it and for a DASH review) that it is
// due, and returns how many notifications it raised. Raising them again
// the same day, or on a later day for the same time point, raises
// nothing new, so the server may call it as often as it likes. A case
// manager's notification names his case and the time point only; her
// IDVA's names her case. Only a trusted entry point may ask; audited as
// "notification.raise" when it raised any. Errors: ENOTFOUND for any
// other actor.
func (s *Service) NotifyDueAssessments(ctx context.Context, a Actor, asOf drive.Date) (int, error) {
	due, err := s.DueAssessments(ctx, a, asOf)
	if err != nil || len(due) == 0 {
		return 0, err
	}
	ns := make([]store.Notification, 0, len(due))
	for _, d := range due {
		n := store.Notification{UserID: d.UserID, SiteID: d.SiteID, Kind: KindAssessmentDue,
			Summary: fmt.Sprintf("%s (%s) is due on %s", d.Label, d.Code, alertDate(d.Due))}
		key := "assessment:" + string(d.Kind) + ":" + d.Code
		if d.VictimCaseID != 0 {
			n.VictimCaseID = d.VictimCaseID
			n.Summary = "Victim-survivor's case " + strconv.FormatInt(d.VictimCaseID, 10) + ": " + n.Summary
			key += "/victim:" + strconv.FormatInt(d.VictimCaseID, 10)
			if d.CaseID != 0 {
				key += "/case:" + strconv.FormatInt(d.CaseID, 10)
			}
		} else {
			n.CaseID = d.CaseID
			n.Summary = "Case " + strconv.FormatInt(d.CaseID, 10) + ": " + n.Summary
			key += "/case:" + strconv.FormatInt(d.CaseID, 10)
		}
		n.SourceKey = key
		ns = append(ns, n)
	}
	var out *raisedAlerts
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		var users int
		var err error
		if out, users, err = s.raise(ctx, tx, ns); err != nil || len(out.created) == 0 {
			return err
		}
		return tx.Audit(ctx, systemEvent(a, "notification.raise", 0, fmt.Sprintf("%d assessments due: %d notifications to %d users", len(due), len(out.created), users)))
	})
	if err != nil {
		return 0, err
	}
	return len(out.created), nil
}
