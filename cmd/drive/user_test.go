package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/sealed"
	"github.com/drive-platform/drive/store"
)

// cliFixture is a SQLite database file with two sites and two
// organisations, and a way to run drive commands against it.
type cliFixture struct {
	t    *testing.T
	path string
	db   *store.DB
}

// totpSecret opens a user's stored second-factor secret.
func (f *cliFixture) totpSecret(userID int64) string {
	f.t.Helper()
	var s string
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		var err error
		s, err = tx.TOTPSecret(context.Background(), userID)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

func newCLIFixture(t *testing.T) *cliFixture {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "drive.db")
	// The key file beside the database, where the commands find it.
	keys, err := sealed.NewKeyring(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := keys.WriteFile(filepath.Join(filepath.Dir(path), "drive-keys.json")); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, path, store.Options{Keys: keys})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		nmr := &account.Site{Code: "NMR", Name: "Northmoor", Region: "North"}
		svv := &account.Site{Code: "SVV", Name: "Severnvale", Region: "West"}
		for _, s := range []*account.Site{nmr, svv} {
			if err := tx.CreateSite(ctx, s); err != nil {
				return err
			}
		}
		for _, o := range []*account.Organisation{
			{Name: "Northmoor Drive Service", Kind: account.Provider, SiteIDs: []int64{nmr.ID}},
			{Name: "Severnvale Police", Kind: account.PoliceForce, SiteIDs: []int64{svv.ID}},
		} {
			if err := tx.CreateOrganisation(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return &cliFixture{t: t, path: path, db: db}
}

// drive runs "drive CMD VERB --db PATH REST..." and returns the exit code
// and outputs.
func (f *cliFixture) drive(cmd, verb string, rest ...string) (int, string, string) {
	f.t.Helper()
	args := append([]string{cmd, verb, "--db", f.path}, rest...)
	return runCLI(args...)
}

func runCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), env{getenv: func(string) string { return "" }}, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// mustDrive runs a command that must succeed.
func (f *cliFixture) mustDrive(cmd, verb string, rest ...string) string {
	f.t.Helper()
	code, out, errOut := f.drive(cmd, verb, rest...)
	if code != 0 {
		f.t.Fatalf("drive %s %s %v: exit %d\nstdout: %s\nstderr: %s", cmd, verb, rest, code, out, errOut)
	}
	return out
}

func (f *cliFixture) user(name string) *account.User {
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

func (f *cliFixture) site(code string) int64 {
	f.t.Helper()
	var id int64
	err := f.db.View(context.Background(), func(tx *store.Tx) error {
		s, err := tx.SiteByCode(context.Background(), code)
		if err == nil {
			id = s.ID
		}
		return err
	})
	if err != nil {
		f.t.Fatalf("site %s: %v", code, err)
	}
	return id
}

func (f *cliFixture) events() []audit.Event {
	f.t.Helper()
	var out []audit.Event
	if err := f.db.EachAuditEvent(context.Background(), func(e audit.Event) error {
		out = append(out, e)
		return nil
	}); err != nil {
		f.t.Fatalf("audit events: %v", err)
	}
	return out
}

// wantEvent fails unless the log holds action on the record, made by the
// system at the command line.
func (f *cliFixture) wantEvent(action, recordType string, id int64) {
	f.t.Helper()
	for _, e := range f.events() {
		if e.Action == action && e.RecordType == recordType && e.RecordID == strconv.FormatInt(id, 10) {
			if e.ActorID != 0 || e.ActorRole != "system" || e.Remote != "cli" || e.Outcome != audit.OutcomeOK {
				f.t.Errorf("%s event: actor %d role %q remote %q outcome %q, want 0, system, cli, ok", action, e.ActorID, e.ActorRole, e.Remote, e.Outcome)
			}
			return
		}
	}
	f.t.Errorf("no audit event %s for %s %d", action, recordType, id)
}

// state is everything a user command could change, to show that a refused
// command changed nothing.
type state struct {
	Users   []string
	Orgs    []string
	Tokens  int
	Revoked int
	Events  int
}

func (f *cliFixture) state() state {
	f.t.Helper()
	ctx := context.Background()
	var s state
	err := f.db.View(ctx, func(tx *store.Tx) error {
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		for _, u := range users {
			desc := u.Username + "|" + u.DisplayName + "|" + u.PasswordHash + "|" + strconv.FormatBool(u.TOTPEnrolled) + "|" + strconv.FormatBool(u.Disabled())
			for _, r := range u.Roles {
				desc += "|" + string(r.Role) + "@" + strconv.FormatInt(r.SiteID, 10)
			}
			s.Users = append(s.Users, desc)
			tokens, err := tx.APITokens(ctx, u.ID)
			if err != nil {
				return err
			}
			for _, t := range tokens {
				s.Tokens++
				if t.RevokedAt != nil {
					s.Revoked++
				}
			}
		}
		orgs, err := tx.Organisations(ctx)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			s.Orgs = append(s.Orgs, o.Name)
		}
		return nil
	})
	if err != nil {
		f.t.Fatalf("state: %v", err)
	}
	s.Events = len(f.events())
	return s
}

// oneTimePassword finds the generated password in a command's output.
func oneTimePassword(t *testing.T, out string) string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if pw, ok := strings.CutPrefix(line, "One-time password: "); ok {
			return pw
		}
	}
	t.Fatalf("no one-time password in output:\n%s", out)
	return ""
}

