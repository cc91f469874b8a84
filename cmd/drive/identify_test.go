package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportAndIdentify imports a small extract where one man appears
// under several spellings against two women, checks bad files change
// nothing, re-import is idempotent, and the ranking links him into one
// serial suspect at the top.
func TestImportAndIdentify(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	if code, _, errOut := runCLI("site", "add", "--db", db, "--code", "NMR", "--name", "Northmoor", "--region", "North West"); code != 0 {
		t.Fatal(errOut)
	}
	rows := []string{"ref,date,type,crime,suspect_given,suspect_family,suspect_dob,suspect_postcode,victim_given,victim_family,victim_dob"}
	add := func(ref, date, typ, sg, sf, sdob, vg, vf, vdob string) {
		rows = append(rows, strings.Join([]string{ref, date, typ, "yes", sg, sf, sdob, "NM4 2XY", vg, vf, vdob}, ","))
	}
	add("R1", "2026-09-01", "abh", "Darren", "Hollis", "1984-02-11", "Sam", "Example", "1990-05-01")
	add("R2", "2026-10-01", "threats to kill", "Daren", "Hollis", "1984-11-02", "Sam", "Example", "1990-05-01")
	add("R3", "2026-10-20", "stalking", "Darren", "Holis", "1984-02-11", "Jo", "Second", "1995-03-03")
	add("R4", "2026-11-01", "common assault", "Darren", "Hollis", "1984-02-11", "Jo", "Second", "1995-03-03")
	for i, n := range []string{"Kevin Doyle", "Amir Shah", "Tom Price", "Lee Wood", "Ian Ward", "Ben King"} {
		p := strings.Fields(n)
		add("Q"+string(rune('0'+i)), "2025-06-0"+string(rune('1'+i)), "non-crime domestic", p[0], p[1], "1970-01-0"+string(rune('1'+i)), "Ann", "Partner"+p[1], "1975-01-01")
	}
	good := filepath.Join(dir, "extract.csv")
	os.WriteFile(good, []byte(strings.Join(rows, "\n")+"\n"), 0o600)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte(strings.Join(rows, "\n")+"\nR9,2030-01-01,abh,perhaps,,,,,,,\n"), 0o600)

	code, _, errOut := runCLI("import", "incidents", "--db", db, "--site", "NMR", bad)
	if code != 1 || !strings.Contains(errOut, "line 12") || !strings.Contains(errOut, "nothing was imported") {
		t.Fatalf("bad extract: %d %s", code, errOut)
	}
	if code, out, _ := runCLI("identify", "--db", db, "--site", "NMR", "--as-of", "2026-11-23"); code != 0 || !strings.Contains(out, "No incidents") {
		t.Fatalf("after a refused import: %d %s", code, out)
	}
	mapping := filepath.Join(dir, "mapping.json")
	os.WriteFile(mapping, []byte(`{"ref":"ref"}`), 0o600)
	if code, out, errOut := runCLI("import", "incidents", "--db", db, "--site", "NMR", good, "--mapping", mapping); code != 0 || !strings.Contains(out, "Imported 10 new") {
		t.Fatalf("import: %d %s %s", code, out, errOut)
	}
	if code, out, _ := runCLI("import", "incidents", "--db", db, "--site", "NMR", good); code != 0 || !strings.Contains(out, "Imported 0 new incidents (10 already held)") {
		t.Fatalf("re-import: %d %s", code, out)
	}
	code, out, errOut := runCLI("identify", "--db", db, "--site", "NMR", "--as-of", "2026-11-23", "--top", "3")
	if code != 0 {
		t.Fatalf("identify: %s", errOut)
	}
	lines := strings.Split(out, "\n")
	if !strings.Contains(lines[0], "Hollis") || !strings.Contains(lines[0], "4 incidents, 2 victims") || !strings.Contains(lines[0], "SERIAL") {
		t.Fatalf("top of the list:\n%s", out)
	}
	// --resolve links the site again in full first; the answer is the
	// same list, and nothing moves on data already resolved in full.
	code, again, errOut := runCLI("identify", "--db", db, "--site", "NMR", "--as-of", "2026-11-23", "--top", "3", "--resolve")
	if code != 0 || again != out || !strings.Contains(errOut, "Linked again in full:") || !strings.Contains(errOut, "0 incidents and hearings changed person") {
		t.Fatalf("identify --resolve: %d\n%s\n%s", code, again, errOut)
	}
	if code, _, errOut := runCLI("identify", "--db", db, "--site", "ZZZ", "--resolve"); code != 2 || !strings.Contains(errOut, "no site") {
		t.Fatalf("--resolve at an unknown site: exit %d %s; want 2", code, errOut)
	}
	// A reference repeated within one extract is stored once.
	twice := filepath.Join(dir, "twice.csv")
	os.WriteFile(twice, []byte(rows[0]+"\nT1,2026-01-01,abh,yes,Ann,Other,,,,,\nT1,2026-01-02,abh,yes,Ann,Other,,,,,\n"), 0o600)
	if code, out, errOut := runCLI("import", "incidents", "--db", db, "--site", "NMR", twice); code != 0 || !strings.Contains(out, "Imported 1 new incidents (1 already held)") {
		t.Fatalf("repeated reference: %d %s %s", code, out, errOut)
	}
	if code, _, _ := runCLI("import", "incidents", "--db", db, "--site", "ZZZ", good); code != 2 {
		t.Fatalf("unknown site: exit %d; want 2", code)
	}
}

