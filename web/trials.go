package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/web/form"
)

// Randomised trials (docs/trials.md): the site's team leader and the
// national team start and end a trial and watch its balance. The pages
// show counts of what has been allocated, never a referral's arm before
// it is allocated and never the seed; a referral's own arm is on its case
// page, for those who may read the case.

// trialDone is the confirmation a trial page shows after a change.
var trialDone = map[string]string{
	"started": "Trial started: referrals the panel accepts from now on are allocated",
	"ended":   "Trial ended: nothing more is allocated",
}

// trialRow is one trial in the list.
type trialRow struct {
	ID        int64
	Name      string
	Site      string
	Programme string
	Started   string
	Ended     string
}

// trialsData is what templates/trials.html shows.
type trialsData struct {
	Rows   []trialRow
	Sites  []siteChoice
	Form   url.Values
	Errors FormErrors
}

// trialData is what templates/trial.html shows.
type trialData struct {
	Trial     *evaluation.Trial
	Site      string
	Programme string
	Balance   []balanceRow
	Total     balanceRow
}

type balanceRow struct {
	Band                                string
	Intervention, Comparison, Imbalance int
}

func programmeLabel(code string) string {
	switch code {
	case "":
		return "Every accepted referral"
	case "drive":
		return "Drive referrals"
	case "restart":
		return "Restart referrals"
	}
	return code
}

// trials lists the trials the user may see, with the form that starts one.
func (s *Server) trials(w http.ResponseWriter, r *http.Request) error {
	return s.renderTrials(w, r, http.StatusOK, url.Values{"outcome_months": {strconv.Itoa(evaluation.DefaultOutcomeMonths)}}, nil)
}

func (s *Server) renderTrials(w http.ResponseWriter, r *http.Request, status int, v url.Values, errs FormErrors) error {
	ts, err := s.svc.Trials(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	sites, _, err := s.svc.TrialSites(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	names := map[int64]string{}
	d := trialsData{Form: v, Errors: errs}
	for _, st := range sites {
		names[st.ID] = st.Name
		d.Sites = append(d.Sites, siteChoice{ID: st.ID, Name: st.Name, Selected: strconv.FormatInt(st.ID, 10) == v.Get("site")})
	}
	for _, t := range ts {
		row := trialRow{ID: t.ID, Name: t.Name, Site: names[t.SiteID], Programme: programmeLabel(t.Programme), Started: t.StartedOn.Display()}
		if !t.Running() {
			row.Ended = t.EndedOn.Display()
		}
		d.Rows = append(d.Rows, row)
	}
	title := "Trials"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	p := s.page(r, title, d)
	p.Flash = trialDone[r.URL.Query().Get("done")]
	return s.render(w, r, status, "trials", p)
}

// startTrial starts a trial at the chosen site.
func (s *Server) startTrial(w http.ResponseWriter, r *http.Request) error {
	v, err := postedForm(r)
	if err != nil {
		return err
	}
	f := form.NewTrial(v)
	err = f.Validate()
	var t *evaluation.Trial
	if err == nil {
		t = f.Trial()
		err = s.svc.StartTrial(r.Context(), actorOf(r), t)
	}
	switch drive.ErrorCode(err) {
	case drive.EINVALID:
		return s.renderTrials(w, r, http.StatusUnprocessableEntity, v, invalidErrors(err, "site", "name", "programme", "outcome_months"))
	case drive.ECONFLICT:
		return s.renderTrials(w, r, http.StatusConflict, v, FormErrors{{"site", drive.ErrorMessage(err)}})
	}
	if err != nil {
		return err
	}
	confirm(w, r, "/trials/"+strconv.FormatInt(t.ID, 10), "started")
	return nil
}

// trialPage shows a trial and its balance so far.
func (s *Server) trialPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "trial")
	if err != nil {
		return err
	}
	b, err := s.svc.Balance(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	sites, _, err := s.svc.TrialSites(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	d := trialData{Trial: b.Trial, Programme: programmeLabel(b.Trial.Programme)}
	for _, st := range sites {
		if st.ID == b.Trial.SiteID {
			d.Site = st.Name
		}
	}
	for _, st := range b.Strata {
		row := balanceRow{Band: st.Band, Intervention: st.Counts.Intervention, Comparison: st.Counts.Comparison, Imbalance: st.Counts.Imbalance}
		if st.Band == "" {
			row.Band = "All bands"
			d.Total = row
			continue
		}
		row.Band = map[string]string{evaluation.BandHigh: "High", evaluation.BandMedium: "Medium", evaluation.BandStandard: "Standard"}[st.Band]
		d.Balance = append(d.Balance, row)
	}
	p := s.page(r, b.Trial.Name, d)
	p.Flash = trialDone[r.URL.Query().Get("done")]
	return s.render(w, r, http.StatusOK, "trial", p)
}

// endTrial ends a running trial.
func (s *Server) endTrial(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "trial")
	if err != nil {
		return err
	}
	if _, err := postedForm(r); err != nil {
		return err
	}
	if err := s.svc.EndTrial(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	confirm(w, r, "/trials/"+strconv.FormatInt(id, 10), "ended")
	return nil
}
