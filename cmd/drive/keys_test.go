package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
