package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/pdf"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/xuri/excelize/v2"
)

// reportsFixture is four sites of synthetic cases and a signed-in user of
// each kind who reads outcomes, over real HTTP at a fixed time:
// Northmoor (large), Eastvale (middling), Smallbrook (three cases, so
// nearly everything there is withheld) and Westhaven, which the
// commissioner does not fund.
type reportsFixture struct {
	t        *testing.T
	db       *store.DB
	url      string
	sites    map[string]account.Site // by code
	sessions map[string]string       // username to session token
	svc      *service.Service
	srv      *Server
	// A person-level record of each kind at Northmoor.
	caseID, personID, victimID int64
}

var reportsNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// reportUsers are the fixture's users: their roles and sites (codes; none
// for a national role).
var reportUsers = []struct {
	name  string
	role  access.Role
	sites []string
	kind  account.OrgKind
}{
	{"tess.lead", access.TeamLeader, []string{"NMR"}, account.Provider},
	{"ann.analyst", access.Analyst, []string{"NMR"}, account.Provider},
	{"cal.manager", access.CaseManager, []string{"NMR"}, account.Provider},
	{"cora.commissioner", access.Commissioner, []string{"NMR", "EVL", "SMB"}, account.CommissionerBody},
	{"nat.national", access.National, nil, account.NationalTeam},
	{"eve.evaluator", access.Evaluator, nil, account.EvaluationPartner},
	{"pat.partner", access.Partner, []string{"NMR"}, account.PoliceForce},
}

func newReportsFixture(t *testing.T, e storetest.Engine) *reportsFixture {
	t.Helper()
	f := &reportsFixture{t: t, db: e.Open(t, storetest.FixedClock(reportsNow)), sites: map[string]account.Site{}, sessions: map[string]string{}}
	ctx := context.Background()
	err := f.db.Transact(ctx, func(tx *store.Tx) error {
		for _, s := range []account.Site{{Code: "NMR", Name: "Northmoor", Region: "North"}, {Code: "EVL", Name: "Eastvale", Region: "North"},
			{Code: "SMB", Name: "Smallbrook", Region: "North"}, {Code: "WHV", Name: "Westhaven", Region: "South"}} {
			if err := tx.CreateSite(ctx, &s); err != nil {
				return err
			}
			if err := tx.SeedProgrammes(ctx, s.ID); err != nil {
				return err
			}
			f.sites[s.Code] = s
		}
		orgs := map[account.OrgKind]int64{}
		for _, k := range account.OrgKinds() {
			o := &account.Organisation{Name: "Org " + string(k), Kind: k}
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
			orgs[k] = o.ID
		}
		for _, u := range reportUsers {
			acc := &account.User{Username: u.name, DisplayName: "User " + u.name, OrganisationID: orgs[u.kind], OrganisationKind: u.kind, PasswordHash: "x", TOTPSecret: "X"}
			for _, code := range u.sites {
				acc.Roles = append(acc.Roles, account.RoleAssignment{Role: u.role, SiteID: f.sites[code].ID})
			}
			if len(u.sites) == 0 {
				acc.Roles = []account.RoleAssignment{{Role: u.role}}
			}
			if err := tx.CreateUser(ctx, acc); err != nil {
				return err
			}
			tok := "drv_s_report_" + u.name
			f.sessions[u.name] = tok
			if err := tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(tok), UserID: acc.ID, Stage: account.StageFull, CSRF: "c",
				Remote: "t", CreatedAt: reportsNow, LastSeenAt: reportsNow, ExpiresAt: reportsNow.Add(time.Hour), ReauthAt: reportsNow}); err != nil {
				return err
			}
		}
		rnd := rand.New(rand.NewPCG(14, 14))
		for _, s := range []struct {
			code string
			n    int
		}{{"NMR", 160}, {"EVL", 90}, {"SMB", 3}, {"WHV", 40}} {
			staff := []*account.User{
				{Username: "cm." + s.code, DisplayName: "Case Manager " + s.code, OrganisationID: orgs[account.Provider], PasswordHash: "x", TOTPSecret: "X",
					Roles: []account.RoleAssignment{{Role: access.CaseManager, SiteID: f.sites[s.code].ID}}},
				{Username: "idva." + s.code, DisplayName: "IDVA " + s.code, OrganisationID: orgs[account.IDVAService], PasswordHash: "x", TOTPSecret: "X",
					Roles: []account.RoleAssignment{{Role: access.IDVA, SiteID: f.sites[s.code].ID}}},
			}
			for _, u := range staff {
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
			}
			c, p, v, err := seedOutcomeCases(ctx, tx, reportsNow, outcomeSeed{site: f.sites[s.code].ID, n: s.n, manager: staff[0].ID, idva: staff[1].ID,
				assessor: staff[1].ID, rnd: rnd})
			if err != nil {
				return err
			}
			if s.code == "NMR" {
				f.caseID, f.personID, f.victimID = c, p, v
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = &service.Service{DB: f.db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}
	srv, err := New(Config{Service: f.svc})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = srv
	ts := httptest.NewServer(Replicated(t, srv))
	t.Cleanup(ts.Close)
	f.url = ts.URL
	return f
}

// TestWarmReportsServeTheNationalPage: what drive serve computes ahead is
// exactly what the national page asks for by default, so the first
// national reader is served from memory; a person cannot warm the cache.
func TestWarmReportsServeTheNationalPage(t *testing.T) {
	f := newReportsFixture(t, storetest.Engines(t)[0])
	ctx := context.Background()
	f.svc.Reports = service.NewReportCache(service.ReportCacheTTL)
	if err := f.srv.WarmReports(ctx); err != nil {
		t.Fatal(err)
	}
	if n := f.svc.Reports.Hits(); n != 0 {
		t.Fatalf("warming served %d reports from the cache; want it to compute", n)
	}
	if resp, b := f.get("nat.national", "/reports/trend-perpetrators"); resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="trends"`) {
		t.Fatalf("national page: %d", resp.StatusCode)
	}
	if n := f.svc.Reports.Hits(); n != 1 {
		t.Fatalf("the national page was served from the cache %d times; want 1 (the warmed report)", n)
	}
	if err := f.svc.WarmOutcomes(ctx, service.Actor{UserID: 1}, service.OutcomeFilter{}, nil); drive.ErrorCode(err) != drive.ENOTFOUND {
		t.Fatalf("a person warming the cache: %v; want not found", err)
	}
}

// get fetches path as the user, without following redirects.
// reportPageLink is a link to a page of the report (not a download).
var reportPageLink = regexp.MustCompile(`href="(/reports/[a-z0-9_-]+(?:\?[^"]*)?)"`)

