package web

import (
	"context"
	"encoding/json"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/storetest"
)

// hisSide are the users on the perpetrator's side of the wall, and the
// aggregate and administrative users who are on neither: none of them may
// learn anything of her answers, nor that she answered. (The dpo reads the
// audit log, where a joined answer is a write to her record; the national
// team reads the anonymous counts by design.)
var hisSide = []string{"cal.manager", "cat.othermanager", "tom.providerlead", "pat.partner", "pam.coordinator", "ana.analyst",
	"com.commissioner", "eve.evaluator", "adm.admin", "sam.otherlead"}

// crawlAs reads every page the user can reach by following links from
// the home page, her record, his case and his person page, and every GET
// route of the OpenAPI document with real ids, and returns each body by
// path.
func (w *wall) crawlAs(t *testing.T, name string) map[string]string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	caseID, victimID := strconv.FormatInt(w.caseID, 10), strconv.FormatInt(w.victimID, 10)
	out := map[string]string{}
	href := regexp.MustCompile(`href="(/[^"#]*)`)
	queue := []string{"/", "/victims/" + victimID, "/cases/" + caseID, "/people/" + strconv.FormatInt(w.personID, 10), "/reports", "/victim-views", "/feedback"}
	for len(queue) > 0 && len(out) < 200 {
		path := queue[0]
		queue = queue[1:]
		if _, ok := out[path]; ok || strings.HasPrefix(path, "/assets/") || strings.HasPrefix(path, "/signout") {
			continue
		}
		status, body := w.get(t, name, path)
		out[path] = strconv.Itoa(status) + "\n" + body
		for _, m := range href.FindAllStringSubmatch(body, -1) {
			queue = append(queue, strings.ReplaceAll(m[1], "&amp;", "&"))
		}
	}
	for p, ops := range doc.Paths {
		if _, ok := ops["get"]; !ok {
			continue
		}
		path := "/api/v1" + strings.NewReplacer("{id}", caseID, "{action}", "1").Replace(p)
		if strings.HasPrefix(p, "/people/") {
			path = "/api/v1/people/" + strconv.FormatInt(w.personID, 10)
		}
		if strings.HasPrefix(p, "/victims") {
			path = "/api/v1" + strings.ReplaceAll(p, "{id}", victimID)
		}
		status, body := w.get(t, name, path)
		out[path] = strconv.Itoa(status) + "\n" + body
	}
	return out
}

// sheAnswers gives answers through the route, joined and anonymous, with
// words about the service.
func (w *wall) sheAnswers(t *testing.T) {
	t.Helper()
	for i, share := range []string{"joined", "anonymous"} {
		code := w.issueCode(t, []string{"T2", "T3"}[i])
		resp, body := w.anon(t, "POST", "/feedback/answers", fullAnswers("en", code, share, "CANARY-HER-WORDS the support was good"))
		if resp.StatusCode != 200 || !strings.Contains(body, "Thank you") {
			t.Fatalf("her %s answers: %d", share, resp.StatusCode)
		}
	}
}

// TestHerAnswersChangeNothingOnHisSide crawls every page and API route as
// each user on his side before and after she answers: not one byte may
// differ, so nothing there can tell that she answered, when or how often,
// and none of her words appear.
func TestHerAnswersChangeNothingOnHisSide(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			before := map[string]map[string]string{}
			for _, name := range hisSide {
				before[name] = w.crawlAs(t, name)
			}
			w.sheAnswers(t)
			// Her IDVA records answers with her too.
			_, err := w.srv.svc.ReportedOutcomes(context.Background(), w.actor("ida.idva"), w.victimID)
			if err != nil {
				t.Fatal(err)
			}
			for _, tp := range []string{"T1", "T3"} {
				if status, _ := w.post(t, "ida.idva", "/victims/"+strconv.FormatInt(w.victimID, 10)+"/reported-outcomes", url.Values{
					"her_time_point": {tp}, "reported_on": {"2026-11-20"}, "her_physical": {"yes"}, "her_sexual": {"no"}, "her_stalking": {"yes"},
					"her_controlling": {"yes"}, "feels_safe": {"2"}}); status != 303 {
					t.Fatalf("her IDVA recording her answers: %d", status)
				}
			}
			// Her measures reach the IDVA service's outcome report, and
			// only theirs.
			if _, rep := w.get(t, "tia.idvalead", "/reports/her-own-words"); !strings.Contains(rep, "In their own words") || !strings.Contains(rep, "Reports it stopped: physical") {
				t.Error("the IDVA service's report does not show her own measures")
			}
			if _, csv := w.get(t, "tia.idvalead", "/reports.csv"); !strings.Contains(csv, "own_account") {
				t.Error("the IDVA service's report download does not carry her own measures")
			}
			for _, name := range hisSide {
				if _, csv := w.get(t, name, "/reports.csv"); strings.Contains(csv, "own_account") {
					t.Errorf("%s: the report download carries her own measures", name)
				}
			}
			pages := 0
			for _, name := range hisSide {
				after := w.crawlAs(t, name)
				var paths []string
				for p := range after {
					paths = append(paths, p)
				}
				sort.Strings(paths)
				for _, p := range paths {
					pages++
					if after[p] != before[name][p] {
						t.Errorf("%s: %s changed when she answered", name, p)
					}
					if strings.Contains(after[p], "CANARY-HER-WORDS") {
						t.Errorf("%s: %s shows her words", name, p)
					}
				}
				if len(after) != len(before[name]) {
					t.Errorf("%s: %d pages reachable before she answered, %d after", name, len(before[name]), len(after))
				}
			}
			if pages < 100 {
				t.Fatalf("the crawl read only %d pages", pages)
			}
		})
	}
}
