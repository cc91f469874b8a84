package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/subjectaccess"
	"github.com/drive-platform/drive/web/form"
)

// subjectAccessData is what templates/subject-access.html shows: the
// requests and the form to record one.
type subjectAccessData struct {
	Requests []subjectaccess.Request
	Kinds    []subjectaccess.Kind
	// Found is what a search by name found; Searched says a search was
	// made (so that none found can be said).
	Found    []subjectaccess.Subject
	Searched bool
	Today    drive.Date
	Errors   FormErrors
	Form     url.Values
}

// subjectAccessList lists the requests (service.SubjectAccessRequests).
func (s *Server) subjectAccessList(w http.ResponseWriter, r *http.Request) error {
	return s.renderSubjectAccessList(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderSubjectAccessList(w http.ResponseWriter, r *http.Request, status int, errs FormErrors, f url.Values) error {
	return s.renderSubjectAccessPage(w, r, status, subjectAccessData{Errors: errs, Form: f})
}

func (s *Server) renderSubjectAccessPage(w http.ResponseWriter, r *http.Request, status int, d subjectAccessData) error {
	reqs, err := s.svc.SubjectAccessRequests(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	d.Requests, d.Kinds, d.Today = reqs, subjectaccess.Kinds(), s.svc.Today()
	return s.render(w, r, status, "subject-access", s.page(r, "Subject access", d))
}

// subjectAccessFind finds the subject of a request by name
// (service.FindSubjects): the name comes in a posted form, never the URL.
// With "choose", it fills the request form with the record chosen from
// what was found.
func (s *Server) subjectAccessFind(w http.ResponseWriter, r *http.Request) error {
	v, err := postedForm(r)
	if err != nil {
		return err
	}
	kind := subjectaccess.Kind(strings.TrimSpace(v.Get("kind")))
	if chosen := strings.TrimSpace(v.Get("choose")); chosen != "" {
		return s.renderSubjectAccessPage(w, r, http.StatusOK, subjectAccessData{Form: url.Values{"kind": {string(kind)}, "person": {chosen}}})
	}
	found, err := s.svc.FindSubjects(r.Context(), actorOf(r), kind, v.Get("name"))
	if drive.ErrorCode(err) == drive.EINVALID {
		errs := formErrors(asInvalid(err).Fields, "name", "kind")
		return s.renderSubjectAccessPage(w, r, http.StatusUnprocessableEntity, subjectAccessData{Errors: errs, Form: url.Values{"find_kind": {string(kind)}, "name": {v.Get("name")}}})
	}
	if err != nil {
		return err
	}
	return s.renderSubjectAccessPage(w, r, http.StatusOK, subjectAccessData{Found: found, Searched: true,
		Form: url.Values{"find_kind": {string(kind)}, "name": {v.Get("name")}, "kind": {string(kind)}}})
}

// subjectAccessRecord records a request (service.RecordSubjectAccessRequest).
func (s *Server) subjectAccessRecord(w http.ResponseWriter, r *http.Request) error {
	v, err := postedForm(r)
	if err != nil {
		return err
	}
	f := form.NewSubjectAccessRequest(v)
	err = f.Validate()
	req := f.Request()
	if err == nil {
		err = s.svc.RecordSubjectAccessRequest(r.Context(), actorOf(r), req)
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderSubjectAccessList(w, r, http.StatusUnprocessableEntity, formErrors(asInvalid(err).Fields, "kind", "person", "requester", "identity_check", "received_on"), v)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/subject-access/"+strconv.FormatInt(req.ID, 10), http.StatusSeeOther)
	return nil
}

// subjectAccessReviewData is what templates/subject-access-review.html
// shows.
type subjectAccessReviewData struct {
	*service.SubjectAccessReview
	Today  drive.Date
	Errors FormErrors
	Form   url.Values
}

// subjectAccessReview is the review screen (service.ReviewSubjectAccess).
func (s *Server) subjectAccessReview(w http.ResponseWriter, r *http.Request) error {
	return s.renderSubjectAccessReview(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderSubjectAccessReview(w http.ResponseWriter, r *http.Request, status int, errs FormErrors, f url.Values) error {
	id, err := pathID(r, "id", "subject access request")
	if err != nil {
		return err
	}
	rv, err := s.svc.ReviewSubjectAccess(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	d := subjectAccessReviewData{SubjectAccessReview: rv, Today: s.svc.Today(), Errors: errs, Form: f}
	return s.render(w, r, status, "subject-access-review", s.page(r, "Subject access request "+strconv.FormatInt(id, 10), d))
}

// subjectAccessAction extends the deadline, withholds an item, or
// approves the pack, each one service call.
func (s *Server) subjectAccessAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "subject access request")
	if err != nil {
		return err
	}
	v, err := postedForm(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	switch r.PathValue("action") {
	case "extend":
		f := form.NewSubjectAccessExtension(v)
		err = s.svc.ExtendSubjectAccessRequest(r.Context(), a, id, f.Months, f.Reason)
	case "withhold", "release":
		err = s.svc.RedactSubjectAccess(r.Context(), a, form.NewSubjectAccessRedaction(v, r.PathValue("action") == "release").Redaction(id))
	case "approve":
		err = s.svc.ApproveSubjectAccess(r.Context(), a, id)
	default:
		return drive.NotFound("subject access request")
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderSubjectAccessReview(w, r, http.StatusUnprocessableEntity, formErrors(asInvalid(err).Fields, "months", "item", "reason", "approval"), v)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/subject-access/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// subjectAccessDownload sends the approved pack as PDF or JSON
// (service.ReleaseSubjectAccess). The file is named by the request's
// number, never the person's name.
func (s *Server) subjectAccessDownload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "subject access request")
	if err != nil {
		return err
	}
	format := r.PathValue("format")
	if format != "pdf" && format != "json" {
		return drive.NotFound("subject access pack")
	}
	files, err := s.svc.ReleaseSubjectAccess(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	name := "subject-access-" + strconv.FormatInt(id, 10) + "." + format
	if format == "pdf" {
		return serveDownload(w, "application/pdf", name, files.PDF)
	}
	return serveDownload(w, "application/json", name, files.JSON)
}
