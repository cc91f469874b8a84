package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/store"
)

// testPersonPoliceLinks: a person's police history is drawn from his
// links with status "linked" only, in id order; suggestions and
// rejections are kept but not returned, and a pair is linked once.
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
			if err := tx.AddPersonPoliceLink(ctx, site.ID, p.ID, ids[3-i], status, 0.5); err != nil {
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
	err = db.Transact(ctx, func(tx *store.Tx) error {
		got, err := tx.PoliceHistoryPeople(ctx, person)
		if err != nil || len(got) == 0 {
			t.Fatalf("links before the duplicate: %v %v", got, err)
		}
		return tx.AddPersonPoliceLink(ctx, site.ID, person, got[0], "suggested", 0.1)
	})
	if code := drive.ErrorCode(err); code != drive.ECONFLICT {
		t.Fatalf("linking a pair twice: %q (%v); want conflict", code, err)
	}
}
