package form

import (
	"net/url"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
)

// ActionReport is the form beside each action on an agency's actions
// page: where the action stands, the date the agency reports it, and the
// outcome. The rules that need the action itself (an outcome for "done"
// and for "not possible", no report dated in the future) are the
// domain's, applied by the service.
type ActionReport struct {
	Status casework.ActionStatus
	// ReportedOn is the zero date when left blank: the service takes
	// today.
	ReportedOn drive.Date
	Outcome    string
	errs       Errors
}

// NewActionReport reads the report form.
func NewActionReport(v url.Values) *ActionReport {
	f := &ActionReport{Status: casework.ActionStatus(v.Get("status")), Outcome: strings.TrimSpace(v.Get("outcome")), errs: Errors{}}
	known := false
	for _, s := range casework.ActionStatuses() {
		known = known || s == f.Status
	}
	if !known {
		f.errs["status"] = "Choose where the action stands"
	}
	f.ReportedOn = date(v, "reported_on", "Enter a real date, for example 2 11 2026", f.errs)
	return f
}

// Validate reports a status not chosen or a date that is not a date.
func (f *ActionReport) Validate() error { return f.errs.Err("The report was not saved") }
