package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/store"
)

// testMentionsLike holds both engines to what an import that links a
// chunk at a time reads and writes (migration 0056): held references
// looked up a batch at a time, the distinct held mentions that share a
// blocking key (letter case folded, each mention once however many
// incidents write it, a victim with the suspect she was recorded with),
// and the merge of one person into another.
func testMentionsLike(t *testing.T, f *vFixture) {
	perry, paul, vic1, _ := f.policeFixture(t)
	f.write(t, func(ctx context.Context, tx *store.Tx) error {
		held, err := tx.HeldRefs(ctx, f.a.ID, []string{"INC-1", "INC-9", "INC-3"})
		if err != nil {
			return err
		}
		if len(held) != 2 || !held["INC-1"] || !held["INC-3"] {
			t.Errorf("held refs: %v; want INC-1 and INC-3", held)
		}
		if n, err := tx.SiteMentionCount(ctx, f.a.ID); err != nil || n != 3 {
			t.Errorf("mentions at the site: %d, %v; want 3", n, err)
		}
		if n, err := tx.SiteMentionCount(ctx, f.b.ID); err != nil || n != 0 {
			t.Errorf("mentions at the other site: %d, %v; want 0", n, err)
		}
		perryKeys := []store.MentionKeys{
			{DOBs: []drive.Date{drive.MustDate("1980-05-05")}},
			{FamilyInitial: [][2]string{{"able", "p"}}},
			{GivenYear: []store.GivenYear{{Given: "perry", Year: 1980}}},
		}
		for _, k := range perryKeys {
			ms, err := tx.MentionsLike(ctx, f.a.ID, "suspect", k)
			if err != nil {
				return err
			}
			if len(ms) != 1 || ms[0].PersonID != perry || ms[0].GivenName != "Perry" || ms[0].Postcode != "M1 1AA" || ms[0].Context != 0 {
				t.Errorf("suspects like %+v: %+v; want Perry Able once", k, ms)
			}
			if ms, err := tx.MentionsLike(ctx, f.b.ID, "suspect", k); err != nil || len(ms) != 0 {
				t.Errorf("the other site's suspects like %+v: %+v, %v; want none", k, ms, err)
			}
		}
		ms, err := tx.MentionsLike(ctx, f.a.ID, "victim", store.MentionKeys{DOBs: []drive.Date{drive.MustDate("1990-01-02")}, FamilyInitial: [][2]string{{"south", "w"}}})
		if err != nil {
			return err
		}
		slices.SortFunc(ms, func(x, y store.Mention) int { return int(x.PersonID - y.PersonID) })
		if len(ms) != 2 || ms[0].PersonID != vic1 || ms[0].Context != perry || ms[1].Context != paul || ms[0].Postcode != "" {
			t.Errorf("victims like Vera's date of birth or Wendy South: %+v; want each once with her suspect", ms)
		}
		if ms, err := tx.MentionsLike(ctx, f.a.ID, "suspect", store.MentionKeys{GivenYear: []store.GivenYear{{Given: "perry", Year: 1981}}}); err != nil || len(ms) != 0 {
			t.Errorf("suspects like Perry born 1981: %+v, %v; want none", ms, err)
		}
		if n, err := tx.SitesWithIncidents(ctx); err != nil || n != 1 {
			t.Errorf("sites with incidents: %d, %v; want 1", n, err)
		}
		if err := tx.MergeMentions(ctx, map[int64]int64{paul: perry}); err != nil {
			return err
		}
		ms, err = tx.MentionsLike(ctx, f.a.ID, "suspect", store.MentionKeys{FamilyInitial: [][2]string{{"stone", "p"}}})
		if err != nil {
			return err
		}
		if len(ms) != 1 || ms[0].PersonID != perry {
			t.Errorf("Paul Stone after merging him into Perry: %+v", ms)
		}
		if p, err := tx.PolicePerson(ctx, paul); err != nil || p.MergedInto != perry {
			t.Errorf("the merged person: %+v, %v; want merged into %d", p, err, perry)
		}
		ruled, err := tx.RuledPeople(ctx, f.a.ID)
		if err != nil || len(ruled) != 0 {
			t.Errorf("ruled people with no ruling: %v, %v", ruled, err)
		}
		return nil
	})
}
