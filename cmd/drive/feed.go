package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/drive-platform/drive/service"
)

// runFeed creates, revokes and lists feeds: a site's machine credentials
// that may only send files to import (docs/incidents.md, "Feeds").
func runFeed(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	return dispatch(ctx, "feed", []subcommand{
		{"create", "create a feed for a site; its token is the last word of the last line", runFeedCreate},
		{"revoke", "end a site's feed: its token is refused from now on", runFeedRevoke},
		{"list", "list every site's feeds and when each last delivered", runFeedList},
	}, e, args, stdout, stderr)
}

// parseInterval reads how often a feed is expected to deliver: a Go
// duration (12h) or a number of days (7d).
func parseInterval(s string) (time.Duration, error) {
	bad := usageError{fmt.Sprintf("--interval %q: give how often the feed delivers, such as 12h, 1d or 7d", s)}
	s = strings.TrimSpace(s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err != nil || n < 1 || n > 366 || fmt.Sprint(n) != days {
			return 0, bad
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < time.Hour {
		return 0, bad
	}
	return d, nil
}

func feedFlags(name string, e env, stderr io.Writer) (*flag.FlagSet, *common, *string, *string, error) {
	fs := flag.NewFlagSet("feed "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &common{}
	if err := bindCommon(fs, e, c); err != nil {
		return nil, nil, nil, nil, err
	}
	site := fs.String("site", "", "the site's code, e.g. NMR")
	feedName := fs.String("name", "", "the feed's name, such as \"Force X weekly extract\"")
	return fs, c, site, feedName, nil
}

func runFeedCreate(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs, c, site, name, err := feedFlags("create", e, stderr)
	if err != nil {
		return err
	}
	intervalText := fs.String("interval", "7d", "how often the feed is expected to deliver: 12h, 1d, 7d...")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	interval, err := parseInterval(*intervalText)
	if err != nil {
		return err
	}
	if *site == "" || strings.TrimSpace(*name) == "" {
		return usageError{"use: drive feed create --db DB --site CODE --name TEXT [--interval 7d]"}
	}
	db, err := openFor(ctx, *c)
	if err != nil {
		return err
	}
	defer db.Close()
	f, token, err := db.Svc.CreateFeed(ctx, service.CommandLine(), *site, *name, interval)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created feed %q for %s, expected every %s. It may only send files to import:\n", f.Name, f.SiteCode, *intervalText)
	fmt.Fprintln(stdout, "  POST /api/v1/imports?kind=incidents|marac with the file as the body; GET /api/v1/imports/ID for what became of it.")
	fmt.Fprintln(stdout, "The token is shown only now; Drive keeps only its hash. Store it as a secret.")
	fmt.Fprintf(stdout, "Token: %s\n", token)
	return nil
}

func runFeedRevoke(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs, c, site, name, err := feedFlags("revoke", e, stderr)
	if err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *site == "" || strings.TrimSpace(*name) == "" {
		return usageError{"use: drive feed revoke --db DB --site CODE --name TEXT"}
	}
	db, err := openFor(ctx, *c)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Svc.RevokeFeed(ctx, service.CommandLine(), *site, *name); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Feed %q of %s is revoked: its token is refused from now on.\n", strings.TrimSpace(*name), *site)
	return nil
}

func runFeedList(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("feed list", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := openFor(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	feeds, err := db.Svc.AllFeeds(ctx, service.CommandLine())
	if err != nil {
		return err
	}
	if len(feeds) == 0 {
		fmt.Fprintln(stdout, "There are no feeds. Create one with: drive feed create --site CODE --name TEXT")
		return nil
	}
	for _, f := range feeds {
		state := "in use"
		switch {
		case f.RevokedAt != nil:
			state = "revoked " + formatTime(*f.RevokedAt)
		case f.Failing:
			state = "failing"
		case f.Silent:
			state = "silent"
		}
		last := "never delivered"
		if f.Last != nil {
			last = fmt.Sprintf("last delivered %s: %s, %d rows, %d new", formatTime(f.Last.CreatedAt), f.Last.Status, f.Last.Rows, f.Last.New)
		}
		fmt.Fprintf(stdout, "%-6s %-32q every %-8s %-10s %s\n", f.SiteCode, f.Name, intervalText(f.Interval), state, last)
	}
	return nil
}

func intervalText(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
