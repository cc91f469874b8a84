package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSynthIncidents writes an extract, its truth and a MARAC list, and
// imports the extract and the list as a site would.
func TestSynthIncidents(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	ext, truth, marac := filepath.Join(dir, "x.csv"), filepath.Join(dir, "t.csv"), filepath.Join(dir, "m.csv")
	code, out, errOut := runCLI("synth", "incidents", "--incidents", "500", "--seed", "7", "--end", "2026-11-23", "--out", ext, "--truth", truth, "--marac", marac)
	if code != 0 || !strings.Contains(out, "Wrote 500 synthetic incidents") {
		t.Fatalf("synth: %d %s %s", code, out, errOut)
	}
	tb, _ := os.ReadFile(truth)
	if lines := strings.Count(string(tb), "\n"); lines != 501 || !strings.HasPrefix(string(tb), "ref,perpetrator,victim,serial\n") {
		t.Fatalf("truth file: %d lines", lines)
	}
	if code, _, errOut := runCLI("site", "add", "--db", db, "--code", "NMR", "--name", "Northmoor", "--region", "R"); code != 0 {
		t.Fatal(errOut)
	}
	if code, out, errOut := runCLI("import", "incidents", "--db", db, "--site", "NMR", ext); code != 0 || !strings.Contains(out, "Imported 500 new") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	if code, out, errOut := runCLI("import", "marac", "--db", db, "--site", "NMR", marac); code != 0 || !strings.Contains(out, "new MARAC hearings") {
		t.Fatalf("import marac: %d %s %s", code, out, errOut)
	}
	// The same seed writes the same file.
	again := filepath.Join(dir, "y.csv")
	runCLI("synth", "incidents", "--incidents", "500", "--seed", "7", "--end", "2026-11-23", "--out", again)
	a, _ := os.ReadFile(ext)
	b, _ := os.ReadFile(again)
	if string(a) != string(b) {
		t.Fatal("the same seed wrote a different extract")
	}
	for _, bad := range [][]string{
		{"synth", "incidents", "--incidents", "0", "--out", ext},
		{"synth", "incidents", "--incidents", "10"},
		{"synth", "incidents", "--out", filepath.Join(dir, "no", "such", "dir.csv")},
		{"synth", "people"},
	} {
		if code, _, _ := runCLI(bad...); code != 2 {
			t.Errorf("%v: exit %d; want 2", bad, code)
		}
	}
}
