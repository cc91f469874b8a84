package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// TestBackupRestoreCommands runs drive backup and drive restore as an
// operator would, and then shows with drive audit verify that a database
// restored from an older backup is caught by a newer backup's checkpoint.
func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	priv, pub := auditKeys(t, dir)
	_, otherPub := auditKeys(t, t.TempDir())
	db := newAuditTestDB(t, 20)
	first := filepath.Join(dir, "first.drivebackup")

	r := runAuditCmd(t, "backup", "--db", db, "--out", first, "--signing-key", priv)
	if r.code != 0 {
		t.Fatalf("backup: %v", r)
	}
	if !strings.Contains(r.stdout, "verified up to event 21") {
		t.Errorf("backup output does not name the audit head (20 events and the backup's own):\n%s", r.stdout)
	}
	if _, err := os.Stat(first + ".checkpoint.json"); err != nil {
		t.Fatalf("no checkpoint beside the backup: %v", err)
	}
	if r := runAuditCmd(t, "backup", "--db", db, "--out", first, "--signing-key", priv); r.code != 2 {
		t.Errorf("backup over an existing file: %v, want exit 2", r)
	}

	// More history, and a second backup that vouches for it.
	ctx := context.Background()
	sdb, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		e := audit.Event{At: time.Date(2026, 6, 1, 9, i, 0, 0, time.UTC), ActorID: 7, ActorRole: "case_manager", Action: audit.ActionRecordRead,
			RecordType: "perpetrator_case", RecordID: "77", SiteID: 1, Remote: "192.0.2.10", Outcome: audit.OutcomeAllowed}
		if err := sdb.Transact(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, e) }); err != nil {
			t.Fatal(err)
		}
	}
	sdb.Close()
	second := filepath.Join(dir, "second.drivebackup")
	if r := runAuditCmd(t, "backup", "--db", db, "--out", second, "--signing-key", priv); r.code != 0 {
		t.Fatalf("second backup: %v", r)
	}

	// Restore the first backup into a new database, with a key file.
	target := filepath.Join(t.TempDir(), "restored.db")
	keys := filepath.Join(dir, "keys.json")
	if r := runAuditCmd(t, "keys", "generate", "--out", keys); r.code != 0 {
		t.Fatalf("keys: %v", r)
	}
	if r := runAuditCmd(t, "restore", "--from", first, "--db", target, "--public-key", otherPub, "--keys", keys); r.code != 1 || !strings.Contains(r.stderr, "cannot be trusted") {
		t.Errorf("restore checked with another key: %v, want exit 1 saying it cannot be trusted", r)
	}
	if _, err := os.Stat(target); err == nil {
		t.Fatal("a refused restore left a database behind")
	}
	r = runAuditCmd(t, "restore", "--from", first, "--db", target, "--public-key", pub, "--keys", keys)
	if r.code != 0 || !strings.Contains(r.stdout, "event 21") {
		t.Fatalf("restore: %v", r)
	}
	if r := runAuditCmd(t, "restore", "--from", first, "--db", target, "--public-key", pub, "--keys", keys); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("restore over a database: %v, want exit 1 saying it exists", r)
	}

	// Against its own checkpoint the restored log verifies; against the
	// second backup's, the rollback shows.
	if r := runAuditCmd(t, "audit", "verify", "--db", target, "--checkpoint", first+".checkpoint.json", "--public-key", pub); r.code != 0 {
		t.Errorf("verify the restore against its backup's checkpoint: %v", r)
	}
	r = runAuditCmd(t, "audit", "verify", "--db", target, "--checkpoint", second+".checkpoint.json", "--public-key", pub)
	if r.code != 1 || !strings.Contains(r.stdout, "BROKEN") {
		t.Errorf("verify a rolled-back restore against the newer checkpoint: %v, want exit 1 and the break", r)
	}
}
