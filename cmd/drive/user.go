package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
)

// defaultNationalOrganisation is the organisation bootstrap creates for the
// first administrator when none is named.
const defaultNationalOrganisation = "Drive National Team"

// subcommand is one verb of a command with verbs, such as "user add".
type subcommand struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error
}

// dispatch runs the verb named by args[0]. With no verb, or an unknown one,
// it lists the verbs and reports a usage mistake; with -h it lists them and
// succeeds.
func dispatch(ctx context.Context, parent string, subs []subcommand, e env, args []string, stdout, stderr io.Writer) error {
	list := func() {
		fmt.Fprintf(stderr, "usage: drive %s VERB [flags]\n\nverbs:\n", parent)
		for _, s := range subs {
			fmt.Fprintf(stderr, "  %-15s %s\n", s.name, s.summary)
		}
		fmt.Fprintf(stderr, "\nRun drive %s VERB -h for a verb's flags.\n", parent)
	}
	if len(args) == 0 {
		list()
		return usageError{fmt.Sprintf("say what to do: drive %s VERB, where VERB is one of %s", parent, subNames(subs))}
	}
	switch args[0] {
	case "-h", "--help", "help":
		list()
		return flag.ErrHelp
	}
	for _, s := range subs {
		if s.name == args[0] {
			return s.run(ctx, e, args[1:], stdout, stderr)
		}
	}
	return usageError{fmt.Sprintf("unknown verb %q: use one of %s", args[0], subNames(subs))}
}

func subNames(subs []subcommand) string {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

// newFlagSet returns a flag set for "drive NAME" whose help starts with
// the given synopsis.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: drive %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

func runUser(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "user", []subcommand{
		{"bootstrap", "create the first administrator on a database with no users", runUserBootstrap},
		{"add", "create a user with roles and a one-time password", runUserAdd},
		{"list", "list users, their organisations and roles", runUserList},
		{"disable", "stop a user signing in; end their sessions and revoke their API tokens", runUserDisable},
		{"enable", "let a disabled user sign in again", runUserEnable},
		{"reset-password", "give a user a new one-time password (and optionally a new second factor)", runUserResetPassword},
		{"grant", "give a user another role", runUserGrant},
	}, e, args, stdout, stderr)
}

// roleFlags collects repeated --role values.
type roleFlags []string

func (r *roleFlags) String() string { return strings.Join(*r, ",") }

func (r *roleFlags) Set(v string) error {
	*r = append(*r, v)
	return nil
}

// roleSpec is one --role value: a role, and a site code for a site role.
type roleSpec struct {
	raw  string
	role access.Role
	site string // "" = national
}

// parseRoleSpecs splits ROLE[@SITECODE] values. Only the shape is checked
// here; whether the role exists and may be held at that scope is checked
// against the policy when the user is created.
func parseRoleSpecs(values []string) ([]roleSpec, error) {
	if len(values) == 0 {
		return nil, usageError{"give at least one --role, as ROLE@SITECODE for a site role (case_manager@NMR) or ROLE for a national one (national)"}
	}
	out := make([]roleSpec, 0, len(values))
	for _, v := range values {
		role, site, hasSite := strings.Cut(strings.TrimSpace(v), "@")
		role = strings.ToLower(strings.TrimSpace(role))
		site = strings.ToUpper(strings.TrimSpace(site))
		switch {
		case role == "":
			return nil, usageError{fmt.Sprintf("--role %q: give the role before the @, as ROLE@SITECODE", v)}
		case hasSite && site == "":
			return nil, usageError{fmt.Sprintf("--role %q: give the site code after the @, or leave out the @ for a national role", v)}
		case strings.Contains(site, "@"):
			return nil, usageError{fmt.Sprintf("--role %q: give one site per --role; repeat --role for more sites", v)}
		}
		out = append(out, roleSpec{raw: v, role: access.Role(role), site: site})
	}
	return out, nil
}

