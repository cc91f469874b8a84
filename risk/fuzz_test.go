package risk

import (
	"bytes"
	"testing"

	"github.com/drive-platform/drive"
)

// FuzzParse checks that Parse never panics, refuses bad input only with
// EINVALID, and that whatever it accepts is valid, scores every possible
// score into a band, and survives a JSON round trip unchanged.
func FuzzParse(f *testing.F) {
	f.Add(DASH2009().JSON())
	f.Add([]byte(`{"code":"a","version":"1","name":"A","questions":[{"id":"x","text":"X?"}],"bands":[{"code":"b","label":"B","min":0,"max":1}]}`))
	f.Add([]byte(`{"code":"a","version":"1","name":"A","questions":[{"id":"x","text":"X?","stalking":true}],"bands":[{"code":"b","label":"B","min":0,"max":0},{"code":"c","label":"C","min":1,"max":1}],"supplementary":[{"id":"s","text":"S?"}]}`))
	f.Add([]byte(`{"bands":[{"min":-1,"max":-5}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := Parse(data)
		if err != nil {
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("error code %q for %q", drive.ErrorCode(err), data)
			}
			return
		}
		if err := q.Validate(); err != nil {
			t.Fatalf("Parse accepted an invalid questionnaire: %v", err)
		}
		for score := 0; score <= len(q.Questions); score++ {
			if _, rank := q.BandFor(score); rank < 0 {
				t.Fatalf("score %d falls in no band", score)
			}
		}
		b := q.JSON()
		back, err := Parse(b)
		if err != nil {
			t.Fatalf("Parse(JSON()) failed: %v", err)
		}
		if !bytes.Equal(back.JSON(), b) {
			t.Fatalf("round trip changed the questionnaire:\n%s\n%s", b, back.JSON())
		}
		// Scoring an all-yes assessment reaches the top band.
		a := Assessment{Answers: map[string]Answer{}}
		for _, x := range q.Questions {
			a.Answers[x.ID] = Yes
		}
		if r := q.Score(a); r.Score != len(q.Questions) || r.BandRank != len(q.Bands)-1 {
			t.Fatalf("all yes scored %d in band %d", r.Score, r.BandRank)
		}
	})
}
