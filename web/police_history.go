package web

import (
	"net/http"

	"github.com/drive-platform/drive/service"
)

// policeHistoryData is what templates/police_history.html shows: the
// service's history and the timeline chart drawn from it.
type policeHistoryData struct {
	*service.PoliceHistory
	Chart historyChart
	// Head is the case as the header of each of its pages shows it,
	// with its sub navigation.
	Head caseData
	// Police are the police records linked or suggested as him, for an
	// analyst or team leader to decide.
	Police *service.PoliceRecords
	Errors FormErrors
}

// historyChart is the timeline as a bar chart, laid out here so the page
// needs no script: each quarter has a bar for incidents and one for MARAC
// hearings, on one scale. The same numbers are in the table under it,
// which is what screen readers are pointed to.
type historyChart struct {
	Width, Height int
	// Top and Bottom bound the plotting area; Left is where it starts.
	Top, Bottom, Left int
	Max               int
	Ticks             []chartTick
	Bars              []chartBar
	// Allocation is the x where the quarter the case was allocated in
	// starts; 0 when it was not, or before the chart starts.
	Allocation int
}

// chartTick is a labelled line of the y axis.
type chartTick struct {
	Y     int
	Label int
}

// chartBar is one quarter's pair of bars and its label.
type chartBar struct {
	X, Width         int
	IncidentY        int
	IncidentHeight   int
	HearingX         int
	HearingY         int
	HearingHeight    int
	LabelX           int
	Label            string
	ShowLabel        bool
	Incidents        int
	Hearings         int
	Quarter          string
	AllocatedQuarter bool
}

// chart lays out the quarters as bars in a fixed 720 by 260 box that the
// browser scales to the page's width.
func chart(qs []service.HistoryQuarter) historyChart {
	c := historyChart{Width: 720, Height: 260, Top: 10, Bottom: 220, Left: 40}
	if len(qs) == 0 {
		return c
	}
	for _, q := range qs {
		c.Max = max(c.Max, q.Incidents, q.Hearings)
	}
	// A round top for the axis: 1 to 5 shows every step; above that, a
	// multiple of 5.
	top := max(c.Max, 1)
	step := 1
	if top > 5 {
		step = (top + 19) / 20 * 5
		top = (top + step - 1) / step * step
	}
	span := c.Bottom - c.Top
	for v := 0; v <= top; v += step {
		c.Ticks = append(c.Ticks, chartTick{Y: c.Bottom - v*span/top, Label: v})
	}
	slot := (c.Width - c.Left) / len(qs)
	bar := max(slot*2/5, 1)
	// Label at most about twelve quarters, evenly, and always the last.
	every := (len(qs) + 11) / 12
	for i, q := range qs {
		x := c.Left + i*slot + (slot-2*bar)/2
		b := chartBar{X: x, Width: bar, HearingX: x + bar, LabelX: c.Left + i*slot + slot/2, Label: q.Short,
			ShowLabel: i%every == 0, Incidents: q.Incidents, Hearings: q.Hearings, Quarter: q.Label,
			AllocatedQuarter: q.Allocated}
		b.IncidentHeight = q.Incidents * span / top
		b.IncidentY = c.Bottom - b.IncidentHeight
		b.HearingHeight = q.Hearings * span / top
		b.HearingY = c.Bottom - b.HearingHeight
		if q.Allocated {
			// At the quarter's start, clear of its bars.
			c.Allocation = c.Left + i*slot
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

// policeHistory shows a perpetrator case's police history. Only those who
// may read police intelligence on the case see it; anyone else is told
// the page does not exist.
func (s *Server) policeHistory(w http.ResponseWriter, r *http.Request) error {
	return s.renderPoliceHistory(w, r, http.StatusOK, nil)
}

// renderPoliceHistory shows the police history, with the errors of a
// decision on a police record when there are some.
func (s *Server) renderPoliceHistory(w http.ResponseWriter, r *http.Request, status int, errs FormErrors) error {
	id, err := pathID(r, "id", "case")
	if err != nil {
		return err
	}
	h, err := s.svc.PoliceHistory(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	d := policeHistoryData{PoliceHistory: h, Chart: chart(h.Quarters)}
	// The service has decided the reader may see the police history; the
	// case's header and sub navigation come from the case as they see it.
	v, err := s.svc.Case(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	d.Head = newCaseData(v, "police")
	d.Errors = errs
	if d.Police, err = s.svc.CasePoliceRecords(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	title := "Police history: " + h.PersonName
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.render(w, r, status, "police_history", s.pageWithDone(r, title, d))
}
