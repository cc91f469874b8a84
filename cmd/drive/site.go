package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/service"
)

// runSite adds and lists sites (delivery areas). A new site gets the
// default programmes (Drive and Restart) so it can take referrals at once.
func runSite(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list" && args[0] != "population" && args[0] != "reference") {
		return usageError{"use: drive site add --db ... --code NMR --name NAME --region REGION | drive site list --db ... | " +
			"drive site population --db ... --code NMR --adult-women N | drive site reference --db ... --code NMR (--file REF.json | --clear)"}
	}
	fs := flag.NewFlagSet("site "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	code := fs.String("code", "", "short site code, e.g. NMR")
	name := fs.String("name", "", "site name")
	region := fs.String("region", "", "region, e.g. North West")
	women := fs.Int("adult-women", -1, "women aged 16 and over living in the site's area, for the MARAC data return (population)")
	refFile := fs.String("file", "", "the site's reference population for equality monitoring, as JSON (reference)")
	clearRef := fs.Bool("clear", false, "compare the site with England and Wales again (reference)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	db, err := openFor(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := db.Svc
	a := service.CommandLine()
	if args[0] == "list" {
		sites, err := svc.Sites(ctx, a)
		for _, s := range sites {
			fmt.Fprintf(stdout, "%-6s %-24s %s\n", s.Code, s.Name, s.Region)
		}
		return err
	}
	if args[0] == "reference" {
		var ref *service.ReferencePopulation
		switch {
		case *clearRef && *refFile == "":
		case *refFile != "" && !*clearRef:
			data, err := os.ReadFile(*refFile)
			if err != nil {
				return usageError{"the reference file could not be read: " + err.Error()}
			}
			if ref, err = service.ParseReferencePopulation(data); err != nil {
				return err
			}
		default:
			return usageError{"give the site's reference population with --file REF.json, or --clear"}
		}
		site, err := siteByCode(ctx, svc, a, *code)
		if err != nil {
			return err
		}
		if err := svc.SetReferencePopulation(ctx, a, site.ID, ref); err != nil {
			return err
		}
		if ref == nil {
			fmt.Fprintf(stdout, "Site %s (%s) is compared with England and Wales again.\n", site.Name, site.Code)
		} else {
			fmt.Fprintf(stdout, "Site %s (%s): reference population set (%s).\n", site.Name, site.Code, ref.Source)
		}
		return nil
	}
	if args[0] == "population" {
		if *women < 0 {
			return usageError{"give the population with --adult-women N (0 clears it)"}
		}
		s, err := siteByCode(ctx, svc, a, *code)
		if err != nil {
			return err
		}
		if err := svc.SetAdultFemalePopulation(ctx, a, s.ID, *women); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Site %s (%s): adult female population set to %d for the MARAC data return.\n", s.Name, s.Code, *women)
		return nil
	}
	site := &account.Site{Code: *code, Name: *name, Region: *region}
	if err := svc.CreateSite(ctx, a, site); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Site %s (%s) added with the Drive and Restart programmes.\n", site.Name, site.Code)
	return nil
}

// runOrg adds and lists organisations.
func runOrg(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		return usageError{"use: drive org add --db ... --name NAME --kind KIND [--site CODE ...] | drive org list --db ..."}
	}
	fs := flag.NewFlagSet("org "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	if err := bindCommon(fs, e, &c); err != nil {
		return err
	}
	name := fs.String("name", "", "organisation name")
	var kinds []string
	for _, k := range account.OrgKinds() {
		kinds = append(kinds, string(k))
	}
	kind := fs.String("kind", "", "kind: "+strings.Join(kinds, ", "))
	var sites []string
	fs.Func("site", "code of a site it works with (repeatable)", func(v string) error { sites = append(sites, v); return nil })
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	db, err := openFor(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := db.Svc
	a := service.CommandLine()
	if args[0] == "list" {
		orgs, err := svc.Organisations(ctx, a)
		for _, o := range orgs {
			fmt.Fprintf(stdout, "%-40s %-16s %d sites\n", o.Name, o.Kind, len(o.SiteIDs))
		}
		return err
	}
	o := &account.Organisation{Name: *name, Kind: account.OrgKind(*kind)}
	if err := svc.CreateOrganisation(ctx, a, o, sites); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Organisation %s added.\n", o.Name)
	return nil
}

// siteByCode finds a site by its code, whatever the case.
func siteByCode(ctx context.Context, svc *service.Service, a service.Actor, code string) (*account.Site, error) {
	sites, err := svc.Sites(ctx, a)
	if err != nil {
		return nil, err
	}
	for _, s := range sites {
		if strings.EqualFold(s.Code, code) {
			return &s, nil
		}
	}
	return nil, usageError{fmt.Sprintf("no site has the code %q: see drive site list", code)}
}
