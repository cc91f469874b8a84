package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/service"
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
// exists, may be held at its scope, and names one of the sites.
// Errors: EINVALID saying which --role is wrong and how to fix it.
func resolveRoles(specs []roleSpec, sites []account.Site) ([]account.RoleAssignment, error) {
	var out []account.RoleAssignment
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
		a := account.RoleAssignment{Role: s.role}
		if s.site != "" {
			i := slices.IndexFunc(sites, func(st account.Site) bool { return strings.EqualFold(st.Code, s.site) })
			if i < 0 {
				return nil, unknownSite(sites, s)
			}
			a.SiteID = sites[i].ID
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

// siteRoles resolves role specs against the sites there are, which it
// returns too for printing the roles back.
func siteRoles(ctx context.Context, svc *service.Service, specs []roleSpec) ([]account.Site, []account.RoleAssignment, error) {
	sites, err := svc.Sites(ctx, service.CommandLine())
	if err != nil {
		return nil, nil, err
	}
	roles, err := resolveRoles(specs, sites)
	return sites, roles, err
}

func unknownSite(sites []account.Site, s roleSpec) error {
	if len(sites) == 0 {
		return drive.Errorf(drive.EINVALID, "--role %s: there is no site %s; the database has no sites yet, so only national roles can be given", s.raw, s.site)
	}
	codes := make([]string, len(sites))
	for i, site := range sites {
		codes[i] = site.Code + " (" + site.Name + ")"
	}
	return drive.Errorf(drive.EINVALID, "--role %s: there is no site %s; the site codes are %s", s.raw, s.site, strings.Join(codes, ", "))
}

func normaliseUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// accountCommand is a verb acting on one account that its flags name
// (--username, or --user for tokens): it parses the flags, then opens the
// service and finds the account, as the command line.
type accountCommand struct {
	fs       *flag.FlagSet
	c        common
	username func() (string, error)
	// user is the username given, normalised, once parsed.
	user string
}

func newAccountCommand(name, synopsis string, e env, stderr io.Writer, bind func(*flag.FlagSet) func() (string, error)) (*accountCommand, error) {
	ac := &accountCommand{fs: newFlagSet(name, synopsis, stderr)}
	if err := bindCommon(ac.fs, e, &ac.c); err != nil {
		return nil, err
	}
	ac.username = bind(ac.fs)
	return ac, nil
}

// start parses the flags, runs check on the verb's own flags (nil: none),
// then opens the service and finds the account; done closes the database.
// A mistake in the flags is a usage error, found before the database is
// opened.
func (ac *accountCommand) start(ctx context.Context, args []string, check func() error) (svc *service.Service, acc *service.Account, done func(), err error) {
	if err := parseFlags(ac.fs, args); err != nil {
		return nil, nil, nil, err
	}
	if err := ac.c.check(); err != nil {
		return nil, nil, nil, err
	}
	if ac.user, err = ac.username(); err != nil {
		return nil, nil, nil, err
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, nil, nil, err
		}
	}
	svc, done, err = existingService(ctx, ac.c)
	if err != nil {
		return nil, nil, nil, err
	}
	acc, err = svc.AccountNamed(ctx, service.CommandLine(), ac.user)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		err = noUser(ac.user)
	}
	if err != nil {
		done()
		return nil, nil, nil, err
	}
	return svc, acc, done, nil
}

