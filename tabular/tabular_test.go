package tabular

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/drive-platform/drive"
)

// rows is the sample every encoding test writes: an accented name, a
// quoted cell holding the separator, and a date.
var rows = [][]string{
	{"ref", "suspect_given", "suspect_family", "occurred_on"},
	{"R1", "Zoë", "Åkerlund-Ó Briain", "2026-03-01"},
	{"R2", "Renée", "Smith, Jr", "02/03/2026"},
}

func csvText(sep string) string {
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b.WriteString(sep)
			}
			if strings.Contains(c, sep) || strings.Contains(c, ",") {
				c = `"` + c + `"`
			}
			b.WriteString(c)
		}
		b.WriteString("\r\n")
	}
	return b.String()
}

func readAll(t *testing.T, data []byte, opt Options) ([][]string, []int, Info, []error) {
	t.Helper()
	r, err := Open(bytes.NewReader(data), opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out [][]string
	var lines []int
	var errs []error
	for {
		rec, line, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, rec)
		lines = append(lines, line)
	}
	return out, lines, r.Info, errs
}

func TestEncodingsAndSeparators(t *testing.T) {
	win, err := charmap.Windows1252.NewEncoder().String(csvText(","))
	if err != nil {
		t.Fatal(err)
	}
	u16le, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(csvText("\t"))
	u16be, _ := unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().String(csvText(";"))
	u16plain, _ := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewEncoder().String(csvText("\t"))
	tests := []struct {
		name string
		data string
		opt  Options
		enc  string
		bom  bool
		sep  string
	}{
		{"utf-8", csvText(","), Options{}, UTF8, false, Comma},
		{"utf-8 with mark", "\ufeff" + csvText(","), Options{}, UTF8, true, Comma},
		{"semicolons", csvText(";"), Options{}, UTF8, false, Semicolon},
		{"windows-1252 detected", win, Options{}, Windows1252, false, Comma},
		{"windows-1252 named", win, Options{Encoding: "cp1252"}, Windows1252, false, Comma},
		{"utf-16 little-endian, tabs (Excel's Unicode text)", u16le, Options{}, UTF16LE, true, Tab},
		{"utf-16 big-endian, semicolons", u16be, Options{}, UTF16BE, true, Semicolon},
		{"utf-16 without a mark", u16plain, Options{}, UTF16LE, false, Tab},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, lines, info, errs := readAll(t, []byte(tt.data), tt.opt)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if !reflect.DeepEqual(got, rows) {
				t.Errorf("read %q\nwant %q", got, rows)
			}
			if !reflect.DeepEqual(lines, []int{1, 2, 3}) {
				t.Errorf("lines %v", lines)
			}
			if info.Encoding != tt.enc || info.BOM != tt.bom || info.Separator != tt.sep || info.Format != FormatCSV {
				t.Errorf("info %+v, want %s (mark %v), %s", info, tt.enc, tt.bom, tt.sep)
			}
			if s := info.String(); !strings.Contains(s, strings.ToUpper(tt.enc)) || !strings.Contains(s, tt.sep) {
				t.Errorf("info says %q", s)
			}
		})
	}
}

func TestUndecodableTextNamesItsLine(t *testing.T) {
	data := []byte("ref,name\nR1,Zoe\nR2,Zo\xeb\nR3,Ann\n")
	// Named as UTF-8, the Windows-1252 byte on line 3 cannot be read.
	got, _, _, errs := readAll(t, data, Options{Encoding: "utf-8"})
	var le *LineError
	if len(errs) != 1 || !errors.As(errs[0], &le) || le.Line != 3 || !strings.Contains(le.Message, "windows-1252") {
		t.Fatalf("errors %v; want one on line 3 that names windows-1252", errs)
	}
	if len(got) != 3 {
		t.Errorf("read %d good rows, want 3 (the reader goes on)", len(got))
	}
	// Undefined in Windows-1252: 0x81.
	_, _, _, errs = readAll(t, []byte("ref,name\nR1,A\x81B\n"), Options{Encoding: Windows1252})
	if len(errs) != 1 || !errors.As(errs[0], &le) || le.Line != 2 {
		t.Fatalf("errors %v; want one on line 2", errs)
	}
	if _, err := Open(strings.NewReader("a"), Options{Encoding: "ebcdic"}); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("unknown encoding: %v", err)
	}
}

// workbook writes rows as a sheet named name, the date of line 2 as a
// real date cell, the way a force's system writes one.
func workbook(t *testing.T, name string, extra string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if extra != "" {
		if _, err := f.NewSheet(extra); err != nil {
			t.Fatal(err)
		}
		_ = f.SetCellValue(extra, "A1", "not this sheet")
	}
	if err := f.SetSheetName("Sheet1", name); err != nil {
		t.Fatal(err)
	}
	// Excel gives a typed date the built-in short date format (14).
	short, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		for j, c := range r {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			var v any = c
			if i == 1 && j == 3 {
				v = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			}
			if err := f.SetCellValue(name, cell, v); err != nil {
				t.Fatal(err)
			}
			if i == 1 && j == 3 {
				if err := f.SetCellStyle(name, cell, cell, short); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// A blank row and trailing blank cells, as edited sheets have.
	_ = f.SetCellValue(name, "F7", "")
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWorkbook(t *testing.T) {
	data := workbook(t, "Extract", "Notes")
	got, _, info, errs := readAll(t, data, Options{})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if !reflect.DeepEqual(got, rows) {
		t.Errorf("read %q\nwant %q", got, rows)
	}
	if info.Format != FormatXLSX || info.Sheet != "Extract" {
		t.Errorf("info %+v", info)
	}
	got, _, info, _ = readAll(t, data, Options{Sheet: "notes"})
	if info.Sheet != "Notes" || len(got) != 1 || got[0][0] != "not this sheet" {
		t.Errorf("named sheet: %+v %q", info, got)
	}
	if _, err := Open(bytes.NewReader(data), Options{Sheet: "Missing"}); drive.ErrorCode(err) != drive.EINVALID || !strings.Contains(err.Error(), "Extract") {
		t.Errorf("missing sheet: %v; want the sheets named", err)
	}
	if _, err := Open(bytes.NewReader(data), Options{MaxUnpacked: 2 << 10}); drive.ErrorCode(err) != drive.EINVALID || !strings.Contains(err.Error(), "unpacks") {
		t.Errorf("over the unpacked limit: %v", err)
	}
	if _, err := Open(strings.NewReader("PK\x03\x04not a zip at all"), Options{}); drive.ErrorCode(err) != drive.EINVALID {
		t.Errorf("broken workbook: %v", err)
	}
}
