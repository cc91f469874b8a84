package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/victim"
)

// TestEscalationPages escalates a Restart case linked to her through its
// case page on both engines: only those who work the case are offered the
// form; a form without reasons comes back with the error; with reasons the
// case manager lands on the new Drive referral, which says where it came
// from, and no page on the perpetrator's side (the referral, the closed
// Restart case, the caseload and the team dashboard with their assessment
// columns) shows anything of hers. Her IDVA's list shows the schedule.
func TestEscalationPages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			w := newWall(t, e)
			ctx := context.Background()
			var restart int64
			err := w.db.Transact(ctx, func(tx *store.Tx) error {
				c := &casework.Case{SiteID: w.siteOf(t), PersonID: w.personID, Programme: "restart", Source: casework.FromChildrensCare,
					ReferredAt: drive.DateOf(tx.Now), Summary: "Known to children's social care"}
				if err := tx.CreateCase(ctx, c); err != nil {
					return err
				}
				at := tx.Now.Add(-72 * time.Hour)
				c.State, c.CaseManagerID, c.AllocatedAt, c.StartedAt = casework.Active, w.users["cal.manager"].user.ID, &at, &at
				if err := tx.UpdateCase(ctx, c); err != nil {
					return err
				}
				restart = c.ID
				return tx.LinkVictim(ctx, victim.Link{VictimCaseID: w.victimID, PerpetratorCase: c.ID, Relationship: victim.ExPartner})
			})
			if err != nil {
				t.Fatal(err)
			}
			path := "/cases/" + strconv.FormatInt(restart, 10)
			for name, want := range map[string]bool{"cal.manager": true, "tom.providerlead": true, "pam.coordinator": false, "ida.idva": false} {
				_, body := w.get(t, name, path)
				if got := strings.Contains(body, `action="`+path+`/escalate"`); got != want {
					t.Errorf("%s offered escalation: %v; want %v", name, got, want)
				}
			}
			if _, body := w.get(t, "cal.manager", "/cases/"+strconv.FormatInt(w.caseID, 10)); strings.Contains(body, "/escalate") {
				t.Error("a Drive case offers escalation")
			}
			if status, body := w.post(t, "cal.manager", path+"/escalate", url.Values{"reasons": {" "}}); status != http.StatusUnprocessableEntity ||
				!strings.Contains(body, "Say why the risk has escalated") {
				t.Errorf("escalation without reasons: %d", status)
			}
			if status, _ := w.post(t, "pam.coordinator", path+"/escalate", url.Values{"reasons": {"Risk up"}}); status == http.StatusSeeOther {
				t.Error("a panel coordinator escalated the case")
			}
			status, _ := w.post(t, "cal.manager", path+"/escalate", url.Values{"reasons": {"New incident with a weapon"}})
			if status != http.StatusSeeOther {
				t.Fatalf("escalation: %d; want 303", status)
			}
			loc := w.referralNamedOn(t, "cal.manager", path)
			if !regexp.MustCompile(`^/cases/\d+$`).MatchString(loc) || loc == path {
				t.Fatalf("escalation went to %q; want the new referral", loc)
			}
			_, body := w.get(t, "tom.providerlead", loc+"/timeline")
			if !strings.Contains(body, "Escalated from Restart case "+strconv.FormatInt(restart, 10)) || !strings.Contains(body, "Referred on escalation") {
				t.Errorf("the referral does not say where it came from")
			}
			for _, name := range []string{"cal.manager", "tom.providerlead"} {
				for _, p := range []string{loc, loc + "/timeline", path, path + "/timeline", "/caseload", "/team"} {
					if _, body := w.get(t, name, p); len(leaked(body)) > 0 {
						t.Errorf("%s: %s shows %v", name, p, leaked(body))
					}
				}
			}
			if _, body := w.get(t, "cal.manager", "/caseload"); !strings.Contains(body, "Next assessment") || !strings.Contains(body, "T2 Behaviour assessment") {
				t.Error("the caseload shows no assessment schedule")
			}
			if _, body := w.get(t, "ida.idva", "/victims"); !strings.Contains(body, "Next assessment") {
				t.Error("her IDVA's list shows no assessment schedule")
			}
		})
	}
}

// siteOf is the site of the wall's case.
func (w *wall) siteOf(t *testing.T) int64 {
	t.Helper()
	var site int64
	err := w.db.View(context.Background(), func(tx *store.Tx) error {
		c, err := tx.Case(context.Background(), w.caseID)
		if err == nil {
			site = c.SiteID
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return site
}

// referralNamedOn finds where the escalation of the case at path went,
// from that case's page, whose history names the referral.
func (w *wall) referralNamedOn(t *testing.T, name, path string) string {
	t.Helper()
	_, body := w.get(t, name, path+"/timeline")
	m := regexp.MustCompile(`referral case (\d+)`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s does not name the referral", path)
	}
	return "/cases/" + m[1]
}
