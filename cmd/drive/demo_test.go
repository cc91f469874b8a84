package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/demo"
	"github.com/drive-platform/drive/store"
)

// cliDemo is one `drive demo --seed 7` build, made the first time a test
// asks for it and copied for each test that uses it: a build takes about
// ten seconds of CPU, and the tests that need one only need one each.
var cliDemo struct {
	once sync.Once
	dir  string
	fail string
}

// demoCopy returns a folder of the test's own holding a copy of the
// shared build: its demo.db, drive-keys.json and demo-credentials.json.
func demoCopy(t *testing.T) string {
	t.Helper()
	cliDemo.once.Do(func() {
		dir, err := os.MkdirTemp("", "drive-cli-demo-")
		if err != nil {
			cliDemo.fail = err.Error()
			return
		}
		cliDemo.dir = dir
		if code, out, errOut := runCLI("demo", "--db", filepath.Join(dir, "demo.db"), "--seed", "7"); code != 0 {
			cliDemo.fail = fmt.Sprintf("demo exit %d: %s %s", code, out, errOut)
		}
	})
	if cliDemo.fail != "" {
		t.Fatal(cliDemo.fail)
	}
	dst := t.TempDir()
	entries, err := os.ReadDir(cliDemo.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		body, err := os.ReadFile(filepath.Join(cliDemo.dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestDemo checks drive demo fills a new database with every role at two
// sites, writes usable credentials beside it, is deterministic for a
// seed, and refuses a database that already has users.
func TestDemo(t *testing.T) {
	dir := demoCopy(t)
	dbPath := filepath.Join(dir, "demo.db")
	body, err := os.ReadFile(filepath.Join(dir, "demo-credentials.json"))
	if err != nil {
		t.Fatalf("credentials beside the database: %v", err)
	}
	var creds []demo.Credential
	if err := json.Unmarshal(body, &creds); err != nil {
		t.Fatal(err)
	}
	roles := map[string]bool{}
	sites := map[string]bool{}
	for _, c := range creds {
		roles[c.Role] = true
		if c.Site != "" {
			sites[c.Site] = true
		}
		if c.Username == "" || c.Password == "" || c.TOTPSecret == "" {
			t.Fatalf("incomplete credential %+v", c)
		}
		if _, err := auth.TOTPCode(c.TOTPSecret, time.Now()); err != nil {
			t.Fatalf("%s: bad TOTP secret: %v", c.Username, err)
		}
	}
	for _, r := range access.Roles() {
		if !roles[string(r)] {
			t.Errorf("no demo user with role %s", r)
		}
	}
	if len(sites) < 2 {
		t.Errorf("demo sites = %v; want at least 2", sites)
	}
	// The stored password hash matches the written password.
	db, err := store.Open(context.Background(), dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View(context.Background(), func(tx *store.Tx) error {
		u, err := tx.UserByUsername(context.Background(), creds[0].Username)
		if err != nil {
			return err
		}
		if ok, _, err := auth.VerifyPassword(u.PasswordHash, creds[0].Password); err != nil || !ok {
			t.Errorf("stored hash does not match the demo password")
		}
		return nil
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	// Again into the same database: refused, nothing changed.
	code, _, errOut := runCLI("demo", "--db", dbPath, "--seed", "7", "--credentials", filepath.Join(dir, "again.json"))
	if code != 1 || !strings.Contains(errOut, "already has") {
		t.Fatalf("second demo: exit %d, %s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "again.json")); err == nil {
		t.Fatal("a refused demo wrote credentials")
	}

	// The same seed gives the same people and passwords.
	other := t.TempDir()
	if code, _, errOut := runCLI("demo", "--db", filepath.Join(other, "demo.db"), "--seed", "7"); code != 0 {
		t.Fatalf("demo: %s", errOut)
	}
	body2, _ := os.ReadFile(filepath.Join(other, "demo-credentials.json"))
	if !bytes.Equal(body, body2) {
		t.Fatal("the same seed gave different demo data")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nonsense"},
		{"serve"},
		{"migrate", "--db"},
		{"demo", "--db", "x.db", "stray"},
	} {
		if code, _, _ := runCLI(args...); code != 2 {
			t.Errorf("drive %v: exit %d; want 2", args, code)
		}
	}
	if code, out, _ := runCLI("version"); code != 0 || !strings.HasPrefix(out, "drive ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, _, _ := runCLI("migrate", "-h"); code != 0 {
		t.Errorf("migrate -h: exit %d; want 0", code)
	}
	dir := t.TempDir()
	if code, out, _ := runCLI("migrate", "--db", filepath.Join(dir, "m.db")); code != 0 || !strings.Contains(out, "Applied migrations") {
		t.Errorf("migrate: %d %q", code, out)
	}
	if code, out, _ := runCLI("migrate", "--db", filepath.Join(dir, "m.db")); code != 0 || !strings.Contains(out, "up to date") {
		t.Errorf("migrate again: %d %q", code, out)
	}
	if code, _, errOut := runCLI("migrate", "--db", filepath.Join(dir, "missing", "m.db")); code != 1 || !strings.Contains(errOut, "does not exist") {
		t.Errorf("migrate into a missing folder: %d %q", code, errOut)
	}
}
