package risk

import (
	"testing"

	"github.com/drive-platform/drive"
)

func TestLabelComments(t *testing.T) {
	q := DASH2009()
	tenth := q.Questions[9]
	got := q.LabelComments(map[string]string{tenth.ID: " More often since May ", q.Questions[0].ID: "Bruising", "old9": "From an older form", q.Questions[2].ID: "  "})
	if len(got) != 3 {
		t.Fatalf("got %+v", got)
	}
	if got[0].Label != "Question 1" || got[0].Comment != "Bruising" || got[0].Question != q.Questions[0].Text {
		t.Errorf("first %+v", got[0])
	}
	if got[1].Label != "Question 10" || got[1].Question != tenth.Text || got[1].Comment != "More often since May" {
		t.Errorf("second %+v", got[1])
	}
	if got[2].Label != "Question old9" || got[2].Question != "" {
		t.Errorf("unknown question %+v", got[2])
	}
}

func TestTrendInWords(t *testing.T) {
	at := func(day string, score int) Dated { return Dated{On: drive.MustDate(day), Result: Result{Score: score}} }
	for _, tc := range []struct {
		points     []Dated
		dir, words string
		latest     int
	}{
		{[]Dated{at("2026-03-01", 16), at("2026-01-01", 12)}, "up", "Up by 4 since the first assessment, from 12 to 16", 16},
		{[]Dated{at("2026-01-01", 16), at("2026-05-01", 14)}, "down", "Down by 2 since the first assessment, from 16 to 14", 14},
		{[]Dated{at("2026-01-01", 9), at("2026-05-01", 9)}, "unchanged", "No change since the first assessment: 9", 9},
		{[]Dated{at("2026-01-01", 9)}, "", "", 9},
	} {
		h := Trend(tc.points)
		if h.Direction() != tc.dir || h.InWords() != tc.words {
			t.Errorf("%v: %q %q; want %q %q", tc.points, h.Direction(), h.InWords(), tc.dir, tc.words)
		}
		l, ok := Latest(tc.points)
		if !ok || l.Result.Score != tc.latest {
			t.Errorf("latest of %v = %v", tc.points, l)
		}
		nf := h.NewestFirst()
		if nf[0].Result.Score != tc.latest || nf[len(nf)-1].On != h.First.On {
			t.Errorf("newest first %v", nf)
		}
	}
	if _, ok := Latest(nil); ok {
		t.Error("a latest of nothing")
	}
}
