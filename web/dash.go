package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/web/form"
)

// The DASH checklist is asked in sections, a few related questions to a
// page, then shown whole on a check-your-answers page before it is
// recorded (the GOV.UK "question pages" and "check answers" patterns): 24
// questions on one page ran to four screens. Nothing is stored until the
// final "Record assessment": each page posts every answer given so far,
// the other sections' as hidden fields under the form's CSRF token, so
// no answer is ever in an address and no half-done assessment is kept
// anywhere.
//
// Every page posts to /victims/{id}/dash with
//
//	section  the section shown (1, 2, ...), or "check"
//	nav      continue | back | change-N | record
//	return   "check" while a section is changed from check-your-answers
//
// A post without nav records, as the form did when it was one page, so
// an integration that posts the whole form keeps working.

// dashData is what templates/dash.html (a section) and
// templates/dash-check.html (check your answers) show.
type dashData struct {
	VictimID      int64
	Name          string
	Questionnaire *risk.Questionnaire
	// Section is the section shown, and Sections how many there are.
	Section  form.DASHSection
	Sections int
	Form     url.Values
	Errors   FormErrors
	Answers  []risk.Answer
	// Hidden are the answers of the other sections, carried forward.
	Hidden []hiddenField
	// Returning is set when the section was opened from check your
	// answers: continuing goes back there.
	Returning bool
	// Check lists every section's answers, on the check page.
	Check []dashCheckSection
	// Result is what the answers given score; Judged names the level of
	// professional judgement, "" when it is not used.
	Result     risk.Result
	Judged     string
	Unanswered int
}

type hiddenField struct{ Name, Value string }

// dashCheckSection is one section's answers on the check page.
type dashCheckSection struct {
	Number int
	Title  string
	Rows   []dashRow
}

// dashRow is one answer on the check page.
type dashRow struct {
	Key, Value, Comment string
	// Change names the answer for the "Change" button, to those who
	// hear the page read out.
	Change string
	// Missing marks a question not answered yet.
	Missing bool
}

// dashForm opens the first section with today's date.
func (s *Server) dashForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", "victim-survivor")
	if err != nil {
		return err
	}
	name, err := s.dashVictim(r, id)
	if err != nil {
		return err
	}
	d := s.dashData(id, name, url.Values{"assessed_on": {s.svc.Today().Entry()}})
	return s.renderDASHSection(w, r, http.StatusOK, d, 1, nil, false)
}

// dashVictim is her name, for someone who may record her risk, read from
// her summary (which opens nothing sealed, so each step of the checklist
// is not recorded as a read of her compartment); anyone else is told the
// page is not found.
func (s *Server) dashVictim(r *http.Request, id int64) (string, error) {
	v, err := s.svc.VictimSummary(r.Context(), actorOf(r), id)
	if err != nil {
		return "", err
	}
	if !v.CanWrite {
		return "", drive.NotFound("page")
	}
	return v.Case.Name(), nil
}

func (s *Server) dashData(id int64, name string, f url.Values) dashData {
	q := risk.DASH2009()
	return dashData{VictimID: id, Name: name, Questionnaire: q, Sections: len(form.DASHSections(q)), Form: f, Answers: risk.AnswerChoices()}
}

// saveDASH moves between the sections and records the assessment.
func (s *Server) saveDASH(w http.ResponseWriter, r *http.Request, id int64) error {
	f := r.PostForm
	nav := f.Get("nav")
	if nav == "" || nav == "record" {
		return s.recordDASH(w, r, id)
	}
	name, err := s.dashVictim(r, id)
	if err != nil {
		return err
	}
	d := s.dashData(id, name, f)
	sections := form.DASHSections(d.Questionnaire)
	at, _ := strconv.Atoi(f.Get("section"))
	if at < 1 || at > len(sections) {
		at = 0 // the check page, or a section that is not one
	}
	returning := f.Get("return") == "check"
	switch {
	case nav == "back":
		if returning || at == 0 {
			return s.renderDASHCheck(w, r, d)
		}
		return s.renderDASHSection(w, r, http.StatusOK, d, max(at-1, 1), nil, false)
	case nav == "continue" && at > 0:
		if errs := s.dashSectionErrors(d.Questionnaire, sections[at-1], f); len(errs) > 0 {
			return s.renderDASHSection(w, r, http.StatusUnprocessableEntity, d, at, errs, returning)
		}
		if returning || at == len(sections) {
			return s.renderDASHCheck(w, r, d)
		}
		return s.renderDASHSection(w, r, http.StatusOK, d, at+1, nil, false)
	case strings.HasPrefix(nav, "change-"):
		n, err := strconv.Atoi(strings.TrimPrefix(nav, "change-"))
		if err != nil || n < 1 || n > len(sections) {
			return drive.Errorf(drive.EINVALID, "Choose a section of the assessment to change")
		}
		return s.renderDASHSection(w, r, http.StatusOK, d, n, nil, true)
	}
	return drive.Errorf(drive.EINVALID, "The form could not be read: go back to her record and start the assessment again")
}

