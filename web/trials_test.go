package web

import (
	"context"
	"encoding/json"
	"fmt"
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
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// TestTrialPages runs a trial through the pages: the team leader starts
// it, the panel's acceptances allocate referrals whose arm shows on their
// case, the balance page and the API count them per band, a case manager
// finds none of it, and the trial's seed appears in no page or API answer
// before or after it ends.
func TestTrialPages(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testTrialPages(t, e) })
	}
}

func testTrialPages(t *testing.T, e storetest.Engine) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	const referrals = 8
	var caseIDs []int64
	f := newSiteFixture(t, e, now, []access.Role{access.TeamLeader, access.CaseManager}, func(ctx context.Context, tx *store.Tx, site account.Site) error {
		for i := 0; i < referrals; i++ {
			p := &people.Person{SiteID: site.ID, GivenName: "Trial", FamilyName: fmt.Sprintf("Person%d", i), DateOfBirth: drive.MustDate("1980-01-01").AddDays(i)}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			c := &casework.Case{SiteID: site.ID, PersonID: p.ID, Programme: "drive", State: casework.Referred, Engagement: casework.NotYetContacted,
				Source: casework.FromMARAC, ReferredAt: drive.DateOf(now).AddDays(-3), Summary: "Heard at MARAC",
				Evidence: programme.Evidence{DASHScore: []int{16, 12, 3, 18}[i%4], Victims: 1}}
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
			caseIDs = append(caseIDs, c.ID)
		}
		return nil
	})
	lead := access.TeamLeader
	var seen strings.Builder // every page and answer, to look for the seed in
	get := func(role access.Role, path string) (int, string) {
		t.Helper()
		status, body, _ := f.do(role, "GET", path, nil)
		seen.WriteString(body)
		return status, body
	}
	// An API token for each user.
	tokens := map[access.Role]string{}
	err := f.db.Transact(context.Background(), func(tx *store.Tx) error {
		for _, role := range []access.Role{lead, access.CaseManager} {
			u, err := tx.UserByUsername(context.Background(), "u."+string(role))
			if err != nil {
				return err
			}
			tok, hash, err := auth.NewToken(strings.NewReader(strings.Repeat("api"+string(role), 64)), auth.APITokenPrefix)
			if err != nil {
				return err
			}
			tokens[role] = tok
			if err := tx.CreateAPIToken(context.Background(), &account.APIToken{UserID: u.ID, TokenHash: hash, ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	apiGet := func(role access.Role, path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", f.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+tokens[role])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		seen.WriteString(b.String())
		return resp.StatusCode, b.String()
	}

	if _, body := get(lead, "/reports/trial"); strings.Contains(body, "Intervention against comparison") {
		t.Error("the outcome report shows a trial before any ran")
	}
	if status, _ := get(access.CaseManager, "/trials"); status != 404 {
		t.Errorf("a case manager's trials page: %d", status)
	}
	status, body := get(lead, "/trials")
	if status != 200 || !strings.Contains(body, "Start a trial") || !strings.Contains(body, `href="/trials"`) {
		t.Fatalf("trials page: %d", status)
	}
	site := strconv.FormatInt(f.site.ID, 10)
	if status, body, _ := f.do(lead, "POST", "/trials", url.Values{"site": {site}, "name": {""}}); status != 422 || !strings.Contains(body, "Name the trial") {
		t.Errorf("a trial without a name: %d", status)
	}
	status, _, loc := f.do(lead, "POST", "/trials", url.Values{"site": {site}, "name": {"Northmoor trial"}, "programme": {"drive"}, "outcome_months": {"10"}})
	if status != 303 || !strings.HasPrefix(loc, "/trials/") {
		t.Fatalf("start: %d %q", status, loc)
	}
	trialPath := strings.TrimSuffix(loc, "?done=started")
	if status, body, _ := f.do(lead, "POST", "/trials", url.Values{"site": {site}, "name": {"Another"}}); status != 409 || !strings.Contains(body, "already running") {
		t.Errorf("a second trial: %d", status)
	}
	if status, _, _ := f.do(access.CaseManager, "POST", trialPath+"/end", url.Values{}); status != 404 {
		t.Errorf("a case manager ending the trial: %d", status)
	}

	// The panel accepts each referral: each is allocated then, and its
	// case says which arm it is in.
	arms := map[string]int{}
	for _, id := range caseIDs {
		path := "/cases/" + strconv.FormatInt(id, 10)
		if status, _, _ := f.do(lead, "POST", path+"/move", url.Values{"event": {"accept"}, "reasons": {"Meets the criteria"}}); status != 303 {
			t.Fatalf("accepting %s: %d", path, status)
		}
		_, body := get(lead, path)
		switch {
		case strings.Contains(body, "Comparison (trial)") && strings.Contains(body, "no Drive case work"):
			arms["comparison"]++
			if strings.Contains(body, "Allocate to a case manager") {
				t.Errorf("%s is in the comparison group but offers allocation", path)
			}
		case strings.Contains(body, "Intervention (trial)"):
			arms["intervention"]++
		default:
			t.Errorf("%s shows no arm", path)
		}
	}

	if _, body := get(lead, "/cases"); strings.Count(body, "Comparison (trial)") != arms["comparison"] || strings.Count(body, "Intervention (trial)") != arms["intervention"] {
		t.Errorf("the case list marks %d comparison and %d intervention referrals, want %d and %d",
			strings.Count(body, "Comparison (trial)"), strings.Count(body, "Intervention (trial)"), arms["comparison"], arms["intervention"])
	}
	if status, body := apiGet(lead, "/api/v1/cases/"+strconv.FormatInt(caseIDs[0], 10)); status != 200 ||
		!(strings.Contains(body, `"trial_arm":"intervention"`) || strings.Contains(body, `"trial_arm":"comparison"`)) {
		t.Errorf("the case in the API has no arm: %d %s", status, body)
	}
	status, body = get(lead, trialPath)
	if status != 200 || !strings.Contains(body, "Balance of the referrals allocated so far") || !strings.Contains(body, "End the trial") {
		t.Fatalf("trial page: %d", status)
	}
	total := body[strings.Index(body, "All bands"):]
	want := fmt.Sprintf(`numeric">%d</td>`+"\n"+`      <td class="govuk-table__cell govuk-table__cell--numeric">%d</td>`, arms["intervention"], arms["comparison"])
	if !strings.Contains(total, want) {
		t.Errorf("the overall row does not show %d intervention and %d comparison: %s", arms["intervention"], arms["comparison"], total[:300])
	}
	if status, _ := get(access.CaseManager, trialPath); status != 404 {
		t.Errorf("a case manager's trial page: %d", status)
	}

	// The API counts the same, per band.
	id := strings.TrimPrefix(trialPath, "/trials/")
	status, body = apiGet(lead, "/api/v1/trials/"+id)
	var got struct {
		Trial struct {
			Name    string  `json:"name"`
			EndedOn *string `json:"ended_on"`
		} `json:"trial"`
		Balance []struct {
			Band                     string
			Intervention, Comparison int
		} `json:"balance"`
	}
	if err := json.Unmarshal([]byte(body), &got); status != 200 || err != nil {
		t.Fatalf("API trial: %d %v", status, err)
	}
	bands := map[string]int{}
	for _, b := range got.Balance {
		bands[b.Band] = b.Intervention + b.Comparison
	}
	if got.Trial.Name != "Northmoor trial" || got.Trial.EndedOn != nil || bands["high"] != 4 || bands["medium"] != 2 || bands["standard"] != 2 || bands["all"] != referrals {
		t.Errorf("API trial %+v, bands %v", got.Trial, bands)
	}
	if status, _ := apiGet(access.CaseManager, "/api/v1/trials/"+id); status != 404 {
		t.Errorf("a case manager's API trial: %d", status)
	}
	if status, body := apiGet(lead, "/api/v1/trials"); status != 200 || !strings.Contains(body, "Northmoor trial") {
		t.Errorf("API trials: %d %s", status, body)
	}

	if status, _, _ := f.do(lead, "POST", trialPath+"/end", url.Values{}); status != 303 {
		t.Fatalf("ending: %d", status)
	}
	if _, body := get(lead, trialPath); !strings.Contains(body, "drive trial verify") || strings.Contains(body, "End the trial") {
		t.Error("the ended trial's page")
	}
	get(lead, "/trials")
	if status, body := get(lead, "/reports/trial"); status != 200 || !strings.Contains(body, "Intervention against comparison") || !strings.Contains(body, "Referrals allocated") {
		t.Errorf("the outcome report has no trial section (%d)", status)
	}
	apiGet(lead, "/api/v1/trials/"+id)

	// The seed, which verification gives once the trial has ended, was in
	// nothing any page or answer showed.
	n, _ := strconv.ParseInt(id, 10, 64)
	v, err := f.srv.svc.VerifyTrial(context.Background(), service.CommandLine(), n)
	if err != nil || len(v.Mismatches) != 0 || v.Allocations != referrals {
		t.Fatalf("verify: %+v %v", v, err)
	}
	all := seen.String()
	for _, form := range []string{strconv.FormatUint(v.Seed, 10), strconv.FormatUint(v.Seed, 16), fmt.Sprintf("%X", v.Seed), fmt.Sprintf("%016x", v.Seed)} {
		if strings.Contains(all, form) {
			t.Errorf("the seed appears (as %s) in a page or answer", form)
		}
	}
}
