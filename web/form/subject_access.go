package form

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/subjectaccess"
)

// SubjectAccessRequest is the form that records a subject access
// request: whose records (the kind of record and its number, in the
// field "person"), who asked, how their identity was checked, and when it
// was received.
type SubjectAccessRequest struct {
	Kind          subjectaccess.Kind
	PersonID      int64
	Requester     string
	IdentityCheck string
	ReceivedOn    drive.Date
	errs          Errors
}

// NewSubjectAccessRequest reads the form.
func NewSubjectAccessRequest(v url.Values) *SubjectAccessRequest {
	f := &SubjectAccessRequest{Kind: subjectaccess.Kind(strings.TrimSpace(v.Get("kind"))), PersonID: id(v, "person"), Requester: strings.TrimSpace(v.Get("requester")),
		IdentityCheck: strings.TrimSpace(v.Get("identity_check")), errs: Errors{}}
	f.ReceivedOn = requiredDate(v, "received_on", f.errs)
	return f
}

// Validate reports a date that is not a date.
func (f *SubjectAccessRequest) Validate() error { return f.errs.Err("The request was not recorded") }

// Request is the request the form describes.
func (f *SubjectAccessRequest) Request() *subjectaccess.Request {
	return &subjectaccess.Request{Kind: f.Kind, SubjectID: f.PersonID, Requester: f.Requester, IdentityCheck: f.IdentityCheck, ReceivedOn: f.ReceivedOn}
}

// SubjectAccessExtension is the form that extends a request's deadline.
type SubjectAccessExtension struct {
	Months int
	Reason string
}

// NewSubjectAccessExtension reads the form. A number of months that is
// not a number reads as 0, which the domain refuses with its message.
func NewSubjectAccessExtension(v url.Values) *SubjectAccessExtension {
	m, _ := strconv.Atoi(strings.TrimSpace(v.Get("months")))
	return &SubjectAccessExtension{Months: m, Reason: strings.TrimSpace(v.Get("reason"))}
}

// SubjectAccessRedaction is the form beside each item of a pack on
// review: withhold it, for a reason, or (Release) release an item
// withheld under the crime-prevention exemption, with the reason the
// exemption does not apply.
type SubjectAccessRedaction struct {
	Item    string
	Reason  string
	Release bool
}

// NewSubjectAccessRedaction reads the form; release says which of the two
// forms it is (the route names it, never a field).
func NewSubjectAccessRedaction(v url.Values, release bool) *SubjectAccessRedaction {
	return &SubjectAccessRedaction{Item: strings.TrimSpace(v.Get("item")), Reason: strings.TrimSpace(v.Get("reason")), Release: release}
}

// Redaction is the redaction of request the form describes.
func (f *SubjectAccessRedaction) Redaction(request int64) *subjectaccess.Redaction {
	return &subjectaccess.Redaction{RequestID: request, Item: f.Item, Reason: f.Reason, Release: f.Release}
}
