package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/api"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
	"github.com/drive-platform/drive/web"
)

// TestCaseworkAPI drives a case through the JSON API on both engines: a
// referral, its duplicate check, bad input that changes nothing, the
// state machine refusing illegal moves, and another site's user getting
// "not found".
func TestCaseworkAPI(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { testCaseworkAPI(t, e) })
	}
}

func testCaseworkAPI(t *testing.T, e storetest.Engine) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := e.Open(t, storetest.FixedClock(now))
	ctx := context.Background()
	tokens := map[string]string{}
	var siteA int64
	var managerID int64
	err := db.Transact(ctx, func(tx *store.Tx) error {
		org := &account.Organisation{Name: "Provider", Kind: account.Provider}
		if err := tx.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		for _, code := range []string{"AAA", "BBB"} {
			st := &account.Site{Code: code, Name: "Site " + code, Region: "R"}
			if err := tx.CreateSite(ctx, st); err != nil {
				return err
			}
			if err := tx.SeedProgrammes(ctx, st.ID); err != nil {
				return err
			}
			if code == "AAA" {
				siteA = st.ID
			}
			for _, role := range []access.Role{access.TeamLeader, access.CaseManager} {
				u := &account.User{Username: strings.ToLower(code) + "." + strings.ReplaceAll(string(role), "_", ""), DisplayName: "User " + code + " " + string(role),
					OrganisationID: org.ID, PasswordHash: "x", TOTPSecret: "X", Roles: []account.RoleAssignment{{Role: role, SiteID: st.ID}}}
				if err := tx.CreateUser(ctx, u); err != nil {
					return err
				}
				if code == "AAA" && role == access.CaseManager {
					managerID = u.ID
				}
				tok, hash, err := auth.NewToken(strings.NewReader(strings.Repeat(u.Username, 64)), auth.APITokenPrefix)
				if err != nil {
					return err
				}
				tokens[u.Username] = tok
				if err := tx.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, TokenHash: hash, ExpiresAt: now.Add(time.Hour)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Config{Service: &service.Service{DB: db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(web.Replicated(t, srv))
	defer ts.Close()
	call := func(user, method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+"/api/v1"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tokens[user])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if len(raw) > 0 && raw[0] == '{' {
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatalf("%s %s: bad JSON %s", method, path, raw)
			}
		}
		return resp.StatusCode, out
	}
	errCode := func(out map[string]any) string {
		e, _ := out["error"].(map[string]any)
		c, _ := e["code"].(string)
		return c
	}
	countCases := func() int {
		_, out := call("aaa.teamleader", "GET", "/cases", "")
		return int(out["total"].(float64))
	}
	site := strconv.FormatInt(siteA, 10)
	referral := `{"site_id":` + site + `,"programme":"drive","source":"marac","referred_at":"2026-11-20","summary":"Repeat MARAC",
		"evidence":{"dash_score":16,"victims":1},"person":{"given_name":"Darren","family_name":"Hollis","date_of_birth":"1984-02-11"}}`

	// Bad input: each refused with a clear JSON error, nothing stored.
	for name, body := range map[string]string{
		"not json":      `{"site_id":`,
		"unknown field": `{"site_id":1,"colour":"red"}`,
		"future date":   strings.Replace(referral, "2026-11-20", "2026-12-20", 1),
		"bad date":      strings.Replace(referral, "2026-11-20", "20/13/2026", 1),
		"no summary":    strings.Replace(referral, `"Repeat MARAC"`, `""`, 1),
		"DASH too high": strings.Replace(referral, `"dash_score":16`, `"dash_score":40`, 1),
		"future birth":  strings.Replace(referral, "1984-02-11", "2030-01-01", 1),
	} {
		status, out := call("aaa.teamleader", "POST", "/referrals", body)
		if status != http.StatusUnprocessableEntity || errCode(out) != "invalid" {
			t.Errorf("%s: status %d %v; want 422 invalid", name, status, out)
		}
	}
	if n := countCases(); n != 0 {
		t.Fatalf("bad referrals stored %d cases", n)
	}
	// A case manager may not refer (write at site level).
	if status, _ := call("aaa.casemanager", "POST", "/referrals", referral); status != http.StatusUnprocessableEntity {
		t.Errorf("case manager referral: status %d; want 422 (no site where they take referrals)", status)
	}

	status, out := call("aaa.teamleader", "POST", "/referrals", referral)
	if status != http.StatusCreated || out["created"] != true {
		t.Fatalf("referral: %d %v", status, out)
	}
	caseID := strconv.Itoa(int(out["case_id"].(float64)))
	// The same man, spelt differently: duplicates come back, nothing stored.
	dup := strings.NewReplacer("Darren", "Daren", "1984-02-11", "1984-11-02").Replace(referral)
	status, out = call("aaa.teamleader", "POST", "/referrals", dup)
	if status != http.StatusOK || out["created"] == true || out["duplicates"] == nil {
		t.Fatalf("duplicate referral: %d %v", status, out)
	}
	if n := countCases(); n != 1 {
		t.Fatalf("cases after a duplicate warning = %d; want 1", n)
	}

	// Search by name travels in the body; a name in the URL is refused.
	if status, out := call("aaa.casemanager", "POST", "/cases/search", `{"q":"hollis"}`); status != http.StatusOK || out["total"] != float64(1) {
		t.Fatalf("search: %d %v", status, out)
	}
	if status, _ := call("aaa.casemanager", "GET", "/cases?q=hollis", ""); status != http.StatusUnprocessableEntity {
		t.Fatalf("a name in the URL: %d; want 422", status)
	}
	// Searches are audited, and the audit log never holds the words.
	searches := 0
	if err := db.EachAuditEvent(ctx, func(ev audit.Event) error {
		raw, _ := json.Marshal(ev)
		if strings.Contains(strings.ToLower(string(raw)), "hollis") {
			t.Errorf("audit event %d holds the search words", ev.Seq)
		}
		if ev.Action == "record.list" && strings.HasPrefix(ev.Reason, "search") {
			searches++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if searches == 0 {
		t.Error("the search was not audited")
	}
	if status, out := call("bbb.teamleader", "POST", "/cases/search", `{"q":"hollis"}`); status != http.StatusOK || out["total"] != float64(0) {
		t.Fatalf("site B search: %d %v", status, out)
	}

	// The state machine: an illegal move is refused and changes nothing.
	status, out = call("aaa.teamleader", "POST", "/cases/"+caseID+"/transitions", `{"event":"close","closure_reason":"completed"}`)
	if status != http.StatusUnprocessableEntity || errCode(out) != "invalid" {
		t.Fatalf("close a referral: %d %v", status, out)
	}
	status, out = call("aaa.teamleader", "POST", "/cases/"+caseID+"/transitions", `{"event":"accept"}`)
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("accept without reasons: %d %v", status, out)
	}
	steps := []string{
		`{"event":"accept","reasons":"Meets MARAC criterion"}`,
		`{"event":"allocate","case_manager_id":` + strconv.FormatInt(managerID, 10) + `}`,
		`{"event":"start"}`,
	}
	for _, s := range steps {
		if status, out := call("aaa.teamleader", "POST", "/cases/"+caseID+"/transitions", s); status != http.StatusOK {
			t.Fatalf("%s: %d %v", s, status, out)
		}
	}
	_, out = call("aaa.casemanager", "GET", "/cases/"+caseID, "")
	if out["state"] != "active" {
		t.Fatalf("state = %v; want active", out["state"])
	}
	// Plan, note, contact and review through the API.
	if status, out := call("aaa.casemanager", "POST", "/cases/"+caseID+"/actions", `{"type":"bail-review","owner":"PC Example","due_on":"2026-12-01"}`); status != http.StatusCreated {
		t.Fatalf("action: %d %v", status, out)
	}
	if status, _ := call("aaa.casemanager", "POST", "/cases/"+caseID+"/actions", `{"type":"astrology","owner":"x","due_on":"2026-12-01"}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("unknown action type: %d", status)
	}
	if status, out := call("aaa.casemanager", "POST", "/cases/"+caseID+"/notes", `{"text":"First session arranged"}`); status != http.StatusCreated {
		t.Fatalf("note: %d %v", status, out)
	}
	if status, _ := call("aaa.casemanager", "POST", "/cases/"+caseID+"/contacts", `{"kind":"one_to_one","on":"2026-11-23","summary":"Session 1"}`); status != http.StatusCreated {
		t.Fatalf("contact: %d", status)
	}
	if status, _ := call("aaa.casemanager", "POST", "/cases/"+caseID+"/contacts", `{"kind":"one_to_one","on":"2026-11-24","summary":"Tomorrow"}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("future contact: %d", status)
	}
	if status, out := call("aaa.teamleader", "POST", "/cases/"+caseID+"/reviews", `{"on":"2026-11-23","risk_level":"high","risk_change":"unchanged","needs":{"housing":"high"},"summary":"Review"}`); status != http.StatusCreated {
		t.Fatalf("review: %d %v", status, out)
	}

	// Another site: not found, with nothing about the case in the body.
	for _, path := range []string{"/cases/" + caseID, "/cases/" + caseID + "/notes", "/cases/" + caseID + "/actions", "/cases/999999"} {
		status, out := call("bbb.teamleader", "GET", path, "")
		if status != http.StatusNotFound || errCode(out) != "not_found" {
			t.Errorf("site B reading %s: %d %v", path, status, out)
		}
		raw, _ := json.Marshal(out)
		if strings.Contains(string(raw), "Hollis") || strings.Contains(string(raw), "MARAC") {
			t.Errorf("site B reading %s: the body names the case", path)
		}
	}
	if status, _ := call("bbb.teamleader", "POST", "/cases/"+caseID+"/transitions", `{"event":"begin_closure","closure_reason":"completed"}`); status != http.StatusNotFound {
		t.Errorf("site B moving the case: %d", status)
	}
	var raw []byte
	var list api.CaseList
	_, out = call("bbb.teamleader", "GET", "/cases", "")
	raw, _ = json.Marshal(out)
	_ = json.Unmarshal(raw, &list)
	if list.Total != 0 {
		t.Errorf("site B's case list shows %d cases of site A", list.Total)
	}
	// Transfer to site B: the receiving team leader sees the pending case
	// and accepts it; afterwards site A keeps only what its staff wrote.
	siteB := strconv.FormatInt(siteA+1, 10)
	if status, out := call("aaa.teamleader", "POST", "/cases/"+caseID+"/transitions", `{"event":"transfer","site_id":`+siteB+`}`); status != http.StatusOK {
		t.Fatalf("transfer: %d %v", status, out)
	}
	if status, out := call("bbb.teamleader", "GET", "/cases/"+caseID, ""); status != http.StatusOK || out["state"] != "transferred" {
		t.Fatalf("receiving site reading the pending case: %d %v", status, out)
	}
	if status, _ := call("bbb.teamleader", "POST", "/cases/"+caseID+"/notes", `{"text":"Not yet ours"}`); status != http.StatusNotFound {
		t.Fatalf("receiving site writing before accepting: %d", status)
	}
	if status, out := call("bbb.teamleader", "POST", "/cases/"+caseID+"/transitions", `{"event":"accept_transfer"}`); status != http.StatusOK || out["state"] != "accepted" {
		t.Fatalf("accept transfer: %d %v", status, out)
	}
	if status, out := call("bbb.teamleader", "POST", "/cases/"+caseID+"/notes", `{"text":"Received from site A"}`); status != http.StatusCreated {
		t.Fatalf("new site's note: %d %v", status, out)
	}
	if status, _ := call("aaa.teamleader", "GET", "/cases/"+caseID, ""); status != http.StatusNotFound {
		t.Fatalf("sending site reading the moved case: %d; want 404", status)
	}
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/cases/"+caseID+"/notes", nil)
	req.Header.Set("Authorization", "Bearer "+tokens["aaa.teamleader"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(raw), "First session arranged") || strings.Contains(string(raw), "Received from site A") {
		t.Fatalf("sending site's own notes after transfer: %d %s", resp.StatusCode, raw)
	}

	// Paging: seven cases, four sharing a surname, walked two at a time
	// by name with next_cursor and back with prev_cursor: each case once,
	// in the order of one long page, and no name in any cursor.
	names := [][2]string{{"Ian", "Ward"}, {"Ian", "Ward"}, {"Ken", "Ward"}, {"Abe", "Ward"}, {"Len", "Cole"}, {"Max", "Yates"}, {"Ned", "Bell"}}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		for i, n := range names {
			p := &people.Person{SiteID: siteA, GivenName: n[0], FamilyName: n[1], DateOfBirth: drive.MustDate("1980-01-01").AddDays(i * 400), Gender: "male"}
			if err := tx.CreatePerson(ctx, p); err != nil {
				return err
			}
			c := &casework.Case{SiteID: siteA, PersonID: p.ID, Programme: "drive", Source: casework.FromMARAC, ReferredAt: drive.MustDate("2026-11-01"),
				Summary: "Heard at MARAC", Evidence: programme.Evidence{DASHScore: 15, Victims: 1}}
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	itemIDs := func(out map[string]any) []float64 {
		var ids []float64
		items, _ := out["items"].([]any)
		for _, it := range items {
			ids = append(ids, it.(map[string]any)["id"].(float64))
		}
		return ids
	}
	_, whole := call("aaa.teamleader", "GET", "/cases?sort=name&limit=1000", "")
	want := itemIDs(whole)
	if len(want) != len(names) || whole["next_cursor"] != nil || whole["prev_cursor"] != nil {
		t.Fatalf("one page of every case: %v", whole)
	}
	var walked []float64
	var lastPage map[string]any
	for path := "/cases?sort=name&limit=2"; ; {
		status, out := call("aaa.teamleader", "GET", path, "")
		if status != http.StatusOK || out["total"] != float64(len(names)) {
			t.Fatalf("%s: %d %v", path, status, out)
		}
		walked, lastPage = append(walked, itemIDs(out)...), out
		next, _ := out["next_cursor"].(string)
		for _, c := range []any{out["next_cursor"], out["prev_cursor"]} {
			if c, ok := c.(string); ok {
				raw, _ := base64.RawURLEncoding.DecodeString(c)
				for _, n := range names {
					if strings.Contains(strings.ToLower(c+string(raw)), strings.ToLower(n[1])) {
						t.Errorf("cursor %q (%s) holds a name", c, raw)
					}
				}
			}
		}
		if next == "" {
			break
		}
		if len(walked) > len(names) {
			t.Fatalf("the walk does not end: %v", walked)
		}
		path = "/cases?sort=name&limit=2&cursor=" + url.QueryEscape(next)
	}
	if !slices.Equal(walked, want) {
		t.Fatalf("walked %v; want %v", walked, want)
	}
	back := itemIDs(lastPage)
	for prev, _ := lastPage["prev_cursor"].(string); prev != ""; {
		body := `{"q":"","sort":"name","limit":2,"cursor":"` + prev + `"}`
		status, out := call("aaa.teamleader", "POST", "/cases/search", body)
		if status != http.StatusOK {
			t.Fatalf("back: %d %v", status, out)
		}
		back = append(itemIDs(out), back...)
		prev, _ = out["prev_cursor"].(string)
		if len(back) > len(names) {
			t.Fatalf("the walk back does not end: %v", back)
		}
	}
	if !slices.Equal(back, want) {
		t.Fatalf("walked back %v; want %v", back, want)
	}
	for _, path := range []string{"/cases?offset=2", "/cases?cursor=not-a-cursor"} {
		if status, out := call("aaa.teamleader", "GET", path, ""); status != http.StatusUnprocessableEntity || errCode(out) != "invalid" {
			t.Errorf("%s: %d %v; want 422 invalid", path, status, out)
		}
	}
}
