package drive_test

import (
	"testing"

	"github.com/drive-platform/drive"
)

// FuzzParseDate: whatever is typed into a date field, ParseDate either
// refuses it with EINVALID or returns a date that reads back as itself.
// The seeds run as a normal test.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-11-02", "2/11/2026", "02/11/2026", "20261102", " 29/02/2024 ", "31/02/2026", "0000-00-00", "9999-12-31", "", "2/11/26", "１/１/２０２６", "27 3 2026", " 6  12 2026 ", "6 December 2026", "6 Dec 2026", "31 2 2026"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := drive.ParseDate(s)
		if err != nil {
			if drive.ErrorCode(err) != drive.EINVALID {
				t.Fatalf("ParseDate(%q): %v; want EINVALID", s, err)
			}
			return
		}
		again, err := drive.ParseDate(d.String())
		if err != nil || again != d {
			t.Fatalf("ParseDate(%q) = %v, which reads back as %v, %v", s, d, again, err)
		}
	})
}
