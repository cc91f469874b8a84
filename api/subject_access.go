package api

import (
	"net/http"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/subjectaccess"
)

// SubjectAccess holds the handlers for subject access requests
// (docs/data-protection.md): the data protection officer's software
// records a request, finds its subject by name (in the body, never the
// URL), reviews the pack, withholds or releases items, approves as a
// second person and fetches the released pack. The service answers "not
// found" to anyone but a data protection officer and audits every step.
type SubjectAccess struct {
	Svc *service.Service
}

// sarJSON is a request as the API shows it.
type sarJSON struct {
	ID              int64      `json:"id"`
	Kind            string     `json:"kind"`
	SubjectID       int64      `json:"subject_id"`
	Requester       string     `json:"requester"`
	IdentityCheck   string     `json:"identity_check"`
	ReceivedOn      string     `json:"received_on"`
	DueOn           string     `json:"due_on"`
	ExtensionReason string     `json:"extension_reason,omitempty"`
	State           string     `json:"state"`
	ApprovedAt      *time.Time `json:"approved_at,omitempty"`
}

func sarOf(r subjectaccess.Request) sarJSON {
	return sarJSON{ID: r.ID, Kind: string(r.Kind), SubjectID: r.SubjectID, Requester: r.Requester, IdentityCheck: r.IdentityCheck,
		ReceivedOn: r.ReceivedOn.String(), DueOn: r.DueOn.String(), ExtensionReason: r.ExtensionReason, State: string(r.State), ApprovedAt: r.ApprovedAt}
}

// ListSubjectAccess answers GET /subject-access: the requests the caller
// handles, open ones first by deadline.
func (h *SubjectAccess) ListSubjectAccess(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	reqs, err := h.Svc.SubjectAccessRequests(r.Context(), a)
	if err != nil {
		return err
	}
	out := []sarJSON{}
	for _, x := range reqs {
		out = append(out, sarOf(x))
	}
	return WriteJSON(w, http.StatusOK, out)
}

// RecordSubjectAccess answers POST /subject-access: records a request.
func (h *SubjectAccess) RecordSubjectAccess(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var in struct {
		Kind          string `json:"kind"`
		SubjectID     int64  `json:"subject_id"`
		Requester     string `json:"requester"`
		IdentityCheck string `json:"identity_check"`
		ReceivedOn    string `json:"received_on"`
	}
	if err := decode(r, "request", &in); err != nil {
		return err
	}
	// Only an officer learns what is wrong with a request's fields.
	if !h.Svc.MayHandleSubjectAccess(a) {
		return drive.NotFound("subject access request")
	}
	received, err := drive.ParseDate(in.ReceivedOn)
	if err != nil {
		return drive.Invalid("The request cannot be recorded.", map[string]string{"received_on": "Give the date received as YYYY-MM-DD."})
	}
	req := &subjectaccess.Request{Kind: subjectaccess.Kind(in.Kind), SubjectID: in.SubjectID, Requester: in.Requester, IdentityCheck: in.IdentityCheck, ReceivedOn: received}
	if err := h.Svc.RecordSubjectAccessRequest(r.Context(), a, req); err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, sarOf(*req))
}

// SearchSubjects answers POST /subject-access/search: the records of a
// kind whose names hold every word of "name", at the caller's sites.
func (h *SubjectAccess) SearchSubjects(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	var in struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	}
	if err := decode(r, "search", &in); err != nil {
		return err
	}
	found, err := h.Svc.FindSubjects(r.Context(), a, subjectaccess.Kind(in.Kind), in.Name)
	if err != nil {
		return err
	}
	type subjectJSON struct {
		subjectaccess.Subject
		Born string `json:"date_of_birth,omitempty"`
	}
	out := []subjectJSON{}
	for _, s := range found {
		sj := subjectJSON{Subject: s}
		if !s.DateOfBirth.IsZero() {
			sj.Born = s.DateOfBirth.String()
		}
		out = append(out, sj)
	}
	return WriteJSON(w, http.StatusOK, out)
}

// GetSubjectAccess answers GET /subject-access/{id}: the request with its
// pack as it stands and the decisions made on review.
func (h *SubjectAccess) GetSubjectAccess(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "subject access request")
	if err != nil {
		return err
	}
	rv, err := h.Svc.ReviewSubjectAccess(r.Context(), a, id)
	if err != nil {
		return err
	}
	type decisionJSON struct {
		Item    string `json:"item"`
		Release bool   `json:"release"`
		Reason  string `json:"reason"`
	}
	out := struct {
		Request    sarJSON            `json:"request"`
		Pack       subjectaccess.Pack `json:"pack"`
		Decisions  []decisionJSON     `json:"decisions"`
		CanApprove bool               `json:"can_approve"`
	}{Request: sarOf(rv.Request), Pack: rv.Pack, Decisions: []decisionJSON{}, CanApprove: rv.CanApprove}
	for _, x := range rv.Redactions {
		out.Decisions = append(out.Decisions, decisionJSON{Item: x.Item, Release: x.Release, Reason: x.Reason})
	}
	return WriteJSON(w, http.StatusOK, out)
}

// DecideSubjectAccess answers POST /subject-access/{id}/redactions:
// withholds an item with a reason, or ("release": true) releases an item
// withheld under the crime-prevention exemption, recording why.
func (h *SubjectAccess) DecideSubjectAccess(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "subject access request")
	if err != nil {
		return err
	}
	var in struct {
		Item    string `json:"item"`
		Reason  string `json:"reason"`
		Release bool   `json:"release"`
	}
	if err := decode(r, "redaction", &in); err != nil {
		return err
	}
	x := &subjectaccess.Redaction{RequestID: id, Item: in.Item, Reason: in.Reason, Release: in.Release}
	if err := h.Svc.RedactSubjectAccess(r.Context(), a, x); err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, map[string]any{"item": x.Item, "release": x.Release, "reason": x.Reason})
}

// ApproveSubjectAccess answers POST /subject-access/{id}/approve: a
// second person approves the pack for release.
func (h *SubjectAccess) ApproveSubjectAccess(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "subject access request")
	if err != nil {
		return err
	}
	if err := noBody(r); err != nil {
		return err
	}
	if err := h.Svc.ApproveSubjectAccess(r.Context(), a, id); err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"id": id, "state": string(subjectaccess.Approved)})
}

// GetSubjectAccessPack answers GET /subject-access/{id}/pack: the
// approved pack as released, audited as an export.
func (h *SubjectAccess) GetSubjectAccessPack(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "subject access request")
	if err != nil {
		return err
	}
	files, err := h.Svc.ReleaseSubjectAccess(r.Context(), a, id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(files.JSON) // #nosec G705 -- application/json built by encoding/json, never rendered as HTML
	return err
}
