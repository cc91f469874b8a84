package web

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/tabular"
)

// identifyData is what templates/identify.html shows.
type identifyData struct {
	Sites      []siteChoice
	Site       int64
	Suspects   []service.Suspect
	SerialOnly bool
	CanRefer   bool
	CanImport  bool
	AsOf       drive.Date
	Duplicates []people.Candidate
	Pending    *service.Suspect
	// Referred marks the suspects (by police person) a referral from the
	// list already names, and ReferredHere counts those on the list shown;
	// Marked says the user may know (Referred is nil otherwise).
	Referred     map[int64]bool
	ReferredHere int
	Marked       bool
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
	d := identifyData{Site: sites[0], AsOf: s.svc.Today(), SerialOnly: r.FormValue("serial") == "1", Duplicates: dups}
	if v, err := strconv.ParseInt(r.FormValue("site"), 10, 64); err == nil {
		d.Site = v
	}
	names, err := s.siteNames(r)
	if err != nil {
		return err
	}
	for _, id := range sites {
		d.Sites = append(d.Sites, siteChoice{id, names[id], id == d.Site})
	}
	list, err := s.svc.IdentificationList(ctx, a, d.Site, identifyListSize)
	if err != nil {
		return err
	}
	if d.Referred, err = s.svc.ReferredFromList(ctx, a, d.Site); err != nil {
		return err
	}
	d.Marked = d.Referred != nil
	for i := range list {
		if list[i].Suspect == pendingKey {
			d.Pending = &list[i]
		}
		if d.SerialOnly && !list[i].Serial {
			continue
		}
		d.Suspects = append(d.Suspects, list[i])
		if d.Referred[list[i].PersonID] {
			d.ReferredHere++
		}
	}
	isites, _ := a.Subject.SitesFor(access.PoliceIntel, access.Write)
	d.CanImport = len(isites) > 0
	d.CanRefer = canAt(a.Subject, access.ListReferral, access.Write, d.Site)
	p := s.page(r, "Identification list", d)
	p.Flash = doneMessageOf(r)
	return s.render(w, r, status, "identify", p)
}

// siteNames names every site by id, for choosing a site on the
// identification pages.
func (s *Server) siteNames(r *http.Request) (map[int64]string, error) {
	sites, err := s.svc.Sites(r.Context(), actorOf(r))
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(sites))
	for _, st := range sites {
		names[st.ID] = st.Name
	}
	return names, nil
}

// referSuspect refers a suspect on the list to the panel.
func (s *Server) referSuspect(w http.ResponseWriter, r *http.Request) error {
	site, _ := strconv.ParseInt(r.PostFormValue("site"), 10, 64)
	if site <= 0 || r.PostFormValue("suspect") == "" {
		return drive.Errorf(drive.EINVALID, "Choose a suspect on the identification list to refer")
	}
	// One click on a long list is easily the wrong row, and a referral
	// cannot be taken back: the list's button asks first, and only the
	// answer to that question (confirmed=yes) refers.
	if r.PostFormValue("confirmed") != "yes" {
		d := struct {
			Site         int64
			Suspect      string
			Name         string
			NotDuplicate bool
		}{site, r.PostFormValue("suspect"), r.PostFormValue("name"), r.PostFormValue("not_duplicate") == "yes"}
		return s.render(w, r, http.StatusOK, "identify-refer", s.page(r, "Refer "+d.Name+" to the panel?", d))
	}
	res, err := s.svc.ReferSuspect(r.Context(), actorOf(r), site, r.PostFormValue("suspect"),
		r.PostFormValue("name"), r.PostFormValue("not_duplicate") == "yes")
	if err != nil {
		return err
	}
	if len(res.Duplicates) > 0 {
		return s.renderIdentify(w, r, http.StatusOK, res.Duplicates, r.PostFormValue("suspect"))
	}
	// Who may write cases goes on to the new case, to decide and
	// allocate it; who may only refer from the list (an analyst) goes
	// back to the list, where the suspect now shows as referred.
	if canAt(actorOf(r).Subject, access.PerpetratorCase, access.Write, site) {
		confirm(w, r, casePath(res.CaseID, ""), "referral")
		return nil
	}
	http.Redirect(w, r, "/identify?site="+strconv.FormatInt(site, 10)+"&done=list_referral", http.StatusSeeOther)
	return nil
}

// canAt reports whether sub may take action on class at the site.
func canAt(sub access.Subject, class access.DataClass, action access.Action, site int64) bool {
	sites, national := sub.SitesFor(class, action)
	return national || slices.Contains(sites, site)
}

