package form

import "net/url"

// PoliceLink is the form beside a suggested police record on a case or
// victim page: the link, and whether it is the same person ("confirm") or
// someone else ("reject").
type PoliceLink struct {
	LinkID  int64
	Confirm bool
	errs    Errors
}

// NewPoliceLink reads the form.
func NewPoliceLink(v url.Values) *PoliceLink {
	f := &PoliceLink{LinkID: id(v, "link"), errs: Errors{}}
	switch v.Get("decision") {
	case "confirm":
		f.Confirm = true
	case "reject":
	default:
		f.errs["decision"] = "Choose whether this is the same person"
	}
	return f
}

// Validate says whether a decision was chosen.
func (f *PoliceLink) Validate() error { return f.errs.Err("The decision was not saved") }
