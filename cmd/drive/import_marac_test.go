package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/store"
)

// TestImportMARAC imports a MARAC list: a bad list changes nothing and is
// reported row by row, a good one is stored and audited, importing it
// again changes nothing, and an unknown site is a clear usage error.
func TestImportMARAC(t *testing.T) {
	f := newCLIFixture(t)
	dir := t.TempDir()
	header := "MARAC No,Heard,victim_given,victim_family,victim_dob,Victim Address,perpetrator_given,perpetrator_family,perpetrator_dob,perpetrator_postcode"
	rows := []string{header,
		"M-101,2025-03-12,Sam,Example,1990-05-01,1 Secret Road,Darren,Hollis,1984-02-11,nm4 2xy",
		"M-101,2025-09-04,Sam,Example,1990-05-01,1 Secret Road,Daz,Hollis,,",
		"M-102,15/10/2025,Jo,Second,,,Kevin,Doyle,1979-01-03,",
	}
	good := filepath.Join(dir, "marac.csv")
	os.WriteFile(good, []byte(strings.Join(rows, "\n")+"\n"), 0o600)
	mapping := filepath.Join(dir, "mapping.json")
	os.WriteFile(mapping, []byte(`{"ref": "MARAC No", "heard_on": "Heard"}`), 0o600)

	bad := append([]string{}, rows...)
	for i := range 60 {
		bad = append(bad, fmt.Sprintf("M-%d,2099-01-01,Ann,Partner,,,Lee,Wood,,", 200+i)) // heard in the future
	}
	bad = append(bad, rows[1]) // the same hearing twice
	badFile := filepath.Join(dir, "bad.csv")
	os.WriteFile(badFile, []byte(strings.Join(bad, "\n")+"\n"), 0o600)

	code, _, errOut := f.drive("import", "marac", badFile, "--site", "NMR", "--mapping", mapping)
	if code != 1 || !strings.Contains(errOut, "line 5, Heard: the date is in the future") || !strings.Contains(errOut, "... and 11 more") ||
		!strings.Contains(errOut, "61 problems in "+badFile+": nothing was imported") {
		t.Fatalf("bad list: exit %d\n%s", code, errOut)
	}
	if got := hearings(t, f.db, f.site("NMR")); len(got) != 0 {
		t.Fatalf("a refused list stored %d hearings", len(got))
	}
	if code, _, errOut := f.drive("import", "marac", good, "--site", "NMR"); code != 1 || !strings.Contains(errOut, `no column "ref"`) || !strings.Contains(errOut, "--mapping") {
		t.Fatalf("a list read without its mapping: exit %d\n%s", code, errOut)
	}

	code, out, errOut := f.drive("import", "marac", "--site", "NMR", good, "--mapping", mapping)
	if code != 0 || !strings.Contains(out, "Imported 3 new MARAC hearings (0 already held)") || !strings.Contains(errOut, "Read 3 MARAC hearings") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errOut)
	}
	got := hearings(t, f.db, f.site("NMR"))
	if len(got) != 3 || got[0].Ref != "M-101" || got[1].HeardOn != drive.MustDate("2025-09-04") || got[2].Perpetrator.FamilyName != "Doyle" ||
		got[0].Perpetrator.Postcode != "NM4 2XY" || got[0].Victim.DOB != drive.MustDate("1990-05-01") {
		t.Fatalf("stored hearings: %+v", got)
	}
	for _, h := range got {
		if h.Victim.Postcode != "" || strings.Contains(fmt.Sprintf("%+v", h), "Secret") {
			t.Fatalf("a victim's address was kept: %+v", h)
		}
	}
	f.wantEvent("import.marac", "site", f.site("NMR"))

	code, out, _ = f.drive("import", "marac", "--site", "NMR", good, "--mapping", mapping)
	if code != 0 || !strings.Contains(out, "Imported 0 new MARAC hearings (3 already held)") {
		t.Fatalf("re-import: exit %d\n%s", code, out)
	}
	if again := hearings(t, f.db, f.site("NMR")); len(again) != 3 || again[0].ID != got[0].ID {
		t.Fatalf("after a re-import: %+v", again)
	}
	if other := hearings(t, f.db, f.site("SVV")); len(other) != 0 {
		t.Fatalf("another site has %d hearings", len(other))
	}

	code, _, errOut = f.drive("import", "marac", "--site", "ZZZ", good, "--mapping", mapping)
	if code != 2 || !strings.Contains(errOut, `no site with code "ZZZ": see drive site list`) {
		t.Fatalf("unknown site: exit %d\n%s", code, errOut)
	}
}

// TestImportMARACUsage checks the mistakes a person makes at the command
// line are named, and help lists the subcommand.
func TestImportMARACUsage(t *testing.T) {
	f := newCLIFixture(t)
	dir := t.TempDir()
	list := filepath.Join(dir, "marac.csv")
	os.WriteFile(list, []byte("ref,heard_on,victim_given,victim_family,perpetrator_given,perpetrator_family\nM-1,2026-01-01,A,B,C,D\n"), 0o600)
	badMapping := filepath.Join(dir, "mapping.json")
	os.WriteFile(badMapping, []byte(`{"date": "Heard"}`), 0o600)
	for _, tc := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"--site", "NMR"}, 2, "give exactly one MARAC list file: drive import marac"},
		{[]string{list, list, "--site", "NMR"}, 2, "give exactly one MARAC list file"},
		{[]string{list}, 2, "say which site the MARAC list is for with --site CODE"},
		{[]string{list, "--site", "NMR", "--mapping", filepath.Join(dir, "none.json")}, 2, "cannot read the mapping file"},
		{[]string{list, "--site", "NMR", "--mapping", badMapping}, 1, `unknown field "date"`},
		{[]string{filepath.Join(dir, "none.csv"), "--site", "NMR"}, 2, "cannot read"},
	} {
		code, _, errOut := f.drive("import", "marac", tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.says) {
			t.Errorf("drive import marac %v: exit %d\n%s\nwant exit %d saying %q", tc.args, code, errOut, tc.code, tc.says)
		}
	}
	if code, _, errOut := runCLI("import"); code != 2 || !strings.Contains(errOut, "drive import marac") {
		t.Errorf("drive import: exit %d\n%s", code, errOut)
	}
	if _, _, errOut := runCLI("help"); !strings.Contains(errOut, "incidents|marac") {
		t.Errorf("help does not list drive import marac:\n%s", errOut)
	}
}

// hearings returns a site's stored MARAC hearings.
func hearings(t *testing.T, db *store.DB, siteID int64) []store.MARACHearing {
	t.Helper()
	var out []store.MARACHearing
	if err := db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.SiteMARAC(context.Background(), siteID, drive.Date{})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}
