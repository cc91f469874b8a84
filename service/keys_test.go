package service_test

import (
	"context"
	"crypto/rand"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// TestRewrapKeysAndCheckTheLog rotates the keyring through the service on
// both engines: only the command line may; the sealed note opens again
// under the new key; a second rotation with nothing to do re-wraps
// nothing; the rotation is in the audit log, and the log checks intact.
func TestRewrapKeysAndCheckTheLog(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWorld(t, e)
			ctx := context.Background()
			cm := w.actor(t, "cm")
			id := w.newCase(t)
			if err := w.svc.AddNote(ctx, cm, id, &casework.Note{Text: "Seen at the office"}); err != nil {
				t.Fatal(err)
			}
			head := w.head(t)
			if _, err := w.svc.RewrapKeys(ctx, cm); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a case manager rotating keys: %v, want not found", err)
			}
			if err := w.svc.Keys.Rotate(rand.Reader); err != nil {
				t.Fatal(err)
			}
			n, err := w.svc.RewrapKeys(ctx, service.CommandLine())
			if err != nil || n == 0 {
				t.Fatalf("rewrap = %d, %v; want some values re-wrapped", n, err)
			}
			if again, err := w.svc.RewrapKeys(ctx, service.CommandLine()); err != nil || again != 0 {
				t.Errorf("second rewrap = %d, %v; want 0", again, err)
			}
			es := w.events(t, head)
			if len(es) != 2 || es[0].Action != "keys.rotate" || es[0].ActorRole != "system" {
				t.Errorf("audit = %s", summary(es))
			}
			view, err := w.svc.Case(ctx, cm, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(view.Notes) == 0 || view.Notes[len(view.Notes)-1].Text != "Seen at the office" {
				t.Errorf("the note does not open under the new key: %+v", view.Notes)
			}

			v, err := audit.NewVerifier()
			if err != nil {
				t.Fatal(err)
			}
			var progress int
			res, err := w.svc.CheckAuditLog(ctx, v, 1, func(seen, seq int64) { progress++ })
			if err != nil || res.Broken != nil {
				t.Fatalf("check = %v, %v", res.Broken, err)
			}
			if res.Report.Events < 3 || int64(progress) != res.Report.Events {
				t.Errorf("checked %d events with %d progress calls", res.Report.Events, progress)
			}
		})
	}
}