// resolveRoles turns role specs into assignments, checking each role
// exists, may be held at its scope, and names a site that exists.
// Errors: EINVALID saying which --role is wrong and how to fix it.
func resolveRoles(ctx context.Context, tx *store.Tx, specs []roleSpec) ([]identity.RoleAssignment, error) {
	var out []identity.RoleAssignment
	seen := map[string]bool{}
	for _, s := range specs {
		if err := s.role.CheckScope(s.site == ""); err != nil {
			msg := drive.ErrorMessage(err)
			if s.role.Valid() && s.site == "" {
				msg += fmt.Sprintf(", as %s@SITECODE", s.role)
			} else if s.role.Valid() {
				msg += fmt.Sprintf(", as --role %s", s.role)
			}
			return nil, drive.Errorf(drive.EINVALID, "--role %s: %s", s.raw, msg)
		}
		a := identity.RoleAssignment{Role: s.role}
		if s.site != "" {
			site, err := tx.SiteByCode(ctx, s.site)
			if drive.ErrorCode(err) == drive.ENOTFOUND {
				return nil, unknownSite(ctx, tx, s)
			}
			if err != nil {
				return nil, err
			}
			a.SiteID = site.ID
		}
		key := string(a.Role) + "@" + strconv.FormatInt(a.SiteID, 10)
		if seen[key] {
			return nil, drive.Errorf(drive.EINVALID, "--role %s is given twice: give each role once", s.raw)
		}
		seen[key] = true
		out = append(out, a)
	}
	return out, nil
}

func unknownSite(ctx context.Context, tx *store.Tx, s roleSpec) error {
	sites, err := tx.Sites(ctx)
	if err != nil {
		return err
	}
	if len(sites) == 0 {
		return drive.Errorf(drive.EINVALID, "--role %s: there is no site %s; the database has no sites yet, so only national roles can be given", s.raw, s.site)
	}
	codes := make([]string, len(sites))
	for i, site := range sites {
		codes[i] = site.Code + " (" + site.Name + ")"
	}
	return drive.Errorf(drive.EINVALID, "--role %s: there is no site %s; the site codes are %s", s.raw, s.site, strings.Join(codes, ", "))
}

// findOrganisation returns the organisation with the given name, ignoring
// case. Errors: EINVALID listing the organisations there are.
func findOrganisation(ctx context.Context, tx *store.Tx, name string) (*identity.Organisation, error) {
	orgs, err := tx.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	for i := range orgs {
		if strings.EqualFold(orgs[i].Name, name) {
			return &orgs[i], nil
		}
	}
	if len(orgs) == 0 {
		return nil, drive.Errorf(drive.EINVALID, "there is no organisation %q; the database has no organisations yet", name)
	}
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = strconv.Quote(o.Name)
	}
	return nil, drive.Errorf(drive.EINVALID, "there is no organisation %q; the organisations are %s", name, strings.Join(names, ", "))
}

// findUser returns a user by username. Errors: ENOTFOUND saying how to
// see the usernames.
func findUser(ctx context.Context, tx *store.Tx, username string) (*identity.User, error) {
	u, err := tx.UserByUsername(ctx, username)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return nil, drive.Errorf(drive.ENOTFOUND, "there is no user %q: see drive user list", normaliseUsername(username))
	}
	return u, err
}

func normaliseUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// cliEvent is an audit event for a change made at the command line: the
// system acts, from no network address.
func cliEvent(action, recordType string, id int64) audit.Event {
	return audit.Event{
		ActorID:    0,
		ActorRole:  "system",
		Action:     action,
		RecordType: recordType,
		RecordID:   strconv.FormatInt(id, 10),
		Remote:     "cli",
		Outcome:    audit.OutcomeOK,
	}
}

// openExisting opens a database that already holds the current schema.
// Unlike migrate and bootstrap it never creates a SQLite file, so a
// mistyped --db is reported rather than answered from an empty database.
func openExisting(ctx context.Context, c common) (*store.DB, error) {
	if !store.IsPostgresURL(c.DB) {
		if _, err := os.Stat(c.DB); err != nil {
			return nil, drive.Errorf(drive.EINVALID, "there is no database file %s: check --db, or create the database with drive user bootstrap", c.DB)
		}
	}
	opt, err := c.storeOptions(os.Stderr)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, c.DB, opt)
	if err != nil {
		return nil, err
	}
	st, err := db.Status(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(st.Pending) > 0 {
		db.Close()
		if len(st.Applied) == 0 {
			return nil, drive.Errorf(drive.EINVALID, "%s has no Drive schema: check --db, or create the database with drive user bootstrap", dbName(c.DB))
		}
		return nil, drive.Errorf(drive.EINVALID, "%s needs upgrading (migrations %v are pending): run drive migrate first", dbName(c.DB), st.Pending)
	}
	return db, nil
}

// dbName names the database for messages without printing a PostgreSQL
// URL, which may hold a password.
func dbName(dsn string) string {
	if store.IsPostgresURL(dsn) {
		return "the PostgreSQL database"
	}
	return "the database file " + dsn
}

