package web_test

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// TestReferralToClosureInBrowser walks a case from intake to closure as a
// team leader would, in headless Chromium, with axe-core on every page it
// visits: intake (with the duplicate check), the panel decision,
// allocation, actions on every prong, a contact, a review, a note and its
// correction, and closure.
func TestReferralToClosureInBrowser(t *testing.T) {
	db := storetest.OneEngine().Open(t, nil)
	ctx := context.Background()
	hash, err := auth.HashPassword(strings.NewReader(strings.Repeat("s", 64)), testPassword, auth.TestParams())
	if err != nil {
		t.Fatal(err)
	}
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	err = db.Transact(ctx, func(tx *store.Tx) error {
		site := &account.Site{Code: "NMR", Name: "Northmoor", Region: "North West"}
		if err := tx.CreateSite(ctx, site); err != nil {
			return err
		}
		if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
			return err
		}
		org := &account.Organisation{Name: "Northmoor Drive Service", Kind: account.Provider, SiteIDs: []int64{site.ID}}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		lead := &account.User{Username: "tess.lead", DisplayName: "Tess Lead", OrganisationID: org.ID, PasswordHash: hash, TOTPSecret: secret,
			Roles: []account.RoleAssignment{{Role: access.TeamLeader, SiteID: site.ID}}}
		if err := tx.CreateUser(ctx, lead); err != nil {
			return err
		}
		cm := &account.User{Username: "cal.manager", DisplayName: "Cal Manager", OrganisationID: org.ID, PasswordHash: hash, TOTPSecret: secret,
			Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: site.ID}}}
		return tx.CreateUser(ctx, cm)
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
	choose := func(sel, v string) {
		t.Helper()
		if err := b.Run(chromedp.SetValue(chromedp.CSS(sel), v)); err != nil {
			t.Fatal(err)
		}
	}
	// confirmed checks the page answers a change with the success banner
	// saying want, and that the banner has the focus, as GOV.UK Frontend
	// gives it once its script has run.
	confirmed := func(want string) {
		t.Helper()
		if err := browsertest.Confirmed(b, want); err != nil {
			t.Fatal(err)
		}
	}
	// short checks the page shown is no taller than about three screens
	// of the 1280 by 900 window: the case's pages and forms and the team
	// dashboard are split so that none runs on (lists and timelines may).
	short := func() {
		t.Helper()
		h, err := browsertest.RunValue(b, chromedp.Evaluate[float64](`document.documentElement.scrollHeight`))
		if err != nil {
			t.Fatal(err)
		}
		if h > 3*900 {
			u, _ := b.URL()
			t.Errorf("%s is %.0f px tall; want no more than three screens (2700 px)", u, h)
		}
	}
	visit := func(path string) {
		t.Helper()
		if status, err := b.Navigate(ts.URL + path); err != nil || status != 200 {
			t.Fatalf("%s: %d %v", path, status, err)
		}
		b.AssertAccessible(t)
	}

	step("sign in")
	visit("/signin")
	code, _ := auth.TOTPCode(secret, time.Now())
	fill("#username", "tess.lead")
	fill("#password", testPassword)
	fill("#code", code)
	submit("form[action='/signin'] button", 200)

	step("intake: an empty form shows every error")
	visit("/referrals/new")
	submit("form[action='/referrals'] button", 422)
	step("intake")
	today := drive.DateOf(time.Now())
	fill("#given_name", "Darren")
	fill("#family_name", "Hollis")
	fill("#date_of_birth", "1984-02-11")
	fill("#police_ref", "NM/2024/0042")
	choose("#source", "marac")
	fill("#referred_at", today.String())
	fill("#summary", "Repeat MARAC; escalating coercive control of his ex-partner.")
	fill("#last_marac", today.AddDays(-30).String())
	fill("#dash_score", "16")
	fill("#victims", "1")
	submit("form[action='/referrals'] button", 200)
	caseURL, _ := b.URL()
	if !regexp.MustCompile(`/cases/\d+\?done=referral$`).MatchString(caseURL) {
		t.Fatalf("after intake at %s", caseURL)
	}
	confirmed("Referral recorded: this is the new case")
	caseURL, _, _ = strings.Cut(caseURL, "?")
	b.AssertNoConsoleErrors(t)

	step("change the person's details")
	html, _ := b.HTML()
	personPath := regexp.MustCompile(`href="(/people/\d+)"`).FindStringSubmatch(html)
	if personPath == nil {
		t.Fatal("no link to the person")
	}
	visit(personPath[1] + "/edit")
	fill("#aliases", "Daz Hollis")
	choose("#sexual_orientation", "prefer_not_to_say")
	fill("#address_line1", "4 Canal Side")
	fill("#address_postcode", "nm2 4ab")
	fill("#address_from", today.AddDays(-10).String())
	fill("#date_of_birth", "1984-13-40")
	submit("form[action$='/edit'] button", 422)
	fill("#date_of_birth", "1984-02-11")
	submit("form[action$='/edit'] button", 200)
	confirmed("Details saved")
	if html, _ := b.HTML(); !strings.Contains(html, "Daz Hollis") || !strings.Contains(html, "NM2 4AB") {
		t.Fatal("the person's changes are not shown")
	}

	step("the same person again is caught by the duplicate check")
	visit("/referrals/new")
	fill("#given_name", "Daren")
	fill("#family_name", "Hollis")
	fill("#date_of_birth", "1984-11-02")
	choose("#source", "probation")
	fill("#referred_at", today.String())
	fill("#summary", "Probation concerns")
	submit("form[action='/referrals'] button", 200)
	if ok, _ := b.Exists("#dup-title"); !ok {
		t.Fatal("no duplicate warning for a near-identical person")
	}

	step("panel decision, allocation, start")
	if _, err := b.Navigate(caseURL); err != nil {
		t.Fatal(err)
	}
	fill("textarea[name=reasons]", "Meets the MARAC and DASH criteria; panel agreed.")
	submit("#event-accept", 200)
	confirmed("Referral accepted")
	short()
	choose("#case_manager", caseManagerValue(t, b))
	submit("#event-allocate", 200)
	submit("#event-start", 200)

	step("actions on every prong, each added on its own page")
	submit(".moj-sub-navigation a[href$='/plan']", 200)
	for _, a := range []struct{ typ, owner string }{{"dvpn-dvpo", "PC Example"}, {"one-to-one", "Cal Manager"}, {"housing-referral", "Housing officer"}} {
		submit("a[href$='/actions/new']", 200)
		short()
		choose("#type", a.typ)
		fill("#owner", a.owner)
		fill("#due_on", today.AddDays(14).String())
		submit("form[action$='/actions'] button", 200)
		confirmed("Action added to the plan")
		short()
	}
	if u, _ := b.URL(); !strings.HasSuffix(u, "/plan?done=plan_action") {
		t.Fatalf("an added action lands on %s; want the plan", u)
	}
	html, _ = b.HTML()
	for _, want := range []string{"DVPN/DVPO application", "One-to-one session block", "Housing referral"} {
		if !strings.Contains(html, want) {
			t.Fatalf("the plan lacks %q", want)
		}
	}

	step("a contact, a review, a note and its correction")
	submit(".moj-sub-navigation a[href$='/contacts']", 200)
	submit("a[href$='/contacts/new']", 200)
	short()
	fill("#contact_on", today.String())
	fill("#contact_summary", "First one-to-one session; engaged well.")
	submit("form[action$='/contacts'] button", 200)
	confirmed("Contact logged")
	short()
	if html, _ := b.HTML(); !strings.Contains(html, "First one-to-one session; engaged well.") {
		t.Fatal("the logged contact is not on the contacts page")
	}
	submit(".moj-sub-navigation a[href$='/reviews']", 200)
	submit("a[href$='/reviews/new']", 200)
	short()
	fill("#review_on", today.String())
	choose("#risk_level", "high")
	choose("#risk_change", "unchanged")
	choose("#need_housing", "high")
	fill("#review_summary", "Six-week review: disruption in place.")
	submit("form[action$='/reviews'] button", 200)
	confirmed("Review recorded")
	short()
	submit(".moj-sub-navigation a[href$='/notes']", 200)
	submit("a[href$='/notes/new']", 200)
	fill("#text", "Spoke to probation about licence conditions.")
	submit("form[action$='/notes'] button", 200)
	confirmed("Note added")
	submit("a[href$='/notes/new']", 200)
	fill("#text", "Correction: it was the offender manager, not the duty officer.")
	choose("#amends", noteValue(t, b))
	submit("form[action$='/notes'] button", 200)
	confirmed("Correction to the note added")
	short()
	html, _ = b.HTML()
	if !strings.Contains(html, "Spoke to probation about licence conditions.") || !strings.Contains(html, "Correction to note") {
		t.Fatal("the note and its correction are not both on the page")
	}

	step("closure")
	submit(".moj-sub-navigation a[href='"+strings.TrimPrefix(caseURL, ts.URL)+"']", 200)
	choose("select[name=closure_reason]", "completed")
	submit("#event-begin_closure", 200)
	choose("select[name=closure_reason]", "completed")
	submit("#event-close", 200)
	confirmed("Case closed")
	short()
	html, _ = b.HTML()
	if !strings.Contains(html, "Closed") || !strings.Contains(html, "Intervention completed") {
		t.Fatal("the case is not shown closed with its reason")
	}

	step("the case's summary and timeline printed")
	printed := func(checks map[string]bool) {
		t.Helper()
		if err := b.EmulateMedia("print"); err != nil {
			t.Fatal(err)
		}
		for sel, want := range checks {
			display, err := b.ComputedStyle(sel, "display")
			if err != nil {
				t.Fatal(err)
			}
			if (display != "none") != want {
				t.Errorf("printed, %s has display %q", sel, display)
			}
		}
		if err := b.EmulateMedia(""); err != nil {
			t.Fatal(err)
		}
	}
	printed(map[string]bool{"#summary": true, ".drive-footer": false, ".govuk-service-navigation": false,
		".govuk-notification-banner": false})
	visit(strings.TrimPrefix(caseURL, ts.URL) + "/timeline")
	printed(map[string]bool{"#timeline": true, ".drive-footer": false, ".govuk-service-navigation": false})

	if err := b.Screenshot("/tmp/drive-case-page.png"); err != nil {
		t.Log(err)
	}
	step("lists")
	visit("/team")
	short()
	visit("/cases")
	fill("#q", "hollis")
	submit("form[action='/cases/search'] button", 200)
	if url, _ := b.URL(); strings.Contains(strings.ToLower(url), "hollis") {
		t.Fatalf("the search words are in the address: %s", url)
	}
	if html, _ := b.HTML(); !strings.Contains(html, "Darren Hollis") {
		t.Fatal("the search did not find the case")
	}
	visit("/caseload")
	visit("/identify")
	b.AssertNoConsoleErrors(t)
	if err := b.Screenshot("/tmp/drive-case.png"); err != nil {
		t.Log(err)
	}
}

func caseManagerValue(t *testing.T, b *browsertest.Browser) string {
	html, _ := b.HTML()
	m := regexp.MustCompile(`<option value="(\d+)">Cal Manager</option>`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no case manager to allocate to")
	}
	return m[1]
}

func noteValue(t *testing.T, b *browsertest.Browser) string {
	html, _ := b.HTML()
	m := regexp.MustCompile(`<option value="(\d+)">Note \d+ of`).FindStringSubmatch(html)
	if m == nil {
		t.Fatal("no note to correct")
	}
	return m[1]
}

func errorSummary(html string) string {
	i := strings.Index(html, "govuk-error-summary")
	if i < 0 {
		return "(no error summary)"
	}
	end := i + 1500
	if end > len(html) {
		end = len(html)
	}
	return html[i:end]
}
