package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/service"
)

// runProgramme lists, exports and imports a site's programme settings.
// Settings are data: a site changes its eligibility rules, action
// catalogue, closure reasons or review interval by editing the exported
// JSON and importing it, with no code change.
func runProgramme(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError{"use: drive programme list|export|import --db ... --site CODE [--code CODE] [--file FILE]"}
	}
	verb := args[0]
	fs := flag.NewFlagSet("programme "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	siteCode := fs.String("site", "", "site code, e.g. NMR")
	code := fs.String("code", "drive", "programme code (export)")
	file := fs.String("file", "", "programme settings JSON to import")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}
	if *siteCode == "" {
		return usageError{"say which site with --site CODE"}
	}
	db, err := openFor(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, cli := db.Svc, service.CommandLine()
	switch verb {
	case "list":
		_, progs, err := svc.Programmes(ctx, cli, *siteCode)
		if err != nil {
			return err
		}
		for _, p := range progs {
			fmt.Fprintf(stdout, "%-10s %-10s review every %d weeks, caseload limit %d, %d eligibility rules, %d action types\n",
				p.Code, p.Name, p.ReviewEveryWeeks, p.CaseloadLimit, len(p.Eligibility), len(p.Actions))
		}
		return nil
	case "export":
		p, err := svc.Programme(ctx, cli, *siteCode, *code)
		if err != nil {
			return err
		}
		_, err = stdout.Write(append(p.JSON(), '\n'))
		return err
	case "import":
		if *file == "" {
			return usageError{"give the settings file with --file FILE"}
		}
		body, err := os.ReadFile(*file)
		if err != nil {
			return usageError{fmt.Sprintf("cannot read %s: %v", *file, err)}
		}
		p, err := programme.Parse(body)
		if err != nil {
			return err
		}
		site, err := svc.SetProgramme(ctx, cli, *siteCode, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Programme %s saved for %s. New cases and reviews use it from now on.\n", p.Code, site.Name)
		return nil
	}
	return usageError{"unknown verb " + verb + ": use list, export or import"}
}
