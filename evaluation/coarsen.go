package evaluation

import (
	"fmt"

	"github.com/drive-platform/drive"
)

// Age bands, the only form in which an extract carries an age.
const (
	AgeUnder18  = "under_18"
	Age18to24   = "18_24"
	Age25to34   = "25_34"
	Age35to44   = "35_44"
	Age45to54   = "45_54"
	Age55to64   = "55_64"
	Age65Plus   = "65_plus"
	AgeNotKnown = "not_known"
)

// Month returns the month of d as "2026-03", or "" for the zero date.
// Extracts carry dates only to the month: a full date, with a site, can be
// enough to recognise an incident.
func Month(d drive.Date) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
}

// DayOffset returns the number of days from from to d (negative when d is
// earlier), kept where a measure needs intervals, such as days from
// allocation to an incident, without carrying either date.
func DayOffset(from, d drive.Date) int { return from.DaysUntil(d) }

// AgeBand returns the age band of a person born on dob, on the date on.
// A missing date of birth, or one after on, is AgeNotKnown.
func AgeBand(dob, on drive.Date) string {
	if dob.IsZero() || on.IsZero() || on.Before(dob) {
		return AgeNotKnown
	}
	switch a := dob.AgeOn(on); {
	case a < 18:
		return AgeUnder18
	case a < 25:
		return Age18to24
	case a < 35:
		return Age25to34
	case a < 45:
		return Age35to44
	case a < 55:
		return Age45to54
	case a < 65:
		return Age55to64
	default:
		return Age65Plus
	}
}

// quarter turns a month "2026-03" into "2026-Q1"; anything else is kept.
func quarter(month string) string {
	var y, m int
	if n, err := fmt.Sscanf(month, "%4d-%2d", &y, &m); err != nil || n != 2 || len(month) != 7 || m < 1 || m > 12 {
		return month
	}
	return fmt.Sprintf("%04d-Q%d", y, (m-1)/3+1)
}

// year turns "2026-03" or "2026-Q1" into "2026"; anything else is kept.
func year(period string) string {
	if len(period) >= 7 && period[4] == '-' {
		return period[:4]
	}
	return period
}
