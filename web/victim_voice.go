package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/voice"
	"github.com/drive-platform/drive/web/form"
)

// Her own voice on the IDVA side: her reported outcomes on her case page,
// the card with her one-time code, and what survivors tell the service.

// victimVoice is the "own account" section of templates/victim.html.
type victimVoice struct {
	*service.VoiceView
	Kinds      []voice.Kind
	Scales     []voice.Scale
	TimePoints []voice.TimePoint
	SafeScale  []int // 0 to 10
}

// voiceSection loads her reported outcomes for her case page; nil when
// the reader may not see them.
func (s *Server) voiceSection(r *http.Request, id int64) (*victimVoice, error) {
	v, err := s.svc.ReportedOutcomes(r.Context(), actorOf(r), id)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &victimVoice{VoiceView: v, Kinds: voice.Kinds(), Scales: voice.Scales(), TimePoints: voice.TimePoints(), SafeScale: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}, nil
}

// recordOutcome records her answers as her IDVA took them down with her.
func (s *Server) recordOutcome(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "victim-survivor")
	if err != nil {
		return err
	}
	f := form.NewOutcome(r.PostForm)
	err = f.Validate()
	if err == nil {
		err = s.svc.RecordOutcome(r.Context(), actorOf(r), id, &f.Outcome)
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		// The page's fields carry a prefix where they would clash with
		// the behaviour assessment's.
		de := asInvalid(err)
		fields := map[string]string{}
		for k, m := range de.Fields {
			switch k {
			case "time_point", "physical", "sexual", "stalking", "controlling":
				k = "her_" + k
			}
			fields[k] = m
		}
		return s.renderVictim(w, r, http.StatusUnprocessableEntity, "", invalidErrors(drive.Invalid(de.Message, fields)), r.PostForm)
	}
	if err != nil {
		return err
	}
	confirm(w, r, "/victims/"+strconv.FormatInt(id, 10), "outcome")
	return nil
}

// feedbackCardData is what templates/feedback-card.html shows.
type feedbackCardData struct {
	VictimID  int64
	Code      string
	Address   string
	ExpiresOn drive.Date
	TimePoint string
}

// issueFeedbackCode makes a one-time code and shows it once, on a plain
// card to print or copy: the address of the route and the code, in
// English and Welsh, naming nothing else.
func (s *Server) issueFeedbackCode(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "victim-survivor")
	if err != nil {
		return err
	}
	c, err := s.svc.IssueFeedbackCode(r.Context(), actorOf(r), id, r.PostFormValue("code_time_point"))
	if drive.ErrorCode(err) == drive.EINVALID {
		return s.renderVictim(w, r, http.StatusUnprocessableEntity, "", FormErrors{{"code_time_point", voice.MsgTimePoint}}, r.PostForm)
	}
	if err != nil {
		return err
	}
	d := feedbackCardData{VictimID: id, Code: c.Code, Address: s.feedbackAddress(r), ExpiresOn: drive.DateOf(c.ExpiresAt), TimePoint: c.TimePoint}
	return s.render(w, r, http.StatusOK, "feedback-card", s.page(r, "A code for the victim-survivor to give their own answers", d))
}

// feedbackAddress is the route's address as she would type it.
func (s *Server) feedbackAddress(r *http.Request) string {
	scheme := "http"
	if s.cfg.Secure || r.TLS != nil {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: r.Host, Path: "/feedback"}
	return u.String()
}

// victimViews is what survivors tell the service: counts per site, the
// free text for the site's own IDVA service.
func (s *Server) victimViews(w http.ResponseWriter, r *http.Request) error {
	rep, err := s.svc.ServiceViews(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "victim-views", s.page(r, "What survivors tell the service", struct {
		*service.ViewsReport
		Kinds []voice.Kind
	}{rep, voice.Kinds()}))
}
