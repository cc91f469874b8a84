package linkage

import (
	"context"
	"testing"
)

// TestTwoGroupsNeedAStrongLink holds the clusterer to its rule for joining
// two groups of two or more records: a link at the threshold that would join
// a record to a group does not join two groups unless it clears the
// threshold by log2 of the pairs across them, and a link below the threshold
// joins a record to a group with the group's support but never two groups.
// The records are two namesakes born on one day, each with two records at
// an address of her own, and a record with only the name and the date; the
// links are given with chosen weights so that each side of each bar is
// tried, while the cohesion checks see the records' real probabilities.
func TestTwoGroupsNeedAStrongLink(t *testing.T) {
	rows := [][]string{
		{"Harriet", "Ollerenshaw", "1972-05-09", "BD7 1AX", "Bradford"},
		{"Harriet", "Ollerenshaw", "1972-05-09", "BD7 1AX", "Bradford"},
		{"Harriet", "Ollerenshaw", "1972-05-09", "TR1 2PQ", "Truro"},
		{"Harriet", "Ollerenshaw", "1972-05-09", "TR1 2PQ", "Truro"},
		{"Harriet", "Ollerenshaw", "1972-05-09", "", ""},
	}
	for _, r := range synthRecords(3000) {
		rows = append(rows, r[1:6])
	}
	tb := addPeople(t, rows...)
	res, err := Link(context.Background(), tb, Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	direct := weightFor(DefaultThreshold)
	// Two groups of two: 4 pairs across, so the bar is 2 bits over the threshold.
	cases := []struct {
		name  string
		edges []edge
		// joined lists pairs of records that must end in one cluster,
		// apart pairs that must not.
		joined, apart [][2]int
	}{
		{"two groups at a link 1 bit over the threshold",
			[]edge{{0, 1, 30}, {2, 3, 30}, {1, 2, direct + 1}}, nil, [][2]int{{0, 2}}},
		{"two groups at a link 2.5 bits over the threshold",
			[]edge{{0, 1, 30}, {2, 3, 30}, {1, 2, direct + 2.5}}, [][2]int{{0, 2}}, nil},
		{"a record and a group at a link 1 bit over the threshold",
			[]edge{{0, 1, 30}, {1, 2, direct + 1}}, [][2]int{{0, 2}}, nil},
		{"two groups at a supported link below the threshold",
			[]edge{{0, 1, 30}, {2, 3, 30}, {1, 2, direct - 1}}, nil, [][2]int{{0, 2}}},
		{"a record and a group at a supported link below the threshold",
			[]edge{{0, 1, 30}, {2, 3, 30}, {0, 4, direct - 1}}, [][2]int{{0, 4}}, [][2]int{{0, 2}}},
	}
	for _, tc := range cases {
		cl := newClusterer(res.md, res.cmp, tb.Len(), DefaultCohesion, false)
		cl.direct = direct
		cluster, _, err := cl.run(context.Background(), tc.edges)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range tc.joined {
			if cluster[p[0]] != cluster[p[1]] {
				t.Errorf("%s: records %d and %d kept apart:\n%s", tc.name, p[0], p[1], res.Explain(p[0], p[1]))
			}
		}
		for _, p := range tc.apart {
			if cluster[p[0]] == cluster[p[1]] {
				t.Errorf("%s: records %d and %d joined", tc.name, p[0], p[1])
			}
		}
	}
}
