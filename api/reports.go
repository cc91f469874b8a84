package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
)

// Reports holds the handlers of aggregate reports. Every figure leaves the
// service already suppressed (package outcomes) and the service has
// audited the read; the handlers only parse the query and write the
// answer.
type Reports struct {
	Svc *service.Service
}

// GetOutcomes answers GET /reports/outcomes?site=ID&from=&to=&programme=:
// the outcome measures (service.Outcomes) as a JSON array, each measure as
// outcomes.Measure writes itself, the same array `drive report --format
// json` prints. Without a site the figures cover every site the caller may
// read, together and one by one. "not found" for a site whose aggregates
// the caller may not read; EINVALID (422) for a bad site, date, period or
// programme.
func (h *Reports) GetOutcomes(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	q := r.URL.Query()
	fields := map[string]string{}
	f := service.OutcomeFilter{
		From:      dateParam(q.Get("from"), "from", fields),
		To:        dateParam(q.Get("to"), "to", fields),
		Programme: strings.ToLower(strings.TrimSpace(q.Get("programme"))),
	}
	if s := strings.TrimSpace(q.Get("site")); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			fields["site"] = "Give the site's number"
		}
		f.SiteIDs = []int64{id}
	} else {
		f.BySite = true
	}
	if f.Programme != "" && f.Programme != "drive" && f.Programme != "restart" {
		fields["programme"] = "Give drive or restart, or leave it out for every programme"
	}
	if len(fields) > 0 {
		return drive.Invalid("Check the report's site, period and programme", fields)
	}
	rep, err := h.Svc.Outcomes(r.Context(), a, f)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, rep.Flat())
}
