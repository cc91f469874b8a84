package risk

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

func TestDASH2009Shape(t *testing.T) {
	q := DASH2009()
	if err := q.Validate(); err != nil {
		t.Fatalf("DASH2009 is not valid: %v", err)
	}
	if q.Code != "dash" || q.Version != "2009" {
		t.Errorf("code/version = %s/%s; want dash/2009", q.Code, q.Version)
	}
	if len(q.Questions) != 24 {
		t.Fatalf("DASH has %d questions; DOMAIN.md says exactly 24", len(q.Questions))
	}
	for i, x := range q.Questions {
		if want := "q" + strconv.Itoa(i+1); x.ID != want {
			t.Errorf("question %d has ID %q; want %q", i+1, x.ID, want)
		}
	}
	// DOMAIN.md: question 1 is about injury in the current incident,
	// question 8 about constant contact and stalking, and only question 8
	// leads to the stalking questions.
	if q1 := q.Questions[0]; !strings.Contains(q1.Text, "hurt") || !strings.Contains(q1.Text, "latest incident") {
		t.Errorf("question 1 = %q; want the current-incident injury topic", q1.Text)
	}
	q8 := q.Questions[7]
	for _, word := range []string{"calling", "following", "stalking", "harassing"} {
		if !strings.Contains(q8.Text, word) {
			t.Errorf("question 8 = %q; want it to mention %q", q8.Text, word)
		}
	}
	for i, x := range q.Questions {
		if x.Stalking != (i == 7) {
			t.Errorf("question %d Stalking=%v; only question 8 leads to the stalking questions", i+1, x.Stalking)
		}
	}
	if n := q.Number("q8"); n != 8 {
		t.Errorf("Number(q8) = %d", n)
	}
	if n := q.Number("s1"); n != 0 {
		t.Errorf("Number(s1) = %d; supplementary questions are not numbered", n)
	}
	if len(q.Supplementary) != 11 {
		t.Errorf("%d stalking questions; want 11", len(q.Supplementary))
	}
	// Spot checks of the standard order.
	for num, word := range map[int]string{2: "scared", 6: "left the abuser", 9: "pregnant", 10: "frequently", 11: "more serious",
		12: "control", 14: "kill", 15: "strangle", 16: "sexual", 19: "animal", 22: "suicide", 23: "bail", 24: "police"} {
		if !strings.Contains(q.Questions[num-1].Text, word) {
			t.Errorf("question %d = %q; want it to mention %q", num, q.Questions[num-1].Text, word)
		}
	}
	want := []Band{{"standard", "Standard risk", 0, 9}, {"medium", "Medium risk", 10, 13}, {"high", "High risk", 14, 24}}
	if len(q.Bands) != len(want) {
		t.Fatalf("bands = %v", q.Bands)
	}
	for i := range want {
		if q.Bands[i] != want[i] {
			t.Errorf("band %d = %+v; want %+v", i, q.Bands[i], want[i])
		}
	}
	// Each call is a fresh copy.
	q.Questions[0].Text = "changed"
	if DASH2009().Questions[0].Text == "changed" {
		t.Error("DASH2009 shares its slices between calls")
	}
	if d := Defaults(); len(d) != 1 || d[0].Code != DASHCode {
		t.Errorf("Defaults() = %v", d)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	variant, err := os.ReadFile("testdata/longer-variant.json")
	if err != nil {
		t.Fatal(err)
	}
	lv, err := Parse(variant)
	if err != nil {
		t.Fatalf("longer variant: %v", err)
	}
	if len(lv.Questions) != 26 || lv.Bands[len(lv.Bands)-1].Max != 26 {
		t.Errorf("longer variant: %d questions, last band ends at %d", len(lv.Questions), lv.Bands[len(lv.Bands)-1].Max)
	}
	for _, q := range []*Questionnaire{DASH2009(), lv} {
		b := q.JSON()
		back, err := Parse(b)
		if err != nil {
			t.Fatalf("%s: Parse(JSON()): %v", q.Code, err)
		}
		if !bytes.Equal(back.JSON(), b) {
			t.Errorf("%s: JSON round trip changed the questionnaire", q.Code)
		}
		if len(back.Questions) != len(q.Questions) || len(back.Supplementary) != len(q.Supplementary) {
			t.Errorf("%s: round trip lost questions", q.Code)
		}
		for i := range q.Questions {
			if back.Questions[i] != q.Questions[i] {
				t.Errorf("%s: question %d = %+v; want %+v", q.Code, i+1, back.Questions[i], q.Questions[i])
			}
		}
	}
}

// mutate returns DASH2009 changed by fn, as JSON.
func mutate(fn func(q *Questionnaire)) string {
	q := DASH2009()
	fn(q)
	return string(q.JSON())
}

func TestParseRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		in    string
		field string // "" when the error is not about one field
	}{
		"not json":                       {`{`, ""},
		"not an object":                  {`[]`, ""},
		"unknown field":                  {`{"code":"x","colour":"red"}`, ""},
		"trailing data":                  {string(DASH2009().JSON()) + `{}`, ""},
		"too big":                        {`{"name":"` + strings.Repeat("x", maxQuestionnaireBytes) + `"}`, ""},
		"bad code":                       {mutate(func(q *Questionnaire) { q.Code = "DASH!" }), "code"},
		"no version":                     {mutate(func(q *Questionnaire) { q.Version = "" }), "version"},
		"spacey version":                 {mutate(func(q *Questionnaire) { q.Version = "20 09" }), "version"},
		"no name":                        {mutate(func(q *Questionnaire) { q.Name = "  " }), "name"},
		"long name":                      {mutate(func(q *Questionnaire) { q.Name = strings.Repeat("n", maxNameText+1) }), "name"},
		"no questions":                   {mutate(func(q *Questionnaire) { q.Questions = nil; q.Bands = []Band{{"all", "All", 0, 0}} }), "questions"},
		"duplicate id":                   {mutate(func(q *Questionnaire) { q.Questions[3].ID = "q1" }), "questions[3].id"},
		"id shared with supplementary":   {mutate(func(q *Questionnaire) { q.Supplementary[0].ID = "q2" }), "supplementary[0].id"},
		"bad id":                         {mutate(func(q *Questionnaire) { q.Questions[0].ID = "Q 1" }), "questions[0].id"},
		"empty id":                       {mutate(func(q *Questionnaire) { q.Questions[0].ID = "" }), "questions[0].id"},
		"no text":                        {mutate(func(q *Questionnaire) { q.Questions[5].Text = "" }), "questions[5].text"},
		"long text":                      {mutate(func(q *Questionnaire) { q.Questions[5].Text = strings.Repeat("é", maxQuestionText+1) }), "questions[5].text"},
		"long hint":                      {mutate(func(q *Questionnaire) { q.Questions[5].Hint = strings.Repeat("h", maxHintText+1) }), "questions[5].hint"},
		"no supplementary text":          {mutate(func(q *Questionnaire) { q.Supplementary[2].Text = "" }), "supplementary[2].text"},
		"stalking flag on supplementary": {mutate(func(q *Questionnaire) { q.Supplementary[2].Stalking = true }), "supplementary[2].stalking"},
		"supplementary unreachable":      {mutate(func(q *Questionnaire) { q.Questions[7].Stalking = false }), "supplementary"},
		"no bands":                       {mutate(func(q *Questionnaire) { q.Bands = nil }), "bands"},
		"band gap":                       {mutate(func(q *Questionnaire) { q.Bands[1].Min = 11 }), "bands"},
		"band overlap":                   {mutate(func(q *Questionnaire) { q.Bands[1].Min = 9 }), "bands"},
		"bands start above 0":            {mutate(func(q *Questionnaire) { q.Bands[0].Min = 1 }), "bands"},
		"bands stop short":               {mutate(func(q *Questionnaire) { q.Bands[2].Max = 23 }), "bands"},
		"bands run past the questions":   {mutate(func(q *Questionnaire) { q.Bands[2].Max = 25 }), "bands"},
		"band upside down":               {mutate(func(q *Questionnaire) { q.Bands[1] = Band{"medium", "Medium", 13, 10} }), "bands"},
		"bands out of order":             {mutate(func(q *Questionnaire) { q.Bands[0], q.Bands[2] = q.Bands[2], q.Bands[0] }), "bands"},
		"duplicate band code":            {mutate(func(q *Questionnaire) { q.Bands[1].Code = "standard" }), "bands"},
		"band without label":             {mutate(func(q *Questionnaire) { q.Bands[1].Label = "" }), "bands"},
		"too many bands": {mutate(func(q *Questionnaire) {
			q.Bands = nil
			for i := 0; i <= 24; i++ {
				q.Bands = append(q.Bands, Band{"b" + strconv.Itoa(i), "B", i, i})
			}
		}), "bands"},
		"too many questions": {mutate(func(q *Questionnaire) {
			for len(q.Questions) <= maxQuestions {
				q.Questions = append(q.Questions, Question{ID: "x" + strconv.Itoa(len(q.Questions)), Text: "Extra"})
			}
			q.Bands[2].Max = len(q.Questions)
		}), "questions"},
	} {
		_, err := Parse([]byte(tc.in))
		if drive.ErrorCode(err) != drive.EINVALID {
			t.Errorf("%s: err = %v; want EINVALID", name, err)
			continue
		}
		if tc.field != "" {
			e := err.(*drive.Error)
			if _, ok := e.Fields[tc.field]; !ok {
				t.Errorf("%s: fields = %v; want an entry for %q", name, e.Fields, tc.field)
			}
		}
	}
}

func TestSingleBandAndCustomLabels(t *testing.T) {
	// A site's screening list may have one band only; it must still cover
	// every score.
	in := `{"code":"screen","version":"1","name":"Screen","questions":[{"id":"a","text":"A?"},{"id":"b","text":"B?"}],"bands":[{"code":"any","label":"Screened","min":0,"max":2}]}`
	q, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	for score := 0; score <= 2; score++ {
		if b, rank := q.BandFor(score); b.Code != "any" || rank != 0 {
			t.Errorf("BandFor(%d) = %v, %d", score, b, rank)
		}
	}
	if _, rank := q.BandFor(3); rank != -1 {
		t.Errorf("BandFor(3) rank = %d; want -1", rank)
	}
	if _, rank := q.Band("nope"); rank != -1 {
		t.Errorf("Band(nope) rank = %d; want -1", rank)
	}
	if _, ok := q.Question("c"); ok {
		t.Error("Question(c) found a question that does not exist")
	}
}
