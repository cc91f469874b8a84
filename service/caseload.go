package service

import (
	"cmp"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/schedule"
	"github.com/drive-platform/drive/store"
)

// The read models of casework: what lists, caseloads and the team
// dashboard show. They are the service's own so that the pages and the
// JSON API depend on the use cases and not on how rows are stored; the
// store keeps its row types for its own queries and the service copies
// from them.

// CaseFilter chooses the cases a list shows. Whatever it asks, a list
// only ever holds cases at sites where the actor may read cases.
type CaseFilter struct {
	// SiteIDs narrows the list to these sites (of those the actor may
	// read); empty means every site the actor may read.
	SiteIDs       []int64
	CaseManagerID int64
	States        []casework.State
	Programme     string
	Engagement    casework.Engagement
	// Query matches the person's names, aliases and agency references
	// (case-insensitive, prefix of any word), or a case number.
	Query string
	// Sort is one of "referred", "-referred", "name", "-name", "state",
	// "updated", "-updated" (a leading "-" is descending); default
	// "-updated".
	Sort  string
	Limit int // default 50, at most 1000
	// Cursor is where the page starts: empty for the first page, or the
	// Next or Prev of a page read with the same Sort (caseCursorString).
	Cursor string
	// Download marks a list leaving as a file (a CSV): its audit event
	// says so, as a file outlives the page and may be passed on.
	Download bool
}

// storeFilter is the store's query for f at the given sites.
func (f CaseFilter) storeFilter(siteIDs []int64) store.CaseFilter {
	return store.CaseFilter{SiteIDs: siteIDs, CaseManagerID: f.CaseManagerID, States: f.States, Programme: f.Programme,
		Engagement: f.Engagement, Query: f.Query, Sort: f.Sort, Limit: f.Limit}
}

// CasePage is one page of a list of cases, with the cursors that read
// the pages either side (empty where there is none).
type CasePage struct {
	Rows []CaseRow
	// Total counts the cases the list selects, up to CaseCountLimit; Over
	// says more than that many match.
	Total      int
	Over       bool
	Next, Prev string
}

// CaseCountLimit is how far a list of cases counts (store.CaseCountLimit):
// "more than 1,000 cases" is what a reader needs past it, and counting
// further would cost every page a read of the site's whole history.
const CaseCountLimit = store.CaseCountLimit

// A case list's cursor travels in links ("Next", "Previous") and in the
// JSON API, so it holds no personal data: the case id and the value of
// the list's order at it when that is a date or time (store.CaseCursor);
// for the orders by name and the team dashboard's lists only the id, the
// values being read from the case's own row. It is base64url, so it reads as a token rather than as
// something to edit: "1" (the format), "n" or "p" (the page after it, or
// before), the order, the id and the values, separated by "~".

// caseCursorString writes cur as a cursor for the page after it, or
// before it when back.
func caseCursorString(cur store.CaseCursor, back bool) string {
	dir := "n"
	if back {
		dir = "p"
	}
	parts := []string{"1", dir, cur.Sort, strconv.FormatInt(cur.ID, 10)}
	switch strings.TrimPrefix(cur.Sort, "-") {
	case "referred":
		parts = append(parts, cur.Referred.String())
	case "state":
		parts = append(parts, strconv.Itoa(cur.Rank), strconv.FormatInt(cur.Updated.UnixMicro(), 10))
	case "updated":
		parts = append(parts, strconv.FormatInt(cur.Updated.UnixMicro(), 10))
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strings.Join(parts, "~")))
}

