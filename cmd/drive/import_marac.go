package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/tabular"
)

// runImportMARAC imports a site's MARAC list the way runImport imports a
// police extract: every row is validated first; with any error the whole
// report is printed and nothing is stored. Hearings the site already
// holds (the same case reference on the same date) are skipped.
func runImportMARAC(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	a, err := parseImportArgs(e, maracImport(), args, stderr)
	if err != nil {
		return err
	}
	f, err := a.open()
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	hs, rowErrs, info, err := incident.ReadMARACFile(f, a.mapping, e.today(), a.read)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Read %s as %s.\n", a.file, info)
	if len(rowErrs) > 0 {
		return reportRowErrors(stderr, rowErrs, a.file)
	}
	fmt.Fprintf(stderr, "Read %d MARAC hearings in %s; storing...\n", len(hs), time.Since(start).Round(time.Millisecond))
	db, err := openFor(ctx, a.c)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Svc.Mail, err = importMail(e); err != nil {
		return err
	}
	inserted, skipped, err := db.Svc.ImportMARAC(ctx, service.CommandLine(), a.site, hs, func(line string) { fmt.Fprintln(stderr, "  "+line) })
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return noSite(a.site)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Imported %d new MARAC hearings (%d already held) in %s.\n", inserted, skipped, time.Since(start).Round(time.Millisecond))
	return nil
}

// importKind is what an import subcommand reads: its name, what its file
// is called in messages, and its column mapping.
type importKind struct {
	name           string
	file           string
	defaultMapping func() incident.Mapping
	parseMapping   func([]byte) (incident.Mapping, error)
}

func incidentImport() importKind {
	return importKind{"incidents", "extract", incident.DefaultMapping, incident.ParseMapping}
}

func maracImport() importKind {
	return importKind{"marac", "MARAC list", incident.DefaultMARACMapping, incident.ParseMARACMapping}
}

func (k importKind) use() string {
	return "drive import " + k.name + " --db ... --site CODE FILE.csv|FILE.xlsx [--mapping FILE] [--encoding ENC] [--sheet NAME]"
}

// importArgs are what an import subcommand was given.
type importArgs struct {
	c       common
	site    string
	mapping incident.Mapping
	file    string
	// noMatch skips matching suspects across sites after the import, for
	// a run of imports that matches once at the end.
	noMatch bool
	// read names the file's encoding or a workbook's sheet; zero detects.
	read tabular.Options
}

// parseImportArgs reads an import subcommand's flags, which may come
// before or after the file name, and its mapping file if it names one.
func parseImportArgs(e env, k importKind, args []string, stderr io.Writer) (importArgs, error) {
	var a importArgs
	fs := flag.NewFlagSet("import "+k.name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := bindCommon(fs, e, &a.c); err != nil {
		return a, err
	}
	siteCode := fs.String("site", "", "site code, e.g. NMR")
	mappingPath := fs.String("mapping", "", "JSON file naming the "+k.file+"'s column for each field")
	fs.StringVar(&a.read.Encoding, "encoding", "", "the file's text encoding: utf-8, utf-16 or windows-1252 (default: detected)")
	fs.StringVar(&a.read.Sheet, "sheet", "", "for an .xlsx workbook, the worksheet to read (default: the first)")
	fs.BoolVar(&a.noMatch, "no-match", false, "do not match suspects across sites afterwards (run drive identify --across-sites once after a run of imports)")
	var files []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			return a, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) != 1 {
		return a, usageError{"give exactly one " + k.file + " file: " + k.use()}
	}
	if *siteCode == "" {
		return a, usageError{"say which site the " + k.file + " is for with --site CODE"}
	}
	a.site, a.file, a.mapping = *siteCode, files[0], k.defaultMapping()
	if *mappingPath != "" {
		body, err := os.ReadFile(*mappingPath)
		if err != nil {
			return a, usageError{fmt.Sprintf("cannot read the mapping file %s: %v", *mappingPath, err)}
		}
		if a.mapping, err = k.parseMapping(body); err != nil {
			return a, err
		}
	}
	return a, nil
}

// open opens the file to import.
func (a importArgs) open() (*os.File, error) {
	f, err := os.Open(a.file)
	if err != nil {
		return nil, usageError{fmt.Sprintf("cannot read %s: %v", a.file, err)}
	}
	return f, nil
}

// reportRowErrors prints the first 50 row errors of a refused file to
// stderr, and returns the error that says nothing was imported.
func reportRowErrors(stderr io.Writer, rowErrs []incident.RowError, file string) error {
	for i, re := range rowErrs {
		if i == 50 {
			fmt.Fprintf(stderr, "... and %d more\n", len(rowErrs)-50)
			break
		}
		fmt.Fprintln(stderr, re.String())
	}
	return drive.Errorf(drive.EINVALID, "%d problems in %s: nothing was imported; correct the file and import it again", len(rowErrs), file)
}
