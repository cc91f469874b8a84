package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/drive-platform/drive/linkage"
	"github.com/drive-platform/drive/service"
)

// runLinkCases links every open case's person, and every open IDVA case's
// victim-survivor, to the police people of their site: once, for a
// database that held cases before linking came (referrals and imports
// link as they go). It prints each pair it linked or suggested by record
// number only, never a name.
func runLinkCases(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("link-cases", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	site := fs.String("site", "", "link only this site's cases (its code); default every site")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := openFor(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	a := service.CommandLine()
	run, err := db.Svc.LinkCases(ctx, a, strings.ToUpper(strings.TrimSpace(*site)))
	if err != nil {
		return err
	}
	sites, err := db.Svc.Sites(ctx, a)
	if err != nil {
		return err
	}
	codes := map[int64]string{}
	for _, s := range sites {
		codes[s.ID] = s.Code
	}
	for _, p := range run.Pairs {
		what := "person"
		if p.Side == service.VictimLinks {
			what = "victim case"
		}
		verb := "linked to"
		if p.Status == linkage.Suggested {
			verb = "suggested:"
		}
		fmt.Fprintf(stdout, "%s %s %d %s police person %d (weight %.1f: %s)\n", codes[p.SiteID], what, p.Subject, verb, p.PolicePerson, p.Weight, p.Evidence)
	}
	fmt.Fprintf(stdout, "Linked %d people and %d victim-survivors: %d and %d links, %d and %d suggestions for an analyst, team leader or IDVA to decide.\n",
		run.People, run.Victims, run.Count(service.PersonLinks, linkage.Linked), run.Count(service.VictimLinks, linkage.Linked),
		run.Count(service.PersonLinks, linkage.Suggested), run.Count(service.VictimLinks, linkage.Suggested))
	return nil
}
