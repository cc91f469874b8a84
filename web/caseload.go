package web

import (
	"net/http"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
)

// caseloadData is what templates/caseload.html shows: the case manager's
// open cases with what is due on each, in the order asked for.
type caseloadData struct {
	*service.Caseload
	Today drive.Date
	Sort  string
	Sorts map[string]sortLink
}

// caseloadSortLabels names the caseload's sortable columns.
var caseloadSortLabels = map[string]string{"name": "Name", "contact": "Last contact", "review": "Next review",
	"actions": "Overdue actions", "assessment": "Next assessment"}

// caseload is the case manager's own open cases, sortable by what is due
// (?sort=contact, review, actions, assessment or name; "-" reverses).
// The sort key is not personal data, so it may travel in the address.
func (s *Server) caseload(w http.ResponseWriter, r *http.Request) error {
	cl, err := s.svc.MyCaseload(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	today := s.svc.Today()
	d := caseloadData{Caseload: cl, Today: today, Sorts: map[string]sortLink{}}
	d.Sort = cl.Sort(r.URL.Query().Get("sort"), today)
	for _, key := range service.CaseloadSorts {
		next, aria := key, "none"
		switch d.Sort {
		case key:
			next, aria = "-"+key, "ascending"
		case "-" + key:
			aria = "descending"
		}
		d.Sorts[key] = sortLink{Label: caseloadSortLabels[key], URL: "/caseload?sort=" + next, Aria: aria}
	}
	return s.render(w, r, http.StatusOK, "caseload", s.page(r, "My caseload", d))
}
