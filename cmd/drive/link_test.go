package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/drive-platform/drive/linkage/synth"
)

// writeFile writes content to name in a fresh directory and returns its path.
func linkWriteFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeSyntheticCSV writes n synthetic records and returns the path.
func linkWriteSynthetic(t *testing.T, dir, name string, recs []synth.Record) string {
	t.Helper()
	var buf bytes.Buffer
	if err := synth.WriteCSV(&buf, recs); err != nil {
		t.Fatal(err)
	}
	return linkWriteFile(t, dir, name, buf.String())
}

func linkReadCSV(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

var linkSyntheticFields = []string{
	"--field", "given_name=given", "--field", "surname=surname", "--field", "dob=date",
	"--field", "postcode=postcode", "--field", "town=place",
}

func TestRunLink(t *testing.T) {
	dir := t.TempDir()
	in := linkWriteSynthetic(t, dir, "people.csv", synth.Generate(synth.Config{Records: 3000, Seed: 2}))
	out := filepath.Join(dir, "clusters.csv")
	args := append([]string{"--in", in, "--id", "id", "--truth", "person_id", "--out", out, "--explain", "r1,r2"}, linkSyntheticFields...)
	var stdout, stderr bytes.Buffer
	if err := runLink(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("runLink: %v\n%s", err, stderr.String())
	}
	rows := linkReadCSV(t, out)
	if strings.Join(rows[0], ",") != "record_id,cluster_id" || len(rows) != 3001 {
		t.Fatalf("output header %q with %d rows, want record_id,cluster_id and 3001", rows[0], len(rows))
	}
	if rows[1][0] != "r1" {
		t.Errorf("first output row %q, want record r1 first (input order)", rows[1])
	}
	report := stdout.String()
	for _, want := range []string{"records          3000", "precision", "recall", "F1", "match probability"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}

func TestRunLinkTwoInputs(t *testing.T) {
	dir := t.TempDir()
	recs := synth.Generate(synth.Config{Records: 2000, Seed: 5})
	second := slices.Clone(recs[1000:])
	for i := range second {
		second[i].ID = fmt.Sprintf("r%d", i+1) // ids repeat across the files
	}
	a := linkWriteSynthetic(t, dir, "a.csv", recs[:1000])
	b := linkWriteSynthetic(t, dir, "b.csv", second)
	out := filepath.Join(dir, "clusters.csv")
	args := append([]string{"--in", a, "--in", b, "--id", "id", "--truth", "person_id", "--out", out, "--explain", "1:r1,2:r1"}, linkSyntheticFields...)
	var stdout, stderr bytes.Buffer
	if err := runLink(context.Background(), args, &stdout, &stderr); err != nil {
		t.Fatalf("runLink: %v\n%s", err, stderr.String())
	}
	rows := linkReadCSV(t, out)
	if strings.Join(rows[0], ",") != "source,record_id,cluster_id" || len(rows) != 2001 {
		t.Fatalf("output header %q with %d rows", rows[0], len(rows))
	}
	if rows[1][0] != "1" || rows[2000][0] != "2" {
		t.Errorf("sources %q and %q, want 1 first and 2 last", rows[1][0], rows[2000][0])
	}
	// Ids repeat across the files; an unqualified one is ambiguous.
	args = append([]string{"--in", a, "--in", b, "--id", "id", "--out", out, "--explain", "r1,r2"}, linkSyntheticFields...)
	err := runLink(context.Background(), args, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "in both inputs") {
		t.Errorf("ambiguous --explain id: error %v", err)
	}
}

func TestRunLinkTruthFromID(t *testing.T) {
	dir := t.TempDir()
	in := linkWriteFile(t, dir, "febrl.csv", `rec_id, given_name, surname, date_of_birth, postcode
rec-1-org, sarah, bruhn, 19300213, 4510
rec-1-dup-0, sara, bruhn, 19300213, 4510
rec-2-org, jacob, lanyon, 19080712, 2602
rec-2-dup-0, jacob, lanyon, 19080721, 2602
rec-3-org, mitchell, green, 19560409, 2119
`)
	out := filepath.Join(dir, "clusters.csv")
	var stdout, stderr bytes.Buffer
	err := runLink(context.Background(), []string{
		"--in", in, "--id", "rec_id", "--field", "given_name=given", "--field", "surname=surname",
		"--field", "date_of_birth=date", "--field", "postcode=postcode",
		"--truth-from-id", `rec-(\d+)-`, "--out", out, "--threshold", "0.5",
	}, &stdout, &stderr)
	if err != nil {
		t.Fatalf("runLink: %v", err)
	}
	if !strings.Contains(stdout.String(), "of 2 true pairs") {
		t.Errorf("report does not count 2 true pairs:\n%s", stdout.String())
	}
}

func TestRunLinkErrors(t *testing.T) {
	dir := t.TempDir()
	good := linkWriteFile(t, dir, "good.csv", "id,name,dob\n1,Ann,1970-01-01\n2,Ann,1970-01-01\n")
	dup := linkWriteFile(t, dir, "dup.csv", "id,name,dob\n1,Ann,1970-01-01\n1,Bob,1971-01-01\n")
	empty := linkWriteFile(t, dir, "empty.csv", "")
	headerOnly := linkWriteFile(t, dir, "header.csv", "id,name,dob\n")
	ragged := linkWriteFile(t, dir, "ragged.csv", "id,name,dob\n1,Ann\n")
	out := filepath.Join(dir, "out.csv")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no input", []string{"--id", "id", "--field", "name=given", "--out", out}, "--in FILE.csv"},
		{"no id", []string{"--in", good, "--field", "name=given", "--out", out}, "--id COLUMN"},
		{"no field", []string{"--in", good, "--id", "id", "--out", out}, "--field COLUMN=KIND"},
		{"no out", []string{"--in", good, "--id", "id", "--field", "name=given"}, "--out"},
		{"bad kind", []string{"--in", good, "--id", "id", "--field", "name=person", "--out", out}, "unknown field kind \"person\""},
		{"field without kind", []string{"--in", good, "--id", "id", "--field", "name", "--out", out}, "COLUMN=KIND"},
		{"missing column", []string{"--in", good, "--id", "id", "--field", "surname=surname", "--out", out}, "has no column \"surname\"; its columns are: id, name, dob"},
		{"missing id column", []string{"--in", good, "--id", "rec", "--field", "name=given", "--out", out}, "has no column \"rec\""},
		{"missing truth column", []string{"--in", good, "--id", "id", "--field", "name=given", "--truth", "who", "--out", out}, "has no column \"who\""},
		{"unreadable file", []string{"--in", filepath.Join(dir, "nope.csv"), "--id", "id", "--field", "name=given", "--out", out}, "cannot open"},
		{"empty file", []string{"--in", empty, "--id", "id", "--field", "name=given", "--out", out}, "is empty"},
		{"header only", []string{"--in", headerOnly, "--id", "id", "--field", "name=given", "--out", out}, "no records"},
		{"duplicate id", []string{"--in", dup, "--id", "id", "--field", "name=given", "--out", out}, "dup.csv line 3: id \"1\" appears twice"},
		{"ragged row", []string{"--in", ragged, "--id", "id", "--field", "name=given", "--out", out}, "line 2 has 2 values"},
		{"bad threshold", []string{"--in", good, "--id", "id", "--field", "name=given", "--threshold", "2", "--out", out}, "threshold"},
		{"bad regexp", []string{"--in", good, "--id", "id", "--field", "name=given", "--truth-from-id", "(", "--out", out}, "not a valid regular expression"},
		{"regexp without group", []string{"--in", good, "--id", "id", "--field", "name=given", "--truth-from-id", "x", "--out", out}, "no group"},
		{"bad block", []string{"--in", good, "--id", "id", "--field", "name=given", "--block", "dob:year", "--out", out}, "not a compared field"},
		{"three inputs", []string{"--in", good, "--in", good, "--in", good, "--id", "id", "--field", "name=given", "--out", out}, "3 input files"},
		{"unknown explain id", []string{"--in", good, "--id", "id", "--field", "name=given", "--explain", "1,9", "--out", out}, "no record has id \"9\""},
		{"diagnose without truth", []string{"--in", good, "--id", "id", "--field", "name=given", "--diagnose", "--out", out}, "--diagnose needs the truth"},
		{"unwritable output", []string{"--in", good, "--id", "id", "--field", "name=given", "--out", filepath.Join(dir, "no", "such", "dir.csv")}, "cannot create"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runLink(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(describe(err), tt.want) {
				t.Errorf("error %v, want one whose message contains %q", err, tt.want)
			}
		})
	}
}

func TestRunBenchLink(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := runBenchLink(context.Background(), []string{"--records", "3000", "--seed", "2", "--diagnose"}, &stdout, &stderr); err != nil {
		t.Fatalf("runBenchLink: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"records          3000", "wall time", "records/second", "peak memory", "pairwise F1",
		"missed true pairs", "never compared: no blocking rule gives both one key", "commonest false pairs", "candidate pairs by match weight"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, stdout.String())
		}
	}
	// The older generator's names stay available to compare with, and an
	// unknown name model is a usage error, not a silent default.
	stdout.Reset()
	if err := runBenchLink(context.Background(), []string{"--records", "500", "--names", "compact"}, &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "pairwise F1") {
		t.Errorf("--names compact: %v\n%s", err, stdout.String())
	}
	var usage usageError
	if err := runBenchLink(context.Background(), []string{"--records", "500", "--names", "census"}, &stdout, &stderr); !errors.As(err, &usage) || !strings.Contains(usage.Error(), "population or compact") {
		t.Errorf("--names census: error %v, want a usage error naming the choices", err)
	}
}

