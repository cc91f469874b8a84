package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/drive-platform/drive/retention"
	"github.com/drive-platform/drive/service"
)

// runRetention is drive retention: the schedule, legal holds, and the run
// that anonymises or deletes what has expired (docs/data-protection.md).
func runRetention(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	use := "use: drive retention run|schedule|hold|release|holds (drive retention COMMAND -h for its flags)"
	if len(args) == 0 {
		return usageError{use}
	}
	fs := flag.NewFlagSet("retention "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return usageError{err.Error()}
	}
	schedulePath := func() *string {
		return fs.String("schedule", e.getenv("DRIVE_RETENTION_SCHEDULE_FILE"), "retention schedule `FILE` (JSON) replacing the default rule of each class it names (env DRIVE_RETENTION_SCHEDULE_FILE)")
	}
	switch args[0] {
	case "schedule":
		path := schedulePath()
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		s, err := loadSchedule(*path)
		if err != nil {
			return err
		}
		printSchedule(stdout, s)
		return nil
	case "run":
		path := schedulePath()
		dry := fs.Bool("dry-run", false, "list what would be anonymised or deleted, and change nothing")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		s, err := loadSchedule(*path)
		if err != nil {
			return err
		}
		svc, done, err := existingService(ctx, c)
		if err != nil {
			return err
		}
		defer done()
		rep, err := svc.RetentionRun(ctx, service.CommandLine(), s, *dry)
		if err != nil {
			return err
		}
		printRetention(stdout, rep)
		return nil
	case "hold":
		caseID := fs.Int64("case", 0, "`ID` of the closed perpetrator's case to hold")
		victimID := fs.Int64("victim-case", 0, "`ID` of the closed victim-survivor's case to hold")
		siteCode := fs.String("site", "", "`CODE` of a site to hold whole: every record of the site is kept (with --incident-ref, the incident's site)")
		incidentID := fs.Int64("incident", 0, "`ID` of an imported police incident to hold")
		incidentRef := fs.String("incident-ref", "", "police `REF`erence of an imported incident to hold, at the site given with --site")
		reason := fs.String("reason", "", "why the record is held (a claim, a complaint, an inquiry, a subject access request)")
		owner := fs.String("owner", "", "who answers for the hold and decides when it ends")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		h := &retention.Hold{Reason: *reason, Owner: *owner}
		named := 0
		if *caseID != 0 {
			h.Class, h.RecordID, named = retention.PerpetratorCase, *caseID, named+1
		}
		if *victimID != 0 {
			h.Class, h.RecordID, named = retention.VictimCase, *victimID, named+1
		}
		if *incidentID != 0 {
			h.Class, h.RecordID, named = retention.Incident, *incidentID, named+1
		}
		switch {
		case *incidentRef != "" && *siteCode == "":
			return usageError{"an incident named by its reference needs its site: --incident-ref REF --site CODE"}
		case *incidentRef != "":
			h.Class, h.Ref, named = retention.Incident, *incidentRef, named+1
		case *siteCode != "":
			h.Class, named = retention.Site, named+1
		}
		if named != 1 {
			return usageError{"name one record to hold: --case ID, --victim-case ID, --incident ID, --incident-ref REF --site CODE or --site CODE"}
		}
		svc, done, err := existingService(ctx, c)
		if err != nil {
			return err
		}
		defer done()
		if *siteCode != "" {
			sites, err := svc.Sites(ctx, service.CommandLine())
			if err != nil {
				return err
			}
			var site int64
			for _, st := range sites {
				if strings.EqualFold(st.Code, *siteCode) {
					site = st.ID
				}
			}
			if site == 0 {
				return usageError{fmt.Sprintf("there is no site with code %q (drive site list shows them)", *siteCode)}
			}
			if h.Class == retention.Site {
				h.RecordID = site
			} else {
				h.SiteID = site
			}
		}
		if err := svc.PlaceHold(ctx, service.CommandLine(), h); err != nil {
			return err
		}
		what := map[retention.Class]string{retention.PerpetratorCase: "case", retention.VictimCase: "victim-survivor's case", retention.Site: "site",
			retention.Incident: "police incident"}[h.Class]
		if h.Class == retention.Incident {
			fmt.Fprintf(stdout, "Placed legal hold %d on %s %d (%s): no retention run will anonymise it until the hold is released.\n", h.ID, what, h.RecordID, h.Ref)
			return nil
		}
		fmt.Fprintf(stdout, "Placed legal hold %d on %s %d: no retention run will remove it until the hold is released.\n", h.ID, what, h.RecordID)
		return nil
	case "release":
		id := fs.Int64("hold", 0, "`ID` of the legal hold to release")
		reason := fs.String("reason", "", "why the hold ends")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		svc, done, err := existingService(ctx, c)
		if err != nil {
			return err
		}
		defer done()
		if err := svc.ReleaseHold(ctx, service.CommandLine(), *id, strings.TrimSpace(*reason)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Released legal hold %d: the record follows its schedule again.\n", *id)
		return nil
	case "holds":
		all := fs.Bool("all", false, "list released holds too")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		svc, done, err := existingService(ctx, c)
		if err != nil {
			return err
		}
		defer done()
		hs, err := svc.Holds(ctx, service.CommandLine(), !*all)
		if err != nil {
			return err
		}
		if len(hs) == 0 {
			fmt.Fprintln(stdout, "No legal holds.")
		}
		for _, h := range hs {
			state := "in force"
			if !h.InForce() {
				state = "released " + h.ReleasedAt.Format("2006-01-02") + ": " + h.ReleaseReason
			}
			fmt.Fprintf(stdout, "hold %d\t%s %d\tplaced %s by owner %q\t%s\treason: %s\n", h.ID, h.Class, h.RecordID,
				h.PlacedAt.Format("2006-01-02"), h.Owner, state, h.Reason)
		}
		return nil
	}
	return usageError{fmt.Sprintf("unknown retention command %q; %s", args[0], use)}
}

// loadSchedule is the default schedule, changed by the file at path if
// one is given.
func loadSchedule(path string) (retention.Schedule, error) {
	if path == "" {
		return retention.DefaultSchedule(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return retention.Schedule{}, usageError{fmt.Sprintf("cannot read the retention schedule: %v", err)}
	}
	s, err := retention.ParseSchedule(data)
	if err != nil {
		return retention.Schedule{}, usageError{fmt.Sprintf("%s: %s", path, describe(err))}
	}
	return s, nil
}

func printSchedule(w io.Writer, s retention.Schedule) {
	for _, r := range s.Rules {
		fmt.Fprintf(w, "%s: %s %s after %s", r.Class, r.Action, period(r), r.From)
		if r.ChildAge > 0 {
			fmt.Fprintf(w, ", or when the youngest child linked to it is %d if that is later", r.ChildAge)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "audit_event: kept; the audit log is never removed by a retention run")
}

func period(r retention.Rule) string {
	unit := func(n int, what string) string {
		if n == 1 {
			return "1 " + what
		}
		return fmt.Sprintf("%d %ss", n, what)
	}
	var parts []string
	if r.Years > 0 {
		parts = append(parts, unit(r.Years, "year"))
	}
	if r.Months > 0 {
		parts = append(parts, unit(r.Months, "month"))
	}
	return strings.Join(parts, " ")
}

// printRetention says per class how many records went (or would go) and
// how many are held; a dry run lists them by number.
func printRetention(w io.Writer, rep service.RetentionReport) {
	verb := map[retention.Action]string{retention.Anonymise: "anonymised", retention.Delete: "deleted"}
	for _, c := range rep.Classes {
		if rep.DryRun {
			fmt.Fprintf(w, "%s: %d would be %s on %s, %d held\n", c.Rule.Class, len(c.Due), verb[c.Rule.Action], rep.Today, len(c.Held))
			for _, d := range c.Due {
				fmt.Fprintf(w, "  %s %d\texpired %s\n", recordName(d), d.RecordID, d.Expires)
			}
		} else {
			fmt.Fprintf(w, "%s: %d %s on %s, %d held\n", c.Rule.Class, len(c.Due), verb[c.Rule.Action], rep.Today, len(c.Held))
		}
		for _, h := range c.Held {
			fmt.Fprintf(w, "  %s %d\texpired %s, kept by a legal hold\n", recordName(h), h.RecordID, h.Expires)
		}
		if len(c.Earlier)+len(c.EarlierHeld) == 0 {
			continue
		}
		if rep.DryRun {
			fmt.Fprintf(w, "%s: %d anonymised earlier still hold free text that would be removed, %d held\n", c.Rule.Class, len(c.Earlier), len(c.EarlierHeld))
			for _, d := range c.Earlier {
				fmt.Fprintf(w, "  %s %d\tanonymised %s\n", recordName(d), d.RecordID, d.End)
			}
		} else {
			fmt.Fprintf(w, "%s: %d anonymised earlier had the free text they still held removed, %d held\n", c.Rule.Class, len(c.Earlier), len(c.EarlierHeld))
		}
		for _, h := range c.EarlierHeld {
			fmt.Fprintf(w, "  %s %d\tanonymised %s, kept by a legal hold\n", recordName(h), h.RecordID, h.End)
		}
	}
}

// recordName names a candidate's kind of record for the operator: its
// class, or within a class held in two tables, its table's kind.
func recordName(c retention.Candidate) string {
	if c.Kind != "" {
		return c.Kind
	}
	return string(c.Class)
}
