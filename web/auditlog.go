package web

import (
	"net/http"
	"strings"

	"github.com/drive-platform/drive"
)

// auditData is what templates/audit.html shows.
type auditData struct {
	RecordType string
	RecordID   string
	Events     []auditRow
	Searched   bool
	Errors     FormErrors
}

type auditRow struct {
	Seq     int64
	At      string
	Actor   string
	Role    string
	Action  string
	Record  string
	Outcome string
	Reason  string
	Remote  string
}

// auditLog shows the data protection officer's search of the audit log
// (service.SearchAudit).
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	d := auditData{RecordType: strings.TrimSpace(r.URL.Query().Get("record_type")), RecordID: strings.TrimSpace(r.URL.Query().Get("record_id"))}
	d.Searched = d.RecordType != "" || d.RecordID != ""
	if !d.Searched {
		return s.render(w, r, http.StatusOK, "audit", s.page(r, "Audit log", d))
	}
	events, err := s.svc.SearchAudit(r.Context(), actorOf(r), d.RecordType, d.RecordID)
	if drive.ErrorCode(err) == drive.EINVALID {
		// Shown on the search form rather than as an error page, so the
		// officer can correct the search where they typed it.
		d.Searched, d.Errors = false, formErrors(asInvalid(err).Fields, "record_type", "record_id")
		return s.render(w, r, http.StatusUnprocessableEntity, "audit", s.page(r, "Audit log", d))
	}
	if err != nil {
		return err
	}
	for _, e := range events {
		d.Events = append(d.Events, auditRow{Seq: e.Seq, At: e.At.Format("2 Jan 2006 15:04:05 UTC"), Actor: e.Actor, Role: e.ActorRole,
			Action: e.Action, Record: e.RecordType + " " + e.RecordID, Outcome: e.Outcome, Reason: e.Reason, Remote: e.Remote})
	}
	return s.render(w, r, http.StatusOK, "audit", s.page(r, "Audit log", d))
}
