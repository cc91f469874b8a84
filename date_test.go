package drive_test

import (
	"testing"

	"github.com/drive-platform/drive"
)

// TestParseDateReadsUKForms: a date typed day first, as the hints show it,
// reads as that day; a date shown in a field reads back as itself.
func TestParseDateReadsUKForms(t *testing.T) {
	want := drive.Date{Year: 2026, Month: 3, Day: 27}
	for _, s := range []string{"27 3 2026", "27  03 2026", " 27 3 2026 ", "27/3/2026", "27/03/2026", "27 March 2026", "27 Mar 2026", "2026-03-27", "20260327"} {
		if got, err := drive.ParseDate(s); err != nil || got != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"3 27 2026", "27 13 2026", "31 2 2026", "27 3", "next Tuesday"} {
		if _, err := drive.ParseDate(s); drive.ErrorCode(err) != drive.EINVALID || drive.ErrorMessage(err) != drive.DateHint {
			t.Errorf("ParseDate(%q): %v; want %q", s, err, drive.DateHint)
		}
	}
	if got := want.Entry(); got != "27 3 2026" {
		t.Errorf("Entry = %q", got)
	}
	if back, err := drive.ParseDate(want.Entry()); err != nil || back != want {
		t.Errorf("Entry reads back as %v, %v", back, err)
	}
	if (drive.Date{}).Entry() != "" {
		t.Error("the zero date has an entry")
	}
}
