package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/service"
)

// runSite adds and lists sites (delivery areas). A new site gets the
// default programmes (Drive and Restart) so it can take referrals at once.
func runSite(ctx context.Context, e env, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "add" && args[0] != "list") {
		return usageError{"use: drive site add --db ... --code NMR --name NAME --region REGION | drive site list --db ..."}
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
