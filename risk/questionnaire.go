// Package risk holds risk questionnaires as versioned data (the SafeLives
// DASH risk checklist is the default), the scoring of a completed
// questionnaire with professional judgement kept apart from the score,
// behaviour assessments at a programme's time points, and the outcome
// measures the reports derive from them.
//
// Everything here is pure: no storage, no HTTP, no clock. Callers pass
// today's date where a rule needs it.
package risk

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/drive-platform/drive"
)

// Limits that keep a questionnaire file a questionnaire: a site's longer
// police variant fits well inside them, a runaway file does not.
const (
	maxQuestionnaireBytes = 1 << 20
	maxQuestions          = 200
	maxQuestionText       = 300
	maxHintText           = 1000
	maxNameText           = 200
	maxDescriptionText    = 4000
	maxIDLength           = 32
	maxBands              = 10
)

// Question is one item of a questionnaire. ID is stable across wording
// changes, so stored answers keep their meaning when the text is revised;
// a question whose meaning changes needs a new ID or a new version.
type Question struct {
	// ID identifies the question within its questionnaire, such as "q1".
	ID string `json:"id"`
	// Text is the question as shown to the practitioner.
	Text string `json:"text"`
	// Hint is optional guidance shown under the question.
	Hint string `json:"hint,omitempty"`
	// Stalking marks a question whose "yes" leads to the supplementary
	// stalking questions (DASH question 8).
	Stalking bool `json:"stalking,omitempty"`
}

// Band is a range of scores with a risk level. A questionnaire's bands run
// from the lowest level to the highest and together cover every possible
// score exactly once; the band's position is its rank, which is how levels
// are compared (professional judgement, band movement).
type Band struct {
	// Code names the level in data, such as "high".
	Code string `json:"code"`
	// Label names the level for people, such as "High risk".
	Label string `json:"label"`
	// Min and Max are the lowest and highest scores in the band, inclusive.
	Min int `json:"min"`
	Max int `json:"max"`
}

// Questionnaire is a versioned risk checklist held as data, so that a site
// can add a police force's longer variant, or a revised edition, without a
// code change. Every assessment records the code and version it used.
type Questionnaire struct {
	// Code identifies the instrument, such as "dash".
	Code string `json:"code"`
	// Version identifies the edition, such as "2009". A change of wording,
	// order or bands is a new version.
	Version string `json:"version"`
	// Name is the title shown to people.
	Name string `json:"name"`
	// Description says where the questionnaire comes from and when to use
	// it.
	Description string `json:"description,omitempty"`
	// Questions are the scored items, in the order they are asked.
	Questions []Question `json:"questions"`
	// Bands map the score to a risk level, lowest level first.
	Bands []Band `json:"bands"`
	// Supplementary are the stalking questions asked when a question
	// marked Stalking is answered yes. They are recorded but not scored.
	Supplementary []Question `json:"supplementary,omitempty"`
}

// Validate checks that the questionnaire hangs together: codes and
// question IDs are well formed and unique, every question has text, and
// the bands cover every score from 0 to the number of questions with no
// gap or overlap. Errors: EINVALID with one entry per field to fix.
func (q *Questionnaire) Validate() error {
	f := map[string]string{}
	if !validCode(q.Code) {
		f["code"] = "Give the questionnaire a code of lower-case letters, digits, dashes or underscores"
	}
	if !validVersion(q.Version) {
		f["version"] = "Give the version as letters, digits, dots, dashes or underscores, such as 2009"
	}
	if blank(q.Name) {
		f["name"] = "Give the questionnaire a name"
	} else if tooLong(q.Name, maxNameText) {
		f["name"] = fmt.Sprintf("Keep the name to %d characters", maxNameText)
	}
	if tooLong(q.Description, maxDescriptionText) {
		f["description"] = fmt.Sprintf("Keep the description to %d characters", maxDescriptionText)
	}
	switch {
	case len(q.Questions) == 0:
		f["questions"] = "Give at least one question"
	case len(q.Questions) > maxQuestions:
		f["questions"] = fmt.Sprintf("A questionnaire has at most %d questions", maxQuestions)
	}
	if len(q.Supplementary) > maxQuestions {
		f["supplementary"] = fmt.Sprintf("Give at most %d supplementary questions", maxQuestions)
	}
	seen := map[string]bool{}
	stalking := false
	checkQuestions := func(list string, qs []Question, main bool) {
		for i, x := range qs {
			key := fmt.Sprintf("%s[%d]", list, i)
			switch {
			case !validID(x.ID):
				f[key+".id"] = "Give the question an ID of lower-case letters, digits, dashes or underscores, such as q1"
			case seen[x.ID]:
				f[key+".id"] = fmt.Sprintf("The ID %q is used twice: each question needs its own", x.ID)
			}
			seen[x.ID] = true
			if blank(x.Text) {
				f[key+".text"] = "Give the question's text"
			} else if tooLong(x.Text, maxQuestionText) {
				f[key+".text"] = fmt.Sprintf("Keep the question to %d characters", maxQuestionText)
			}
			if tooLong(x.Hint, maxHintText) {
				f[key+".hint"] = fmt.Sprintf("Keep the hint to %d characters", maxHintText)
			}
			if x.Stalking && !main {
				f[key+".stalking"] = "Only a scored question can lead to the stalking questions"
			}
			stalking = stalking || x.Stalking
		}
	}
	checkQuestions("questions", q.Questions, true)
	checkQuestions("supplementary", q.Supplementary, false)
	if len(q.Supplementary) > 0 && !stalking {
		f["supplementary"] = "Mark the question that leads to the stalking questions"
	}
	if msg := checkBands(q.Bands, len(q.Questions)); msg != "" {
		f["bands"] = msg
	}
	if len(f) > 0 {
		return drive.Invalid("The questionnaire is not valid", f)
	}
	return nil
}

