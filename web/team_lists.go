package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
)

// teamList is one of the team dashboard's lists. The dashboard shows each
// as a card with its count, linking to the list's own page, where every
// case on it is listed a page at a time (/team/{key}); the dashboard used
// to hold every list in full and ran to many screens.
type teamList struct {
	Key   string
	Title string
	// Empty is what the list's page says when no case is on it.
	Empty string
	// Schedule shows the assessment schedule columns.
	Schedule bool
	rows     func(*service.Dashboard) []service.CaseRow
	total    func(*service.Dashboard) int
	// hint explains the list, or "" for none.
	hint func(d *service.Dashboard) string
}

// teamLists are the dashboard's lists, in the order of its cards.
var teamLists = []teamList{
	{Key: "transfers", Title: "Transfers waiting for you to accept", Empty: "No transfers are waiting.",
		rows: func(d *service.Dashboard) []service.CaseRow { return d.TransfersIn }, total: func(d *service.Dashboard) int { return d.Totals.TransfersIn }},
	{Key: "unallocated", Title: "Referrals and unallocated cases", Empty: "Every accepted case is allocated.",
		rows: func(d *service.Dashboard) []service.CaseRow { return d.Unallocated }, total: func(d *service.Dashboard) int { return d.Totals.Unallocated }},
	{Key: "overdue", Title: "Cases with overdue actions", Empty: "No actions are overdue.",
		rows: func(d *service.Dashboard) []service.CaseRow { return d.Overdue }, total: func(d *service.Dashboard) int { return d.Totals.Overdue }},
	{Key: "no-contact", Title: "No recent contact", Empty: "Every open case has had recent contact.",
		rows: func(d *service.Dashboard) []service.CaseRow { return d.NoContact }, total: func(d *service.Dashboard) int { return d.Totals.NoContact },
		hint: noContactHint},
	{Key: "reviews", Title: "Reviews due", Empty: "No reviews are due.",
		rows: func(d *service.Dashboard) []service.CaseRow { return d.ReviewsDue }, total: func(d *service.Dashboard) int { return d.Totals.ReviewsDue }},
	{Key: "assessments", Title: "Cases with overdue assessments", Empty: "No assessments are overdue.", Schedule: true,
		rows: func(d *service.Dashboard) []service.CaseRow { return d.AssessmentsOverdue }, total: func(d *service.Dashboard) int { return d.Totals.AssessmentsOverdue },
		hint: func(d *service.Dashboard) string { return fmt.Sprintf("%d overdue in all.", d.OverdueAssessments) }},
	{Key: "without-idva", Title: "Victim-survivors without an IDVA", Empty: "Every linked victim-survivor has an IDVA.",
		rows: func(d *service.Dashboard) []service.CaseRow { return d.WithoutIDVA }, total: func(d *service.Dashboard) int { return d.Totals.WithoutIDVA },
		hint: func(*service.Dashboard) string {
			return "Open cases where a linked victim-survivor has no open IDVA case, or no IDVA allocated."
		}},
}

// noContactHint says how long each programme allows without contact,
// since each case is held to its own programme's period.
func noContactHint(d *service.Dashboard) string {
	h := "No contact for at least the period of the case's programme ("
	for i, p := range d.Programmes {
		if i > 0 {
			h += "; "
		}
		h += fmt.Sprintf("%s: %d days", p.Name, p.NoContactDays)
	}
	return h + ")."
}

// teamCard is a dashboard card as the template shows it.
type teamCard struct {
	Key   string
	Title string
	Count int
	Href  string
	Hint  string
}

// teamCards are the dashboard's cards for site's lists.
func teamCards(d *service.Dashboard, site int64) []teamCard {
	var cards []teamCard
	for _, l := range teamLists {
		c := teamCard{Key: l.Key, Title: l.Title, Count: l.total(d), Href: teamListPath(l.Key, site, "", 0)}
		if l.hint != nil {
			c.Hint = l.hint(d)
		}
		cards = append(cards, c)
	}
	return cards
}

// teamListPath is the address of a page of a dashboard list: the first
// without a cursor, otherwise the page the cursor (a Next or Prev of
// service.TeamList) starts, numbered page for the reader.
func teamListPath(key string, site int64, cursor string, page int) string {
	v := url.Values{"site": {strconv.FormatInt(site, 10)}}
	if cursor != "" {
		v.Set("cursor", cursor)
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
	}
	return "/team/" + key + "?" + v.Encode()
}

// teamListData is what templates/team-list.html shows.
type teamListData struct {
	List     teamList
	Site     int64
	SiteName string
	Rows     []service.CaseRow
	Total    int
	Hint     string
	Page     int
	Pages    int
	First    int // the position of the first row shown, from 1
	PrevURL  string
	NextURL  string
	Today    drive.Date
}

// teamListPage shows one of the dashboard's lists whole, a page at a
// time, for one of the leader's sites (site=). Each page is read from the
// store from the edge of the one before (service.TeamList), not cut from
// the whole list.
func (s *Server) teamListPage(w http.ResponseWriter, r *http.Request) error {
	var list *teamList
	for i := range teamLists {
		if teamLists[i].Key == r.PathValue("list") {
			list = &teamLists[i]
		}
	}
	if list == nil {
		return drive.NotFound("page")
	}
	ctx := r.Context()
	a := actorOf(r)
	sites, _, err := s.svc.ReferralSites(ctx, a)
	if err != nil {
		return err
	}
	if len(sites) == 0 {
		return drive.NotFound("page")
	}
	d := teamListData{List: *list, Site: sites[0].ID, Today: s.svc.Today()}
	q := r.URL.Query()
	if v, err := strconv.ParseInt(q.Get("site"), 10, 64); err == nil {
		d.Site = v
	}
	for _, st := range sites {
		if st.ID == d.Site {
			d.SiteName = st.Name
		}
	}
	// A page starts from the cursor its link carries (the edge of the
	// page before or after it); "page" only numbers it for the reader.
	cursor := q.Get("cursor")
	tl, err := s.svc.TeamList(ctx, a, d.Site, list.Key, cursor, pageSize)
	if err != nil {
		return err
	}
	d.Rows, d.Total = tl.Rows, tl.Total
	if list.hint != nil {
		d.Hint = list.hint(&service.Dashboard{Programmes: tl.Programmes, OverdueAssessments: tl.OverdueAssessments})
	}
	d.Pages = max((d.Total+pageSize-1)/pageSize, 1)
	d.Page, _ = strconv.Atoi(q.Get("page"))
	if cursor == "" || d.Page < 1 {
		d.Page = 1
	}
	d.Page = min(d.Page, d.Pages)
	d.First = (d.Page-1)*pageSize + 1
	switch {
	case tl.Prev != "" && d.Page > 2:
		d.PrevURL = teamListPath(list.Key, d.Site, tl.Prev, d.Page-1)
	case tl.Prev != "" || (cursor != "" && len(tl.Rows) == 0 && tl.Total > 0):
		// Back to the start, or from a page whose edge has left the
		// list (its case was allocated, contacted, reviewed) to the start.
		d.PrevURL = teamListPath(list.Key, d.Site, "", 0)
	}
	if tl.Next != "" {
		d.NextURL = teamListPath(list.Key, d.Site, tl.Next, min(d.Page+1, d.Pages))
	}
	return s.render(w, r, http.StatusOK, "team-list", s.page(r, list.Title, d))
}
