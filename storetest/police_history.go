package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/store"
)

// testPersonPoliceLinks: a person's police history is drawn from his
// links with status "linked" only, in id order; suggestions and
// rejections are kept but not returned, and a pair is stored once, changed in place by a later run.
func testPersonPoliceLinks(t *testing.T, db *store.DB) {
	ctx := context.Background()
	site := mustSite(t, db, "PHL")
	var person int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		p := &people.Person{SiteID: site.ID, GivenName: "Lee", FamilyName: "Linked"}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		person = p.ID
		ids, err := tx.NewPolicePeople(ctx, site.ID, "suspect", 4)
		if err != nil {
			return err
		}
		slices.Sort(ids)
		for i, status := range []string{"linked", "suggested", "rejected", "linked"} {
			if err := tx.PutPoliceLink(ctx, store.PersonSide, &store.PoliceLink{SiteID: site.ID, Subject: p.ID, PolicePerson: ids[3-i], Status: status, Score: 0.5}); err != nil {
				return err
			}
		}
		got, err := tx.PoliceHistoryPeople(ctx, p.ID)
		if err != nil {
			return err
		}
		if want := []int64{ids[0], ids[3]}; !slices.Equal(got, want) {
			t.Errorf("linked police people %v; want %v", got, want)
		}
		if none, err := tx.PoliceHistoryPeople(ctx, p.ID+1000); err != nil || len(none) != 0 {
			t.Errorf("a person with no links: %v %v", none, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A pair is stored once: the linker's next run over an undecided pair
	// changes it in place, so a link it now only suggests leaves the
	// history.
	err = db.Transact(ctx, func(tx *store.Tx) error {
		got, err := tx.PoliceHistoryPeople(ctx, person)
		if err != nil || len(got) == 0 {
			t.Fatalf("links before the second run: %v %v", got, err)
		}
		if err := tx.PutPoliceLink(ctx, store.PersonSide, &store.PoliceLink{SiteID: site.ID, Subject: person, PolicePerson: got[0], Status: "suggested", Score: 0.1}); err != nil {
			return err
		}
		after, err := tx.PoliceHistoryPeople(ctx, person)
		if err != nil {
			return err
		}
		if len(after) != len(got)-1 || slices.Contains(after, got[0]) {
			t.Errorf("after the pair became a suggestion: %v; want %v without %d", after, got, got[0])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
