package drive_test

import (
	"testing"
	"time"

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

func TestDisplayTimeReadsAsGOVUKWritesIt(t *testing.T) {
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 12, 6, 15, 4, 0, 0, time.UTC), "6 December 2026 at 3:04pm"},
		{time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC), "6 December 2026 at 9am"},
		{time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC), "6 December 2026 at midday"},
		{time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), "6 December 2026 at midnight"},
		{time.Date(2026, 12, 6, 0, 5, 0, 0, time.UTC), "6 December 2026 at 12:05am"},
		// Summer time: 23:30 UTC on 30 June is 00:30 on 1 July in England.
		{time.Date(2026, 6, 30, 23, 30, 0, 0, time.UTC), "1 July 2026 at 12:30am"},
		{time.Date(2026, 7, 1, 13, 15, 59, 0, time.UTC), "1 July 2026 at 2:15pm"},
		{time.Time{}, ""},
	} {
		if got := drive.DisplayTime(c.at); got != c.want {
			t.Errorf("DisplayTime(%v) = %q, want %q", c.at, got, c.want)
		}
	}
}
