package store

import (
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
)

// CaseFilter selects cases for lists, caseloads and dashboards. Empty
// fields select everything; SiteIDs must be given (the caller passes only
// the sites the user may list, from access.Subject.SitesFor), unless
// AllSites is set for a national reader.
type CaseFilter struct {
	SiteIDs       []int64
	AllSites      bool
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
	// After, when set, asks for the page that follows the case it marks in
	// Sort's order; with Back, the page that comes before it. A page is
	// found from its edge through the order's index, so the hundredth page
	// costs what the first does. A cursor taken in another order is
	// ignored (the first page).
	After *CaseCursor
	Back  bool
	// CountAll counts every case the filter selects, for the command
	// line's totals; a list's count stops past CaseCountLimit.
	CountAll bool
}

// CaseCountLimit is how far a list of cases counts: past it the list says
// "more than 1,000 cases" (CasePage.Over). Counting further would read an
// entry of the site's index for every case it has ever held, on every page,
// to tell a reader a figure no one pages through.
const CaseCountLimit = 1000

// CaseCursor marks a case's place in a list: its id and the values of the
// list's order at it. For the orders by name it carries no value: the
// names are read from the case's own row by its id when the page is read,
// so a cursor never holds a name (it travels in links, docs/casework.md).
type CaseCursor struct {
	Sort     string // the order it was taken in, "-updated" for the default
	ID       int64
	Updated  time.Time  // the "updated" and "state" orders
	Referred drive.Date // the "referred" orders
	Rank     int        // the "state" orders: the state's place (stateRank)
	// names are the names kept at the case, read for a page of the name
	// orders (caseCursorNames); never set by a caller.
	names []any
}

// CasePage is one page of a list of cases.
type CasePage struct {
	Rows []CaseRow
	// Total counts the cases the filter selects, up to CaseCountLimit
	// (every one with CountAll); Over says more than that many match.
	Total int
	Over  bool
	// More says whether cases lie beyond this page in the direction it was
	// read (after it, or before it for a page read Back).
	More bool
}

// CaseRow is a case with what lists show beside it.
type CaseRow struct {
	Case            casework.Case
	PersonName      string
	PersonDOB       drive.Date
	CaseManagerName string
	OpenActions     int
	OverdueActions  int // open or in progress, due before Today
}

// Dashboard is what a team leader sees for one site.
type Dashboard struct {
	Unallocated []CaseRow // referred or accepted, not yet allocated
	Overdue     []CaseRow // open cases with an overdue action
	NoContact   []CaseRow // allocated/active/closing with no contact for the programme's days
	ReviewsDue  []CaseRow // active/closing with next review on or before today
	Caseloads   []Caseload
	OpenCases   int
	TransfersIn []CaseRow // transfers waiting for this site to accept
}

// Caseload is one case manager's open cases against the limit.
type Caseload struct {
	UserID int64
	Name   string
	Open   int
	Limit  int
}
