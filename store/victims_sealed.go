package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/sealed"
)

// SealedValue is an encrypted value as stored: sealed.Sealed.Marshal()
// bytes and the id of the key that wrapped its data key. The store never
// sees plaintext: it keeps these bytes exactly as given and returns them
// unchanged, and checks only that they have a sealed value's layout and
// name KeyID.
//
// The caller (the service) seals and opens with a sealed.Keyring, binding
// each value to its place with associated data it alone defines, so a
// value copied onto another row or column fails to open.
type SealedValue struct {
	Data  []byte
	KeyID string
}

// SealedValueOf is the stored form of a sealed value.
func SealedValueOf(s sealed.Sealed) SealedValue {
	return SealedValue{Data: s.Marshal(), KeyID: s.KeyID}
}

// Parse decodes the stored bytes for sealed.Keyring.Open or Rewrap.
// Errors: those of sealed.ParseSealed (wrapping sealed.ErrTampered).
func (v SealedValue) Parse() (sealed.Sealed, error) { return sealed.ParseSealed(v.Data) }

// IsZero reports whether no value is held.
func (v SealedValue) IsZero() bool { return len(v.Data) == 0 && v.KeyID == "" }

// check refuses bytes that are not a sealed value naming v.KeyID, so a
// plaintext can never be stored by mistake in a sealed column.
func (v SealedValue) check(what string) error {
	s, err := sealed.ParseSealed(v.Data)
	if err != nil {
		return drive.Wrap(err, drive.EINVALID, "the "+what+" to store is not a sealed value")
	}
	if s.KeyID != v.KeyID {
		return drive.Errorf(drive.EINVALID, "the %s to store names key %q but is wrapped under key %s", what, v.KeyID, s.KeyID)
	}
	return nil
}

// SealedEntry is a dated, sealed entry on a victim-survivor's case: a
// victim-side note or an IDVA contact. Body is the sealed text.
type SealedEntry struct {
	ID, VictimCaseID, Amends, CreatedBy int64
	On                                  drive.Date
	Kind                                string
	Body                                SealedValue
	CreatedAt                           time.Time
}

// IDVAContactKinds are the kinds of IDVA contact.
func IDVAContactKinds() []string { return []string{"call", "visit", "message", "attempt"} }

// setSealed stores the one value of a victim-survivor's case in table,
// replacing any before it.
func (tx *Tx) setSealed(ctx context.Context, table, what string, victimCaseID int64, v SealedValue, by int64) error {
	if err := v.check(what); err != nil {
		return err
	}
	if _, ok, err := tx.victimCaseSite(ctx, victimCaseID); err != nil {
		return err
	} else if !ok {
		return drive.NotFound("victim-survivor's case")
	}
	_, err := tx.exec(ctx, `INSERT INTO `+table+` (victim_case_id, data, key_id, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (victim_case_id) DO UPDATE SET data = excluded.data, key_id = excluded.key_id,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`, victimCaseID, v.Data, v.KeyID, optID(by), tx.Now)
	return err
}

func (tx *Tx) getSealed(ctx context.Context, table, what string, victimCaseID int64) (SealedValue, error) {
	var v SealedValue
	err := tx.queryRow(ctx, `SELECT data, key_id FROM `+table+` WHERE victim_case_id = ?`, victimCaseID).Scan(&v.Data, &v.KeyID)
	if err != nil {
		return SealedValue{}, tx.scanErr(err, what)
	}
	return v, nil
}

// SetCompartment stores a victim-survivor's sealed compartment (where she
// is and how to reach her), replacing the one before, recording who set
// it. Errors: ENOTFOUND for no such victim-survivor's case, EINVALID if v
// is not a sealed value.
func (tx *Tx) SetCompartment(ctx context.Context, victimCaseID int64, v SealedValue, by int64) error {
	return tx.setSealed(ctx, "victim_compartments", "compartment", victimCaseID, v, by)
}

// Compartment returns a victim-survivor's sealed compartment. Errors:
// ENOTFOUND when none is recorded.
func (tx *Tx) Compartment(ctx context.Context, victimCaseID int64) (SealedValue, error) {
	return tx.getSealed(ctx, "victim_compartments", "compartment", victimCaseID)
}

// CaseCompartments returns the sealed compartments of the victim-survivors
// linked to a perpetrator case, keyed by victim case id, so the service
// can check that free text written on the perpetrator's case does not
// carry them (victim.Leaks). It is for that check only: nothing it returns
// may be shown on the perpetrator's side.
func (tx *Tx) CaseCompartments(ctx context.Context, perpetratorCaseID int64) (map[int64]SealedValue, error) {
	rows, err := tx.query(ctx, `SELECT c.victim_case_id, c.data, c.key_id FROM victim_links l
		JOIN victim_compartments c ON c.victim_case_id = l.victim_case_id WHERE l.case_id = ?`, perpetratorCaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]SealedValue{}
	for rows.Next() {
		var id int64
		var v SealedValue
		if err := rows.Scan(&id, &v.Data, &v.KeyID); err != nil {
			return nil, tx.d.mapError(err)
		}
		out[id] = v
	}
	return out, tx.d.mapError(rows.Err())
}

