package form

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/meeting"
)

// The outcome report's filter, read from the address of the page and of
// its downloads (GET, so a report can be bookmarked and shared): which
// site, which period and which programme. Nothing in it names a person.
//
//	site       a site's number; blank or "all" for every site the user
//	           may report on
//	period     "12m" (the last 12 months, the default), a calendar
//	           quarter "2026-Q3" or a financial year "FY2025" (April 2025
//	           to March 2026)
//	quarter    the same as period=2026-Q3, for the downloads
//	from, to   a period of one's own, YYYY-MM-DD, both or neither
//	programme  blank or "all", "drive" or "restart"
//
// Fixed periods are offered rather than free dates because two reports
// differing by one day are what a differencing attack needs (package
// outcomes, "Limits"); from and to stay for the downloads and `drive
// report`, which are held to the same rounding.

// LastYear is the period value of the last 12 months to today.
const LastYear = "12m"

// Programmes are the programme codes a report may be limited to.
var reportProgrammes = []string{"drive", "restart"}

// ReportFilter is the outcome report's filter.
type ReportFilter struct {
	// Site is the site asked for; 0 means every site the user may read.
	Site int64
	// Programme is a programme code, or "" for all of them.
	Programme string
	// Period is the fixed period chosen ("12m", "2026-Q3", "FY2025"), or
	// "" when From and To were given.
	Period   string
	From, To drive.Date
	errs     Errors
}

// NewReportFilter reads the filter against today's date, which decides
// the default period and which periods have begun.
func NewReportFilter(v url.Values, today drive.Date) *ReportFilter {
	f := &ReportFilter{errs: Errors{}}
	switch s := strings.TrimSpace(v.Get("site")); s {
	case "", "all":
	default:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			f.errs["site"] = "Choose a site from the list"
		}
		f.Site = n
	}
	switch p := strings.ToLower(strings.TrimSpace(v.Get("programme"))); p {
	case "", "all":
	default:
		f.Programme = p
		if !contains(reportProgrammes, p) {
			f.errs["programme"] = "Choose all programmes, Drive or Restart"
		}
	}
	period := strings.TrimSpace(v.Get("period"))
	if q := strings.TrimSpace(v.Get("quarter")); q != "" {
		if period != "" && period != q {
			f.errs["period"] = "Choose one period"
		}
		period = q
	}
	from, to := strings.TrimSpace(v.Get("from")), strings.TrimSpace(v.Get("to"))
	if from != "" || to != "" {
		if period != "" {
			f.errs["period"] = "Choose a period or give the dates it runs from and to, not both"
			return f
		}
		f.From = date(v, "from", "Enter the start of the period as a date, for example 1 4 2026", f.errs)
		f.To = date(v, "to", "Enter the end of the period as a date, for example 31 3 2027", f.errs)
		switch {
		case from == "" || to == "":
			f.errs["from"] = "Give the dates the period runs from and to"
		case len(f.errs) > 0:
		case f.To.Before(f.From):
			f.errs["to"] = "The end of the period must not be before its start"
		case f.From.After(today):
			f.errs["from"] = "Choose a period that has begun"
		}
		return f
	}
	if period == "" {
		period = LastYear
	}
	p, ok := ParsePeriod(period, today)
	switch {
	case !ok:
		f.errs["period"] = "Choose a period from the list, for example 2026-Q3 or FY2025"
	case p.From.After(today):
		f.errs["period"] = "Choose a period that has begun"
	default:
		f.Period, f.From, f.To = p.Value, p.From, p.To
	}
	return f
}

// Validate reports what cannot be read, per field (site, programme,
// period, from, to).
func (f *ReportFilter) Validate() error { return f.errs.Err("Check the report's filters") }

// Errors returns the messages per field.
func (f *ReportFilter) Errors() Errors { return f.errs }

// Query writes the filter back as the address's query, so a download
// carries the same filter as the page. It names no person.
func (f *ReportFilter) Query() url.Values {
	v := url.Values{}
	if f.Site != 0 {
		v.Set("site", strconv.FormatInt(f.Site, 10))
	}
	if f.Period != "" {
		v.Set("period", f.Period)
	} else {
		v.Set("from", f.From.String())
		v.Set("to", f.To.String())
	}
	if f.Programme != "" {
		v.Set("programme", f.Programme)
	}
	return v
}

// Period is one period a report may cover.
type Period struct {
	Value    string // as the filter reads it
	Label    string
	From, To drive.Date
}

// ParsePeriod reads "12m", "2026-Q3" or "FY2025"; ok is false for
// anything else. The last 12 months end today.
func ParsePeriod(s string, today drive.Date) (p Period, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	switch {
	case s == strings.ToUpper(LastYear):
		from := today.AddMonths(-12).AddDays(1)
		return Period{Value: LastYear, Label: "The last 12 months (" + from.Display() + " to " + today.Display() + ")", From: from, To: today}, true
	case strings.HasPrefix(s, "FY"):
		y, err := strconv.Atoi(s[2:])
		if err != nil || len(s) != 6 || y < 1900 {
			return Period{}, false
		}
		from := drive.Date{Year: y, Month: 4, Day: 1}
		return Period{Value: s, Label: fmt.Sprintf("Financial year %d to %d", y, y+1), From: from, To: from.AddMonths(12).AddDays(-1)}, true
	}
	q, err := meeting.ParseQuarter(s)
	if err != nil {
		return Period{}, false
	}
	return Period{Value: q.String(), Label: q.Label(), From: q.Start(), To: q.End()}, true
}

// Periods lists the periods offered, newest first: the last 12 months,
// the last eight calendar quarters (the current one so far), and the last
// three financial years.
func Periods(today drive.Date) []Period {
	p, _ := ParsePeriod(LastYear, today)
	out := []Period{p}
	for _, q := range Quarters(today, 8) {
		p, _ := ParsePeriod(q.String(), today)
		if q.Contains(today) {
			p.Label += " (so far)"
		}
		out = append(out, p)
	}
	fy := today.Year
	if today.Month < 4 {
		fy--
	}
	for i := 0; i < 3; i++ {
		p, _ := ParsePeriod(fmt.Sprintf("FY%d", fy-i), today)
		if i == 0 {
			p.Label += " (so far)"
		}
		out = append(out, p)
	}
	return out
}

// Quarters returns the last n calendar quarters, newest first, starting
// with the one today falls in.
func Quarters(today drive.Date, n int) []meeting.Quarter {
	q := meeting.Quarter{Year: today.Year, Q: (int(today.Month)-1)/3 + 1}
	out := make([]meeting.Quarter, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, q)
		if q.Q--; q.Q == 0 {
			q = meeting.Quarter{Year: q.Year - 1, Q: 4}
		}
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
