package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/web/form"
)

// Agencies' actions. A meeting agrees actions owned by agencies; a partner
// agency's staff see their organisation's actions here and report on them
// between meetings, without needing to open the case (which they may no
// longer see once the meeting's window has closed).

// agencyActionsData is what templates/actions.html shows.
type agencyActionsData struct {
	Rows     []agencyActionRow
	All      bool
	Statuses []casework.ActionStatus
	Errors   FormErrors
}

// agencyActionRow is one action with its report form, filled from what
// was posted when that form came back with errors.
type agencyActionRow struct {
	service.AgencyAction
	Overdue bool
	// The report form's values.
	Chosen         casework.ActionStatus
	FormReportedOn string
	FormOutcome    string
	Errs           map[string]string
}

// agencyActions lists the actions the user's organisation owns:
// unfinished ones, or all with ?show=all.
func (s *Server) agencyActions(w http.ResponseWriter, r *http.Request) error {
	p, err := s.agencyActionsPage(r, r.URL.Query().Get("show") == "all", 0, nil, nil)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("saved") == "1" {
		p.Flash = "Your report on the action is saved."
	}
	return s.render(w, r, http.StatusOK, "actions", p)
}

// agencyActionsPage builds the page; errs and posted belong to the form of
// action errFor.
func (s *Server) agencyActionsPage(r *http.Request, all bool, errFor int64, errs FormErrors, posted url.Values) (Page, error) {
	acts, err := s.svc.AgencyActions(r.Context(), actorOf(r), all)
	if err != nil {
		return Page{}, err
	}
	// Unfinished first, soonest due first, so what needs doing leads
	// even when finished ones are shown too.
	sort.SliceStable(acts, func(i, j int) bool {
		if ui, uj := acts[i].Unfinished(), acts[j].Unfinished(); ui != uj {
			return ui
		}
		return acts[i].DueOn.Before(acts[j].DueOn)
	})
	today := s.svc.Today()
	d := agencyActionsData{All: all, Statuses: casework.ActionStatuses(), Errors: errs}
	for _, a := range acts {
		row := agencyActionRow{AgencyAction: a, Overdue: a.Overdue(today), Chosen: a.Status, FormOutcome: a.Outcome}
		if !a.ReportedOn.IsZero() {
			row.FormReportedOn = a.ReportedOn.Entry()
		}
		if a.ID == errFor && posted != nil {
			row.Chosen, row.FormReportedOn, row.FormOutcome = casework.ActionStatus(posted.Get("status")), posted.Get("reported_on"), posted.Get("outcome")
			row.Errs = map[string]string{}
			for _, e := range errs {
				row.Errs[e.Field] = e.Message
			}
		}
		d.Rows = append(d.Rows, row)
	}
	title := "Your agency's actions"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.page(r, title, d), nil
}

// reportAction records the agency's report on one of its actions and
// returns to the list, or shows the list again with the form's errors.
func (s *Server) reportAction(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return drive.Errorf(drive.EINVALID, "The form could not be read")
	}
	f := r.PostForm
	all := f.Get("show") == "all"
	// The form's own faults are told first, whatever the action: they say
	// nothing about any record.
	rep := form.NewActionReport(f)
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	err := rep.Validate()
	if err == nil && id <= 0 {
		err = drive.NotFound("action")
	}
	if err == nil {
		err = s.svc.ReportAction(r.Context(), actorOf(r), id, service.ActionReport{Status: rep.Status, ReportedOn: rep.ReportedOn, Outcome: rep.Outcome})
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		// Each field is named after its action, so the summary links to
		// the form that has the problem.
		errs := invalidErrors(err, "status", "reported_on", "outcome")
		suffix := "-" + strconv.FormatInt(id, 10)
		for i := range errs {
			if errs[i].Field != "" {
				errs[i].Field += suffix
			}
		}
		p, perr := s.agencyActionsPage(r, all, id, errs, f)
		if perr != nil {
			return perr
		}
		return s.render(w, r, http.StatusUnprocessableEntity, "actions", p)
	}
	if err != nil {
		return err
	}
	target := "/actions?saved=1"
	if all {
		target += "&show=all"
	}
	http.Redirect(w, r, target+"#action-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// transferPack sends the case's MARAC transfer pack as a PDF built for
// the reader: her IDVA's copy alone carries her safety information.
func (s *Server) transferPack(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	b, name, err := s.svc.TransferPackPDF(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return serveDownload(w, "application/pdf", name, b)
}

// serveDownload sends a file to be saved rather than shown in the page.
// The name is made by the service from record numbers, never from a
// person's details.
func serveDownload(w http.ResponseWriter, contentType, name string, body []byte) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(body) // #nosec G705 -- a file sent with its own content type as an attachment, never rendered as HTML
	return err
}
