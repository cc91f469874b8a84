package web

import (
	"net/http"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/service"
)

// auditData is what templates/audit.html shows.
type auditData struct {
	// The search as typed, shown back in the form.
	User, RecordType, RecordID, Action, Part, From, To string
	RecordTypes, Actions                               [][2]string
	// Parts are the parts of a record a change may name (audit.Parts).
	Parts    []string
	Events   []auditRow
	Searched bool
	Errors   FormErrors
}

type auditRow struct {
	Seq      int64
	At       string
	Sentence string
	Actor    string
	Role     string
	Site     string
	Outcome  string
	Reason   string
	Remote   string
}

// outcomeWords says an event's outcome in words.
var outcomeWords = map[string]string{audit.OutcomeAllowed: "Allowed", audit.OutcomeDenied: "Refused", audit.OutcomeOK: "Done", audit.OutcomeFailed: "Failed"}

// auditLog shows the data protection officer's search of the audit log
// (service.SearchAudit): by user, record, action, the part of a record
// a change named, and date range. The form
// is posted, so a member of staff's name never travels in an address; a
// link may still name a record, an action and dates (GET), which identify
// nobody.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return drive.Errorf(drive.EINVALID, "The search could not be read")
	}
	v := r.Form
	if r.Method == http.MethodPost {
		v = r.PostForm
	}
	d := auditData{RecordType: strings.TrimSpace(v.Get("record_type")), RecordID: strings.TrimSpace(v.Get("record_id")),
		Action: v.Get("action"), Part: v.Get("part"), From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to")),
		RecordTypes: audit.RecordTypes(), Actions: audit.Actions(), Parts: audit.Parts()}
	if r.Method == http.MethodPost {
		d.User = strings.TrimSpace(v.Get("user"))
	}
	q := service.AuditQuery{User: d.User, RecordType: d.RecordType, RecordID: d.RecordID, Action: d.Action, Part: d.Part}
	fields := map[string]string{}
	for _, dt := range []struct {
		in  string
		out *drive.Date
		key string
	}{{d.From, &q.From, "from"}, {d.To, &q.To, "to"}} {
		if dt.in == "" {
			continue
		}
		day, err := drive.ParseDate(dt.in)
		if err != nil {
			fields[dt.key] = "Enter a real date, for example 27 3 2026"
			continue
		}
		*dt.out = day
	}
	order := []string{"user", "action", "part", "record_type", "record_id", "from", "to"}
	if len(fields) > 0 {
		d.Errors = formErrors(fields, order...)
		return s.render(w, r, http.StatusUnprocessableEntity, "audit", s.page(r, "Audit log", d))
	}
	if q.Empty() {
		return s.render(w, r, http.StatusOK, "audit", s.page(r, "Audit log", d))
	}
	events, err := s.svc.SearchAudit(r.Context(), actorOf(r), q)
	if drive.ErrorCode(err) == drive.EINVALID {
		// Shown on the search form rather than as an error page, so the
		// officer can correct the search where they typed it.
		d.Errors = formErrors(asInvalid(err).Fields, order...)
		return s.render(w, r, http.StatusUnprocessableEntity, "audit", s.page(r, "Audit log", d))
	}
	if err != nil {
		return err
	}
	d.Searched = true
	for _, e := range events {
		d.Events = append(d.Events, auditRow{Seq: e.Seq, At: e.At.Format("2 January 2006, 15:04:05 UTC"), Sentence: e.Sentence, Actor: e.Actor,
			Role: humanise(e.ActorRole), Site: e.Site, Outcome: outcomeWords[e.Outcome], Reason: audit.Detail(e.Reason), Remote: e.Remote})
	}
	return s.render(w, r, http.StatusOK, "audit", s.page(r, "Audit log", d))
}