// accountFlag binds the flag naming the account a verb acts on, and
// returns a check that it was given.
func accountFlag(name, usage, missing string) func(*flag.FlagSet) func() (string, error) {
	return func(fs *flag.FlagSet) func() (string, error) {
		username := fs.String(name, "", usage)
		return func() (string, error) {
			u := normaliseUsername(*username)
			if u == "" {
				return "", usageError{missing}
			}
			return u, nil
		}
	}
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
	svc, done, err := newService(ctx, c)
	if err != nil {
		return err
	}
	defer done()
	out, err := svc.Bootstrap(ctx, service.CommandLine(), service.FirstAdministrator{Username: *username, DisplayName: *name, Organisation: *orgName})
	if err != nil {
		return err
	}
	if out.OrganisationCreated {
		fmt.Fprintf(stdout, "Created the organisation %q (national team).\n", out.Organisation.Name)
	}
	fmt.Fprintf(stdout, "Created the first administrator %s (%s, %s) with the national admin role.\n", out.User.Username, out.User.DisplayName, out.Organisation.Name)
	printOneTimePassword(stdout, out.Password)
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
	svc, done, err := existingService(ctx, c)
	if err != nil {
		return err
	}
	defer done()
	cli := service.CommandLine()
	orgs, err := svc.Organisations(ctx, cli)
	if err != nil {
		return err
	}
	org, err := service.OrganisationNamed(orgs, *orgName)
	if err != nil {
		return err
	}
	sites, assignments, err := siteRoles(ctx, svc, specs)
	if err != nil {
		return err
	}
	out, err := svc.ChangeAccount(ctx, cli, service.AccountChange{Kind: account.RequestCreate, Username: user, DisplayName: *name,
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
func printRequested(w io.Writer, r *account.AccountRequest, org string) {
	fmt.Fprintf(w, "%s works for %s, an IDVA service: its accounts can reach victim-survivors' details,\n", accountName(r), org)
	fmt.Fprintln(w, "so nothing has changed yet.")
	fmt.Fprintf(w, "Request %d (%s) now waits for a team leader of %s to approve it\n", r.ID, strings.ToLower(r.Kind.Label()), org)
	fmt.Fprintln(w, "on the Service accounts page. Once approved, that team leader is shown any one-time password")
	fmt.Fprintln(w, "and gives it to the person; no password is printed here.")
}

func accountName(r *account.AccountRequest) string {
	if r.Username != "" {
		return "The new account " + r.Username
	}
	return "The account"
}

// roleStrings writes assignments as --role takes them: role@SITECODE, or
// role alone for a national role.
func roleStrings(roles []account.RoleAssignment, sites []account.Site) []string {
	out := make([]string, len(roles))
	for i, a := range roles {
		out[i] = string(a.Role)
		if a.SiteID == 0 {
			continue
		}
		code := "site" + strconv.FormatInt(a.SiteID, 10)
		if j := slices.IndexFunc(sites, func(st account.Site) bool { return st.ID == a.SiteID }); j >= 0 {
			code = sites[j].Code
		}
		out[i] += "@" + code
	}
	return out
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
	svc, done, err := existingService(ctx, c)
	if err != nil {
		return err
	}
	defer done()
	accounts, err := svc.Users(ctx, service.CommandLine())
	if err != nil {
		return err
	}
	list := []userListing{}
	for _, a := range accounts {
		l := userListing{ID: a.ID, Username: a.Username, Name: a.DisplayName, Organisation: a.Organisation, Roles: []roleListing{},
			SecondFactor: a.SecondFactor, Disabled: a.Disabled(), DisabledAt: a.DisabledAt, CreatedAt: a.CreatedAt}
		for _, r := range a.Roles {
			l.Roles = append(l.Roles, roleListing{Role: string(r.Role), Site: r.SiteCode})
		}
		list = append(list, l)
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
// takes.
var usernameFlag = accountFlag("username", "the user's username", "give the user's --username (see drive user list)")

func runUserDisable(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	return runUserSwitch(ctx, e, args, stdout, stderr, true)
}

func runUserEnable(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	return runUserSwitch(ctx, e, args, stdout, stderr, false)
}

// runUserSwitch disables or enables an account.
func runUserSwitch(ctx context.Context, e env, args []string, stdout, stderr io.Writer, disable bool) error {
	verb := "enable"
	if disable {
		verb = "disable"
	}
	cmd, err := newAccountCommand("user "+verb, "user "+verb+" --db D --username U", e, stderr, usernameFlag)
	if err != nil {
		return err
	}
	svc, acc, done, err := cmd.start(ctx, args, nil)
	if err != nil {
		return err
	}
	defer done()
	change := svc.EnableUser
	if disable {
		change = svc.DisableUser
	}
	ch, err := change(ctx, service.CommandLine(), acc.ID)
	switch {
	case err != nil:
		return err
	case !ch.Changed && disable:
		fmt.Fprintf(stdout, "%s is already disabled; nothing changed.\n", cmd.user)
	case !ch.Changed:
		fmt.Fprintf(stdout, "%s is not disabled; nothing changed.\n", cmd.user)
	case disable:
		fmt.Fprintf(stdout, "Disabled %s: they can no longer sign in. Ended %d session(s) and revoked %d API token(s).\n", cmd.user, ch.Sessions, ch.Tokens)
	default:
		fmt.Fprintf(stdout, "Enabled %s: they can sign in again with their password and second factor.\n", cmd.user)
		fmt.Fprintln(stdout, "API tokens revoked when they were disabled stay revoked; create new ones with drive token create if needed.")
	}
	return nil
}

func runUserResetPassword(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	cmd, err := newAccountCommand("user reset-password", "user reset-password --db D --username U [--reset-2fa] [--reason TEXT]", e, stderr, usernameFlag)
	if err != nil {
		return err
	}
	reset2FA := cmd.fs.Bool("reset-2fa", false, "also remove their authenticator app and recovery codes, so they set up a new one at next sign-in")
	reason := cmd.fs.String("reason", "", "why; shown to the IDVA service's team leader who approves a reset in their service")
	svc, acc, done, err := cmd.start(ctx, args, nil)
	if err != nil {
		return err
	}
	defer done()
	kind := account.RequestResetPass
	if *reset2FA {
		kind = account.RequestResetBoth
	}
	out, err := svc.ChangeAccount(ctx, service.CommandLine(), service.AccountChange{Kind: kind, UserID: acc.ID, Reason: *reason})
	if err != nil {
		return err
	}
	if out.Pending() {
		printRequested(stdout, out.Request, acc.Organisation)
		return nil
	}
	user := cmd.user
	fmt.Fprintf(stdout, "Reset the password of %s, ended %d session(s) and revoked %d API token(s).\n", user, out.Sessions, out.Tokens)
	if acc.Disabled() {
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
	cmd, err := newAccountCommand("user grant", "user grant --db D --username U --role ROLE[@SITECODE] [--reason TEXT]", e, stderr, usernameFlag)
	if err != nil {
		return err
	}
	var roles roleFlags
	cmd.fs.Var(&roles, "role", "the role to give: ROLE@SITECODE for a site role, ROLE for a national one")
	reason := cmd.fs.String("reason", "", "why; shown to the IDVA service's team leader who approves a role in their service")
	var specs []roleSpec
	svc, acc, done, err := cmd.start(ctx, args, func() error {
		var err error
		if specs, err = parseRoleSpecs(roles); err == nil && len(specs) != 1 {
			err = usageError{"give one --role at a time"}
		}
		return err
	})
	if err != nil {
		return err
	}
	defer done()
	sites, assignments, err := siteRoles(ctx, svc, specs)
	if err != nil {
		return err
	}
	out, err := svc.ChangeAccount(ctx, service.CommandLine(), service.AccountChange{Kind: account.RequestGrantRole, UserID: acc.ID, Roles: assignments, Reason: *reason})
	if err != nil {
		return err
	}
	if out.Pending() {
		printRequested(stdout, out.Request, acc.Organisation)
		return nil
	}
	fmt.Fprintf(stdout, "Gave %s the role %s; they now hold %s.\n", cmd.user, roleStrings(assignments, sites)[0], strings.Join(roleStrings(out.User.Roles, sites), ", "))
	return nil
}