// recordDASH records the assessment exactly as the one-page form did:
// one service call, audited there. A problem takes the user to the first
// section that has one, with that section's messages; continuing from
// there comes back to check your answers.
func (s *Server) recordDASH(w http.ResponseWriter, r *http.Request, id int64) error {
	f := r.PostForm
	q := risk.DASH2009()
	df := form.NewDASH(f, q)
	err := df.Validate()
	if err == nil {
		err = s.svc.AddDASH(r.Context(), actorOf(r), id, df.Assessment())
	}
	if drive.ErrorCode(err) == drive.EINVALID {
		name, nerr := s.dashVictim(r, id)
		if nerr != nil {
			return nerr
		}
		d := s.dashData(id, name, f)
		de := asInvalid(err)
		var errs FormErrors
		for _, fe := range df.FieldErrors(de.Fields) {
			errs = append(errs, FieldError{fe.Name, fe.Message})
		}
		for _, sec := range form.DASHSections(q) {
			if mine := errorsIn(sec, errs); len(mine) > 0 {
				return s.renderDASHSection(w, r, http.StatusUnprocessableEntity, d, sec.Number, mine, true)
			}
		}
		return s.renderDASHSection(w, r, http.StatusUnprocessableEntity, d, 1, FormErrors{{"", de.Message}}, true)
	}
	if err != nil {
		return err
	}
	confirm(w, r, "/victims/"+strconv.FormatInt(id, 10), "dash")
	return nil
}

// dashSectionErrors checks one section before the next is shown, with the
// rules the service applies when the assessment is recorded (so a page
// and the final record never disagree), keeping the messages about this
// section's fields.
func (s *Server) dashSectionErrors(q *risk.Questionnaire, sec form.DASHSection, f url.Values) FormErrors {
	df := form.NewDASH(f, q)
	fields := map[string]string{}
	a := df.Assessment()
	// The service fills these in when it records; here they are not in
	// question.
	a.VictimID, a.AssessedBy, a.Questionnaire, a.Version = 1, 1, q.Code, q.Version
	if err := a.Validate(q, s.svc.Today()); err != nil {
		for k, m := range asInvalid(err).Fields {
			fields[k] = m
		}
	}
	// The form's reading of the date comes first: it says why a date
	// could not be read, where the domain only sees none.
	if err := df.Validate(); err != nil {
		for k, m := range asInvalid(err).Fields {
			fields[k] = m
		}
	}
	var errs FormErrors
	for _, fe := range df.FieldErrors(fields) {
		errs = append(errs, FieldError{fe.Name, fe.Message})
	}
	return errorsIn(sec, errs)
}

// errorsIn keeps the messages about the section's fields.
func errorsIn(sec form.DASHSection, errs FormErrors) FormErrors {
	var out FormErrors
	for _, e := range errs {
		if slices.Contains(sec.Fields(), e.Field) {
			out = append(out, e)
		}
	}
	return out
}

// carried lists the posted answers of the fields the page does not show,
// in the form's order; shown is nil on the check page, which shows none.
func carried(q *risk.Questionnaire, f url.Values, shown []string) []hiddenField {
	var out []hiddenField
	for _, name := range form.DASHFields(q) {
		if v := f.Get(name); v != "" && !slices.Contains(shown, name) {
			out = append(out, hiddenField{name, v})
		}
	}
	return out
}

func (s *Server) renderDASHSection(w http.ResponseWriter, r *http.Request, status int, d dashData, n int, errs FormErrors, returning bool) error {
	sec := form.DASHSections(d.Questionnaire)[n-1]
	d.Section, d.Errors, d.Returning = sec, errs, returning
	d.Hidden = carried(d.Questionnaire, d.Form, sec.Fields())
	title := "DASH risk assessment: " + sec.Title
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return s.render(w, r, status, "dash", s.page(r, title, d))
}

// renderDASHCheck shows every answer by section, with the score and level
// they will give, and the button that records them.
func (s *Server) renderDASHCheck(w http.ResponseWriter, r *http.Request, d dashData) error {
	q := d.Questionnaire
	df := form.NewDASH(d.Form, q)
	a := df.Assessment()
	d.Hidden = carried(q, d.Form, nil)
	d.Result = q.Score(*a)
	if b, rank := q.Band(a.ProfessionalJudgement); rank >= 0 {
		d.Judged = b.Label
	}
	for _, sec := range form.DASHSections(q) {
		cs := dashCheckSection{Number: sec.Number, Title: sec.Title}
		if sec.Date {
			row := dashRow{Key: "Date of assessment", Value: d.Form.Get("assessed_on"), Change: "the date of assessment"}
			if !df.AssessedOn.IsZero() {
				row.Value = df.AssessedOn.Display()
			}
			if row.Value == "" {
				row.Value, row.Missing = "Not given", true
			}
			cs.Rows = append(cs.Rows, row)
		}
		for _, x := range sec.Questions {
			ans, ok := a.Answers[x.ID]
			row := dashRow{Key: strconv.Itoa(q.Number(x.ID)) + ". " + x.Text, Value: ans.Label(), Comment: a.Comments[x.ID], Missing: !ok || !ans.Valid(),
				Change: "the answer to question " + strconv.Itoa(q.Number(x.ID))}
			if row.Missing {
				d.Unanswered++
			}
			cs.Rows = append(cs.Rows, row)
		}
		if sec.Judgement {
			row := dashRow{Key: "Your judgement of the risk", Value: "Not used", Change: "your judgement of the risk"}
			if d.Judged != "" {
				row.Value = d.Judged
			}
			cs.Rows = append(cs.Rows, row)
			if a.JudgementReason != "" {
				cs.Rows = append(cs.Rows, dashRow{Key: "Reason for your judgement", Value: a.JudgementReason, Change: "the reason for your judgement"})
			}
		}
		d.Check = append(d.Check, cs)
	}
	return s.render(w, r, http.StatusOK, "dash-check", s.page(r, "Check your answers: DASH risk assessment", d))
}
