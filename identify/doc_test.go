package identify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docPath is docs/identify.md, seen from the package directory where tests
// run.
var docPath = filepath.Join("..", "docs", "identify.md")

// TestDocIsCurrent fails when docs/identify.md differs from document(), so
// the documented default cannot drift from Default(). UPDATE_DOCS=1 go
// test ./identify/ rewrites the file instead.
func TestDocIsCurrent(t *testing.T) {
	want := document()
	if os.Getenv("UPDATE_DOCS") == "1" {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", docPath)
		return
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("cannot read docs/identify.md (%v): run `%s` from the repository root", err, docCommand)
	}
	if string(got) != want {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(want, "\n")
		line := 0
		for line < len(gl) && line < len(wl) && gl[line] == wl[line] {
			line++
		}
		g, w := "(end of file)", "(end of file)"
		if line < len(gl) {
			g = gl[line]
		}
		if line < len(wl) {
			w = wl[line]
		}
		t.Errorf("docs/identify.md does not match identify.Default(): run `%s` from the repository root and commit the result.\nFirst difference at line %d:\n  file: %s\n  code: %s", docCommand, line+1, g, w)
	}
}

// TestTablesListEveryRow checks the rendered tables name every band and
// gravity type of the default.
func TestTablesListEveryRow(t *testing.T) {
	d := Default()
	md := d.Tables()
	rows := 0
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "| ") && !strings.HasPrefix(l, "| Most") && !strings.HasPrefix(l, "| Incidents") && !strings.HasPrefix(l, "| Type code") {
			rows++
		}
	}
	if want := len(d.RecencyBands) + len(d.FrequencyBands) + len(d.Gravity) + 1; rows != want {
		t.Errorf("%d table rows, want %d", rows, want)
	}
	for _, g := range d.Gravity {
		if !strings.Contains(md, "| `"+g.Type+"` | "+g.Label+" | "+num(g.Points)+" |") {
			t.Errorf("gravity row for %s missing", g.Type)
		}
	}
	if !strings.Contains(md, "| 8 or more | 10 |") || !strings.Contains(md, "| within 3 months | 10 |") {
		t.Errorf("band rows missing:\n%s", md)
	}
}
