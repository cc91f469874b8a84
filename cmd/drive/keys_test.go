package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/store"
)

// TestServeNeedsKeys: outside the demo the server refuses to start
// without its key file, and says how to make one.
func TestServeNeedsKeys(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	code, _, errOut := runCLI("serve", "--db", db, "--addr", "127.0.0.1:0")
	if code != 2 || !strings.Contains(errOut, "drive keys generate") {
		t.Fatalf("serve without keys: exit %d, %q", code, errOut)
	}
	keys := filepath.Join(dir, "k.json")
	if code, out, errOut := runCLI("keys", "generate", "--out", keys); code != 0 || !strings.Contains(out, keys) {
		t.Fatalf("keys generate: %d %s %s", code, out, errOut)
	}
	st, err := os.Stat(keys)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v; want 0600", st.Mode().Perm(), err)
	}
	if code, _, errOut := runCLI("keys", "generate", "--out", keys); code != 2 || !strings.Contains(errOut, "never overwritten") {
		t.Fatalf("overwriting a key file: %d %s", code, errOut)
	}
	os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{}"), 0o600)
	if code, _, _ := runCLI("serve", "--db", db, "--keys", filepath.Join(dir, "bad.json"), "--addr", "127.0.0.1:0"); code != 1 {
		t.Fatalf("serve with a broken key file: exit %d; want 1", code)
	}
}

// TestKeysRotate rotates the demo's key twice and checks every protected
// value is then wrapped by the newest key.
func TestKeysRotate(t *testing.T) {
	dir := demoCopy(t)
	db := filepath.Join(dir, "demo.db")
	code, out, errOut := runCLI("keys", "rotate", "--db", db)
	if code != 0 || !strings.Contains(out, "re-wrapped") {
		t.Fatalf("rotate: %d %s %s", code, out, errOut)
	}
	code, out, _ = runCLI("keys", "rotate", "--db", db)
	if code != 0 || !strings.Contains(out, "re-wrapped") {
		t.Fatalf("second rotate: %d %s", code, out)
	}
	body, err := os.ReadFile(filepath.Join(dir, "drive-keys.json"))
	if err != nil || strings.Count(string(body), `"id"`) != 3 {
		t.Fatalf("key file after two rotations: %s", body)
	}
	keys, err := sealed.ParseKeyring(body)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sdb, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	stale, total := 0, 0
	errDone := errors.New("read only")
	err = sdb.Transact(ctx, func(tx *store.Tx) error {
		_, err := tx.RewrapAll(ctx, func(v store.SealedValue) (store.SealedValue, bool, error) {
			total++
			if v.KeyID != keys.Current().ID() {
				stale++
			}
			return v, false, nil
		})
		if err != nil {
			return err
		}
		return errDone
	})
	if !errors.Is(err, errDone) || total == 0 || stale != 0 {
		t.Fatalf("after rotation: %d of %d values under an old key (%v)", stale, total, err)
	}
}
