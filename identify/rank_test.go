package identify

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/drive-platform/drive"
)

func TestRankDeterministicWithTies(t *testing.T) {
	s := Default()
	list := []Incident{
		// b and a tie on everything: the lower id first.
		inc("b", "2025-01-01", "abh", "v1"),
		inc("a", "2025-01-01", "abh", "v2"),
		// c has the same total as a and b but a more recent incident.
		inc("c", "2025-01-02", "abh", "v3"),
		// d scores highest.
		inc("d", "2025-04-01", "gbh", "v4", "v5"),
		// e only outside the window: not listed.
		inc("e", "2020-01-01", "homicide", "v6"),
		// No suspect: skipped.
		inc("", "2025-04-01", "homicide", "v7"),
		// f after as-of: not listed.
		inc("f", "2025-06-01", "homicide", "v8"),
	}
	want := []string{"d", "c", "a", "b"}
	for round := range 5 {
		shuffled := slices.Clone(list)
		r := rand.New(rand.NewPCG(uint64(round), 1))
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		got := s.Rank(shuffled, asOf, 0)
		var ids []string
		for i, sc := range got {
			ids = append(ids, sc.Suspect)
			if sc.Rank != i+1 {
				t.Errorf("%s has rank %d at place %d", sc.Suspect, sc.Rank, i+1)
			}
		}
		if !slices.Equal(ids, want) {
			t.Fatalf("round %d: order %v, want %v", round, ids, want)
		}
	}
	top := s.Rank(list, asOf, 2)
	if len(top) != 2 || top[0].Suspect != "d" || top[1].Suspect != "c" {
		t.Errorf("top 2: %+v", top)
	}
	if got := s.Rank(list, asOf, 100); len(got) != 4 {
		t.Errorf("top beyond the list: %d scores", len(got))
	}
	if got := s.Rank(nil, asOf, 0); len(got) != 0 {
		t.Errorf("no incidents gave %d scores", len(got))
	}
}

// TestRankMatchesScore checks that the grouped fast path in Rank gives
// exactly what Score gives suspect by suspect.
func TestRankMatchesScore(t *testing.T) {
	s := Default()
	list := synthetic(5000, 2000, 7)
	ranked := s.Rank(list, asOf, 0)
	for _, r := range ranked {
		one := s.Score(r.Suspect, list, asOf)
		one.Rank = r.Rank
		if fmt.Sprint(one) != fmt.Sprint(r) {
			t.Fatalf("Rank and Score differ for %s:\n%+v\n%+v", r.Suspect, r, one)
		}
	}
	for i := 1; i < len(ranked); i++ {
		if ranked[i].Total > ranked[i-1].Total {
			t.Fatalf("not sorted at %d", i)
		}
	}
}

// synthetic makes n incidents over the 3 years before asOf spread over
// about suspects suspects with skewed counts: most have one or two, a few
// have dozens. Types are drawn from the gravity table plus an unknown
// code; victims are one or sometimes two per incident, with mixed known
// and unknown ages; a few incidents fall after as-of or before the window.
func synthetic(n, suspects int, seed uint64) []Incident {
	r := rand.New(rand.NewPCG(seed, 2025))
	types := []string{"unlisted_type"}
	for _, g := range Default().Gravity {
		types = append(types, g.Type)
	}
	base := dayNumber(asOf)
	epoch := drive.MustDate("1970-01-01").Time()
	list := make([]Incident, 0, n)
	for sp := 0; len(list) < n; sp = (sp + 1) % suspects {
		id := fmt.Sprintf("P%07d", sp)
		count := 1 + int(r.ExpFloat64()*1.1)
		if r.IntN(200) == 0 {
			count += 20 + r.IntN(60)
		}
		partners := []string{fmt.Sprintf("V%07d", 2*sp), fmt.Sprintf("V%07d", 2*sp+1)}
		for range count {
			if len(list) == n {
				break
			}
			v := partners[:1]
			if r.IntN(5) == 0 {
				v = partners[r.IntN(2):]
			}
			var ages map[string]int
			if r.IntN(3) > 0 {
				ages = map[string]int{v[0]: 12 + r.IntN(60)}
			}
			day := base - r.IntN(3*365+30) + 10
			list = append(list, Incident{
				Ref:        fmt.Sprintf("R%08d", len(list)),
				On:         drive.DateOf(epoch.AddDate(0, 0, day)),
				Type:       types[r.IntN(len(types))],
				Crime:      r.IntN(2) == 0,
				SuspectID:  id,
				VictimIDs:  v,
				VictimAges: ages,
			})
		}
	}
	r.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
	return list
}

// BenchmarkRank450k ranks a force-sized extract: 450,000 incidents for
// about 200,000 suspects, returning the top 500.
func BenchmarkRank450k(b *testing.B) {
	list := synthetic(450_000, 200_000, 1)
	s := Default()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if got := s.Rank(list, asOf, 500); len(got) != 500 {
			b.Fatal(len(got))
		}
	}
}

// BenchmarkRank450kAll is the same run returning and explaining every
// suspect.
func BenchmarkRank450kAll(b *testing.B) {
	list := synthetic(450_000, 200_000, 1)
	s := Default()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s.Rank(list, asOf, 0)
	}
}
