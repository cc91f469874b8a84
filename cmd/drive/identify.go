package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/store"
)

// runImport imports a police extract: every row is validated first; with
// any error the whole report is printed and nothing is stored. Importing
// the same references again changes nothing.
func runImport(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "incidents" {
		return usageError{"use: drive import incidents --db ... --site CODE FILE.csv [--mapping FILE]"}
	}
	fs := flag.NewFlagSet("import incidents", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	siteCode := fs.String("site", "", "site code, e.g. NMR")
	mappingPath := fs.String("mapping", "", "JSON file naming the extract's column for each field")
	// Flags may come before or after the file name.
	var files []string
	rest := args[1:]
	for {
		if err := fs.Parse(rest); err != nil {
			return usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 {
		return usageError{"give exactly one extract file: drive import incidents --db ... --site CODE FILE.csv [--mapping FILE]"}
	}
	if *siteCode == "" {
		return usageError{"say which site the extract is for with --site CODE"}
	}
	mapping := incident.DefaultMapping()
	if *mappingPath != "" {
		body, err := os.ReadFile(*mappingPath)
		if err != nil {
			return usageError{fmt.Sprintf("cannot read the mapping file %s: %v", *mappingPath, err)}
		}
		if mapping, err = incident.ParseMapping(body); err != nil {
			return err
		}
	}
	f, err := os.Open(files[0])
	if err != nil {
		return usageError{fmt.Sprintf("cannot read %s: %v", files[0], err)}
	}
	defer f.Close()
	start := time.Now()
	recs, rowErrs, err := incident.Read(f, mapping, drive.DateOf(time.Now()))
	if err != nil {
		return err
	}
	if len(rowErrs) > 0 {
		for i, re := range rowErrs {
			if i == 50 {
				fmt.Fprintf(stderr, "... and %d more\n", len(rowErrs)-50)
				break
			}
			fmt.Fprintln(stderr, re.String())
		}
		return fmt.Errorf("%d problems in %s: nothing was imported; correct the file and import it again", len(rowErrs), files[0])
	}
	fmt.Fprintf(stderr, "Read %d incidents in %s; storing...\n", len(recs), time.Since(start).Round(time.Millisecond))
	db, err := openFor(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	var inserted, skipped int
	err = db.Transact(ctx, func(tx *store.Tx) error {
		site, err := tx.SiteByCode(ctx, *siteCode)
		if err != nil {
			return usageError{fmt.Sprintf("no site with code %q: see drive site list", *siteCode)}
		}
		inserted, skipped, err = tx.ImportIncidents(ctx, site.ID, recs, func(done int) { fmt.Fprintf(stderr, "  %d of %d stored\n", done, len(recs)) })
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
	fmt.Fprintf(stdout, "Imported %d new incidents (%d already held) in %s.\n", inserted, skipped, time.Since(start).Round(time.Millisecond))
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
	top := fs.Int("top", 20, "how many to list (0 for everyone)")
	asOfFlag := fs.String("as-of", "", "score as of this date (default today)")
	strategyPath := fs.String("strategy", "", "scoring strategy JSON (default: the built-in default, see docs/identify.md)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *siteCode == "" {
		return usageError{"say which site with --site CODE"}
	}
	if *top < 0 {
		return usageError{"--top must be 0 or more"}
	}
	asOf := drive.DateOf(time.Now())
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
	var recs []incident.Record
	err = db.Transact(ctx, func(tx *store.Tx) error {
		site, err := tx.SiteByCode(ctx, *siteCode)
		if err != nil {
			return usageError{fmt.Sprintf("no site with code %q: see drive site list", *siteCode)}
		}
		if recs, err = tx.SiteIncidents(ctx, site.ID, asOf.AddMonths(-strategy.WindowMonths)); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "identify.run", ActorRole: "system", RecordType: "site",
			RecordID: strconv.FormatInt(site.ID, 10), SiteID: site.ID, Remote: "cli", Outcome: audit.OutcomeOK})
	})
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		fmt.Fprintln(stdout, "No incidents in the window: import an extract with drive import incidents first.")
		return nil
	}
	start := time.Now()
	incidents, err := identify.Resolve(ctx, recs, 1)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for i, in := range incidents {
		if _, ok := names[in.SuspectID]; !ok {
			names[in.SuspectID] = strings.TrimSpace(recs[i].Suspect.GivenName + " " + recs[i].Suspect.FamilyName)
		}
	}
	scores := strategy.Rank(incidents, asOf, *top)
	fmt.Fprintf(stderr, "%d incidents, %d suspects ranked in %s (strategy %s %s).\n", len(recs), len(scores), time.Since(start).Round(time.Millisecond), strategy.Code, strategy.Version)
	for _, s := range scores {
		flags := ""
		if s.Serial {
			flags += " SERIAL"
		}
		if s.Escalating {
			flags += " ESCALATING"
		}
		fmt.Fprintf(stdout, "%3d  %-28s %7.1f  %d incidents, %d victims%s\n", s.Rank, names[s.Suspect], s.Total, s.Incidents, s.DistinctVictims, flags)
		for _, r := range s.Reasons {
			fmt.Fprintf(stdout, "       %s\n", r)
		}
	}
	return nil
}
