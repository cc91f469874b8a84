package service_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/backup"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// takeBackup backs up w's database as the command line does.
func takeBackup(t *testing.T, w *world, priv ed25519.PrivateKey) (*backup.Archive, service.BackupResult, []byte) {
	t.Helper()
	return takeBackupWith(t, w, priv, "")
}

// takeBackupWith backs up w's database with the pg_dump program given
// (none: the service's own export).
func takeBackupWith(t *testing.T, w *world, priv ed25519.PrivateKey, pgDump string) (*backup.Archive, service.BackupResult, []byte) {
	t.Helper()
	var buf bytes.Buffer
	res, err := w.svc.Backup(context.Background(), service.CommandLine(), &buf, service.BackupOptions{SigningKey: priv, TempDir: t.TempDir(), PgDump: pgDump})
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	arc, err := backup.OpenArchive(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	return arc, res, buf.Bytes()
}

// addNotes writes n notes on w's case as its case manager.
func addNotes(t *testing.T, w *world, n int) {
	t.Helper()
	cm := w.actor(t, "cm")
	for i := range n {
		if err := w.svc.AddNote(context.Background(), cm, w.caseID, &casework.Note{Text: fmt.Sprintf("Session %d attended.", i)}); err != nil {
			t.Fatal(err)
		}
	}
}

// pgTools finds the PostgreSQL client tools the way drive backup does
// (on PATH), or in the server's own folder, which holds them too. The
// PostgreSQL tests need a PostgreSQL 15 server's binaries (README.md), so
// a machine without them fails rather than skipping the drill.
func pgTools(t *testing.T) (dump, restore string) {
	t.Helper()
	find := func(name string) string {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
		p := "/usr/lib/postgresql/15/bin/" + name
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("no %s on PATH or in /usr/lib/postgresql/15/bin: the restore drill on PostgreSQL needs the client tools", name)
		}
		return p
	}
	return find("pg_dump"), find("pg_restore")
}

