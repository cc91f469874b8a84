package service_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// TestVictimsAndHeldTexts holds the wall between the perpetrator's side
// and the victim-survivor's on both engines: her protected details are
// sealed at rest and open only on her IDVA's side, and free text on a
// linked perpetrator's case that names them is stored, shown to its
// author, withheld from every other reader and put to her IDVA.
func TestVictimsAndHeldTexts(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			t.Run("compartment", func(t *testing.T) { testCompartment(t, w) })
			t.Run("held text", func(t *testing.T) { testHeldText(t, w) })
		})
	}
}

// testCompartment: her address is stored sealed; her IDVA and the IDVA
// service's team leader open it (and the opening is audited apart from
// the read); the perpetrator's side gets "not found" for her record and
// only risk facts on his case; a service with other keys, or none, cannot
// open it.
func testCompartment(t *testing.T, w *world) {
	ctx := context.Background()
	err := w.db.View(ctx, func(tx *store.Tx) error {
		sv, err := tx.Compartment(ctx, w.victimID)
		if err != nil {
			return err
		}
		if sv.KeyID == "" || len(sv.Data) == 0 {
			t.Errorf("stored compartment = %+v; want sealed data with its key", sv)
		}
		for _, plain := range []string{herPostcode, herStreet, herPhone, "Canaryline"} {
			if bytes.Contains(sv.Data, []byte(plain)) {
				t.Errorf("stored compartment holds %q in the clear", plain)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	for _, name := range []string{"idva", "idvalead"} {
		seq := w.head(t)
		v, err := w.svc.Victim(ctx, w.actor(t, name), w.victimID)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if v.Protected == nil || len(v.Protected.Compartment.Addresses) != 1 || v.Protected.Compartment.Addresses[0].Postcode != herPostcode {
			t.Errorf("%s: protected = %+v; want her address", name, v.Protected)
		}
		role := map[string]string{"idva": "idva", "idvalead": "team_leader"}[name]
		want := "record.read " + role + " victim allowed\ncompartment.read " + role + " victim allowed"
		if got := summary(w.events(t, seq)); got != want {
			t.Errorf("%s: audit after reading her record:\n%s\nwant:\n%s", name, got, want)
		}
	}

	before := w.state(t)
	for _, name := range []string{"cm", "lead", "otherCM"} {
		a := w.actor(t, name)
		seq := w.head(t)
		v, err := w.svc.Victim(ctx, a, w.victimID)
		if drive.ErrorCode(err) != drive.ENOTFOUND || v.Protected != nil {
			t.Errorf("%s reading her record: %v, protected %v; want not found", name, err, v.Protected)
		}
		err = w.svc.SetCompartment(ctx, a, w.victimID, victim.Compartment{Addresses: []victim.Address{{Line1: "1 Other Road", Town: "Northmoor", Postcode: "NM1 1AA"}}})
		wantCode(t, err, drive.ENOTFOUND)
		es := w.events(t, seq)
		if got := summary(es); got != "access.denied  victim denied\naccess.denied  victim denied" {
			t.Errorf("%s: audit after two refusals:\n%s", name, got)
		}
		for _, e := range es {
			if e.ActorID != a.UserID || e.RecordID != strconv.FormatInt(w.victimID, 10) {
				t.Errorf("%s: refusal recorded as %+v", name, e)
			}
		}
	}
	if after := w.state(t); withoutAudit(after) != withoutAudit(before) {
		t.Fatalf("refusals changed records:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// The case manager sees her risk on his case page, never where she is.
	v, err := w.svc.CasePage(ctx, w.actor(t, "cm"), w.caseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.RiskFacts) != 1 || !v.RiskFacts[0].IDVAAllocated || v.RiskFacts[0].Relationship != victim.ExPartner {
		t.Errorf("risk facts = %+v; want one linked victim-survivor with an IDVA", v.RiskFacts)
	}
	page, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{herPostcode, herStreet, herPhone, "Sam", "Example"} {
		if bytes.Contains(page, []byte(secret)) {
			t.Errorf("the case manager's view of his case holds %q", secret)
		}
	}

	// Invalid details change nothing: her address is as it was.
	idva := w.actor(t, "idva")
	before = w.state(t)
	err = w.svc.SetCompartment(ctx, idva, w.victimID, victim.Compartment{Addresses: []victim.Address{{Line1: "1 Other Road", Postcode: "not a postcode"}}})
	wantCode(t, err, drive.EINVALID)
	if after := w.state(t); after != before {
		t.Errorf("invalid details wrote:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if v, err := w.svc.Victim(ctx, idva, w.victimID); err != nil || v.Protected.Compartment.Addresses[0].Postcode != herPostcode {
		t.Errorf("after invalid details: %v %+v; want her address unchanged", err, v.Protected)
	}

	// Sealed means sealed with the service's keys.
	other := &service.Service{DB: w.db, Keys: storetest.Keys(t)}
	_, err = other.Victim(ctx, idva, w.victimID)
	wantCode(t, err, drive.EINTERNAL)
	keyless := &service.Service{DB: w.db}
	_, err = keyless.Victim(ctx, idva, w.victimID)
	wantCode(t, err, drive.EUNAVAILABLE)
}

// linkedCase adds an active case at site A, allocated to cm and linked to
// the fixture's victim-survivor.
func (w *world) linkedCase(t *testing.T) int64 {
	t.Helper()
	id := w.newCase(t)
	err := w.db.Transact(context.Background(), func(tx *store.Tx) error {
		return tx.LinkVictim(context.Background(), victim.Link{VictimCaseID: w.victimID, PerpetratorCase: id, Relationship: victim.ExPartner})
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// testHeldText: a note naming her postcode, and one that does not, on a
// case linked to her. The writer cannot tell them apart; the revealing
// one is withheld from the provider's team leader until her IDVA releases
// it, and only those on her side may decide.
func testHeldText(t *testing.T, w *world) {
	ctx := context.Background()
	cm, lead, idva := w.actor(t, "cm"), w.actor(t, "lead"), w.actor(t, "idva")
	id := w.linkedCase(t)
	revealing := "Saw him waiting near " + herPostcode + " on Tuesday"
	plain := "Attended the group session on time"

	// What the writer can observe of each write: the answer and the audit
	// events written as them.
	write := func(text string) (*casework.Note, string) {
		t.Helper()
		seq := w.head(t)
		n := &casework.Note{Text: text}
		err := w.svc.AddNote(ctx, cm, id, n)
		if err != nil {
			t.Fatalf("note %q: %v", text, err)
		}
		var mine []audit.Event
		for _, e := range w.events(t, seq) {
			if e.ActorID == cm.UserID {
				mine = append(mine, e)
			}
		}
		return n, summary(mine)
	}
	held, heldSeen := write(revealing)
	ok, okSeen := write(plain)
	if heldSeen != okSeen || okSeen != "record.write case_manager case allowed" {
		t.Errorf("the writer's audit trail differs:\nrevealing note:\n%s\nplain note:\n%s", heldSeen, okSeen)
	}

	notes := func(a service.Actor) map[int64]string {
		t.Helper()
		v, err := w.svc.Case(ctx, a, id)
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]string{}
		for _, n := range v.Notes {
			out[n.ID] = n.Text
		}
		return out
	}
	if got := notes(cm); got[held.ID] != revealing || got[ok.ID] != plain {
		t.Errorf("the author reads %q and %q; want both as written", got[held.ID], got[ok.ID])
	}
	if got := notes(lead); got[held.ID] != victim.WithheldText || got[ok.ID] != plain {
		t.Errorf("the team leader reads %q and %q; want the first withheld and the second as written", got[held.ID], got[ok.ID])
	}

	// Her IDVA has it to review, as written and by whom.
	v, err := w.svc.Victim(ctx, idva, w.victimID)
	if err != nil {
		t.Fatal(err)
	}
	var hv *service.HeldView
	for i := range v.Held {
		if v.Held[i].RecordType == victim.HeldNote && v.Held[i].RecordID == held.ID {
			hv = &v.Held[i]
		}
		if v.Held[i].RecordID == ok.ID && v.Held[i].RecordType == victim.HeldNote {
			t.Errorf("the plain note is held: %+v", v.Held[i])
		}
	}
	if hv == nil {
		t.Fatalf("held texts for her IDVA = %+v; want the revealing note", v.Held)
	}
	if hv.Text != revealing || hv.Status != victim.Withheld || hv.AuthorID != cm.UserID || hv.Author != "User cm" || hv.CaseID != id {
		t.Errorf("held text = %+v", hv)
	}
	rows, err := w.svc.Victims(ctx, idva, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].ToReview < 1 {
		t.Errorf("her IDVA's list = %+v; want her with a text to review", rows)
	}

	// Only her side decides: the perpetrator's side cannot release it.
	for _, a := range []service.Actor{cm, lead} {
		wantCode(t, w.svc.ReviewHeldText(ctx, a, w.victimID, hv.ID, victim.Released), drive.ENOTFOUND)
	}
	if got := notes(lead); got[held.ID] != victim.WithheldText {
		t.Fatalf("after refused releases the team leader reads %q", got[held.ID])
	}
	wantCode(t, w.svc.ReviewHeldText(ctx, idva, w.victimID, hv.ID, victim.Withheld), drive.EINVALID)
	seq := w.head(t)
	if err := w.svc.ReviewHeldText(ctx, idva, w.victimID, hv.ID, victim.Released); err != nil {
		t.Fatal(err)
	}
	if got, want := summary(w.events(t, seq)), "barrier.release idva held_text ok\nrecord.write idva victim allowed"; got != want {
		t.Errorf("audit after release:\n%s\nwant:\n%s", got, want)
	}
	if got := notes(lead); got[held.ID] != revealing {
		t.Errorf("after release the team leader reads %q; want it as written", got[held.ID])
	}
	if !strings.Contains(revealing, herPostcode) {
		t.Fatal("the revealing note no longer names her postcode")
	}
}
