package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// accountsFixture is a site with an IDVA service (a team leader and an
// IDVA), a Drive provider (a case manager), a national administrator and
// the site's data protection officer, each signed in over real HTTP
// (session "drv_s_<username>", CSRF token "c"). The IDVA and the case
// manager each hold an API token and a second session.
type accountsFixture struct {
	t        *testing.T
	db       *store.DB
	url      string
	site     account.Site
	idvaOrg  account.Organisation
	provider account.Organisation
	users    map[string]*account.User
}

const accountsPassword = "correct-horse-battery-staple-42"

func newAccountsFixture(t *testing.T, e storetest.Engine) *accountsFixture {
	t.Helper()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	f := &accountsFixture{t: t, db: e.Open(t, storetest.FixedClock(now)), users: map[string]*account.User{}}
	ctx := context.Background()
	hash, err := auth.HashPassword(strings.NewReader(strings.Repeat("s", 64)), accountsPassword, auth.TestParams())
	if err != nil {
		t.Fatal(err)
	}
	err = f.db.Transact(ctx, func(tx *store.Tx) error {
		f.site = account.Site{Code: "NMR", Name: "Northmoor", Region: "R"}
		if err := tx.CreateSite(ctx, &f.site); err != nil {
			return err
		}
		f.idvaOrg = account.Organisation{Name: "Northmoor IDVA Service", Kind: account.IDVAService, SiteIDs: []int64{f.site.ID}}
		f.provider = account.Organisation{Name: "Northmoor Drive", Kind: account.Provider, SiteIDs: []int64{f.site.ID}}
		national := account.Organisation{Name: "National Team", Kind: account.NationalTeam}
		for _, o := range []*account.Organisation{&f.idvaOrg, &f.provider, &national} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		for _, spec := range []struct {
			name string
			org  int64
			role access.Role
			site int64
		}{
			{"admin", national.ID, access.Admin, 0},
			{"dpo", national.ID, access.DPO, f.site.ID},
			{"leader", f.idvaOrg.ID, access.TeamLeader, f.site.ID},
			{"idva", f.idvaOrg.ID, access.IDVA, f.site.ID},
			{"casey", f.provider.ID, access.CaseManager, f.site.ID},
		} {
			u := &account.User{Username: spec.name, DisplayName: "User " + spec.name, OrganisationID: spec.org, PasswordHash: hash, TOTPSecret: "JBSWY3DPEHPK3PXP",
				Roles: []account.RoleAssignment{{Role: spec.role, SiteID: spec.site}}}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			f.users[spec.name] = u
			sessions := []string{"drv_s_" + spec.name}
			if spec.name == "idva" || spec.name == "casey" {
				sessions = append(sessions, "drv_s_"+spec.name+"_phone")
				if err := tx.CreateAPIToken(ctx, &account.APIToken{UserID: u.ID, Name: "script", TokenHash: auth.HashToken("drv_t_" + spec.name), ExpiresAt: now.Add(24 * time.Hour)}); err != nil {
					return err
				}
			}
			for _, tok := range sessions {
				if err := tx.CreateSession(ctx, &account.Session{TokenHash: auth.HashToken(tok), UserID: u.ID, Stage: account.StageFull, CSRF: "c",
					Remote: "t", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), ReauthAt: now}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Config{Service: &service.Service{DB: f.db, PasswordParams: auth.TestParams(), Keys: storetest.Keys(t)}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(Replicated(t, srv))
	t.Cleanup(ts.Close)
	f.url = ts.URL
	return f
}

// do sends a request as the named user with session token tok (default
// "drv_s_<who>"); a form carries the CSRF token unless it sets its own.
func (f *accountsFixture) do(who, method, path string, form url.Values) (int, string) {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		if _, ok := form["csrf_token"]; !ok {
			form.Set("csrf_token", "c")
		}
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, f.url+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Cookie", "drive_session=drv_s_"+who)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// user reads an account afresh.
func (f *accountsFixture) user(name string) *account.User {
	f.t.Helper()
	var u *account.User
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByUsername(context.Background(), name)
		return err
	})
	if err != nil {
		f.t.Fatalf("user %s: %v", name, err)
	}
	return u
}

func (f *accountsFixture) exists(name string) bool {
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		_, err := tx.UserByUsername(context.Background(), name)
		return err
	})
	return err == nil
}

// access reports whether the user's API token still works and how many
// sessions they have.
func (f *accountsFixture) access(name string) (tokenLive bool, sessions int) {
	f.t.Helper()
	ctx := context.Background()
	err := f.db.View(ctx, func(tx *store.Tx) error {
		tok, err := tx.APITokenByHash(ctx, auth.HashToken("drv_t_"+name))
		if err != nil {
			return err
		}
		tokenLive = tok.RevokedAt == nil
		for _, s := range []string{"drv_s_" + name, "drv_s_" + name + "_phone"} {
			if _, err := tx.SessionByTokenHash(ctx, auth.HashToken(s)); err == nil {
				sessions++
			}
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return tokenLive, sessions
}

func (f *accountsFixture) requests() []*account.AccountRequest {
	f.t.Helper()
	var out []*account.AccountRequest
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.AccountRequests(context.Background(), []int64{f.idvaOrg.ID, f.provider.ID}, false)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

func (f *accountsFixture) request(id int64) *account.AccountRequest {
	f.t.Helper()
	var r *account.AccountRequest
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		r, err = tx.AccountRequest(context.Background(), id)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func (f *accountsFixture) alerts() []account.Alert {
	f.t.Helper()
	var out []account.Alert
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = tx.Alerts(context.Background(), nil, true, 100)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// audited returns the events with action, as "actor/role/record/reason".
func (f *accountsFixture) audited(action string) []string {
	f.t.Helper()
	var out []string
	err := f.db.EachAuditEvent(context.Background(), func(e audit.Event) error {
		if e.Action == action {
			out = append(out, strconv.FormatInt(e.ActorID, 10)+"/"+e.ActorRole+"/"+e.RecordType+" "+e.RecordID+"/"+e.Reason)
		}
		return nil
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

var oneTimeShown = regexp.MustCompile(`<strong>([a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{5})</strong>`)

func shownPassword(t *testing.T, body string) string {
	t.Helper()
	m := oneTimeShown.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no one-time password on the page:\n%s", body)
	}
	return m[1]
}

func verifies(u *account.User, pw string) bool {
	ok, _, err := auth.VerifyPassword(u.PasswordHash, pw)
	return err == nil && ok
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func TestVictimSideAccounts(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			t.Run("AdminCreatesTeamLeaderOnlyWithApproval", func(t *testing.T) { testAdminCreateNeedsApproval(t, newAccountsFixture(t, e)) })
			t.Run("AdminResetNeedsApproval", func(t *testing.T) { testAdminResetNeedsApproval(t, newAccountsFixture(t, e)) })
			t.Run("TeamLeaderManagesOwnService", func(t *testing.T) { testLeaderManagesService(t, newAccountsFixture(t, e)) })
			t.Run("PerpetratorSideUnchanged", func(t *testing.T) { testPerpetratorSideUnchanged(t, newAccountsFixture(t, e)) })
			t.Run("OwnPasswordChangeEndsTokens", func(t *testing.T) { testOwnPasswordChange(t, newAccountsFixture(t, e)) })
		})
	}
}

func testAdminCreateNeedsApproval(t *testing.T, f *accountsFixture) {
	form := url.Values{"username": {"new.leader"}, "display_name": {"New Leader"}, "organisation": {id(f.idvaOrg.ID)},
		"role": {string(access.TeamLeader)}, "site": {id(f.site.ID)}, "reason": {"maternity cover"}}
	status, body := f.do("admin", "POST", "/admin/users", form)
	if status != http.StatusAccepted || !strings.Contains(body, "Waiting for the IDVA service") {
		t.Fatalf("admin creating a team leader in the IDVA service: status %d\n%s", status, body)
	}
	if oneTimeShown.MatchString(body) {
		t.Error("the administrator was shown a password for a victim-side account")
	}
	if f.exists("new.leader") {
		t.Fatal("the account was created without approval")
	}
	reqs := f.requests()
	if len(reqs) != 1 || !reqs[0].Pending() || reqs[0].RequestedBy != f.users["admin"].ID || reqs[0].Kind != account.RequestCreate {
		t.Fatalf("requests = %+v", reqs)
	}
	req := reqs[0]
	if got := f.audited("account_request.create"); len(got) != 1 || got[0] != id(f.users["admin"].ID)+"/admin/account_request "+id(req.ID)+"/create_user" {
		t.Errorf("request audit = %v", got)
	}

	// Neither the administrator, nor the IDVA, nor anyone outside the
	// service may decide it.
	for _, who := range []string{"admin", "idva", "dpo", "casey"} {
		if status, _ := f.do(who, "POST", "/account-requests/"+id(req.ID)+"/approve", url.Values{}); status != http.StatusNotFound {
			t.Errorf("%s approving: status %d, want 404", who, status)
		}
	}
	// Without the form token nothing is decided.
	if status, _ := f.do("leader", "POST", "/account-requests/"+id(req.ID)+"/approve", url.Values{"csrf_token": {"wrong"}}); status == http.StatusOK {
		t.Error("an approval without the form token was accepted")
	}
	if !f.request(req.ID).Pending() || f.exists("new.leader") {
		t.Fatal("a refused approval changed something")
	}

	// The service's team leader sees it and approves it.
	status, body = f.do("leader", "GET", "/service-accounts", nil)
	if status != http.StatusOK || !strings.Contains(body, "new.leader") || !strings.Contains(body, "maternity cover") ||
		!strings.Contains(body, `action="/account-requests/`+id(req.ID)+`/approve"`) {
		t.Fatalf("the team leader's page: status %d\n%s", status, body)
	}
	status, body = f.do("leader", "POST", "/account-requests/"+id(req.ID)+"/approve", url.Values{})
	if status != http.StatusOK {
		t.Fatalf("approve: status %d\n%s", status, body)
	}
	pw := shownPassword(t, body)
	u := f.user("new.leader")
	if !verifies(u, pw) || len(u.Roles) != 1 || u.Roles[0].Role != access.TeamLeader || u.Roles[0].SiteID != f.site.ID || u.OrganisationID != f.idvaOrg.ID {
		t.Errorf("created account = %+v", u)
	}
	got := f.request(req.ID)
	if got.State != account.RequestApproved || got.DecidedBy != f.users["leader"].ID || got.UserID != u.ID || got.DecidedAt == nil {
		t.Errorf("decided request = %+v", got)
	}
	if a := f.audited("account_request.approve"); len(a) != 1 || !strings.HasPrefix(a[0], id(f.users["leader"].ID)+"/team_leader/") {
		t.Errorf("approval audit = %v", a)
	}
	if a := f.audited("user.create"); len(a) != 1 || a[0] != id(f.users["leader"].ID)+"/team_leader/user "+id(u.ID)+"/account request "+id(req.ID) {
		t.Errorf("creation audit = %v", a)
	}
	alerts := f.alerts()
	if len(alerts) != 1 || alerts[0].Kind != "account_role_grant" || alerts[0].RecordID != id(u.ID) || alerts[0].SiteID != f.site.ID {
		t.Errorf("alerts = %+v", alerts)
	}
	if status, body := f.do("dpo", "GET", "/alerts", nil); status != http.StatusOK || !strings.Contains(body, "user "+id(u.ID)) {
		t.Errorf("the DPO's alerts page: status %d", status)
	}
	// Decided once.
	if status, _ := f.do("leader", "POST", "/account-requests/"+id(req.ID)+"/refuse", url.Values{}); status != http.StatusConflict {
		t.Errorf("deciding again: status %d, want 409", status)
	}
	// The administrator follows the request.
	if _, body := f.do("admin", "GET", "/service-accounts", nil); !strings.Contains(body, "approved") {
		t.Error("the administrator cannot see the request was approved")
	}
}

func testAdminResetNeedsApproval(t *testing.T, f *accountsFixture) {
	idva := f.users["idva"]
	before := f.user("idva")
	status, body := f.do("admin", "POST", "/admin/users/"+id(idva.ID)+"/reset", url.Values{})
	if status != http.StatusAccepted || oneTimeShown.MatchString(body) {
		t.Fatalf("admin resetting an IDVA: status %d\n%s", status, body)
	}
	after := f.user("idva")
	if after.PasswordHash != before.PasswordHash || after.TOTPEnrolled != before.TOTPEnrolled || after.TOTPLastStep != before.TOTPLastStep {
		t.Fatal("the IDVA's password or second factor changed without approval")
	}
	if live, sessions := f.access("idva"); !live || sessions != 2 {
		t.Errorf("before approval: token live %v, %d sessions; want true, 2", live, sessions)
	}
	first := f.requests()[0]

	// Refused: nothing changes.
	if status, _ := f.do("leader", "POST", "/account-requests/"+id(first.ID)+"/refuse", url.Values{}); status != http.StatusSeeOther {
		t.Fatalf("refuse: status %d", status)
	}
	if r := f.request(first.ID); r.State != account.RequestRefused || r.DecidedBy != f.users["leader"].ID {
		t.Errorf("refused request = %+v", r)
	}
	if f.user("idva").PasswordHash != before.PasswordHash || len(f.alerts()) != 0 {
		t.Error("a refused request changed the account or raised an alert")
	}
	if a := f.audited("account_request.refuse"); len(a) != 1 {
		t.Errorf("refusal audit = %v", a)
	}

	// Asked again and approved: the approver alone sees the password; the
	// second factor, sessions and tokens are gone; the DPO is alerted.
	if status, _ := f.do("admin", "POST", "/admin/users/"+id(idva.ID)+"/reset", url.Values{}); status != http.StatusAccepted {
		t.Fatalf("second request: status %d", status)
	}
	second := f.requests()[0]
	status, body = f.do("leader", "POST", "/account-requests/"+id(second.ID)+"/approve", url.Values{})
	if status != http.StatusOK {
		t.Fatalf("approve: status %d\n%s", status, body)
	}
	pw := shownPassword(t, body)
	after = f.user("idva")
	if !verifies(after, pw) || verifies(after, accountsPassword) || after.TOTPEnrolled {
		t.Error("the approved reset did not replace the password and clear the second factor")
	}
	if live, sessions := f.access("idva"); live || sessions != 0 {
		t.Errorf("after the reset: token live %v, %d sessions; want false, 0", live, sessions)
	}
	alerts := f.alerts()
	if len(alerts) != 1 || alerts[0].Kind != "account_reset_sign_in" || alerts[0].RecordID != id(idva.ID) || alerts[0].SiteID != f.site.ID ||
		alerts[0].UserID != f.users["leader"].ID {
		t.Errorf("alerts = %+v", alerts)
	}
	for _, action := range []string{"user.password_reset", "user.totp_reset"} {
		if a := f.audited(action); len(a) != 1 || a[0] != id(f.users["leader"].ID)+"/team_leader/user "+id(idva.ID)+"/account request "+id(second.ID) {
			t.Errorf("%s audit = %v", action, a)
		}
	}
}

func testLeaderManagesService(t *testing.T, f *accountsFixture) {
	status, body := f.do("leader", "GET", "/service-accounts/new", nil)
	if status != http.StatusOK || strings.Contains(body, `value="admin"`) || !strings.Contains(body, `action="/service-accounts"`) {
		t.Fatalf("add form: status %d\n%s", status, body)
	}
	form := url.Values{"username": {"idva.two"}, "display_name": {"Second IDVA"}, "organisation": {id(f.idvaOrg.ID)}, "role": {"idva"}, "site": {id(f.site.ID)}}
	status, body = f.do("leader", "POST", "/service-accounts", form)
	if status != http.StatusOK {
		t.Fatalf("create: status %d\n%s", status, body)
	}
	if u := f.user("idva.two"); !verifies(u, shownPassword(t, body)) || u.OrganisationID != f.idvaOrg.ID {
		t.Error("the team leader's new account does not take the password shown")
	}
	if len(f.requests()) != 0 {
		t.Error("the team leader's own change became a request")
	}
	// Not an administrator: no other role, no other organisation.
	form.Set("username", "idva.three")
	form.Set("role", "admin")
	form.Set("site", "0")
	if status, _ := f.do("leader", "POST", "/service-accounts", form); status != http.StatusUnprocessableEntity || f.exists("idva.three") {
		t.Errorf("team leader giving the admin role: status %d", status)
	}
	form.Set("role", "idva")
	form.Set("site", id(f.site.ID))
	form.Set("organisation", id(f.provider.ID))
	if status, _ := f.do("leader", "POST", "/service-accounts", form); status == http.StatusOK || f.exists("idva.three") {
		t.Errorf("team leader adding to another organisation: status %d", status)
	}
	if status, _ := f.do("leader", "POST", "/service-accounts/"+id(f.users["casey"].ID)+"/reset-password", url.Values{}); status != http.StatusNotFound {
		t.Errorf("team leader resetting a case manager: status %d, want 404", status)
	}
	if status, _ := f.do("leader", "POST", "/service-accounts/"+id(f.users["leader"].ID)+"/reset-password", url.Values{}); status == http.StatusOK {
		t.Error("team leader reset their own account from the service page")
	}
	// Direct reset of an IDVA in the service.
	status, body = f.do("leader", "POST", "/service-accounts/"+id(f.users["idva"].ID)+"/reset-password", url.Values{})
	if status != http.StatusOK || !verifies(f.user("idva"), shownPassword(t, body)) {
		t.Fatalf("team leader's reset: status %d", status)
	}
	if !f.user("idva").TOTPEnrolled {
		t.Error("a password reset cleared the second factor")
	}
	if live, sessions := f.access("idva"); live || sessions != 0 {
		t.Errorf("after the reset: token live %v, %d sessions; want false, 0", live, sessions)
	}
	kinds := map[string]int{}
	for _, a := range f.alerts() {
		kinds[a.Kind]++
	}
	if kinds["account_role_grant"] != 1 || kinds["account_reset_password"] != 1 {
		t.Errorf("alerts by kind = %v", kinds)
	}
	// Other users are not shown the service page's accounts.
	if _, body := f.do("admin", "GET", "/service-accounts", nil); strings.Contains(body, "Accounts in") {
		t.Error("the administrator sees the service's account list")
	}
	for _, who := range []string{"admin", "dpo"} {
		if status, _ := f.do(who, "GET", "/service-accounts/new", nil); status != http.StatusNotFound {
			t.Errorf("%s on the service's add form: status %d", who, status)
		}
	}
}

func testPerpetratorSideUnchanged(t *testing.T, f *accountsFixture) {
	form := url.Values{"username": {"cm.two"}, "display_name": {"Case Manager Two"}, "organisation": {id(f.provider.ID)}, "role": {"case_manager"}, "site": {id(f.site.ID)}}
	status, body := f.do("admin", "POST", "/admin/users", form)
	if status != http.StatusOK || !strings.Contains(body, "User added") || !verifies(f.user("cm.two"), shownPassword(t, body)) {
		t.Fatalf("admin creating a case manager: status %d\n%s", status, body)
	}
	status, body = f.do("admin", "POST", "/admin/users/"+id(f.users["casey"].ID)+"/reset", url.Values{})
	if status != http.StatusOK {
		t.Fatalf("admin resetting a case manager: status %d", status)
	}
	cm := f.user("casey")
	if !verifies(cm, shownPassword(t, body)) || cm.TOTPEnrolled {
		t.Error("the reset did not take")
	}
	if live, sessions := f.access("casey"); live || sessions != 0 {
		t.Errorf("after the reset: token live %v, %d sessions; want false, 0", live, sessions)
	}
	if len(f.requests()) != 0 || len(f.alerts()) != 0 {
		t.Error("a perpetrator-side change made a request or an alert")
	}
	if a := f.audited("user.password_reset"); len(a) != 1 || !strings.HasPrefix(a[0], id(f.users["admin"].ID)+"/admin/") {
		t.Errorf("reset audit = %v", a)
	}
	// Disabling stays direct, for every account.
	if status, _ := f.do("admin", "POST", "/admin/users/"+id(f.users["idva"].ID)+"/disable", url.Values{}); status != http.StatusSeeOther || !f.user("idva").Disabled() {
		t.Errorf("admin disabling an IDVA: status %d", status)
	}
	// Their own account: no reset or disable offered, and a reset posted
	// anyway is refused and leaves them signed in.
	me := id(f.users["admin"].ID)
	_, list := f.do("admin", "GET", "/admin/users", nil)
	if strings.Contains(list, "/admin/users/"+me+"/") || !strings.Contains(list, `href="/account">Your account</a>`) {
		t.Error("the users page offers the administrator changes to their own account")
	}
	if status, body := f.do("admin", "POST", "/admin/users/"+me+"/reset", url.Values{}); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Your account page") {
		t.Errorf("admin resetting their own sign-in: status %d", status)
	}
	if status, _ := f.do("admin", "GET", "/admin/users", nil); status != http.StatusOK {
		t.Errorf("after refusing their own reset the administrator is signed out (status %d)", status)
	}
}

func testOwnPasswordChange(t *testing.T, f *accountsFixture) {
	status, _ := f.do("idva", "POST", "/account/password", url.Values{"current_password": {accountsPassword},
		"new_password": {"a-new-long-passphrase-77"}, "confirm_password": {"a-new-long-passphrase-77"}})
	if status != http.StatusOK {
		t.Fatalf("change password: status %d", status)
	}
	if !verifies(f.user("idva"), "a-new-long-passphrase-77") {
		t.Fatal("the password did not change")
	}
	if live, sessions := f.access("idva"); live || sessions != 1 {
		t.Errorf("after changing her own password: token live %v, %d sessions; want false, 1 (this one)", live, sessions)
	}
}