// SetSafetyPlan stores a victim-survivor's sealed safety plan, replacing
// the one before. Errors: ENOTFOUND for no such victim-survivor's case,
// EINVALID if v is not a sealed value.
func (tx *Tx) SetSafetyPlan(ctx context.Context, victimCaseID int64, v SealedValue, by int64) error {
	return tx.setSealed(ctx, "victim_safety_plans", "safety plan", victimCaseID, v, by)
}

// SafetyPlan returns a victim-survivor's sealed safety plan. Errors:
// ENOTFOUND when none is recorded.
func (tx *Tx) SafetyPlan(ctx context.Context, victimCaseID int64) (SealedValue, error) {
	return tx.getSealed(ctx, "victim_safety_plans", "safety plan", victimCaseID)
}

// validKind reports whether s is a short code of lower-case letters and
// underscores.
func validKind(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_') {
			return false
		}
	}
	return true
}

// AddVictimNote appends a sealed note to a victim-survivor's case and sets
// ID and CreatedAt. Kind is a short code ("note" when empty, or such as
// "safeguarding"); On is the day the note is about (today when zero). A
// correction names the note it amends, which must belong to the same
// case; both stay, and there is no way to change or delete a note.
// Errors: EINVALID (a future date, a bad kind, a body that is not sealed,
// an amended note of another case or none, a case that does not exist).
func (tx *Tx) AddVictimNote(ctx context.Context, e *SealedEntry) error {
	today := drive.DateOf(tx.Now)
	if e.Kind == "" {
		e.Kind = "note"
	}
	if e.On.IsZero() {
		e.On = today
	}
	f := map[string]string{}
	if !validKind(e.Kind) {
		f["kind"] = "Choose the kind of note"
	}
	if e.On.After(today) {
		f["on"] = "A note cannot be dated in the future"
	}
	if e.Amends != 0 {
		var owner int64
		err := tx.queryRow(ctx, `SELECT victim_case_id FROM victim_notes WHERE id = ?`, e.Amends).Scan(&owner)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return tx.d.mapError(err)
		}
		if err != nil || owner != e.VictimCaseID {
			f["amends"] = "A correction must amend an earlier note of the same victim-survivor's case"
		}
	}
	if len(f) > 0 {
		return drive.Invalid("Check the note", f)
	}
	if err := e.Body.check("note"); err != nil {
		return err
	}
	e.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO victim_notes (victim_case_id, kind, noted_on, body, key_id, amends, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.VictimCaseID, e.Kind, e.On, e.Body.Data, e.Body.KeyID, optID(e.Amends), optID(e.CreatedBy), e.CreatedAt)
	if err != nil {
		return err
	}
	e.ID = id
	return nil
}

// VictimNotes returns a victim-survivor's notes, oldest first,
// corrections and the notes they amend alike.
func (tx *Tx) VictimNotes(ctx context.Context, victimCaseID int64) ([]SealedEntry, error) {
	return tx.entries(ctx, `SELECT id, victim_case_id, amends, created_by, noted_on, kind, body, key_id, created_at
		FROM victim_notes WHERE victim_case_id = ? ORDER BY created_at, id`, victimCaseID)
}

// AddIDVAContact records a sealed IDVA contact with a victim-survivor and
// sets ID and CreatedAt. Kind is one of IDVAContactKinds; On is the day
// of the contact, not in the future. Amends must be 0. Errors: EINVALID
// (kind, date, a body that is not sealed, a case that does not exist).
func (tx *Tx) AddIDVAContact(ctx context.Context, e *SealedEntry) error {
	f := map[string]string{}
	known := false
	for _, k := range IDVAContactKinds() {
		known = known || k == e.Kind
	}
	if !known {
		f["kind"] = "Choose call, visit, message or attempt"
	}
	switch {
	case e.On.IsZero():
		f["on"] = "Enter the date of the contact"
	case e.On.After(drive.DateOf(tx.Now)):
		f["on"] = "A contact cannot be dated in the future"
	}
	if e.Amends != 0 {
		f["amends"] = "A contact does not amend another"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the contact", f)
	}
	if err := e.Body.check("contact"); err != nil {
		return err
	}
	e.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO idva_contacts (victim_case_id, kind, contact_on, body, key_id, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.VictimCaseID, e.Kind, e.On, e.Body.Data, e.Body.KeyID, optID(e.CreatedBy), e.CreatedAt)
	if err != nil {
		return err
	}
	e.ID = id
	return nil
}

