package document

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"
)

func docx(t *testing.T, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte("<x/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSniff finds each kind by its bytes and refuses everything else,
// whatever it would be called.
func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want Kind
	}{
		{"pdf", []byte("%PDF-1.7\n..."), PDF},
		{"png", []byte("\x89PNG\r\n\x1a\nrest"), PNG},
		{"jpeg", []byte("\xff\xd8\xff\xe0rest"), JPEG},
		{"docx", docx(t, "[Content_Types].xml", "word/document.xml"), DOCX},
		{"a zip that is not a docx", docx(t, "[Content_Types].xml", "xl/workbook.xml"), ""},
		{"html", []byte("<html><script>alert(1)</script></html>"), ""},
		{"an executable", []byte("MZ\x90\x00"), ""},
		{"empty", nil, ""},
		{"too large", append([]byte("%PDF-"), make([]byte, MaxSize)...), ""},
		{"pdf later in the file", []byte(" %PDF-1.7"), ""},
	} {
		got, err := Sniff(tc.b)
		if got != tc.want || (tc.want == "") != (err != nil) {
			t.Errorf("%s: %q %v", tc.name, got, err)
		}
	}
}

func TestSafeFileName(t *testing.T) {
	for in, want := range map[string]string{
		"Court order.pdf":                 "Court_order.pdf",
		`C:\Users\x\letter "final".docx`:  "letter__final.pdf",
		"../../etc/passwd":                "passwd.pdf",
		"":                                "document.pdf",
		"évasion\r\nX-Header: 1.pdf":      "vasion__X-Header__1.pdf",
		strings.Repeat("a", 300) + ".pdf": strings.Repeat("a", 90) + ".pdf",
	} {
		if got := SafeFileName(in, PDF); got != want {
			t.Errorf("%q: %q; want %q", in, got, want)
		}
	}
}

func TestValidateTitle(t *testing.T) {
	d := Document{Title: "  Order  "}
	if err := d.Validate(); err != nil || d.Title != "Order" {
		t.Errorf("%q %v", d.Title, err)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("x", 201)} {
		d := Document{Title: bad}
		if d.Validate() == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
