package tabular_test

import (
	"bytes"
	"io"
	"testing"
	"unicode/utf8"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/tabular"
)

// FuzzOpen: an uploaded extract can be any bytes. Reading one either
// refuses it with EINVALID or gives rows of valid UTF-8 and ends; it
// never panics or runs on. The seeds run as a normal test.
func FuzzOpen(f *testing.F) {
	f.Add([]byte("ref,date,suspect\nINC1,2026-01-02,Adam Ashworth\n"))
	f.Add([]byte("ref;date\r\nINC1;02/01/2026\r\n"))
	f.Add([]byte("\xff\xfer\x00e\x00f\x00\t\x00d\x00\n\x00"))
	f.Add([]byte("\xef\xbb\xbfref,name\n1,Zoë\n"))
	f.Add([]byte("ref,name\n1,Zo\xeb\n"))
	f.Add([]byte("PK\x03\x04not really a workbook"))
	f.Add([]byte("\"unclosed,quote\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := tabular.Open(bytes.NewReader(data), tabular.Options{MaxUnpacked: 1 << 20})
		if err != nil {
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("Open: %v; want EINVALID", err)
			}
			return
		}
		defer r.Close()
		for rows := 0; ; rows++ {
			if rows > len(data)+1 {
				t.Fatalf("more rows (%d) than bytes (%d)", rows, len(data))
			}
			rec, _, err := r.Read()
			if err == io.EOF {
				return
			}
			if err != nil {
				return // a bad row is reported and reading stops
			}
			for _, v := range rec {
				if !utf8.ValidString(v) {
					t.Fatalf("row %d holds invalid UTF-8 %q", rows, v)
				}
			}
		}
	})
}