// TestRestoreDrill is the restore drill: a backup taken while notes are
// being written restores into an empty database whose tables match the
// manifest, whose audit chain verifies up to the signed checkpoint, and
// whose sealed values open with the key file. On PostgreSQL it runs twice:
// with the service's own export, and with pg_dump and pg_restore.
func TestRestoreDrill(t *testing.T) {
	type drill struct {
		name              string
		e                 storetest.Engine
		pgDump, pgRestore string
	}
	var drills []drill
	for _, e := range storetest.Engines(t) {
		drills = append(drills, drill{name: e.Name, e: e})
		if e.Name == "postgres" {
			dump, restore := pgTools(t)
			drills = append(drills, drill{name: "postgres-pg_dump", e: e, pgDump: dump, pgRestore: restore})
		}
	}
	for _, d := range drills {
		e := d.e
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorldAt(t, e, time.Now)
			w.svc.TextLimit = 1 << 20
			pub, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			addNotes(t, w, 3)

			// Writes run before, during and after the backup.
			cm := w.actor(t, "cm")
			stop := make(chan struct{})
			var written atomic.Int64
			var wg sync.WaitGroup
			var writeErr error
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					if err := w.svc.AddNote(ctx, cm, w.caseID, &casework.Note{Text: fmt.Sprintf("Concurrent note %d.", i)}); err != nil {
						writeErr = err
						return
					}
					written.Add(1)
				}
			}()
			for written.Load() < 5 {
				time.Sleep(time.Millisecond)
			}
			arc, res, _ := takeBackupWith(t, w, priv, d.pgDump)
			during := written.Load()
			if want := map[bool]string{true: backup.DataPgDump}[d.pgDump != ""]; arc.Manifest.Data != want {
				t.Errorf("the backup's data is %q, want %q", arc.Manifest.Data, want)
			}
			for written.Load() < during+5 {
				time.Sleep(time.Millisecond)
			}
			close(stop)
			wg.Wait()
			if writeErr != nil {
				t.Fatalf("concurrent write: %v", writeErr)
			}
			if head := w.head(t); res.Checkpoint.Seq >= head {
				t.Fatalf("the checkpoint covers event %d but the live log reached only %d: the writes did not run past the backup", res.Checkpoint.Seq, head)
			}
			auditTable, ok := arc.Manifest.Table("audit_events")
			if !ok || auditTable.Rows != res.Checkpoint.Seq {
				t.Fatalf("manifest audit_events = %+v, checkpoint at event %d", auditTable, res.Checkpoint.Seq)
			}
			if notes, _ := arc.Manifest.Table("case_notes"); notes.Rows < 8 {
				t.Errorf("the backup holds %d notes, want at least the 3 before and 5 during the writes", notes.Rows)
			}
			if arc.Manifest.Keys.Current != w.svc.Keys.Current().ID() {
				t.Errorf("manifest key fingerprint %+v, key file's current key %s", arc.Manifest.Keys, w.svc.Keys.Current().ID())
			}

			target := storetest.EmptyTarget(t, e.Name)
			if d.pgDump != "" {
				// Without pg_restore a pg_dump backup cannot be read, and the
				// database is left as it was.
				if _, err := service.Restore(ctx, arc, target, service.RestoreOptions{PublicKey: pub, Keys: w.svc.Keys}, time.Now); drive.ErrorCode(err) != drive.EINVALID || !strings.Contains(drive.ErrorMessage(err), "pg_restore") {
					t.Errorf("restoring a pg_dump backup without pg_restore: %v", err)
				}
			}
			rep, err := service.Restore(ctx, arc, target, service.RestoreOptions{PublicKey: pub, Keys: w.svc.Keys, PgRestore: d.pgRestore, TempDir: t.TempDir()}, time.Now)
			if err != nil {
				t.Fatalf("restore: %v", err)
			}
			if rep.Audit.HeadSeq != res.Checkpoint.Seq {
				t.Errorf("restore report: audit head %d (want %d), %d sealed values", rep.Audit.HeadSeq, res.Checkpoint.Seq, rep.Sealed)
			}
			notesTable, _ := arc.Manifest.Table("case_note_bodies")
			if int64(rep.Sealed) < notesTable.Rows+1 {
				t.Errorf("restore checked %d sealed values; the backup holds %d note bodies and a compartment", rep.Sealed, notesTable.Rows)
			}

			// The restored database, opened as the service would open it.
			db, err := store.Open(ctx, target, store.Options{Keys: storetest.CredentialKeys()})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rsvc := &service.Service{DB: db, Keys: w.svc.Keys}
			v, err := audit.NewVerifier(res.Checkpoint)
			if err != nil {
				t.Fatal(err)
			}
			check, err := rsvc.CheckAuditLog(ctx, v, 0, nil)
			if err != nil || check.Broken != nil {
				t.Fatalf("restored log: %v, %v", err, check.Broken)
			}
			if check.Report.HeadSeq != res.Checkpoint.Seq+1 || check.Report.Checkpoints != 1 {
				t.Errorf("restored log: %s; want the checkpoint's event %d and the restore's own event after it", check.Report, res.Checkpoint.Seq)
			}
			got, err := db.TableDigests(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range got {
				want, _ := arc.Manifest.Table(g.Name)
				if g.Name != "audit_events" && g != want {
					t.Errorf("restored table %+v, backup %+v", g, want)
				}
			}
			// Her compartment opens for her IDVA from the restored database.
			idva := w.actor(t, "idva")
			view, err := rsvc.Victim(ctx, idva, w.victimID)
			if err != nil || view.Protected == nil || len(view.Protected.Compartment.Addresses) == 0 ||
				view.Protected.Compartment.Addresses[0].Postcode != herPostcode {
				t.Errorf("her compartment in the restored database: %v, %+v", err, view)
			}
			// A new record gets a new id: the sequences were moved on.
			rsvc.TextLimit = 1 << 20
			if err := rsvc.AddNote(ctx, cm, w.caseID, &casework.Note{Text: "Written after the restore."}); err != nil {
				t.Errorf("writing to the restored database: %v", err)
			}

			// Restoring again into the now-used target is refused.
			if _, err := service.Restore(ctx, arc, target, service.RestoreOptions{PublicKey: pub, Keys: w.svc.Keys, PgRestore: d.pgRestore}, time.Now); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("restore into a database that is not empty = %v, want EINVALID", err)
			}
		})
	}
}

