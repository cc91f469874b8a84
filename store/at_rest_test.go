package store_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestSecretsAtRest reads the raw rows on every engine: a case note's
// text is nowhere in the database in the clear.
func TestSecretsAtRest(t *testing.T) {
	const secret = "NOTE-AT-REST-7f3a"
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t, storetest.FixedClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)))
			ctx := context.Background()
			keys, err := sealed.NewKeyring(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			var note casework.Note
			err = db.Transact(ctx, func(tx *store.Tx) error {
				site := &identity.Site{Code: "RST", Name: "Rest", Region: "North"}
				if err := tx.CreateSite(ctx, site); err != nil {
					return err
				}
				if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
					return err
				}
				org := &identity.Organisation{Name: "Provider", Kind: identity.Provider, SiteIDs: []int64{site.ID}}
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				u := &identity.User{Username: "case.manager", DisplayName: "Case Manager", OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X",
					Roles: []identity.RoleAssignment{{Role: access.CaseManager, SiteID: site.ID}}}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				p := &people.Person{SiteID: site.ID, GivenName: "Rest", FamilyName: "Case"}
				if err := tx.CreatePerson(ctx, p); err != nil {
					return err
				}
				c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.DateOf(tx.Now), Summary: "Referred"}
				if err := tx.CreateCase(ctx, c); err != nil {
					return err
				}
				note = casework.Note{CaseID: c.ID, Text: "Met him; " + secret, CreatedBy: u.ID}
				return tx.CreateNote(ctx, &note, func(id int64) (store.SealedValue, error) {
					s, err := keys.Seal(rand.Reader, []byte(note.Text), store.CaseNoteAAD(id))
					return store.SealedValueOf(s), err
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			// A note written in the clear before notes were sealed is
			// sealed in place by the service at start-up.
			const legacy = "LEGACY-NOTE-91c2"
			var legacyID int64
			err = db.Transact(ctx, func(tx *store.Tx) error {
				if err := tx.RawExec(ctx, `INSERT INTO case_notes (case_id, body, created_at) VALUES (?, ?, ?)`, note.CaseID, legacy, tx.Now); err != nil {
					return err
				}
				ns, err := tx.UnsealedNotes(ctx, 10)
				if err != nil || len(ns) != 1 || ns[0].Text != legacy {
					t.Fatalf("unsealed notes = %+v, %v", ns, err)
				}
				legacyID = ns[0].ID
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			svc := &service.Service{DB: db, Keys: keys}
			if n, err := svc.SealNotes(ctx); err != nil || n != 1 {
				t.Fatalf("sealed %d notes, %v; want 1", n, err)
			}
			if n, err := svc.SealNotes(ctx); err != nil || n != 0 {
				t.Fatalf("sealed %d notes again, %v", n, err)
			}
			err = db.View(ctx, func(tx *store.Tx) error {
				ns, err := tx.Notes(ctx, note.CaseID)
				if err != nil || len(ns) != 2 || ns[1].ID != legacyID || ns[1].Body.IsZero() {
					t.Fatalf("notes after sealing = %+v, %v", ns, err)
				}
				s, err := ns[1].Body.Parse()
				if err != nil {
					return err
				}
				if plain, err := keys.Open(s, store.CaseNoteAAD(legacyID)); err != nil || string(plain) != legacy {
					t.Errorf("the sealed legacy note opens as %q, %v", plain, err)
				}
				if raw, err := tx.RawText(ctx, `SELECT body FROM case_notes WHERE id = ?`, legacyID); err != nil || strings.Contains(raw, legacy) {
					t.Errorf("legacy note row after sealing = %q, %v", raw, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.View(ctx, func(tx *store.Tx) error {
				for _, q := range []string{`SELECT body FROM case_notes WHERE id = ?`, `SELECT data FROM case_note_bodies WHERE note_id = ?`} {
					raw, err := tx.RawText(ctx, q, note.ID)
					if err != nil {
						return err
					}
					if raw == "" || strings.Contains(raw, secret) {
						t.Errorf("%s: %q holds the note's text in the clear", q, raw)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
