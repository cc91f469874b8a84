package form

import (
	"net/url"
	"testing"

	"github.com/drive-platform/drive"
)

// TestReportFilter: each way of giving a period reads to its dates, the
// default is the last 12 months, and anything unreadable is refused
// against its field.
func TestReportFilter(t *testing.T) {
	today := drive.MustDate("2026-11-23")
	for _, tc := range []struct {
		query, site, programme, period, from, to, errField string
	}{
		{query: "", period: "12m", from: "2025-11-24", to: "2026-11-23"},
		{query: "site=all&programme=all&period=12m", period: "12m", from: "2025-11-24", to: "2026-11-23"},
		{query: "site=7&programme=restart&period=2026-q2", site: "7", programme: "restart", period: "2026-Q2", from: "2026-04-01", to: "2026-06-30"},
		{query: "quarter=2026-Q4", period: "2026-Q4", from: "2026-10-01", to: "2026-12-31"},
		{query: "period=FY2025", period: "FY2025", from: "2025-04-01", to: "2026-03-31"},
		{query: "from=2026-01-01&to=2026-03-31", from: "2026-01-01", to: "2026-03-31"},
		{query: "site=north", errField: "site"},
		{query: "site=-3", errField: "site"},
		{query: "programme=caring", errField: "programme"},
		{query: "period=last-week", errField: "period"},
		{query: "period=2026-Q5", errField: "period"},
		{query: "period=2027-Q1", errField: "period"},
		{query: "period=FY2027", errField: "period"},
		{query: "period=FY20x5", errField: "period"},
		{query: "period=2026-Q2&quarter=2026-Q3", errField: "period"},
		{query: "period=2026-Q2&from=2026-01-01&to=2026-02-01", errField: "period"},
		{query: "from=2026-01-01", errField: "from"},
		{query: "from=2026-02-30&to=2026-03-01", errField: "from"},
		{query: "from=2026-03-01&to=2026-02-01", errField: "to"},
		{query: "from=2027-01-01&to=2027-02-01", errField: "from"},
	} {
		v, _ := url.ParseQuery(tc.query)
		f := NewReportFilter(v, today)
		err := f.Validate()
		if tc.errField != "" {
			if drive.ErrorCode(err) != drive.EINVALID || f.Errors()[tc.errField] == "" {
				t.Errorf("%q: %v %v; want a message against %s", tc.query, err, f.Errors(), tc.errField)
			}
			continue
		}
		site := ""
		if f.Site != 0 {
			site = f.Query().Get("site")
		}
		if err != nil || site != tc.site || f.Programme != tc.programme || f.Period != tc.period || f.From.String() != tc.from || f.To.String() != tc.to {
			t.Errorf("%q: %+v %v", tc.query, f, err)
		}
		// The query written back reads to the same filter.
		g := NewReportFilter(f.Query(), today)
		if g.Validate() != nil || g.Site != f.Site || g.From != f.From || g.To != f.To || g.Programme != f.Programme {
			t.Errorf("%q: written back as %q, reads differently", tc.query, f.Query().Encode())
		}
	}
}

// TestPeriods: the offered periods are the last 12 months, eight
// quarters newest first and three financial years, each readable.
func TestPeriods(t *testing.T) {
	today := drive.MustDate("2026-02-10")
	ps := Periods(today)
	if len(ps) != 12 || ps[0].Value != "12m" || ps[1].Value != "2026-Q1" || ps[8].Value != "2024-Q2" || ps[9].Value != "FY2025" || ps[11].Value != "FY2023" {
		t.Fatalf("periods %+v", ps)
	}
	for _, p := range ps {
		if q, ok := ParsePeriod(p.Value, today); !ok || q.From != p.From || q.To != p.To {
			t.Errorf("%s does not read back", p.Value)
		}
	}
}