// parseCaseCursor reads a cursor caseCursorString wrote; "" is the first
// page (nil).
func parseCaseCursor(s string) (*store.CaseCursor, bool, error) {
	if s == "" {
		return nil, false, nil
	}
	bad := drive.Errorf(drive.EINVALID, "This page link is not one Drive made: go back to the first page of the list and page from there")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false, bad
	}
	parts := strings.Split(string(raw), "~")
	if len(parts) < 4 || parts[0] != "1" || (parts[1] != "n" && parts[1] != "p") {
		return nil, false, bad
	}
	cur := &store.CaseCursor{Sort: parts[2]}
	if cur.ID, err = strconv.ParseInt(parts[3], 10, 64); err != nil || cur.ID <= 0 {
		return nil, false, bad
	}
	micro := func(v string) (time.Time, bool) {
		n, err := strconv.ParseInt(v, 10, 64)
		return time.UnixMicro(n).UTC(), err == nil
	}
	ok := true
	switch strings.TrimPrefix(cur.Sort, "-") {
	case "referred":
		if ok = len(parts) == 5; ok {
			cur.Referred, err = drive.ParseDate(parts[4])
			ok = err == nil
		}
	case "state":
		if ok = len(parts) == 6; ok {
			var okT bool
			cur.Rank, err = strconv.Atoi(parts[4])
			cur.Updated, okT = micro(parts[5])
			ok = err == nil && okT
		}
	case "updated":
		if ok = len(parts) == 5; ok {
			cur.Updated, ok = micro(parts[4])
		}
	case "name":
		ok = len(parts) == 4
	default:
		// A team dashboard list's cursor is the case id alone
		// (TeamList): the list's values at it are read from its row.
		ok = strings.HasPrefix(cur.Sort, "team:") && len(parts) == 4
	}
	if !ok {
		return nil, false, bad
	}
	return cur, parts[1] == "p", nil
}

// CaseRow is a case with what lists show beside it.
type CaseRow struct {
	Case            casework.Case
	PersonName      string
	PersonDOB       drive.Date
	CaseManagerName string
	OpenActions     int
	OverdueActions  int // open or in progress, due before today
	// Assessments is the case's behaviour-assessment schedule summed up
	// (what is next and how many are overdue). Filled on the caseload and
	// the team dashboard, where someone acts on it; zero elsewhere.
	Assessments schedule.Status
	// Trial labels a referral a trial allocated ("Comparison (trial)",
	// "Intervention (trial)"); empty otherwise. Filled on the case list.
	Trial string
}

// Due is what is due on the row's case as of today, from the counts the
// list's query made (casework.DueCounted): the same figures the case page
// and the JSON API show.
func (r CaseRow) Due(today drive.Date) casework.Due {
	return casework.DueCounted(&r.Case, r.OpenActions, r.OverdueActions, today)
}

// caseRows copies stored rows into the read model, keeping nil as nil.
func caseRows(rows []store.CaseRow) []CaseRow {
	if rows == nil {
		return nil
	}
	out := make([]CaseRow, len(rows))
	for i, r := range rows {
		out[i] = CaseRow{Case: r.Case, PersonName: r.PersonName, PersonDOB: r.PersonDOB, CaseManagerName: r.CaseManagerName,
			OpenActions: r.OpenActions, OverdueActions: r.OverdueActions}
	}
	return out
}

// Dashboard is what a team leader sees for one site.
type Dashboard struct {
	Unallocated []CaseRow // referred or accepted, not yet allocated
	Overdue     []CaseRow // open cases with an overdue action
	NoContact   []CaseRow // allocated/active/closing with no contact for the programme's days
	ReviewsDue  []CaseRow // active/closing with next review on or before today
	Caseloads   []ManagerLoad
	OpenCases   int
	// TransfersIn are transfers waiting for the site to accept; shown
	// only to those who decide them.
	TransfersIn []CaseRow
	// AssessmentsOverdue are open cases with a behaviour assessment past
	// its due date, most overdue first; OverdueAssessments counts the
	// overdue time points over all of them.
	AssessmentsOverdue []CaseRow
	OverdueAssessments int
	// WithoutIDVA are open cases where a known (linked) victim-survivor
	// has no open IDVA case, or no IDVA allocated to it: Drive works
	// with the perpetrator only while someone supports her. The case is
	// listed, never which victim-survivor it is or why.
	WithoutIDVA []CaseRow
	// Programmes are the programmes the site runs, with the no-contact
	// period and caseload limit each case is held to.
	Programmes []ProgrammeLimits
	// Totals are the full lengths of the lists above. Each list keeps only
	// its first DashboardRows cases, the most pressing by its own order,
	// so the page stays the same size however much work the site holds.
	Totals DashboardTotals
}