func wantPassword(t *testing.T, u *account.User, pw string) {
	t.Helper()
	ok, _, err := auth.VerifyPassword(u.PasswordHash, pw)
	if err != nil || !ok {
		t.Errorf("password of %s does not verify (err %v)", u.Username, err)
	}
}

func TestUserBootstrap(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	code, out, errOut := runCLI("user", "bootstrap", "--db", path, "--username", "Ada.Admin", "--name", "Ada Admin")
	if code != 0 {
		t.Fatalf("bootstrap: exit %d\n%s%s", code, out, errOut)
	}
	pw := oneTimePassword(t, out)
	if err := auth.CheckPassword(pw, "ada.admin"); err != nil {
		t.Errorf("generated password fails the policy: %v", err)
	}
	for _, want := range []string{"ada.admin", "Drive National Team", "second factor", "authenticator app"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &cliFixture{t: t, path: path, db: db}
	u := f.user("ada.admin")
	wantPassword(t, u, pw)
	if u.TOTPEnrolled {
		t.Error("the first administrator has a second factor already; they should enrol at first sign-in")
	}
	if want := []account.RoleAssignment{{ID: u.Roles[0].ID, UserID: u.ID, Role: access.Admin}}; !reflect.DeepEqual(u.Roles, want) {
		t.Errorf("roles = %+v, want national admin only", u.Roles)
	}
	var org account.Organisation
	err = db.View(ctx, func(tx *store.Tx) error {
		orgs, err := tx.Organisations(ctx)
		if len(orgs) == 1 {
			org = orgs[0]
		}
		return err
	})
	if err != nil || org.Name != "Drive National Team" || org.Kind != account.NationalTeam || org.ID != u.OrganisationID {
		t.Errorf("organisation = %+v (err %v), want the user's Drive National Team of kind national_team", org, err)
	}
	f.wantEvent("organisation.create", "organisation", org.ID)
	f.wantEvent("user.create", "user", u.ID)
	for _, e := range f.events() {
		if strings.Contains(e.Reason+e.RecordID, pw) {
			t.Error("the password reached the audit log")
		}
	}

	// A second bootstrap is refused and changes nothing.
	before := f.state()
	code, _, errOut = runCLI("user", "bootstrap", "--db", path, "--username", "eve", "--name", "Eve")
	if code != 1 || !strings.Contains(errOut, "already has 1 user") || !strings.Contains(errOut, "drive user add") {
		t.Errorf("second bootstrap: exit %d, stderr %q; want 1 and a message pointing to drive user add", code, errOut)
	}
	if after := f.state(); !reflect.DeepEqual(before, after) {
		t.Errorf("refused bootstrap changed the database:\nbefore %+v\nafter  %+v", before, after)
	}
}

func TestUserBootstrapExistingOrganisation(t *testing.T) {
	f := newCLIFixture(t)
	f.mustDrive("user", "bootstrap", "--username", "ada", "--name", "Ada Admin", "--organisation", "northmoor drive service")
	st := f.state()
	if len(st.Orgs) != 2 {
		t.Errorf("organisations = %v: bootstrap created one although it existed", st.Orgs)
	}
	for _, e := range f.events() {
		if e.Action == "organisation.create" {
			t.Error("organisation.create written for an organisation that existed")
		}
	}
}

func TestUserBootstrapUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"no name", []string{"--username", "ada"}, 2},
		{"no username", []string{"--name", "Ada"}, 2},
		{"bad username", []string{"--username", "a", "--name", "Ada"}, 1},
		{"stray argument", []string{"--username", "ada", "--name", "Ada", "extra"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newCLIFixture(t)
			before := f.state()
			code, out, errOut := f.drive("user", "bootstrap", tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			if after := f.state(); !reflect.DeepEqual(before, after) {
				t.Errorf("changed the database:\nbefore %+v\nafter  %+v", before, after)
			}
		})
	}
	code, _, errOut := runCLI("user", "bootstrap", "--username", "ada", "--name", "Ada")
	if code != 2 || !strings.Contains(errOut, "--db") {
		t.Errorf("without --db: exit %d, stderr %q; want 2 and a hint about --db", code, errOut)
	}
}

