package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// auditResult is what one run of the command printed and returned.
type auditResult struct {
	code           int
	stdout, stderr string
}

// runAuditCmd runs drive with args and no environment.
func runAuditCmd(t *testing.T, args ...string) auditResult {
	t.Helper()
	return runAuditCmdEnv(t, map[string]string{}, args...)
}

func runAuditCmdEnv(t *testing.T, environ map[string]string, args ...string) auditResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), env{getenv: func(k string) string { return environ[k] }}, args, &stdout, &stderr)
	return auditResult{code, stdout.String(), stderr.String()}
}

func (r auditResult) String() string {
	return "exit " + strconv.Itoa(r.code) + "\nstdout:\n" + r.stdout + "stderr:\n" + r.stderr
}

// newAuditTestDB makes a SQLite file holding n audit events, and returns
// its path. The store is closed again, as it would be between runs of the
// command.
func newAuditTestDB(t *testing.T, n int) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "drive.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		e := audit.Event{
			At: at.Add(time.Duration(i) * time.Minute), ActorID: 7, ActorRole: "case_manager",
			Action: audit.ActionRecordRead, RecordType: "perpetrator_case", RecordID: strconv.Itoa(1000 + i),
			SiteID: 1, Remote: "192.0.2.10", Outcome: audit.OutcomeAllowed,
		}
		if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.Audit(ctx, e) }); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// tamperAuditDB runs one SQL statement on the file behind the store's back.
func tamperAuditDB(t *testing.T, path, query string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The tamperer owns the file, so the triggers that keep the audit
	// table append-only are no obstacle; the chain must still catch it.
	if _, err := raw.Exec(`DROP TRIGGER IF EXISTS audit_events_no_update; DROP TRIGGER IF EXISTS audit_events_no_delete`); err != nil {
		t.Fatal(err)
	}
	res, err := raw.Exec(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("%s changed nothing", query)
	}
}

// auditKeys makes a key pair with drive audit keygen in dir.
func auditKeys(t *testing.T, dir string) (priv, pub string) {
	t.Helper()
	priv, pub = filepath.Join(dir, "audit-signing.key"), filepath.Join(dir, "audit-signing.pub")
	if r := runAuditCmd(t, "audit", "keygen", "--private", priv, "--public", pub); r.code != 0 {
		t.Fatalf("keygen: %v", r)
	}
	return priv, pub
}

func TestAuditKeygen(t *testing.T) {
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "k.key"), filepath.Join(dir, "k.pub")
	r := runAuditCmd(t, "audit", "keygen", "--private", priv, "--public", pub)
	if r.code != 0 {
		t.Fatalf("keygen: %v", r)
	}
	st, err := os.Stat(priv)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("private key mode = %v, want 0600", st.Mode().Perm())
	}
	privPEM, _ := os.ReadFile(priv)
	pubPEM, _ := os.ReadFile(pub)
	sk, err := audit.ParsePrivateKey(privPEM)
	if err != nil {
		t.Fatalf("private key: %v", err)
	}
	pk, err := audit.ParsePublicKey(pubPEM)
	if err != nil {
		t.Fatalf("public key: %v", err)
	}
	if !pk.Equal(sk.Public()) {
		t.Fatal("the public key does not belong to the private key")
	}
	if !strings.Contains(r.stdout, audit.KeyID(pk)) {
		t.Errorf("output does not name key ID %s:\n%s", audit.KeyID(pk), r.stdout)
	}

	// Existing files are never overwritten, not even one of the two.
	other := filepath.Join(dir, "other.pub")
	for _, args := range [][]string{
		{"--private", priv, "--public", pub},
		{"--private", priv, "--public", other},
		{"--private", filepath.Join(dir, "other.key"), "--public", pub},
	} {
		r := runAuditCmd(t, append([]string{"audit", "keygen"}, args...)...)
		if r.code != 2 || !strings.Contains(r.stderr, "already exists") {
			t.Errorf("keygen %v over existing files: %v", args, r)
		}
	}
	if again, _ := os.ReadFile(priv); !bytes.Equal(again, privPEM) {
		t.Error("the private key was overwritten")
	}
	for _, p := range []string{other, filepath.Join(dir, "other.key")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written by a refused keygen", p)
		}
	}
}

