package api

import (
	"net/http"

	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/service"
)

// Trials holds the handlers of randomised trials: read-only, counts of
// what has been allocated, never a referral's arm (that is on its case)
// and never the seed. Starting and ending a trial are done on the pages
// or with `drive trial`.
type Trials struct {
	Svc *service.Service
}

// trialJSON is a trial as the API writes it.
type trialJSON struct {
	ID            int64   `json:"id"`
	SiteID        int64   `json:"site_id"`
	Name          string  `json:"name"`
	Programme     string  `json:"programme"`
	OutcomeMonths int     `json:"outcome_months"`
	StartedOn     string  `json:"started_on"`
	EndedOn       *string `json:"ended_on"`
}

func trialOf(t *evaluation.Trial) trialJSON {
	out := trialJSON{ID: t.ID, SiteID: t.SiteID, Name: t.Name, Programme: t.Programme, OutcomeMonths: t.OutcomeMonths, StartedOn: t.StartedOn.String()}
	if !t.Running() {
		e := t.EndedOn.String()
		out.EndedOn = &e
	}
	return out
}

// stratumJSON is one row of a trial's balance; band "all" is every band.
type stratumJSON struct {
	Band         string `json:"band"`
	Intervention int    `json:"intervention"`
	Comparison   int    `json:"comparison"`
	Imbalance    int    `json:"imbalance"`
}

// ListTrials answers GET /trials: the trials the caller may see, newest
// first, as {"trials": [...]}.
func (h *Trials) ListTrials(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	ts, err := h.Svc.Trials(r.Context(), a)
	if err != nil {
		return err
	}
	out := []trialJSON{}
	for _, t := range ts {
		out = append(out, trialOf(t))
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"trials": out})
}

// GetTrial answers GET /trials/{id}: the trial and the balance of its
// allocations so far, per risk band and overall ("all"). "not found" for
// a trial the caller may not see.
func (h *Trials) GetTrial(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "trial")
	if err != nil {
		return err
	}
	b, err := h.Svc.Balance(r.Context(), a, id)
	if err != nil {
		return err
	}
	strata := []stratumJSON{}
	for _, s := range b.Strata {
		band := s.Band
		if band == "" {
			band = "all"
		}
		strata = append(strata, stratumJSON{Band: band, Intervention: s.Counts.Intervention, Comparison: s.Counts.Comparison, Imbalance: s.Counts.Imbalance})
	}
	return WriteJSON(w, http.StatusOK, map[string]any{"trial": trialOf(b.Trial), "balance": strata})
}
