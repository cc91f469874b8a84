package linkage

import (
	"testing"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
	}{
		{"1971-06-24", Date{1971, 6, 24}},
		{" 1971-06-24 ", Date{1971, 6, 24}},
		{"1971/06/24", Date{1971, 6, 24}},
		{"1971.6.24", Date{1971, 6, 24}},
		{"19710624", Date{1971, 6, 24}},
		{"24/06/1971", Date{1971, 6, 24}},
		{"24-06-1971", Date{1971, 6, 24}},
		{"24.06.1971", Date{1971, 6, 24}},
		{"4/6/1971", Date{1971, 6, 4}},    // day first, UK order
		{"06/24/1971", Date{1971, 6, 24}}, // month first only when the day is over 12
		{"24/06/71", Date{1971, 6, 24}},
		{"24/06/05", Date{2005, 6, 24}},
		{"24 Jun 1971", Date{1971, 6, 24}},
		{"24 June 1971", Date{1971, 6, 24}},
		{"24-JUN-1971", Date{1971, 6, 24}},
		{"June 24, 1971", Date{1971, 6, 24}},
		{"Jun 24 1971", Date{1971, 6, 24}},
		{"1st March 2001", Date{2001, 3, 1}},
		{"1971-06-24T10:30:00Z", Date{1971, 6, 24}},
		{"1971-06-24 10:30", Date{1971, 6, 24}},
		{"2000-02-29", Date{2000, 2, 29}},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseDateRejects(t *testing.T) {
	for _, in := range []string{
		"", "tomorrow", "1971-13-01", "1971-02-30", "1900-02-29", "31/31/1971",
		"19710632", "1971-06", "12345", "24/06/1971/2", "0000-01-01", "1971-006-01",
		"32 Jan 1971", "Jan 1971 24",
	} {
		if d, err := ParseDate(in); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", in, d)
		}
	}
}

func TestParseDatePartsKeepsImpossibleDigits(t *testing.T) {
	// A recorded date with a typo in the month is still compared digit by
	// digit with the right one.
	d, ok := parseDateParts("19160017")
	if !ok || d != (Date{1916, 0, 17}) || d.valid() {
		t.Errorf("parseDateParts(19160017) = %v, %v; want {1916 0 17}, true, and not valid", d, ok)
	}
}

func TestDayNumber(t *testing.T) {
	tests := []struct {
		a, b Date
		days int
	}{
		{Date{2000, 1, 1}, Date{2000, 1, 2}, 1},
		{Date{2000, 2, 28}, Date{2000, 3, 1}, 2},
		{Date{1999, 2, 28}, Date{1999, 3, 1}, 1},
		{Date{1999, 12, 31}, Date{2000, 1, 1}, 1},
		{Date{1970, 1, 1}, Date{1971, 1, 1}, 365},
	}
	for _, tt := range tests {
		if got := tt.b.dayNumber() - tt.a.dayNumber(); got != tt.days {
			t.Errorf("days from %v to %v = %d, want %d", tt.a, tt.b, got, tt.days)
		}
	}
}

// FuzzParseDate checks that any input is either refused or read as a real
// date that reads back the same once written in ISO form.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"1971-06-24", "24/06/1971", "19710624", "June 24, 1971", "1st March 2001", "24/06/71", "2000-02-29T00:00", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if !d.valid() {
			t.Fatalf("ParseDate(%q) = %v, which is not a calendar date", s, d)
		}
		back, err := ParseDate(d.String())
		if err != nil || back != d {
			t.Fatalf("ParseDate(%q) = %v, but its ISO form %q reads as %v, %v", s, d, d.String(), back, err)
		}
		parseDateParts(s) // must not panic either
	})
}

func TestParsePartialDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"1983-07", Date{1983, 7, 0}, true},
		{"1983/7", Date{1983, 7, 0}, true},
		{"07/1983", Date{1983, 7, 0}, true},
		{"Jul 1983", Date{1983, 7, 0}, true},
		{"july 1983", Date{1983, 7, 0}, true},
		{" 1983 ", Date{1983, 0, 0}, true},
		{"1983-13", Date{}, false},
		{"83", Date{}, false},
		{"0983", Date{}, false},
		{"12/07/1983", Date{}, false},
		{"abc", Date{}, false},
	}
	for _, tt := range tests {
		got, ok := parsePartialDate(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("parsePartialDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
