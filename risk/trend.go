package risk

import (
	"sort"
	"strconv"

	"github.com/drive-platform/drive"
)

// Dated is a scored assessment with the date it was made: one point in a
// victim-survivor's history.
type Dated struct {
	On     drive.Date
	Result Result
}

// History is a run of scored assessments, oldest first, and the change
// from the first to the latest. It answers "how has the risk moved since
// the baseline?" for one victim-survivor, and, summarised over cases, the
// "DASH score change and band movement T1 -> T3" outcome measure.
type History struct {
	// Points are the assessments, oldest first; assessments on the same
	// day keep the order they were given in.
	Points []Dated
	// First and Latest are the oldest and newest points; the zero Dated
	// when there are none.
	First, Latest Dated
	// ScoreChange is the latest score minus the first: negative means
	// fewer risk factors.
	ScoreChange int
	// BandMove is the number of bands moved from the first to the latest
	// actuarial band: negative is a move to a lower risk level.
	BandMove int
	// EffectiveMove is the same for the effective level, after
	// professional judgement.
	EffectiveMove int
	// MixedVersions is true when the points come from more than one
	// questionnaire or version, so scores may not be directly comparable
	// (a longer police variant has a different maximum).
	MixedVersions bool
}

// Trend orders scored assessments by date and measures the change from
// the first to the latest. With fewer than two points there is no change
// to measure and the changes are zero; Comparable says so.
func Trend(points []Dated) History {
	h := History{Points: append([]Dated(nil), points...)}
	if len(h.Points) == 0 {
		return h
	}
	sort.SliceStable(h.Points, func(i, j int) bool { return h.Points[i].On.Before(h.Points[j].On) })
	h.First, h.Latest = h.Points[0], h.Points[len(h.Points)-1]
	for _, p := range h.Points[1:] {
		if p.Result.Questionnaire != h.First.Result.Questionnaire || p.Result.Version != h.First.Result.Version {
			h.MixedVersions = true
		}
	}
	h.ScoreChange = h.Latest.Result.Score - h.First.Result.Score
	h.BandMove = h.Latest.Result.BandRank - h.First.Result.BandRank
	h.EffectiveMove = h.Latest.Result.EffectiveRank - h.First.Result.EffectiveRank
	return h
}

// Comparable reports whether the history has at least two points, so
// that a change can be measured.
func (h History) Comparable() bool { return len(h.Points) >= 2 }

// Movement words for band movement, as the reports show them.
const (
	MovedHigher = "higher"
	MovedLower  = "lower"
	MovedSame   = "same"
)

// Movement describes BandMove in a word: MovedHigher, MovedLower or
// MovedSame, or "" when the history is not Comparable.
func (h History) Movement() string {
	switch {
	case !h.Comparable():
		return ""
	case h.BandMove > 0:
		return MovedHigher
	case h.BandMove < 0:
		return MovedLower
	}
	return MovedSame
}

// Transition counts histories that moved from one actuarial band to
// another (or stayed in it), for the band movement table.
type Transition struct {
	From, To string // band codes
	Cases    int
}

// TrendSummary is the score change and band movement over many
// histories, for the outcome reports. Only comparable histories count;
// Cases is the N behind every figure.
type TrendSummary struct {
	Cases int
	// MeanScoreChange is the mean of the histories' ScoreChange; 0 when
	// Cases is 0.
	MeanScoreChange float64
	// Higher, Same and Lower count histories by actuarial band movement.
	Higher, Same, Lower int
	// Transitions is the band movement table, ordered by the first band's
	// rank, then the latest band's rank.
	Transitions []Transition
	// MixedVersions counts comparable histories whose points came from
	// more than one questionnaire or version.
	MixedVersions int
}

// SummariseTrends summarises score change and band movement over
// histories, typically one per victim-survivor with the baseline (T1) and
// exit (T3) assessments. Histories with fewer than two points are left
// out.
func SummariseTrends(hs []History) TrendSummary {
	var s TrendSummary
	type key struct {
		from, to         string
		fromRank, toRank int
	}
	counts := map[key]int{}
	total := 0
	for _, h := range hs {
		if !h.Comparable() {
			continue
		}
		s.Cases++
		total += h.ScoreChange
		switch h.Movement() {
		case MovedHigher:
			s.Higher++
		case MovedLower:
			s.Lower++
		default:
			s.Same++
		}
		if h.MixedVersions {
			s.MixedVersions++
		}
		f, l := h.First.Result, h.Latest.Result
		counts[key{f.Band.Code, l.Band.Code, f.BandRank, l.BandRank}]++
	}
	if s.Cases > 0 {
		s.MeanScoreChange = float64(total) / float64(s.Cases)
	}
	keys := make([]key, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.fromRank != b.fromRank {
			return a.fromRank < b.fromRank
		}
		if a.toRank != b.toRank {
			return a.toRank < b.toRank
		}
		if a.from != b.from {
			return a.from < b.from
		}
		return a.to < b.to
	})
	for _, k := range keys {
		s.Transitions = append(s.Transitions, Transition{From: k.from, To: k.to, Cases: counts[k]})
	}
	return s
}

// Latest is the newest assessment of the points, by date and, on one day,
// by the order given: the one definition of "the latest DASH" that the
// IDVA's list, her page and the case manager's risk table all use. ok is
// false when there are none.
func Latest(points []Dated) (latest Dated, ok bool) {
	h := Trend(points)
	return h.Latest, len(h.Points) > 0
}

// NewestFirst returns the points newest first, as histories are read.
func (h History) NewestFirst() []Dated {
	out := make([]Dated, len(h.Points))
	for i, p := range h.Points {
		out[len(out)-1-i] = p
	}
	return out
}

// Direction says which way the score moved from the first assessment to
// the latest: "up", "down" or "unchanged"; "" when the history is not
// Comparable.
func (h History) Direction() string {
	switch {
	case !h.Comparable():
		return ""
	case h.ScoreChange > 0:
		return "up"
	case h.ScoreChange < 0:
		return "down"
	}
	return "unchanged"
}

// InWords says how the score moved in a sentence a practitioner reads at
// a glance, such as "Up by 2 since the first assessment, from 12 to 14";
// "" when there is nothing to compare.
func (h History) InWords() string {
	from, to := strconv.Itoa(h.First.Result.Score), strconv.Itoa(h.Latest.Result.Score)
	n := h.ScoreChange
	if n < 0 {
		n = -n
	}
	switch h.Direction() {
	case "up":
		return "Up by " + strconv.Itoa(n) + " since the first assessment, from " + from + " to " + to
	case "down":
		return "Down by " + strconv.Itoa(n) + " since the first assessment, from " + from + " to " + to
	case "unchanged":
		return "No change since the first assessment: " + to
	}
	return ""
}
