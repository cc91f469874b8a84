package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
)

// glassData is what templates/break-glass.html shows.
type glassData struct {
	Type     string
	ID       string
	Label    string
	Reason   string
	Duration string
	Errors   FormErrors
}

// glassPages says where each kind of record break-glass opens is shown.
var glassPages = map[string]func(id string) string{
	"victim": func(id string) string { return "/victims/" + id + "/protected" },
}

// glassPage is the page to go to after breaking glass on a record.
func (s *Server) glassPage(typ, id string) string {
	if href, ok := s.glassHrefs[typ]; ok {
		return href(id)
	}
	if href, ok := glassPages[typ]; ok {
		return href(id)
	}
	return "/"
}

func (s *Server) breakGlassForm(w http.ResponseWriter, r *http.Request) error {
	typ, id := r.URL.Query().Get("type"), r.URL.Query().Get("id")
	label, _, err := s.svc.GlassTarget(r.Context(), actorOf(r), typ, id)
	if err != nil {
		return err
	}
	d := glassData{Type: typ, ID: id, Label: label, Duration: "1"}
	return s.render(w, r, http.StatusOK, "break-glass", s.page(r, "Break glass", d))
}

// breakGlass opens time-limited read access to one record outside the
// user's normal access, with a stated reason (service.BreakGlass).
func (s *Server) breakGlass(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := actorOf(r)
	typ, id := r.PostFormValue("type"), r.PostFormValue("id")
	label, _, err := s.svc.GlassTarget(ctx, a, typ, id)
	if err != nil {
		return err
	}
	d := glassData{Type: typ, ID: id, Label: label, Reason: r.PostFormValue("reason"), Duration: r.PostFormValue("duration")}
	hours, convErr := strconv.Atoi(strings.TrimSpace(d.Duration))
	if convErr != nil {
		hours = 0
	}
	_, err = s.svc.BreakGlass(ctx, a, typ, id, d.Reason, hours)
	if drive.ErrorCode(err) == drive.EINVALID {
		de := asInvalid(err)
		d.Errors = formErrors(de.Fields, "reason", "duration")
		if len(d.Errors) == 0 {
			d.Errors = FormErrors{{"", de.Message}}
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "break-glass", s.page(r, "Error: Break glass", d))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, s.glassPage(typ, id), http.StatusSeeOther)
	return nil
}

func asInvalid(err error) *drive.Error {
	var de *drive.Error
	if asDriveError(err, &de) {
		return de
	}
	return &drive.Error{Code: drive.EINVALID, Message: drive.ErrorMessage(err)}
}

// alertsData is what templates/alerts.html shows.
type alertsData struct {
	Alerts []alertRow
}

type alertRow struct {
	When   string
	Who    string
	Record string
	Reason string
	Site   string
}

// alerts shows data protection officers the alerts for the sites they
// cover.
func (s *Server) alerts(w http.ResponseWriter, r *http.Request) error {
	as, err := s.svc.Alerts(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	var d alertsData
	for _, a := range as {
		d.Alerts = append(d.Alerts, alertRow{When: drive.DisplayTime(a.At), Who: a.Who, Record: a.Record, Reason: a.Reason, Site: a.Site})
	}
	return s.render(w, r, http.StatusOK, "alerts", s.page(r, "Alerts", d))
}
