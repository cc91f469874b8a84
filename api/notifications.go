package api

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/drive-platform/drive"

	"github.com/drive-platform/drive/service"
)

// Notifications holds the handlers of the caller's own notifications.
type Notifications struct {
	Svc *service.Service
}

// NotificationBody is one notification. It concerns a perpetrator case
// (case_id) or a victim-survivor's IDVA case (victim_case_id), never
// both; summary was written for the caller's side of the wall.
type NotificationBody struct {
	ID           int64     `json:"id"`
	Kind         string    `json:"kind"`
	CreatedAt    time.Time `json:"created_at"`
	Read         bool      `json:"read"`
	CaseID       int64     `json:"case_id,omitempty"`
	VictimCaseID int64     `json:"victim_case_id,omitempty"`
	Summary      string    `json:"summary"`
}

// Marked says how many notifications a request marked read.
type Marked struct {
	Marked int `json:"marked"`
}

// ListNotifications answers GET /notifications: the caller's own
// notifications, newest first (?unread=1: unread only).
func (h *Notifications) ListNotifications(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	ns, err := h.Svc.Notifications(r.Context(), a, r.URL.Query().Get("unread") == "1")
	if err != nil {
		return err
	}
	out := make([]NotificationBody, 0, len(ns))
	for _, n := range ns {
		out = append(out, NotificationBody{ID: n.ID, Kind: n.Kind, CreatedAt: n.CreatedAt, Read: n.Read, CaseID: n.CaseID,
			VictimCaseID: n.VictimCaseID, Summary: n.Summary})
	}
	return WriteJSON(w, http.StatusOK, out)
}

// MarkNotificationRead answers POST /notifications/{id}/read.
func (h *Notifications) MarkNotificationRead(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "notification")
	if err != nil {
		return err
	}
	if err := noBody(r); err != nil {
		return err
	}
	n, err := h.Svc.MarkNotificationsRead(r.Context(), a, id)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, Marked{Marked: n})
}

// MarkAllNotificationsRead answers POST /notifications/read: every
// unread notification of the caller's.
func (h *Notifications) MarkAllNotificationsRead(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	if err := noBody(r); err != nil {
		return err
	}
	n, err := h.Svc.MarkNotificationsRead(r.Context(), a, 0)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, Marked{Marked: n})
}

// noBody accepts a request with no body, or an empty JSON object, for an
// operation whose path says everything; anything else is refused as any
// other body would be (too large, not text, or fields it does not take),
// so a client sending the wrong request learns so instead of being
// answered as if it had sent nothing.
func noBody(r *http.Request) error {
	data, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return drive.TooLarge("The request body", MaxBody, "send less in each request")
		}
		return drive.Wrap(err, drive.EINVALID, "The request body could not be read: send it again")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var none struct{}
	return decodeJSON(data, "request", &none)
}
