package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/service"
)

// runImport imports a police extract (or, with marac, a MARAC list; see
// runImportMARAC): every row is validated first; with any error the whole
// report is printed and nothing is stored. Importing the same references
// again changes nothing.
func runImport(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "marac" {
		return runImportMARAC(ctx, e, args[1:], stdout, stderr)
	}
	if len(args) == 0 || args[0] != "incidents" {
		return usageError{"use: drive import incidents --db ... --site CODE FILE.csv [--mapping FILE], or drive import marac with the same flags for a MARAC list"}
	}
	a, err := parseImportArgs(e, incidentImport(), args[1:], stderr)
	if err != nil {
		return err
	}
	f, err := a.open()
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	recs, rowErrs, info, err := incident.ReadFile(f, a.mapping, e.today(), a.read)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Read %s as %s.\n", a.file, info)
	if len(rowErrs) > 0 {
		return reportRowErrors(stderr, rowErrs, a.file)
	}
	fmt.Fprintf(stderr, "Read %d incidents in %s; storing...\n", len(recs), time.Since(start).Round(time.Millisecond))
	db, err := openFor(ctx, a.c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := db.Svc
	if svc.Mail, err = importMail(e); err != nil {
		return err
	}
	inserted, skipped, err := svc.ImportIncidents(ctx, service.CommandLine(), a.site, recs, func(line string) { fmt.Fprintln(stderr, "  "+line) })
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return noSite(a.site)
	}
	if err != nil {
		return err
	}
	if !a.noMatch {
		if err := matchAcrossSites(ctx, svc, stderr); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "Imported %d new incidents (%d already held) in %s.\n", inserted, skipped, time.Since(start).Round(time.Millisecond))
	return nil
}

// matchAcrossSites finds the suspects known at more than one site, in a
// transaction of its own: the import before it stands either way.
func matchAcrossSites(ctx context.Context, svc *service.Service, stderr io.Writer) error {
	start := time.Now()
	fmt.Fprintln(stderr, "  matching suspects across sites")
	m, err := svc.MatchAcrossSites(ctx, service.CommandLine())
	if err != nil {
		return fmt.Errorf("the import is stored, but matching across sites failed (run drive identify --across-sites to try again): %w", err)
	}
	fmt.Fprintf(stderr, "  %d suspects known at more than one site (%s)\n", m.Matched, time.Since(start).Round(time.Millisecond))
	return nil
}

// noSite is the mistake of naming a site that does not exist.
func noSite(code string) error {
	return usageError{fmt.Sprintf("no site with code %q: see drive site list", code)}
}

// runIdentify ranks a site's suspects: their mentions are linked into
// people, then scored with the default strategy (or --strategy FILE).
func runIdentify(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("identify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	siteCode := fs.String("site", "", "site code, e.g. NMR")
	acrossSites := fs.Bool("across-sites", false, "match suspects across all sites (after imports made with --no-match), instead of listing a site")
	top := fs.Int("top", 20, "how many to list (0 for everyone)")
	asOfFlag := fs.String("as-of", "", "score as of this date (default today)")
	strategyPath := fs.String("strategy", "", "scoring strategy JSON (default: the built-in default, see docs/identify.md)")
	resolve := fs.Bool("resolve", false, "link the site's people again in full first (imports past 50,000 records link new ones a chunk at a time; see docs/incidents.md)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *acrossSites {
		if *siteCode != "" {
			return usageError{"--across-sites covers every site: leave out --site"}
		}
		db, err := openFor(ctx, c)
		if err != nil {
			return err
		}
		defer db.Close()
		return matchAcrossSites(ctx, db.Svc, stderr)
	}
	if *siteCode == "" {
		return usageError{"say which site with --site CODE, or --across-sites"}
	}
	if *top < 0 {
		return usageError{"--top must be 0 or more"}
	}
	asOf := e.today()
	if *asOfFlag != "" {
		d, err := drive.ParseDate(*asOfFlag)
		if err != nil {
			return usageError{"--as-of is not a date: use YYYY-MM-DD"}
		}
		asOf = d
	}
	strategy := identify.Default()
	if *strategyPath != "" {
		body, err := os.ReadFile(*strategyPath)
		if err != nil {
			return usageError{fmt.Sprintf("cannot read %s: %v", *strategyPath, err)}
		}
		if strategy, err = identify.Parse(body); err != nil {
			return err
		}
	}
	db, err := openFor(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := db.Svc
	if *resolve {
		res, err := svc.ResolveSite(ctx, service.CommandLine(), *siteCode)
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return noSite(*siteCode)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "Linked again in full: %d suspects and %d victims; %d incidents and hearings changed person.\n", res.Suspects, res.Victims, res.Moved)
	}
	rk, err := svc.RankSite(ctx, service.CommandLine(), *siteCode, asOf, strategy, *top, func(line string) { fmt.Fprintln(stderr, line) })
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return noSite(*siteCode)
	}
	if err != nil {
		return err
	}
	if len(rk.Incidents) == 0 {
		fmt.Fprintln(stdout, "No incidents in the window: import an extract with drive import incidents first.")
		return nil
	}
	fmt.Fprintf(stderr, "%d incidents, %d suspects ranked in %s (strategy %s %s).\n", len(rk.Incidents), len(rk.Scores), rk.Ranked.Round(time.Millisecond), strategy.Code, strategy.Version)
	names, scores := rk.Names, rk.Scores
	for _, s := range scores {
		flags := ""
		if s.Serial {
			flags += " SERIAL"
		}
		if s.Escalating {
			flags += " ESCALATING"
		}
		fmt.Fprintf(stdout, "%3d  %-28s %7.1f  %d incidents, %d victims%s  (person %s)\n", s.Rank, names[s.Suspect], s.Total, s.Incidents, s.DistinctVictims, flags, s.Suspect)
		for _, r := range s.Reasons {
			fmt.Fprintf(stdout, "       %s\n", r)
		}
	}
	return nil
}
