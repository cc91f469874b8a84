package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestConfirmationCodes checks every confirmation is a plain word that
// names one message, so an address says only what kind of change was made
// and no two changes share a code with different meanings.
func TestConfirmationCodes(t *testing.T) {
	word := regexp.MustCompile(`^[a-z_]+$`)
	for code, m := range changeDone {
		if !word.MatchString(code) || m == "" {
			t.Errorf("code %q (%q) is not a plain word with a message", code, m)
		}
		if other, ok := meetingDone[code]; ok {
			t.Errorf("code %q means both %q and %q", code, m, other)
		}
	}
	for e, code := range moveDone {
		if changeDone[code] == "" {
			t.Errorf("the step %q has the code %q, which has no message", e, code)
		}
	}
	if doneMessage("") != "" || doneMessage("Darren") != "" {
		t.Error("an empty or unknown code shows a confirmation")
	}
}

// TestEveryChangeConfirmed posts each form on the case, victim-survivor
// and person pages, and a referral, and checks that each redirects with its
// code and no fragment (which would take the focus off the banner), and
// that the page it lands on shows the success banner saying what changed.
func TestEveryChangeConfirmed(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			site := strconv.FormatInt(w.siteOf(t), 10)
			caseID := strconv.FormatInt(w.caseID, 10)
			cpath := "/cases/" + caseID
			vpath := "/victims/" + strconv.FormatInt(w.victimID, 10)
			ppath := "/people/" + strconv.FormatInt(w.personID, 10)
			ida := strconv.FormatInt(w.users["ida.idva"].user.ID, 10)
			// A second record of the same man, to merge into the first and
			// take apart again.
			var dup int64
			if err := w.db.Transact(context.Background(), func(tx *store.Tx) error {
				p := &people.Person{SiteID: w.siteOf(t), GivenName: "Daren", FamilyName: "Hollis", DateOfBirth: drive.MustDate("1984-02-11")}
				err := tx.CreatePerson(context.Background(), p)
				dup = p.ID
				return err
			}); err != nil {
				t.Fatal(err)
			}
			dash := url.Values{"assessed_on": {"2026-11-22"}}
			for _, q := range risk.DASH2009().Questions {
				dash.Set("answer_"+q.ID, string(risk.No))
			}
			steps := []struct {
				name, who, path string
				form            url.Values
				// to is where the change lands: the path posted to without
				// its form, unless set.
				to, code string
			}{
				{"engagement", "cal.manager", cpath + "/engagement", url.Values{"engagement": {"engaged"}}, cpath, "engagement"},
				{"action", "cal.manager", cpath + "/actions", url.Values{"type": {"dapo"}, "agency": {"Police"}, "owner": {"DS Example"}, "due_on": {"2026-12-20"}}, cpath + "/plan", "plan_action"},
				{"contact", "cal.manager", cpath + "/contacts", url.Values{"kind": {"one_to_one"}, "method": {"in person"}, "contact_summary": {"Session one"}, "contact_on": {"2026-11-22"}}, cpath + "/contacts", "contact"},
				{"review", "cal.manager", cpath + "/reviews", url.Values{"risk_level": {"high"}, "risk_change": {"unchanged"}, "review_summary": {"Six weeks"}, "review_on": {"2026-11-22"}}, cpath + "/reviews", "review"},
				{"note", "cal.manager", cpath + "/notes", url.Values{"text": {"Spoke to probation"}}, cpath + "/notes", "note"},
				{"merge", "tom.providerlead", ppath + "/merge", url.Values{"duplicate": {strconv.FormatInt(dup, 10)}}, ppath, "merged"},
				{"unmerge", "tom.providerlead", "/people/" + strconv.FormatInt(dup, 10) + "/unmerge", url.Values{}, "/people/" + strconv.FormatInt(dup, 10), "unmerged"},
				{"person", "tom.providerlead", ppath + "/edit", url.Values{"given_name": {"Darren"}, "family_name": {"Hollis"}, "date_of_birth": {"1984-02-11"}}, ppath, "person_details"},
				{"safety plan", "ida.idva", vpath + "/safety-plan", url.Values{"safety_plan": {"Code word agreed"}}, vpath + "/protected", "safety_plan"},
				{"protected", "ida.idva", vpath + "/protected", url.Values{"address_line1": {"1 Example Row"}, "address_town": {"Northmoor"}}, vpath + "/protected", "protected"},
				{"victim note", "ida.idva", vpath + "/notes", url.Values{"note_text": {"Visited"}}, vpath + "/protected", "victim_note"},
				{"victim contact", "ida.idva", vpath + "/contacts", url.Values{"contact_kind": {"call"}, "contact_text": {"Spoke"}, "contact_on": {"2026-11-22"}}, vpath + "/protected", "victim_contact"},
				{"child", "ida.idva", vpath + "/children", url.Values{"child_name": {"Jo"}, "child_relationship": {"both"}, "child_social_care": {"child_in_need"}, "child_dob": {"2019-04-01"}}, vpath, "child"},
				{"behaviour", "ida.idva", vpath + "/behaviour", url.Values{"behaviour_case": {caseID}, "time_point": {"T2"}, "physical": {"yes"}, "sexual": {"no"},
					"stalking": {"yes"}, "controlling": {"yes"}, "assessed_on": {"2026-11-22"}}, vpath, "behaviour"},
				{"MARAC", "ida.idva", vpath + "/marac", url.Values{"marac_case": {caseID}, "marac_on": {"2026-11-10"}}, vpath, "marac"},
				{"DASH", "ida.idva", vpath + "/dash", dash, vpath, "dash"},
				{"her outcome", "ida.idva", vpath + "/reported-outcomes", url.Values{"her_time_point": {"T1"}, "reported_on": {"2026-11-20"}, "her_physical": {"yes"},
					"her_sexual": {"no"}, "her_stalking": {"yes"}, "her_controlling": {"yes"}, "feels_safe": {"2"}}, vpath, "outcome"},
				{"victim allocation", "tia.idvalead", vpath + "/allocation", url.Values{"idva": {ida}, "open": {"yes"}}, vpath, "victim_case"},
				{"open victim", "ida.idva", "/victims", url.Values{"site": {site}, "idva": {ida}, "given_name": {"Alex"}, "family_name": {"Example"}}, "/victims/", "victim_opened"},
				{"referral", "tom.providerlead", "/referrals", url.Values{"site": {site}, "programme": {"drive"}, "given_name": {"Lee"}, "family_name": {"Sample"},
					"date_of_birth": {"1980-01-01"}, "source": {"marac"}, "referred_at": {"2026-11-20"}, "summary": {"Repeat MARAC"}, "dash_score": {"16"}, "victims": {"1"}}, "/cases/", "referral"},
				{"decision", "cal.manager", cpath + "/move", url.Values{"event": {"begin_closure"}, "closure_reason": {"completed"}, "reasons": {"Done"}}, cpath, "closing"},
			}
			for _, st := range steps {
				status, body, h := w.send(t, st.who, "POST", st.path, st.form)
				if status != http.StatusSeeOther {
					t.Fatalf("%s: %d; want 303\n%s", st.name, status, body)
				}
				loc := h.Get("Location")
				target, query, ok := strings.Cut(loc, "?")
				if !ok || !strings.HasPrefix(target, st.to) || query != "done="+st.code {
					t.Fatalf("%s: redirected to %q; want %s...?done=%s and no fragment", st.name, loc, st.to, st.code)
				}
				page := loc
				status, body = w.get(t, st.who, page)
				if status != http.StatusOK {
					t.Fatalf("%s: %s: %d", st.name, page, status)
				}
				banner := regexp.MustCompile(`(?s)<div class="govuk-notification-banner govuk-notification-banner--success" role="alert"[^>]*data-module="govuk-notification-banner">.*?<p class="govuk-notification-banner__heading">([^<]*)</p>`).FindStringSubmatch(body)
				if banner == nil || html.UnescapeString(banner[1]) != changeDone[st.code] {
					t.Errorf("%s: %s shows no banner saying %q (%v)", st.name, page, changeDone[st.code], banner)
				}
			}
			// Without a code, or with one no change uses, there is no
			// banner.
			for _, q := range []string{"", "?done=Hollis"} {
				if _, body := w.get(t, "cal.manager", cpath+q); strings.Contains(body, "govuk-notification-banner") {
					t.Errorf("%s%s shows a banner", cpath, q)
				}
			}
		})
	}
}
