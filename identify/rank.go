package identify

import (
	"cmp"
	"slices"

	"github.com/drive-platform/drive"
)

// Rank scores every suspect with at least one incident in the window
// before asOf and returns them highest total first; ties go to the most
// recent last incident, then to the lower suspect id, so the same input
// always gives the same list. top limits the list to the first top
// suspects (0 or less: all). Each Score has Rank set from 1. Incidents
// with no SuspectID are skipped. The strategy must be valid; Rank never
// fails.
//
// Rank is built for a force's whole extract: incidents are grouped by
// suspect once with a counting sort, tallying allocates nothing per
// incident, and explanations are written only for the suspects returned.
func (s *Strategy) Rank(incidents []Incident, asOf drive.Date, top int) []Score {
	c := s.cutoffs(asOf)

	// Group: give each suspect a dense number, keep each in-window
	// incident's day and suspect number, then bucket by suspect.
	ids := make(map[string]int32, len(incidents)/2+1)
	var names []string
	suspectOf := make([]int32, len(incidents))
	days := make([]int32, len(incidents))
	for i := range incidents {
		inc := &incidents[i]
		suspectOf[i] = -1
		if inc.SuspectID == "" {
			continue
		}
		d, ok := c.in(inc)
		if !ok {
			continue
		}
		n, seen := ids[inc.SuspectID]
		if !seen {
			n = int32(len(names))
			ids[inc.SuspectID] = n
			names = append(names, inc.SuspectID)
		}
		suspectOf[i], days[i] = n, int32(d)
	}
	start := make([]int32, len(names)+1)
	for _, n := range suspectOf {
		if n >= 0 {
			start[n+1]++
		}
	}
	for k := 1; k < len(start); k++ {
		start[k] += start[k-1]
	}
	order := make([]int32, start[len(names)])
	fill := slices.Clone(start[:len(names)])
	for i, n := range suspectOf {
		if n >= 0 {
			order[fill[n]] = int32(i)
			fill[n]++
		}
	}

	// Tally each suspect in turn with one reused scratch.
	tallies := make([]tally, len(names))
	totals := make([]float64, len(names))
	var sc scratch
	for n := range names {
		t := &tallies[n]
		sc.reset()
		for _, i := range order[start[n]:start[n+1]] {
			t.add(c, &sc, &incidents[i], int(days[i]))
		}
		s.finish(t, &sc, c)
		_, _, _, _, totals[n] = s.components(t, c)
	}

	// Sort suspect numbers, not Scores, to move four bytes a swap.
	list := make([]int32, len(names))
	for n := range list {
		list[n] = int32(n)
	}
	slices.SortFunc(list, func(a, b int32) int {
		if r := cmp.Compare(totals[b], totals[a]); r != 0 {
			return r
		}
		if r := cmp.Compare(tallies[b].last, tallies[a].last); r != 0 {
			return r
		}
		return cmp.Compare(names[a], names[b])
	})
	if top > 0 && top < len(list) {
		list = list[:top]
	}
	out := make([]Score, len(list))
	for k, n := range list {
		out[k] = s.build(names[n], &tallies[n], c)
		out[k].Rank = k + 1
	}
	return out
}