func TestUserAdd(t *testing.T) {
	dir := t.TempDir()
	writeFile := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := writeFile("good", "correct horse battery staple\n")
	short := writeFile("short", "tiny pass\n")
	containsName := writeFile("containsname", "jo.bloggs and some more words\n")

	type role struct {
		role access.Role
		site string
	}
	base := []string{"--username", "jo.bloggs", "--name", "Jo Bloggs", "--organisation", "Northmoor Drive Service"}
	for _, tc := range []struct {
		name      string
		args      []string
		code      int
		stderr    []string // substrings of the error
		roles     []role   // on success
		chosenPwd string   // on success with --password-file
	}{
		{name: "site role", args: append(base, "--role", "case_manager@NMR"), roles: []role{{access.CaseManager, "NMR"}}},
		{name: "several roles, site code any case", args: append(base, "--role", "team_leader@nmr", "--role", "idva@SVV", "--role", "dpo"),
			roles: []role{{access.TeamLeader, "NMR"}, {access.IDVA, "SVV"}, {access.DPO, ""}}},
		{name: "organisation any case", args: []string{"--username", "jo.bloggs", "--name", "Jo Bloggs", "--organisation", "  severnvale POLICE ", "--role", "partner@SVV"},
			roles: []role{{access.Partner, "SVV"}}},
		{name: "chosen password", args: append(base, "--role", "analyst@NMR", "--password-file", good),
			roles: []role{{access.Analyst, "NMR"}}, chosenPwd: "correct horse battery staple"},

		{name: "unknown role", args: append(base, "--role", "wizard@NMR"), code: 1, stderr: []string{"unknown role", "case_manager"}},
		{name: "site role without site", args: append(base, "--role", "case_manager"), code: 1, stderr: []string{"works within a site", "case_manager@SITECODE"}},
		{name: "national role with site", args: append(base, "--role", "national@NMR"), code: 1, stderr: []string{"is national", "without a site"}},
		{name: "one bad role among good", args: append(base, "--role", "idva@NMR", "--role", "evaluator@SVV"), code: 1, stderr: []string{"evaluator@SVV"}},
		{name: "unknown site", args: append(base, "--role", "idva@XYZ"), code: 1, stderr: []string{"no site XYZ", "NMR (Northmoor)", "SVV (Severnvale)"}},
		{name: "unknown organisation", args: []string{"--username", "jo.bloggs", "--name", "Jo Bloggs", "--organisation", "Nowhere Council", "--role", "idva@NMR"},
			code: 1, stderr: []string{`"Nowhere Council"`, `"Northmoor Drive Service"`, `"Severnvale Police"`}},
		{name: "duplicate username", args: []string{"--username", "Existing.User", "--name", "Someone Else", "--organisation", "Northmoor Drive Service", "--role", "idva@NMR"},
			code: 1, stderr: []string{"already taken"}},
		{name: "same role twice", args: append(base, "--role", "idva@NMR", "--role", "idva@nmr"), code: 1, stderr: []string{"twice"}},
		{name: "short password", args: append(base, "--role", "idva@NMR", "--password-file", short), code: 1, stderr: []string{"at least 12 characters"}},
		{name: "password holds username", args: append(base, "--role", "idva@NMR", "--password-file", containsName), code: 1, stderr: []string{"username"}},
		{name: "missing password file", args: append(base, "--role", "idva@NMR", "--password-file", filepath.Join(dir, "absent")), code: 1, stderr: []string{"cannot read"}},
		{name: "bad username", args: []string{"--username", "jo bloggs!", "--name", "Jo", "--organisation", "Northmoor Drive Service", "--role", "idva@NMR"}, code: 1, stderr: []string{"username"}},

		{name: "no role", args: base, code: 2, stderr: []string{"--role"}},
		{name: "empty site", args: append(base, "--role", "idva@"), code: 2, stderr: []string{"site code after the @"}},
		{name: "two sites in one role", args: append(base, "--role", "idva@NMR@SVV"), code: 2, stderr: []string{"one site per --role"}},
		{name: "no organisation", args: []string{"--username", "jo", "--name", "Jo", "--role", "idva@NMR"}, code: 2, stderr: []string{"--organisation"}},
		{name: "unknown flag", args: append(base, "--role", "idva@NMR", "--admin"), code: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newCLIFixture(t)
			f.mustDrive("user", "add", "--username", "existing.user", "--name", "Existing User", "--organisation", "Northmoor Drive Service", "--role", "idva@NMR")
			before := f.state()
			code, out, errOut := f.drive("user", "add", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			if tc.code != 0 {
				if after := f.state(); !reflect.DeepEqual(before, after) {
					t.Errorf("refused command changed the database:\nbefore %+v\nafter  %+v", before, after)
				}
				return
			}

			u := f.user("jo.bloggs")
			var got []role
			for _, a := range u.Roles {
				r := role{role: a.Role}
				for _, code := range []string{"NMR", "SVV"} {
					if a.SiteID != 0 && a.SiteID == f.site(code) {
						r.site = code
					}
				}
				got = append(got, r)
			}
			if !reflect.DeepEqual(got, tc.roles) {
				t.Errorf("roles = %v, want %v", got, tc.roles)
			}
			if u.TOTPEnrolled || u.Disabled() {
				t.Errorf("new user has a second factor (%v) or is disabled (%v)", u.TOTPEnrolled, u.Disabled())
			}
			if !strings.Contains(out, "set up an") || !strings.Contains(out, "authenticator app") {
				t.Errorf("output does not say they enrol a second factor at first sign-in:\n%s", out)
			}
			if tc.chosenPwd != "" {
				wantPassword(t, u, tc.chosenPwd)
				if strings.Contains(out, tc.chosenPwd) {
					t.Error("the chosen password was printed")
				}
			} else {
				wantPassword(t, u, oneTimePassword(t, out))
				if !strings.Contains(out, "change it") {
					t.Errorf("output does not ask the user to change the password:\n%s", out)
				}
			}
			f.wantEvent("user.create", "user", u.ID)
			if after := f.state(); after.Events != before.Events+1 {
				t.Errorf("%d audit events written, want 1", after.Events-before.Events)
			}
		})
	}
}

