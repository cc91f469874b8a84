package linkage

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
)

func readAll(t *testing.T, in string) ([]string, [][]string, error) {
	t.Helper()
	r, err := NewCSVReader(strings.NewReader(in), "people.csv")
	if err != nil {
		return nil, nil, err
	}
	var rows [][]string
	for {
		row, err := r.Read()
		if errors.Is(err, io.EOF) {
			return r.Header(), rows, nil
		}
		if err != nil {
			return r.Header(), rows, err
		}
		rows = append(rows, slices.Clone(row))
	}
}

func TestCSVReader(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		header []string
		rows   [][]string
	}{
		{"plain", "id,name\n1,Ann\n2,Bob\n", []string{"id", "name"}, [][]string{{"1", "Ann"}, {"2", "Bob"}}},
		{"spaces trimmed", "rec_id, given_name\nrec-1-org, sarah \n", []string{"rec_id", "given_name"}, [][]string{{"rec-1-org", "sarah"}}},
		{"byte-order mark", "\xef\xbb\xbfid,name\n1,Ann\n", []string{"id", "name"}, [][]string{{"1", "Ann"}}},
		{"semicolons", "id;name\n1;Ann\n", []string{"id", "name"}, [][]string{{"1", "Ann"}}},
		{"tabs", "id\tname\n1\tAnn\n", []string{"id", "name"}, [][]string{{"1", "Ann"}}},
		{"quoted comma", "id,name\n1,\"Smith, Ann\"\n", []string{"id", "name"}, [][]string{{"1", "Smith, Ann"}}},
		{"stray quote", "id,name\n1,O\"Brien\n", []string{"id", "name"}, [][]string{{"1", "O\"Brien"}}},
		{"blank lines", "id,name\n\n1,Ann\n\n", []string{"id", "name"}, [][]string{{"1", "Ann"}}},
		{"windows line ends", "id,name\r\n1,Ann\r\n", []string{"id", "name"}, [][]string{{"1", "Ann"}}},
		{"no final newline", "id,name\n1,Ann", []string{"id", "name"}, [][]string{{"1", "Ann"}}},
		{"header only", "id,name\n", []string{"id", "name"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			header, rows, err := readAll(t, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(header, tt.header) {
				t.Errorf("header = %q, want %q", header, tt.header)
			}
			if !slices.EqualFunc(rows, tt.rows, slices.Equal) {
				t.Errorf("rows = %q, want %q", rows, tt.rows)
			}
		})
	}
}

func TestCSVReaderErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "people.csv is empty"},
		{"only blank", "\n\n", "people.csv is empty"},
		{"repeated header", "id,name,name\n", "column \"name\" appears twice"},
		{"empty header", ",,\n", "no column names"},
		{"short row", "id,name\n1\n", "line 2 has 1 values but the header has 2 columns"},
		{"long row", "id,name\n1,Ann\n2,Bob,x\n", "line 3 has 3 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("error code = %q, want %q", drive.ErrorCode(err), drive.EINVALID)
			}
		})
	}
}

func TestCSVReaderColumn(t *testing.T) {
	r, err := NewCSVReader(strings.NewReader("id, surname\n"), "people.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("Read on a header-only file: %v, want io.EOF", err)
	}
	if i, err := r.Column("surname"); err != nil || i != 1 {
		t.Errorf("Column(surname) = %d, %v; want 1, nil", i, err)
	}
	_, err = r.Column("dob")
	if err == nil || !strings.Contains(err.Error(), "has no column \"dob\"; its columns are: id, surname") {
		t.Errorf("Column(dob) error = %v, want it to list the columns", err)
	}
}

// FuzzCSVReader checks that any input is either refused with an EINVALID
// error or read into rows that each have one trimmed value per column.
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"id,name\n1,Ann\n", "rec_id, given_name\nrec-1-org, sarah\n", "\xef\xbb\xbfa;b\n1;2\n",
		"id,name\n1,\"Smith, Ann\"\n", "a\tb\n\"x\ty\"\tz\n", "", "\n", "a,a\n", "a,b\n1\n", "a\n\"\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewCSVReader(strings.NewReader(in), "fuzz.csv")
		if err != nil {
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("NewCSVReader error %v has code %q, want %q", err, drive.ErrorCode(err), drive.EINVALID)
			}
			return
		}
		for _, h := range r.Header() {
			if h != strings.TrimSpace(h) {
				t.Fatalf("header %q is not trimmed", h)
			}
		}
		for {
			row, err := r.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				if drive.ErrorCode(err) != drive.EINVALID {
					t.Fatalf("Read error %v has code %q, want %q", err, drive.ErrorCode(err), drive.EINVALID)
				}
				return
			}
			if len(row) != len(r.Header()) {
				t.Fatalf("row %q has %d values for %d columns", row, len(row), len(r.Header()))
			}
			for _, v := range row {
				if v != strings.TrimSpace(v) {
					t.Fatalf("value %q is not trimmed", v)
				}
			}
		}
	})
}
