package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
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

// TestBackupRestoreCommandsPostgres runs drive backup and drive restore on
// PostgreSQL as an operator would: with pg_dump and pg_restore found on
// the machine (the backup says its data is a pg_dump archive), and with
// --pg-dump off (the service's own export); each restores into a new
// empty database whose log verifies against the backup's checkpoint.
func TestBackupRestoreCommandsPostgres(t *testing.T) {
	dir := t.TempDir()
	priv, pub := auditKeys(t, dir)
	keys := filepath.Join(dir, "keys.json")
	if r := runAuditCmd(t, "keys", "generate", "--out", keys); r.code != 0 {
		t.Fatalf("keys: %v", r)
	}
	pgBin := "/usr/lib/postgresql/15/bin"
	dump, restore := "auto", "auto"
	if _, err := exec.LookPath("pg_dump"); err != nil {
		dump, restore = filepath.Join(pgBin, "pg_dump"), filepath.Join(pgBin, "pg_restore")
	}
	source := storetest.EmptyTarget(t, "postgres")
	if r := runAuditCmd(t, "migrate", "--db", source); r.code != 0 {
		t.Fatalf("migrate: %v", r)
	}
	if r := runAuditCmd(t, "site", "add", "--db", source, "--code", "NMR", "--name", "Northmoor", "--region", "North West"); r.code != 0 {
		t.Fatalf("site add: %v", r)
	}
	for _, c := range []struct{ name, dump, says string }{
		{"pg_dump", dump, "pg_dump archive (custom format"},
		{"export", "off", "service's own export"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "drive.backup")
			r := runAuditCmd(t, "backup", "--db", source, "--out", out, "--signing-key", priv, "--pg-dump", c.dump)
			if r.code != 0 || !strings.Contains(r.stdout, c.says) {
				t.Fatalf("backup: %v", r)
			}
			target := storetest.EmptyTarget(t, "postgres")
			r = runAuditCmd(t, "restore", "--from", out, "--db", target, "--public-key", pub, "--keys", keys, "--pg-restore", restore)
			if r.code != 0 || !strings.Contains(r.stdout, "each matching the backup's signed manifest") {
				t.Fatalf("restore: %v", r)
			}
			if r := runAuditCmd(t, "audit", "verify", "--db", target, "--checkpoint", out+".checkpoint.json", "--public-key", pub); r.code != 0 {
				t.Errorf("verify the restore against its backup's checkpoint: %v", r)
			}
			if r := runAuditCmd(t, "site", "list", "--db", target); r.code != 0 || !strings.Contains(r.stdout, "Northmoor") {
				t.Errorf("the restored database's sites: %v", r)
			}
		})
	}
	if r := runAuditCmd(t, "backup", "--db", source, "--out", filepath.Join(dir, "x.backup"), "--signing-key", priv, "--pg-dump", "/no/such/pg_dump"); r.code != 2 {
		t.Errorf("backup with a pg_dump that does not exist: %v, want exit 2", r)
	}
}
