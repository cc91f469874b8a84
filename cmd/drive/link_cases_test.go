package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLinkCases(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	if code, _, errOut := runCLI("site", "add", "--db", db, "--code", "NMR", "--name", "Northmoor", "--region", "North West"); code != 0 {
		t.Fatalf("site add: %s", errOut)
	}
	code, out, errOut := runCLI("link-cases", "--db", db, "--site", "nmr")
	if code != 0 || !strings.Contains(out, "Linked 0 people and 0 victim-survivors") {
		t.Fatalf("link-cases: %d %q %s", code, out, errOut)
	}
	if code, _, errOut := runCLI("link-cases", "--db", db, "--site", "ZZZ"); code != 1 || errOut == "" {
		t.Fatalf("an unknown site: exit %d %s; want 1", code, errOut)
	}
}