// IDVAContacts returns a victim-survivor's IDVA contacts, oldest first.
func (tx *Tx) IDVAContacts(ctx context.Context, victimCaseID int64) ([]SealedEntry, error) {
	return tx.entries(ctx, `SELECT id, victim_case_id, NULL, created_by, contact_on, kind, body, key_id, created_at
		FROM idva_contacts WHERE victim_case_id = ? ORDER BY contact_on, id`, victimCaseID)
}

func (tx *Tx) entries(ctx context.Context, query string, victimCaseID int64) ([]SealedEntry, error) {
	rows, err := tx.query(ctx, query, victimCaseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SealedEntry
	for rows.Next() {
		var e SealedEntry
		var amends, by sql.NullInt64
		if err := rows.Scan(&e.ID, &e.VictimCaseID, &amends, &by, &e.On, &e.Kind, &e.Body.Data, &e.Body.KeyID, &e.CreatedAt); err != nil {
			return nil, tx.d.mapError(err)
		}
		e.Amends, e.CreatedBy, e.CreatedAt = amends.Int64, by.Int64, e.CreatedAt.UTC()
		out = append(out, e)
	}
	return out, tx.d.mapError(rows.Err())
}

// sealedColumns lists every sealed value the store holds: each table, its
// key, its sealed column and the column naming the key that wraps it
// ("key_id" when empty). RewrapAll visits them all; a new sealed column
// must be added here.
var sealedColumns = []struct{ table, key, data, keyID string }{
	{"victim_compartments", "victim_case_id", "data", ""},
	{"victim_safety_plans", "victim_case_id", "data", ""},
	{"victim_dash_comments", "assessment_id", "data", ""},
	{"victim_notes", "id", "body", ""},
	{"idva_contacts", "id", "body", ""},
	{"case_note_bodies", "note_id", "data", ""},
	{"user_totp_secrets", "user_id", "data", ""},
	{"oidc_client_secrets", "organisation_id", "data", ""},
	{"trial_seeds", "trial_id", "data", ""},
	{"evaluation_projects", "id", "secret", "secret_key_id"},
	{"service_views", "id", "text", ""},
	{"documents", "id", "data", ""},
}

// rewrapBatch is how many values RewrapAll reads at a time, so memory
// stays flat however many values there are.
const rewrapBatch = 500

// RewrapAll visits every sealed value in every victim table once, for key
// rotation: fn returns the replacement and ok true to store it (typically
// Keyring.Rewrap of a value under an old key), or ok false to leave the
// value as it is. It returns how many values were replaced. The
// replacement is checked like any sealed value before it is stored.
//
// It runs in the caller's transaction, so a failure leaves every value as
// it was. Errors: the first error fn returns, EINVALID for a replacement
// that is not a sealed value.
func (tx *Tx) RewrapAll(ctx context.Context, fn func(v SealedValue) (SealedValue, bool, error)) (int, error) {
	replaced := 0
	for _, col := range sealedColumns {
		keyID := col.keyID
		if keyID == "" {
			keyID = "key_id"
		}
		type row struct {
			key int64
			v   SealedValue
		}
		after := int64(-1 << 63)
		for {
			rows, err := tx.query(ctx, `SELECT `+col.key+`, `+col.data+`, `+keyID+` FROM `+col.table+
				` WHERE `+col.key+` > ? AND `+col.data+` IS NOT NULL ORDER BY `+col.key+` LIMIT ?`, after, rewrapBatch)
			if err != nil {
				return replaced, err
			}
			var batch []row
			for rows.Next() {
				var r row
				if err := rows.Scan(&r.key, &r.v.Data, &r.v.KeyID); err != nil {
					rows.Close()
					return replaced, tx.d.mapError(err)
				}
				batch = append(batch, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return replaced, tx.d.mapError(err)
			}
			// The batch is read in full before any update, since a
			// PostgreSQL connection runs one statement at a time.
			for _, r := range batch {
				nv, ok, err := fn(r.v)
				if err != nil {
					return replaced, err
				}
				if !ok {
					continue
				}
				if err := nv.check("replacement value"); err != nil {
					return replaced, err
				}
				if _, err := tx.exec(ctx, `UPDATE `+col.table+` SET `+col.data+` = ?, `+keyID+` = ? WHERE `+col.key+` = ?`, nv.Data, nv.KeyID, r.key); err != nil {
					return replaced, err
				}
				replaced++
			}
			if len(batch) < rewrapBatch {
				break
			}
			after = batch[len(batch)-1].key
		}
	}
	return replaced, nil
}
