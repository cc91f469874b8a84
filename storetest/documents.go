package storetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/document"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/store"
)

// RunDocuments checks the document methods: a document on a perpetrator's
// case and one on a victim-survivor's read back as stored, each on its own
// case's list only; the sealed file reads back byte for byte and is never
// the plain file in the table; a document on both kinds of case at once is
// refused; key rotation visits documents.
func RunDocuments(t *testing.T, e Engine) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := e.Open(t, FixedClock(now))
	f := NewAlertSite(t, db, "DC")
	keys, err := sealed.NewKeyring(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte("%PDF-1.7 COURT-ORDER-TEXT")
	seal := func(b []byte) store.SealedValue {
		v, err := keys.Seal(rand.Reader, b, []byte("document"))
		if err != nil {
			t.Fatal(err)
		}
		return store.SealedValue{Data: v.Marshal(), KeyID: v.KeyID}
	}
	his := document.Document{SiteID: f.Site.ID, CaseID: f.Case.ID, Title: "Order", FileName: "order.pdf", Kind: document.PDF, Size: len(plain), UploadedBy: f.Manager.ID}
	hers := document.Document{SiteID: f.Site.ID, VictimCaseID: f.Victim.ID, Title: "Letter", FileName: "letter.png", Kind: document.PNG, Size: 3, UploadedBy: f.IDVA.ID}
	if err := db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateDocument(ctx, &his, seal(plain)); err != nil {
			return err
		}
		return tx.CreateDocument(ctx, &hers, seal([]byte("png")))
	}); err != nil {
		t.Fatal(err)
	}
	both := his
	both.VictimCaseID = f.Victim.ID
	if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CreateDocument(ctx, &both, seal(plain)) }); err == nil {
		t.Error("a document on both kinds of case was stored")
	}
	err = db.View(ctx, func(tx *store.Tx) error {
		got, err := tx.Document(ctx, his.ID)
		if err != nil {
			return err
		}
		if *got != his || !got.UploadedAt.Equal(now) {
			t.Errorf("read back: %+v; want %+v", got, his)
		}
		if _, err := tx.Document(ctx, 999999); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Errorf("a missing document: %v", err)
		}
		file, err := tx.DocumentFile(ctx, his.ID)
		if err != nil {
			return err
		}
		if bytes.Contains(file.Data, []byte("COURT-ORDER-TEXT")) {
			t.Error("the file is stored in the clear")
		}
		sv, err := sealed.ParseSealed(file.Data)
		if err != nil {
			return err
		}
		if back, err := keys.Open(sv, []byte("document")); err != nil || !bytes.Equal(back, plain) {
			t.Errorf("the file reads back as %q (%v)", back, err)
		}
		cs, err := tx.CaseDocuments(ctx, f.Case.ID)
		if err != nil {
			return err
		}
		vs, err := tx.VictimDocuments(ctx, f.Victim.ID)
		if err != nil {
			return err
		}
		if len(cs) != 1 || cs[0].ID != his.ID || len(vs) != 1 || vs[0].ID != hers.ID {
			t.Errorf("lists: %+v %+v", cs, vs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	if err := db.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.RewrapAll(ctx, func(v store.SealedValue) (store.SealedValue, bool, error) {
			if sv, err := sealed.ParseSealed(v.Data); err == nil {
				if b, err := keys.Open(sv, []byte("document")); err == nil && bytes.Equal(b, plain) {
					seen++
				}
			}
			return v, false, nil
		})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if seen != 1 {
		t.Errorf("key rotation visited his document %d times", seen)
	}
}
