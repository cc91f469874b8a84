package service_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestSuspectLinkExplained explains, on both engines, why two of a
// suspect's incidents are one man, from the model kept at resolution: the
// waterfall runs from the prior through each of his fields and sums to the
// match weight, the words say the incidents were joined, his date of
// birth reads in words, nothing of a victim or his postcode shows, the read is audited, and a pair not his
// is refused.
func TestSuspectLinkExplained(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			lead := w.actor(t, "lead")
			his := incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1985-05-05"), Postcode: herPostcode}
			misspelt := incident.Person{GivenName: "Daren", FamilyName: "Hollis", DOB: drive.MustDate("1985-05-05")}
			sam := incident.Person{GivenName: "Samantha", FamilyName: "Example", DOB: drive.MustDate("1990-02-02"), Age: 36}
			recs := []incident.Record{
				{Ref: "PH-1", On: drive.MustDate("2026-01-10"), Type: "abh", Crime: true, Suspect: his, Victim: sam},
				{Ref: "PH-2", On: drive.MustDate("2026-02-15"), Type: "common_assault", Crime: true, Suspect: his, Victim: sam},
				{Ref: "PH-3", On: drive.MustDate("2026-03-20"), Type: "non_crime", Suspect: misspelt, Victim: sam},
				{Ref: "OT-1", On: drive.MustDate("2026-04-01"), Type: "harassment", Crime: true, Suspect: incident.Person{GivenName: "Kevin", FamilyName: "Unrelated", DOB: drive.MustDate("1970-07-07")}, Victim: sam},
				{Ref: "OT-2", On: drive.MustDate("2026-05-01"), Type: "harassment", Crime: true, Suspect: incident.Person{GivenName: "Lee", FamilyName: "Stranger", DOB: drive.MustDate("1979-03-09")}, Victim: sam},
			}
			if _, _, err := w.svc.ImportIncidents(ctx, service.System("test"), "NMR", recs, nil); err != nil {
				t.Fatal(err)
			}
			ids := map[string]store.PoliceIncident{}
			_ = w.db.View(ctx, func(tx *store.Tx) error {
				rows, err := tx.SitePoliceIncidents(ctx, w.siteA.ID, drive.Date{})
				for _, r := range rows {
					ids[r.Ref] = r
				}
				return err
			})
			person := ids["PH-1"].SuspectPerson
			if person == 0 || ids["PH-2"].SuspectPerson != person || ids["PH-3"].SuspectPerson != person || ids["OT-1"].SuspectPerson == person {
				t.Fatalf("resolution: %+v", ids)
			}

			before := w.head(t)
			for _, pair := range [][2]int64{{0, 0}, {ids["PH-1"].ID, ids["PH-3"].ID}} {
				x, err := w.svc.SuspectLink(ctx, lead, person, pair[0], pair[1])
				if err != nil || x == nil {
					t.Fatalf("%v: %v, %v", pair, x, err)
				}
				if pair[0] != 0 && (x.A.ID != pair[0] || x.B.ID != pair[1] || x.Weakest) {
					t.Fatalf("asked for %v, explained %d,%d (weakest %v)", pair, x.A.ID, x.B.ID, x.Weakest)
				}
				if pair[0] == 0 && (!x.Weakest || x.A.SuspectPerson != person || x.B.SuspectPerson != person || x.A.ID == x.B.ID) {
					t.Fatalf("weakest link: %+v", x)
				}
				if len(x.Steps) != 4 || x.Steps[0].Field != "given" || x.Steps[3].Field != "postcode" {
					t.Fatalf("steps: %+v", x.Steps)
				}
				sum := x.Prior
				for _, s := range x.Steps {
					sum += s.Weight
					if math.Abs(sum-s.Running) > 1e-9 {
						t.Fatalf("%s: running total %v, want %v", s.Field, s.Running, sum)
					}
				}
				if math.Abs(sum-x.Weight) > 1e-9 || math.Abs(x.Probability-1/(1+math.Exp2(-x.Weight))) > 1e-9 {
					t.Fatalf("weights sum to %v; match weight %v, probability %v", sum, x.Weight, x.Probability)
				}
				if pair[0] != 0 && (x.Steps[0].Level == x.Steps[1].Level || x.Steps[0].Weight <= 0 || x.Steps[1].Weight <= 0) {
					t.Errorf("Darren/Daren and Hollis/Hollis: %+v, want two levels of evidence for", x.Steps[:2])
				}
				words := strings.Join(x.Words, "\n")
				if !strings.Contains(x.Words[len(x.Words)-1], "joined these two incidents as one person") || !strings.HasPrefix(words, "Before comparing anything") {
					t.Errorf("words: %s", words)
				}
				all := words + " " + x.Steps[3].A + x.Steps[3].B
				for _, secret := range []string{herPostcode, "Samantha", "Example", "1990"} {
					if strings.Contains(all, secret) {
						t.Errorf("the explanation shows %q: %s", secret, all)
					}
				}
				// His date of birth reads as people read a date, in the
				// table and in the words; never as the linker compares it.
				if x.Steps[2].A != "5 May 1985" || x.Steps[2].B != "5 May 1985" || !strings.Contains(words, "(5 May 1985, 5 May 1985)") || strings.Contains(words, "1985-05-05") {
					t.Errorf("date of birth shown as %q and %q; words: %s", x.Steps[2].A, x.Steps[2].B, words)
				}
				if !x.Steps[3].Withheld {
					t.Error("the postcode is not marked withheld")
				}
			}
			reads := 0
			for _, ev := range w.events(t, before) {
				if ev.Action == audit.ActionRecordRead && ev.RecordType == "police_person" {
					reads++
				}
			}
			if reads != 2 {
				t.Errorf("%d reads audited; want 2", reads)
			}

			if _, err := w.svc.SuspectLink(ctx, lead, person, ids["PH-1"].ID, ids["OT-1"].ID); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("a pair with another man's incident: %v, want EINVALID", err)
			}
			if _, err := w.svc.SuspectLink(ctx, w.actor(t, "otherCM"), person, 0, 0); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("another site's worker: %v, want ENOTFOUND", err)
			}
			// One incident has no pair to explain.
			if x, err := w.svc.SuspectLink(ctx, lead, ids["OT-1"].SuspectPerson, 0, 0); err != nil || x != nil {
				t.Errorf("a man with one incident: %+v, %v; want nothing", x, err)
			}
		})
	}
}
