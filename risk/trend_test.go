package risk

import (
	"reflect"
	"testing"

	"github.com/drive-platform/drive"
)

// scored returns a dated DASH result with the given number of yes
// answers and optional judgement.
func scored(on string, yes int, judgement string) Dated {
	a := completed(yes, 0)
	a.ProfessionalJudgement = judgement
	return Dated{On: drive.MustDate(on), Result: DASH2009().Score(a)}
}

func TestTrend(t *testing.T) {
	// Given out of order: the history sorts them.
	h := Trend([]Dated{
		scored("2026-03-01", 15, ""),
		scored("2026-05-01", 11, "high"),
		scored("2026-01-10", 6, ""),
	})
	if !h.Comparable() || len(h.Points) != 3 {
		t.Fatalf("points %d comparable %v", len(h.Points), h.Comparable())
	}
	if h.First.On != drive.MustDate("2026-01-10") || h.Latest.On != drive.MustDate("2026-05-01") {
		t.Errorf("first %s latest %s", h.First.On, h.Latest.On)
	}
	for i := 1; i < len(h.Points); i++ {
		if h.Points[i].On.Before(h.Points[i-1].On) {
			t.Errorf("points not in date order: %v", h.Points)
		}
	}
	// 6 (standard) -> 11 (medium, judged high).
	if h.ScoreChange != 5 || h.BandMove != 1 || h.EffectiveMove != 2 || h.Movement() != MovedHigher || h.MixedVersions {
		t.Errorf("change %d band move %d effective move %d movement %q mixed %v; want 5 1 2 higher false",
			h.ScoreChange, h.BandMove, h.EffectiveMove, h.Movement(), h.MixedVersions)
	}

	down := Trend([]Dated{scored("2026-01-01", 16, ""), scored("2026-06-01", 4, "")})
	if down.ScoreChange != -12 || down.BandMove != -2 || down.Movement() != MovedLower {
		t.Errorf("down: change %d move %d %q", down.ScoreChange, down.BandMove, down.Movement())
	}
	same := Trend([]Dated{scored("2026-01-01", 14, ""), scored("2026-06-01", 20, "")})
	if same.ScoreChange != 6 || same.BandMove != 0 || same.Movement() != MovedSame {
		t.Errorf("same: change %d move %d %q", same.ScoreChange, same.BandMove, same.Movement())
	}

	one := Trend([]Dated{scored("2026-01-01", 12, "")})
	if one.Comparable() || one.Movement() != "" || one.ScoreChange != 0 || one.First != one.Latest {
		t.Errorf("one point: %+v", one)
	}
	if none := Trend(nil); none.Comparable() || len(none.Points) != 0 {
		t.Errorf("no points: %+v", none)
	}

	// The input slice is not reordered.
	in := []Dated{scored("2026-02-01", 1, ""), scored("2026-01-01", 2, "")}
	Trend(in)
	if in[0].Result.Score != 1 {
		t.Error("Trend reordered its input")
	}

	// A point from another questionnaire is flagged.
	other := scored("2026-04-01", 10, "")
	other.Result.Questionnaire = "dash-police-example"
	if m := Trend([]Dated{scored("2026-01-01", 10, ""), other}); !m.MixedVersions {
		t.Error("mixed versions not flagged")
	}
}

func TestSummariseTrends(t *testing.T) {
	mixed := scored("2026-04-01", 3, "")
	mixed.Result.Version = "2019"
	hs := []History{
		Trend([]Dated{scored("2026-01-01", 16, ""), scored("2026-06-01", 4, "")}),  // high -> standard, -12
		Trend([]Dated{scored("2026-01-01", 15, ""), scored("2026-06-01", 11, "")}), // high -> medium, -4
		Trend([]Dated{scored("2026-01-01", 14, ""), scored("2026-06-01", 20, "")}), // high -> high, +6
		Trend([]Dated{scored("2026-01-01", 5, ""), mixed}),                         // standard -> standard, -2
		Trend([]Dated{scored("2026-01-01", 12, "")}),                               // not comparable
	}
	s := SummariseTrends(hs)
	if s.Cases != 4 || s.Higher != 0 || s.Same != 2 || s.Lower != 2 || s.MixedVersions != 1 {
		t.Errorf("summary %+v", s)
	}
	if s.MeanScoreChange != -3 { // (-12 - 4 + 6 - 2) / 4
		t.Errorf("mean change %v; want -3", s.MeanScoreChange)
	}
	want := []Transition{{"standard", "standard", 1}, {"high", "standard", 1}, {"high", "medium", 1}, {"high", "high", 1}}
	if !reflect.DeepEqual(s.Transitions, want) {
		t.Errorf("transitions %v; want %v", s.Transitions, want)
	}
	if z := SummariseTrends(nil); z.Cases != 0 || z.MeanScoreChange != 0 || z.Transitions != nil {
		t.Errorf("empty summary %+v", z)
	}
}
