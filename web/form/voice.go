package form

import (
	"net/url"
	"strconv"

	"github.com/drive-platform/drive/voice"
)

// Outcome is the form on her IDVA case where her IDVA records her own
// answers with her.
type Outcome struct {
	Outcome voice.Outcome
	errs    Errors
}

// NewOutcome reads the form: time_point, reported_on, one answer per
// voice.Kinds code, feels_safe (0-10), quality_of_life and confidence
// (1-5, blank when she did not answer).
func NewOutcome(v url.Values) *Outcome {
	f := &Outcome{errs: Errors{}}
	o := &f.Outcome
	o.TimePoint = v.Get("her_time_point")
	o.ReportedOn = requiredDate(v, "reported_on", f.errs)
	for _, k := range voice.Kinds() {
		o.SetAnswer(k.Code, voice.Happened(v.Get("her_"+k.Code)))
	}
	o.FeelsSafe = smallNumber(v, "feels_safe", -1)
	o.QualityOfLife = smallNumber(v, "quality_of_life", 0)
	o.Confidence = smallNumber(v, "confidence", 0)
	return f
}

// smallNumber reads a small whole number; blank reads as blank, and anything
// that is not a number as -1, which validation refuses.
func smallNumber(v url.Values, name string, blank int) int {
	s := v.Get(name)
	if s == "" {
		return blank
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// Validate reports a missing or unreadable date.
func (f *Outcome) Validate() error { return f.errs.Err(checkDate) }