func TestUserAddNoSites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drive.db")
	if code, out, errOut := runCLI("user", "bootstrap", "--db", path, "--username", "ada", "--name", "Ada"); code != 0 {
		t.Fatalf("bootstrap: %d %s %s", code, out, errOut)
	}
	code, _, errOut := runCLI("user", "add", "--db", path, "--username", "jo", "--name", "Jo", "--organisation", "Drive National Team", "--role", "idva@NMR")
	if code != 1 || !strings.Contains(errOut, "no sites yet") {
		t.Errorf("exit %d, stderr %q; want 1 saying there are no sites", code, errOut)
	}
	// National roles need no site.
	code, out, errOut := runCLI("user", "add", "--db", path, "--username", "nat", "--name", "Nat", "--organisation", "Drive National Team", "--role", "national", "--role", "evaluator")
	if code != 0 {
		t.Errorf("national roles: exit %d\n%s%s", code, out, errOut)
	}
}

func TestUserDatabaseChecks(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.db")
	code, _, errOut := runCLI("user", "list", "--db", missing)
	if code != 1 || !strings.Contains(errOut, "no database file") {
		t.Errorf("missing file: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("user list created a database file for a mistyped --db")
	}
	empty := filepath.Join(dir, "empty.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI("user", "list", "--db", empty)
	if code != 1 || !strings.Contains(errOut, "no Drive schema") {
		t.Errorf("empty file: exit %d, stderr %q", code, errOut)
	}
}

func TestUserVerbs(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"user"}, 2},
		{[]string{"user", "frobnicate"}, 2},
		{[]string{"user", "-h"}, 0},
		{[]string{"token"}, 2},
		{[]string{"token", "mint"}, 2},
		{[]string{"token", "help"}, 0},
	} {
		code, _, errOut := runCLI(tc.args...)
		if code != tc.code {
			t.Errorf("drive %v: exit %d, want %d\n%s", tc.args, code, tc.code, errOut)
		}
	}
}

