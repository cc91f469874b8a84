package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSiteOrgProgramme(t *testing.T) {
	db := filepath.Join(t.TempDir(), "d.db")
	if code, out, errOut := runCLI("site", "add", "--db", db, "--code", "nmr", "--name", "Northmoor", "--region", "North West"); code != 0 || !strings.Contains(out, "NMR") {
		t.Fatalf("site add: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCLI("site", "add", "--db", db, "--code", "NMR", "--name", "Again", "--region", "R"); code != 1 || errOut == "" {
		t.Fatalf("duplicate site: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI("site", "add", "--db", db, "--code", "x", "--name", "", "--region", ""); code != 1 || !strings.Contains(errOut, "code") {
		t.Fatalf("bad site: %d %s", code, errOut)
	}
	if code, out, _ := runCLI("site", "list", "--db", db); code != 0 || !strings.Contains(out, "Northmoor") || strings.Count(out, "\n") != 1 {
		t.Fatalf("site list: %d %q", code, out)
	}
	if code, out, errOut := runCLI("site", "population", "--db", db, "--code", "nmr", "--adult-women", "412000"); code != 0 || !strings.Contains(out, "412000") {
		t.Fatalf("site population: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCLI("site", "population", "--db", db, "--code", "NMR", "--adult-women", "-5"); code == 0 || !strings.Contains(errOut, "adult-women") {
		t.Fatalf("negative population: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI("site", "population", "--db", db, "--code", "ZZZ", "--adult-women", "5"); code == 0 || !strings.Contains(errOut, "ZZZ") {
		t.Fatalf("unknown site: %d %s", code, errOut)
	}
	ref := filepath.Join(t.TempDir(), "ref.json")
	os.WriteFile(ref, []byte(`{"source": "ONS Census 2021, Northmoor", "shares": {"ethnicity": {"white": 0.7, "asian": 0.2}}}`), 0o600)
	if code, out, errOut := runCLI("site", "reference", "--db", db, "--code", "NMR", "--file", ref); code != 0 || !strings.Contains(out, "ONS Census 2021, Northmoor") {
		t.Fatalf("site reference: %d %s %s", code, out, errOut)
	}
	os.WriteFile(ref, []byte(`{"source": "x", "shares": {"ethnicity": {"white": 0.9, "asian": 0.2}}}`), 0o600)
	if code, _, errOut := runCLI("site", "reference", "--db", db, "--code", "NMR", "--file", ref); code == 0 || !strings.Contains(errOut, "add up") {
		t.Fatalf("shares over 1: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI("site", "reference", "--db", db, "--code", "NMR"); code == 0 || !strings.Contains(errOut, "--file") {
		t.Fatalf("reference without a file: %d %s", code, errOut)
	}
	if code, out, errOut := runCLI("site", "reference", "--db", db, "--code", "NMR", "--clear"); code != 0 || !strings.Contains(out, "England and Wales") {
		t.Fatalf("clearing the reference: %d %s %s", code, out, errOut)
	}
	if code, _, errOut := runCLI("org", "add", "--db", db, "--name", "Northmoor Police", "--kind", "police", "--site", "NMR"); code != 0 {
		t.Fatalf("org add: %s", errOut)
	}
	if code, _, errOut := runCLI("org", "add", "--db", db, "--name", "X", "--kind", "police", "--site", "ZZZ"); code != 1 || !strings.Contains(errOut, "ZZZ") {
		t.Fatalf("org at unknown site: exit %d; want 1 naming the code: %s", code, errOut)
	}
	if code, _, errOut := runCLI("org", "add", "--db", db, "--name", "Y", "--kind", "astrologers"); code != 1 || !strings.Contains(errOut, "kind") {
		t.Fatalf("bad kind: %d %s", code, errOut)
	}
	code, out, _ := runCLI("programme", "list", "--db", db, "--site", "NMR")
	if code != 0 || !strings.Contains(out, "drive") || !strings.Contains(out, "restart") {
		t.Fatalf("programme list: %d %q", code, out)
	}
	code, out, _ = runCLI("programme", "export", "--db", db, "--site", "NMR", "--code", "drive")
	if code != 0 || !strings.Contains(out, `"caseload_limit": 12`) {
		t.Fatalf("export: %d %q", code, out)
	}
	file := filepath.Join(t.TempDir(), "drive.json")
	if err := os.WriteFile(file, []byte(strings.Replace(out, `"caseload_limit": 12`, `"caseload_limit": 15`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI("programme", "import", "--db", db, "--site", "NMR", "--file", file); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	_, out, _ = runCLI("programme", "export", "--db", db, "--site", "NMR", "--code", "drive")
	if !strings.Contains(out, `"caseload_limit": 15`) {
		t.Fatal("the imported setting did not stick")
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"code":"drive","name":"Drive","match":"any","eligibility":[]}`), 0o600)
	if code, _, errOut := runCLI("programme", "import", "--db", db, "--site", "NMR", "--file", bad); code != 1 || !strings.Contains(errOut, "eligibility") {
		t.Fatalf("bad import: %d %s", code, errOut)
	}
	_, out, _ = runCLI("programme", "export", "--db", db, "--site", "NMR", "--code", "drive")
	if !strings.Contains(out, `"caseload_limit": 15`) {
		t.Fatal("a refused import changed the settings")
	}
}