// TestRunLinkFilesAsSaved: a file saved as plain CSV from Excel
// (Windows-1252) and as "Unicode text" (UTF-16, tabs) give the same
// clusters as the UTF-8 original, with accented names read, not
// mangled; a file of one record links to nothing without an error.
func TestRunLinkFilesAsSaved(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	if err := synth.WriteCSV(&buf, synth.Generate(synth.Config{Records: 1500, Seed: 7})); err != nil {
		t.Fatal(err)
	}
	// Accents the linker must read alike in every encoding: every given
	// name's e and every surname's o.
	lines := strings.Split(buf.String(), "\n")
	for i := 1; i < len(lines); i++ {
		f := strings.Split(lines[i], ",")
		if len(f) > 2 {
			f[1], f[2] = strings.ReplaceAll(f[1], "e", "é"), strings.ReplaceAll(f[2], "o", "ö")
			lines[i] = strings.Join(f, ",")
		}
	}
	text := strings.Join(lines, "\n")
	if strings.Count(text, "é") < 500 {
		t.Fatalf("only %d accented letters", strings.Count(text, "é"))
	}
	win, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(text, ",", "\t"))
	if err != nil {
		t.Fatal(err)
	}
	clusters := func(name, content string) ([][]string, string) {
		in := linkWriteFile(t, dir, name, content)
		out := filepath.Join(dir, name+".out.csv")
		var stdout, stderr bytes.Buffer
		args := append([]string{"--in", in, "--id", "id", "--out", out, "--progress"}, linkSyntheticFields...)
		if err := runLink(context.Background(), args, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, stderr.String())
		}
		return linkReadCSV(t, out), stderr.String()
	}
	want, _ := clusters("utf8.csv", text)
	for _, f := range []struct{ name, content, says string }{
		{"windows-1252.csv", win, "WINDOWS-1252 text, comma-separated"},
		{"unicode.txt", u16, "UTF-16LE text with a byte-order mark, tab-separated"},
	} {
		got, log := clusters(f.name, f.content)
		if !strings.Contains(log, f.says) {
			t.Errorf("%s: progress does not say it read %s:\n%s", f.name, f.says, log)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d rows, want %d", f.name, len(got), len(want))
		}
		for i := range want {
			if strings.Join(got[i], ",") != strings.Join(want[i], ",") {
				t.Fatalf("%s: row %d is %q, the UTF-8 file's is %q", f.name, i, got[i], want[i])
			}
		}
	}
	one := linkWriteFile(t, dir, "one.csv", "id,given_name,surname,dob,postcode,town\nr1,Zoë,Åkerlund,1980-01-02,AB1 2CD,Leeds\n")
	out := filepath.Join(dir, "one.out.csv")
	var stdout, stderr bytes.Buffer
	if err := runLink(context.Background(), append([]string{"--in", one, "--id", "id", "--out", out}, linkSyntheticFields...), &stdout, &stderr); err != nil {
		t.Fatalf("one record: %v", err)
	}
	if rows := linkReadCSV(t, out); len(rows) != 2 || rows[1][1] != "1" || !strings.Contains(stdout.String(), "links            0") {
		t.Fatalf("one record: %q\n%s", rows, stdout.String())
	}
}
