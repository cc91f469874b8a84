package risk

import (
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

var today = drive.MustDate("2026-06-01")

// completed returns a valid DASH assessment with the first yes questions
// answered yes, then dontKnow answered don't know, and the rest no.
func completed(yes, dontKnow int) Assessment {
	a := Assessment{
		VictimID: 7, Questionnaire: DASHCode, Version: DASHVersion,
		Answers:    map[string]Answer{},
		AssessedOn: drive.MustDate("2026-05-20"), AssessedBy: 3,
	}
	for i := 1; i <= 24; i++ {
		ans := No
		switch {
		case i <= yes:
			ans = Yes
		case i <= yes+dontKnow:
			ans = DontKnow
		}
		a.Answers["q"+strconv.Itoa(i)] = ans
	}
	return a
}

func TestScoreBands(t *testing.T) {
	q := DASH2009()
	for _, tc := range []struct {
		yes  int
		band string
		rank int
	}{
		{0, "standard", 0},
		{1, "standard", 0},
		{9, "standard", 0},
		{10, "medium", 1},
		{13, "medium", 1},
		{14, "high", 2},
		{24, "high", 2},
	} {
		a := completed(tc.yes, 0)
		if err := a.Validate(q, today); err != nil {
			t.Fatalf("%d yes: %v", tc.yes, err)
		}
		r := q.Score(a)
		if r.Score != tc.yes || r.Band.Code != tc.band || r.BandRank != tc.rank {
			t.Errorf("%d yes: score %d band %s rank %d; want %d %s %d", tc.yes, r.Score, r.Band.Code, r.BandRank, tc.yes, tc.band, tc.rank)
		}
		if r.EffectiveLevel != r.Band || r.EffectiveRank != r.BandRank || r.ProfessionalJudgementRaised {
			t.Errorf("%d yes: effective level %s differs from band %s without judgement", tc.yes, r.EffectiveLevel.Code, r.Band.Code)
		}
		if r.Answered != 24 || r.Questions != 24 || r.Questionnaire != "dash" || r.Version != "2009" {
			t.Errorf("%d yes: %+v", tc.yes, r)
		}
	}
}

func TestScoreCountsDontKnowAndStalking(t *testing.T) {
	q := DASH2009()
	a := completed(8, 5) // q1-q8 yes (q8 is the stalking question), q9-q13 don't know
	a.Answers["s1"] = Yes
	a.Answers["s2"] = Yes
	a.Answers["s3"] = No
	a.Answers["s4"] = DontKnow
	if err := a.Validate(q, today); err != nil {
		t.Fatal(err)
	}
	r := q.Score(a)
	if r.Score != 8 || r.DontKnow != 5 || r.Answered != 24 {
		t.Errorf("score %d, don't know %d, answered %d; want 8, 5, 24", r.Score, r.DontKnow, r.Answered)
	}
	if !r.StalkingAsked || r.StalkingYes != 2 {
		t.Errorf("stalking asked %v, yes %d; want true, 2", r.StalkingAsked, r.StalkingYes)
	}
	// Supplementary answers never add to the score.
	if r.Band.Code != "standard" {
		t.Errorf("band %s; want standard", r.Band.Code)
	}
	// Partial answers: Score still counts what is there.
	delete(a.Answers, "q24")
	a.Answers["q10"] = ""
	if r := q.Score(a); r.Answered != 22 || r.DontKnow != 4 {
		t.Errorf("partial: answered %d, don't know %d; want 22, 4", r.Answered, r.DontKnow)
	}
}

func TestProfessionalJudgement(t *testing.T) {
	q := DASH2009()
	for _, tc := range []struct {
		name      string
		yes       int
		judgement string
		band      string
		effective string
		raised    bool
		valid     bool
	}{
		{"standard raised to high", 6, "high", "standard", "high", true, true},
		{"standard raised to medium", 9, "medium", "standard", "medium", true, true},
		{"medium raised to high", 12, "high", "medium", "high", true, true},
		{"same level is no raise", 14, "high", "high", "high", false, true},
		{"high never lowered to standard", 15, "standard", "high", "high", false, false},
		{"medium never lowered to standard", 10, "standard", "medium", "medium", false, false},
		{"unknown level ignored", 3, "extreme", "standard", "standard", false, false},
	} {
		a := completed(tc.yes, 0)
		a.ProfessionalJudgement = tc.judgement
		a.JudgementReason = "Recent non-fatal strangulation and separation"
		err := a.Validate(q, today)
		if (err == nil) != tc.valid {
			t.Errorf("%s: Validate = %v; want valid=%v", tc.name, err, tc.valid)
		}
		if err != nil {
			assertField(t, tc.name, err, "professional_judgement")
		}
		r := q.Score(a)
		if r.Band.Code != tc.band || r.EffectiveLevel.Code != tc.effective || r.ProfessionalJudgementRaised != tc.raised {
			t.Errorf("%s: band %s effective %s raised %v; want %s %s %v", tc.name, r.Band.Code, r.EffectiveLevel.Code, r.ProfessionalJudgementRaised, tc.band, tc.effective, tc.raised)
		}
		if r.Score != tc.yes {
			t.Errorf("%s: judgement changed the score to %d", tc.name, r.Score)
		}
		if r.EffectiveRank < r.BandRank {
			t.Errorf("%s: effective level below the band", tc.name)
		}
	}
}

func assertField(t *testing.T, name string, err error, field string) {
	t.Helper()
	if drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("%s: err = %v; want EINVALID", name, err)
		return
	}
	e := err.(*drive.Error)
	if e.Fields[field] == "" {
		t.Errorf("%s: fields = %v; want an entry for %q", name, e.Fields, field)
	}
}

