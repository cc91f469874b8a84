package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// agendaClicks is how many clicks the coordinator needs, from the meeting
// page, to put every one of 16 proposed cases on the agenda and publish
// it: "Add cases", "Add all 16 proposed cases", "Publish agenda".
// docs/meetings.md quotes it.
const agendaClicks = 3

// TestMeetingInBrowser runs a MARAC from an empty agenda to published
// minutes in headless Chromium, with axe-core on every page visited: the
// coordinator sets up a series, schedules a meeting, invites a partner,
// puts 16 proposed cases on the agenda and publishes it, counting the
// clicks; the partner accepts the confidentiality statement and shares
// on a case; the coordinator records every decision and an action and
// publishes the minutes.
func TestMeetingInBrowser(t *testing.T) {
	db := storetest.OneEngine().Open(t, nil)
	ctx := context.Background()
	hash, err := auth.HashPassword(strings.NewReader(strings.Repeat("s", 64)), testPassword, auth.TestParams())
	if err != nil {
		t.Fatal(err)
	}
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	today := drive.DateOf(time.Now())
	var coordID, partnerID, policeID int64
	err = db.Transact(ctx, func(tx *store.Tx) error {
		site := &account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
		if err := tx.CreateSite(ctx, site); err != nil {
			return err
		}
		if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
			return err
		}
		provider := &account.Organisation{Name: "Northmoor Drive Service", Kind: account.Provider, SiteIDs: []int64{site.ID}}
		police := &account.Organisation{Name: "Northmoor Police", Kind: account.PoliceForce, SiteIDs: []int64{site.ID}}
		for _, o := range []*account.Organisation{provider, police} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		policeID = police.ID
		coord := &account.User{Username: "pam.coordinator", DisplayName: "Pam Coordinator", OrganisationID: provider.ID, PasswordHash: hash, TOTPSecret: secret,
			Roles: []account.RoleAssignment{{Role: access.PanelCoordinator, SiteID: site.ID}}}
		partner := &account.User{Username: "pat.partner", DisplayName: "Pat Partner", OrganisationID: police.ID, PasswordHash: hash, TOTPSecret: secret,
			Roles: []account.RoleAssignment{{Role: access.Partner, SiteID: site.ID}}}
		for _, u := range []*account.User{coord, partner} {
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
		}
		coordID, partnerID = coord.ID, partner.ID
		// 16 referrals awaiting a decision: each is proposed.
		for i := range 16 {
			p := &people.Person{SiteID: site.ID, GivenName: "Test" + strconv.Itoa(i+1), FamilyName: "Person", DateOfBirth: drive.MustDate("1980-01-01").AddDays(i)}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: today.AddDays(-3),
				Summary: "Synthetic referral " + strconv.Itoa(i+1), Evidence: programme.Evidence{DASHScore: 14 + i%5}}
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
			if i == 0 {
				// One active case, its review due: actions are agreed on
				// open cases.
				at := time.Now()
				c.State, c.DecisionReasons, c.DecidedBy, c.DecidedAt = casework.Active, "Agreed", coord.ID, &at
				c.CaseManagerID, c.AllocatedAt, c.StartedAt, c.NextReviewDue = coord.ID, &at, &at, today.AddDays(-1)
				if err := tx.UpdateCase(ctx, c); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.Replicated(t, srv))
	defer ts.Close()
	b := browsertest.New(t)
	step := func(name string) { t.Helper(); t.Logf("step: %s", name) }
	submit := func(selector string, want int) {
		t.Helper()
		status, err := b.Submit(selector)
		if err != nil {
			t.Fatal(err)
		}
		if status != want {
			html, _ := b.HTML()
			t.Fatalf("%s: status %d; want %d\n%s", selector, status, want, errorSummary(html))
		}
		b.AssertAccessible(t)
	}
	fill := func(sel, v string) {
		t.Helper()
		if err := b.Run(chromedp.SetValue(chromedp.CSS(sel), v)); err != nil {
			t.Fatal(err)
		}
	}
	click := func(sel string) {
		t.Helper()
		if err := b.Click(sel); err != nil {
			t.Fatal(err)
		}
	}
	visit := func(path string) {
		t.Helper()
		if status, err := b.Navigate(ts.URL + path); err != nil || status != 200 {
			t.Fatalf("%s: %d %v", path, status, err)
		}
		b.AssertAccessible(t)
	}
	html := func() string { t.Helper(); h, err := b.HTML(); must(t, err); return h }
	signIn := func(user string, at time.Time) {
		t.Helper()
		visit("/signin")
		code, _ := auth.TOTPCode(secret, at)
		fill("#username", user)
		fill("#password", testPassword)
		fill("#code", code)
		submit("form[action='/signin'] button", 200)
	}
	signOut := func() { t.Helper(); submit("form[action='/signout'] button", 200) }
	id := func(n int64) string { return strconv.FormatInt(n, 10) }

	step("the coordinator sets up a series")
	signIn("pam.coordinator", time.Now())
	visit("/meetings")
	submit("a[href='/meetings/series/new']", 200)
	submit("form[action='/meetings/series'] button", 422)
	fill("#site", "1")
	click("#kind-marac")
	fill("#name", "Northmoor MARAC")
	fill("#schedule", "Every other Tuesday, 10:00")
	fill("#chair", id(coordID))
	fill("#coordinator", id(coordID))
	fill("#venue", "Room 2, Civic Centre")
	click("#agencies-" + id(policeID))
	submit("form[action='/meetings/series'] button", 200)

	step("the coordinator schedules a meeting today and invites the partner")
	submit("a[href^='/meetings/new?series=']", 200)
	fill("#held_on", today.String())
	fill("#starts_at", "10:00")
	submit("form[action='/meetings'] button", 200)
	meetingURL, _ := b.URL()
	m := regexp.MustCompile(`/meetings/(\d+)`).FindStringSubmatch(meetingURL)
	if m == nil {
		t.Fatalf("after scheduling at %s", meetingURL)
	}
	mp := "/meetings/" + m[1]
	fill("#invite-user", id(partnerID))
	submit("form[action='"+mp+"/attendees'] button", 200)

	step("16 cases on the agenda, published, counting the clicks")
	clicks := 0
	submit("#add-cases", 200)
	clicks++
	if n := strings.Count(html(), `name="cases" type="checkbox"`); n != 16 {
		t.Fatalf("%d cases proposed; want 16", n)
	}
	submit("#add-all", 200)
	clicks++
	submit("#publish", 200)
	clicks++
	page := html()
	if clicks != agendaClicks || !strings.Contains(page, "16 cases;") || !strings.Contains(page, "Agenda published") {
		t.Fatalf("%d clicks; the agenda shows 16 cases: %v", clicks, strings.Contains(page, "16 cases;"))
	}
	// 5 + 10 standing minutes, 16 cases of 12, 5 for anniversaries.
	if want := fmt.Sprintf("%d minutes in all", 5+10+16*12+5); !strings.Contains(page, want) {
		t.Fatalf("the agenda does not say %q", want)
	}
	signOut()

	step("the partner accepts the confidentiality statement and shares")
	signIn("pat.partner", time.Now())
	visit(mp)
	if strings.Contains(html(), "Test1 Person") {
		t.Fatal("a case opens before the partner accepts the statement")
	}
	submit("#accept", 200)
	items := regexp.MustCompile(`href="(`+mp+`/items/\d+)"`).FindAllStringSubmatch(html(), -1)
	if len(items) != 16 {
		t.Fatalf("%d cases open to the partner; want 16", len(items))
	}
	visit(items[0][1])
	submit("form[action$='/shares'] button", 422)
	click("#basis")
	click("#victim_told")
	fill("#text", "Two call-outs this month; bail conditions breached.")
	submit("form[action$='/shares'] button", 200)
	signOut()

	step("the coordinator records the decisions and an action, and publishes the minutes")
	signIn("pam.coordinator", time.Now().Add(30*time.Second))
	visit(items[0][1])
	submit("form[action$='/decision'] button", 422)
	for i, it := range items {
		if i > 0 {
			if _, err := b.Navigate(ts.URL + it[1]); err != nil {
				t.Fatal(err)
			}
		}
		click("#decision")
		fill("#reasons", "Risk is escalating; agencies to act.")
		if status, err := b.Submit("form[action$='/decision'] button"); err != nil || status != 200 {
			t.Fatalf("decision %d: %d %v\n%s", i, status, err, errorSummary(html()))
		}
		if i == 0 {
			b.AssertAccessible(t)
		}
	}
	visit(mp)
	active := regexp.MustCompile(`href="(` + mp + `/items/\d+)">Test1 Person<`).FindStringSubmatch(html())
	if active == nil {
		t.Fatal("the active case is not on the agenda")
	}
	visit(active[1])
	fill("#type", "bail-review")
	fill("#action-organisation", id(policeID))
	fill("#owner", "PC Example")
	fill("#due_on", today.AddDays(14).String())
	submit("form[action$='/actions'] button", 200)
	visit(mp)
	submit("#publish-minutes", 200)
	page = html()
	if !strings.Contains(page, "Minutes published") || !strings.Contains(page, "RESTRICTED") || !strings.Contains(page, "Bail condition review") {
		t.Fatal("the minutes page is not shown after publishing")
	}
	b.AssertNoConsoleErrors(t)
}
