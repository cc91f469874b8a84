package risk

import (
	"fmt"
	"sort"
	"strings"

	"github.com/drive-platform/drive"
)

// Answer is the answer to one question. The empty Answer means the
// question has not been answered.
type Answer string

// Answers a practitioner may record. "Don't know" is a real answer, not a
// gap: it scores nothing but shows the question was asked.
const (
	Yes      Answer = "yes"
	No       Answer = "no"
	DontKnow Answer = "dont_know"
)

// AnswerChoices lists the answers in the order a form offers them.
func AnswerChoices() []Answer { return []Answer{Yes, No, DontKnow} }

// Valid reports whether a is one of the recorded answers.
func (a Answer) Valid() bool { return a == Yes || a == No || a == DontKnow }

// Label names the answer for people.
func (a Answer) Label() string {
	switch a {
	case Yes:
		return "Yes"
	case No:
		return "No"
	case DontKnow:
		return "Don't know"
	}
	return "Not answered"
}

// maxCommentText bounds a per-question comment and the judgement reason.
const maxCommentText = 4000

// Assessment is one completed risk questionnaire for a victim-survivor.
// The score is never stored on it: Score works it out from the answers
// and the questionnaire version the assessment names, so it cannot drift.
//
// Professional judgement is kept apart from the answers: it is the level
// the practitioner judges the risk to be, with the reason, and it may
// raise the level the score gives but never lower it.
type Assessment struct {
	ID       int64
	VictimID int64
	// Questionnaire and Version name the questionnaire used.
	Questionnaire string
	Version       string
	// Answers holds the answer to each question, keyed by question ID;
	// scored and supplementary questions share the map (their IDs are
	// distinct).
	Answers map[string]Answer
	// Comments holds the optional comment on each question, keyed by
	// question ID.
	Comments map[string]string
	// ProfessionalJudgement is the code of the band the practitioner
	// judges the risk to be, or "" when judgement was not used.
	ProfessionalJudgement string
	// JudgementReason says why; required when ProfessionalJudgement is set.
	JudgementReason string
	AssessedOn      drive.Date
	AssessedBy      int64
}

// Validate checks a completed assessment against the questionnaire it
// names. Every scored question must be answered (don't know counts as an
// answer); supplementary questions are optional. today bounds the date.
// Comments and the reason are trimmed of surrounding space, and empty
// comments are dropped.
//
// Errors: EINVALID with one entry per field to fix, keyed "answers.q3",
// "comments.q3", "questionnaire", "assessed_on", "assessed_by", "victim",
// "professional_judgement" and "judgement_reason".
func (a *Assessment) Validate(q *Questionnaire, today drive.Date) error {
	f := map[string]string{}
	if q == nil {
		return drive.Invalid("Check the risk assessment", map[string]string{"questionnaire": "Choose a questionnaire"})
	}
	if a.Questionnaire != q.Code || a.Version != q.Version {
		f["questionnaire"] = fmt.Sprintf("This assessment is for %s version %s, not %s version %s", orNone(a.Questionnaire), orNone(a.Version), q.Code, q.Version)
	}
	if a.VictimID <= 0 {
		f["victim"] = "Choose the victim-survivor this assessment is about"
	}
	if a.AssessedBy <= 0 {
		f["assessed_by"] = "Say who completed the assessment"
	}
	if a.AssessedOn.IsZero() {
		f["assessed_on"] = "Enter the date of the assessment"
	} else if a.AssessedOn.After(today) {
		f["assessed_on"] = "The assessment date cannot be in the future"
	}
	for _, x := range q.Questions {
		ans, ok := a.Answers[x.ID]
		if !ok || ans == "" {
			f["answers."+x.ID] = fmt.Sprintf("Answer question %d: yes, no or don't know", q.Number(x.ID))
		} else if !ans.Valid() {
			f["answers."+x.ID] = fmt.Sprintf("Answer question %d with yes, no or don't know", q.Number(x.ID))
		}
	}
	for _, x := range q.Supplementary {
		if ans, ok := a.Answers[x.ID]; ok && ans != "" && !ans.Valid() {
			f["answers."+x.ID] = "Answer with yes, no or don't know, or leave it blank"
		}
	}
	for _, id := range sortedKeys(a.Answers) {
		if _, ok := q.Question(id); !ok {
			f["answers."+id] = fmt.Sprintf("%q is not a question of this questionnaire", id)
		}
	}
	for _, id := range sortedKeys(a.Comments) {
		c := strings.TrimSpace(a.Comments[id])
		if c == "" {
			delete(a.Comments, id)
			continue
		}
		a.Comments[id] = c
		if _, ok := q.Question(id); !ok {
			f["comments."+id] = fmt.Sprintf("%q is not a question of this questionnaire", id)
		} else if tooLong(c, maxCommentText) {
			f["comments."+id] = fmt.Sprintf("Keep the comment to %d characters", maxCommentText)
		}
	}
	a.JudgementReason = strings.TrimSpace(a.JudgementReason)
	if a.ProfessionalJudgement != "" {
		if _, jr := q.Band(a.ProfessionalJudgement); jr < 0 {
			f["professional_judgement"] = "Choose a risk level from this questionnaire's bands"
		} else if !answerErrors(f) {
			// Compared with the score only when the answers are sound;
			// otherwise the message would rest on a wrong score.
			if _, sr := q.BandFor(q.Score(*a).Score); jr < sr {
				f["professional_judgement"] = fmt.Sprintf("Professional judgement can raise the level but never lower it below the level the answers give (%s)", q.Bands[sr].Label)
			}
		}
		if a.JudgementReason == "" {
			f["judgement_reason"] = "Say why you judge the risk to be at this level"
		}
	} else if a.JudgementReason != "" {
		f["professional_judgement"] = "Choose the level you judge the risk to be, or clear the reason"
	}
	if tooLong(a.JudgementReason, maxCommentText) {
		f["judgement_reason"] = fmt.Sprintf("Keep the reason to %d characters", maxCommentText)
	}
	if len(f) > 0 {
		return drive.Invalid("Check the risk assessment", f)
	}
	return nil
}

