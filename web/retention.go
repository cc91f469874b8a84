package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/retention"
	"github.com/drive-platform/drive/web/form"
)

// holdsData is what templates/retention-holds.html shows: the legal holds
// in force and released, the form to place one, and the sites to choose.
type holdsData struct {
	InForce  []retention.Hold
	Released []retention.Hold
	Sites    []account.Site
	SiteName map[int64]string
	Errors   FormErrors
	Form     url.Values
	// Release is the hold whose release form has an error, and its error.
	Release      int64
	ReleaseError string
}

// retentionHolds lists the legal holds (service.Holds) with the form to
// place one.
func (s *Server) retentionHolds(w http.ResponseWriter, r *http.Request) error {
	return s.renderHolds(w, r, http.StatusOK, holdsData{})
}

func (s *Server) renderHolds(w http.ResponseWriter, r *http.Request, status int, d holdsData) error {
	a := actorOf(r)
	hs, err := s.svc.Holds(r.Context(), a, false)
	if err != nil {
		return err
	}
	for _, h := range hs {
		if h.InForce() {
			d.InForce = append(d.InForce, h)
		} else {
			d.Released = append(d.Released, h)
		}
	}
	if d.Sites, err = s.svc.Sites(r.Context(), a); err != nil {
		return err
	}
	d.SiteName = map[int64]string{}
	for _, st := range d.Sites {
		d.SiteName[st.ID] = st.Name
	}
	p := s.page(r, "Legal holds", d)
	if status == http.StatusOK {
		p.Flash = doneMessageOf(r)
	}
	return s.render(w, r, status, "retention-holds", p)
}

// placeHold places a legal hold (service.PlaceHold).
func (s *Server) placeHold(w http.ResponseWriter, r *http.Request) error {
	v, err := postedForm(r)
	if err != nil {
		return err
	}
	f := form.NewLegalHold(v)
	err = f.Validate()
	if err == nil {
		err = s.svc.PlaceHold(r.Context(), actorOf(r), f.Hold())
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		fields := map[string]string{}
		for k, m := range asInvalid(err).Fields {
			switch {
			case k == "class":
				k = "what"
			case k == "record" && f.Class == retention.Site:
				k = "site"
			}
			fields[k] = m
		}
		return s.renderHolds(w, r, http.StatusUnprocessableEntity, holdsData{
			Errors: formErrors(fields, "what", "record", "ref", "site", "reason", "owner"), Form: v})
	}
	if err != nil {
		return err
	}
	confirm(w, r, "/retention/holds", "hold_placed")
	return nil
}

// releaseHold lifts a legal hold (service.ReleaseHold).
func (s *Server) releaseHold(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "legal hold")
	if err != nil {
		return err
	}
	v, err := postedForm(r)
	if err != nil {
		return err
	}
	err = s.svc.ReleaseHold(r.Context(), actorOf(r), id, strings.TrimSpace(v.Get("reason")))
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderHolds(w, r, http.StatusUnprocessableEntity, holdsData{Release: id, ReleaseError: asInvalid(err).Fields["reason"],
			Errors: FormErrors{{Field: "release-" + strconv.FormatInt(id, 10), Message: asInvalid(err).Fields["reason"]}}})
	}
	if err != nil {
		return err
	}
	confirm(w, r, "/retention/holds", "hold_released")
	return nil
}

// What names what a hold keeps, for the list: a case by its number, an
// incident by its police reference and site, a site by its name.
func (d holdsData) What(h retention.Hold) string {
	switch h.Class {
	case retention.PerpetratorCase:
		return "Perpetrator's case " + strconv.FormatInt(h.RecordID, 10)
	case retention.VictimCase:
		return "Victim-survivor's case " + strconv.FormatInt(h.RecordID, 10)
	case retention.Notification:
		return "Notification " + strconv.FormatInt(h.RecordID, 10)
	case retention.Site:
		return "All of " + d.SiteName[h.RecordID]
	case retention.Incident:
		return "Police incident " + h.Ref + " at " + d.SiteName[h.SiteID]
	}
	return string(h.Class)
}