// newPassword returns a one-time password for username (see
// auth.NewOneTimePassword).
func newPassword(rnd io.Reader, username string) (string, error) {
	return auth.NewOneTimePassword(rnd, username)
}

// readPasswordFile reads a chosen password from a file, dropping the line
// break an editor or echo leaves at the end, and applies the policy.
func readPasswordFile(path, username string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", drive.Errorf(drive.EINVALID, "cannot read --password-file %s: check the path and its permissions", path)
	}
	pw := strings.TrimRight(string(b), "\r\n")
	if err := auth.CheckPassword(pw, username); err != nil {
		return "", drive.Errorf(drive.EINVALID, "the password in %s is not acceptable: %s", path, drive.ErrorMessage(err))
	}
	return pw, nil
}

func runUserBootstrap(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user bootstrap", "user bootstrap --db D --username U --name \"Full Name\" [--organisation NAME]", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	username := fs.String("username", "", "the administrator's username: 3 to 64 lower-case letters, digits, dots, dashes or underscores")
	name := fs.String("name", "", "the administrator's full name")
	orgName := fs.String("organisation", defaultNationalOrganisation, "their organisation; created as a national team if it does not exist")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	if strings.TrimSpace(*username) == "" || strings.TrimSpace(*name) == "" {
		return usageError{"give the first administrator's --username and --name"}
	}
	user := normaliseUsername(*username)
	password, err := newPassword(rand.Reader, user)
	if err != nil {
		return err
	}
	hash, err := auth.HashPassword(rand.Reader, password, auth.DefaultParams())
	if err != nil {
		return err
	}
	opt, err := c.storeOptions(stderr)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, c.DB, opt)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	var (
		u          *identity.User
		org        *identity.Organisation
		orgCreated bool
	)
	err = db.Transact(ctx, func(tx *store.Tx) error {
		n, err := tx.CountUsers(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return drive.Errorf(drive.ECONFLICT, "the database already has %d user(s): bootstrap only creates the first administrator. Add users with drive user add, or reset an administrator's password with drive user reset-password", n)
		}
		org, err = findOrganisation(ctx, tx, *orgName)
		if drive.ErrorCode(err) == drive.EINVALID {
			org = &identity.Organisation{Name: *orgName, Kind: identity.NationalTeam}
			if err := tx.CreateOrganisation(ctx, org); err != nil {
				return err
			}
			if err := tx.Audit(ctx, cliEvent("organisation.create", "organisation", org.ID)); err != nil {
				return err
			}
			orgCreated = true
		} else if err != nil {
			return err
		}
		u = &identity.User{
			Username:       user,
			DisplayName:    *name,
			OrganisationID: org.ID,
			PasswordHash:   hash,
			Roles:          []identity.RoleAssignment{{Role: access.Admin}},
		}
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return tx.Audit(ctx, cliEvent("user.create", "user", u.ID))
	})
	if err != nil {
		return err
	}
	if orgCreated {
		fmt.Fprintf(stdout, "Created the organisation %q (national team).\n", org.Name)
	}
	fmt.Fprintf(stdout, "Created the first administrator %s (%s, %s) with the national admin role.\n", u.Username, u.DisplayName, org.Name)
	printOneTimePassword(stdout, password)
	return nil
}

// printOneTimePassword shows a generated password, which is never shown
// again, and what the person must do at first sign-in.
func printOneTimePassword(w io.Writer, password string) {
	fmt.Fprintf(w, "\nOne-time password: %s\n\n", password)
	fmt.Fprintln(w, "It is shown only now and cannot be recovered. Give it to the person by a secure")
	fmt.Fprintln(w, "route, separately from their username, and ask them to change it once signed in.")
	fmt.Fprintln(w, "They have no second factor yet: at first sign-in they will be asked to set up an")
	fmt.Fprintln(w, "authenticator app before they can do anything else.")
}

