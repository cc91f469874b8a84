package web

import (
	"context"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/appointment"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/subjectaccess"
)

// wordProblems are what a page must never show a reader: dates as a
// database writes them, placeholders that say nothing, and the codes the
// software uses for a value instead of its words.
var wordProblems = []struct {
	what string
	re   *regexp.Regexp
}{
	{"an ISO date", regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}\b`)},
	{"an abbreviated date", regexp.MustCompile(`\b\d{1,2} (?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.? \d{4}\b`)},
	{`"(none)"`, regexp.MustCompile(`(?i)\(none\)`)},
	{"a snake_case code", regexp.MustCompile(`\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b`)},
	{"a question code", regexp.MustCompile(`\bq\d{1,2}\b`)},
}

var (
	hiddenParts = regexp.MustCompile(`(?is)<script\b.*?</script>|<style\b.*?</style>|<!--.*?-->|<head\b.*?</head>`)
	inputTag    = regexp.MustCompile(`(?is)<input\b[^>]*>`)
	inputType   = regexp.MustCompile(`(?i)\btype="([^"]*)"`)
	inputValue  = regexp.MustCompile(`(?i)\bvalue="([^"]*)"`)
	anyTag      = regexp.MustCompile(`(?s)<[^>]*>`)
)

// readerText is what a reader of a page sees: the text between tags and
// the values already in its text boxes, without scripts, styles, comments
// or hidden fields.
func readerText(page string) string {
	page = hiddenParts.ReplaceAllString(page, " ")
	page = inputTag.ReplaceAllStringFunc(page, func(tag string) string {
		typ := "text"
		if m := inputType.FindStringSubmatch(tag); m != nil {
			typ = strings.ToLower(m[1])
		}
		switch typ {
		case "hidden", "checkbox", "radio", "submit", "file", "password", "date", "time":
			// A browser shows a date or time field's value in its
			// reader's own form, whatever the value's.
			return " "
		}
		if m := inputValue.FindStringSubmatch(tag); m != nil {
			return " " + m[1] + " "
		}
		return " "
	})
	return html.UnescapeString(anyTag.ReplaceAllString(page, " "))
}

func TestVisibleText(t *testing.T) {
	got := strings.Join(strings.Fields(readerText(`<head><title>x</title></head><p>Due <b>3 May</b></p><script>var a_b = "2026-01-01"</script>`+
		`<input type="hidden" name="csrf_token" value="c"><input class="govuk-input" name="from" value="1/2/2026"><!-- in_progress -->&amp;`)), " ")
	if got != "Due 3 May 1/2/2026 &" {
		t.Fatalf("visible text %q", got)
	}
	for _, c := range []struct {
		text string
		bad  bool
	}{{"Due 2026-12-06", true}, {"Sent 6 Dec 2026 15:04 UTC", true}, {"Sent 6 Sept 2026", true}, {"Status: in_progress", true}, {"Answer to q10", true}, {"Links: (none)", true},
		{"Due 6 December 2026 at 14:05", false}, {"Sent 6 December 2026 at 3:04pm", false}, {"Held 2 May 2026", false}, {"Not recorded", false}, {"ida.idva", false}, {"Question 10", false}} {
		bad := false
		for _, p := range wordProblems {
			bad = bad || p.re.MatchString(c.text)
		}
		if bad != c.bad {
			t.Errorf("%q: found a problem %v, want %v", c.text, bad, c.bad)
		}
	}
}

// TestPagesSpeakInWords signs in as every user of the wall's site, one of
// each role, follows every link from the home page and the records the
// fixture holds, and reads every page as its reader sees it: no date in
// ISO form, no "(none)", no code where words belong.
func TestPagesSpeakInWords(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			// The wall with a MARAC held today, its minutes published.
			w, _ := wallMeeting(t, e)
			ctx := context.Background()
			if err := w.srv.svc.RecordSubjectAccessRequest(ctx, w.actor("dee.dpo"), &subjectaccess.Request{Kind: subjectaccess.Person, SubjectID: w.personID,
				Requester: "The person, by letter", IdentityCheck: "Passport seen", ReceivedOn: w.srv.svc.Today().AddDays(-3)}); err != nil {
				t.Fatal(err)
			}
			w.uploadJobs(t)
			w.sheAnswers(t)
			if _, err := w.srv.svc.PlanVictimAppointment(ctx, w.actor("ida.idva"), w.victimID, appointment.Appointment{
				StartsAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), Minutes: 30, Place: appointment.Phone, With: "Sam"}, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := w.srv.svc.PlanCaseAppointment(ctx, w.actor("cal.manager"), w.caseID, appointment.Appointment{
				StartsAt: time.Date(2026, 11, 25, 14, 5, 0, 0, time.UTC), Minutes: 30, Place: appointment.Office, With: "Darren"}, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := w.srv.svc.AttachCaseDocument(ctx, w.actor("cal.manager"), w.caseID, "Court order", "order.pdf", []byte("%PDF-1.7 order")); err != nil {
				t.Fatal(err)
			}
			cpath := "/cases/" + strconv.FormatInt(w.caseID, 10)
			vpath := "/victims/" + strconv.FormatInt(w.victimID, 10)
			for _, step := range []struct {
				user, path string
				form       map[string]string
			}{
				{"cal.manager", cpath + "/notes", map[string]string{"text": "Bail conditions reviewed with police"}},
				{"cal.manager", cpath + "/contacts", map[string]string{"contact_on": "20/11/2026", "kind": "one_to_one", "method": "in person", "contact_summary": "First session"}},
				{"cal.manager", cpath + "/actions", map[string]string{"type": "housing-referral", "agency": "Council", "due_on": "1/12/2026", "owner": "Sam"}},
			} {
				form := map[string][]string{}
				for k, v := range step.form {
					form[k] = []string{v}
				}
				if status, body := w.post(t, step.user, step.path, form); status != 303 {
					t.Fatalf("%s posting to %s: %d\n%s", step.user, step.path, status, readerText(body))
				}
			}
			href := regexp.MustCompile(`href="(/[^"#]*)`)
			pages := 0
			for name := range w.users {
				seen := map[string]bool{}
				queue := []string{"/", vpath, cpath, "/people/" + strconv.FormatInt(w.personID, 10), "/reports", "/victim-views",
					"/identify/import", "/feeds", "/notifications", "/account", "/audit", "/audit?from=1+11+2026&to=30+11+2026", "/subject-access", "/retention", "/meetings"}
				for len(queue) > 0 && len(seen) < 250 {
					path := queue[0]
					queue = queue[1:]
					if seen[path] || strings.HasPrefix(path, "/assets/") || strings.HasPrefix(path, "/signout") || strings.HasPrefix(path, "/api/") ||
						strings.HasPrefix(path, "/calendar/") {
						continue
					}
					seen[path] = true
					status, body, header := w.send(t, name, "GET", path, nil)
					if status != 200 || !strings.HasPrefix(header.Get("Content-Type"), "text/html") {
						continue
					}
					pages++
					text := readerText(body)
					for _, p := range wordProblems {
						if m := p.re.FindAllString(text, 3); m != nil {
							t.Errorf("%s: %s shows %s: %q", name, path, p.what, m)
						}
					}
					for _, m := range href.FindAllStringSubmatch(body, -1) {
						if p := strings.ReplaceAll(m[1], "&amp;", "&"); !seen[p] {
							queue = append(queue, p)
						}
					}
				}
			}
			if pages < 150 {
				t.Fatalf("the crawl read only %d pages", pages)
			}
		})
	}
}
