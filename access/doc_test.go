package access

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// docPath is docs/access-policy.md, seen from the package directory where
// tests run.
var docPath = filepath.Join("..", "docs", "access-policy.md")

// TestDocIsCurrent fails when docs/access-policy.md differs from
// Markdown(), so the documentation cannot drift from the policy.
// UPDATE_DOCS=1 go test ./access/ rewrites the file instead.
func TestDocIsCurrent(t *testing.T) {
	want := Markdown()
	if os.Getenv("UPDATE_DOCS") == "1" {
		if err := os.WriteFile(docPath, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", docPath)
		return
	}
	got, err := os.ReadFile(docPath)
	if err != nil {
		t.Fatalf("cannot read docs/access-policy.md (%v): run `%s` from the repository root, or UPDATE_DOCS=1 go test ./access/", err, docCommand)
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
		t.Errorf("docs/access-policy.md does not match the policy in access/policy.go: run `%s` from the repository root (or UPDATE_DOCS=1 go test ./access/) and commit the result.\nFirst difference at line %d:\n  file:   %s\n  policy: %s", docCommand, line+1, g, w)
	}
}

// TestMarkdownTables reads the rendered tables back and checks every cell
// against the policy, so the rendering cannot misstate it.
func TestMarkdownTables(t *testing.T) {
	md := Markdown()
	if md != Markdown() {
		t.Fatal("Markdown is not deterministic")
	}
	if !strings.HasSuffix(md, "\n") || strings.HasSuffix(md, "\n\n") {
		t.Error("Markdown must end with exactly one newline")
	}
	for _, want := range []string{docCommand, "not found", "HTTP 404", "4 hours"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown does not mention %q", want)
		}
	}
	// A | inside a description would break its table.
	for _, c := range DataClasses() {
		if strings.Contains(c.Description(), "|") {
			t.Errorf("description of %s contains |", c)
		}
	}
	for _, r := range Relationships() {
		if strings.Contains(r.Description(), "|") {
			t.Errorf("description of %s contains |", r)
		}
	}
	for _, r := range Roles() {
		if strings.Contains(r.Description(), "|") {
			t.Errorf("description of %s contains |", r)
		}
	}

	sections := strings.Split(md, "\n### ")[1:]
	if len(sections) != len(DataClasses()) {
		t.Fatalf("%d policy sections, want one per data class (%d)", len(sections), len(DataClasses()))
	}
	for k, c := range DataClasses() {
		// The last class's section ends where the next level-2 section begins.
		sec, _, _ := strings.Cut(sections[k], "\n## ")
		lines := strings.Split(sec, "\n")
		if lines[0] != c.Label() {
			t.Errorf("section %d is %q, want %q", k, lines[0], c.Label())
			continue
		}
		var rows [][]string
		for _, l := range lines {
			if strings.HasPrefix(l, "| ") {
				rows = append(rows, strings.Split(strings.Trim(l, "| "), " | "))
			}
		}
		if len(rows) != 1+len(Roles()) {
			t.Errorf("%s: %d table rows, want a header and one per role", c, len(rows))
			continue
		}
		head := rows[0]
		for j, rel := range Relationships() {
			if head[1+j] != rel.Label() {
				t.Errorf("%s: column %d is %q, want %q", c, 1+j, head[1+j], rel.Label())
			}
		}
		for i, r := range Roles() {
			row := rows[1+i]
			if row[0] != r.Label() {
				t.Errorf("%s: row %d is %q, want %q", c, i, row[0], r.Label())
			}
			for j, rel := range Relationships() {
				if want := cell(Allowed(r, c, rel)); row[1+j] != want {
					t.Errorf("%s / %s / %s: table says %q, policy %q", c, r, rel, row[1+j], want)
				}
			}
			want := "—"
			if BreakGlassAllowed(r, c) {
				want = "yes"
			}
			if got := row[len(row)-1]; got != want {
				t.Errorf("%s / %s break-glass: table says %q, policy %q", c, r, got, want)
			}
		}
	}
}

// TestMarkdownCompartmentByOrganisation reads back the table of what every
// role in every kind of organisation can reach of the victim compartment,
// and checks it against the rule stated by hand: only staff of an IDVA
// service reach it, and there only an IDVA (write), a team leader (read)
// and, by break-glass alone, an IDVA, a team leader or a DPO.
func TestMarkdownCompartmentByOrganisation(t *testing.T) {
	md := Markdown()
	_, sec, ok := strings.Cut(md, "\n## The victim compartment, by organisation\n")
	if !ok {
		t.Fatal("no section on the victim compartment by organisation")
	}
	var rows [][]string
	for _, l := range strings.Split(sec, "\n") {
		if strings.HasPrefix(l, "| ") {
			rows = append(rows, strings.Split(strings.Trim(l, "| "), " | "))
		}
	}
	if len(rows) != 1+len(Roles()) {
		t.Fatalf("%d rows, want a header and one per role", len(rows))
	}
	for j, k := range OrgKinds() {
		if rows[0][1+j] != k.Label() {
			t.Errorf("column %d is %q, want %q", 1+j, rows[0][1+j], k.Label())
		}
	}
	inIDVAService := map[Role]string{IDVA: "write, break-glass", TeamLeader: "read, break-glass", DPO: "break-glass"}
	for i, r := range Roles() {
		row := rows[1+i]
		if row[0] != r.Label() || len(row) != 1+len(OrgKinds()) {
			t.Errorf("row %d is %q, want %q with a cell per kind", i, row, r.Label())
			continue
		}
		for j, k := range OrgKinds() {
			want := "—"
			if k == IDVAService && inIDVAService[r] != "" {
				want = inIDVAService[r]
			}
			if row[1+j] != want {
				t.Errorf("%s in %s: table says %q, want %q", r, k, row[1+j], want)
			}
		}
	}
}