// DashboardRows is how many cases each of the dashboard's lists shows. A
// team leader works from the top of each list; the rest are counted, and
// the case list pages through them all.
const DashboardRows = 25

// DashboardTotals counts every case on each of the dashboard's lists,
// shown or not.
type DashboardTotals struct {
	Unallocated, Overdue, NoContact, ReviewsDue, TransfersIn, AssessmentsOverdue, WithoutIDVA int
}

// shorten records each list's length in Totals and cuts it to n rows
// (0 keeps every row).
func (d *Dashboard) shorten(n int) {
	for _, l := range []struct {
		rows  *[]CaseRow
		total *int
	}{{&d.Unallocated, &d.Totals.Unallocated}, {&d.Overdue, &d.Totals.Overdue}, {&d.NoContact, &d.Totals.NoContact},
		{&d.ReviewsDue, &d.Totals.ReviewsDue}, {&d.TransfersIn, &d.Totals.TransfersIn},
		{&d.AssessmentsOverdue, &d.Totals.AssessmentsOverdue}, {&d.WithoutIDVA, &d.Totals.WithoutIDVA}} {
		*l.total = len(*l.rows)
		if n > 0 && len(*l.rows) > n {
			*l.rows = (*l.rows)[:n:n]
		}
	}
}

// ProgrammeLimits is what the dashboard's warnings count against for one
// programme.
type ProgrammeLimits struct {
	Code          string
	Name          string
	NoContactDays int
	CaseloadLimit int
}

// ManagerLoad is one case manager's open cases against the limit.
type ManagerLoad struct {
	UserID int64
	Name   string
	Open   int
	// Limit is the caseload limit for the cases held (see loadLimit).
	Limit int
	// Over: the cases held are more than their programmes allow.
	Over bool
}

