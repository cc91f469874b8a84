package web

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/pdf"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// send makes a page request as a wall user without following redirects,
// returning the status, body and response headers.
func (w *wall) send(t *testing.T, name, method, path string, form url.Values) (int, string, http.Header) {
	t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf_token", w.users[name].csrf)
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, w.ts.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Cookie", "drive_session="+w.users[name].session)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestMeetingPages drives every meeting page and form over real HTTP: a
// coordinator sets up a series, schedules a meeting, builds and publishes
// its agenda; a partner accepts the confidentiality statement and shares;
// the coordinator records the decision and an action and publishes the
// minutes. Each form is also sent invalid (the form comes back with an
// error summary and nothing changes) and by someone who may not use it
// (not found). Nothing the perpetrator side is shown carries the
// victim-survivor's protected details; her IDVA's copy of the minutes does.
func TestMeetingPages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			site := strconv.FormatInt(w.siteOf(t), 10)
			police := strconv.FormatInt(w.users["pat.partner"].user.OrganisationID, 10)
			coord := "pam.coordinator"
			id := func(n int64) string { return strconv.FormatInt(n, 10) }
			// expect sends a request and checks its status; a redirect is
			// checked against wantLoc's prefix.
			expect := func(name, method, path string, form url.Values, want int, wantLoc string) string {
				t.Helper()
				status, body, h := w.send(t, name, method, path, form)
				if status != want {
					t.Fatalf("%s %s as %s: %d; want %d\n%s", method, path, name, status, want, errorSummaryOf(body))
				}
				if want == http.StatusSeeOther && !strings.HasPrefix(h.Get("Location"), wantLoc) {
					t.Fatalf("%s %s as %s: to %s; want %s", method, path, name, h.Get("Location"), wantLoc)
				}
				if want == http.StatusUnprocessableEntity && !strings.Contains(body, "govuk-error-summary") {
					t.Fatalf("%s %s as %s: 422 without an error summary", method, path, name)
				}
				if strings.HasPrefix(name, "pam") || strings.HasPrefix(name, "pat") || strings.HasPrefix(name, "cal") {
					if l := leaked(body); len(l) > 0 {
						t.Fatalf("%s %s as %s leaked %v", method, path, name, l)
					}
				}
				return body
			}
			get := func(name, path string, want int) string { t.Helper(); return expect(name, "GET", path, nil, want, "") }
			post := func(name, path string, form url.Values, want int, wantLoc string) string {
				t.Helper()
				return expect(name, "POST", path, form, want, wantLoc)
			}

			// The list and the navigation.
			if body := get(coord, "/meetings", 200); !strings.Contains(body, `href="/meetings/series/new"`) || !strings.Contains(body, `govuk-service-navigation__link" href="/meetings"`) {
				t.Fatal("the coordinator's list offers no series, or the navigation no Meetings")
			}
			if body := get("pat.partner", "/meetings", 200); strings.Contains(body, "Set up a series") {
				t.Fatal("a partner is offered to set up a series")
			}

			// A series.
			get(coord, "/meetings/series/new", 200)
			get("pat.partner", "/meetings/series/new", 404)
			series := url.Values{"site": {site}, "kind": {"marac"}, "name": {"Northmoor MARAC"}, "schedule": {"Every other Monday"},
				"chair": {id(w.users[coord].user.ID)}, "coordinator": {id(w.users[coord].user.ID)}, "venue": {"Room 2, Civic Centre"},
				"agencies": {police}, "minutes_per_item": {"12"}, "access_days": {"7"}}
			bad := url.Values{"site": {site}, "minutes_per_item": {"twelve"}, "access_days": {"7"}}
			if body := post(coord, "/meetings/series", bad, 422, ""); !strings.Contains(body, "Enter the minutes each case has as a number") {
				t.Fatal("the series form does not say what is wrong")
			}
			if body := get(coord, "/meetings", 200); !strings.Contains(body, "You have not set up a series yet") {
				t.Fatal("an invalid series was set up")
			}
			post("pat.partner", "/meetings/series", series, 404, "")
			post(coord, "/meetings/series", series, 303, "/meetings?done=series")
			body := get(coord, "/meetings?done=series", 200)
			if !strings.Contains(body, "Meeting series set up") {
				t.Fatal("no confirmation after setting up a series")
			}
			m := regexp.MustCompile(`/meetings/new\?series=(\d+)`).FindStringSubmatch(body)
			if m == nil {
				t.Fatal("no way to schedule a meeting of the series")
			}
			seriesID := m[1]

			// A meeting, today (the fixture's clock).
			get(coord, "/meetings/new?series="+seriesID, 200)
			get("pat.partner", "/meetings/new?series="+seriesID, 404)
			post(coord, "/meetings", url.Values{"series": {seriesID}, "held_on": {"not a date"}, "starts_at": {"10:00"}}, 422, "")
			post(coord, "/meetings", url.Values{"series": {seriesID}, "held_on": {"2026-11-01"}, "starts_at": {"10:00"}}, 422, "")
			if body := get(coord, "/meetings", 200); strings.Contains(body, `href="/meetings/1"`) {
				t.Fatal("an invalid meeting was scheduled")
			}
			post("pat.partner", "/meetings", url.Values{"series": {seriesID}, "held_on": {"2026-11-23"}, "starts_at": {"10:00"}}, 404, "")
			_, _, h := w.send(t, coord, "POST", "/meetings", url.Values{"series": {seriesID}, "held_on": {"2026-11-23"}, "starts_at": {"10:00"}})
			m = regexp.MustCompile(`^/meetings/(\d+)\?done=scheduled$`).FindStringSubmatch(h.Get("Location"))
			if m == nil {
				t.Fatalf("scheduling went to %q", h.Get("Location"))
			}
			mid := m[1]
			mp := "/meetings/" + mid
			if body := get(coord, mp+"?done=scheduled", 200); !strings.Contains(body, "Meeting scheduled") || !strings.Contains(body, "Room 2, Civic Centre") {
				t.Fatal("the meeting page lacks its confirmation or venue")
			}
			get("pat.partner", mp, 404) // a draft
			get("sam.otherlead", mp, 404)

			// Candidates: a review due by the meeting proposes the case.
			err := w.db.Transact(context.Background(), func(tx *store.Tx) error {
				c, err := tx.Case(context.Background(), w.caseID)
				if err != nil {
					return err
				}
				c.NextReviewDue = drive.MustDate("2026-11-22")
				return tx.UpdateCase(context.Background(), c)
			})
			if err != nil {
				t.Fatal(err)
			}
			if body := get(coord, mp+"/candidates", 200); !strings.Contains(body, "Darren Hollis") || !strings.Contains(body, "Review due") {
				t.Fatal("the case is not proposed, or not with its reason")
			}
			get("pat.partner", mp+"/candidates", 404)
			if body := post(coord, mp+"/items", url.Values{}, 422, ""); !strings.Contains(body, "Choose at least one case to add") {
				t.Fatal("adding nothing does not say so")
			}
			post("pat.partner", mp+"/items", url.Values{"cases": {id(w.caseID)}}, 404, "")
			post(coord, mp+"/items", url.Values{"all": {"yes"}}, 303, mp+"?done=added")
			body = get(coord, mp+"?done=added", 200)
			if !strings.Contains(body, "Cases added to the agenda") || !strings.Contains(body, "Darren Hollis") {
				t.Fatal("the case is not on the agenda")
			}
			// Standing items 5 + 10, the case 12, anniversaries 5.
			if !strings.Contains(body, "32 minutes in all") || !strings.Contains(body, "10:15 to 10:27") {
				t.Fatal("the agenda's timetable or total is wrong")
			}
			item := regexp.MustCompile(`href="` + mp + `/items/(\d+)"`).FindStringSubmatch(body)
			if item == nil {
				t.Fatal("no link to the case's item")
			}
			ip := mp + "/items/" + item[1]

			// The item's time.
			if body := post(coord, ip+"/minutes", url.Values{"minutes": {"lots"}}, 422, ""); !strings.Contains(body, `href="#item-`+item[1]+`-minutes"`) {
				t.Fatal("the error does not link to the item's field")
			}
			post(coord, ip+"/minutes", url.Values{"minutes": {"500"}}, 422, "")
			post("pat.partner", ip+"/minutes", url.Values{"minutes": {"20"}}, 404, "")
			post(coord, ip+"/minutes", url.Values{"minutes": {"20"}}, 303, mp+"?done=minutes")
			if body := get(coord, mp, 200); !strings.Contains(body, "40 minutes in all") {
				t.Fatal("the item's time did not change the total")
			}

			// Invitations and attendance.
			post(coord, mp+"/attendees", url.Values{}, 422, "")
			post("pat.partner", mp+"/attendees", url.Values{"user": {id(w.users["pat.partner"].user.ID)}}, 404, "")
			for _, u := range []string{"pat.partner", "ida.idva"} {
				post(coord, mp+"/attendees", url.Values{"user": {id(w.users[u].user.ID)}}, 303, mp+"?done=invited")
			}
			post(coord, mp+"/attendees", url.Values{"organisation": {police}, "name": {"Robin Probation"}}, 303, mp+"?done=invited")
			body = get(coord, mp, 200)
			atts := regexp.MustCompile(`/attendees/(\d+)/status`).FindAllStringSubmatch(body, -1)
			if len(atts) != 4 || !strings.Contains(body, "Robin Probation") {
				t.Fatalf("%d attendees listed; want the coordinator and three invited", len(atts))
			}
			robin := regexp.MustCompile(`(?s)Robin Probation.*?/attendees/(\d+)/status`).FindStringSubmatch(body)
			if robin == nil {
				t.Fatal("no form beside the named attendee")
			}
			last := mp + "/attendees/" + robin[1]
			post(coord, last+"/status", url.Values{"status": {"sleeping"}}, 422, "")
			post("pat.partner", last+"/status", url.Values{"status": {"present"}}, 404, "")
			post(coord, mp+"/attendees/"+atts[0][1]+"/status", url.Values{"status": {"present"}}, 303, mp+"?done=attendance")
			post("pat.partner", last+"/remove", url.Values{}, 404, "")
			post(coord, last+"/remove", url.Values{}, 303, mp+"?done=uninvited")
			if body := get(coord, mp, 200); strings.Contains(body, "Robin Probation") {
				t.Fatal("the attendee is still invited")
			}

			// Publishing.
			post("pat.partner", mp+"/publish", url.Values{}, 404, "")
			post(coord, mp+"/publish", url.Values{}, 303, mp+"?done=published")
			post(coord, mp+"/publish", url.Values{}, 422, "")

			// The partner sees the meeting, not the case, until accepting.
			body = get("pat.partner", mp, 200)
			if !strings.Contains(body, "I accept") || strings.Contains(body, "Darren Hollis") {
				t.Fatal("before accepting, the partner is not asked to, or sees the case")
			}
			get("pat.partner", ip, 404)
			post("sam.otherlead", mp+"/confidentiality", url.Values{}, 404, "")
			post("pat.partner", mp+"/confidentiality", url.Values{}, 303, mp+"?done=accepted")
			if body := get("pat.partner", mp+"?done=accepted", 200); !strings.Contains(body, "Darren Hollis") || strings.Contains(body, `id="accept"`) {
				t.Fatal("after accepting, the case does not open to the partner")
			}
			post("ida.idva", mp+"/confidentiality", url.Values{}, 303, mp+"?done=accepted")

			// Shares: the partner for their own agency; the coordinator
			// for any.
			if body := get("pat.partner", ip, 200); !strings.Contains(body, "You record this for your own agency") || strings.Contains(body, `id="record-decision"`) {
				t.Fatal("the partner's item page is wrong")
			}
			share := url.Values{"basis": {"legitimate_interests"}, "text": {"Two call-outs this month."}}
			if body := post("pat.partner", ip+"/shares", share, 422, ""); !strings.Contains(body, "Say whether the victim-survivor was told") {
				t.Fatal("a share without the told answer is not refused")
			}
			share.Set("victim_told", "yes")
			post("sam.otherlead", ip+"/shares", share, 404, "")
			post("pat.partner", ip+"/shares", share, 303, ip+"?done=share")
			post(coord, ip+"/shares", url.Values{"organisation": {police}, "basis": {"public_task"}, "victim_told": {"no"}, "text": {"Bail conditions breached."}}, 303, ip+"?done=share")
			if body := get(coord, ip, 200); !strings.Contains(body, "Two call-outs this month.") || !strings.Contains(body, "Bail conditions breached.") {
				t.Fatal("the shares are not shown")
			}

			// The decision and an action are the coordinator's.
			post("pat.partner", ip+"/decision", url.Values{"decision": {"actions_agreed"}, "reasons": {"x"}}, 404, "")
			post(coord, ip+"/decision", url.Values{"decision": {"accept"}, "reasons": {""}}, 422, "")
			post(coord, ip+"/decision", url.Values{"decision": {"actions_agreed"}, "reasons": {"Escalating risk; police to act."}}, 303, ip+"?done=decision")
			action := url.Values{"type": {"bail-review"}, "organisation": {police}, "owner": {"PC Example"}}
			post(coord, ip+"/actions", action, 422, "")
			action.Set("due_on", "2026-12-15")
			post("pat.partner", ip+"/actions", action, 404, "")
			post(coord, ip+"/actions", action, 303, ip+"?done=action")
			if body := get(coord, ip+"?done=action", 200); !strings.Contains(body, "Bail condition review") || !strings.Contains(body, "Action agreed") {
				t.Fatal("the action is not shown")
			}

			// The minutes.
			get(coord, mp+"/minutes", 404) // not yet held
			post("pat.partner", mp+"/minutes", url.Values{}, 404, "")
			post(coord, mp+"/minutes", url.Values{}, 303, mp+"/minutes?done=held")
			for _, u := range []string{coord, "pat.partner"} {
				body := get(u, mp+"/minutes", 200)
				if !strings.Contains(body, "RESTRICTED") || !strings.Contains(body, "Actions agreed") || !strings.Contains(body, "Bail condition review") ||
					!strings.Contains(body, "minutes.pdf") || strings.Contains(body, "IDVA copy only") {
					t.Fatalf("%s's minutes are wrong", u)
				}
			}
			if body := get("ida.idva", mp+"/minutes", 200); !strings.Contains(body, "IDVA copy only") || !strings.Contains(body, "Canary Refuge House") {
				t.Fatal("her IDVA's copy lacks her safety information")
			}
			get("sam.otherlead", mp+"/minutes", 404)
			for _, u := range []string{coord, "pat.partner"} {
				status, b, h := w.send(t, u, "GET", mp+"/minutes.pdf", nil)
				if status != 200 || h.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
					h.Get("Cache-Control") != "no-store" {
					t.Fatalf("%s: PDF %d %v", u, status, h)
				}
				text, err := pdf.Text([]byte(b))
				if err != nil {
					t.Fatal(err)
				}
				if l := leaked(text + strings.ReplaceAll(text, "\n", "")); len(l) > 0 {
					t.Fatalf("%s's PDF leaked %v", u, l)
				}
			}
			get("sam.otherlead", mp+"/minutes.pdf", 404)
			post(coord, mp+"/cancel", url.Values{}, 422, "") // held

			// A second meeting: take the case off, then cancel.
			_, _, h = w.send(t, coord, "POST", "/meetings", url.Values{"series": {seriesID}, "held_on": {"2026-11-30"}, "starts_at": {"14:00"}})
			mp2 := strings.TrimSuffix(h.Get("Location"), "?done=scheduled")
			post(coord, mp2+"/items", url.Values{"cases": {id(w.caseID)}}, 303, mp2+"?done=added")
			item2 := regexp.MustCompile(`/items/(\d+)/remove`).FindStringSubmatch(get(coord, mp2, 200))
			if item2 == nil {
				t.Fatal("no way to take the case off")
			}
			post("pat.partner", mp2+"/items/"+item2[1]+"/remove", url.Values{}, 404, "")
			post(coord, mp2+"/items/"+item2[1]+"/remove", url.Values{}, 303, mp2+"?done=removed")
			if body := get(coord, mp2, 200); strings.Contains(body, "Darren Hollis") {
				t.Fatal("the case is still on the agenda")
			}
			post("pat.partner", mp2+"/cancel", url.Values{}, 404, "")
			post(coord, mp2+"/cancel", url.Values{}, 303, mp2+"?done=cancelled")
			if body := get(coord, mp2, 200); !strings.Contains(body, "Cancelled") {
				t.Fatal("the meeting is not cancelled")
			}
		})
	}
}

// errorSummaryOf is the text of a page's error summary, for failures.
func errorSummaryOf(body string) string {
	i := strings.Index(body, "govuk-error-summary__list")
	if i < 0 {
		if len(body) > 400 {
			return body[:400]
		}
		return body
	}
	end := min(i+600, len(body))
	return body[i:end]
}