func TestUserList(t *testing.T) {
	ctx := context.Background()
	f := newCLIFixture(t)
	f.mustDrive("user", "add", "--username", "jo.bloggs", "--name", "Jo Bloggs", "--organisation", "Northmoor Drive Service", "--role", "case_manager@NMR", "--role", "dpo")
	f.mustDrive("user", "add", "--username", "sam.police", "--name", "Sam Police", "--organisation", "Severnvale Police", "--role", "partner@SVV")
	f.mustDrive("user", "disable", "--username", "sam.police")
	secret, err := auth.NewTOTPSecret(bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	jo := f.user("jo.bloggs")
	if err := f.db.Transact(ctx, func(tx *store.Tx) error { return tx.SetTOTP(ctx, jo.ID, secret, 5) }); err != nil {
		t.Fatal(err)
	}
	jo = f.user("jo.bloggs")

	out := f.mustDrive("user", "list")
	for _, want := range []string{"USERNAME", "jo.bloggs", "Jo Bloggs", "Northmoor Drive Service", "case_manager@NMR,dpo", "sam.police", "Severnvale Police", "partner@SVV", "disabled", "active", "set up"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	jsonOut := f.mustDrive("user", "list", "--json")
	for _, secretText := range []string{jo.PasswordHash, "argon2", secret} {
		if strings.Contains(out, secretText) || strings.Contains(jsonOut, secretText) {
			t.Errorf("user list shows a credential (%.10s...)", secretText)
		}
	}
	var list []userListing
	if err := json.Unmarshal([]byte(jsonOut), &list); err != nil {
		t.Fatalf("--json output: %v\n%s", err, jsonOut)
	}
	if len(list) != 2 {
		t.Fatalf("listed %d users, want 2", len(list))
	}
	got := list[0]
	got.CreatedAt = time.Time{}
	want := userListing{ID: jo.ID, Username: "jo.bloggs", Name: "Jo Bloggs", Organisation: "Northmoor Drive Service",
		Roles: []roleListing{{Role: "case_manager", Site: "NMR"}, {Role: "dpo"}}, SecondFactor: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("jo.bloggs = %+v\nwant %+v", got, want)
	}
	if !list[1].Disabled || list[1].DisabledAt == nil || list[1].SecondFactor {
		t.Errorf("sam.police = %+v, want disabled without a second factor", list[1])
	}

	empty := newCLIFixture(t)
	if out := empty.mustDrive("user", "list", "--json"); strings.TrimSpace(out) != "[]" {
		t.Errorf("empty --json list = %q, want []", out)
	}
	if out := empty.mustDrive("user", "list"); !strings.Contains(out, "drive user bootstrap") {
		t.Errorf("empty list = %q, want a pointer to bootstrap", out)
	}
}

// addSession gives a user a signed-in session and returns its token hash.
func (f *cliFixture) addSession(userID int64, token string) []byte {
	f.t.Helper()
	ctx := context.Background()
	hash := auth.HashToken(token)
	err := f.db.Transact(ctx, func(tx *store.Tx) error {
		return tx.CreateSession(ctx, &account.Session{TokenHash: hash, UserID: userID, Stage: account.StageFull, CSRF: "x",
			CreatedAt: tx.Now, LastSeenAt: tx.Now, ReauthAt: tx.Now, ExpiresAt: tx.Now.Add(time.Hour)})
	})
	if err != nil {
		f.t.Fatalf("session: %v", err)
	}
	return hash
}

func (f *cliFixture) sessionExists(hash []byte) bool {
	f.t.Helper()
	ctx := context.Background()
	err := f.db.View(ctx, func(tx *store.Tx) error {
		_, err := tx.SessionByTokenHash(ctx, hash)
		return err
	})
	if err != nil && drive.ErrorCode(err) != drive.ENOTFOUND {
		f.t.Fatalf("session: %v", err)
	}
	return err == nil
}

func (f *cliFixture) tokens(userID int64) []*account.APIToken {
	f.t.Helper()
	ctx := context.Background()
	var out []*account.APIToken
	if err := f.db.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.APITokens(ctx, userID)
		return err
	}); err != nil {
		f.t.Fatalf("tokens: %v", err)
	}
	return out
}