func TestAuditCheckpointAndVerify(t *testing.T) {
	dir := t.TempDir()
	priv, pub := auditKeys(t, dir)
	db := newAuditTestDB(t, 12)
	cpPath := filepath.Join(dir, "checkpoint.json")

	r := runAuditCmd(t, "audit", "checkpoint", "--db", db, "--key", priv, "--out", cpPath)
	if r.code != 0 {
		t.Fatalf("checkpoint: %v", r)
	}
	data, err := os.ReadFile(cpPath)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := audit.ParseCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM, _ := os.ReadFile(pub)
	pk, _ := audit.ParsePublicKey(pubPEM)
	if err := cp.VerifySignature(pk); err != nil {
		t.Fatalf("checkpoint signature: %v", err)
	}
	if cp.Seq != 12 {
		t.Fatalf("checkpoint covers event %d, want 12", cp.Seq)
	}
	if d := time.Since(cp.At); d < 0 || d > time.Minute {
		t.Errorf("checkpoint made at %v, want about now", cp.At)
	}

	// A second checkpoint to the same file is refused: the first is evidence.
	if r := runAuditCmd(t, "audit", "checkpoint", "--db", db, "--key", priv, "--out", cpPath); r.code != 2 {
		t.Errorf("checkpoint over an existing file: %v", r)
	}
	if again, _ := os.ReadFile(cpPath); !bytes.Equal(again, data) {
		t.Error("the checkpoint file was overwritten")
	}

	r = runAuditCmd(t, "audit", "verify", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "intact: 12 events; the newest is event 12") {
		t.Fatalf("verify: %v", r)
	}
	r = runAuditCmd(t, "audit", "verify", "--db", db, "--checkpoint", cpPath, "--public-key", pub)
	if r.code != 0 || !strings.Contains(r.stdout, "1 checkpoint matched") || !strings.Contains(r.stdout, "signature is valid") {
		t.Fatalf("verify with checkpoint: %v", r)
	}
	// DRIVE_DB stands in for --db.
	r = runAuditCmdEnv(t, map[string]string{"DRIVE_DB": db}, "audit", "verify")
	if r.code != 0 {
		t.Fatalf("verify with DRIVE_DB: %v", r)
	}

	// Events written after the checkpoint are fine; cutting the log short
	// of it is not.
	tamperAuditDB(t, db, `DELETE FROM audit_events WHERE seq = 12`)
	r = runAuditCmd(t, "audit", "verify", "--db", db)
	if r.code != 0 {
		t.Fatalf("a shortened log passes the chain alone: %v", r)
	}
	r = runAuditCmd(t, "audit", "verify", "--db", db, "--checkpoint", cpPath, "--public-key", pub)
	if r.code != 1 || !strings.Contains(r.stderr, "audit log broken at event 12") || !strings.Contains(r.stdout, "deleted from the end") {
		t.Fatalf("verify a truncated log against the checkpoint: %v", r)
	}
}

func TestAuditVerifyReportsTampering(t *testing.T) {
	dir := t.TempDir()
	priv, _ := auditKeys(t, dir)
	db := newAuditTestDB(t, 10)
	tamperAuditDB(t, db, `UPDATE audit_events SET record_id = '2000' WHERE seq = 7`)

	r := runAuditCmd(t, "audit", "verify", "--db", db)
	if r.code != 1 {
		t.Fatalf("verify a tampered log: %v", r)
	}
	for _, want := range []string{
		"BROKEN at event 7: its contents do not match its hash (the event was edited)",
		`record "perpetrator_case" "2000"`,
		"Events 1 to 6 are intact",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%v", want, r)
		}
	}
	if !strings.Contains(r.stderr, "drive audit: audit log broken at event 7: its contents do not match its hash") {
		t.Errorf("stderr does not say where the log is broken:\n%v", r)
	}

	// No checkpoint vouches for a broken log.
	cpPath := filepath.Join(dir, "checkpoint.json")
	r = runAuditCmd(t, "audit", "checkpoint", "--db", db, "--key", priv, "--out", cpPath)
	if r.code != 1 || !strings.Contains(r.stderr, "broken at event 7") {
		t.Fatalf("checkpoint of a tampered log: %v", r)
	}
	if _, err := os.Stat(cpPath); err == nil {
		t.Fatal("a checkpoint was written for a broken log")
	}
}

