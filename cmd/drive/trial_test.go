package main

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTrialCommands runs a trial's life at the command line: start, list,
// balance, verify refused while it runs, end, verify; and the seed that
// verify finally prints appears in nothing printed before.
func TestTrialCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	keys := filepath.Join(dir, "drive-keys.json") // found beside the database
	if code, _, errOut := runCLI("keys", "generate", "--out", keys); code != 0 {
		t.Fatalf("keys generate: %s", errOut)
	}
	if code, _, errOut := runCLI("site", "add", "--db", db, "--code", "NMR", "--name", "Northmoor", "--region", "North West"); code != 0 {
		t.Fatalf("site add: %s", errOut)
	}
	var printed strings.Builder
	run := func(wantCode int, args ...string) string {
		t.Helper()
		code, out, errOut := runCLI(append([]string{"trial"}, append(args, "--db", db)...)...)
		if code != wantCode {
			t.Fatalf("trial %v: exit %d, want %d: %s %s", args, code, wantCode, out, errOut)
		}
		printed.WriteString(out + errOut)
		return out + errOut
	}
	if out := run(0, "start", "--site", "nmr", "--name", "Northmoor trial", "--programme", "drive"); !strings.Contains(out, "Trial 1 (Northmoor trial) started at NMR") {
		t.Errorf("start: %s", out)
	}
	run(1, "start", "--site", "NMR", "--name", "Second")
	run(2, "start", "--site", "NMR")
	if out := run(1, "start", "--site", "NMR", "--name", "x", "--programme", "nonesuch"); !strings.Contains(out, "programme") {
		t.Errorf("unknown programme: %s", out)
	}
	if out := run(0, "list"); !strings.Contains(out, "NMR") || !strings.Contains(out, "Northmoor trial") || !strings.Contains(out, "running") {
		t.Errorf("list: %s", out)
	}
	if out := run(0, "balance", "--id", "1"); !strings.Contains(out, "all") || !strings.Contains(out, "intervention") {
		t.Errorf("balance: %s", out)
	}
	run(2, "balance")
	run(1, "balance", "--id", "9")
	if out := run(1, "verify", "--id", "1"); !strings.Contains(out, "ended") {
		t.Errorf("verify while running: %s", out)
	}
	run(0, "end", "--id", "1")
	run(1, "end", "--id", "1")
	before := printed.String()
	out := run(0, "verify", "--id", "1")
	m := regexp.MustCompile(`Seed: ([0-9a-f]+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "0 allocations recomputed from the seed, 0 mismatches") {
		t.Fatalf("verify: %s", out)
	}
	if strings.Contains(before, m[1]) {
		t.Errorf("the seed %s was printed before the trial ended:\n%s", m[1], before)
	}
}
