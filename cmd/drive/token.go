package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/auth"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/store"
)

// API token lifetimes. A token is a long-lived credential that skips the
// second factor, so it always expires; a year is the most an integration
// may go without its token being replaced.
const (
	maxTokenTTL  = 365 * 24 * time.Hour
	maxTokenName = 100
)

func runToken(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "token", []subcommand{
		{"create", "create an API token for a user; prints only the token", runTokenCreate},
		{"list", "list a user's API tokens (never the tokens themselves)", runTokenList},
		{"revoke", "revoke one of a user's API tokens", runTokenRevoke},
	}, e, args, stdout, stderr)
}

// parseTTL reads a token lifetime: a Go duration (90m, 12h) or a number
// of days (30d). Errors: usageError saying what is allowed.
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
	if d < time.Minute || d > maxTokenTTL {
		return 0, bad
	}
	return d, nil
}

// checkTokenName keeps token names short labels that print on one line.
func checkTokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > maxTokenName || strings.ContainsFunc(name, unicode.IsControl) {
		return "", usageError{fmt.Sprintf("--name: give a label of at most %d characters without tabs or line breaks, saying what the token is for", maxTokenName)}
	}
	return name, nil
}

// tokenUserFlag binds --user, naming whose tokens a verb works on.
func tokenUserFlag(fs *flag.FlagSet) func() (string, error) {
	user := fs.String("user", "", "the username whose tokens these are")
	return func() (string, error) {
		u := normaliseUsername(*user)
		if u == "" {
			return "", usageError{"give the --user whose tokens these are (see drive user list)"}
		}
		return u, nil
	}
}

func runTokenCreate(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("token create", "token create --db D --user U [--ttl 24h] [--name NAME]", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	username := tokenUserFlag(fs)
	ttlText := fs.String("ttl", "24h", "how long the token works: a duration such as 1h or 12h, or days such as 30d; at most 365d")
	nameFlag := fs.String("name", "", "a label saying what the token is for, such as \"nightly export\"")
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
	ttl, err := parseTTL(*ttlText)
	if err != nil {
		return err
	}
	name, err := checkTokenName(*nameFlag)
	if err != nil {
		return err
	}
	token, hash, err := auth.NewToken(rand.Reader, auth.APITokenPrefix)
	if err != nil {
		return err
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	t := &identity.APIToken{Name: name, TokenHash: hash}
	err = db.Transact(ctx, func(tx *store.Tx) error {
		u, err := findUser(ctx, tx, user)
		if err != nil {
			return err
		}
		if u.Disabled() {
			return drive.Errorf(drive.EINVALID, "%s is disabled, so a token for them would not work: enable them first with drive user enable", u.Username)
		}
		// A token is a way into the account: whoever runs this command
		// would hold it. Accounts of an IDVA service reach victim-survivors'
		// records, so they are never handed out this way (the same reason an
		// administrator's reset of such an account waits for approval).
		org, err := tx.Organisation(ctx, u.OrganisationID)
		if err != nil {
			return err
		}
		if org.VictimSide() {
			return drive.Errorf(drive.EINVALID, "%s is an account of %s, an IDVA service: API tokens for victim-side accounts are not issued from the command line, because whoever ran it would hold a way into her records", u.Username, org.Name)
		}
		t.UserID = u.ID
		t.ExpiresAt = tx.Now.Add(ttl)
		if err := tx.CreateAPIToken(ctx, t); err != nil {
			return err
		}
		return tx.Audit(ctx, cliEvent("token.create", "api_token", t.ID))
	})
	if err != nil {
		return err
	}
	// Only the token goes to stdout, so a script can capture it with
	// TOKEN=$(drive token create ...); everything else is for the person.
	if _, err := fmt.Fprintln(stdout, token); err != nil {
		return err
	}
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
	fs := newFlagSet("token list", "token list --db D --user U [--json]", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	username := tokenUserFlag(fs)
	asJSON := fs.Bool("json", false, "print a JSON array instead of a table")
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
	list := []tokenListing{}
	err = db.View(ctx, func(tx *store.Tx) error {
		u, err := findUser(ctx, tx, user)
		if err != nil {
			return err
		}
		tokens, err := tx.APITokens(ctx, u.ID)
		if err != nil {
			return err
		}
		for _, t := range tokens {
			status := "active"
			switch {
			case t.RevokedAt != nil:
				status = "revoked"
			case !t.Usable(tx.Now):
				status = "expired"
			}
			list = append(list, tokenListing{
				ID: t.ID, Name: t.Name, Status: status,
				CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt, LastUsedAt: t.LastUsedAt,
			})
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
		fmt.Fprintf(stdout, "%s has no API tokens.\n", user)
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
	fs := newFlagSet("token revoke", "token revoke --db D --user U --id N", stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	username := tokenUserFlag(fs)
	id := fs.Int64("id", 0, "the token's ID, from drive token list")
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
	if *id <= 0 {
		return usageError{"give the --id of the token to revoke (see drive token list --user " + user + ")"}
	}
	db, err := openExisting(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.Transact(ctx, func(tx *store.Tx) error {
		u, err := findUser(ctx, tx, user)
		if err != nil {
			return err
		}
		err = tx.RevokeAPIToken(ctx, u.ID, *id)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return drive.Errorf(drive.ENOTFOUND, "%s has no token %d that is not already revoked: see drive token list --user %s", u.Username, *id, u.Username)
		}
		if err != nil {
			return err
		}
		return tx.Audit(ctx, cliEvent("token.revoke", "api_token", *id))
	})
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
