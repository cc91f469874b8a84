package web

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drive-platform/drive/risk"
	"github.com/drive-platform/drive/storetest"
)

// TestIDVAListShowsRisk: the IDVA's list shows each victim-survivor's
// latest DASH and band, the trend in words and what is next; her page
// lists DASH newest first with comments under their questions; and the
// case manager's risk table names the same latest DASH.
func TestIDVAListShowsRisk(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			ctx := context.Background()
			svc := w.srv.svc
			// An earlier assessment, recorded after the latest: the latest
			// is by date, not by when it was typed.
			answers := map[string]risk.Answer{}
			q := risk.DASH2009()
			for i, qu := range q.Questions {
				answers[qu.ID] = risk.No
				if i < 12 {
					answers[qu.ID] = risk.Yes
				}
			}
			tenth := q.Questions[9]
			earlier := svc.Today().AddDays(-30)
			if err := svc.AddDASH(ctx, w.actor("ida.idva"), w.victimID, &risk.Assessment{Answers: answers,
				Comments: map[string]string{tenth.ID: "Happening more often"}, AssessedOn: earlier}); err != nil {
				t.Fatal(err)
			}
			status, body := w.get(t, "ida.idva", "/victims")
			if status != 200 {
				t.Fatalf("list: %d", status)
			}
			row := regexp.MustCompile(`(?s)data-victim="` + strconv.FormatInt(w.victimID, 10) + `">(.*?)</tr>`).FindStringSubmatch(body)
			if row == nil {
				t.Fatalf("her row is not on the list")
			}
			text := strings.Join(strings.Fields(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(row[1], " ")), " ")
			for _, want := range []string{"15, High risk", "on " + svc.Today().Display(), "Up by 3 since the first assessment, from 12 to 15"} {
				if !strings.Contains(text, want) {
					t.Errorf("her row lacks %q: %s", want, text)
				}
			}
			status, body = w.get(t, "ida.idva", "/victims/"+strconv.FormatInt(w.victimID, 10))
			if status != 200 {
				t.Fatalf("her page: %d", status)
			}
			newest, oldest := strings.Index(body, ">"+svc.Today().Display()+"<"), strings.Index(body, ">"+earlier.Display()+"<")
			if newest < 0 || oldest < 0 || newest > oldest {
				t.Errorf("DASH history is not newest first (%d, %d)", newest, oldest)
			}
			if !strings.Contains(body, "Score: Up by 3 since the first assessment, from 12 to 15.") {
				t.Errorf("the change does not say which way")
			}
			// The comments are sealed with her protected details, so they
			// are on that page, each labelled with its question.
			status, body = w.get(t, "ida.idva", "/victims/"+strconv.FormatInt(w.victimID, 10)+"/protected")
			if status != 200 {
				t.Fatalf("her protected details: %d", status)
			}
			if !strings.Contains(body, "Question 10 ("+tenth.Text+"): Happening more often") || strings.Contains(body, tenth.ID+":") {
				t.Errorf("the comment is not labelled with its question")
			}
			status, body = w.get(t, "cal.manager", "/cases/"+strconv.FormatInt(w.caseID, 10)+"/victims")
			if status != 200 || !strings.Contains(body, ">15 (High risk)") {
				t.Errorf("the case manager's risk table does not show the same latest DASH: %d", status)
			}
		})
	}
}
