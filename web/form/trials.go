package form

import (
	"net/url"
	"strings"

	"github.com/drive-platform/drive/evaluation"
)

// Trial is the form that starts a randomised trial at a site.
type Trial struct {
	SiteID        int64
	Name          string
	Programme     string
	OutcomeMonths int
	errs          Errors
}

// NewTrial reads the trial form. A blank outcome period is the default.
func NewTrial(v url.Values) *Trial {
	f := &Trial{SiteID: id(v, "site"), Name: v.Get("name"), Programme: strings.TrimSpace(v.Get("programme")), errs: Errors{}}
	if strings.TrimSpace(v.Get("outcome_months")) == "" {
		f.OutcomeMonths = evaluation.DefaultOutcomeMonths
	} else {
		f.OutcomeMonths = number(v, "outcome_months", "Enter the outcome period in months as a number, for example 10", f.errs)
	}
	if f.SiteID == 0 {
		f.errs["site"] = "Choose a site"
	}
	return f
}

// Validate reports a number that cannot be read or a missing site.
func (f *Trial) Validate() error { return f.errs.Err("Check the trial") }

// Trial is the trial to start.
func (f *Trial) Trial() *evaluation.Trial {
	return &evaluation.Trial{SiteID: f.SiteID, Name: f.Name, Programme: f.Programme, OutcomeMonths: f.OutcomeMonths}
}
