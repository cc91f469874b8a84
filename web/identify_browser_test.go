package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
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
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// TestIdentificationInBrowser: an analyst reads the list and a suspect's
// page, is shown every problem with an empty decision, splits an incident
// off; the national user sees the man known at two sites. axe-core runs
// on every page.
func TestIdentificationInBrowser(t *testing.T) {
	db := storetest.OneEngine().Open(t, nil)
	ctx := context.Background()
	hash, err := auth.HashPassword(strings.NewReader(strings.Repeat("s", 64)), testPassword, auth.TestParams())
	if err != nil {
		t.Fatal(err)
	}
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	today := drive.DateOf(time.Now())
	imports := map[string][]incident.Record{}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		org := &account.Organisation{Name: "Drive National Team", Kind: account.NationalTeam}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		for i, code := range []string{"NMR", "SVV"} {
			site := &account.Site{Code: code, Name: "Site " + code, Region: "R"}
			if err := tx.CreateSite(ctx, site); err != nil {
				return err
			}
			sus := incident.Person{GivenName: "Darren", FamilyName: "Hollis", DOB: drive.MustDate("1984-02-11"), Postcode: "NM4 2XY"}
			other := incident.Person{GivenName: "Kevin", FamilyName: "Doyle", DOB: drive.MustDate("1970-01-01")}
			recs := []incident.Record{
				{Ref: code + "1", On: today.AddDays(-90 - i), Type: "abh", Crime: true, Suspect: sus, Victim: incident.Person{GivenName: "Sam", FamilyName: "Example" + code, Age: 30}},
				{Ref: code + "2", On: today.AddDays(-40 - i), Type: "stalking", Crime: true, Suspect: sus, Victim: incident.Person{GivenName: "Sam", FamilyName: "Example" + code, Age: 30}},
				{Ref: code + "3", On: today.AddDays(-400), Type: "non_crime", Suspect: other, Victim: incident.Person{GivenName: "Ann", FamilyName: "Doyle"}},
			}
			imports[code] = recs
			if i == 0 {
				u := &account.User{Username: "ana.lyst", DisplayName: "Ana Lyst", OrganisationID: org.ID, PasswordHash: hash, TOTPSecret: secret,
					Roles: []account.RoleAssignment{{Role: access.Analyst, SiteID: site.ID}}}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
			}
		}
		u := &account.User{Username: "nat.team", DisplayName: "Nat Team", OrganisationID: org.ID, PasswordHash: hash, TOTPSecret: secret,
			Roles: []account.RoleAssignment{{Role: access.National}}}
		return tx.CreateUser(ctx, u)
	})
	if err != nil {
		t.Fatal(err)
	}
	// The police data come in as from the command line, then suspects are
	// matched across the sites.
	svc, cli := &service.Service{DB: db}, service.System("test")
	for _, code := range []string{"NMR", "SVV"} {
		if _, _, err := svc.ImportIncidents(ctx, cli, code, imports[code], nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.MatchAcrossSites(ctx, cli); err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.Replicated(t, srv))
	defer ts.Close()

	signIn := func(b *browsertest.Browser, user string) {
		t.Helper()
		if _, err := b.Navigate(ts.URL + "/signin"); err != nil {
			t.Fatal(err)
		}
		code, _ := auth.TOTPCode(secret, time.Now())
		must(t, b.Fill("#username", user))
		must(t, b.Fill("#password", testPassword))
		must(t, b.Fill("#code", code))
		if status, err := b.Submit("form[action='/signin'] button"); err != nil || status != 200 {
			t.Fatalf("sign-in as %s: %d %v", user, status, err)
		}
	}
	visit := func(b *browsertest.Browser, path string) string {
		t.Helper()
		if status, err := b.Navigate(ts.URL + path); err != nil || status != 200 {
			t.Fatalf("%s: %d %v", path, status, err)
		}
		b.AssertAccessible(t)
		html, _ := b.HTML()
		return html
	}

	b := browsertest.New(t)
	signIn(b, "ana.lyst")
	visit(b, "/identify/import")
	if status, err := b.Submit("form[action='/identify/import'] button"); err != nil || status != 422 {
		t.Fatalf("import with no file: %d %v", status, err)
	}
	b.AssertAccessible(t)
	bad := filepath.Join(t.TempDir(), "bad.csv")
	must(t, os.WriteFile(bad, []byte("ref,date,type,suspect_given,suspect_family\nX1,2099-01-01,abh,,\n"), 0o600))
	must(t, b.Run(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{bad})))
	if status, err := b.Submit("form[action='/identify/import'] button"); err != nil || status != 422 {
		t.Fatalf("import of a bad file: %d %v", status, err)
	}
	b.AssertAccessible(t)
	if html, _ := b.HTML(); !strings.Contains(html, "Problems in bad.csv") {
		t.Fatal("the bad file's problems are not listed")
	}
	html := visit(b, "/identify")
	if !strings.Contains(html, "Known at another site") {
		t.Fatal("the list does not flag the man known at the other site")
	}
	page := regexp.MustCompile(`href="(/identify/people/\d+)">Darren Hollis`).FindStringSubmatch(html)
	if page == nil {
		t.Fatal("no link to the suspect's page")
	}
	html = visit(b, page[1])
	if !strings.Contains(html, "Victim A") {
		t.Fatal("the suspect page does not letter the victims")
	}
	if !strings.Contains(html, "The weakest link") || !strings.Contains(html, "Running total (bits)") {
		t.Fatal("the suspect page does not explain his link")
	}
	if status, err := b.Submit("form[method=get][action*='/identify/people'] button"); err != nil || status != 200 {
		t.Fatalf("explain a chosen pair: %d %v", status, err)
	}
	b.AssertAccessible(t)
	if html, _ := b.HTML(); !strings.Contains(html, "as you asked") {
		t.Fatal("the chosen pair is not explained")
	}
	status, err := b.Submit("form[action$='/decide'] button")
	if err != nil || status != 422 {
		t.Fatalf("empty decision: %d %v", status, err)
	}
	b.AssertAccessible(t)
	must(t, b.Click("input[name=incident]"))
	must(t, b.Click("#ruling-split-suspect"))
	must(t, b.Run(chromedp.SetValue(chromedp.CSS("#reason"), "Custody record shows a different man")))
	if status, err := b.Submit("form[action$='/decide'] button"); err != nil || status != 200 {
		t.Fatalf("split: %d %v", status, err)
	}
	b.AssertAccessible(t)
	if html, _ := b.HTML(); !strings.Contains(html, "split off") || !strings.Contains(html, "Custody record shows a different man") {
		t.Fatal("the split is not confirmed on the page")
	}
	b.AssertNoConsoleErrors(t)

	n := browsertest.New(t)
	signIn(n, "nat.team")
	html = visit(n, "/identify/national")
	if !strings.Contains(html, "Site NMR") || !strings.Contains(html, "Site SVV") || strings.Contains(html, "Hollis") {
		t.Fatal("the national view does not show the two sites, or names the man")
	}
	n.AssertNoConsoleErrors(t)
}
