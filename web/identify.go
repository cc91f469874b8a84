package web

import (
	"net/http"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

// identifyData is what templates/identify.html shows.
type identifyData struct {
	Sites      []siteChoice
	Site       int64
	Suspects   []service.Suspect
	SerialOnly bool
	CanRefer   bool
	AsOf       drive.Date
	Duplicates []people.Candidate
	Pending    *service.Suspect
}

// identifyPage shows a site's ranked identification list with the reasons
// for each score, filtered to serial perpetrators on request.
func (s *Server) identifyPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderIdentify(w, r, http.StatusOK, nil, "")
}

func (s *Server) renderIdentify(w http.ResponseWriter, r *http.Request, status int, dups []people.Candidate, pendingKey string) error {
	ctx := r.Context()
	a := actorOf(r)
	sites, national := a.Subject.SitesFor(access.PoliceIntel, access.Read)
	if national || len(sites) == 0 {
		return drive.NotFound("page")
	}
	d := identifyData{Site: sites[0], AsOf: drive.DateOf(s.cfg.Now()), SerialOnly: r.FormValue("serial") == "1", Duplicates: dups}
	if v, err := strconv.ParseInt(r.FormValue("site"), 10, 64); err == nil {
		d.Site = v
	}
	names, _, err := s.siteNames(r)
	if err != nil {
		return err
	}
	for _, id := range sites {
		d.Sites = append(d.Sites, siteChoice{id, names[id], id == d.Site})
	}
	list, err := s.svc.IdentificationList(ctx, a, d.Site, d.AsOf, 100)
	if err != nil {
		return err
	}
	for i := range list {
		if list[i].Suspect == pendingKey {
			d.Pending = &list[i]
		}
		if d.SerialOnly && !list[i].Serial {
			continue
		}
		d.Suspects = append(d.Suspects, list[i])
	}
	wsites, _ := a.Subject.SitesFor(access.PerpetratorCase, access.Write)
	for _, id := range wsites {
		d.CanRefer = d.CanRefer || id == d.Site
	}
	return s.render(w, r, status, "identify", s.page(r, "Identification list", d))
}

func (s *Server) siteNames(r *http.Request) (map[int64]string, map[int64]string, error) {
	var sites, orgs map[int64]string
	err := s.cfg.DB.View(r.Context(), func(tx *store.Tx) error {
		var err error
		sites, orgs, err = lookups(r.Context(), tx)
		return err
	})
	return sites, orgs, err
}

// referSuspect refers a suspect on the list to the panel.
func (s *Server) referSuspect(w http.ResponseWriter, r *http.Request) error {
	site, _ := strconv.ParseInt(r.PostFormValue("site"), 10, 64)
	if site <= 0 || r.PostFormValue("suspect") == "" {
		return drive.Errorf(drive.EINVALID, "Choose a suspect on the identification list to refer")
	}
	res, err := s.svc.ReferSuspect(r.Context(), actorOf(r), site, drive.DateOf(s.cfg.Now()), r.PostFormValue("suspect"),
		r.PostFormValue("name"), r.PostFormValue("not_duplicate") == "yes")
	if err != nil {
		return err
	}
	if len(res.Duplicates) > 0 {
		return s.renderIdentify(w, r, http.StatusOK, res.Duplicates, r.PostFormValue("suspect"))
	}
	http.Redirect(w, r, "/cases/"+strconv.FormatInt(res.CaseID, 10), http.StatusSeeOther)
	return nil
}