// loadLimit weighs a case manager's open cases against each case's own
// programme's limit: a case of a programme whose limit is L takes 1/L of
// a full caseload (a Restart case, limit 15, less than a Drive case, limit
// 12). It returns the limit for the mix held, as a count of cases (the
// programme's own limit when every case is of one programme), and whether
// the load is over a full caseload. counts maps each limit to the number
// of cases held under it; with no cases, limit is fallback.
func loadLimit(counts map[int]int, fallback int) (limit int, over bool) {
	open, lcm := 0, 1
	for l, n := range counts {
		if l <= 0 || n == 0 {
			continue
		}
		open += n
		lcm = lcm / gcd(lcm, l) * l
	}
	if open == 0 {
		return fallback, false
	}
	load := 0 // in units of 1/lcm of a full caseload
	for l, n := range counts {
		if l > 0 {
			load += n * (lcm / l)
		}
	}
	return open * lcm / load, load > lcm
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// limits returns the limits of the site's programmes, Drive's first.
func limits(progs []*programme.Programme) []ProgrammeLimits {
	var out []ProgrammeLimits
	for _, p := range progs {
		l := ProgrammeLimits{Code: p.Code, Name: p.Name, NoContactDays: p.NoContactDays, CaseloadLimit: p.CaseloadLimit}
		if p.Code == programme.Drive().Code {
			out = append([]ProgrammeLimits{l}, out...)
		} else {
			out = append(out, l)
		}
	}
	return out
}

// dashboard copies the stored dashboard into the read model.
func dashboard(d *store.Dashboard) *Dashboard {
	out := &Dashboard{Unallocated: caseRows(d.Unallocated), Overdue: caseRows(d.Overdue), NoContact: caseRows(d.NoContact),
		ReviewsDue: caseRows(d.ReviewsDue), OpenCases: d.OpenCases, TransfersIn: caseRows(d.TransfersIn)}
	for _, l := range d.Caseloads {
		out.Caseloads = append(out.Caseloads, ManagerLoad{UserID: l.UserID, Name: l.Name, Open: l.Open, Limit: l.Limit})
	}
	return out
}

// CaseScore is an identification score kept with a case: the one it was
// referred with ("entry") or the one at closure ("exit"), as the case page
// shows it. The police person's number and the score's parts stay in the
// store: the page shows the score, not the intelligence behind it.
type CaseScore struct {
	Kind            string // "entry" or "exit"
	ScoredOn        drive.Date
	StrategyCode    string
	StrategyVersion string
	Total           float64
	Incidents       int
}

// caseScores copies stored scores into the read model, keeping nil as nil.
func caseScores(scores []store.CaseScore) []CaseScore {
	if scores == nil {
		return nil
	}
	out := make([]CaseScore, len(scores))
	for i, sc := range scores {
		out[i] = CaseScore{Kind: sc.Kind, ScoredOn: sc.ScoredOn, StrategyCode: sc.StrategyCode, StrategyVersion: sc.StrategyVersion,
			Total: sc.Total, Incidents: sc.Incidents}
	}
	return out
}

// CaseloadSorts are the orders a caseload may be shown in, by what is due;
// each may be reversed with a leading "-".
var CaseloadSorts = []string{"name", "contact", "review", "actions", "assessment"}

// Sort orders the caseload by key (one of CaseloadSorts, a leading "-"
// reversing it) as of today, ties broken by name and then case number so
// the order is stable. "contact" puts the longest without contact first
// (never contacted before all), "review" the earliest review due first,
// "actions" the most overdue actions first, "assessment" the earliest
// assessment due first; cases with nothing due go last (first when
// reversed). An unknown key
// sorts by name and is reported as "name".
func (cl *Caseload) Sort(key string, today drive.Date) string {
	desc := strings.HasPrefix(key, "-")
	base := strings.TrimPrefix(key, "-")
	if !slices.Contains(CaseloadSorts, base) {
		base, desc = "name", false
	}
	byName := func(a, b CaseRow) int {
		if c := strings.Compare(strings.ToLower(a.PersonName), strings.ToLower(b.PersonName)); c != 0 {
			return c
		}
		return cmp.Compare(a.Case.ID, b.Case.ID)
	}
	// dated compares two optional dates, the missing one last.
	dated := func(a, b drive.Date) int {
		switch {
		case a.IsZero() && b.IsZero():
			return 0
		case a.IsZero():
			return 1
		case b.IsZero():
			return -1
		}
		return a.Time().Compare(b.Time())
	}
	key1 := func(a, b CaseRow) int {
		da, db := a.Due(today), b.Due(today)
		switch base {
		case "contact":
			switch {
			case da.LastContact == nil && db.LastContact == nil:
				return 0
			case da.LastContact == nil:
				return -1
			case db.LastContact == nil:
				return 1
			}
			return da.LastContact.Compare(*db.LastContact)
		case "review":
			return dated(da.NextReview, db.NextReview)
		case "actions":
			return cmp.Compare(db.OverdueActions, da.OverdueActions)
		case "assessment":
			var na, nb drive.Date
			if a.Assessments.HasNext {
				na = a.Assessments.Next.Due
			}
			if b.Assessments.HasNext {
				nb = b.Assessments.Next.Due
			}
			return dated(na, nb)
		}
		return 0
	}
	slices.SortStableFunc(cl.Rows, func(a, b CaseRow) int {
		c := key1(a, b)
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		if base == "name" && desc {
			return byName(b, a)
		}
		return byName(a, b)
	})
	if desc {
		return "-" + base
	}
	return base
}