func TestUserDisableEnable(t *testing.T) {
	f := newCLIFixture(t)
	f.mustDrive("user", "add", "--username", "jo.bloggs", "--name", "Jo Bloggs", "--organisation", "Northmoor Drive Service", "--role", "idva@NMR")
	f.mustDrive("user", "add", "--username", "other", "--name", "Other Person", "--organisation", "Northmoor Drive Service", "--role", "idva@NMR")
	jo, other := f.user("jo.bloggs"), f.user("other")
	s1, s2 := f.addSession(jo.ID, "drv_s_one"), f.addSession(jo.ID, "drv_s_two")
	keep := f.addSession(other.ID, "drv_s_other")
	f.mustDrive("token", "create", "--user", "jo.bloggs")
	f.mustDrive("token", "create", "--user", "jo.bloggs")
	f.mustDrive("token", "create", "--user", "other")

	out := f.mustDrive("user", "disable", "--username", "Jo.Bloggs")
	if !strings.Contains(out, "Ended 2 session(s) and revoked 2 API token(s)") {
		t.Errorf("disable output: %s", out)
	}
	if !f.user("jo.bloggs").Disabled() {
		t.Error("jo.bloggs is not disabled")
	}
	if f.sessionExists(s1) || f.sessionExists(s2) {
		t.Error("a session of the disabled user survived")
	}
	if !f.sessionExists(keep) {
		t.Error("another user's session was ended")
	}
	for _, tok := range f.tokens(jo.ID) {
		if tok.RevokedAt == nil {
			t.Errorf("token %d of the disabled user is not revoked", tok.ID)
		}
	}
	if f.tokens(other.ID)[0].RevokedAt != nil {
		t.Error("another user's token was revoked")
	}
	f.wantEvent("user.disable", "user", jo.ID)

	before := f.state()
	out = f.mustDrive("user", "disable", "--username", "jo.bloggs")
	if !strings.Contains(out, "already disabled") {
		t.Errorf("second disable: %s", out)
	}
	if after := f.state(); !reflect.DeepEqual(before, after) {
		t.Error("disabling a disabled user changed the database")
	}

	out = f.mustDrive("user", "enable", "--username", "jo.bloggs")
	if !strings.Contains(out, "stay revoked") {
		t.Errorf("enable output: %s", out)
	}
	if f.user("jo.bloggs").Disabled() {
		t.Error("jo.bloggs is still disabled")
	}
	for _, tok := range f.tokens(jo.ID) {
		if tok.RevokedAt == nil {
			t.Errorf("enabling restored token %d", tok.ID)
		}
	}
	f.wantEvent("user.enable", "user", jo.ID)
	before = f.state()
	if out := f.mustDrive("user", "enable", "--username", "jo.bloggs"); !strings.Contains(out, "not disabled") {
		t.Errorf("second enable: %s", out)
	}
	if after := f.state(); !reflect.DeepEqual(before, after) {
		t.Error("enabling an enabled user changed the database")
	}

	for _, tc := range []struct {
		verb string
		args []string
		code int
	}{
		{"disable", []string{"--username", "nobody"}, 1},
		{"enable", []string{"--username", "nobody"}, 1},
		{"disable", nil, 2},
		{"enable", []string{"jo.bloggs"}, 2},
	} {
		before := f.state()
		code, _, errOut := f.drive("user", tc.verb, tc.args...)
		if code != tc.code {
			t.Errorf("user %s %v: exit %d, want %d\n%s", tc.verb, tc.args, code, tc.code, errOut)
		}
		if tc.code == 1 && !strings.Contains(errOut, `no user "nobody"`) {
			t.Errorf("user %s: stderr %q", tc.verb, errOut)
		}
		if after := f.state(); !reflect.DeepEqual(before, after) {
			t.Errorf("user %s %v changed the database", tc.verb, tc.args)
		}
	}
}

