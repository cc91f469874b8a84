package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/voice"
)

// The survivor route: /feedback, where she gives her answers with the
// one-time code her IDVA gave her. It has no account and no session, sets
// no cookie, keeps her language and code in the form (never the address
// bar, never her browser), and every page carries the "Exit this page"
// button. Its titles and headings name neither the service nor what it is
// about: whoever looks at her phone's history sees only "Your views".

// defaultExitURL is where "Exit this page" goes unless configured: a
// neutral page anyone might be reading.
const defaultExitURL = "https://www.bbc.co.uk/weather"

// feedbackPage is what templates/feedback.html shows.
type feedbackPage struct {
	Lang    string // "en" or "cy"
	T       func(string) string
	Title   string
	ExitURL string
	// Step is the page: "start", "questions", "done" or "error".
	Step   string
	Errors FormErrors // already in her language
	Form   url.Values
	Code   string
	// Safety are the questions about her safety, and who may see her
	// answers; About are those about the service. Both in her language.
	Safety  []feedbackQuestion
	About   []feedbackQuestion
	Message string // the error page's words
}

// feedbackQuestion is one question of radios, in her language.
type feedbackQuestion struct {
	Name, Legend, Hint string
	Inline             bool
	Options            []feedbackOption
}

// feedbackOption is one radio: the value sent and its label.
type feedbackOption struct{ Value, Label string }

// feedbackQuestions builds the questions in her language.
func feedbackQuestions(t func(string) string) (safety, about []feedbackQuestion) {
	happened := []feedbackOption{{"yes", t("Yes")}, {"no", t("No")}, {"not_said", t("I would rather not say")}}
	for _, k := range voice.Kinds() {
		safety = append(safety, feedbackQuestion{Name: k.Code, Legend: t(k.Question), Options: happened})
	}
	safe := feedbackQuestion{Name: "feels_safe", Legend: t("How safe do you feel now?"), Hint: t("0 means not safe at all. 10 means completely safe."), Inline: true}
	for i := 0; i <= 10; i++ {
		safe.Options = append(safe.Options, feedbackOption{strconv.Itoa(i), strconv.Itoa(i)})
	}
	safety = append(safety, safe)
	for _, sc := range voice.Scales() {
		q := feedbackQuestion{Name: sc.Code, Legend: t(sc.Question)}
		for i, c := range sc.Choices {
			q.Options = append(q.Options, feedbackOption{strconv.Itoa(i + 1), t(c)})
		}
		safety = append(safety, q)
	}
	safety = append(safety, feedbackQuestion{Name: "share", Legend: t("Who can see your answers?"), Options: []feedbackOption{
		{"joined", t("Share them with my support worker") + ". " + t("Your support worker will see your answers and can talk to you about them.")},
		{"anonymous", t("Keep them anonymous") + ". " + t("Your answers are kept without your name or your code, and only counted together with other people's.")},
	}})
	rating := []feedbackOption{{"yes", t("Yes")}, {"partly", t("Partly")}, {"no", t("No")}}
	for _, q := range voice.ServiceQuestions() {
		about = append(about, feedbackQuestion{Name: q.Code, Legend: t(q.Question), Inline: true, Options: rating})
	}
	return safety, about
}

func (s *Server) feedbackPage(r *http.Request, step string) *feedbackPage {
	lang := "en"
	if r != nil && r.FormValue("lang") == "cy" {
		lang = "cy"
	}
	exit := s.cfg.ExitURL
	if exit == "" {
		exit = defaultExitURL
	}
	t := translator(s.voiceText, feedbackLang(lang))
	p := &feedbackPage{Lang: lang, T: t, Title: t("Your views"), ExitURL: exit, Step: step, Form: url.Values{}}
	p.Safety, p.About = feedbackQuestions(t)
	return p
}

