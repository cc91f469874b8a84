package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestDueAgreesEverywhere holds the caseload page, the case page, the case
// list in the API and GET /api/v1/cases/{id} to one answer about what is
// due on a case (casework.Due): its overdue actions, last contact, next
// review and whether the review is overdue; and checks that logging a
// contact moves "Last updated" and the last contact in all of them.
func TestDueAgreesEverywhere(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testDueAgreesEverywhere(t, e) })
	}
}

// dueView is what one page or route says is due on a case.
type dueView struct {
	Overdue       int
	LastContact   string // "2 January 2006", or "" for none
	NextReview    string // "2 January 2006"
	ReviewOverdue bool
	Updated       string // "2 January 2006"
}

func testDueAgreesEverywhere(t *testing.T, e storetest.Engine) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	today := drive.DateOf(now)
	const apiToken = "drv_t_due_case_manager"
	f := newSiteFixture(t, e, now, []access.Role{access.CaseManager}, func(ctx context.Context, tx *store.Tx, site account.Site) error {
		u, err := tx.UserByUsername(ctx, "u."+string(access.CaseManager))
		if err != nil {
			return err
		}
		return tx.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, TokenHash: auth.HashToken(apiToken), ExpiresAt: now.Add(time.Hour)})
	})
	ctx := context.Background()
	// The case was last changed a fortnight ago; its actions were added
	// then too, so only logging a contact today can move "Last updated".
	earlier := now.AddDate(0, 0, -14)
	var caseID int64
	err := f.db.WithClock(storetest.FixedClock(earlier)).Transact(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByUsername(ctx, "u."+string(access.CaseManager))
		if err != nil {
			return err
		}
		p := &people.Person{SiteID: f.site.ID, GivenName: "Dominic", FamilyName: "Due", DateOfBirth: drive.MustDate("1984-03-02"), Gender: "male"}
		if err := tx.CreatePerson(ctx, p); err != nil {
			return err
		}
		started := earlier.AddDate(0, 0, -40)
		c := &casework.Case{SiteID: f.site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC,
			ReferredAt: drive.DateOf(started), ReferredBy: u.ID, Summary: "Heard at MARAC."}
		c.Evidence.DASHScore = 15
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		// CreateCase stores a referral; the case has since been started.
		c.State, c.Engagement, c.CaseManagerID, c.AllocatedAt, c.StartedAt, c.NextReviewDue =
			casework.Active, casework.Engaged, u.ID, &started, &started, today.AddDays(-3)
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		caseID = c.ID
		for _, a := range []struct {
			due    drive.Date
			status casework.ActionStatus
		}{
			{today.AddDays(-10), casework.ActionOpen},
			{today.AddDays(-5), casework.ActionInProgress},
			{today.AddDays(-1), casework.ActionOpen},
			{today, casework.ActionOpen},              // due today: not overdue
			{today.AddDays(-20), casework.ActionDone}, // finished: not overdue
		} {
			act := &casework.Action{CaseID: c.ID, Type: "bail-review", Prong: "disrupt", Agency: "Police", Owner: "DS Khan",
				DueOn: a.due, Status: a.status, CreatedBy: u.ID}
			if a.status == casework.ActionDone {
				act.Outcome = "Conditions kept"
			}
			if err := tx.CreateAction(ctx, act); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	views := func() map[string]dueView {
		t.Helper()
		return map[string]dueView{
			"caseload page": dueOnCaseload(t, f, caseID),
			"case page":     dueOnCasePage(t, f, caseID),
			"API case":      dueFromAPI(t, f, apiToken, "/api/v1/cases/"+strconv.FormatInt(caseID, 10), caseID),
			"API list":      dueFromAPI(t, f, apiToken, "/api/v1/cases", caseID),
		}
	}
	want := dueView{Overdue: 3, NextReview: today.AddDays(-3).Display(), ReviewOverdue: true, Updated: drive.DateOf(earlier).Display()}
	for name, got := range views() {
		if got != want {
			t.Errorf("before the contact, %s says %+v; want %+v", name, got, want)
		}
	}

	status, body, _ := f.do(access.CaseManager, "POST", "/cases/"+strconv.FormatInt(caseID, 10)+"/contacts", url.Values{
		"kind": {string(casework.OneToOne)}, "method": {"in person"}, "contact_summary": {"Session on jealousy"}, "contact_on": {today.AddDays(-1).String()}})
	if status != http.StatusSeeOther {
		t.Fatalf("logging a contact: %d %s", status, body)
	}
	want.LastContact, want.Updated = today.AddDays(-1).Display(), today.Display()
	for name, got := range views() {
		if got != want {
			t.Errorf("after the contact, %s says %+v; want %+v", name, got, want)
		}
	}
}

var (
	dueCell  = regexp.MustCompile(`(?s)data-due="([a-z-]+)">(.*?)</(?:td|dd)>`)
	htmlTag  = regexp.MustCompile(`<[^>]+>`)
	caseRow  = regexp.MustCompile(`(?s)<tr class="govuk-table__row" data-case="(\d+)">(.*?)</tr>`)
	cellText = regexp.MustCompile(`(?s)<td class="govuk-table__cell">([^<]*)</td>\s*$`)
)

// dueCells reads the cells marked data-due in a piece of a page.
func dueCells(t *testing.T, html string) dueView {
	t.Helper()
	var v dueView
	for _, m := range dueCell.FindAllStringSubmatch(html, -1) {
		text := strings.Join(strings.Fields(htmlTag.ReplaceAllString(m[2], " ")), " ")
		switch m[1] {
		case "last-contact":
			if text != "No contact yet" {
				v.LastContact = text
			}
		case "next-review":
			v.ReviewOverdue = strings.Contains(text, "Review overdue")
			v.NextReview = strings.TrimSpace(strings.Replace(text, "Review overdue", "", 1))
		case "overdue-actions":
			// "3" on the caseload; "4 open, 3 overdue" on the case page.
			fields := strings.Fields(text)
			for i, w := range fields {
				if w == "overdue" && i > 0 {
					v.Overdue, _ = strconv.Atoi(fields[i-1])
				}
			}
			if len(fields) == 1 {
				v.Overdue, _ = strconv.Atoi(fields[0])
			}
		case "updated":
			v.Updated = text
		}
	}
	return v
}

func dueOnCaseload(t *testing.T, f *siteFixture, caseID int64) dueView {
	t.Helper()
	status, body, _ := f.do(access.CaseManager, "GET", "/caseload?sort=review", nil)
	if status != http.StatusOK {
		t.Fatalf("caseload: %d", status)
	}
	for _, m := range caseRow.FindAllStringSubmatch(body, -1) {
		if m[1] == strconv.FormatInt(caseID, 10) {
			v := dueCells(t, m[2])
			if c := cellText.FindStringSubmatch(m[2]); c != nil {
				v.Updated = strings.TrimSpace(c[1])
			}
			return v
		}
	}
	t.Fatalf("case %d is not on the caseload: %s", caseID, body)
	return dueView{}
}

func dueOnCasePage(t *testing.T, f *siteFixture, caseID int64) dueView {
	t.Helper()
	status, body, _ := f.do(access.CaseManager, "GET", "/cases/"+strconv.FormatInt(caseID, 10), nil)
	if status != http.StatusOK {
		t.Fatalf("case page: %d", status)
	}
	return dueCells(t, body)
}

// dueFromAPI reads a case from GET /api/v1/cases/{id} or from the list.
func dueFromAPI(t *testing.T, f *siteFixture, token, path string, caseID int64) dueView {
	t.Helper()
	req, _ := http.NewRequest("GET", f.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
	}
	type summary struct {
		ID             int64  `json:"id"`
		OverdueActions int    `json:"overdue_actions"`
		LastContactAt  string `json:"last_contact_at"`
		NextReviewDue  string `json:"next_review_due"`
		ReviewOverdue  bool   `json:"review_overdue"`
		UpdatedAt      string `json:"updated_at"`
	}
	var one summary
	var list struct{ Items []summary }
	if strings.HasSuffix(path, "/cases") {
		if err := json.Unmarshal(b, &list); err != nil {
			t.Fatal(err)
		}
	} else {
		if err := json.Unmarshal(b, &one); err != nil {
			t.Fatal(err)
		}
		list.Items = []summary{one}
	}
	for _, s := range list.Items {
		if s.ID != caseID {
			continue
		}
		v := dueView{Overdue: s.OverdueActions, ReviewOverdue: s.ReviewOverdue}
		if s.NextReviewDue != "" {
			v.NextReview = drive.MustDate(s.NextReviewDue).Display()
		}
		for _, ts := range []struct {
			in  string
			out *string
		}{{s.LastContactAt, &v.LastContact}, {s.UpdatedAt, &v.Updated}} {
			if ts.in == "" {
				continue
			}
			at, err := time.Parse(time.RFC3339, ts.in)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			*ts.out = drive.DateOf(at).Display()
		}
		return v
	}
	t.Fatalf("%s does not hold case %d", path, caseID)
	return dueView{}
}
