package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
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
	f.Limit, f.Download = casesCSVLimit, true
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

// victimsHeader is the IDVA list's columns, the page's own. The list is
// the victim-survivors' side's alone (service.Victims): nobody else gets a
// row, so the file can hold her name as the page does.
var victimsHeader = []string{"IDVA case", "Name", "Open", "Opened", "IDVA", "Linked perpetrators", "Latest DASH score", "Latest DASH level",
	"Latest DASH on", "Trend", "Next step", "Next assessment", "Next assessment due", "Overdue assessments", "Held texts to review"}

// victimsFile is the IDVA list as CSV.
func victimsFile(list []service.VictimRow) []byte {
	rows := make([][]string, 0, len(list))
	for _, r := range list {
		score, level, on := "", "", ""
		if r.HasDASH {
			score, level, on = strconv.Itoa(r.DASH.Latest.Result.Score), r.DASH.Latest.Result.EffectiveLevel.Label, dateCell(r.DASH.Latest.On)
		}
		next, nextDue := "", ""
		if r.Assessments.HasNext {
			next, nextDue = r.Assessments.Next.Code+" "+r.Assessments.Next.Kind.Label(), dateCell(r.Assessments.Next.Due)
		}
		rows = append(rows, []string{strconv.FormatInt(r.Case.ID, 10), r.Case.Name(), yesNo(r.Case.Open), dateCell(r.Case.OpenedOn), r.IDVA,
			strconv.Itoa(r.Links), score, level, on, r.DASH.InWords(), r.NextStep, next, nextDue, strconv.Itoa(r.Assessments.Overdue), strconv.Itoa(r.ToReview)})
	}
	return writeCSV(victimsHeader, rows)
}

// victimsCSV downloads the IDVA list as the page shows it: the IDVA's own
// open cases, or everyone at the site with all=1.
func (s *Server) victimsCSV(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	mine := r.URL.Query().Get("all") != "1" && a.Subject.HasRole(access.IDVA)
	rows, err := s.svc.DownloadVictims(r.Context(), a, mine)
	if err != nil {
		return err
	}
	return serveDownload(w, "text/csv; charset=utf-8", "victim-survivors.csv", victimsFile(rows))
}

// identifyHeader is the identification list's columns, the page's own with
// the score's parts, so a ranking can be checked in the spreadsheet.
var identifyHeader = []string{"Rank", "Police person", "Given name", "Family name", "Date of birth", "Score", "Recency", "Frequency", "Gravity",
	"Victims", "Incidents", "Distinct victims", "Last incident", "Serial", "Escalating", "Confirmed", "Known at another site", "MARAC hearings in 12 months",
	"Last MARAC", "Why"}

// identifyFile is the identification list as CSV.
func identifyFile(list []service.Suspect) []byte {
	rows := make([][]string, 0, len(list))
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
	for _, p := range list {
		rows = append(rows, []string{strconv.Itoa(p.Rank), strconv.FormatInt(p.PersonID, 10), p.Latest.GivenName, p.Latest.FamilyName, dateCell(p.Latest.DOB),
			f(p.Total), f(p.Recency), f(p.Frequency), f(p.Gravity), f(p.Victims), strconv.Itoa(p.Incidents), strconv.Itoa(p.DistinctVictims),
			dateCell(p.LastIncident), yesNo(p.Serial), yesNo(p.Escalating), yesNo(p.Confirmed), yesNo(p.OtherSites), strconv.Itoa(p.MARAC),
			dateCell(p.LastMARAC), strings.Join(p.Reasons, "; ")})
	}
	return writeCSV(identifyHeader, rows)
}

// identifyListSize is how many suspects the page and its file rank.
const identifyListSize = 100

// identifyCSV downloads a site's identification list as the page shows it
// (site=, serial=1 for serial suspects only).
func (s *Server) identifyCSV(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	sites, national := a.Subject.SitesFor(access.PoliceIntel, access.Read)
	if national || len(sites) == 0 {
		return drive.NotFound("page")
	}
	site := sites[0]
	if v, err := strconv.ParseInt(r.URL.Query().Get("site"), 10, 64); err == nil {
		site = v
	}
	list, err := s.svc.DownloadIdentificationList(r.Context(), a, site, identifyListSize)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("serial") == "1" {
		list = slices.DeleteFunc(list, func(p service.Suspect) bool { return !p.Serial })
	}
	return serveDownload(w, "text/csv; charset=utf-8", "identification-list-"+strconv.FormatInt(site, 10)+".csv", identifyFile(list))
}

// teamHeader is the team dashboard file's columns: which of the
// dashboard's lists a case is on, then the case as its tables show it.
var teamHeader = []string{"List", "Case", "Name", "State", "Case manager", "Open actions", "Overdue actions", "Next assessment",
	"Next assessment due", "Overdue assessments", "Last contact", "Last updated"}

// teamFile is the team dashboard's lists as CSV, every case on each (a
// case on several lists has a row on each).
func teamFile(d *service.Dashboard) []byte {
	var rows [][]string
	for _, l := range []struct {
		name string
		rows []service.CaseRow
	}{{"Transfers waiting", d.TransfersIn}, {"Unallocated", d.Unallocated}, {"Overdue actions", d.Overdue}, {"No recent contact", d.NoContact},
		{"Review due", d.ReviewsDue}, {"Overdue assessments", d.AssessmentsOverdue}, {"Victim-survivor without an IDVA", d.WithoutIDVA}} {
		for _, r := range l.rows {
			next, nextDue := "", ""
			if r.Assessments.HasNext {
				next, nextDue = r.Assessments.Next.Code+" "+r.Assessments.Next.Kind.Label(), dateCell(r.Assessments.Next.Due)
			}
			last := ""
			if r.Case.LastContactAt != nil {
				last = dateCell(drive.DateOf(*r.Case.LastContactAt))
			}
			rows = append(rows, []string{l.name, strconv.FormatInt(r.Case.ID, 10), r.PersonName, r.Case.State.Label(), r.CaseManagerName,
				strconv.Itoa(r.OpenActions), strconv.Itoa(r.OverdueActions), next, nextDue, strconv.Itoa(r.Assessments.Overdue), last,
				dateCell(drive.DateOf(r.Case.UpdatedAt))})
		}
	}
	return writeCSV(teamHeader, rows)
}

// teamCSV downloads the team dashboard's lists for a site (site=), whole.
func (s *Server) teamCSV(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := actorOf(r)
	sites, _, err := s.svc.ReferralSites(ctx, a)
	if err != nil {
		return err
	}
	if len(sites) == 0 {
		return drive.NotFound("page")
	}
	site := sites[0].ID
	if v, err := strconv.ParseInt(r.URL.Query().Get("site"), 10, 64); err == nil {
		site = v
	}
	d, err := s.svc.DownloadDashboard(ctx, a, site)
	if err != nil {
		return err
	}
	return serveDownload(w, "text/csv; charset=utf-8", "team-"+strconv.FormatInt(site, 10)+".csv", teamFile(d))
}
