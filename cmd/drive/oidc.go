package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/service"
)

func runOIDC(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "oidc", []subcommand{
		{"set", "let an organisation's staff sign in with its own OpenID Connect provider", runOIDCSet},
		{"list", "list organisations' sign-in settings (never the client secret)", runOIDCList},
		{"disable", "stop sign-in through an organisation's provider, keeping its settings", runOIDCDisable},
		{"enable", "allow sign-in through an organisation's provider again", runOIDCEnable},
		{"unlink", "forget which provider account a user signs in with, so the next sign-in matches by username", runOIDCUnlink},
	}, e, args, stdout, stderr)
}

// oidcValues collects a repeatable flag whose values may also be separated
// by commas.
type oidcValues []string

func (l *oidcValues) String() string { return strings.Join(*l, ",") }

func (l *oidcValues) Set(v string) error {
	for _, part := range strings.Split(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

func runOIDCSet(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("oidc set", `oidc set --db D --organisation NAME --issuer URL --client-id ID --client-secret-file FILE --redirect-url URL --display "Button label" [--email-domain D ...] [--mfa-amr V ...] [--mfa-acr V ...]`, stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	orgName := fs.String("organisation", "", "the organisation whose staff sign in this way (see drive user list)")
	issuer := fs.String("issuer", "", "the provider's issuer URL, exactly as its discovery document gives it")
	clientID := fs.String("client-id", "", "the client ID the provider registered for Drive")
	secretFile := fs.String("client-secret-file", "", "a file holding the client secret; may be left out to keep the stored one")
	redirect := fs.String("redirect-url", "", "Drive's public address followed by "+account.OIDCCallbackPath+"; register exactly this with the provider")
	display := fs.String("display", "", `the label of the sign-in button, e.g. "Northmoor Police account"`)
	claim := fs.String("username-claim", account.ClaimEmail, "the claim matched against Drive usernames at first sign-in: email or preferred_username")
	var domains, amr, acr oidcValues
	fs.Var(&domains, "email-domain", "an email domain the organisation's staff use; repeat or separate with commas")
	fs.Var(&amr, "mfa-amr", `an "amr" value meaning the provider checked a second factor (e.g. mfa); repeat or separate with commas`)
	fs.Var(&acr, "mfa-acr", `an "acr" value meaning the same; repeat or separate with commas`)
	disabled := fs.Bool("disabled", false, "store the settings without switching sign-in on")
	skipCheck := fs.Bool("skip-check", false, "do not fetch the provider's discovery document to check the issuer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	if strings.TrimSpace(*orgName) == "" || strings.TrimSpace(*issuer) == "" || strings.TrimSpace(*clientID) == "" ||
		strings.TrimSpace(*redirect) == "" || strings.TrimSpace(*display) == "" {
		return usageError{"give --organisation, --issuer, --client-id, --redirect-url and --display (and --client-secret-file the first time)"}
	}
	var secret string
	if *secretFile != "" {
		b, err := os.ReadFile(*secretFile)
		if err != nil {
			return drive.Errorf(drive.EINVALID, "cannot read --client-secret-file %s: check the path and its permissions", *secretFile)
		}
		secret = strings.TrimSpace(string(b))
		if secret == "" {
			return drive.Errorf(drive.EINVALID, "--client-secret-file %s is empty", *secretFile)
		}
	}
	cfg := &account.OIDCConfig{Issuer: *issuer, ClientID: *clientID, ClientSecret: secret, RedirectURL: *redirect,
		DisplayName: *display, Enabled: !*disabled, UsernameClaim: *claim, EmailDomains: domains, MFAMethods: amr, MFAContexts: acr}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := db.Svc
	org, cfg, err := svc.SetOIDC(ctx, service.CommandLine(), service.OIDCSettings{Organisation: *orgName, Config: *cfg, SkipCheck: *skipCheck})
	if err != nil {
		return err
	}
	state := "switched on"
	if !cfg.Enabled {
		state = "stored but switched off (drive oidc enable to switch on)"
	}
	fmt.Fprintf(stdout, "Sign-in through %s for %s is %s.\n\n", cfg.Issuer, org.Name, state)
	fmt.Fprintf(stdout, "Register this redirect URI with the provider: %s\n", cfg.RedirectURL)
	switch cfg.UsernameClaim {
	case account.ClaimEmail:
		fmt.Fprintf(stdout, "At first sign-in, a verified email address at %s is matched to the %s user\nwhose username is the part before the @.\n",
			strings.Join(cfg.EmailDomains, " or "), org.Name)
	default:
		fmt.Fprintf(stdout, "At first sign-in, preferred_username is matched to the %s user with that username.\n", org.Name)
	}
	if len(cfg.MFAMethods)+len(cfg.MFAContexts) == 0 {
		fmt.Fprintln(stdout, "The provider is not trusted for a second factor: people also give Drive's security code.")
	} else {
		var when []string
		if len(cfg.MFAMethods) > 0 {
			when = append(when, "an amr of "+strings.Join(cfg.MFAMethods, " or "))
		}
		if len(cfg.MFAContexts) > 0 {
			when = append(when, "an acr of "+strings.Join(cfg.MFAContexts, " or "))
		}
		fmt.Fprintf(stdout, "Drive's security code is not asked for when the ID token has %s.\n", strings.Join(when, ", or "))
	}
	return nil
}

func orDash(v []string) string {
	if len(v) == 0 {
		return "-"
	}
	return strings.Join(v, "|")
}

func runOIDCList(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("oidc list", "oidc list --db D", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
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
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORGANISATION\tENABLED\tBUTTON\tISSUER\tCLIENT ID\tUSERNAME CLAIM\tEMAIL DOMAINS\tMFA AMR\tMFA ACR")
	settings, err := db.Svc.OIDCSettingsList(ctx, service.CommandLine())
	if err != nil {
		return err
	}
	for _, st := range settings {
		cfg := st.Config
		enabled := "no"
		if cfg.Enabled {
			enabled = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", st.Organisation, enabled, cfg.DisplayName, cfg.Issuer, cfg.ClientID,
			cfg.UsernameClaim, orDash(cfg.EmailDomains), orDash(cfg.MFAMethods), orDash(cfg.MFAContexts))
	}
	return tw.Flush()
}

func runOIDCDisable(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	return setOIDCEnabled(ctx, e, args, stdout, stderr, false)
}

func runOIDCEnable(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	return setOIDCEnabled(ctx, e, args, stdout, stderr, true)
}

func setOIDCEnabled(ctx context.Context, e env, args []string, stdout, stderr io.Writer, enabled bool) error {
	verb := "disable"
	if enabled {
		verb = "enable"
	}
	fs := newFlagSet("oidc "+verb, "oidc "+verb+" --db D --organisation NAME", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	orgName := fs.String("organisation", "", "the organisation")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	if strings.TrimSpace(*orgName) == "" {
		return usageError{"give the --organisation"}
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	org, err := db.Svc.SetOIDCEnabled(ctx, service.CommandLine(), *orgName, enabled)
	if err != nil {
		return err
	}
	if enabled {
		fmt.Fprintf(stdout, "Staff of %s can sign in with their organisation's account again.\n", org.Name)
	} else {
		fmt.Fprintf(stdout, "Staff of %s can no longer sign in with their organisation's account. Sessions already started run on\nuntil they end; disable users with drive user disable to end theirs now.\n", org.Name)
	}
	return nil
}

func runOIDCUnlink(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("oidc unlink", "oidc unlink --db D --username U --organisation NAME", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	username := fs.String("username", "", "the Drive user")
	orgName := fs.String("organisation", "", "the organisation whose provider account to forget")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	if strings.TrimSpace(*username) == "" || strings.TrimSpace(*orgName) == "" {
		return usageError{"give the --username and the --organisation"}
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.Svc.UnlinkOIDC(ctx, service.CommandLine(), *username, *orgName)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Forgot %s's provider account. Their next sign-in there is matched by username again.\n", u.Username)
	return nil
}
