package store_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/casework"
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
				site := &account.Site{Code: "RST", Name: "Rest", Region: "North"}
				if err := tx.CreateSite(ctx, site); err != nil {
					return err
				}
				if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
					return err
				}
				org := &account.Organisation{Name: "Provider", Kind: account.Provider, SiteIDs: []int64{site.ID}}
				if err := tx.CreateOrganisation(ctx, org); err != nil {
					return err
				}
				u := &account.User{Username: "case.manager", DisplayName: "Case Manager", OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X",
					Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: site.ID}}}
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
					s, err := keys.Seal(rand.Reader, []byte(note.Text), caseNoteAAD(id))
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
				if plain, err := keys.Open(s, caseNoteAAD(legacyID)); err != nil || string(plain) != legacy {
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

// TestCredentialsAtRest reads the raw rows on every engine: second-factor
// secrets and OpenID Connect client secrets are nowhere in the clear, open
// only with the key file, and those written before sealing are sealed in
// place.
func TestCredentialsAtRest(t *testing.T) {
	const (
		totp       = "TOTPCANARYAAAAAAAAAAAAAAAAAAAAAA"
		client     = "client-secret-canary-4d1e"
		legacyTOTP = "LEGACYTOTPBBBBBBBBBBBBBBBBBBBBBB"
		legacyOIDC = "legacy-client-secret-77ab"
	)
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			db := e.Open(t, storetest.FixedClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)))
			ctx := context.Background()
			var user, legacy account.User
			var org account.Organisation
			err := db.Transact(ctx, func(tx *store.Tx) error {
				org = account.Organisation{Name: "Police", Kind: account.PoliceForce}
				if err := tx.CreateOrganisation(ctx, &org); err != nil {
					return err
				}
				user = account.User{Username: "officer", DisplayName: "Officer", OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: totp}
				if err := tx.CreateUser(ctx, &user); err != nil {
					return err
				}
				legacy = account.User{Username: "legacy", DisplayName: "Legacy", OrganisationID: org.ID, PasswordHash: "x"}
				if err := tx.CreateUser(ctx, &legacy); err != nil {
					return err
				}
				// As an older version of the store wrote it: in the clear.
				if err := tx.RawExec(ctx, `UPDATE users SET totp_secret = ? WHERE id = ?`, legacyTOTP, legacy.ID); err != nil {
					return err
				}
				return tx.SetOrganisationOIDC(ctx, &account.OIDCConfig{OrganisationID: org.ID, Issuer: "https://id.police.example",
					ClientID: "drive", ClientSecret: client, RedirectURL: "https://drive.example.org" + account.OIDCCallbackPath,
					DisplayName: "Police", Enabled: true, EmailDomains: []string{"police.example"}})
			})
			if err != nil {
				t.Fatal(err)
			}
			raw := func(tx *store.Tx, q string, id int64, secrets ...string) {
				t.Helper()
				v, err := tx.RawText(ctx, q, id)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				for _, s := range secrets {
					if strings.Contains(v, s) {
						t.Errorf("%s holds a secret in the clear: %q", q, v)
					}
				}
			}
			err = db.View(ctx, func(tx *store.Tx) error {
				raw(tx, `SELECT totp_secret FROM users WHERE id = ?`, user.ID, totp)
				raw(tx, `SELECT data FROM user_totp_secrets WHERE user_id = ?`, user.ID, totp)
				raw(tx, `SELECT client_secret FROM organisation_oidc WHERE organisation_id = ?`, org.ID, client)
				raw(tx, `SELECT data FROM oidc_client_secrets WHERE organisation_id = ?`, org.ID, client)
				got, err := tx.User(ctx, user.ID)
				if err != nil || got.TOTPSecret != "" || !got.TOTPEnrolled {
					t.Errorf("user read back: enrolled %v, %v (the secret is opened only to check a code)", got.TOTPEnrolled, err)
				}
				if s, err := tx.TOTPSecret(ctx, user.ID); err != nil || s != totp {
					t.Errorf("second-factor secret read back wrong: %v", err)
				}
				cfg, err := tx.OrganisationOIDC(ctx, org.ID)
				if err != nil || cfg.ClientSecret != client {
					t.Errorf("client secret read back wrong: %v", err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// Without the key file a secret can be neither read nor
			// written, but a list of users still says who has enrolled.
			bare := db.WithoutKeys()
			err = bare.View(ctx, func(tx *store.Tx) error {
				if _, err := tx.TOTPSecret(ctx, user.ID); drive.ErrorCode(err) != drive.EUNAVAILABLE {
					t.Errorf("reading a sealed secret without keys: %v, want EUNAVAILABLE", err)
				}
				us, err := tx.Users(ctx)
				if err != nil || len(us) != 2 || !us[1].TOTPEnrolled || us[1].TOTPSecret != "" {
					t.Errorf("users without keys = %+v, %v", us, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			err = bare.Transact(ctx, func(tx *store.Tx) error { return tx.SetTOTP(ctx, user.ID, "NEWSECRET", 0) })
			if drive.ErrorCode(err) != drive.EUNAVAILABLE {
				t.Errorf("writing a secret without keys: %v, want EUNAVAILABLE", err)
			}
			// The legacy secrets are sealed in place, once.
			err = db.Transact(ctx, func(tx *store.Tx) error {
				if err := tx.RawExec(ctx, `DELETE FROM oidc_client_secrets WHERE organisation_id = ?`, org.ID); err != nil {
					return err
				}
				if err := tx.RawExec(ctx, `UPDATE organisation_oidc SET client_secret = ? WHERE organisation_id = ?`, legacyOIDC, org.ID); err != nil {
					return err
				}
				if n, err := tx.SealCredentials(ctx); err != nil || n != 2 {
					t.Fatalf("sealed %d credentials, %v; want 2", n, err)
				}
				if n, err := tx.SealCredentials(ctx); err != nil || n != 0 {
					t.Fatalf("sealed %d credentials again, %v; want 0", n, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			err = db.View(ctx, func(tx *store.Tx) error {
				raw(tx, `SELECT totp_secret FROM users WHERE id = ?`, legacy.ID, legacyTOTP)
				raw(tx, `SELECT data FROM user_totp_secrets WHERE user_id = ?`, legacy.ID, legacyTOTP)
				raw(tx, `SELECT client_secret FROM organisation_oidc WHERE organisation_id = ?`, org.ID, legacyOIDC)
				raw(tx, `SELECT data FROM oidc_client_secrets WHERE organisation_id = ?`, org.ID, legacyOIDC)
				if got, err := tx.TOTPSecret(ctx, legacy.ID); err != nil || got != legacyTOTP {
					t.Errorf("legacy secret after sealing: %v", err)
				}
				if cfg, err := tx.OrganisationOIDC(ctx, org.ID); err != nil || cfg.ClientSecret != legacyOIDC {
					t.Errorf("legacy client secret after sealing: %v", err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

// caseNoteAAD is where the service binds a case note's sealed text: the
// test checks the service seals a legacy note for its own place.
func caseNoteAAD(id int64) []byte { return fmt.Appendf(nil, "case_note:%d", id) }
