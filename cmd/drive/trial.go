package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/service"
)

// runTrial starts, ends, lists, balances and verifies randomised trials
// (docs/trials.md). The command line acts for the national team. The
// seed is never printed while a trial runs; `verify`, which only works
// once it has ended, prints it so the allocations can be recomputed
// without this system.
func runTrial(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	usage := usageError{"use: drive trial start --db ... --site CODE --name NAME [--programme drive] [--outcome-months 10] | " +
		"drive trial end|balance|verify --db ... --id N | drive trial list --db ..."}
	if len(args) == 0 {
		return usage
	}
	verb := args[0]
	switch verb {
	case "start", "end", "balance", "verify", "list":
	default:
		return usage
	}
	fs := flag.NewFlagSet("trial "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	site := fs.String("site", "", "code of the site the trial runs at (start)")
	name := fs.String("name", "", "the trial's name (start)")
	prog := fs.String("programme", "", "allocate only referrals to this programme, e.g. drive; default every accepted referral (start)")
	months := fs.Int("outcome-months", evaluation.DefaultOutcomeMonths, "the outcome period from allocation, in months (start)")
	id := fs.Int64("id", 0, "the trial's number, as drive trial list shows it (end, balance, verify)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if (verb == "end" || verb == "balance" || verb == "verify") && *id <= 0 {
		return usageError{"give the trial's number with --id N: see drive trial list"}
	}
	if verb == "start" && (*site == "" || *name == "") {
		return usageError{"give the site with --site CODE and the trial's name with --name NAME"}
	}
	db, err := openFor(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, a := db.Svc, service.CommandLine()
	switch verb {
	case "start":
		s, err := siteByCode(ctx, svc, a, *site)
		if err != nil {
			return err
		}
		t := &evaluation.Trial{SiteID: s.ID, Name: *name, Programme: *prog, OutcomeMonths: *months}
		if err := svc.StartTrial(ctx, a, t); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Trial %d (%s) started at %s on %s: referrals accepted from now on are allocated. The seed is sealed and stays hidden until the trial ends.\n",
			t.ID, t.Name, s.Code, t.StartedOn)
	case "end":
		if err := svc.EndTrial(ctx, a, *id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Trial %d ended: nothing more is allocated. Check it with drive trial verify --id %d.\n", *id, *id)
	case "list":
		ts, err := svc.Trials(ctx, a)
		if err != nil {
			return err
		}
		sites, _, err := svc.TrialSites(ctx, a)
		if err != nil {
			return err
		}
		codes := map[int64]string{}
		for _, s := range sites {
			codes[s.ID] = s.Code
		}
		for _, t := range ts {
			state := "running"
			if !t.Running() {
				state = "ended " + t.EndedOn.String()
			}
			p := t.Programme
			if p == "" {
				p = "all"
			}
			fmt.Fprintf(stdout, "%-4d %-6s %-32s started %s  %-16s programme %s\n", t.ID, codes[t.SiteID], t.Name, t.StartedOn, state, p)
		}
	case "balance":
		b, err := svc.Balance(ctx, a, *id)
		if err != nil {
			return err
		}
		writeBalance(stdout, b)
	case "verify":
		v, err := svc.VerifyTrial(ctx, a, *id)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Trial %d (%s): %d allocations recomputed from the seed, %d mismatches.\n", v.Trial.ID, v.Trial.Name, v.Allocations, len(v.Mismatches))
		for _, m := range v.Mismatches {
			if m.CaseID == 0 {
				fmt.Fprintf(stdout, "  band %s place %d: missing or repeated\n", m.Seed.Stratum.Band, m.Seed.Seq)
				continue
			}
			fmt.Fprintf(stdout, "  referral %d, band %s place %d: stored %s, the seed gives %s\n", m.CaseID, m.Stored.Stratum.Band, m.Stored.Seq, m.Stored.Arm, m.Seed.Arm)
		}
		fmt.Fprintf(stdout, "Seed: %s (recompute with the method in docs/trials.md)\n", strconv.FormatUint(v.Seed, 16))
		if len(v.Mismatches) > 0 {
			return drive.Errorf(drive.ECONFLICT, "%d allocations do not match the seed", len(v.Mismatches))
		}
	}
	return nil
}

func writeBalance(w io.Writer, b *service.TrialBalance) {
	state := "running"
	if !b.Trial.Running() {
		state = "ended " + b.Trial.EndedOn.String()
	}
	fmt.Fprintf(w, "Trial %d (%s), %s\n", b.Trial.ID, b.Trial.Name, state)
	fmt.Fprintf(w, "%-10s %12s %10s %9s\n", "band", "intervention", "comparison", "imbalance")
	for _, s := range b.Strata {
		band := s.Band
		if band == "" {
			band = "all"
		}
		fmt.Fprintf(w, "%-10s %12d %10d %9d\n", band, s.Counts.Intervention, s.Counts.Comparison, s.Counts.Imbalance)
	}
}
