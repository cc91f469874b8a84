package web

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/storetest"
)

// journey is one person's day on the wall fixture, walked in one headless
// Chromium: every page it opens is checked with axe-core, and every change
// must answer with the success banner, holding the focus, that says what
// changed. The journeys share one server and one browser, one after the
// other: a browser per journey would start five Chromiums on a machine
// that runs the whole suite on two cores.
type journey struct {
	t *testing.T
	w *wall
	b *browsertest.Browser
}

// as makes the browser the named user of the wall, by its session cookie:
// signing in is tested on its own (TestPagesInBrowser).
func (j *journey) as(name string) {
	j.t.Helper()
	// The cookie replaces the one set before, if any.
	if err := j.b.SetCookie(j.w.ts.URL, "drive_session", j.w.users[name].session); err != nil {
		j.t.Fatal(err)
	}
}

// visit opens the page, which must answer 200 and be accessible.
func (j *journey) visit(path string) {
	j.t.Helper()
	status, err := j.b.Navigate(j.w.ts.URL + path)
	if err != nil || status != 200 {
		j.t.Fatalf("%s: %d %v", path, status, err)
	}
	j.b.AssertAccessible(j.t)
}

// submit clicks the button or link, which must lead to a page with the
// status want, accessible.
func (j *journey) submit(selector string, want int) {
	j.t.Helper()
	status, err := j.b.Submit(selector)
	if err != nil {
		j.t.Fatal(err)
	}
	if status != want {
		problem, _ := j.b.Text("main")
		j.t.Fatalf("%s: status %d; want %d\n%.1500s", selector, status, want, problem)
	}
	j.b.AssertAccessible(j.t)
}

// set puts the value in the form field, as a person typing or choosing.
func (j *journey) set(selector, value string) {
	j.t.Helper()
	if err := j.b.Run(chromedp.SetValue(chromedp.CSS(selector), value)); err != nil {
		j.t.Fatalf("%s: %v", selector, err)
	}
}

// ok fails the journey on an error.
func (j *journey) ok(err error) {
	j.t.Helper()
	if err != nil {
		j.t.Fatal(err)
	}
}

// script runs JavaScript on the page that answers true.
func (j *journey) script(js string) {
	j.t.Helper()
	if ok, err := browsertest.RunValue(j.b, chromedp.Evaluate[bool](js)); err != nil || !ok {
		j.t.Fatalf("script %q: %v, %v", js, ok, err)
	}
}

// confirmed checks the page shows the success banner of the change whose
// "done" code is given, and that the banner has the focus. The message is
// the one the product holds for the code, so rewording it keeps the test.
func (j *journey) confirmed(code string) {
	j.t.Helper()
	want := doneMessage(code)
	if want == "" {
		j.t.Fatalf("no confirmation for %q", code)
	}
	if err := browsertest.Confirmed(j.b, want); err != nil {
		u, _ := j.b.URL()
		j.t.Fatalf("at %s: %v", u, err)
	}
}