// suspectData is what templates/identify-person.html shows.
type suspectData struct {
	*service.SuspectView
	Name     string
	Form     url.Values
	Errors   FormErrors
	Rulings  []ruling
	Chosen   map[int64]bool
	Decided  string
	SiteName string
	// Link explains why two of his incidents are one man; nil when there
	// is no pair or no model kept yet.
	Link *service.LinkExplanation
}

// ruling is one choice of what an analyst can rule on a suspect's page.
type ruling struct {
	Value, Label, Hint string
}

func rulings() []ruling {
	return []ruling{
		{"confirm-suspect", "Confirm: every incident here is this man", "Keep every incident ticked. Later imports will not pull them apart."},
		{"split-suspect", "Split: the ticked incidents are a different man", "They become a person of their own, with their own score."},
		{"confirm-victim", "The victims of the ticked incidents are the same woman", "Tick two or more incidents whose victim the linker has given different letters."},
		{"split-victim", "The victim of the ticked incidents is someone else", "That victim becomes a person of their own; the suspect's count of victims may change."},
	}
}

// suspectPage shows everything police hold on one suspect at the site, so
// an analyst can judge who he is, with the form to confirm or split.
func (s *Server) suspectPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSuspect(w, r, http.StatusOK, nil)
}

func (s *Server) renderSuspect(w http.ResponseWriter, r *http.Request, status int, de *drive.Error) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	v, err := s.svc.Suspect(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if v.MovedTo != 0 && v.MovedTo != id {
		http.Redirect(w, r, "/identify/people/"+strconv.FormatInt(v.MovedTo, 10), http.StatusSeeOther)
		return nil
	}
	d := suspectData{SuspectView: v, Rulings: rulings(), Chosen: map[int64]bool{}, Form: r.PostForm, Decided: r.FormValue("decided")}
	if len(v.Incidents) > 0 {
		p := v.Incidents[0].Suspect
		d.Name = strings.TrimSpace(p.GivenName + " " + p.FamilyName)
	}
	if de != nil {
		d.Errors = formErrors(de.Fields, "ruling", "incidents", "reason")
		if len(d.Errors) == 0 {
			d.Errors = FormErrors{{"", de.Message}}
		}
		for _, f := range r.PostForm["incident"] {
			if n, err := strconv.ParseInt(f, 10, 64); err == nil {
				d.Chosen[n] = true
			}
		}
	}
	// The link explained: the pair of incidents asked for (ids, never
	// personal data, in the query), or his weakest link.
	var pair [2]int64
	for i, k := range []string{"a", "b"} {
		if q := r.URL.Query().Get(k); q != "" {
			n, err := strconv.ParseInt(q, 10, 64)
			if err != nil || n <= 0 {
				return drive.Invalid("That pair cannot be explained", map[string]string{"pair": "Choose two different incidents from this man's list"})
			}
			pair[i] = n
		}
	}
	if d.Link, err = s.svc.SuspectLink(r.Context(), actorOf(r), id, pair[0], pair[1]); err != nil {
		return err
	}
	names, err := s.siteNames(r)
	if err != nil {
		return err
	}
	d.SiteName = names[v.Person.SiteID]
	title := "Suspect " + strconv.FormatInt(id, 10)
	return s.render(w, r, status, "identify-person", s.page(r, title, d))
}

// ruleOnSuspect records an analyst's ruling on who a suspect is.
func (s *Server) ruleOnSuspect(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "person")
	if err != nil {
		return err
	}
	in := service.Ruling{Reason: r.PostFormValue("reason")}
	role, kind, ok := strings.Cut(r.PostFormValue("ruling"), "-")
	switch {
	case !ok || (role != "confirm" && role != "split") || (kind != "suspect" && kind != "victim"):
		err = drive.Invalid("The decision was not saved", map[string]string{"ruling": "Choose what you are deciding"})
	default:
		in.Kind, in.Role = identify.DecisionKind(role), identify.Role(kind)
		for _, f := range r.PostForm["incident"] {
			n, perr := strconv.ParseInt(f, 10, 64)
			if perr != nil {
				return drive.Errorf(drive.EINVALID, "Choose incidents from the list")
			}
			in.Incidents = append(in.Incidents, n)
		}
		if len(in.Incidents) == 0 {
			err = drive.Invalid("The decision was not saved", map[string]string{"incidents": "Tick the incidents your decision is about"})
		} else {
			_, err = s.svc.Rule(r.Context(), actorOf(r), id, in)
		}
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderSuspect(w, r, http.StatusUnprocessableEntity, asInvalid(err))
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/identify/people/"+strconv.FormatInt(id, 10)+"?decided="+url.QueryEscape(in.Kind.String()), http.StatusSeeOther)
	return nil
}

