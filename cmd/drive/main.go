// Command drive runs the Drive platform: the web service and its
// administrative subcommands. Configuration comes from flags and DRIVE_*
// environment variables, read once here and passed down.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/drive-platform/drive"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error
}

// commands lists every subcommand, in the order help shows them.
func commands() []command {
	return []command{
		{"serve", "run the web service", runServe},
		{"migrate", "create or upgrade the database schema", runMigrate},
		{"demo", "fill a new database with synthetic demo data", runDemo},
		{"keys", "generate or rotate the key file that protects victim-survivors' details", runKeys},
		{"site", "add or list sites (delivery areas)", runSite},
		{"org", "add or list organisations", runOrg},
		{"programme", "list, export or import a site's programme settings", runProgramme},
		{"policy", "print the access policy as Markdown: drive policy doc", runPolicy},
		{"totp", "print the current security code for a demo user", runTOTP},
		{"user", "add, list, disable, enable or reset the password of users", runUser},
		{"token", "create, list or revoke API tokens", runToken},
		{"feed", "create, list or revoke feeds: machine credentials of a site that may only send files to import", runFeed},
		{"import", "import a police extract or a MARAC list: drive import incidents|marac", runImport},
		{"identify", "rank a site's suspects by recency, frequency, gravity and victims", runIdentify},
		{"link-cases", "link every open case's person and victim-survivor to police people: drive link-cases --db DB [--site CODE]", runLinkCases},
		{"synth", "write a synthetic police extract (and MARAC list) with its truth: drive synth incidents", runSynth},
		{"link", "link records of people in CSV files into clusters", func(ctx context.Context, _ env, args []string, stdout, stderr io.Writer) error {
			return runLink(ctx, args, stdout, stderr)
		}},
		{"bench", "run a benchmark: drive bench link --records N, drive bench identify --incidents N", runBench},
		{"report", "write the outcome measures, small numbers suppressed: drive report --format json|csv|html|pdf|xlsx", runReport},
		{"extract", "write an evaluation project's pseudonymised extract: drive extract --db DB --project NAME --out FILE.zip", runExtract},
		{"trial", "start, end, list, balance or verify a randomised trial at a site: drive trial start|end|list|balance|verify", runTrial},
		{"audit", "verify the audit log or sign a checkpoint of it", runAudit},
		{"backup", "write a consistent backup with a signed manifest: drive backup --db DB --out FILE", runBackup},
		{"restore", "restore a backup into an empty database and check it: drive restore --from FILE --db DB", runRestore},
		{"retention", "apply the retention schedule, or place and release legal holds: drive retention run --db DB [--dry-run]", runRetention},
		{"oidc", "configure OpenID Connect sign-in for an organisation", runOIDC},
		{"version", "print the version", func(_ context.Context, _ env, _ []string, stdout, _ io.Writer) error {
			_, err := fmt.Fprintln(stdout, "drive", version)
			return err
		}},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, env{getenv: os.Getenv}, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches to a subcommand and turns its error into an exit code:
// 0 success, 1 failure, 2 a usage mistake.
func run(ctx context.Context, e env, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:], stdout, stderr)
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case isUsage(err):
			fmt.Fprintf(stderr, "drive %s: %v\n", c.name, err)
			return 2
		default:
			fmt.Fprintf(stderr, "drive %s: %s\n", c.name, describe(err))
			return 1
		}
	}
	fmt.Fprintf(stderr, "drive: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

// describe turns an error into a message for the operator at the
// terminal: the user-facing message, and the cause for internal errors.
func describe(err error) string {
	var de *drive.Error
	if errors.As(err, &de) {
		if de.Err != nil && (de.Code == drive.EINTERNAL || de.Code == drive.EUNAVAILABLE) {
			return de.Message + " (" + de.Err.Error() + ")"
		}
		msg := de.Message
		for f, m := range de.Fields {
			msg += "\n  " + f + ": " + m
		}
		return msg
	}
	return err.Error()
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: drive COMMAND [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run drive COMMAND -h for a command's flags.")
}
