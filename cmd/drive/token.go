package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
)

func runToken(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "token", []subcommand{
		{"create", "create an API token for a user; prints only the token", runTokenCreate},
		{"list", "list a user's API tokens (never the tokens themselves)", runTokenList},
		{"revoke", "revoke one of a user's API tokens", runTokenRevoke},
	}, e, args, stdout, stderr)
}

// parseTTL reads a token lifetime: a Go duration (90m, 12h) or a number
// of days (30d), within the service's limits (service.MinTokenLife to
// service.MaxTokenLife). Errors: usageError saying what is allowed.
func parseTTL(s string) (time.Duration, error) {
	bad := usageError{fmt.Sprintf("--ttl %q: give a lifetime such as 1h, 12h or 30d, at most 365d", s)}
	s = strings.TrimSpace(s)
	var d time.Duration
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > 365 {
			return 0, bad
		}
		d = time.Duration(n) * 24 * time.Hour
	} else {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			return 0, bad
		}
	}
	if d < service.MinTokenLife || d > service.MaxTokenLife {
		return 0, bad
	}
	return d, nil
}

// checkTokenName applies the service's rule for token names
// (service.TokenName), as a usage mistake.
func checkTokenName(name string) (string, error) {
	name, err := service.TokenName(name)
	if err != nil {
		return "", usageError{"--name: " + drive.ErrorMessage(err)}
	}
	return name, nil
}

// tokenUserFlag binds --user, naming whose tokens a verb works on.
var tokenUserFlag = accountFlag("user", "the username whose tokens these are", "give the --user whose tokens these are (see drive user list)")

func runTokenCreate(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	cmd, err := newAccountCommand("token create", "token create --db D --user U [--ttl 24h] [--name NAME]", e, stderr, tokenUserFlag)
	if err != nil {
		return err
	}
	ttlText := cmd.fs.String("ttl", "24h", "how long the token works: a duration such as 1h or 12h, or days such as 30d; at most 365d")
	nameFlag := cmd.fs.String("name", "", "a label saying what the token is for, such as \"nightly export\"")
	var ttl time.Duration
	var name string
	svc, acc, done, err := cmd.start(ctx, args, func() error {
		var err error
		if ttl, err = parseTTL(*ttlText); err != nil {
			return err
		}
		name, err = checkTokenName(*nameFlag)
		return err
	})
	if err != nil {
		return err
	}
	defer done()
	token, t, err := svc.CreateToken(ctx, service.CommandLine(), acc.ID, name, ttl)
	if err != nil {
		return err
	}
	// Only the token goes to stdout, so a script can capture it with
	// TOKEN=$(drive token create ...); everything else is for the person.
	if _, err := fmt.Fprintln(stdout, token); err != nil {
		return err
	}
	user := cmd.user
	fmt.Fprintf(stderr, "Created API token %d (%q) for %s; it works until %s.\n", t.ID, t.Name, user, formatTime(t.ExpiresAt))
	fmt.Fprintln(stderr, "The token is shown only now; Drive keeps only its hash. Store it as a secret.")
	fmt.Fprintln(stderr, "Send it with each API request: Authorization: Bearer TOKEN")
	fmt.Fprintf(stderr, "Revoke it with: drive token revoke --user %s --id %d\n", user, t.ID)
	return nil
}

// tokenListing is one token as drive token list --json prints it: never
// the token or its hash.
type tokenListing struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Status     string     `json:"status"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

func runTokenList(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	cmd, err := newAccountCommand("token list", "token list --db D --user U [--json]", e, stderr, tokenUserFlag)
	if err != nil {
		return err
	}
	asJSON := cmd.fs.Bool("json", false, "print a JSON array instead of a table")
	svc, acc, done, err := cmd.start(ctx, args, nil)
	if err != nil {
		return err
	}
	defer done()
	tokens, err := svc.Tokens(ctx, service.CommandLine(), acc.ID)
	if err != nil {
		return err
	}
	list := []tokenListing{}
	for _, t := range tokens {
		list = append(list, tokenListing{ID: t.ID, Name: t.Name, Status: t.Status,
			CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt, LastUsedAt: t.LastUsedAt})
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	if len(list) == 0 {
		fmt.Fprintf(stdout, "%s has no API tokens.\n", cmd.user)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tCREATED\tEXPIRES\tREVOKED\tLAST USED")
	for _, t := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, printable(t.Name), t.Status,
			formatTime(t.CreatedAt), formatTime(t.ExpiresAt), formatTimePtr(t.RevokedAt), formatTimePtr(t.LastUsedAt))
	}
	return tw.Flush()
}

func runTokenRevoke(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	cmd, err := newAccountCommand("token revoke", "token revoke --db D --user U --id N", e, stderr, tokenUserFlag)
	if err != nil {
		return err
	}
	id := cmd.fs.Int64("id", 0, "the token's ID, from drive token list")
	svc, acc, done, err := cmd.start(ctx, args, func() error {
		if *id <= 0 {
			return usageError{"give the --id of the token to revoke (see drive token list --user " + cmd.user + ")"}
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer done()
	user := cmd.user
	err = svc.RevokeToken(ctx, service.CommandLine(), acc.ID, *id)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return drive.Errorf(drive.ENOTFOUND, "%s: see drive token list --user %s", drive.ErrorMessage(err), acc.Username)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Revoked API token %d of %s: it no longer works.\n", *id, user)
	return nil
}

// formatTime writes a time for people at the terminal, in UTC.
func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func formatTimePtr(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return formatTime(*t)
}