// nationalPage lists suspects known to police at more than one site, for
// the national team: which sites, and counts, never who.
func (s *Server) nationalPage(w http.ResponseWriter, r *http.Request) error {
	list, err := s.svc.NationalMatches(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "identify-national", s.page(r, "Suspects known at more than one site", list))
}

// importData is what templates/identify-import.html shows.
type importData struct {
	Sites    []siteChoice
	MARAC    bool
	Errors   FormErrors
	Problems []incident.RowError
	More     int // problems not shown
	Result   *service.UploadResult
	File     string
	// Mappings are the saved mappings of each site the analyst imports
	// to, in the order of Sites.
	Mappings []siteMappings
	// Jobs are the analyst's latest confirmed uploads, linked to their
	// progress pages.
	Jobs []uploadJobRow
}

// uploadJobRow is one of the analyst's confirmed uploads.
type uploadJobRow struct {
	ID                 int64
	File, When, Status string
}

// jobStatusWords says a job's status as the upload page lists it.
var jobStatusWords = map[string]string{"queued": "Waiting to start", "running": "Importing", "done": "Imported", "failed": "Not imported: see its problems"}

// siteMappings is one site's saved mappings, for the upload form.
type siteMappings struct {
	Site string
	List []incident.SavedMapping
}

// importForm is where an analyst uploads a police extract or MARAC list.
func (s *Server) importForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderImport(w, r, http.StatusOK, importData{MARAC: r.FormValue("kind") == "marac"})
}

func (s *Server) renderImport(w http.ResponseWriter, r *http.Request, status int, d importData) error {
	sites, _ := actorOf(r).Subject.SitesFor(access.PoliceIntel, access.Write)
	if len(sites) == 0 {
		return drive.NotFound("page")
	}
	chosen, _ := strconv.ParseInt(r.FormValue("site"), 10, 64)
	names, err := s.siteNames(r)
	if err != nil {
		return err
	}
	for _, id := range sites {
		d.Sites = append(d.Sites, siteChoice{id, names[id], id == chosen})
		ms, err := s.svc.ImportMappings(r.Context(), actorOf(r), id)
		if err != nil {
			return err
		}
		if len(ms) > 0 {
			d.Mappings = append(d.Mappings, siteMappings{Site: names[id], List: ms})
		}
	}
	jobs, err := s.svc.UploadJobs(r.Context(), actorOf(r), 5)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		d.Jobs = append(d.Jobs, uploadJobRow{ID: j.ID, File: j.FileName, When: drive.DisplayTime(j.CreatedAt), Status: jobStatusWords[j.Status]})
	}
	return s.render(w, r, status, "identify-import", s.pageWithDone(r, "Import police data", d))
}

// importUpload validates and imports an uploaded extract or list: with
// any problem in the file, every one is listed and nothing is stored.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request) error {
	d := importData{MARAC: r.PostFormValue("kind") == "marac"}
	site, _ := strconv.ParseInt(r.PostFormValue("site"), 10, 64)
	file, header, err := r.FormFile("file")
	if err != nil {
		// A file over maxUpload never gets here: admit answers 413.
		d.Errors = FormErrors{{"file", "Choose the CSV file to import"}}
		return s.renderImport(w, r, http.StatusUnprocessableEntity, d)
	}
	defer file.Close()
	d.File = header.Filename
	up := service.Upload{SiteID: site, MARAC: d.MARAC, File: file,
		Read:          tabular.Options{Encoding: r.PostFormValue("encoding"), Sheet: r.PostFormValue("sheet")},
		SaveMappingAs: r.PostFormValue("save_mapping_as")}
	if v := r.PostFormValue("saved_mapping"); v != "" {
		if up.MappingID, err = strconv.ParseInt(v, 10, 64); err != nil {
			d.Errors = FormErrors{{"saved_mapping", "Choose a saved mapping from the list"}}
			return s.renderImport(w, r, http.StatusUnprocessableEntity, d)
		}
	}
	if m, mh, err := r.FormFile("mapping"); err == nil {
		defer m.Close()
		if mh.Size > 1<<20 {
			d.Errors = FormErrors{{"mapping", "The mapping file is too large: it is a small JSON object of field names to column headers"}}
			return s.renderImport(w, r, http.StatusUnprocessableEntity, d)
		}
		if up.Mapping, err = io.ReadAll(m); err != nil {
			return err
		}
	}
	if r.PostFormValue("step") == "check" {
		return s.checkUpload(w, r, d, up)
	}
	res, err := s.svc.Import(r.Context(), actorOf(r), up)
	if err != nil || len(res.Problems) > 0 {
		return s.importRefused(w, r, d, res, err)
	}
	d.Result = res
	return s.renderImport(w, r, http.StatusOK, d)
}

