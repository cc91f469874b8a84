package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/meeting"
)

// The quarterly MARAC data return: a page to choose a site and quarter and
// read the figures with their definitions, and the same figures as CSV
// for SafeLives' form. Small numbers are already withheld by the service;
// the page and file show only what it gives.

// maracReturnData is what templates/marac-return.html shows.
type maracReturnData struct {
	Sites    []siteChoice
	Quarters []quarterChoice
	Errors   FormErrors
	Return   *meeting.DataReturn
	// CSV is the address of the same return as a file.
	CSV string
}

type quarterChoice struct {
	Value    string
	Label    string
	Selected bool
}

// returnQuery is a data return request read from the address.
type returnQuery struct {
	site    int64
	quarter meeting.Quarter
	errs    map[string]string
}

// readReturnQuery reads ?site=ID&quarter=YYYY-QN. A missing site is the
// first the user may read; a missing quarter is the last complete one. A
// quarter not yet begun has nothing to return.
func readReturnQuery(r *http.Request, sites []siteChoice, today drive.Date) returnQuery {
	q := returnQuery{errs: map[string]string{}, quarter: lastCompleteQuarter(today)}
	v := r.URL.Query()
	if len(sites) > 0 {
		q.site = sites[0].ID
	}
	if s := strings.TrimSpace(v.Get("site")); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			q.errs["site"] = "Choose a site"
		}
		q.site = id
	}
	if s := v.Get("quarter"); strings.TrimSpace(s) != "" {
		qq, err := meeting.ParseQuarter(s)
		switch {
		case err != nil:
			q.errs["quarter"] = "Enter a quarter as a year and quarter, for example 2026-Q3"
		case qq.Start().After(today):
			q.errs["quarter"] = "Choose a quarter that has begun"
		default:
			q.quarter = qq
		}
	}
	return q
}

// lastCompleteQuarter is the quarter before the one today falls in.
func lastCompleteQuarter(today drive.Date) meeting.Quarter {
	q := meeting.Quarter{Year: today.Year, Q: (int(today.Month)-1)/3 + 1}
	if q.Q == 1 {
		return meeting.Quarter{Year: q.Year - 1, Q: 4}
	}
	return meeting.Quarter{Year: q.Year, Q: q.Q - 1}
}

// returnSites lists the sites whose aggregates the user may read: all of
// them for a national reader.
func (s *Server) returnSites(r *http.Request) ([]siteChoice, error) {
	a := actorOf(r)
	ids, national := a.Subject.SitesFor(access.Aggregates, access.Read)
	all, err := s.svc.Sites(r.Context(), a)
	if err != nil {
		return nil, err
	}
	var out []siteChoice
	for _, st := range all {
		if national || containsID(ids, st.ID) {
			out = append(out, siteChoice{ID: st.ID, Name: st.Name})
		}
	}
	return out, nil
}

func containsID(ids []int64, id int64) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// maracReturn shows a site's quarterly MARAC data return.
func (s *Server) maracReturn(w http.ResponseWriter, r *http.Request) error {
	sites, err := s.returnSites(r)
	if err != nil {
		return err
	}
	today := s.svc.Today()
	q := readReturnQuery(r, sites, today)
	d := maracReturnData{Sites: sites}
	for i := range d.Sites {
		d.Sites[i].Selected = d.Sites[i].ID == q.site
	}
	// The last two years' quarters, newest first; the current one is
	// offered too, its figures so far.
	cur := meeting.Quarter{Year: today.Year, Q: (int(today.Month)-1)/3 + 1}
	for i := 0; i < 9; i++ {
		label := cur.Label()
		if i == 0 {
			label += " (so far)"
		}
		d.Quarters = append(d.Quarters, quarterChoice{Value: cur.String(), Label: label, Selected: cur == q.quarter})
		if cur.Q--; cur.Q == 0 {
			cur = meeting.Quarter{Year: cur.Year - 1, Q: 4}
		}
	}
	if len(q.errs) > 0 {
		d.Errors = formErrors(q.errs, "site", "quarter")
		return s.render(w, r, http.StatusUnprocessableEntity, "marac-return", s.page(r, "Error: MARAC data return", d))
	}
	if d.Return, err = s.svc.MARACDataReturn(r.Context(), actorOf(r), q.site, q.quarter); err != nil {
		return err
	}
	d.CSV = "/meetings/return.csv?site=" + strconv.FormatInt(q.site, 10) + "&quarter=" + q.quarter.String()
	return s.render(w, r, http.StatusOK, "marac-return", s.page(r, "MARAC data return", d))
}

// maracReturnCSV sends the same return as a CSV file.
func (s *Server) maracReturnCSV(w http.ResponseWriter, r *http.Request) error {
	sites, err := s.returnSites(r)
	if err != nil {
		return err
	}
	q := readReturnQuery(r, sites, s.svc.Today())
	if len(q.errs) > 0 {
		return drive.Invalid("Check the site and quarter", q.errs)
	}
	ret, err := s.svc.MARACDataReturn(r.Context(), actorOf(r), q.site, q.quarter)
	if err != nil {
		return err
	}
	name := "marac-return-site-" + strconv.FormatInt(q.site, 10) + "-" + q.quarter.String() + ".csv"
	return serveDownload(w, "text/csv; charset=utf-8", name, ret.CSV())
}
