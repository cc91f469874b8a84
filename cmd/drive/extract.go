package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
)

// runExtract writes an evaluation project's pseudonymised extract (package
// evaluation) as a zip: one CSV per granted table, the data dictionary and
// the release note. The extract is made only for an approved project whose
// data-sharing agreement runs, and only when it passes the k-anonymity
// check; below the threshold a data protection officer may release it with
// a reason on the project's page instead. The zip is written to a
// temporary file beside --out and renamed into place, so a failure leaves
// nothing half-written; the extract is audited.
func runExtract(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("extract", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	project := fs.String("project", "", "the evaluation project's name, for example demo-evaluation (required)")
	out := fs.String("out", "", "write the zip to this file, for example extract.zip (required)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	name := strings.TrimSpace(*project)
	if name == "" {
		return usageError{"give the project with --project NAME (drive extract --db DB --project NAME --out FILE.zip)"}
	}
	if strings.TrimSpace(*out) == "" {
		return usageError{"give the zip to write with --out FILE.zip"}
	}
	if err := c.check(); err != nil {
		return err
	}
	svc, closeDB, err := existingService(ctx, c)
	if err != nil {
		return err
	}
	defer closeDB()
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".extract-*.zip")
	if err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "The extract could not be written beside "+*out+".")
	}
	defer os.Remove(tmp.Name())
	ext, err := svc.WriteExtract(ctx, service.CommandLine(), name, tmp)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = drive.Wrap(cerr, drive.EINTERNAL, "The extract could not be written to "+*out+".")
	}
	if err != nil {
		if drive.ErrorCode(err) == drive.ENOTFOUND {
			return drive.Errorf(drive.ENOTFOUND, "There is no evaluation project named %q.", name)
		}
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "The extract could not be written to "+*out+".")
	}
	fmt.Fprintf(stdout, "Wrote %s: %d tables, %d rows; smallest group %d (k = %d).\n", *out, len(ext.Tables), ext.Rows(), ext.Smallest(), ext.Threshold)
	return nil
}
