package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
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
	recs, rowErrs, err := incident.Read(f, a.mapping, e.today())
	if err != nil {
		return err
	}
	if len(rowErrs) > 0 {
		return reportRowErrors(stderr, rowErrs, a.file)
	}
	fmt.Fprintf(stderr, "Read %d incidents in %s; storing...\n", len(recs), time.Since(start).Round(time.Millisecond))
	db, err := openFor(ctx, a.c)
	if err != nil {
		return err
	}
	defer db.Close()
	var inserted, skipped int
	err = db.db.Transact(ctx, func(tx *store.Tx) error {
		site, err := tx.SiteByCode(ctx, a.site)
		if err != nil {
			return usageError{fmt.Sprintf("no site with code %q: see drive site list", a.site)}
		}
		inserted, skipped, err = service.ImportIncidents(ctx, tx, site.ID, recs, func(line string) { fmt.Fprintln(stderr, "  "+line) })
		if err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "import.incidents", ActorRole: "system", RecordType: "site",
			RecordID: strconv.FormatInt(site.ID, 10), SiteID: site.ID, Remote: "cli", Outcome: audit.OutcomeOK,
			Reason: fmt.Sprintf("%d new, %d already held", inserted, skipped)})
	})
	if err != nil {
		return err
	}
	if !a.noMatch {
		if err := matchAcrossSites(ctx, db.db, stderr); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "Imported %d new incidents (%d already held) in %s.\n", inserted, skipped, time.Since(start).Round(time.Millisecond))
	return nil
}

// matchAcrossSites finds the suspects known at more than one site, in a
// transaction of its own: the import before it stands either way.
func matchAcrossSites(ctx context.Context, db *store.DB, stderr io.Writer) error {
	start := time.Now()
	fmt.Fprintln(stderr, "  matching suspects across sites")
	var n int
	err := db.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = service.MatchAcrossSites(ctx, tx); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "identify.match_sites", ActorRole: "system", RecordType: "site", Remote: "cli",
			Outcome: audit.OutcomeOK, Reason: fmt.Sprintf("%d suspects known at more than one site", n)})
	})
	if err != nil {
		return fmt.Errorf("the import is stored, but matching across sites failed (run drive identify --across-sites to try again): %w", err)
	}
	fmt.Fprintf(stderr, "  %d suspects known at more than one site (%s)\n", n, time.Since(start).Round(time.Millisecond))
	return nil
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
		return matchAcrossSites(ctx, db.db, stderr)
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
	var rows []store.PoliceIncident
	err = db.db.Transact(ctx, func(tx *store.Tx) error {
		site, err := tx.SiteByCode(ctx, *siteCode)
		if err != nil {
			return usageError{fmt.Sprintf("no site with code %q: see drive site list", *siteCode)}
		}
		if rows, err = tx.SitePoliceIncidents(ctx, site.ID, asOf.AddMonths(-strategy.WindowMonths)); err != nil {
			return err
		}
		// Extracts are resolved as they are imported; a database from
		// before that is resolved now, once.
		if slices.ContainsFunc(rows, func(r store.PoliceIncident) bool { return r.SuspectPerson == 0 }) {
			fmt.Fprintln(stderr, "Linking the site's people first...")
			if _, err := service.ResolveSite(ctx, tx, site.ID); err != nil {
				return err
			}
			if rows, err = tx.SitePoliceIncidents(ctx, site.ID, asOf.AddMonths(-strategy.WindowMonths)); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, audit.Event{Action: "identify.run", ActorRole: "system", RecordType: "site",
			RecordID: strconv.FormatInt(site.ID, 10), SiteID: site.ID, Remote: "cli", Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(stdout, "No incidents in the window: import an extract with drive import incidents first.")
		return nil
	}
	start := time.Now()
	names := map[string]string{}
	for _, r := range rows {
		names[strconv.FormatInt(r.SuspectPerson, 10)] = strings.TrimSpace(r.Suspect.GivenName + " " + r.Suspect.FamilyName) // latest wins
	}
	scores := strategy.Rank(service.ScoringInput(rows), asOf, *top)
	fmt.Fprintf(stderr, "%d incidents, %d suspects ranked in %s (strategy %s %s).\n", len(rows), len(scores), time.Since(start).Round(time.Millisecond), strategy.Code, strategy.Version)
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
