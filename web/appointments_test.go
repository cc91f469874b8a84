package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// TestAppointments plans, lists, reminds and cancels appointments on both
// sides over HTTP, and serves each user's calendar feed: the case manager
// plans on his case and her IDVA on hers, each side sees only its own,
// bad input changes nothing, the reminder names the case and the time
// only and is raised once, and the calendar holds times and case numbers
// and nothing else, works without signing in, and stops when revoked.
func TestAppointments(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			ctx := context.Background()
			cp := "/cases/" + strconv.FormatInt(w.caseID, 10)
			vp := "/victims/" + strconv.FormatInt(w.victimID, 10)
			if _, body := w.get(t, "cal.manager", cp); !strings.Contains(body, `href="`+cp+`/appointments"`) {
				t.Fatal("the case page does not link to its appointments")
			}
			if status, body := w.get(t, "cal.manager", cp+"/appointments"); status != 200 || !strings.Contains(body, "No appointments planned") {
				t.Fatalf("no appointments yet: %d", status)
			}
			// Bad input: each refused with its field, nothing planned.
			for _, bad := range []url.Values{
				{"date": {""}, "time": {"10:00"}, "minutes": {"60"}, "place": {"office"}},
				{"date": {"2026-11-20"}, "time": {"10:00"}, "minutes": {"60"}, "place": {"office"}},
				{"date": {"2026-11-24"}, "time": {"10:00"}, "minutes": {"sixty"}, "place": {"office"}},
				{"date": {"2026-11-24"}, "time": {"10:00"}, "minutes": {"60"}, "place": {"12 High Street"}},
			} {
				status, body, _ := w.send(t, "cal.manager", "POST", cp+"/appointments", bad)
				if status != http.StatusUnprocessableEntity || !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, "No appointments planned") {
					t.Errorf("%v: %d", bad, status)
				}
			}
			plan := func(who, path, date, clock, with string) {
				t.Helper()
				status, body, h := w.send(t, who, "POST", path+"/appointments", url.Values{"date": {date}, "time": {clock}, "minutes": {"45"}, "place": {"office"}, "with": {with}})
				if status != http.StatusSeeOther || h.Get("Location") != path+"/appointments?done=appointment" {
					t.Fatalf("%s planning: %d %s\n%s", who, status, h.Get("Location"), body)
				}
			}
			plan("cal.manager", cp, "2026-11-24", "09:30", "him, APPT-WITH-HIM")
			plan("cal.manager", cp, "2026-12-01", "14:00", "")
			plan("ida.idva", vp, "2026-11-24", "09:00", "Sam at Canary Refuge House")
			_, body := w.get(t, "cal.manager", cp+"/appointments?done=appointment")
			if !strings.Contains(body, "Appointment planned") || !strings.Contains(body, "Tuesday 24 November 2026 at 9:30am") || !strings.Contains(body, "APPT-WITH-HIM") ||
				strings.Count(body, "data-appointment=") != 2 || len(leaked(body)) > 0 {
				t.Errorf("his appointments page:\n%s", body)
			}
			if status, body := w.get(t, "ida.idva", vp+"/appointments"); status != 200 || !strings.Contains(body, "Canary Refuge House") || strings.Count(body, "data-appointment=") != 1 {
				t.Errorf("her appointments page: %d", status)
			}
			// Her appointments are the victim side's alone.
			for name := range w.users {
				status, body := w.get(t, name, vp+"/appointments")
				if name != "ida.idva" && name != "ivy.otheridva" && name != "tia.idvalead" && (status != http.StatusNotFound || len(leaked(body)) > 0) {
					t.Errorf("%s: her appointments answered %d", name, status)
				}
				if _, body := w.get(t, name, cp+"/appointments"); len(leaked(body)) > 0 {
					t.Errorf("%s: his appointments show %v", name, leaked(body))
				}
			}
			if status, _ := w.post(t, "cal.manager", vp+"/appointments", url.Values{"date": {"2026-11-25"}, "time": {"10:00"}, "minutes": {"30"}, "place": {"phone"}}); status != http.StatusNotFound {
				t.Errorf("the case manager planned on her case: %d", status)
			}

			// Reminders: the two within a day, once, in words that name
			// the case and the time only.
			svc := w.srv.svc
			n, err := svc.RemindAppointments(ctx, service.System("schedule"))
			if err != nil || n != 2 {
				t.Fatalf("reminders: %d %v", n, err)
			}
			if n, err := svc.RemindAppointments(ctx, service.System("schedule")); err != nil || n != 0 {
				t.Errorf("reminded again: %d %v", n, err)
			}
			if _, err := svc.RemindAppointments(ctx, w.actor("cal.manager")); err == nil {
				t.Error("a user ran the reminders")
			}
			_, body = w.get(t, "cal.manager", "/notifications")
			if !strings.Contains(body, "Case "+strconv.FormatInt(w.caseID, 10)+": appointment on Tuesday 24 November 2026 at 9:30am") || strings.Contains(body, "APPT-WITH-HIM") {
				t.Errorf("his reminder:\n%s", body)
			}
			_, body = w.get(t, "ida.idva", "/notifications")
			if !strings.Contains(body, "s case "+strconv.FormatInt(w.victimID, 10)+": appointment on Tuesday 24 November 2026 at 9am") || len(leaked(body)) > 0 {
				t.Errorf("her IDVA's reminder:\n%s", body)
			}

			// Calendars: made on the account page, fetched without a
			// session, holding nothing but times and case numbers.
			feeds := map[string]string{}
			addr := regexp.MustCompile(`value="(https?://[^"]+/calendar/[^"]+\.ics)"`)
			for _, name := range []string{"cal.manager", "ida.idva"} {
				if _, body := w.get(t, name, "/account/calendar"); !strings.Contains(body, "You have no calendar address") {
					t.Fatalf("%s: a calendar before making one", name)
				}
				status, body := w.post(t, name, "/account/calendar", url.Values{})
				m := addr.FindStringSubmatch(body)
				if status != 200 || m == nil {
					t.Fatalf("%s: making a calendar: %d\n%s", name, status, body)
				}
				u, _ := url.Parse(m[1])
				feeds[name] = u.Path
			}
			fetch := func(path string) (int, string, http.Header) {
				resp, err := http.Get(w.ts.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var b strings.Builder
				buf := make([]byte, 4096)
				for {
					n, err := resp.Body.Read(buf)
					b.Write(buf[:n])
					if err != nil {
						break
					}
				}
				return resp.StatusCode, b.String(), resp.Header
			}
			status, his, h := fetch(feeds["cal.manager"])
			if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/calendar") || strings.Count(his, "BEGIN:VEVENT") != 2 ||
				!strings.Contains(his, "SUMMARY:Drive appointment: case "+strconv.FormatInt(w.caseID, 10)+"\r\n") || !strings.Contains(his, "DTSTART:20261124T093000Z") {
				t.Fatalf("his calendar: %d %v\n%s", status, h, his)
			}
			status, hers, _ := fetch(feeds["ida.idva"])
			if status != 200 || strings.Count(hers, "BEGIN:VEVENT") != 1 || !strings.Contains(hers, "SUMMARY:Drive appointment: IDVA case "+strconv.FormatInt(w.victimID, 10)+"\r\n") {
				t.Fatalf("her IDVA's calendar: %d\n%s", status, hers)
			}
			for _, cal := range []string{his, hers} {
				for _, secret := range []string{"APPT-WITH-HIM", "Hollis", "Darren", "Sam", "Example", "Office", "office", "Northmoor"} {
					if strings.Contains(cal, secret) {
						t.Errorf("a calendar holds %q", secret)
					}
				}
				if l := leaked(cal); len(l) > 0 {
					t.Errorf("a calendar holds %v", l)
				}
			}
			if status, _, _ := fetch("/calendar/drv_c_" + strings.Repeat("A", 43) + ".ics"); status != http.StatusNotFound {
				t.Errorf("a made-up calendar: %d", status)
			}

			// Cancelling: only on the case, by those who may change it.
			_, page := w.get(t, "cal.manager", cp+"/appointments")
			m := regexp.MustCompile(`action="` + regexp.QuoteMeta(cp) + `/appointments/(\d+)/cancel"`).FindStringSubmatch(page)
			if m == nil {
				t.Fatal("no cancel button")
			}
			appID := m[1]
			if status, _ := w.post(t, "cat.othermanager", cp+"/appointments/"+appID+"/cancel", url.Values{}); status != http.StatusNotFound {
				t.Errorf("another case manager cancelled: %d", status)
			}
			if status, _ := w.post(t, "ida.idva", vp+"/appointments/"+appID+"/cancel", url.Values{}); status != http.StatusNotFound {
				t.Errorf("his appointment cancelled through her case: %d", status)
			}
			if status, _ := w.post(t, "cal.manager", cp+"/appointments/"+appID+"/cancel", url.Values{}); status != http.StatusSeeOther {
				t.Errorf("cancelling: %d", status)
			}
			if status, _ := w.post(t, "cal.manager", cp+"/appointments/"+appID+"/cancel", url.Values{}); status != http.StatusSeeOther {
				t.Errorf("cancelling twice: %d", status)
			}
			if _, his, _ = fetch(feeds["cal.manager"]); !strings.Contains(his, "STATUS:CANCELLED") {
				t.Errorf("the cancelled appointment is not cancelled in his calendar:\n%s", his)
			}

			// Revoked, the address works no more.
			if status, _ := w.post(t, "cal.manager", "/account/calendar/revoke", url.Values{}); status != http.StatusSeeOther {
				t.Errorf("revoking: %d", status)
			}
			if status, _, _ := fetch(feeds["cal.manager"]); status != http.StatusNotFound {
				t.Errorf("a revoked calendar: %d", status)
			}
			planned, fetched := 0, 0
			for _, ev := range w.events(t, "cal.manager") {
				planned += b2i(ev.Action == "record.write" && ev.RecordType == "case" && ev.RecordID == strconv.FormatInt(w.caseID, 10) &&
					strings.HasSuffix(ev.Reason, " planned; "+audit.Part(audit.PartAppointment)))
				fetched += b2i(ev.Action == "record.export" && ev.RecordType == "calendar" && strings.HasPrefix(ev.Reason, "calendar fetched"))
			}
			if planned != 2 || fetched != 2 {
				t.Errorf("audit: %d planned, %d fetched", planned, fetched)
			}
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