// TestImportMatchesAcrossSites: a man in both sites' extracts is matched
// when the second extract is imported; with --no-match he is not, until
// drive identify --across-sites runs.
func TestImportMatchesAcrossSites(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	for _, s := range [][2]string{{"NMR", "Northmoor"}, {"SVV", "Severnvale"}} {
		if code, _, errOut := runCLI("site", "add", "--db", db, "--code", s[0], "--name", s[1], "--region", "R"); code != 0 {
			t.Fatal(errOut)
		}
	}
	extract := func(site string, others ...string) string {
		rows := []string{"ref,date,type,crime,suspect_given,suspect_family,suspect_dob,suspect_postcode,victim_given,victim_family"}
		rows = append(rows, site+"1,2026-09-01,abh,yes,Darren,Hollis,1984-02-11,NM4 2XY,Sam,Example"+site)
		for i, o := range others {
			rows = append(rows, fmt.Sprintf("%s%d,2026-0%d-01,non-crime domestic,no,%s,1970-01-0%d,,Ann,Partner", site, i+2, i+1, o, i+1))
		}
		p := filepath.Join(dir, site+".csv")
		os.WriteFile(p, []byte(strings.Join(rows, "\n")+"\n"), 0o600)
		return p
	}
	a := extract("NMR", "Kevin,Doyle", "Amir,Shah", "Tom,Price")
	b := extract("SVV", "Lee,Wood", "Ian,Ward", "Ben,King")
	matched := func() string {
		t.Helper()
		code, _, errOut := runCLI("identify", "--db", db, "--across-sites")
		if code != 0 {
			t.Fatal(errOut)
		}
		return errOut
	}
	if code, _, errOut := runCLI("import", "incidents", "--db", db, "--site", "NMR", a, "--no-match"); code != 0 || strings.Contains(errOut, "matching") {
		t.Fatalf("import with --no-match: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI("import", "incidents", "--db", db, "--site", "SVV", b); code != 0 || !strings.Contains(errOut, "2 suspects known at more than one site") {
		t.Fatalf("second import: %d %s", code, errOut)
	}
	if out := matched(); !strings.Contains(out, "2 suspects known at more than one site") {
		t.Fatalf("--across-sites: %s", out)
	}
	if code, _, _ := runCLI("identify", "--db", db, "--across-sites", "--site", "NMR"); code != 2 {
		t.Fatalf("--across-sites with --site: exit %d; want 2", code)
	}
}
