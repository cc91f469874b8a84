package api

import (
	"net/http"
	"time"

	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/voice"
)

// ReportedOutcomeBody is what she reported at one time point, in her own
// terms: whether each kind of abuse happened since the last time, how safe
// she feels (0-10), her quality of life and confidence to get help (1-5,
// 0 when she did not answer), and who recorded it: her IDVA ("idva") or
// herself through a code ("herself").
type ReportedOutcomeBody struct {
	TimePoint     string `json:"time_point"`
	ReportedOn    string `json:"reported_on"`
	Source        string `json:"source"`
	Physical      string `json:"physical"`
	Sexual        string `json:"sexual"`
	Stalking      string `json:"stalking"`
	Controlling   string `json:"controlling"`
	FeelsSafe     int    `json:"feels_safe"`
	QualityOfLife int    `json:"quality_of_life"`
	Confidence    int    `json:"confidence"`
}

// ListReportedOutcomes answers GET /victims/{id}/reported-outcomes, for
// those on the IDVA side who may read her risk information.
func (h *Victims) ListReportedOutcomes(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "victim-survivor")
	if err != nil {
		return err
	}
	v, err := h.Svc.ReportedOutcomes(r.Context(), a, id)
	if err != nil {
		return err
	}
	out := []ReportedOutcomeBody{}
	for _, o := range v.Outcomes {
		out = append(out, ReportedOutcomeBody{TimePoint: o.TimePoint, ReportedOn: o.ReportedOn.String(), Source: string(o.Source),
			Physical: string(o.Physical), Sexual: string(o.Sexual), Stalking: string(o.Stalking), Controlling: string(o.Controlling),
			FeelsSafe: o.FeelsSafe, QualityOfLife: o.QualityOfLife, Confidence: o.Confidence})
	}
	return WriteJSON(w, http.StatusOK, out)
}

// FeedbackCodeRequest asks for a one-time code for a time point (T1, T2
// or T3; T1 when left out).
type FeedbackCodeRequest struct {
	TimePoint string `json:"time_point,omitempty"`
}

// FeedbackCodeBody is a new one-time code: shown once, never kept.
type FeedbackCodeBody struct {
	Code      string `json:"code"`
	ExpiresAt string `json:"expires_at"`
	TimePoint string `json:"time_point"`
}

// IssueFeedbackCode answers POST /victims/{id}/feedback-codes with 201 and
// the code.
func (h *Victims) IssueFeedbackCode(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	id, err := pathID(r, "id", "victim-survivor")
	if err != nil {
		return err
	}
	var b FeedbackCodeRequest
	if r.ContentLength != 0 {
		if err := decode(r, "feedback code", &b); err != nil {
			return err
		}
	}
	if b.TimePoint == "" {
		b.TimePoint = voice.TimePoints()[0].Code
	}
	c, err := h.Svc.IssueFeedbackCode(r.Context(), a, id, b.TimePoint)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusCreated, FeedbackCodeBody{Code: c.Code, ExpiresAt: c.ExpiresAt.UTC().Format(time.RFC3339), TimePoint: c.TimePoint})
}
