package web

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

func TestPronounsFollowTheRecord(t *testing.T) {
	for gender, want := range map[string]string{
		"female": "she her her hers herself", "male": "he him his his himself", "non_binary": "they them their theirs themselves",
		"other": "they them their theirs themselves", "not_known": "they them their theirs themselves", "": "they them their theirs themselves",
	} {
		p := pronounsFor(gender)
		if got := strings.Join([]string{p.They, p.Them, p.Their, p.Theirs, p.Themselves}, " "); got != want {
			t.Errorf("%q: %q, want %q", gender, got, want)
		}
	}
}

// TestPagesFollowTheRecordedGender renders each page that speaks of one
// person by pronoun, for a woman, a man and a person whose gender is not
// recorded (and one recorded as non-binary): each page says what the
// record says and none of the other words.
func TestPagesFollowTheRecordedGender(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			ctx := context.Background()
			vpath := "/victims/" + strconv.FormatInt(w.victimID, 10)
			pages := []struct{ user, path string }{
				{"ida.idva", vpath},
				{"cal.manager", "/people/" + strconv.FormatInt(w.personID, 10) + "/edit"},
				{"cal.manager", "/cases/" + strconv.FormatInt(w.caseID, 10) + "/police"},
			}
			// The words each page must use, by the gender recorded.
			words := map[string][][]string{
				"female": {{"Her own account", "says herself", "By herself", "She would rather not say", ">Hers alone<", "Give her a code to answer herself"},
					{"Her addresses so far"}, {"What police have recorded about her:"}},
				"male": {{"His own account", "says himself", "By himself", "He would rather not say", ">His alone<", "Give him a code to answer himself"},
					{"His addresses so far"}, {"What police have recorded about him:"}},
				"": {{"Their own account", "say themselves", "By themselves", "They would rather not say", ">Theirs alone<", "Give them a code to answer themselves"},
					{"Their addresses so far"}, {"What police have recorded about them:"}},
			}
			words["non_binary"] = words[""]
			// She answers once herself, so the table of her answers says
			// by whom.
			w.sheAnswers(t)
			for _, gender := range []string{"female", "male", "", "non_binary"} {
				if err := w.db.Transact(ctx, func(tx *store.Tx) error {
					v, err := tx.VictimCase(ctx, w.victimID)
					if err != nil {
						return err
					}
					v.Gender = gender
					if err := tx.UpdateVictimCase(ctx, v); err != nil {
						return err
					}
					p, err := tx.Person(ctx, w.personID)
					if err != nil {
						return err
					}
					p.Gender = gender
					return tx.UpdatePerson(ctx, p)
				}); err != nil {
					t.Fatal(err)
				}
				for i, pg := range pages {
					status, body := w.get(t, pg.user, pg.path)
					if status != 200 {
						t.Fatalf("%q: %s as %s: %d", gender, pg.path, pg.user, status)
					}
					for other, all := range words {
						for _, phrase := range all[i] {
							has := strings.Contains(body, phrase)
							want := other == gender || (other == "" && gender == "non_binary") || (other == "non_binary" && gender == "")
							if has != want {
								t.Errorf("gender %q: %s shows %q: %v, want %v", gender, pg.path, phrase, has, want)
							}
						}
					}
				}
			}
		})
	}
}