// report is the whole report at path (its overview) for user: the
// overview and every page its sub navigation and part lists link to, one
// after another (each figure has a page of its own). It fails the test on
// a page that is not 200, after the first.
func (f *reportsFixture) report(user, path string) (*http.Response, []byte) {
	f.t.Helper()
	resp, first := f.get(user, path)
	if resp.StatusCode != 200 {
		return resp, first
	}
	all := append([]byte{}, first...)
	seen := map[string]bool{path: true}
	queue := []string{path}
	pages := 0
	for len(queue) > 0 {
		page := queue[0]
		queue = queue[1:]
		body := first
		if pages > 0 {
			r, b := f.get(user, page)
			if r.StatusCode != 200 {
				f.t.Fatalf("%s: %s answered %d", user, page, r.StatusCode)
			}
			body = b
			all = append(all, b...)
		}
		pages++
		for _, m := range reportPageLink.FindAllStringSubmatch(string(body), -1) {
			link := strings.ReplaceAll(m[1], "&amp;", "&")
			if !seen[link] {
				seen[link] = true
				queue = append(queue, link)
			}
		}
	}
	if pages < 2 {
		f.t.Fatalf("%s: %s links to no other page of the report", user, path)
	}
	return resp, all
}

func (f *reportsFixture) get(user, path string) (*http.Response, []byte) {
	f.t.Helper()
	req, _ := http.NewRequest("GET", f.url+path, nil)
	req.Header.Set("Cookie", "drive_session="+f.sessions[user])
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (f *reportsFixture) auditCount() int {
	f.t.Helper()
	var evs []audit.Event
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		evs, err = tx.AuditEvents(context.Background(), store.AuditFilter{Limit: 100000})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return len(evs)
}

func (f *reportsFixture) site(code string) string { return strconv.FormatInt(f.sites[code].ID, 10) }

// TestReportsPageByRole: the one page adapts to what each user may read:
// a site's staff their site, the commissioner the sites they fund side by
// side, the national team and evaluators every site side by side with the
// trends by quarter; each chart is an image with its table and a note on
// how it is calculated; a site the user may not read is not found.
func TestReportsPageByRole(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newReportsFixture(t, e)
			allSites := []string{"Northmoor", "Eastvale", "Smallbrook", "Westhaven"}
			for _, tc := range []struct {
				user            string
				sees, notSees   []string
				sideBySide      bool
				trends          bool
				minCharts       int
				optionSitesSeen int
			}{
				{"tess.lead", []string{"Northmoor"}, []string{"Eastvale", "Smallbrook", "Westhaven"}, false, false, 5, 1},
				{"ann.analyst", []string{"Northmoor"}, []string{"Eastvale", "Westhaven"}, false, false, 5, 1},
				{"cal.manager", []string{"Northmoor"}, []string{"Eastvale", "Westhaven"}, false, false, 5, 1},
				{"cora.commissioner", []string{"Northmoor", "Eastvale", "Smallbrook"}, []string{"Westhaven"}, true, false, 14, 3},
				{"nat.national", allSites, nil, true, true, 19, 4},
				{"eve.evaluator", allSites, nil, true, true, 19, 4},
			} {
				resp, b := f.report(tc.user, "/reports")
				body := string(b)
				if resp.StatusCode != 200 {
					t.Fatalf("%s: status %d", tc.user, resp.StatusCode)
				}
				for _, want := range append([]string{`href="/reports" aria-current="page">`, "Abusive behaviour stopped", "IDVA-recorded risk reduced",
					"Police-recorded incidents", "Repeat MARAC", "Fidelity to the model", "Perpetrators worked with", "How this is calculated",
					`id="withheld"`, "Equality", "The last 12 months", `href="/reports.csv?period=12m"`}, tc.sees...) {
					if !strings.Contains(body, want) {
						t.Errorf("%s: the page lacks %q", tc.user, want)
					}
				}
				for _, not := range tc.notSees {
					if strings.Contains(body, not) {
						t.Errorf("%s: the page names %s, a site they may not read", tc.user, not)
					}
				}
				if got := strings.Contains(body, `id="sites"`); got != tc.sideBySide {
					t.Errorf("%s: sites side by side shown = %v", tc.user, got)
				}
				if got := strings.Contains(body, `id="trends"`); got != tc.trends {
					t.Errorf("%s: trends shown = %v", tc.user, got)
				}
				charts := strings.Count(body, `<svg class="drive-chart"`)
				if charts < tc.minCharts || charts != strings.Count(body, `role="img" aria-labelledby="chart-`) || charts > strings.Count(body, `<table class="govuk-table">`) {
					t.Errorf("%s: %d charts, %d named, %d tables", tc.user, charts, strings.Count(body, `role="img" aria-labelledby="chart-`), strings.Count(body, `<table class="govuk-table">`))
				}
				sel := body[strings.Index(body, `id="site"`):]
				sel = sel[:strings.Index(sel, "</select>")]
				if n := regexp.MustCompile(`<option value="\d+"`).FindAllStringIndex(sel, -1); len(n) != tc.optionSitesSeen {
					t.Errorf("%s: the site list offers %d sites; want %d", tc.user, len(n), tc.optionSitesSeen)
				}
			}
			// The national trends cover the last eight quarters.
			_, b := f.report("nat.national", "/reports")
			for _, q := range []string{"Q1 2025", "Q4 2026"} {
				if !strings.Contains(string(b), q) {
					t.Errorf("national trends lack %s", q)
				}
			}
			// One site of several, for the commissioner: only that site.
			_, b = f.report("cora.commissioner", "/reports?site="+f.site("EVL")+"&period=FY2025&programme=drive")
			if body := string(b); !strings.Contains(body, "Eastvale: Financial year 2025 to 2026, Drive") || strings.Contains(body, `id="sites"`) {
				t.Errorf("the commissioner's report on Eastvale: wrong heading or sites side by side")
			}
			// A site the user may not read: not found, naming nothing.
			for _, tc := range []struct{ user, code string }{{"tess.lead", "EVL"}, {"cora.commissioner", "WHV"}, {"cal.manager", "SMB"}} {
				for _, path := range []string{"/reports", "/reports.csv", "/reports.xlsx", "/reports.pdf"} {
					resp, b := f.get(tc.user, path+"?site="+f.site(tc.code))
					if resp.StatusCode != 404 || strings.Contains(string(b), f.sites[tc.code].Name) {
						t.Errorf("%s asking %s for %s: %d; want 404", tc.user, path, tc.code, resp.StatusCode)
					}
				}
			}
			// Nobody without aggregates finds the page.
			if resp, _ := f.get("pat.partner", "/reports"); resp.StatusCode != 404 {
				t.Errorf("partner: %d; want 404", resp.StatusCode)
			}
		})
	}
}

