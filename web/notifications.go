package web

import (
	"net/http"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
)

// notificationsData is what templates/notifications.html shows.
type notificationsData struct {
	Rows   []notificationRow
	Unread int
	Email  string
	Errors FormErrors
}

// notificationRow is one notification as the list shows it.
type notificationRow struct {
	ID      int64
	When    string
	Kind    string
	Summary string
	Href    string
	Read    bool
}

var notificationKinds = map[string]string{
	service.KindPoliceIncident: "Police incident",
	service.KindMARACHearing:   "MARAC hearing",
	service.KindFeedSilent:     "Feed silent",
	service.KindFeedFailing:    "Feed failing",
	service.KindInboxSilent:    "Inbox folder silent",
	service.KindImportDone:     "Import done",
	service.KindImportFailed:   "Import refused",
}

// notifications shows the signed-in user their own notifications, newest
// first, with a link to each record and a way to mark them read.
func (s *Server) notifications(w http.ResponseWriter, r *http.Request) error {
	d, err := s.notificationsData(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "notifications", s.page(r, "Notifications", d))
}

func (s *Server) notificationsData(r *http.Request) (*notificationsData, error) {
	ctx, a := r.Context(), actorOf(r)
	ns, err := s.svc.Notifications(ctx, a, false)
	if err != nil {
		return nil, err
	}
	d := &notificationsData{}
	for _, n := range ns {
		kind := notificationKinds[n.Kind]
		if kind == "" {
			kind = humanise(n.Kind)
		}
		d.Rows = append(d.Rows, notificationRow{ID: n.ID, When: drive.DisplayTime(n.CreatedAt), Kind: kind, Summary: n.Summary,
			Href: n.Href(), Read: n.Read})
		if !n.Read {
			d.Unread++
		}
	}
	if d.Email, err = s.svc.NotificationEmail(ctx, a); err != nil {
		return nil, err
	}
	return d, nil
}

// readNotification marks one of the user's notifications read.
func (s *Server) readNotification(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return drive.NotFound("notification")
	}
	if _, err := s.svc.MarkNotificationsRead(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
	return nil
}

// readAllNotifications marks every unread notification of the user's read.
func (s *Server) readAllNotifications(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.svc.MarkNotificationsRead(r.Context(), actorOf(r), 0); err != nil {
		return err
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
	return nil
}

// notificationEmail sets or removes the address the user is told at that
// a notification is waiting.
func (s *Server) notificationEmail(w http.ResponseWriter, r *http.Request) error {
	err := s.svc.SetNotificationEmail(r.Context(), actorOf(r), r.PostFormValue("email"))
	if drive.ErrorCode(err) == drive.EINVALID {
		d, lerr := s.notificationsData(r)
		if lerr != nil {
			return lerr
		}
		d.Email, d.Errors = r.PostFormValue("email"), formErrors(asInvalid(err).Fields, "email")
		return s.render(w, r, http.StatusUnprocessableEntity, "notifications", s.page(r, "Error: Notifications", d))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/notifications", http.StatusSeeOther)
	return nil
}
