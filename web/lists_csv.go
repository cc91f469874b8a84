package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
)

// The caseload and the case list as CSV, for the worker who plans a week
// in a spreadsheet. Each file holds what its page shows the user and no
// more: the service lists only the cases the user may see, and audits the
// list as downloaded. Like every page, the files are served no-store.

// writeCSV writes a header and rows, each cell made safe.
func writeCSV(header []string, rows [][]string) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	for _, row := range append([][]string{header}, rows...) {
		safe := make([]string, len(row))
		for i, c := range row {
			safe[i] = drive.SpreadsheetCell(c)
		}
		_ = w.Write(safe) // writes to a bytes.Buffer cannot fail
	}
	w.Flush()
	return buf.Bytes()
}

// dateCell is a date as the ISO text a spreadsheet sorts, blank for none.
func dateCell(d drive.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// caseloadHeader is the caseload file's columns, the page's own.
var caseloadHeader = []string{"Case", "Name", "State", "Engagement", "Last contact", "Next review", "Review overdue",
	"Overdue actions", "Next assessment", "Next assessment due", "Overdue assessments", "Last updated"}

// caseloadFile is the caseload as CSV.
func caseloadFile(cl *service.Caseload, today drive.Date) []byte {
	rows := make([][]string, 0, len(cl.Rows))
	for _, r := range cl.Rows {
		due := r.Due(today)
		next, nextDue := "", ""
		if r.Assessments.HasNext {
			next, nextDue = r.Assessments.Next.Code+" "+r.Assessments.Next.Kind.Label(), dateCell(r.Assessments.Next.Due)
		}
		last := ""
		if due.LastContact != nil {
			last = dateCell(drive.DateOf(*due.LastContact))
		}
		rows = append(rows, []string{strconv.FormatInt(r.Case.ID, 10), r.PersonName, r.Case.State.Label(), r.Case.Engagement.Label(),
			last, dateCell(due.NextReview), yesNo(due.ReviewOverdue), strconv.Itoa(due.OverdueActions),
			next, nextDue, strconv.Itoa(r.Assessments.Overdue), dateCell(drive.DateOf(r.Case.UpdatedAt))})
	}
	return writeCSV(caseloadHeader, rows)
}

// casesHeader is the case list file's columns, the page's own.
var casesHeader = []string{"Case", "Name", "Date of birth", "Programme", "State", "Referred", "Case manager", "Trial", "Last updated"}

// casesFile is a case list as CSV.
func casesFile(list []service.CaseRow) []byte {
	rows := make([][]string, 0, len(list))
	for _, r := range list {
		rows = append(rows, []string{strconv.FormatInt(r.Case.ID, 10), r.PersonName, dateCell(r.PersonDOB), r.Case.Programme,
			r.Case.State.Label(), dateCell(r.Case.ReferredAt), r.CaseManagerName, r.Trial, dateCell(drive.DateOf(r.Case.UpdatedAt))})
	}
	return writeCSV(casesHeader, rows)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// caseloadCSV downloads the user's caseload.
func (s *Server) caseloadCSV(w http.ResponseWriter, r *http.Request) error {
	cl, err := s.svc.DownloadCaseload(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return serveDownload(w, "text/csv; charset=utf-8", "caseload.csv", caseloadFile(cl, s.svc.Today()))
}

// casesCSVLimit is the most cases one file holds: the most the service
// lists at once.
const casesCSVLimit = 1000

// casesCSV downloads the case list as the page shows it (the same search,
// state and order), every page of it up to casesCSVLimit cases.
func (s *Server) casesCSV(w http.ResponseWriter, r *http.Request) error {
	f := casesFilter(r)
	f.Limit, f.Offset, f.Download = casesCSVLimit, 0, true
	rows, _, err := s.svc.ListCases(r.Context(), actorOf(r), f)
	if err != nil {
		return err
	}
	return serveDownload(w, "text/csv; charset=utf-8", "cases.csv", casesFile(rows))
}

// casesFilter is the case list's filter from the address (state, sort,
// search=1 for the words kept with the session), without paging.
func casesFilter(r *http.Request) service.CaseFilter {
	q := r.URL.Query()
	f := service.CaseFilter{Sort: q.Get("sort")}
	if p := principalFrom(r.Context()); q.Get("search") == "1" && p != nil && p.session != nil {
		f.Query = p.session.Search
	}
	if st := q.Get("state"); st != "" {
		f.States = []casework.State{casework.State(st)}
	}
	return f
}
