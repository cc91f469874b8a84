package api

import (
	"net/http"

	"github.com/drive-platform/drive/service"
)

// PoliceHistoryBody is the body of GET /cases/{id}/police-history: the
// police history page's figures. Victims are letters ("A", "B"), never
// names, as on the page.
type PoliceHistoryBody struct {
	CaseID        int64             `json:"case_id"`
	PersonName    string            `json:"person_name"`
	PoliceRecords int               `json:"police_records"`
	Incidents     []HistoryIncident `json:"incidents"`
	Hearings      []HistoryHearing  `json:"hearings"`
	Quarters      []HistoryQuarter  `json:"quarters"`
	Scores        []HistoryScore    `json:"scores"`
	ScoreChange   *float64          `json:"score_change,omitempty"`
	Escalation    *EscalationBody   `json:"escalation,omitempty"`
}

// HistoryIncident is one incident naming the person as suspect.
type HistoryIncident struct {
	Ref             string  `json:"ref"`
	On              string  `json:"on"`
	Type            string  `json:"type"`
	TypeLabel       string  `json:"type_label"`
	Crime           bool    `json:"crime"`
	Gravity         float64 `json:"gravity"`
	Victim          string  `json:"victim,omitempty"`
	SinceAllocation bool    `json:"since_allocation"`
}

// HistoryHearing is one MARAC hearing naming the person as perpetrator.
type HistoryHearing struct {
	On              string `json:"on"`
	Victim          string `json:"victim,omitempty"`
	SinceAllocation bool   `json:"since_allocation"`
}

// HistoryQuarter is one calendar quarter of the timeline.
type HistoryQuarter struct {
	From      string `json:"from"`
	To        string `json:"to"`
	Incidents int    `json:"incidents"`
	Crimes    int    `json:"crimes"`
	Hearings  int    `json:"hearings"`
	Allocated bool   `json:"allocated"`
}

// HistoryScore is an identification score at entry or exit.
type HistoryScore struct {
	Kind            string  `json:"kind"`
	ScoredOn        string  `json:"scored_on"`
	StrategyCode    string  `json:"strategy_code"`
	StrategyVersion string  `json:"strategy_version"`
	Total           float64 `json:"total"`
	Incidents       int     `json:"incidents"`
}

// EscalationBody compares equal periods before and since allocation.
type EscalationBody struct {
	AllocatedOn string           `json:"allocated_on"`
	Days        int              `json:"days"`
	Before      EscalationPeriod `json:"before"`
	After       EscalationPeriod `json:"after"`
}

// EscalationPeriod is what police recorded in one period.
type EscalationPeriod struct {
	From        string  `json:"from"`
	To          string  `json:"to"`
	Incidents   int     `json:"incidents"`
	Crimes      int     `json:"crimes"`
	Hearings    int     `json:"hearings"`
	Gravity     float64 `json:"gravity"`
	MostSerious float64 `json:"most_serious"`
}

// GetPoliceHistory answers GET /cases/{id}/police-history for those who
// may read police intelligence on the case; anyone else gets 404.
func (h *Cases) GetPoliceHistory(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	v, err := h.Svc.PoliceHistory(r.Context(), a, id)
	if err != nil {
		return err
	}
	b := PoliceHistoryBody{CaseID: v.CaseID, PersonName: v.PersonName, PoliceRecords: v.PoliceRecords, ScoreChange: v.ScoreChange,
		Incidents: []HistoryIncident{}, Hearings: []HistoryHearing{}, Quarters: []HistoryQuarter{}, Scores: []HistoryScore{}}
	for _, in := range v.Incidents {
		b.Incidents = append(b.Incidents, HistoryIncident{Ref: in.Ref, On: in.On.String(), Type: in.Type, TypeLabel: in.TypeLabel, Crime: in.Crime,
			Gravity: in.Gravity, Victim: in.Victim, SinceAllocation: in.SinceAllocation})
	}
	for _, hh := range v.Hearings {
		b.Hearings = append(b.Hearings, HistoryHearing{On: hh.On.String(), Victim: hh.Victim, SinceAllocation: hh.SinceAllocation})
	}
	for _, q := range v.Quarters {
		b.Quarters = append(b.Quarters, HistoryQuarter{From: q.From.String(), To: q.To.String(), Incidents: q.Incidents, Crimes: q.Crimes,
			Hearings: q.Hearings, Allocated: q.Allocated})
	}
	for _, sc := range v.Scores {
		b.Scores = append(b.Scores, HistoryScore{Kind: sc.Kind, ScoredOn: sc.ScoredOn.String(), StrategyCode: sc.StrategyCode,
			StrategyVersion: sc.StrategyVersion, Total: sc.Total, Incidents: sc.Incidents})
	}
	if e := v.Escalation; e != nil {
		period := func(p service.EscalationPeriod) EscalationPeriod {
			return EscalationPeriod{From: p.From.String(), To: p.To.String(), Incidents: p.Incidents, Crimes: p.Crimes, Hearings: p.Hearings,
				Gravity: p.Gravity, MostSerious: p.MostSerious}
		}
		b.Escalation = &EscalationBody{AllocatedOn: e.AllocatedOn.String(), Days: e.Days, Before: period(e.Before), After: period(e.After)}
	}
	return WriteJSON(w, http.StatusOK, b)
}
