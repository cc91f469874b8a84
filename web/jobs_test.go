package web

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/jobs"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// nationalUsers adds a national administrator and a national data
// protection officer, signed in, to a site fixture's seed.
func nationalUsers(tokens map[access.Role]string, now time.Time) func(ctx context.Context, tx *store.Tx, site account.Site) error {
	return func(ctx context.Context, tx *store.Tx, site account.Site) error {
		org := &account.Organisation{Name: "National team", Kind: account.NationalTeam}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		for _, role := range []access.Role{access.Admin, access.DPO} {
			u := &account.User{Username: "n." + string(role), DisplayName: "National " + string(role), OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X",
				Roles: []account.RoleAssignment{{Role: role}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			tok := "drv_s_national_" + string(role)
			tokens[role] = tok
			if err := tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(tok), UserID: u.ID, Stage: account.StageFull, CSRF: "c",
				Remote: "t", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), ReauthAt: now}); err != nil {
				return err
			}
			if err := tx.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, TokenHash: auth.HashToken(apiTokenOf(role)), ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	}
}

// apiTokenOf is the API token a test gives the user of role.
func apiTokenOf(role access.Role) string { return "drv_t_jobs_" + string(role) }

// apiGet calls the JSON API with role's token.
func (f *siteFixture) apiGet(path, token string) (int, string) {
	f.t.Helper()
	req, _ := http.NewRequest("GET", f.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return do(f.t, http.DefaultClient, req)
}

// TestJobsPage: a national administrator sees the queue by kind, each
// failure with its safe error and a retry button, retries a dead job with
// the form's CSRF token (audited; without the token nothing changes); a
// national dpo sees the queue but no button; a site's team leader and a
// case manager find no such page; GET /api/v1/jobs answers the same
// queue; /metrics counts it by kind and state.
func TestJobsPage(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
			national := map[access.Role]string{}
			seed := nationalUsers(national, now)
			f := newSiteFixture(t, e, now, []access.Role{access.TeamLeader, access.CaseManager}, func(ctx context.Context, tx *store.Tx, site account.Site) error {
				if err := seed(ctx, tx, site); err != nil {
					return err
				}
				leader, err := tx.UserByUsername(ctx, "u."+string(access.TeamLeader))
				if err != nil {
					return err
				}
				return tx.CreateAPIToken(ctx, &account.APIToken{UserID: leader.ID, TokenHash: auth.HashToken(apiTokenOf(access.TeamLeader)), ExpiresAt: now.Add(time.Hour)})
			})
			f.tokens[access.Admin], f.tokens[access.DPO] = national[access.Admin], national[access.DPO]
			svc, sys := f.srv.svc, service.System("test")
			for _, kind := range []string{"mail.announce", "feeds.watch", "feeds.watch"} {
				if _, err := svc.EnqueueJob(ctx, sys, &jobs.Job{Kind: kind, MaxAttempts: 1}); err != nil {
					t.Fatal(err)
				}
			}
			w := &service.JobWorker{ID: "web-test", Handlers: map[string]service.JobHandler{
				"mail.announce": func(context.Context, *jobs.Job) error {
					return drive.Errorf(drive.EUNAVAILABLE, "the mail server did not answer")
				},
			}}
			if ran, err := svc.RunNextJob(ctx, sys, w); !ran || err != nil {
				t.Fatalf("run: %v %v", ran, err)
			}
			q, err := svc.Jobs(ctx, service.CommandLine(), store.JobFilter{State: jobs.Dead})
			if err != nil || len(q.Jobs) != 1 {
				t.Fatalf("dead: %v %v", q, err)
			}
			dead := strconv.FormatInt(q.Jobs[0].ID, 10)
			// A file waiting to be imported, on its own queue.
			if err := f.db.Transact(ctx, func(tx *store.Tx) error {
				sum := sha256.Sum256([]byte("ref\n"))
				_, err := tx.CreateImportJob(ctx, &store.ImportJob{SiteID: f.site.ID, Kind: "incidents", SHA256: sum[:]}, []byte("ref\n"))
				return err
			}); err != nil {
				t.Fatal(err)
			}

			status, body, _ := f.do(access.Admin, "GET", "/admin/jobs", nil)
			if status != http.StatusOK {
				t.Fatalf("GET /admin/jobs as the national admin: %d", status)
			}
			for _, want := range []string{"<code>feeds.watch</code>", "the mail server did not answer", `action="/admin/jobs/` + dead + `/retry"`, "1 of 1", ">Jobs<", "Police extracts"} {
				if !strings.Contains(body, want) {
					t.Errorf("the page lacks %q", want)
				}
			}
			status, body, _ = f.do(access.DPO, "GET", "/admin/jobs?state=dead", nil)
			if status != http.StatusOK || !strings.Contains(body, "the mail server did not answer") || strings.Contains(body, "/retry") {
				t.Errorf("as the national dpo: %d, retry offered %v", status, strings.Contains(body, "/retry"))
			}
			for _, role := range []access.Role{access.TeamLeader, access.CaseManager} {
				if status, _, _ := f.do(role, "GET", "/admin/jobs", nil); status != http.StatusNotFound {
					t.Errorf("GET /admin/jobs as %s: %d, want 404", role, status)
				}
			}
			if status, _ := f.apiGet("/api/v1/jobs", apiTokenOf(access.TeamLeader)); status != http.StatusNotFound {
				t.Errorf("GET /api/v1/jobs as a site's team leader: %d, want 404", status)
			}
			if status, _, _ := f.do(access.Admin, "GET", "/admin/jobs?state=stuck", nil); status != http.StatusUnprocessableEntity && status != http.StatusBadRequest {
				t.Errorf("an unknown state: %d", status)
			}

			// Without the form's token nothing is retried.
			req, _ := http.NewRequest("POST", f.url+"/admin/jobs/"+dead+"/retry", strings.NewReader(""))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if status, _, _ := f.send(access.Admin, req); status < 400 {
				t.Fatalf("a retry without the CSRF token: %d", status)
			}
			if status, _, _ := f.do(access.DPO, "POST", "/admin/jobs/"+dead+"/retry", url.Values{}); status != http.StatusNotFound {
				t.Fatalf("a retry by the dpo: %d", status)
			}
			if q, _ := svc.Jobs(ctx, service.CommandLine(), store.JobFilter{State: jobs.Dead}); len(q.Jobs) != 1 {
				t.Fatal("a refused retry changed the job")
			}
			status, _, loc := f.do(access.Admin, "POST", "/admin/jobs/"+dead+"/retry", url.Values{})
			if status != http.StatusSeeOther || loc != "/admin/jobs?done=job_retried" {
				t.Fatalf("retry: %d %q", status, loc)
			}
			if _, body, _ := f.do(access.Admin, "GET", loc, nil); !strings.Contains(body, "Job queued again") {
				t.Error("no confirmation after the retry")
			}
			if status, _, _ := f.do(access.Admin, "POST", "/admin/jobs/"+dead+"/retry", url.Values{}); status != http.StatusNotFound {
				t.Errorf("retrying a job no longer dead: %d", status)
			}

			status, body = f.apiGet("/api/v1/jobs?kind=feeds.watch", apiTokenOf(access.Admin))
			var got struct {
				Counts []struct {
					Kind, State string
					Count       int
				}
				Jobs []struct {
					ID   int64
					Kind string
				}
				Imports []struct {
					Kind, State string
					Count       int
				}
			}
			if status != http.StatusOK || json.Unmarshal([]byte(body), &got) != nil || len(got.Jobs) != 2 || got.Jobs[0].Kind != "feeds.watch" {
				t.Fatalf("GET /api/v1/jobs: %d %s", status, body)
			}
			counts := map[string]int{}
			for _, c := range got.Counts {
				counts[c.Kind+"/"+c.State] = c.Count
			}
			if len(got.Imports) != 1 || got.Imports[0].Kind != "incidents" || got.Imports[0].State != "queued" || got.Imports[0].Count != 1 {
				t.Errorf("imports: %+v", got.Imports)
			}
			if counts["feeds.watch/queued"] != 2 || counts["mail.announce/queued"] != 1 {
				t.Errorf("counts: %v", counts)
			}
			if status, _ := f.apiGet("/api/v1/jobs?limit=9999", apiTokenOf(access.Admin)); status != http.StatusUnprocessableEntity && status != http.StatusBadRequest {
				t.Errorf("a bad limit: %d", status)
			}

			resp, err := http.Get(f.url + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b strings.Builder
			_, _ = io.Copy(&b, resp.Body)
			for _, want := range []string{`drive_jobs{kind="feeds.watch",state="queued"} 2`, `drive_job_oldest_seconds{kind="feeds.watch"} 0`, `drive_import_jobs{kind="incidents",status="queued"} 1`} {
				if !strings.Contains(b.String(), want) {
					t.Errorf("metrics lack %s", want)
				}
			}
		})
	}
}