// renderFeedback writes a page of the route.
func (s *Server) renderFeedback(w http.ResponseWriter, status int, p *feedbackPage) error {
	t, ok := s.pages["feedback"]
	if !ok {
		return fmt.Errorf("web: no page template feedback")
	}
	if len(p.Errors) > 0 {
		p.Title = p.T("Error: ") + p.Title
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "plain", p); err != nil {
		return fmt.Errorf("web: render feedback: %w", err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// feedbackStart is the first page: the language and the code.
func (s *Server) feedbackStart(w http.ResponseWriter, r *http.Request) error {
	return s.renderFeedback(w, http.StatusOK, s.feedbackPage(r, "start"))
}

// feedbackCode checks the code she typed and shows the questions. A wrong
// code counts against her address's allowance of wrong codes and the
// route's, kept in the database so every replica holds to them
// (voice.CodeGuesses).
func (s *Server) feedbackCode(w http.ResponseWriter, r *http.Request) error {
	p := s.feedbackPage(r, "start")
	code := strings.TrimSpace(r.PostFormValue("code"))
	p.Form.Set("code", code)
	if code == "" {
		p.Errors = FormErrors{{"code", p.T("Enter your code")}}
		return s.renderFeedback(w, http.StatusUnprocessableEntity, p)
	}
	err := s.svc.CheckFeedbackCode(r.Context(), service.FeedbackFrom(clientAddress(r)), code)
	if drive.ErrorCode(err) == drive.ETOOMANY {
		p.Errors = FormErrors{{"code", p.T("Too many tries. Wait 15 minutes, then try again.")}}
		return s.renderFeedback(w, http.StatusTooManyRequests, p)
	}
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		p.Errors = FormErrors{{"code", p.T("This code is not right, has been used or has expired. Check it, or ask your support worker for a new one.")}}
		return s.renderFeedback(w, http.StatusUnprocessableEntity, p)
	}
	if err != nil {
		return err
	}
	p.Step, p.Code = "questions", code
	return s.renderFeedback(w, http.StatusOK, p)
}

// feedbackAnswers takes her answers and uses her code.
func (s *Server) feedbackAnswers(w http.ResponseWriter, r *http.Request) error {
	p := s.feedbackPage(r, "questions")
	f := r.PostForm
	p.Form, p.Code = f, strings.TrimSpace(f.Get("code"))
	in := service.Answers{Code: p.Code, Joined: f.Get("share") == "joined",
		Views: voice.Views{Ratings: map[string]voice.Rating{}, Text: f.Get("free_text")}}
	for _, k := range voice.Kinds() {
		in.Outcome.SetAnswer(k.Code, voice.Happened(f.Get(k.Code)))
	}
	fields := map[string]string{}
	number := func(name string, blank int) int {
		v := f.Get(name)
		if v == "" {
			return blank
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return -1
		}
		return n
	}
	in.Outcome.FeelsSafe = number("feels_safe", -1)
	in.Outcome.QualityOfLife = number("quality_of_life", 0)
	in.Outcome.Confidence = number("confidence", 0)
	for _, q := range voice.ServiceQuestions() {
		in.Views.Ratings[q.Code] = voice.Rating(f.Get(q.Code))
	}
	if sh := f.Get("share"); sh != "joined" && sh != "anonymous" {
		fields["share"] = "Choose who can see your answers"
	}
	var err error
	if len(fields) == 0 {
		err = s.svc.SubmitFeedback(r.Context(), service.FeedbackFrom(clientAddress(r)), in)
	} else {
		// Check the rest too, so she sees every problem at once; the
		// code is not used.
		err = in.Outcome.Validate(s.svc.Today())
	}
	switch drive.ErrorCode(err) {
	case "":
		if len(fields) == 0 {
			done := s.feedbackPage(r, "done")
			return s.renderFeedback(w, http.StatusOK, done)
		}
	case drive.EINVALID:
		for k, v := range asInvalid(err).Fields {
			if _, ok := fields[k]; !ok {
				fields[k] = v
			}
		}
	case drive.ETOOMANY:
		p.Step = "start"
		p.Form = url.Values{}
		p.Errors = FormErrors{{"code", p.T("Too many tries. Wait 15 minutes, then try again.")}}
		return s.renderFeedback(w, http.StatusTooManyRequests, p)
	case drive.ENOTFOUND:
		p.Step = "start"
		p.Form = url.Values{}
		p.Errors = FormErrors{{"code", p.T("This code is not right, has been used or has expired. Check it, or ask your support worker for a new one.")}}
		return s.renderFeedback(w, http.StatusUnprocessableEntity, p)
	default:
		return err
	}
	order := []string{}
	for _, k := range voice.Kinds() {
		order = append(order, k.Code)
	}
	order = append(order, "feels_safe", "quality_of_life", "confidence", "share", "listened", "safer", "helped", "free_text")
	for _, fe := range formErrors(fields, order...) {
		p.Errors = append(p.Errors, FieldError{fe.Field, p.T(fe.Message)})
	}
	return s.renderFeedback(w, http.StatusUnprocessableEntity, p)
}

// feedbackError renders an error on the survivor route in her language,
// on the route's own neutral page.
func (s *Server) feedbackError(w http.ResponseWriter, r *http.Request, status int) {
	p := s.feedbackPage(r, "error")
	p.Message = p.T("Sorry, there is a problem. Try again later.")
	switch {
	case status == http.StatusNotFound:
		p.Message = p.T("Page not found")
	case status == http.StatusTooManyRequests:
		p.Message = p.T("Too many tries. Wait 15 minutes, then try again.")
	case status < 500:
		p.Message = p.T("There is a problem")
	}
	if err := s.renderFeedback(w, status, p); err != nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(p.Message + "\n"))
	}
}

// feedbackAssets are the stylesheet and script of the survivor route,
// under names of its own: served like any asset, but never cached, so
// nothing from the route stays in her browser's cache, and the names say
// nothing.
var feedbackAssets = map[string]string{"/feedback/style.css": "drive.css", "/feedback/script.js": "drive.js"}

// feedbackAsset serves one of feedbackAssets with Cache-Control: no-store.
func (s *Server) feedbackAsset(w http.ResponseWriter, r *http.Request) error {
	name, ok := feedbackAssets[r.URL.Path]
	if !ok {
		return drive.NotFound("page")
	}
	hashed, err := s.assets.Path(name)
	if err != nil {
		return err
	}
	req := r.Clone(r.Context())
	req.URL.Path = hashed
	req.Header.Del("If-None-Match")
	s.assets.ServeHTTP(noStore{w}, req)
	return nil
}

// noStore passes a response through, replacing its caching headers with
// no-store.
type noStore struct{ http.ResponseWriter }

func (n noStore) WriteHeader(code int) {
	h := n.Header()
	h.Set("Cache-Control", "no-store")
	h.Del("ETag")
	n.ResponseWriter.WriteHeader(code)
}

func (n noStore) Write(b []byte) (int, error) {
	if n.Header().Get("Cache-Control") != "no-store" {
		n.WriteHeader(http.StatusOK)
	}
	return n.ResponseWriter.Write(b)
}
