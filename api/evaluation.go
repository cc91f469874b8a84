package api

import (
	"net/http"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
)

// Evaluation holds the handlers an evaluator's software uses to fetch what
// a project has been granted. The service decides who sees which project
// and audits every download.
type Evaluation struct {
	Svc *service.Service
}

// projectJSON is a project as the API shows it.
type projectJSON struct {
	ID               int64         `json:"id"`
	Name             string        `json:"name"`
	State            string        `json:"state"`
	AgreementRef     string        `json:"agreement_ref"`
	AgreementExpires string        `json:"agreement_expires"`
	From             string        `json:"from"`
	To               string        `json:"to"`
	Tables           []string      `json:"tables"`
	K                int           `json:"k"`
	Extracts         []extractJSON `json:"extracts"`
}

type extractJSON struct {
	ID       int64  `json:"id"`
	MadeOn   string `json:"made_on"`
	Rows     int    `json:"rows"`
	Smallest int    `json:"smallest_group"`
	Passed   bool   `json:"passed"`
	SHA256   string `json:"sha256"`
	Download string `json:"download"`
}

// ListProjects answers GET /evaluation/projects: the projects the caller
// may see (an evaluator: their organisation's), each with its released
// extracts and where to download them.
func (h *Evaluation) ListProjects(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	ps, err := h.Svc.Projects(r.Context(), a)
	if err != nil {
		return err
	}
	out := []projectJSON{}
	for _, p := range ps {
		v, err := h.Svc.Project(r.Context(), a, p.ID)
		if err != nil {
			return err
		}
		pj := projectJSON{ID: p.ID, Name: p.Name, State: string(p.State), AgreementRef: p.AgreementRef,
			AgreementExpires: p.AgreementExpires.String(), From: p.From.String(), To: p.To.String(), Tables: p.Tables,
			K: p.Threshold(), Extracts: []extractJSON{}}
		for _, rel := range v.Releases {
			pj.Extracts = append(pj.Extracts, extractJSON{ID: rel.ID, MadeOn: rel.MadeOn.String(), Rows: rel.Rows, Smallest: rel.Smallest,
				Passed: rel.Passed, SHA256: rel.Digest, Download: "/api/v1/evaluation/extracts/" + strconv.FormatInt(rel.ID, 10)})
		}
		out = append(out, pj)
	}
	return WriteJSON(w, http.StatusOK, out)
}

// GetExtract answers GET /evaluation/extracts/{id}: the released zip, for
// an evaluator of the project's organisation only ("not found" for anyone
// else), audited.
func (h *Evaluation) GetExtract(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return drive.NotFound("extract")
	}
	rel, body, err := h.Svc.DownloadExtract(r.Context(), a, id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="extract-`+strconv.FormatInt(rel.ProjectID, 10)+"-"+strconv.FormatInt(rel.ID, 10)+`.zip"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}