// text is the visible text of the first element the selector matches,
// with its spaces folded.
func (j *journey) text(selector string) string {
	j.t.Helper()
	s, err := j.b.Text(selector)
	if err != nil {
		j.t.Fatalf("%s: %v", selector, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// counts reads the team dashboard's cards: each list's count by its key.
func (j *journey) counts() map[string]int {
	j.t.Helper()
	raw, err := browsertest.RunValue(j.b, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll('[data-count]')].map(e => [e.dataset.count, e.firstChild.textContent.trim()]))`))
	if err != nil {
		j.t.Fatal(err)
	}
	out := map[string]int{}
	for k, v := range raw {
		n, err := strconv.Atoi(v)
		if err != nil {
			j.t.Fatalf("the %s card's count is %q", k, v)
		}
		out[k] = n
	}
	if len(out) == 0 {
		j.t.Fatal("the team dashboard shows no counts")
	}
	return out
}

// caseloadOf reads the team dashboard's caseload line of the named case
// manager, such as "2 open cases".
func (j *journey) caseloadOf(name string) string {
	j.t.Helper()
	js := `(() => { for (const r of document.querySelectorAll('#caseloads + dl .govuk-summary-list__row')) {
		if (r.querySelector('dt').textContent.trim() === ` + strconv.Quote(name) + `) return r.querySelector('dd').textContent.trim() }
		return '' })()`
	s, err := browsertest.RunValue(j.b, chromedp.Evaluate[string](js))
	if err != nil {
		j.t.Fatal(err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// TestJourneysInBrowser walks each role's main journey, as the issue
// "a day's work without friction" asks: a case manager from the caseload
// to a logged session, a team leader from a referral to its allocation,
// an IDVA from a DASH assessment to a safety plan, an analyst from an
// upload to a referral from the identification list, and a data
// protection officer from an audit search to a named event. Each change
// answers with the banner, which takes the focus, and the figures on the
// lists change with it; axe-core finds nothing on any page.
func TestJourneysInBrowser(t *testing.T) {
	w := newWall(t, storetest.OneEngine())
	j := &journey{t: t, w: w, b: browsertest.New(t)}
	caseID := strconv.FormatInt(w.caseID, 10)
	victimID := strconv.FormatInt(w.victimID, 10)
	today := w.srv.svc.Today()

	t.Run("CaseManager", func(t *testing.T) {
		j.t = t
		j.as("cal.manager")
		j.visit("/caseload")
		row := `#caseload tr[data-case="` + caseID + `"]`
		if got := j.text(row + ` [data-due=last-contact]`); got != "No contact yet" {
			t.Fatalf("before any contact, the caseload's last contact is %q", got)
		}
		j.submit(row+` a[href="/cases/`+caseID+`"]`, 200)
		j.submit(".moj-sub-navigation a[href$='/contacts']", 200)
		j.submit("a[href$='/contacts/new']", 200)
		j.set("#kind", "one_to_one")
		j.set("#contact_on", ukDate(today.AddDays(-1)))
		j.set("#contact_summary", "Second one-to-one session: worked on his jealousy diary.")
		j.submit("form[action$='/contacts'] button", 200)
		j.confirmed("contact")
		if !strings.Contains(j.text("main"), "worked on his jealousy diary") {
			t.Fatal("the logged session is not on the case's contacts")
		}
		// The case's summary and the caseload both show the session.
		day := today.AddDays(-1)
		shown := func(s string) bool {
			return strings.Contains(s, strconv.Itoa(day.Day)) && strings.Contains(s, day.Month.String()[:3])
		}
		j.submit(".moj-sub-navigation a[href='/cases/"+caseID+"']", 200)
		if got := j.text("#summary + dl [data-due=last-contact]"); !shown(got) {
			t.Fatalf("the case's last contact is %q; want %s", got, day)
		}
		j.submit(".govuk-service-navigation a[href='/caseload']", 200)
		if got := j.text(row + ` [data-due=last-contact]`); !shown(got) {
			t.Fatalf("the caseload's last contact is %q; want %s", got, day)
		}

		// The next session, planned on the case's appointments.
		j.visit("/cases/" + caseID + "/appointments")
		j.set("#date", today.AddDays(7).String())
		j.set("#time", "10:30")
		j.ok(j.b.Click("#place"))
		j.submit(`form[action$="/appointments"] button[type=submit]`, 200)
		j.confirmed("appointment")
		if !strings.Contains(j.text("main"), today.AddDays(7).Time().Format("2 January 2006")) {
			t.Fatal("the planned appointment is not listed")
		}
		// He cannot come after all: the appointment is cancelled, and
		// stays listed as cancelled.
		j.submit(`#appointments form[action$="/cancel"] button`, 200)
		j.confirmed("appointment_cancelled")
		if got := j.text("#appointments tbody"); !strings.Contains(got, "Cancelled") || strings.Contains(got, "Planned") {
			t.Fatalf("after cancelling, the appointments read %q", got)
		}
		j.b.AssertNoConsoleErrors(t)
	})

	t.Run("TeamLeader", func(t *testing.T) {
		j.t = t
		j.as("tom.providerlead")
		j.visit("/team")
		before, load := j.counts(), j.caseloadOf("User cal.manager")
		j.submit(".govuk-service-navigation a[href='/referrals/new']", 200)
		j.set("#given_name", "Wayne")
		j.set("#family_name", "Tolley")
		j.set("#date_of_birth", "1979-06-30")
		j.set("#source", "probation")
		j.set("#referred_at", today.String())
		j.set("#summary", "Three partners in four years; stalking of the latest.")
		j.set("#dash_score", "17")
		j.set("#victims", "3")
		j.submit("form[action='/referrals'] button", 200)
		j.confirmed("referral")
		u, _ := j.b.URL()
		newCase := regexp.MustCompile(`/cases/(\d+)`).FindStringSubmatch(u)
		if newCase == nil {
			t.Fatalf("after the referral, at %s", u)
		}
		j.visit("/team")
		if got := j.counts(); got["unallocated"] != before["unallocated"]+1 {
			t.Fatalf("unallocated referrals %d after a referral; want %d", got["unallocated"], before["unallocated"]+1)
		}

		j.visit("/cases/" + newCase[1])
		j.set("textarea[name=reasons]", "Serial perpetrator; meets the criteria.")
		j.submit("#event-accept", 200)
		j.confirmed(moveDone[casework.Accept])
		j.set("#case_manager", strconv.FormatInt(w.users["cal.manager"].user.ID, 10))
		j.submit("#event-allocate", 200)
		j.confirmed(moveDone[casework.Allocate])
		j.submit(".govuk-service-navigation a[href='/team']", 200)
		after := j.counts()
		if after["unallocated"] != before["unallocated"] {
			t.Fatalf("unallocated referrals %d once allocated; want %d as before", after["unallocated"], before["unallocated"])
		}
		if got := j.caseloadOf("User cal.manager"); got == load || got == "" {
			t.Fatalf("Cal's caseload reads %q before and %q after the allocation", load, got)
		}
		j.b.AssertNoConsoleErrors(t)
	})

	t.Run("IDVA", func(t *testing.T) {
		j.t = t
		j.as("ida.idva")
		j.visit("/victims")
		row := `#victims tr[data-victim="` + victimID + `"]`
		latest := j.text(row + ` [data-risk=latest]`)
		if !strings.HasPrefix(latest, "15,") {
			t.Fatalf("before, her latest DASH reads %q", latest)
		}
		j.submit(row+` a[href="/victims/`+victimID+`"]`, 200)
		j.submit(`a[href="/victims/`+victimID+`/dash"]`, 200)
		// The checklist a section at a time, each within three screens:
		// five yes in the first, the rest no, for a score of 5, down
		// from 15.
		for n := 1; n <= 5; n++ {
			j.script(`document.querySelector('[data-progress]').textContent.trim() === 'Section ` + strconv.Itoa(n) + ` of 5'`)
			j.script(`document.documentElement.scrollHeight <= 2700`)
			j.script(`document.querySelectorAll('input[type=radio][value=` + map[bool]string{true: "yes", false: "no"}[n == 1] + `]').forEach(r => r.checked = true); true`)
			j.submit("form[action$='/dash'] button[value=continue]", 200)
		}
		// Check your answers: every answer, the score and its band.
		j.script(`document.querySelectorAll('main .govuk-summary-card .govuk-summary-list__row').length === 26`)
		if got := j.text("[data-score]"); !strings.HasPrefix(got, "5 of 24") {
			t.Fatalf("check your answers gives the score as %q", got)
		}
		// Changing an answer comes back to check your answers with the
		// others kept: question 24 from no to yes, and back again.
		j.submit("button[value=change-4]", 200)
		j.ok(j.b.Click("#answer_q24"))
		j.submit("form[action$='/dash'] button[value=continue]", 200)
		if got := j.text("[data-score]"); !strings.HasPrefix(got, "6 of 24") {
			t.Fatalf("after changing question 24 to yes the score reads %q", got)
		}
		j.submit("button[value=change-4]", 200)
		j.ok(j.b.Click("#answer_q24-no"))
		j.submit("form[action$='/dash'] button[value=continue]", 200)
		j.script(`document.documentElement.scrollHeight <= 2700`)
		j.submit("button[value=record]", 200)
		j.confirmed("dash")
		j.submit(`.moj-sub-navigation a[href="/victims/`+victimID+`/protected"]`, 200)
		// The form is folded away under the plan, as the page's other
		// forms are, until she opens it.
		j.ok(j.b.Click("details:has(form[action$='/safety-plan']) summary"))
		j.set("#safety_plan", "Agreed a code word with her sister; police marker on the address renewed.")
		j.submit("form[action$='/safety-plan'] button", 200)
		j.confirmed("safety_plan")
		if !strings.Contains(j.text("#main-content"), "code word with her sister") {
			t.Fatal("the saved safety plan is not shown")
		}
		// A contact sent with nothing in it comes back with its form
		// open at the problem.
		j.ok(j.b.Click("details:has(form[action$='/contacts']) summary"))
		j.submit("form[action$='/contacts'] button", 422)
		j.script(`document.querySelector("details:has(form[action$='/contacts'])").open`)
		j.submit(".govuk-service-navigation a[href='/victims']", 200)
		// The score and its band both change: 15 is high risk, 5 is not.
		got := j.text(row + ` [data-risk=latest]`)
		band := func(s string) string {
			b, _, _ := strings.Cut(strings.TrimSpace(strings.SplitN(s, ",", 2)[1]), " on ")
			return b
		}
		if !strings.HasPrefix(got, "5,") || band(got) == band(latest) {
			t.Fatalf("after the assessment, her latest DASH reads %q; before, %q", got, latest)
		}
		if got := strings.ToLower(j.text(row + ` [data-risk=trend]`)); !strings.Contains(got, "down") {
			t.Fatalf("her trend reads %q; want it to say the score went down", got)
		}
		j.b.AssertNoConsoleErrors(t)
	})

	t.Run("Analyst", func(t *testing.T) {
		j.t = t
		j.as("ana.analyst")
		j.visit("/identify/import")
		file := filepath.Join(t.TempDir(), "weekly.csv")
		day := func(n int) string { return today.AddDays(-n).String() }
		j.ok(os.WriteFile(file, []byte("ref,date,type,crime,suspect_given,suspect_family,suspect_dob,victim_given,victim_family\n"+
			"JY-1,"+day(200)+",abh,yes,Lee,Marsh,1981-05-17,Jo,Sample\n"+
			"JY-2,"+day(90)+",stalking,yes,Lee,Marsh,1981-05-17,Jo,Sample\n"+
			"JY-3,"+day(20)+",harassment,yes,Lee,Marsh,1981-05-17,Kay,Sample\n"), 0o600))
		j.ok(j.b.Run(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file})))
		j.submit("form[action='/identify/import'] button", 200)
		j.submit("form[action^='/identify/import/checked/'] button", 200)
		if u, _ := j.b.URL(); !regexp.MustCompile(`/imports/\d+$`).MatchString(u) {
			t.Fatalf("after confirming the upload, at %s", u)
		}
		if got := j.text("[role=status]"); !strings.Contains(got, "Waiting") {
			t.Fatalf("the progress page says %q before the worker runs", got)
		}
		if _, err := w.srv.svc.RunImportJobs(context.Background(), service.System("imports"), service.ImportWorker{ID: "journey", Lease: time.Minute}); err != nil {
			t.Fatal(err)
		}
		// The progress page reloads itself while the import runs, so a
		// read can meet the page between two loads: read again then.
		deadline := time.Now().Add(30 * time.Second)
		for {
			got, err := j.b.Text("main")
			if err == nil && strings.Contains(got, "3 new rows imported") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the progress page did not show the finished import: %q (%v)", got, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
		j.b.AssertAccessible(t)
		j.submit(".govuk-service-navigation a[href='/identify']", 200)
		if !strings.Contains(j.text("main"), "Lee Marsh") {
			t.Fatal("the imported suspect is not on the identification list")
		}

		// The analyst refers him from the list, after the question; the
		// list brings them back with the banner, marks him referred and
		// counts one more person referred from it.
		referred := func() int {
			n, err := strconv.Atoi(strings.Fields(j.text("#referred-count"))[0])
			if err != nil {
				t.Fatalf("the list's count of people referred reads %q", j.text("#referred-count"))
			}
			return n
		}
		before := referred()
		refer := `form[action='/identify/refer']:has(input[name=name][value="Lee Marsh"]) button`
		j.submit(refer, 200)
		if got := j.text("h1"); !strings.Contains(got, "Lee Marsh") {
			t.Fatalf("the question before referring is %q", got)
		}
		j.submit("#confirm-referral", 200)
		j.confirmed("list_referral")
		if got := referred(); got != before+1 {
			t.Fatalf("%d people referred from the list after the referral; want %d", got, before+1)
		}
		if ok, _ := j.b.Exists(refer); ok {
			t.Fatal("he is offered for referral again")
		}
		// His row, by his name, carries the mark.
		j.script(`[...document.querySelectorAll('tr')].some(r => { const a = r.querySelector('a[href^="/identify/people/"]');
			return a && a.textContent.trim() === 'Lee Marsh' && r.querySelector('[data-referred]') !== null })`)
		j.b.AssertNoConsoleErrors(t)
	})

	t.Run("Documents", func(t *testing.T) {
		j.t = t
		dir := t.TempDir()
		write := func(name string, b []byte) string {
			p := filepath.Join(dir, name)
			j.ok(os.WriteFile(p, b, 0o600))
			return p
		}
		order := []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\nJOURNEY-ORDER\n%%EOF\n")
		pdf := write("order.pdf", order)
		notPDF := write("letter.pdf", []byte("<html>not a document</html>"))
		for _, side := range []struct {
			who, base, title string
		}{
			{"cal.manager", "/cases/" + caseID, "Non-molestation order"},
			{"ida.idva", "/victims/" + victimID, "Letter from her housing officer"},
		} {
			j.as(side.who)
			j.visit(side.base + "/documents")
			if ok, _ := j.b.Exists("#documents"); ok {
				t.Fatalf("%s: a document is listed before any is attached", side.base)
			}
			// A file that is not what it says is refused, with the
			// error summary, and nothing is kept.
			j.set("#title", side.title)
			j.ok(j.b.Run(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{notPDF})))
			j.submit("form[action$='/documents'] button", 422)
			if ok, _ := j.b.Focused(".govuk-error-summary"); !ok {
				t.Errorf("%s: the error summary does not have the focus", side.base)
			}
			if ok, _ := j.b.Exists("#documents"); ok {
				t.Fatalf("%s: a refused file is listed", side.base)
			}
			j.set("#title", side.title)
			j.ok(j.b.Run(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{pdf})))
			j.submit("form[action$='/documents'] button", 200)
			j.confirmed("document")
			if got := j.text("#documents tbody"); !strings.Contains(got, side.title) || !strings.Contains(got, "PDF") {
				t.Fatalf("%s: the list reads %q", side.base, got)
			}
			// The link downloads the file as it was, as an attachment.
			got, err := browsertest.RunValue(j.b, chromedp.Evaluate[map[string]string](`(async () => {
				const r = await fetch(document.querySelector('#documents a[download]').href);
				return {status: String(r.status), type: r.headers.get('Content-Type'),
					disposition: r.headers.get('Content-Disposition'), body: await r.text()} })()`, chromedp.EvalAwaitPromise))
			j.ok(err)
			if got["status"] != "200" || got["type"] != "application/pdf" || !strings.HasPrefix(got["disposition"], "attachment") || got["body"] != string(order) {
				t.Fatalf("%s: the download answered %v", side.base, got)
			}
		}
		// His case manager never sees her document, on his case's list.
		j.as("cal.manager")
		j.visit("/cases/" + caseID + "/documents")
		if got := j.text("main"); strings.Contains(got, "housing officer") || len(leaked(got)) > 0 {
			t.Fatalf("his case's documents show hers: %q", got)
		}
		j.b.AssertNoConsoleErrors(t)
	})

	t.Run("DPO", func(t *testing.T) {
		j.t = t
		j.as("dee.dpo")
		// The officer looks into the day the journeys above made, so this
		// journey comes last.
		// search fills in the boxes given on a fresh form and
		// returns the events found, one sentence each, or "" for none.
		search := func(boxes map[string]string) []string {
			t.Helper()
			// The empty form was checked with axe once, below; each
			// page of results is checked as it comes.
			if status, err := j.b.Navigate(w.ts.URL + "/audit"); err != nil || status != 200 {
				t.Fatalf("/audit: %d %v", status, err)
			}
			for id, v := range boxes {
				j.set("#"+id, v)
			}
			j.submit("form[action='/audit'] button", 200)
			if ok, _ := j.b.Exists("#events"); !ok {
				if !strings.Contains(j.text("main"), "No events match") {
					t.Fatalf("the search %v shows neither events nor that none match", boxes)
				}
				return nil
			}
			rows, err := browsertest.RunValue(j.b, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#events tbody tr')].map(r => r.cells[1].textContent.trim())`))
			j.ok(err)
			return rows
		}
		has := func(rows []string, pattern string) bool {
			re := regexp.MustCompile(pattern)
			for _, r := range rows {
				if re.MatchString(r) {
					return true
				}
			}
			return false
		}
		all := func(rows []string, pattern string) bool {
			re := regexp.MustCompile(pattern)
			for _, r := range rows {
				if !re.MatchString(r) {
					return false
				}
			}
			return len(rows) > 0
		}

		j.visit("/audit")
		// By who: the case manager's day, in words.
		rows := search(map[string]string{"user": "cal.manager"})
		if !has(rows, `^User cal\.manager read perpetrator case `+caseID+`$`) || !all(rows, `^User cal\.manager `) {
			t.Fatalf("the search by who found %q", rows)
		}
		// By record: who touched her case, the IDVA among them.
		rows = search(map[string]string{"record_type": "victim", "record_id": victimID})
		// Each change says which part of her case it was, never what it said.
		if !has(rows, `^User ida\.idva changed IDVA case `+victimID+` \(a DASH assessment\)$`) ||
			!has(rows, `^User ida\.idva changed IDVA case `+victimID+` \(the safety plan\)$`) || !all(rows, ` IDVA case `+victimID+`( \([^()]+\))?$`) {
			t.Fatalf("the search by record found %q", rows)
		}
		// By date: the day of the journeys has them, the day before none.
		if rows = search(map[string]string{"from": ukDate(today), "to": ukDate(today)}); !has(rows, `^User tom\.providerlead `) {
			t.Fatalf("the search by day found %q", rows)
		}
		if rows = search(map[string]string{"from": ukDate(today.AddDays(-1)), "to": ukDate(today.AddDays(-1))}); len(rows) > 0 {
			t.Fatalf("the day before the journeys has %q", rows)
		}
		// All of them at once narrows to the one person on the one record.
		rows = search(map[string]string{"user": "ida", "record_type": "victim", "record_id": victimID, "from": ukDate(today), "to": ukDate(today)})
		if !has(rows, `^User ida\.idva read the victim compartment of IDVA case `+victimID+`$`) || !all(rows, `^User ida\.idva .* IDVA case `+victimID+`( \([^()]+\))?$`) {
			t.Fatalf("the search by who, record and day found %q", rows)
		}
		j.b.AssertNoConsoleErrors(t)
	})
}

// ukDate writes the date as people in England and Wales type it.
func ukDate(d drive.Date) string { return d.Time().Format("2/1/2006") }