func runUserAdd(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user add", "user add --db D --username U --name \"Full Name\" --organisation \"Org name\" --role ROLE[@SITECODE] [--role ...] [--password-file FILE] [--reason TEXT] [--first-team-leader]", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	username := fs.String("username", "", "username: 3 to 64 lower-case letters, digits, dots, dashes or underscores")
	name := fs.String("name", "", "the person's full name")
	orgName := fs.String("organisation", "", "the name of the organisation they work for (see the ORGANISATION column of drive user list)")
	var roles roleFlags
	fs.Var(&roles, "role", "a role to hold: ROLE@SITECODE for a site role (case_manager@NMR), ROLE for a national one (national); repeat for several")
	passwordFile := fs.String("password-file", "", "set the password in this file instead of generating one")
	reason := fs.String("reason", "", "why the account is needed; shown to the IDVA service's team leader who approves an account in their service")
	first := fs.Bool("first-team-leader", false, "create the first team leader of an IDVA service that has never had one, without approval (audited; alerts the data protection officers)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	if strings.TrimSpace(*username) == "" || strings.TrimSpace(*name) == "" || strings.TrimSpace(*orgName) == "" {
		return usageError{"give the new user's --username, --name and --organisation"}
	}
	specs, err := parseRoleSpecs(roles)
	if err != nil {
		return err
	}
	user := normaliseUsername(*username)
	var password string
	if *passwordFile != "" {
		if password, err = readPasswordFile(*passwordFile, user); err != nil {
			return err
		}
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	var (
		org         *identity.Organisation
		sites       map[int64]string
		assignments []identity.RoleAssignment
	)
	err = db.View(ctx, func(tx *store.Tx) error {
		var err error
		if org, err = findOrganisation(ctx, tx, *orgName); err != nil {
			return err
		}
		if assignments, err = resolveRoles(ctx, tx, specs); err != nil {
			return err
		}
		sites, err = siteCodes(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	svc := &service.Service{DB: db}
	out, err := svc.ChangeAccount(ctx, service.CommandLine(), service.AccountChange{Kind: identity.RequestCreate, Username: user, DisplayName: *name,
		OrganisationID: org.ID, Roles: assignments, Password: password, Reason: *reason, FirstTeamLeader: *first})
	if err != nil {
		return err
	}
	if out.Pending() {
		printRequested(stdout, out.Request, org.Name)
		if *passwordFile != "" {
			fmt.Fprintf(stdout, "The password in %s was not used: delete that file now.\n", *passwordFile)
		}
		return nil
	}
	u := out.User
	fmt.Fprintf(stdout, "Created user %s (%s, %s) with the roles %s.\n", u.Username, u.DisplayName, org.Name, strings.Join(roleStrings(u.Roles, sites), ", "))
	if *passwordFile != "" {
		fmt.Fprintf(stdout, "Their password is the one in %s; delete that file now.\n", *passwordFile)
		fmt.Fprintln(stdout, "They have no second factor yet: at first sign-in they will be asked to set up an")
		fmt.Fprintln(stdout, "authenticator app before they can do anything else.")
		return nil
	}
	printOneTimePassword(stdout, out.Password)
	return nil
}

// printRequested says that a change to a victim-side account waits for
// the IDVA service's team leader, and that nothing has changed yet.
func printRequested(w io.Writer, r *identity.AccountRequest, org string) {
	fmt.Fprintf(w, "%s works for %s, an IDVA service: its accounts can reach victim-survivors' details,\n", accountName(r), org)
	fmt.Fprintln(w, "so nothing has changed yet.")
	fmt.Fprintf(w, "Request %d (%s) now waits for a team leader of %s to approve it\n", r.ID, strings.ToLower(r.Kind.Label()), org)
	fmt.Fprintln(w, "on the Service accounts page. Once approved, that team leader is shown any one-time password")
	fmt.Fprintln(w, "and gives it to the person; no password is printed here.")
}

func accountName(r *identity.AccountRequest) string {
	if r.Username != "" {
		return "The new account " + r.Username
	}
	return "The account"
}

// siteCodes maps site IDs to codes.
func siteCodes(ctx context.Context, tx *store.Tx) (map[int64]string, error) {
	sites, err := tx.Sites(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[int64]string, len(sites))
	for _, s := range sites {
		m[s.ID] = s.Code
	}
	return m, nil
}

// roleStrings writes assignments as --role takes them: role@SITECODE, or
// role alone for a national role.
func roleStrings(roles []identity.RoleAssignment, sites map[int64]string) []string {
	out := make([]string, len(roles))
	for i, a := range roles {
		out[i] = string(a.Role)
		if a.SiteID != 0 {
			out[i] += "@" + siteCode(sites, a.SiteID)
		}
	}
	return out
}

// siteCode returns the code of a site, or its ID should the site be
// missing from sites.
func siteCode(sites map[int64]string, id int64) string {
	if code, ok := sites[id]; ok {
		return code
	}
	return "site" + strconv.FormatInt(id, 10)
}

// userListing is one user as drive user list --json prints it. It holds
// no credential: whether a second factor is set up, never the secret.
type userListing struct {
	ID           int64         `json:"id"`
	Username     string        `json:"username"`
	Name         string        `json:"name"`
	Organisation string        `json:"organisation"`
	Roles        []roleListing `json:"roles"`
	SecondFactor bool          `json:"second_factor"`
	Disabled     bool          `json:"disabled"`
	DisabledAt   *time.Time    `json:"disabled_at,omitempty"`
	CreatedAt    time.Time     `json:"created_at"`
}

type roleListing struct {
	Role string `json:"role"`
	Site string `json:"site,omitempty"` // site code; absent for a national role
}

func runUserList(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user list", "user list --db D [--json]", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	list := []userListing{}
	err = db.View(ctx, func(tx *store.Tx) error {
		users, err := tx.Users(ctx)
		if err != nil {
			return err
		}
		sites, err := siteCodes(ctx, tx)
		if err != nil {
			return err
		}
		orgs, err := tx.Organisations(ctx)
		if err != nil {
			return err
		}
		orgNames := make(map[int64]string, len(orgs))
		for _, o := range orgs {
			orgNames[o.ID] = o.Name
		}
		for _, u := range users {
			l := userListing{
				ID:           u.ID,
				Username:     u.Username,
				Name:         u.DisplayName,
				Organisation: orgNames[u.OrganisationID],
				Roles:        []roleListing{},
				SecondFactor: u.TOTPEnrolled,
				Disabled:     u.Disabled(),
				DisabledAt:   u.DisabledAt,
				CreatedAt:    u.CreatedAt.UTC(),
			}
			for _, a := range u.Roles {
				r := roleListing{Role: string(a.Role)}
				if a.SiteID != 0 {
					r.Site = siteCode(sites, a.SiteID)
				}
				l.Roles = append(l.Roles, r)
			}
			list = append(list, l)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(stdout, "There are no users yet: create the first administrator with drive user bootstrap.")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USERNAME\tNAME\tORGANISATION\tROLES\t2FA\tSTATUS")
	for _, l := range list {
		roles := make([]string, len(l.Roles))
		for i, r := range l.Roles {
			roles[i] = r.Role
			if r.Site != "" {
				roles[i] += "@" + r.Site
			}
		}
		sort.Strings(roles)
		twoFactor := "not set up"
		if l.SecondFactor {
			twoFactor = "set up"
		}
		status := "active"
		if l.Disabled {
			status = "disabled " + l.DisabledAt.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", l.Username, printable(l.Name), printable(l.Organisation), strings.Join(roles, ","), twoFactor, status)
	}
	return tw.Flush()
}

// printable replaces control characters (tabs, escapes) in stored text so
// that it cannot break the table or drive the terminal.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// usernameFlag binds the --username flag that every single-user verb
// takes, and returns a check that it was given.
func usernameFlag(fs *flag.FlagSet) func() (string, error) {
	username := fs.String("username", "", "the user's username")
	return func() (string, error) {
		u := normaliseUsername(*username)
		if u == "" {
			return "", usageError{"give the user's --username (see drive user list)"}
		}
		return u, nil
	}
}

func runUserDisable(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user disable", "user disable --db D --username U", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	username := usernameFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	user, err := username()
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	var (
		already        bool
		sessions, toks int64
	)
	err = db.Transact(ctx, func(tx *store.Tx) error {
		u, err := findUser(ctx, tx, user)
		if err != nil {
			return err
		}
		if u.Disabled() {
			already = true
			return nil
		}
		tokens, err := tx.APITokens(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, t := range tokens {
			if t.RevokedAt == nil {
				toks++
			}
		}
		if err := tx.SetUserDisabled(ctx, u.ID, true); err != nil {
			return err
		}
		if sessions, err = tx.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		if err := tx.RevokeUserAPITokens(ctx, u.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, cliEvent("user.disable", "user", u.ID))
	})
	if err != nil {
		return err
	}
	if already {
		fmt.Fprintf(stdout, "%s is already disabled; nothing changed.\n", user)
		return nil
	}
	fmt.Fprintf(stdout, "Disabled %s: they can no longer sign in. Ended %d session(s) and revoked %d API token(s).\n", user, sessions, toks)
	return nil
}

func runUserEnable(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user enable", "user enable --db D --username U", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	username := usernameFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	user, err := username()
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	already := false
	err = db.Transact(ctx, func(tx *store.Tx) error {
		u, err := findUser(ctx, tx, user)
		if err != nil {
			return err
		}
		if !u.Disabled() {
			already = true
			return nil
		}
		if err := tx.SetUserDisabled(ctx, u.ID, false); err != nil {
			return err
		}
		return tx.Audit(ctx, cliEvent("user.enable", "user", u.ID))
	})
	if err != nil {
		return err
	}
	if already {
		fmt.Fprintf(stdout, "%s is not disabled; nothing changed.\n", user)
		return nil
	}
	fmt.Fprintf(stdout, "Enabled %s: they can sign in again with their password and second factor.\n", user)
	fmt.Fprintln(stdout, "API tokens revoked when they were disabled stay revoked; create new ones with drive token create if needed.")
	return nil
}

func runUserResetPassword(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user reset-password", "user reset-password --db D --username U [--reset-2fa] [--reason TEXT]", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	username := usernameFlag(fs)
	reset2FA := fs.Bool("reset-2fa", false, "also remove their authenticator app and recovery codes, so they set up a new one at next sign-in")
	reason := fs.String("reason", "", "why; shown to the IDVA service's team leader who approves a reset in their service")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	user, err := username()
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	var (
		u   *identity.User
		org *identity.Organisation
	)
	err = db.View(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = findUser(ctx, tx, user); err != nil {
			return err
		}
		org, err = tx.Organisation(ctx, u.OrganisationID)
		return err
	})
	if err != nil {
		return err
	}
	kind := identity.RequestResetPass
	if *reset2FA {
		kind = identity.RequestResetBoth
	}
	svc := &service.Service{DB: db}
	out, err := svc.ChangeAccount(ctx, service.CommandLine(), service.AccountChange{Kind: kind, UserID: u.ID, Reason: *reason})
	if err != nil {
		return err
	}
	if out.Pending() {
		printRequested(stdout, out.Request, org.Name)
		return nil
	}
	fmt.Fprintf(stdout, "Reset the password of %s, ended %d session(s) and revoked %d API token(s).\n", user, out.Sessions, out.Tokens)
	if u.Disabled() {
		fmt.Fprintf(stdout, "%s is disabled: enable them with drive user enable before they can sign in.\n", user)
	}
	fmt.Fprintf(stdout, "\nOne-time password: %s\n\n", out.Password)
	fmt.Fprintln(stdout, "It is shown only now and cannot be recovered. Give it to the person by a secure")
	fmt.Fprintln(stdout, "route, and ask them to change it once signed in.")
	if *reset2FA {
		fmt.Fprintln(stdout, "Their authenticator app and recovery codes no longer work: at next sign-in they")
		fmt.Fprintln(stdout, "will be asked to set up an authenticator app again.")
	} else {
		fmt.Fprintln(stdout, "Their authenticator app still works. If they have lost it, run this again with --reset-2fa.")
	}
	return nil
}

func runUserGrant(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("user grant", "user grant --db D --username U --role ROLE[@SITECODE] [--reason TEXT]", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	username := usernameFlag(fs)
	var roles roleFlags
	fs.Var(&roles, "role", "the role to give: ROLE@SITECODE for a site role, ROLE for a national one")
	reason := fs.String("reason", "", "why; shown to the IDVA service's team leader who approves a role in their service")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	user, err := username()
	if err != nil {
		return err
	}
	specs, err := parseRoleSpecs(roles)
	if err != nil {
		return err
	}
	if len(specs) != 1 {
		return usageError{"give one --role at a time"}
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	var (
		u           *identity.User
		org         *identity.Organisation
		assignments []identity.RoleAssignment
		sites       map[int64]string
	)
	err = db.View(ctx, func(tx *store.Tx) error {
		var err error
		if u, err = findUser(ctx, tx, user); err != nil {
			return err
		}
		if org, err = tx.Organisation(ctx, u.OrganisationID); err != nil {
			return err
		}
		if assignments, err = resolveRoles(ctx, tx, specs); err != nil {
			return err
		}
		sites, err = siteCodes(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	svc := &service.Service{DB: db}
	out, err := svc.ChangeAccount(ctx, service.CommandLine(), service.AccountChange{Kind: identity.RequestGrantRole, UserID: u.ID, Roles: assignments, Reason: *reason})
	if err != nil {
		return err
	}
	if out.Pending() {
		printRequested(stdout, out.Request, org.Name)
		return nil
	}
	fmt.Fprintf(stdout, "Gave %s the role %s; they now hold %s.\n", user, roleStrings(assignments, sites)[0], strings.Join(roleStrings(out.User.Roles, sites), ", "))
	return nil
}