// checkBands returns what is wrong with bands for a questionnaire of n
// questions, or "".
func checkBands(bands []Band, n int) string {
	if len(bands) == 0 {
		return "Give at least one band"
	}
	if len(bands) > maxBands {
		return fmt.Sprintf("Give at most %d bands", maxBands)
	}
	codes := map[string]bool{}
	next := 0
	for i, b := range bands {
		if !validCode(b.Code) || codes[b.Code] {
			return fmt.Sprintf("Band %d needs its own code of lower-case letters, digits, dashes or underscores", i+1)
		}
		codes[b.Code] = true
		if blank(b.Label) || tooLong(b.Label, maxNameText) {
			return fmt.Sprintf("Give band %q a label", b.Code)
		}
		if b.Min > b.Max {
			return fmt.Sprintf("Band %q starts above where it ends", b.Code)
		}
		if b.Min != next {
			if i == 0 {
				return "The first band must start at a score of 0"
			}
			return fmt.Sprintf("Band %q must start at %d, straight after the band before it, with no gap or overlap", b.Code, next)
		}
		next = b.Max + 1
	}
	if next-1 != n {
		return fmt.Sprintf("The last band must end at %d, the number of questions", n)
	}
	return ""
}

// Question returns the scored or supplementary question with the given ID.
func (q *Questionnaire) Question(id string) (Question, bool) {
	for _, x := range q.Questions {
		if x.ID == id {
			return x, true
		}
	}
	for _, x := range q.Supplementary {
		if x.ID == id {
			return x, true
		}
	}
	return Question{}, false
}

// Number returns the 1-based position of a scored question, as printed on
// the form ("question 8"), or 0 if id is not a scored question.
func (q *Questionnaire) Number(id string) int {
	for i, x := range q.Questions {
		if x.ID == id {
			return i + 1
		}
	}
	return 0
}

// BandFor returns the band a score falls in and its rank (0 for the
// lowest). A score outside every band, which Validate rules out for
// scores from 0 to the number of questions, gives the zero Band and -1.
func (q *Questionnaire) BandFor(score int) (Band, int) {
	for i, b := range q.Bands {
		if score >= b.Min && score <= b.Max {
			return b, i
		}
	}
	return Band{}, -1
}

// Band returns the band with the given code and its rank, or the zero
// Band and -1 when there is none.
func (q *Questionnaire) Band(code string) (Band, int) {
	for i, b := range q.Bands {
		if b.Code == code {
			return b, i
		}
	}
	return Band{}, -1
}

// Parse reads a questionnaire from JSON and validates it, so that a site
// can load a new version from a file. Unknown fields and trailing data are
// refused rather than ignored, so that a misspelt field is noticed.
// Errors: EINVALID, saying what is wrong.
func Parse(data []byte) (*Questionnaire, error) {
	if len(data) > maxQuestionnaireBytes {
		return nil, drive.Errorf(drive.EINVALID, "The questionnaire file is larger than %d bytes", maxQuestionnaireBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var q Questionnaire
	if err := dec.Decode(&q); err != nil {
		return nil, drive.Errorf(drive.EINVALID, "The questionnaire is not valid JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, drive.Errorf(drive.EINVALID, "The questionnaire file has more after the questionnaire")
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return &q, nil
}

// JSON returns the questionnaire as indented JSON that Parse reads back
// unchanged.
func (q *Questionnaire) JSON() []byte {
	// Marshalling plain strings, ints, bools and slices cannot fail.
	b, _ := json.MarshalIndent(q, "", "  ")
	return b
}

func validCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func validID(s string) bool { return len(s) <= maxIDLength && validCode(s) }

func validVersion(s string) bool {
	if s == "" || len(s) > maxIDLength {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			return false
		}
	}
	return true
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// tooLong counts characters, not bytes, so that a limit means the same in
// every language.
func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }
