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

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/browsertest"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// TestUploadAsJobInBrowser: an analyst checks an extract, confirms it and
// lands on its progress page, which says it is waiting (role="status")
// and imports nothing yet; when the server's worker has run it, the page
// looks again by itself (drive.js) and shows what it brought. axe-core
// runs on each page.
func TestUploadAsJobInBrowser(t *testing.T) {
	db := storetest.OneEngine().Open(t, nil)
	ctx := context.Background()
	hash, err := auth.HashPassword(strings.NewReader(strings.Repeat("s", 64)), testPassword, auth.TestParams())
	if err != nil {
		t.Fatal(err)
	}
	const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	err = db.Transact(ctx, func(tx *store.Tx) error {
		org := &account.Organisation{Name: "Northmoor Police", Kind: account.NationalTeam}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		site := &account.Site{Code: "NMR", Name: "Northmoor", Region: "R"}
		if err := tx.CreateSite(ctx, site); err != nil {
			return err
		}
		return tx.CreateUser(ctx, &account.User{Username: "ana.lyst", DisplayName: "Ana Lyst", OrganisationID: org.ID, PasswordHash: hash, TOTPSecret: secret,
			Roles: []account.RoleAssignment{{Role: access.Analyst, SiteID: site.ID}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}
	srv, err := web.New(web.Config{Service: svc, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.Replicated(t, srv))
	defer ts.Close()

	b := browsertest.New(t)
	if _, err := b.Navigate(ts.URL + "/signin"); err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(secret, time.Now())
	must(t, b.Fill("#username", "ana.lyst"))
	must(t, b.Fill("#password", testPassword))
	must(t, b.Fill("#code", code))
	if status, err := b.Submit("form[action='/signin'] button"); err != nil || status != 200 {
		t.Fatalf("sign-in: %d %v", status, err)
	}
	if status, err := b.Navigate(ts.URL + "/identify/import"); err != nil || status != 200 {
		t.Fatalf("upload page: %d %v", status, err)
	}
	file := filepath.Join(t.TempDir(), "weekly.csv")
	must(t, os.WriteFile(file, []byte("ref,date,type,crime,suspect_given,suspect_family,suspect_dob,victim_given,victim_family\n"+
		"BJ-1,2026-09-01,abh,yes,Darren,Hollis,1984-02-11,Sam,Example\n"+
		"BJ-2,2026-10-01,stalking,yes,Darren,Hollis,1984-02-11,Sam,Example\n"), 0o600))
	must(t, b.Run(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file})))
	if status, err := b.Submit("form[action='/identify/import'] button"); err != nil || status != 200 {
		t.Fatalf("check: %d %v", status, err)
	}
	if status, err := b.Submit("form[action^='/identify/import/checked/'] button"); err != nil || status != 200 {
		t.Fatalf("confirm: %d %v", status, err)
	}
	b.AssertAccessible(t)
	url, _ := b.URL()
	if !regexp.MustCompile(`/imports/\d+$`).MatchString(url) {
		t.Fatalf("after confirming, at %s", url)
	}
	status, err := b.Text("[role=status]")
	if err != nil || !strings.Contains(status, "Waiting to start") {
		t.Fatalf("progress while queued: %q, %v", status, err)
	}

	// The server's worker runs the job; the page finds out by itself.
	if _, err := svc.RunImportJobs(ctx, service.System("imports"), service.ImportWorker{ID: "browser", Lease: time.Minute}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		html, _ := b.HTML()
		if strings.Contains(html, "2 new rows imported") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the progress page did not show the finished import:\n%.2000s", html)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if title, _ := b.Title(); !strings.HasPrefix(title, "Imported weekly.csv") {
		t.Fatalf("title once done: %q", title)
	}
	b.AssertAccessible(t)
	b.AssertNoConsoleErrors(t)
}
