package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/service"
)

// Evaluation pages: the national team sets up a project, a data
// protection officer approves it, either releases extracts after the
// re-identification check, and the project's evaluators download them.
// Each handler parses the request and makes one service call; the service
// decides who may do what and audits it. Addresses carry record numbers
// only.

// evaluationListData is what templates/evaluation.html shows.
type evaluationListData struct {
	Projects  []*evaluation.Project
	CanCreate bool
}

func (s *Server) evaluationList(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	ps, err := s.svc.Projects(r.Context(), a)
	if err != nil {
		return err
	}
	d := evaluationListData{Projects: ps, CanCreate: a.Subject.HasRole(access.National)}
	return s.render(w, r, http.StatusOK, "evaluation", s.pageWithDone(r, "Evaluation projects", d))
}

// projectFormData is what templates/evaluation-new.html shows.
type projectFormData struct {
	Orgs   []account.Organisation
	Sites  []account.Site
	Tables []string
	Form   url.Values
	Errors FormErrors
}

// Checked reports whether value was ticked for the field.
func (d projectFormData) Checked(field, value string) bool {
	for _, v := range d.Form[field] {
		if v == value {
			return true
		}
	}
	return false
}

func (s *Server) projectForm(w http.ResponseWriter, r *http.Request) error {
	v := url.Values{"tables": evaluation.Tables(), "k": {strconv.Itoa(evaluation.DefaultK)}}
	return s.renderProjectForm(w, r, http.StatusOK, v, nil)
}

func (s *Server) renderProjectForm(w http.ResponseWriter, r *http.Request, status int, v url.Values, errs FormErrors) error {
	orgs, sites, err := s.svc.EvaluationSetup(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	title := "New evaluation project"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	d := projectFormData{Orgs: orgs, Sites: sites, Tables: evaluation.Tables(), Form: v, Errors: errs}
	return s.render(w, r, status, "evaluation-new", s.page(r, title, d))
}

var projectFields = []string{"name", "evaluator_org_id", "agreement_ref", "agreement_expires", "site_ids", "from", "to", "tables", "k"}

// readProject reads the new-project form; fields that cannot be read are
// reported as the project's own validation would report them.
func readProject(v url.Values) (*evaluation.Project, map[string]string) {
	f := map[string]string{}
	p := &evaluation.Project{
		Name:         strings.TrimSpace(v.Get("name")),
		AgreementRef: strings.TrimSpace(v.Get("agreement_ref")),
		Tables:       v["tables"],
	}
	if s := v.Get("evaluator_org_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f["evaluator_org_id"] = "Choose the evaluator's organisation from the list"
		}
		p.EvaluatorOrgID = id
	}
	for _, sid := range v["site_ids"] {
		id, err := strconv.ParseInt(sid, 10, 64)
		if err != nil {
			f["site_ids"] = "Choose sites from the list"
			continue
		}
		p.SiteIDs = append(p.SiteIDs, id)
	}
	for _, d := range []struct {
		field string
		into  *drive.Date
	}{{"agreement_expires", &p.AgreementExpires}, {"from", &p.From}, {"to", &p.To}} {
		s := strings.TrimSpace(v.Get(d.field))
		if s == "" {
			continue
		}
		date, err := drive.ParseDate(s)
		if err != nil {
			f[d.field] = "Enter a real date, for example 31 3 2027"
			continue
		}
		*d.into = date
	}
	if s := strings.TrimSpace(v.Get("k")); s != "" {
		k, err := strconv.Atoi(s)
		if err != nil || k < evaluation.MinK || k > 100 {
			f["k"] = "Enter a whole number from " + strconv.Itoa(evaluation.MinK) + " to 100"
		}
		p.K = k
	}
	return p, f
}

func (s *Server) createProject(w http.ResponseWriter, r *http.Request) error {
	v, err := postedForm(r)
	if err != nil {
		return err
	}
	p, fields := readProject(v)
	if len(fields) > 0 {
		err = drive.Invalid("Check the evaluation project", fields)
	} else {
		err = s.svc.CreateProject(r.Context(), actorOf(r), p)
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderProjectForm(w, r, http.StatusUnprocessableEntity, v, invalidErrors(err, projectFields...))
	}
	if err != nil {
		return err
	}
	confirm(w, r, "/evaluation/"+strconv.FormatInt(p.ID, 10), "project")
	return nil
}

// projectData is what templates/evaluation-project.html shows.
type projectData struct {
	*service.ProjectView
	Today  drive.Date
	Form   url.Values
	Errors FormErrors
}

func (s *Server) projectPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderProject(w, r, http.StatusOK, nil, nil)
}

func (s *Server) renderProject(w http.ResponseWriter, r *http.Request, status int, v url.Values, errs FormErrors) error {
	id, err := pathID(r, "id", "evaluation project")
	if err != nil {
		return err
	}
	pv, err := s.svc.Project(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	title := "Evaluation project " + pv.Project.Name
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.render(w, r, status, "evaluation-project", s.pageWithDone(r, title, projectData{ProjectView: pv, Today: s.svc.Today(), Form: v, Errors: errs}))
}

// projectAction approves, withdraws or releases an extract of a project.
func (s *Server) projectAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "evaluation project")
	if err != nil {
		return err
	}
	v, err := postedForm(r)
	if err != nil {
		return err
	}
	a := actorOf(r)
	var code string
	switch r.PathValue("action") {
	case "approve":
		err, code = s.svc.ApproveProject(r.Context(), a, id), "approved"
	case "withdraw":
		err, code = s.svc.WithdrawProject(r.Context(), a, id, v.Get("reason")), "withdrawn"
	case "release":
		_, err = s.svc.ReleaseExtract(r.Context(), a, id, v.Get("override_reason"))
		code = "released"
	default:
		return drive.NotFound("page")
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderProject(w, r, http.StatusUnprocessableEntity, v, invalidErrors(err, "reason", "override_reason"))
	}
	if err != nil {
		return err
	}
	confirm(w, r, "/evaluation/"+strconv.FormatInt(id, 10), code)
	return nil
}

// downloadExtract sends a released extract to its project's evaluator.
func (s *Server) downloadExtract(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "extract")
	if err != nil {
		return err
	}
	rel, body, err := s.svc.DownloadExtract(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	name := "extract-" + strconv.FormatInt(rel.ProjectID, 10) + "-" + strconv.FormatInt(rel.ID, 10) + ".zip"
	return serveDownload(w, "application/zip", name, body)
}
