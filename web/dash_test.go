package web

import (
	"context"
	"html"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web/form"
)

var (
	// dashHidden and dashChecked read a DASH page's form as a browser
	// would post it: the answers it carries forward, and the radios it
	// shows chosen.
	dashHidden  = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	dashChecked = regexp.MustCompile(`name="(answer_[a-z0-9]+)" type="radio" value="([a-z_]+)" checked`)
)

// dashPosted is what the page's form posts without the user touching
// it: its hidden fields (the CSRF token is added by send).
func dashPosted(body string) url.Values {
	v := url.Values{}
	for _, m := range dashHidden.FindAllStringSubmatch(body, -1) {
		if m[1] != "csrf_token" {
			v.Set(m[1], html.UnescapeString(m[2]))
		}
	}
	return v
}

// TestDASHInSections walks the DASH checklist a section at a time on both
// engines: each section carries the others' answers forward under the
// form's CSRF token and nothing is stored until "Record assessment"; an
// answer missing from section 2 at the end returns to section 2 with its
// message and records nothing; changing one answer from check your
// answers keeps every other.
func TestDASHInSections(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			ctx := context.Background()
			vpath := "/victims/" + strconv.FormatInt(w.victimID, 10)
			q := risk.DASH2009()
			sections := form.DASHSections(q)
			if len(sections) != 5 {
				t.Fatalf("%d sections; want 5", len(sections))
			}
			stored := func() int {
				var n int
				if err := w.db.View(ctx, func(tx *store.Tx) error {
					list, err := tx.DASHAssessments(ctx, w.victimID)
					n = len(list)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			// events counts her IDVA's audit events of an action on her record.
			events := func(action string) int {
				var n int
				if err := w.db.View(ctx, func(tx *store.Tx) error {
					list, err := tx.AuditEvents(ctx, store.AuditFilter{RecordType: "victim", RecordID: strconv.FormatInt(w.victimID, 10), ActorID: w.users["ida.idva"].user.ID, Actions: []string{action}, Limit: 1000})
					n = len(list)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return n
			}
			before := stored()
			reads, compartmentReads := events(audit.ActionRecordRead), events("compartment.read")

			// Someone who may not record her risk is told there is no
			// such page, at every step.
			if status, _ := w.get(t, "ivy.otheridva", vpath+"/dash"); status != http.StatusNotFound {
				t.Errorf("another IDVA opening her DASH form: %d; want 404", status)
			}
			if status, _, _ := w.send(t, "ivy.otheridva", "POST", vpath+"/dash", url.Values{"section": {"1"}, "nav": {"continue"}, "answer_q1": {"yes"}}); status != http.StatusNotFound {
				t.Errorf("another IDVA continuing her DASH form: %d; want 404", status)
			}

			// What the IDVA answers: yes to every third question, a
			// comment on the second, judgement not used.
			want := map[string]risk.Answer{}
			for i, x := range q.Questions {
				want[x.ID] = risk.No
				if i%3 == 0 {
					want[x.ID] = risk.Yes
				}
			}
			comments := map[string]string{"q2": "Scared & says so <often>"}

			status, body := w.get(t, "ida.idva", vpath+"/dash")
			if status != http.StatusOK || !strings.Contains(body, "Section 1 of 5") || !strings.Contains(body, `name="answer_q1"`) || strings.Contains(body, `name="answer_q6"`) {
				t.Fatalf("the first section: %d\n%.2000s", status, body)
			}
			for _, sec := range sections {
				post := dashPosted(body)
				for _, x := range sec.Questions {
					post.Set("answer_"+x.ID, string(want[x.ID]))
					if c, ok := comments[x.ID]; ok {
						post.Set("comment_"+x.ID, c)
					}
				}
				if sec.Date {
					post.Set("assessed_on", "2026-11-20")
				}
				post.Set("nav", "continue")
				var h http.Header
				status, body, h = w.send(t, "ida.idva", "POST", vpath+"/dash", post)
				if status != http.StatusOK || h.Get("Location") != "" {
					t.Fatalf("continuing from section %d: %d\n%.3000s", sec.Number, status, body)
				}
				if sec.Number < len(sections) && !strings.Contains(body, "Section "+strconv.Itoa(sec.Number+1)+" of 5") {
					t.Fatalf("after section %d the page is not section %d:\n%.3000s", sec.Number, sec.Number+1, body)
				}
				if got := stored(); got != before {
					t.Fatalf("after section %d, %d assessments are stored; want %d: nothing is recorded until the end", sec.Number, got, before)
				}
			}
			if !strings.Contains(body, "Check your answers") || !strings.Contains(body, "Record assessment") {
				t.Fatalf("after the last section:\n%.3000s", body)
			}
			yes := 0
			for _, a := range want {
				if a == risk.Yes {
					yes++
				}
			}
			if !strings.Contains(body, strconv.Itoa(yes)+" of 24") || !strings.Contains(body, "Standard risk") {
				t.Errorf("check your answers does not give the score %d and its band", yes)
			}
			check := dashPosted(body)
			// Each page was an audited read of her record, and none opened
			// her protected details.
			if got := events(audit.ActionRecordRead); got != reads+len(sections)+1 {
				t.Errorf("%d reads of her record audited over %d pages; want one a page", got-reads, len(sections)+1)
			}
			if got := events("compartment.read"); got != compartmentReads {
				t.Errorf("stepping through the form audited %d reads of her protected details; want none", got-compartmentReads)
			}

			// A final submit with question 7 unanswered goes to section 2
			// with the message, and records nothing.
			missing := maps.Clone(check)
			missing.Del("answer_q7")
			missing.Set("nav", "record")
			status, body, _ = w.send(t, "ida.idva", "POST", vpath+"/dash", missing)
			if status != http.StatusUnprocessableEntity || !strings.Contains(body, "Section 2 of 5") || !strings.Contains(body, `id="answer_q7-error"`) ||
				!strings.Contains(body, `href="#answer_q7"`) || !strings.Contains(body, `id="answer_q7"`) {
				t.Fatalf("recording without question 7: %d\n%.3000s", status, body)
			}
			if strings.Contains(body, "answer_q12-error") || strings.Contains(body, `name="answer_q1" type="radio"`) {
				t.Error("section 2 shows another section's question or message")
			}
			if got := stored(); got != before {
				t.Fatalf("an assessment missing an answer was recorded (%d; want %d)", got, before)
			}
			// Continuing from section 2 with it still unanswered stays there.
			again := dashPosted(body)
			again.Set("nav", "continue")
			if status, body, _ = w.send(t, "ida.idva", "POST", vpath+"/dash", again); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Section 2 of 5") {
				t.Fatalf("continuing with question 7 unanswered: %d\n%.2000s", status, body)
			}

			// Change section 3 from check your answers: question 12 goes
			// from no to yes; the rest stay as they were.
			change := maps.Clone(check)
			change.Set("nav", "change-3")
			status, body, _ = w.send(t, "ida.idva", "POST", vpath+"/dash", change)
			if status != http.StatusOK || !strings.Contains(body, "Section 3 of 5") || !strings.Contains(body, `name="return" value="check"`) {
				t.Fatalf("changing section 3: %d\n%.2000s", status, body)
			}
			shown := dashPosted(body)
			for _, m := range dashChecked.FindAllStringSubmatch(body, -1) {
				shown.Set(m[1], m[2])
			}
			for _, x := range sections[2].Questions {
				if shown.Get("answer_"+x.ID) != string(want[x.ID]) {
					t.Errorf("section 3 shows %s as %q; want %q as answered", x.ID, shown.Get("answer_"+x.ID), want[x.ID])
				}
			}
			if want["q12"] != risk.No {
				t.Fatal("the test means to change question 12 from no")
			}
			shown.Set("answer_q12", string(risk.Yes))
			want["q12"] = risk.Yes
			shown.Set("nav", "continue")
			status, body, _ = w.send(t, "ida.idva", "POST", vpath+"/dash", shown)
			if status != http.StatusOK || !strings.Contains(body, "Check your answers") {
				t.Fatalf("continuing from the changed section: %d\n%.2000s", status, body)
			}
			changed := dashPosted(body)
			for _, name := range form.DASHFields(q) {
				wantV := check.Get(name)
				if name == "answer_q12" {
					wantV = "yes"
				}
				if changed.Get(name) != wantV {
					t.Errorf("after the change, %s is %q; want %q", name, changed.Get(name), wantV)
				}
			}

			changed.Set("nav", "record")
			status, _, h := w.send(t, "ida.idva", "POST", vpath+"/dash", changed)
			if status != http.StatusSeeOther || h.Get("Location") != vpath+"?done=dash" {
				t.Fatalf("recording: %d to %q", status, h.Get("Location"))
			}
			v, err := w.srv.svc.Victim(ctx, w.actor("ida.idva"), w.victimID)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.DASH) != before+1 {
				t.Fatalf("%d assessments after recording; want %d", len(v.DASH), before+1)
			}
			// The fixture's own assessment is dated later than this one.
			var got service.DASHEntry
			for _, d := range v.DASH {
				if d.Assessment.AssessedOn.String() == "2026-11-20" {
					got = d
				}
			}
			if !maps.Equal(got.Assessment.Answers, want) || !maps.Equal(got.Comments, comments) || got.Assessment.AssessedOn.String() != "2026-11-20" {
				t.Errorf("recorded %v %v on %s; want %v %v on 2026-11-20", got.Assessment.Answers, got.Comments, got.Assessment.AssessedOn, want, comments)
			}
			if got.Result.Score != yes+1 {
				t.Errorf("recorded a score of %d; want %d", got.Result.Score, yes+1)
			}
		})
	}
}

// TestDASHSections holds the sections to the checklist: every question
// in exactly one section, in the checklist's order, the date first and
// judgement last.
func TestDASHSections(t *testing.T) {
	q := risk.DASH2009()
	secs := form.DASHSections(q)
	var ids []string
	for _, s := range secs {
		for _, x := range s.Questions {
			ids = append(ids, x.ID)
		}
		if len(s.Questions) > 7 {
			t.Errorf("section %d asks %d questions; keep a section to a screen or two", s.Number, len(s.Questions))
		}
	}
	var all []string
	for _, x := range q.Questions {
		all = append(all, x.ID)
	}
	if strings.Join(ids, ",") != strings.Join(all, ",") {
		t.Errorf("the sections ask %v; want %v", ids, all)
	}
	if !secs[0].Date || !secs[len(secs)-1].Judgement || len(secs[len(secs)-1].Questions) != 0 {
		t.Error("the date is not asked first or judgement not last")
	}
}
