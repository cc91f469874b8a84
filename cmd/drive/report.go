package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/reportfile"
	"github.com/drive-platform/drive/service"
)

// reportFormats are the formats drive report writes.
var reportFormats = []string{"json", "csv", "html", "pdf", "xlsx"}

// runReport writes the outcome measures (package outcomes) for every site
// or one, over a period and for a programme, as JSON, CSV, HTML, PDF or an
// Excel workbook. The command line reads them as a national user would
// (service.SystemOutcomes): every figure is already suppressed, and the
// read is audited. Without --site the figures come for all sites and for
// each site. Flags are checked before the database is opened, and nothing
// is written unless the whole report was made.
func runReport(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	site := fs.String("site", "", "report on this site only (its code); default every site, all together and one by one")
	from := fs.String("from", "", "start of the period, YYYY-MM-DD: cases not closed before it; default open")
	to := fs.String("to", "", "end of the period, YYYY-MM-DD: cases referred on or before it; default open")
	prog := fs.String("programme", "", "report on this programme only: drive or restart; default every programme")
	format := fs.String("format", "", "output format: "+strings.Join(reportFormats, ", ")+" (required)")
	out := fs.String("out", "", "write to this file; default standard output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	f, err := reportFilter(*from, *to, *prog)
	if err != nil {
		return err
	}
	*format = strings.ToLower(strings.TrimSpace(*format))
	if !slices.Contains(reportFormats, *format) {
		return usageError{fmt.Sprintf("unknown --format %q: use %s", *format, strings.Join(reportFormats, ", "))}
	}
	if err := c.check(); err != nil {
		return err
	}
	svc, closeDB, err := existingService(ctx, c)
	if err != nil {
		return err
	}
	defer closeDB()
	a := service.CommandLine()
	code := strings.ToUpper(strings.TrimSpace(*site))
	scope := "all sites"
	if code != "" {
		id, err := siteID(ctx, svc, a, code)
		if err != nil {
			return err
		}
		f.SiteIDs, scope = []int64{id}, "site "+code
	} else {
		f.BySite = true
	}
	rep, err := svc.SystemOutcomes(ctx, a, f)
	if err != nil {
		return err
	}
	body, err := renderReport(rep, *format, reportTitle(scope, f), e)
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = stdout.Write(body)
		return err
	}
	if err := os.WriteFile(*out, body, 0o600); err != nil {
		return drive.Wrap(err, drive.EINTERNAL, "The report could not be written to "+*out+".")
	}
	fmt.Fprintf(stderr, "Wrote %s (%d bytes).\n", *out, len(body))
	return nil
}

// reportFilter reads the period and programme flags.
func reportFilter(from, to, prog string) (service.OutcomeFilter, error) {
	var f service.OutcomeFilter
	for _, d := range []struct {
		flag, value string
		into        *drive.Date
	}{{"from", from, &f.From}, {"to", to, &f.To}} {
		if strings.TrimSpace(d.value) == "" {
			continue
		}
		date, err := drive.ParseDate(d.value)
		if err != nil {
			return f, usageError{fmt.Sprintf("--%s %q is not a date: use YYYY-MM-DD", d.flag, d.value)}
		}
		*d.into = date
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return f, usageError{fmt.Sprintf("--to %s is before --from %s", f.To, f.From)}
	}
	f.Programme = strings.ToLower(strings.TrimSpace(prog))
	if f.Programme != "" && f.Programme != "drive" && f.Programme != "restart" {
		return f, usageError{fmt.Sprintf("unknown --programme %q: use drive or restart", prog)}
	}
	return f, nil
}

// siteID finds a site by its code.
func siteID(ctx context.Context, svc *service.Service, a service.Actor, code string) (int64, error) {
	sites, err := svc.Sites(ctx, a)
	if err != nil {
		return 0, err
	}
	var codes []string
	for _, s := range sites {
		if strings.EqualFold(s.Code, code) {
			return s.ID, nil
		}
		codes = append(codes, s.Code)
	}
	return 0, usageError{fmt.Sprintf("there is no site %q: use one of %s (see drive site list)", code, strings.Join(codes, ", "))}
}

// reportTitle names the report by its scope, programme and period.
func reportTitle(scope string, f service.OutcomeFilter) string {
	t := "Drive outcome measures: " + scope
	if f.Programme != "" {
		t += ", programme " + f.Programme
	}
	switch {
	case !f.From.IsZero() && !f.To.IsZero():
		t += fmt.Sprintf(", %s to %s", f.From, f.To)
	case !f.From.IsZero():
		t += fmt.Sprintf(", from %s", f.From)
	case !f.To.IsZero():
		t += fmt.Sprintf(", to %s", f.To)
	}
	return t
}

// renderReport writes the report in a format. JSON is the array of
// measures (a trial's arms last, each naming its arm), each as
// outcomes.Measure writes itself (value null when withheld), as the API
// answers.
func renderReport(rep *outcomes.Report, format, title string, e env) ([]byte, error) {
	switch format {
	case "json":
		measures := rep.Flat()
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(measures); err != nil {
			return nil, drive.Wrap(err, drive.EINTERNAL, "The report could not be written as JSON.")
		}
		return buf.Bytes(), nil
	case "csv":
		return reportfile.CSV(rep), nil
	case "html":
		return reportfile.HTML(rep, title), nil
	case "pdf":
		return reportfile.PDF(rep, title, e.clock())
	case "xlsx":
		return reportfile.XLSX(rep, title)
	}
	return nil, usageError{fmt.Sprintf("unknown format %q", format)}
}