// importRefused answers an upload that imported nothing: a bad form or
// file (EINVALID) on its field, or the file's problems by line and column,
// the first 50 of them. Any other error is returned for the error page.
func (s *Server) importRefused(w http.ResponseWriter, r *http.Request, d importData, res *service.UploadResult, err error) error {
	if drive.ErrorCode(err) == drive.EINVALID {
		d.Errors = formErrors(asInvalid(err).Fields, "file", "encoding", "sheet", "saved_mapping", "mapping", "save_mapping_as")
		if len(d.Errors) == 0 {
			d.Errors = FormErrors{{"file", drive.ErrorMessage(err)}}
		}
		return s.renderImport(w, r, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	d.Result, d.Problems, d.More = res, res.Problems, res.MoreProblems
	if len(d.Problems) > 50 {
		d.Problems, d.More = d.Problems[:50], len(res.Problems)-50+res.MoreProblems
	}
	d.Errors = FormErrors{{"file", fmt.Sprintf("%s has %d problems: nothing was imported. Correct the file and import it again.", d.File, len(res.Problems)+res.MoreProblems)}}
	return s.renderImport(w, r, http.StatusUnprocessableEntity, d)
}

// importCheckData is what templates/identify-import-check.html shows.
type importCheckData struct {
	*service.UploadCheck
	MARAC bool
}

// checkUpload reads the upload without storing anything and shows what it
// will import, the first rows field by field, for the analyst to confirm;
// a file with problems lists them on the upload page, as an import does.
func (s *Server) checkUpload(w http.ResponseWriter, r *http.Request, d importData, up service.Upload) error {
	c, err := s.svc.CheckUpload(r.Context(), actorOf(r), up, d.File)
	if err != nil {
		return s.importRefused(w, r, d, nil, err)
	}
	if len(c.Problems) > 0 {
		return s.importRefused(w, r, d, c.UploadResult, nil)
	}
	return s.render(w, r, http.StatusOK, "identify-import-check", s.page(r, "Check the file before importing", importCheckData{UploadCheck: c, MARAC: d.MARAC}))
}

// confirmUpload queues an upload the analyst checked as an import job and
// sends them to its progress page.
func (s *Server) confirmUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "upload")
	if err != nil {
		return err
	}
	j, err := s.svc.ConfirmUpload(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/imports/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
	return nil
}

// importJobData is what templates/import-job.html shows.
type importJobData struct {
	Job *service.ImportJob
	// Working says the job is queued or running: the page looks again.
	Working  bool
	Problems []service.JobProblem
	More     int
	When     string
}

// importJobPage shows how one of the analyst's confirmed uploads is
// going: queued, running, done with what it brought, or failed with
// every problem first. Until it has finished the page looks again every
// few seconds (drive.js), or when the analyst asks.
func (s *Server) importJobPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "import")
	if err != nil {
		return err
	}
	j, err := s.svc.UploadJob(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	d := importJobData{Job: j, Working: j.Status == "queued" || j.Status == "running", Problems: j.Problems,
		When: drive.DisplayTime(j.CreatedAt)}
	if len(d.Problems) > 50 {
		d.Problems, d.More = d.Problems[:50], len(j.Problems)-50
	}
	title := "Importing " + j.FileName
	switch j.Status {
	case "done":
		title = "Imported " + j.FileName
	case "failed":
		title = j.FileName + " was not imported"
	}
	return s.render(w, r, http.StatusOK, "import-job", s.page(r, title, d))
}

// deleteMapping removes one of a site's saved mappings.
func (s *Server) deleteMapping(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "mapping")
	if err != nil {
		return err
	}
	site, _ := strconv.ParseInt(r.PostFormValue("site"), 10, 64)
	if err := s.svc.DeleteImportMapping(r.Context(), actorOf(r), site, id); err != nil {
		return err
	}
	confirm(w, r, "/identify/import", "mapping_deleted")
	return nil
}
