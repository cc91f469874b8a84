package form

import (
	"net/url"
	"strings"

	"github.com/drive-platform/drive/retention"
)

// LegalHold is the form that places a legal hold: what is held (a
// perpetrator's case or a victim-survivor's case by number, a police
// incident by its site and reference, or a whole site), why, and who
// owns the hold.
type LegalHold struct {
	Class    retention.Class
	RecordID int64
	SiteID   int64
	Ref      string
	Reason   string
	Owner    string
	errs     Errors
}

// NewLegalHold reads the form. The record number is read for a case, the
// site for a site hold.
func NewLegalHold(v url.Values) *LegalHold {
	f := &LegalHold{Class: retention.Class(v.Get("what")), Reason: strings.TrimSpace(v.Get("reason")),
		Owner: strings.TrimSpace(v.Get("owner")), errs: Errors{}}
	switch f.Class {
	case retention.PerpetratorCase, retention.VictimCase:
		if f.RecordID = id(v, "record"); f.RecordID <= 0 {
			f.errs["record"] = "Enter the case's number, as shown on it"
		}
	case retention.Site:
		if f.RecordID = id(v, "site"); f.RecordID <= 0 {
			f.errs["site"] = "Choose the site to hold"
		}
	case retention.Incident:
		// An incident is named as its extract names it: the site and
		// the police reference.
		if f.Ref = strings.TrimSpace(v.Get("ref")); f.Ref == "" {
			f.errs["ref"] = "Enter the incident's police reference, as on the extract"
		}
		if f.SiteID = id(v, "site"); f.SiteID <= 0 {
			f.errs["site"] = "Choose the site whose extract holds the incident"
		}
	default:
		f.errs["what"] = "Choose what to hold"
	}
	return f
}

// Validate reports what the form lacks before the hold itself is checked.
func (f *LegalHold) Validate() error { return f.errs.Err("The legal hold was not placed") }

// Hold is the hold the form describes.
func (f *LegalHold) Hold() *retention.Hold {
	return &retention.Hold{Class: f.Class, RecordID: f.RecordID, SiteID: f.SiteID, Ref: f.Ref, Reason: f.Reason, Owner: f.Owner}
}