func TestUserResetPassword(t *testing.T) {
	ctx := context.Background()
	for _, reset2FA := range []bool{false, true} {
		t.Run("reset-2fa="+strconv.FormatBool(reset2FA), func(t *testing.T) {
			f := newCLIFixture(t)
			out := f.mustDrive("user", "add", "--username", "jo.bloggs", "--name", "Jo Bloggs", "--organisation", "Northmoor Drive Service", "--role", "idva@NMR")
			oldPw := oneTimePassword(t, out)
			jo := f.user("jo.bloggs")
			secret, err := auth.NewTOTPSecret(bytes.NewReader(bytes.Repeat([]byte{9}, 64)))
			if err != nil {
				t.Fatal(err)
			}
			_, hashes, err := auth.NewRecoveryCodes(bytes.NewReader(bytes.Repeat([]byte{3, 4, 5}, 200)), 3)
			if err != nil {
				t.Fatal(err)
			}
			// Failures are counted under a digest of the typed name, as
			// service.SignIn records them, never the name itself.
			joKey := fmt.Sprintf("%x", sha256.Sum256([]byte("jo.bloggs")))
			err = f.db.Transact(ctx, func(tx *store.Tx) error {
				if err := tx.SetTOTP(ctx, jo.ID, secret, 42); err != nil {
					return err
				}
				if err := tx.RecordSigninFailure(ctx, joKey, "192.0.2.1"); err != nil {
					return err
				}
				return tx.ReplaceRecoveryCodes(ctx, jo.ID, hashes)
			})
			if err != nil {
				t.Fatal(err)
			}
			sess := f.addSession(jo.ID, "drv_s_one")

			args := []string{"--username", "jo.bloggs"}
			if reset2FA {
				args = append(args, "--reset-2fa")
			}
			out = f.mustDrive("user", "reset-password", args...)
			newPw := oneTimePassword(t, out)
			jo = f.user("jo.bloggs")
			wantPassword(t, jo, newPw)
			if ok, _, _ := auth.VerifyPassword(jo.PasswordHash, oldPw); ok {
				t.Error("the old password still works")
			}
			if f.sessionExists(sess) {
				t.Error("the user's session survived a password reset")
			}
			f.wantEvent("user.password_reset", "user", jo.ID)
			var codes [][]byte
			var failures []time.Time
			err = f.db.View(ctx, func(tx *store.Tx) error {
				var err error
				if _, codes, err = tx.UnusedRecoveryCodes(ctx, jo.ID); err != nil {
					return err
				}
				failures, _, err = tx.SigninFailures(ctx, joKey, "", time.Time{})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(failures) != 0 {
				t.Error("failed sign-ins still count against the user after a reset")
			}
			if reset2FA {
				if jo.TOTPEnrolled || jo.TOTPLastStep != 0 || len(codes) != 0 {
					t.Errorf("after --reset-2fa: secret set %v, last step %d, %d recovery codes; want none", jo.TOTPEnrolled, jo.TOTPLastStep, len(codes))
				}
				f.wantEvent("user.totp_reset", "user", jo.ID)
				if !strings.Contains(out, "set up an authenticator app again") {
					t.Errorf("output does not say they enrol again:\n%s", out)
				}
			} else if kept := f.totpSecret(jo.ID); kept != secret || len(codes) != 3 {
				t.Error("a plain password reset touched the second factor")
			}
		})
	}

	f := newCLIFixture(t)
	before := f.state()
	if code, _, errOut := f.drive("user", "reset-password", "--username", "nobody"); code != 1 || !strings.Contains(errOut, `no user "nobody"`) {
		t.Errorf("unknown user: exit %d, stderr %q", code, errOut)
	}
	if after := f.state(); !reflect.DeepEqual(before, after) {
		t.Error("a refused reset changed the database")
	}
}

func TestNewPassword(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		pw, err := auth.NewOneTimePassword(rand.Reader, "jo.bloggs")
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) != 23 || strings.Count(pw, "-") != 3 {
			t.Errorf("password %q: want four groups of five", pw)
		}
		if err := auth.CheckPassword(pw, "jo.bloggs"); err != nil {
			t.Errorf("password %q fails the policy: %v", pw, err)
		}
		if seen[pw] {
			t.Errorf("password %q generated twice", pw)
		}
		seen[pw] = true
	}
	// Bytes that would bias the draw are skipped, not folded in: a source
	// giving only such bytes yields no password, and its end is an error.
	if _, err := auth.NewOneTimePassword(bytes.NewReader(bytes.Repeat([]byte{255}, 200)), "jo"); err == nil {
		t.Error("a password was made from biased bytes")
	}
}
