package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/identity"
	"github.com/drive-platform/drive/store"
)

// openFor opens and migrates the database for a site, organisation or
// programme command.
func openFor(ctx context.Context, c common) (*store.DB, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	opt, err := c.storeOptions(os.Stderr)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, c.DB, opt)
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

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
	if args[0] == "list" {
		return db.View(ctx, func(tx *store.Tx) error {
			sites, err := tx.Sites(ctx)
			for _, s := range sites {
				fmt.Fprintf(stdout, "%-6s %-24s %s\n", s.Code, s.Name, s.Region)
			}
			return err
		})
	}
	return db.Transact(ctx, func(tx *store.Tx) error {
		s := &identity.Site{Code: *code, Name: *name, Region: *region}
		if err := tx.CreateSite(ctx, s); err != nil {
			return err
		}
		if err := tx.SeedProgrammes(ctx, s.ID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Site %s (%s) added with the Drive and Restart programmes.\n", s.Name, s.Code)
		return tx.Audit(ctx, audit.Event{Action: "site.create", ActorRole: "system", RecordType: "site",
			RecordID: strconv.FormatInt(s.ID, 10), SiteID: s.ID, Remote: "cli", Outcome: audit.OutcomeOK})
	})
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
	for _, k := range identity.OrgKinds() {
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
	if args[0] == "list" {
		return db.View(ctx, func(tx *store.Tx) error {
			orgs, err := tx.Organisations(ctx)
			for _, o := range orgs {
				fmt.Fprintf(stdout, "%-40s %-16s %d sites\n", o.Name, o.Kind, len(o.SiteIDs))
			}
			return err
		})
	}
	return db.Transact(ctx, func(tx *store.Tx) error {
		o := &identity.Organisation{Name: *name, Kind: identity.OrgKind(*kind)}
		for _, code := range sites {
			s, err := tx.SiteByCode(ctx, code)
			if err != nil {
				return usageError{fmt.Sprintf("no site with code %q: see drive site list", code)}
			}
			o.SiteIDs = append(o.SiteIDs, s.ID)
		}
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Organisation %s added.\n", o.Name)
		return tx.Audit(ctx, audit.Event{Action: "organisation.create", ActorRole: "system", RecordType: "organisation",
			RecordID: strconv.FormatInt(o.ID, 10), Remote: "cli", Outcome: audit.OutcomeOK})
	})
}
