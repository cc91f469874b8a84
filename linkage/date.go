package linkage

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
)

// Date is a calendar date without a time zone, as a date of birth is.
type Date struct {
	Year, Month, Day int
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// valid reports whether the date exists in the Gregorian calendar and lies in
// the years 1000 to 2999, which covers any date of birth or event.
func (d Date) valid() bool {
	if d.Year < 1000 || d.Year > 2999 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return d.Day <= daysIn(d.Year, d.Month)
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// dayNumber counts days from a fixed origin, so that the difference of two
// day numbers is the number of days between the dates.
func (d Date) dayNumber() int {
	// Shift the year to start in March so that the leap day is last.
	y, m := d.Year, d.Month
	if m <= 2 {
		y--
		m += 12
	}
	return 365*y + y/4 - y/100 + y/400 + (153*(m-3)+2)/5 + d.Day
}

var monthNames = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// ParseDate reads a date written in any of the usual ways:
//
//	2006-01-02, 2006/01/02, 2006.01.02, 20060102     year first
//	02/01/2006, 2/1/2006, 02-01-2006, 02.01.2006    day first (UK order)
//	01/31/2006                                      month first, only when the
//	                                                 second number cannot be a month
//	02/01/06                                        two-digit year: 1930-2029
//	2 Jan 2006, 2 January 2006, 2-Jan-2006, Jan 2 2006, January 2, 2006
//	2006-01-02T15:04:05Z, 2006-01-02 15:04          the time is ignored
//
// Surrounding spaces are ignored. A value it cannot read, or a date that does
// not exist (31 February), is an EINVALID error that quotes the value.
func ParseDate(s string) (Date, error) {
	d, ok := parseDateParts(s)
	if !ok || !d.valid() {
		return Date{}, drive.Errorf(drive.EINVALID, "%q is not a date: write it as YYYY-MM-DD, YYYYMMDD or DD/MM/YYYY", s)
	}
	return d, nil
}

// parseDateParts splits a date into year, month and day without checking that
// the date exists, so that a recorded date with an impossible part (a month
// of 00, a day of 32) can still be compared digit by digit with others.
func parseDateParts(s string) (Date, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	// Drop a time of day: ISO "T" or a space after a year-first date.
	if i := strings.IndexByte(s, 't'); i == 10 && isDigits(s[:4]) {
		s = s[:i]
	}
	if len(s) > 10 && s[10] == ' ' && isDigits(s[:4]) {
		s = s[:10]
	}
	if len(s) == 8 && isDigits(s) {
		return Date{atoi(s[:4]), atoi(s[4:6]), atoi(s[6:])}, true
	}
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == '-' || r == '/' || r == '.' || r == ' ' || r == ','
	})
	if len(parts) != 3 {
		return Date{}, false
	}
	// A month written as a word: "2 jan 2006" or "jan 2 2006".
	for i, p := range parts {
		if m := monthNumber(p); m > 0 {
			var day, year string
			switch i {
			case 0:
				day, year = parts[1], parts[2]
			case 1:
				day, year = parts[0], parts[2]
			default:
				return Date{}, false
			}
			day = strings.TrimRight(day, "stndrh") // 1st, 2nd, 3rd, 4th
			if !isDigits(day) || len(day) > 2 || !isDigits(year) {
				return Date{}, false
			}
			y, ok := fullYear(year)
			return Date{y, m, atoi(day)}, ok
		}
	}
	for _, p := range parts {
		if !isDigits(p) {
			return Date{}, false
		}
	}
	a, b, c := parts[0], parts[1], parts[2]
	if len(a) == 4 {
		if len(b) > 2 || len(c) > 2 {
			return Date{}, false
		}
		return Date{atoi(a), atoi(b), atoi(c)}, true
	}
	if len(a) > 2 || len(b) > 2 {
		return Date{}, false
	}
	y, ok := fullYear(c)
	if !ok {
		return Date{}, false
	}
	day, month := atoi(a), atoi(b)
	if month > 12 && day <= 12 {
		day, month = month, day // US order, recognisable only when the day exceeds 12
	}
	return Date{y, month, day}, true
}

// parsePartialDate reads a date written with its year and month only
// ("1983-07", "07/1983", "Jul 1983", "July 1983") or its year only ("1983"),
// as police and health records often hold a date of birth. The missing parts
// are 0. It accepts years from 1000 to 2999 and months from 1 to 12.
func parsePartialDate(s string) (Date, bool) {
	s = strings.TrimSpace(strings.ToLower(s))
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == '-' || r == '/' || r == '.' || r == ' ' || r == ','
	})
	var d Date
	switch len(parts) {
	case 1:
		if len(parts[0]) != 4 || !isDigits(parts[0]) {
			return Date{}, false
		}
		d.Year = atoi(parts[0])
	case 2:
		a, b := parts[0], parts[1]
		if len(b) == 4 && isDigits(b) {
			a, b = b, a // month first: "07/1983", "jul 1983"
		}
		if len(a) != 4 || !isDigits(a) {
			return Date{}, false
		}
		d.Year = atoi(a)
		if m := monthNumber(b); m > 0 {
			d.Month = m
		} else if isDigits(b) && len(b) <= 2 {
			d.Month = atoi(b)
		} else {
			return Date{}, false
		}
		if d.Month < 1 || d.Month > 12 {
			return Date{}, false
		}
	default:
		return Date{}, false
	}
	if d.Year < 1000 || d.Year > 2999 {
		return Date{}, false
	}
	return d, true
}

// fullYear reads a four-digit year, or a two-digit one in the window
// 1930-2029: dates of birth of living people and recent events fall there.
func fullYear(s string) (int, bool) {
	switch len(s) {
	case 4:
		return atoi(s), true
	case 2:
		y := atoi(s)
		if y < 30 {
			return 2000 + y, true
		}
		return 1900 + y, true
	}
	return 0, false
}

func monthNumber(s string) int {
	if len(s) < 3 || len(s) > 9 {
		return 0
	}
	for i, m := range monthNames {
		if strings.HasPrefix(s, m) {
			return i + 1
		}
	}
	return 0
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi reads a string already known to be a short run of digits.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