// A checkpoint that fails its signature check is evidence too: exit 1.
func TestAuditVerifyUntrustedCheckpoint(t *testing.T) {
	dir := t.TempDir()
	priv, pub := auditKeys(t, dir)
	other := filepath.Join(dir, "other")
	if err := os.Mkdir(other, 0o755); err != nil {
		t.Fatal(err)
	}
	_, otherPub := auditKeys(t, other)
	db := newAuditTestDB(t, 3)
	cpPath := filepath.Join(dir, "checkpoint.json")
	if r := runAuditCmd(t, "audit", "checkpoint", "--db", db, "--key", priv, "--out", cpPath); r.code != 0 {
		t.Fatalf("checkpoint: %v", r)
	}

	r := runAuditCmd(t, "audit", "verify", "--db", db, "--checkpoint", cpPath, "--public-key", otherPub)
	if r.code != 1 || !strings.Contains(r.stderr, "signed with key") {
		t.Errorf("verify with the wrong public key: %v", r)
	}

	data, _ := os.ReadFile(cpPath)
	altered := filepath.Join(dir, "altered.json")
	if err := os.WriteFile(altered, bytes.Replace(data, []byte(`"seq": 3`), []byte(`"seq": 2`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	r = runAuditCmd(t, "audit", "verify", "--db", db, "--checkpoint", altered, "--public-key", pub)
	if r.code != 1 || !strings.Contains(r.stderr, "altered after it was signed") {
		t.Errorf("verify with an altered checkpoint: %v", r)
	}
	// Two genuine signatures over different hashes for the same event: the
	// key holder signed two histories, so the log was rewritten between them.
	keyPEM, _ := os.ReadFile(priv)
	sk, err := audit.ParsePrivateKey(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	orig, err := audit.ParseCheckpoint(data)
	if err != nil {
		t.Fatal(err)
	}
	rival := audit.Checkpoint{Seq: orig.Seq, Hash: bytes.Repeat([]byte{0x5a}, audit.HashSize), At: orig.At.Add(-time.Hour)}
	if rival, err = audit.SignCheckpoint(sk, rival); err != nil {
		t.Fatal(err)
	}
	rivalFile, err := rival.MarshalFile()
	if err != nil {
		t.Fatal(err)
	}
	rivalPath := filepath.Join(dir, "rival.json")
	if err := os.WriteFile(rivalPath, rivalFile, 0o644); err != nil {
		t.Fatal(err)
	}
	r = runAuditCmd(t, "audit", "verify", "--db", db, "--checkpoint", cpPath, "--checkpoint", rivalPath, "--public-key", pub)
	if r.code != 1 || !strings.Contains(r.stderr, "disagree") {
		t.Errorf("verify with disagreeing checkpoints: %v", r)
	}
	// Each alone is judged against the log: the genuine one matches.
	r = runAuditCmd(t, "audit", "verify", "--db", db, "--checkpoint", rivalPath, "--public-key", pub)
	if r.code != 1 || !strings.Contains(r.stderr, "broken at event 3") || !strings.Contains(r.stdout, "rewritten after the checkpoint") {
		t.Errorf("verify with the rival checkpoint: %v", r)
	}
}

func TestAuditUsageErrors(t *testing.T) {
	dir := t.TempDir()
	priv, pub := auditKeys(t, dir)
	db := newAuditTestDB(t, 2)
	cpPath := filepath.Join(dir, "checkpoint.json")
	if r := runAuditCmd(t, "audit", "checkpoint", "--db", db, "--key", priv, "--out", cpPath); r.code != 0 {
		t.Fatalf("checkpoint: %v", r)
	}
	notCheckpoint := filepath.Join(dir, "not-a-checkpoint.json")
	if err := os.WriteFile(notCheckpoint, []byte(`{"seq": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing")
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no audit command", []string{"audit"}, "no audit command"},
		{"unknown audit command", []string{"audit", "repair"}, `unknown audit command "repair"`},
		{"unknown flag", []string{"audit", "verify", "--db", db, "--fix"}, "flag provided but not defined"},
		{"stray argument", []string{"audit", "verify", "--db", db, "extra"}, `unexpected argument "extra"`},
		{"verify without db", []string{"audit", "verify"}, "no database given"},
		{"verify a missing database file", []string{"audit", "verify", "--db", filepath.Join(dir, "typo.db")}, "there is no database file"},
		{"checkpoint without public key", []string{"audit", "verify", "--db", db, "--checkpoint", cpPath}, "--checkpoint needs --public-key"},
		{"public key without checkpoint", []string{"audit", "verify", "--db", db, "--public-key", pub}, "--public-key given without --checkpoint"},
		{"unreadable checkpoint", []string{"audit", "verify", "--db", db, "--checkpoint", missing, "--public-key", pub}, "cannot read the checkpoint"},
		{"not a checkpoint", []string{"audit", "verify", "--db", db, "--checkpoint", notCheckpoint, "--public-key", pub}, "checkpoint file is not valid"},
		{"private key as public key", []string{"audit", "verify", "--db", db, "--checkpoint", cpPath, "--public-key", priv}, "holds a private key"},
		{"a database without an audit log", []string{"audit", "verify", "--db", empty}, "cannot read the audit log"},
		{"not a database", []string{"audit", "verify", "--db", notCheckpoint}, "cannot open the database"},
		{"checkpoint without key", []string{"audit", "checkpoint", "--db", db, "--out", filepath.Join(dir, "a.json")}, "no signing key"},
		{"checkpoint without out", []string{"audit", "checkpoint", "--db", db, "--key", priv}, "no output file"},
		{"checkpoint into a missing folder", []string{"audit", "checkpoint", "--db", db, "--key", priv, "--out", filepath.Join(dir, "nofolder", "a.json")}, "does not exist"},
		{"checkpoint with public key", []string{"audit", "checkpoint", "--db", db, "--key", pub, "--out", filepath.Join(dir, "a.json")}, "holds a public key"},
		{"keygen without files", []string{"audit", "keygen"}, "no private key file"},
		{"keygen without public", []string{"audit", "keygen", "--private", filepath.Join(dir, "b.key")}, "no public key file"},
		{"keygen to one file", []string{"audit", "keygen", "--private", filepath.Join(dir, "b.key"), "--public", filepath.Join(dir, "b.key")}, "the same file"},
	}
	for _, tc := range tests {
		t.Run(strings.ReplaceAll(tc.name, " ", "_"), func(t *testing.T) {
			r := runAuditCmd(t, tc.args...)
			if r.code != 2 || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("want exit 2 with %q in stderr; got %v", tc.want, r)
			}
		})
	}
	for _, p := range []string{filepath.Join(dir, "a.json"), filepath.Join(dir, "b.key")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written by a refused command", p)
		}
	}

	for _, args := range [][]string{{"audit", "-h"}, {"audit", "verify", "-h"}, {"audit", "checkpoint", "--help"}, {"audit", "keygen", "-h"}} {
		if r := runAuditCmd(t, args...); r.code != 0 || !strings.Contains(r.stderr, "usage: drive audit") {
			t.Errorf("%v: %v", args, r)
		}
	}
	if r := runAuditCmd(t, "help"); !strings.Contains(r.stderr, "verify the audit log or sign a checkpoint of it") {
		t.Errorf("drive help does not list audit:\n%v", r)
	}
}

func TestAuditVerifyProgress(t *testing.T) {
	db := newAuditTestDB(t, 7)
	var stdout, stderr bytes.Buffer
	err := auditVerify(context.Background(), env{getenv: func(string) string { return "" }}, []string{"--db", db}, &stdout, &stderr, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := "checked 3 events so far (up to event 3)\nchecked 6 events so far (up to event 6)\n"
	if stderr.String() != want {
		t.Fatalf("progress = %q, want %q", stderr.String(), want)
	}
	if !strings.Contains(stdout.String(), "intact: 7 events") {
		t.Fatalf("stdout = %q", stdout.String())
	}
}
