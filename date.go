package drive

import (
	"database/sql/driver"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the UK time zone on any machine
)

// Date is a calendar date with no time of day or zone: a date of birth, a
// due date, the day a meeting was held. Its zero value means "not given".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in UTC.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{y, m, d}
}

// ParseDate reads a date as people in the UK write it, day first: "27 3
// 2026", "27/03/2026" or "27 March 2026"; and as machines write it,
// YYYY-MM-DD or YYYYMMDD. Errors: EINVALID saying how to write one.
func ParseDate(s string) (Date, error) {
	// Spaces between the parts are one space however many were typed.
	s = strings.Join(strings.Fields(s), " ")
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006", "2 1 2006", "2 January 2006", "2 Jan 2006", "20060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			return DateOf(t), nil
		}
	}
	return Date{}, Errorf(EINVALID, DateHint)
}

// DateHint is what a person is told when a date cannot be read: the
// example every date field's hint gives.
const DateHint = "Enter a real date, for example 27 3 2026"

// MustDate is ParseDate for constants in code and tests; it panics on a
// bad date.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether the date was not given.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC at the start of the date.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String formats the date as YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Entry formats the date as a person types it into a date field, day
// first ("27 3 2024"), for a field filled in before they type; "" for the
// zero date.
func (d Date) Entry() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d %d %d", d.Day, d.Month, d.Year)
}

// Display formats the date for people, e.g. "27 March 2024".
func (d Date) Display() string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("2 January 2006")
}

// uk is the time zone times are shown in: people in England and Wales read
// the time on their own clock, summer time or not, not UTC.
var uk = func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic("drive: no Europe/London time zone: " + err.Error()) // time/tzdata is embedded, so this cannot happen
	}
	return loc
}()

// InUK is t on the clock in England and Wales.
func InUK(t time.Time) time.Time { return t.In(uk) }

// DisplayTime says when something happened (or will) for people, the way
// GOV.UK writes it, on the clock in England and Wales: "6 December 2026 at
// 3:04pm", "at 9am" on the hour, "at midday" and "at midnight" rather than
// 12pm and 12am, which readers confuse. "" for the zero time. Every page
// shows a time this way, so a reader never meets "6 Dec 2026 15:04 UTC" on
// one page and another form on the next.
func DisplayTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = InUK(t)
	return t.Format("2 January 2006") + " at " + clockWords(t)
}

// clockWords is the time of day in GOV.UK style: "3:04pm", "9am",
// "midday", "midnight".
func clockWords(t time.Time) string {
	h, m := t.Hour(), t.Minute()
	switch {
	case h == 12 && m == 0:
		return "midday"
	case h == 0 && m == 0:
		return "midnight"
	case m == 0:
		return t.Format("3pm")
	}
	return t.Format("3:04pm")
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Time().Before(e.Time()) }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Time().After(e.Time()) }

// AddDays returns the date n days later.
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// AddMonths returns the date n months later, normalised like time.AddDate.
func (d Date) AddMonths(n int) Date { return DateOf(d.Time().AddDate(0, n, 0)) }

// DaysUntil returns the number of days from d to e (negative if e is
// earlier).
func (d Date) DaysUntil(e Date) int { return int(e.Time().Sub(d.Time()).Hours() / 24) }

// AgeOn returns the age in whole years on date on.
func (d Date) AgeOn(on Date) int {
	age := on.Year - d.Year
	if on.Month < d.Month || (on.Month == d.Month && on.Day < d.Day) {
		age--
	}
	return age
}

// Value stores the date as YYYY-MM-DD text (NULL when zero), which both
// SQLite and PostgreSQL's DATE accept.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan reads a date stored as text or returned by the driver as a time.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		*d = DateOf(v)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	}
	return fmt.Errorf("drive.Date: cannot scan %T", src)
}

func (d *Date) scanText(s string) error {
	if len(s) > 10 {
		s = s[:10]
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return fmt.Errorf("drive.Date: %w", err)
	}
	*d = DateOf(t)
	return nil
}