// TestRestoreRefusesUntrustedBackups checks that a backup signed with
// another key, or whose data does not match its manifest, is not restored
// and leaves nothing behind.
func TestRestoreRefusesUntrustedBackups(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorldAt(t, e, time.Now)
			w.svc.TextLimit = 1 << 20
			pub, priv, _ := ed25519.GenerateKey(rand.Reader)
			otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
			first, _, firstBytes := takeBackup(t, w, priv)
			addNotes(t, w, 2)
			_, _, secondBytes := takeBackup(t, w, priv)

			t.Run("another key", func(t *testing.T) {
				target := storetest.EmptyTarget(t, e.Name)
				_, err := service.Restore(ctx, first, target, service.RestoreOptions{PublicKey: otherPub, Keys: w.svc.Keys}, time.Now)
				if !errors.Is(err, backup.ErrBadSignature) {
					t.Fatalf("restore with another key = %v, want ErrBadSignature", err)
				}
				assertEmpty(t, ctx, e.Name, target)
			})
			t.Run("data swapped", func(t *testing.T) {
				// The first backup's signed manifest over the second's data.
				arc := spliceArchive(t, firstBytes, secondBytes)
				target := storetest.EmptyTarget(t, e.Name)
				_, err := service.Restore(ctx, arc, target, service.RestoreOptions{PublicKey: pub, Keys: w.svc.Keys}, time.Now)
				if drive.ErrorCode(err) != drive.EINVALID {
					t.Fatalf("restore of swapped data = %v, want EINVALID", err)
				}
				if !strings.Contains(err.Error(), "does not match the backup") {
					t.Errorf("restore of swapped data: %v; want the tables found not to match", err)
				}
				assertEmpty(t, ctx, e.Name, target)
			})
			t.Run("wrong key file", func(t *testing.T) {
				target := storetest.EmptyTarget(t, e.Name)
				_, err := service.Restore(ctx, first, target, service.RestoreOptions{PublicKey: pub, Keys: storetest.Keys(t)}, time.Now)
				if drive.ErrorCode(err) != drive.EINVALID {
					t.Fatalf("restore with another key file = %v, want EINVALID", err)
				}
				if !strings.Contains(err.Error(), "does not open with the key file") {
					t.Errorf("restore with another key file: %v; want the sealed check to fail", err)
				}
				assertEmpty(t, ctx, e.Name, target)
				// The refused target is still empty, so the restore can be
				// run again into it with the right key file.
				if _, err := service.Restore(ctx, first, target, service.RestoreOptions{PublicKey: pub, Keys: w.svc.Keys}, time.Now); err != nil {
					t.Errorf("restore with the right key file after a refusal: %v", err)
				}
			})
		})
	}
}

// TestRollbackDetected checks that a database restored from an older
// backup fails verification against a later backup's checkpoint: the
// rolled-back history is visible.
func TestRollbackDetected(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorldAt(t, e, time.Now)
			w.svc.TextLimit = 1 << 20
			pub, priv, _ := ed25519.GenerateKey(rand.Reader)
			old, oldRes, _ := takeBackup(t, w, priv)
			addNotes(t, w, 2)
			_, newer, _ := takeBackup(t, w, priv)

			target := storetest.EmptyTarget(t, e.Name)
			if _, err := service.Restore(ctx, old, target, service.RestoreOptions{PublicKey: pub, Keys: w.svc.Keys}, time.Now); err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(ctx, target, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			rsvc := &service.Service{DB: db}
			v, err := audit.NewVerifier(newer.Checkpoint)
			if err != nil {
				t.Fatal(err)
			}
			res, err := rsvc.CheckAuditLog(ctx, v, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			var be *audit.BreakError
			if !errors.As(res.Broken, &be) {
				t.Fatalf("rolled-back log against the later checkpoint: %v, want a break", res.Broken)
			}
			// The older backup's head, plus its restore event, against a
			// checkpoint beyond both.
			if be.Kind != audit.BreakCheckpoint && be.Kind != audit.BreakTruncated {
				t.Errorf("break %s, want truncated or checkpoint_mismatch", be.Kind)
			}
			if oldRes.Checkpoint.Seq >= newer.Checkpoint.Seq {
				t.Fatalf("checkpoints %d and %d: the second backup saw no new events", oldRes.Checkpoint.Seq, newer.Checkpoint.Seq)
			}
		})
	}
}

// spliceArchive returns an archive with the manifest and checkpoint of
// manifestFrom and every other entry of dataFrom.
func spliceArchive(t *testing.T, manifestFrom, dataFrom []byte) *backup.Archive {
	t.Helper()
	read := func(b []byte) *zip.Reader {
		z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	copyEntry := func(f *zip.File) {
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if _, err := io.Copy(w, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range read(dataFrom).File {
		if f.Name != backup.ManifestEntry && f.Name != backup.CheckpointEntry {
			copyEntry(f)
		}
	}
	for _, f := range read(manifestFrom).File {
		if f.Name == backup.ManifestEntry || f.Name == backup.CheckpointEntry {
			copyEntry(f)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	arc, err := backup.OpenArchive(bytes.NewReader(out.Bytes()), int64(out.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return arc
}

// assertEmpty checks that a refused restore left nothing: no SQLite file,
// or a PostgreSQL database with no tables.
func assertEmpty(t *testing.T, ctx context.Context, engine, target string) {
	t.Helper()
	if engine == "sqlite" {
		if _, err := os.Stat(target); err == nil {
			t.Errorf("a refused restore left %s behind", target)
		}
		return
	}
	db, err := store.Open(ctx, target, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows int64
	tables, err := db.TableDigests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		// The police data's version counter is a migration's own row:
		// an empty database holds it too.
		if tb.Name != "police_data_version" {
			rows += tb.Rows
		}
	}
	if rows != 0 {
		t.Errorf("a refused restore left %d rows behind", rows)
	}
}