func TestAssessmentValidate(t *testing.T) {
	q := DASH2009()
	for _, tc := range []struct {
		name   string
		change func(a *Assessment)
		field  string
	}{
		{"unanswered", func(a *Assessment) { delete(a.Answers, "q5") }, "answers.q5"},
		{"blank answer", func(a *Assessment) { a.Answers["q5"] = "" }, "answers.q5"},
		{"bad answer", func(a *Assessment) { a.Answers["q6"] = "maybe" }, "answers.q6"},
		{"bad supplementary answer", func(a *Assessment) { a.Answers["s6"] = "often" }, "answers.s6"},
		{"unknown question", func(a *Assessment) { a.Answers["q25"] = Yes }, "answers.q25"},
		{"comment on unknown question", func(a *Assessment) { a.Comments = map[string]string{"zz": "note"} }, "comments.zz"},
		{"long comment", func(a *Assessment) { a.Comments = map[string]string{"q1": strings.Repeat("c", maxCommentText+1)} }, "comments.q1"},
		{"future date", func(a *Assessment) { a.AssessedOn = today.AddDays(1) }, "assessed_on"},
		{"no date", func(a *Assessment) { a.AssessedOn = drive.Date{} }, "assessed_on"},
		{"no assessor", func(a *Assessment) { a.AssessedBy = 0 }, "assessed_by"},
		{"no victim", func(a *Assessment) { a.VictimID = 0 }, "victim"},
		{"other questionnaire", func(a *Assessment) { a.Questionnaire = "dash-police" }, "questionnaire"},
		{"other version", func(a *Assessment) { a.Version = "2019" }, "questionnaire"},
		{"judgement without reason", func(a *Assessment) { a.ProfessionalJudgement = "high"; a.JudgementReason = "  " }, "judgement_reason"},
		{"reason without judgement", func(a *Assessment) { a.JudgementReason = "Worried" }, "professional_judgement"},
		{"long reason", func(a *Assessment) {
			a.ProfessionalJudgement = "high"
			a.JudgementReason = strings.Repeat("r", maxCommentText+1)
		}, "judgement_reason"},
	} {
		a := completed(5, 2)
		tc.change(&a)
		assertField(t, tc.name, a.Validate(q, today), tc.field)
	}
	if err := (&Assessment{}).Validate(nil, today); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("nil questionnaire: %v", err)
	}
	// Today itself is allowed; comments are trimmed and empty ones dropped.
	a := completed(5, 2)
	a.AssessedOn = today
	a.Comments = map[string]string{"q1": "  bruising to the arm  ", "q2": "   "}
	a.ProfessionalJudgement, a.JudgementReason = "high", "  Threats to kill after separation "
	if err := a.Validate(q, today); err != nil {
		t.Fatal(err)
	}
	if a.Comments["q1"] != "bruising to the arm" || a.JudgementReason != "Threats to kill after separation" {
		t.Errorf("not trimmed: %q, %q", a.Comments["q1"], a.JudgementReason)
	}
	if _, ok := a.Comments["q2"]; ok {
		t.Error("empty comment kept")
	}
	// Several problems at once are all reported.
	b := completed(5, 2)
	delete(b.Answers, "q1")
	b.AssessedBy = 0
	err := b.Validate(q, today)
	assertField(t, "several", err, "answers.q1")
	assertField(t, "several", err, "assessed_by")
}

func TestAnswerLabels(t *testing.T) {
	for _, a := range AnswerChoices() {
		if !a.Valid() || a.Label() == "Not answered" {
			t.Errorf("%q: valid %v label %q", a, a.Valid(), a.Label())
		}
	}
	if Answer("").Valid() || Answer("").Label() != "Not answered" {
		t.Error("the empty answer is valid")
	}
}