// answerErrors reports whether f holds an error on an answer.
func answerErrors(f map[string]string) bool {
	for k := range f {
		if strings.HasPrefix(k, "answers.") {
			return true
		}
	}
	return false
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Result is a scored assessment. The actuarial band (from the score
// alone) and the effective level (after professional judgement) are both
// kept, because MARAC referral and the outcome reports need each.
type Result struct {
	Questionnaire string
	Version       string
	// Score is the number of scored questions answered yes.
	Score int
	// Questions is the number of scored questions, the highest score
	// possible.
	Questions int
	// Answered counts scored questions answered yes, no or don't know;
	// DontKnow counts those answered don't know.
	Answered int
	DontKnow int
	// Band is the level the score gives, and BandRank its position
	// (0 for the lowest band).
	Band     Band
	BandRank int
	// EffectiveLevel is the level after professional judgement: the
	// higher of Band and the judged level. EffectiveRank is its position.
	EffectiveLevel Band
	EffectiveRank  int
	// ProfessionalJudgementRaised is true when judgement put the level
	// above the band the score gives.
	ProfessionalJudgementRaised bool
	// StalkingAsked is true when a question marked Stalking was answered
	// yes; StalkingYes counts the supplementary questions answered yes.
	StalkingAsked bool
	StalkingYes   int
}

// Score scores an assessment against the questionnaire: one point for
// each scored question answered yes. Answers to unknown questions are
// ignored and a judgement naming no band of this questionnaire, or one
// below the score's band, leaves the level where the score puts it:
// judgement never lowers a level. Score does not validate; call Validate
// first to refuse such input.
func (q *Questionnaire) Score(a Assessment) Result {
	r := Result{Questionnaire: q.Code, Version: q.Version, Questions: len(q.Questions)}
	for _, x := range q.Questions {
		switch a.Answers[x.ID] {
		case Yes:
			r.Score++
			r.Answered++
			if x.Stalking {
				r.StalkingAsked = true
			}
		case No:
			r.Answered++
		case DontKnow:
			r.Answered++
			r.DontKnow++
		}
	}
	for _, x := range q.Supplementary {
		if a.Answers[x.ID] == Yes {
			r.StalkingYes++
		}
	}
	r.Band, r.BandRank = q.BandFor(r.Score)
	r.EffectiveLevel, r.EffectiveRank = r.Band, r.BandRank
	if a.ProfessionalJudgement != "" {
		if b, rank := q.Band(a.ProfessionalJudgement); rank > r.BandRank {
			r.EffectiveLevel, r.EffectiveRank = b, rank
			r.ProfessionalJudgementRaised = true
		}
	}
	return r
}
