package evaluation

import (
	"testing"

	"github.com/drive-platform/drive"
)

func TestMonth(t *testing.T) {
	tests := []struct {
		d    drive.Date
		want string
	}{
		{drive.MustDate("2026-03-27"), "2026-03"},
		{drive.MustDate("2025-12-01"), "2025-12"},
		{drive.MustDate("0999-01-31"), "0999-01"},
		{drive.Date{}, ""},
	}
	for _, tt := range tests {
		if got := Month(tt.d); got != tt.want {
			t.Errorf("Month(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestDayOffset(t *testing.T) {
	tests := []struct {
		from, d string
		want    int
	}{
		{"2026-03-01", "2026-03-01", 0},
		{"2026-03-01", "2026-03-31", 30},
		{"2026-03-31", "2026-03-01", -30},
		{"2024-02-28", "2024-03-01", 2}, // leap year
		{"2025-12-31", "2026-01-01", 1},
		{"2026-03-28", "2026-03-30", 2}, // across the change to summer time in the UK
	}
	for _, tt := range tests {
		if got := DayOffset(drive.MustDate(tt.from), drive.MustDate(tt.d)); got != tt.want {
			t.Errorf("DayOffset(%s, %s) = %d, want %d", tt.from, tt.d, got, tt.want)
		}
	}
}

func TestAgeBand(t *testing.T) {
	on := drive.MustDate("2026-03-10")
	tests := []struct {
		dob  string
		want string
	}{
		{"2010-01-01", AgeUnder18},
		{"2008-03-11", AgeUnder18}, // 18 tomorrow
		{"2008-03-10", Age18to24},  // 18 today
		{"2001-03-11", Age18to24},
		{"2001-03-10", Age25to34},
		{"1991-03-10", Age35to44},
		{"1982-01-01", Age35to44},
		{"1981-03-10", Age45to54},
		{"1971-03-10", Age55to64},
		{"1961-03-11", Age55to64},
		{"1961-03-10", Age65Plus},
		{"1930-06-01", Age65Plus},
		{"2026-03-11", AgeNotKnown}, // born after the date
		{"", AgeNotKnown},
	}
	for _, tt := range tests {
		var dob drive.Date
		if tt.dob != "" {
			dob = drive.MustDate(tt.dob)
		}
		if got := AgeBand(dob, on); got != tt.want {
			t.Errorf("AgeBand(%s, %s) = %q, want %q", tt.dob, on, got, tt.want)
		}
	}
	if got := AgeBand(drive.MustDate("1990-01-01"), drive.Date{}); got != AgeNotKnown {
		t.Errorf("AgeBand on the zero date = %q, want %q", got, AgeNotKnown)
	}
}

func TestQuarterAndYear(t *testing.T) {
	tests := []struct{ in, quarter, year string }{
		{"2026-01", "2026-Q1", "2026"},
		{"2026-03", "2026-Q1", "2026"},
		{"2026-04", "2026-Q2", "2026"},
		{"2026-09", "2026-Q3", "2026"},
		{"2026-12", "2026-Q4", "2026"},
		{"2026-Q2", "2026-Q2", "2026"},
		{"2026-13", "2026-13", "2026"},
		{"", "", ""},
		{Suppressed, Suppressed, Suppressed},
	}
	for _, tt := range tests {
		if got := quarter(tt.in); got != tt.quarter {
			t.Errorf("quarter(%q) = %q, want %q", tt.in, got, tt.quarter)
		}
		if got := year(tt.in); got != tt.year {
			t.Errorf("year(%q) = %q, want %q", tt.in, got, tt.year)
		}
	}
}