// TestReportsReachNoPersonLevelRecord: the commissioner, national and
// evaluator users are shown nothing about any person on the report pages
// (no name, no link to a record) and reach no person-level record by any
// route that names one. The access matrix walks every route for every
// role; this holds it for the report users and a real caseload.
func TestReportsReachNoPersonLevelRecord(t *testing.T) {
	f := newReportsFixture(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	personal := regexp.MustCompile(`Perpetrator\d{6}|Survivor\d{6}|Synthetic|href="/(cases|people|victims|identify/people|meetings/\d)`)
	for _, user := range []string{"cora.commissioner", "nat.national", "eve.evaluator"} {
		for _, path := range []string{"/reports", "/reports?site=" + f.site("SMB"), "/reports?programme=restart&period=2026-Q3", "/"} {
			get := f.report
			if path == "/" {
				get = f.get
			}
			resp, b := get(user, path)
			if resp.StatusCode != 200 {
				t.Errorf("%s %s: %d", user, path, resp.StatusCode)
			}
			if m := personal.FindString(string(b)); m != "" {
				t.Errorf("%s %s shows %q", user, path, m)
			}
		}
		id := func(n int64) string { return strconv.FormatInt(n, 10) }
		for _, path := range []string{"/cases/" + id(f.caseID), "/cases/" + id(f.caseID) + "/police", "/people/" + id(f.personID),
			"/people/" + id(f.personID) + "/edit", "/victims/" + id(f.victimID), "/victims/" + id(f.victimID) + "/dash", "/cases", "/caseload",
			"/victims", "/api/v1/cases/" + id(f.caseID), "/api/v1/victims/" + id(f.victimID)} {
			resp, b := f.get(user, path)
			if resp.StatusCode != 404 && resp.StatusCode != 401 || personal.MatchString(string(b)) {
				t.Errorf("%s reaches %s: %d", user, path, resp.StatusCode)
			}
		}
	}
}

// countCells finds every published count on a report page: the cells the
// page marks as counts.
var countCells = regexp.MustCompile(`data-count>([^<]*)<`)

// unsafeCounts returns the published counts on a page that break the
// rule: each must be withheld ("[c]"), zero, or a multiple of 5 (a
// rounded count, of at least 10 once 1 to 7 are withheld); a count of 1
// to 4 shown as it is, or any count not rounded, is returned.
func unsafeCounts(body string) (bad []string, n int) {
	for _, m := range countCells.FindAllStringSubmatch(body, -1) {
		n++
		if !safeCount(m[1]) {
			bad = append(bad, m[1])
		}
	}
	return bad, n
}

func safeCount(s string) bool {
	s = strings.TrimSpace(s)
	if s == "[c]" || s == "0" {
		return true
	}
	v, err := strconv.Atoi(strings.TrimPrefix(s, "-"))
	return err == nil && v%5 == 0 && v >= 10
}

// TestUnsafeCountsCanFail: the check finds a small count shown as it is,
// and an unrounded one, so the test below could fail.
func TestUnsafeCountsCanFail(t *testing.T) {
	for _, tc := range []struct {
		body string
		bad  int
	}{
		{`<td data-count>[c]</td><td data-count>0</td><td data-count>15</td><td data-count>-20</td>`, 0},
		{`<td data-count>3</td>`, 1},
		{`<td data-count>5</td>`, 1},
		{`<td data-count>12</td><span data-count>1</span>`, 2},
	} {
		if bad, _ := unsafeCounts(tc.body); len(bad) != tc.bad {
			t.Errorf("%s: %v found; want %d", tc.body, bad, tc.bad)
		}
	}
}

// TestReportsWithholdSmallCounts: on every page each user may see (all
// their sites, each site, each programme, a quarter), every published
// count is withheld, zero or rounded: none from 1 to 4 appears. Smallbrook
// has three cases, so the check meets counts that are small in truth.
func TestReportsWithholdSmallCounts(t *testing.T) {
	f := newReportsFixture(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	total, withheld := 0, 0
	for _, user := range []string{"tess.lead", "cora.commissioner", "nat.national", "eve.evaluator"} {
		paths := []string{"/reports", "/reports?programme=restart", "/reports?period=2026-Q3", "/reports?period=FY2025&programme=drive"}
		for _, code := range []string{"NMR", "EVL", "SMB", "WHV"} {
			paths = append(paths, "/reports?site="+f.site(code))
		}
		for _, path := range paths {
			resp, b := f.report(user, path)
			if resp.StatusCode == 404 {
				continue
			}
			if resp.StatusCode != 200 {
				t.Fatalf("%s %s: %d", user, path, resp.StatusCode)
			}
			bad, n := unsafeCounts(string(b))
			if len(bad) > 0 {
				t.Errorf("%s %s publishes counts %v", user, path, bad)
			}
			total += n
			withheld += strings.Count(string(b), "data-count>[c]<")
		}
	}
	// The downloads, for the users who see most.
	files := 0
	for _, user := range []string{"cora.commissioner", "nat.national"} {
		for _, path := range []string{"?period=12m", "?site=" + f.site("SMB"), "?site=" + f.site("NMR") + "&programme=restart", "?quarter=2026-Q3"} {
			for _, ext := range []string{"csv", "xlsx", "pdf"} {
				resp, b := f.get(user, "/reports."+ext+path)
				if resp.StatusCode == 404 {
					continue
				}
				if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="outcomes-`) ||
					resp.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("%s /reports.%s%s: %d %q %q", user, ext, path, resp.StatusCode, resp.Header.Get("Content-Disposition"), resp.Header.Get("Cache-Control"))
				}
				bad, n := fileCounts(t, ext, b)
				if len(bad) > 0 {
					t.Errorf("%s /reports.%s%s publishes counts %v", user, ext, path, bad)
				}
				if n < 20 {
					t.Errorf("%s /reports.%s%s: only %d counts found to check", user, ext, path, n)
				}
				files++
			}
		}
	}
	if files < 20 {
		t.Errorf("only %d files checked", files)
	}
	resp, b := f.report("nat.national", "/reports?site="+f.site("SMB"))
	if resp.StatusCode != 200 || !strings.Contains(string(b), `data-count>[c]<`) {
		t.Errorf("Smallbrook's three cases are not withheld")
	}
	if total < 500 || withheld == 0 || withheld == total {
		t.Fatalf("%d counts checked, %d withheld: the fixture does not exercise the rule", total, withheld)
	}
	t.Logf("%d published counts checked, %d withheld", total, withheld)
}

// TestReportsRefuseBadFilters: a filter that cannot be read is refused
// with the message against its field, on the page and the downloads,
// and nothing is read or audited.
func TestReportsRefuseBadFilters(t *testing.T) {
	f := newReportsFixture(t, storetest.Engine{Name: "sqlite", Open: storetest.OpenSQLite})
	before := f.auditCount()
	for _, tc := range []struct{ query, field, msg string }{
		{"site=north", "site", "Choose a site from the list"},
		{"site=0", "site", "Choose a site from the list"},
		{"programme=caring", "programme", "Choose all programmes, Drive or Restart"},
		{"period=2026-Q5", "period", "Choose a period from the list"},
		{"period=2027-Q2", "period", "Choose a period that has begun"},
		{"period=<script>", "period", "Choose a period from the list"},
		{"from=2026-01-01", "from", "Give the dates the period runs from and to"},
		{"from=2026-03-01&to=2026-01-01", "to", "The end of the period must not be before its start"},
		{"period=12m&from=2026-01-01&to=2026-02-01", "period", "not both"},
	} {
		resp, b := f.get("nat.national", "/reports?"+tc.query)
		body := string(b)
		if resp.StatusCode != 422 || !strings.Contains(body, tc.msg) || !strings.Contains(body, `href="#`+tc.field+`"`) {
			t.Errorf("%s: %d; want 422 with %q against %s", tc.query, resp.StatusCode, tc.msg, tc.field)
		}
		if strings.Contains(body, "drive-chart") || strings.Contains(body, "data-count") || strings.Contains(body, "<script>") {
			t.Errorf("%s: the refused page shows figures or echoes the input", tc.query)
		}
		for _, ext := range []string{".csv", ".xlsx", ".pdf"} {
			resp, b := f.get("nat.national", "/reports"+ext+"?"+tc.query)
			if resp.StatusCode != 422 || resp.Header.Get("Content-Disposition") != "" || strings.Contains(string(b), "perpetrators") {
				t.Errorf("%s%s: %d %q; want 422 and no file", ext, tc.query, resp.StatusCode, resp.Header.Get("Content-Disposition"))
			}
		}
	}
	if after := f.auditCount(); after != before {
		t.Errorf("refused filters recorded %d audit events", after-before)
	}
}

// staffMeasure is the one figure whose denominator counts staff, not
// people the service works with, and is published as it is.
const staffMeasure = "caseload_per_case_manager"

// fileCounts reads a downloaded report back and returns the published
// counts in it that break the rule, and how many counts it checked: in CSV
// and the workbook the numerator, denominator and count columns; in the
// PDF every figure that is a bare whole number (the files write shares,
// means and days otherwise).
func fileCounts(t *testing.T, ext string, b []byte) (bad []string, n int) {
	t.Helper()
	check := func(cell string) {
		cell = strings.TrimPrefix(strings.TrimSpace(cell), "'")
		if cell == "" {
			return
		}
		n++
		if !safeCount(cell) {
			bad = append(bad, cell)
		}
	}
	table := func(rows [][]string, cols ...string) {
		if len(rows) == 0 {
			t.Fatalf("%s: no rows", ext)
		}
		head := rows[0]
		for _, row := range rows[1:] {
			if len(row) == len(head) && strings.Join(row, ",") == strings.Join(head, ",") {
				continue
			}
			for i, c := range row {
				if i >= len(head) || !slices.Contains(cols, head[i]) {
					continue
				}
				if slices.Contains(row, staffMeasure) && strings.EqualFold(head[i], "denominator") {
					continue
				}
				check(c)
			}
		}
	}
	switch ext {
	case "csv":
		rd := csv.NewReader(bytes.NewReader(b))
		rd.FieldsPerRecord = -1
		rows, err := rd.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		// Two tables, each with its header: measures, then equality.
		split := len(rows)
		for i, r := range rows {
			if i > 0 && len(r) > 0 && r[0] == "population" {
				split = i
			}
		}
		table(rows[:split], "numerator", "denominator")
		if split < len(rows) {
			table(rows[split:], "count", "total", "known")
		}
	case "xlsx":
		x, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		for sheet, cols := range map[string][]string{"Measures": {"Numerator", "Denominator"}, "Equality": {"Count", "Total", "Answered"}} {
			rows, err := x.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			table(rows, cols...)
		}
	case "pdf":
		text, err := pdf.Text(b)
		if err != nil {
			t.Fatal(err)
		}
		// A label too long for its column wraps onto lines of its own
		// before the line of figures; the staff count's row is known by
		// its label.
		label := ""
		for _, line := range strings.Split(text, "\n") {
			if !strings.Contains(line, "\t") {
				label += " " + line
				continue
			}
			row := label + " " + line
			label = ""
			if strings.Contains(row, "Open cases per case manager") {
				continue
			}
			for _, piece := range strings.Split(line, "\t") {
				if _, err := strconv.Atoi(strings.TrimSpace(piece)); err == nil || strings.TrimSpace(piece) == "[c]" {
					check(piece)
				}
			}
		}
	}
	return bad, n
}

// BenchmarkNationalReportPage renders the national team's outcome page
// (every site side by side and eight quarters of trends) over a
// national-scale caseload on SQLite: 40 sites and 100,000 perpetrators'
// cases with their victim-survivors, behaviour assessments at T1 and T3
// for most closed cases, IDVA ratings and actions, through the whole HTTP
// stack with a signed-in session. The fixture is written through the
// store once, before the timer starts (a few minutes on two cores).
// REPORT_BENCH_CASES sets a smaller caseload for a quick run.
//
//	go test ./web -run '^$' -bench BenchmarkNationalReportPage -benchtime 5x -benchmem
func BenchmarkNationalReportPage(b *testing.B) {
	const sites = 40
	cases := 100000
	if n, err := strconv.Atoi(os.Getenv("REPORT_BENCH_CASES")); err == nil && n > 0 {
		cases = n
	}
	db := storetest.OpenSQLite(b, storetest.FixedClock(reportsNow))
	ctx := context.Background()
	token := "drv_s_bench_national"
	start := time.Now()
	var org int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		o := &account.Organisation{Name: "Drive National Team", Kind: account.NationalTeam}
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		org = o.ID
		u := &account.User{Username: "bench.national", DisplayName: "Bench National", OrganisationID: org, OrganisationKind: account.NationalTeam,
			PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: access.National}}}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(token), UserID: u.ID, Stage: account.StageFull, CSRF: "c",
			Remote: "bench", CreatedAt: reportsNow, LastSeenAt: reportsNow, ExpiresAt: reportsNow.Add(12 * time.Hour), ReauthAt: reportsNow})
	})
	if err != nil {
		b.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(40, 100000))
	for i := 0; i < sites; i++ {
		// One transaction a site keeps each commit a reasonable size.
		err := db.Transact(ctx, func(tx *store.Tx) error {
			s := account.Site{Code: fmt.Sprintf("S%02d", i), Name: fmt.Sprintf("Site %02d", i), Region: fmt.Sprintf("Region %d", i%9)}
			if err := tx.CreateSite(ctx, &s); err != nil {
				return err
			}
			if err := tx.SeedProgrammes(ctx, s.ID); err != nil {
				return err
			}
			var staff []int64
			for _, role := range []access.Role{access.CaseManager, access.IDVA} {
				u := &account.User{Username: fmt.Sprintf("bench.%s.%02d", role, i), DisplayName: "Bench staff", OrganisationID: org,
					PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: role, SiteID: s.ID}}}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				staff = append(staff, u.ID)
			}
			n := cases / sites
			if i < cases%sites {
				n++
			}
			_, _, _, err := seedOutcomeCases(ctx, tx, reportsNow, outcomeSeed{site: s.ID, n: n, manager: staff[0], idva: staff[1], assessor: staff[1], rnd: rnd})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("fixture: %d sites, %d cases in %s", sites, cases, time.Since(start).Round(time.Second))
	// "computed" reads and computes the report on every request, as the
	// first request after the cache's time does; "served" is drive serve,
	// which keeps a computed report for ReportCacheTTL (the first request,
	// outside the timer, computes it).
	for _, cached := range []bool{false, true} {
		name := "computed"
		svc := &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(b)}
		if cached {
			name, svc.Reports = "served", service.NewReportCache(service.ReportCacheTTL)
		}
		b.Run(name, func(b *testing.B) {
			srv, err := New(Config{Service: svc})
			if err != nil {
				b.Fatal(err)
			}
			get := func() *httptest.ResponseRecorder {
				req := httptest.NewRequest("GET", "/reports", nil)
				req.Header.Set("Cookie", "drive_session="+token)
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				return rec
			}
			if rec := get(); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="trends"`) || !strings.Contains(rec.Body.String(), "Site 39") {
				b.Fatalf("national page: status %d, or without trends or every site", rec.Code)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if rec := get(); rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}
