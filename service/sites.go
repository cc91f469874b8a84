package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// configure asks the policy whether the actor may change the national
// configuration (sites and organisations are national records).
func (s *Service) configure(ctx context.Context, tx *store.Tx, a Actor) error {
	_, err := s.decide(ctx, tx, a, access.Write, access.Resource{Class: access.Configuration, RecordType: "configuration"}, "configuration")
	return err
}

// CreateSite adds a site with the Drive and Restart programmes, audited.
// Errors: ENOTFOUND unless the actor administers nationally, EINVALID,
// ECONFLICT (code taken).
func (s *Service) CreateSite(ctx context.Context, a Actor, site *account.Site) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		if err := tx.CreateSite(ctx, site); err != nil {
			return err
		}
		if err := tx.SeedProgrammes(ctx, site.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "site.create", ActorID: a.UserID, ActorRole: actorRole(a, access.Admin), RecordType: "site",
			RecordID: strconv.FormatInt(site.ID, 10), SiteID: site.ID, Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
}

// Sites lists every site. Sites name places, not people: anyone signed in
// may list them.
func (s *Service) Sites(ctx context.Context, a Actor) ([]account.Site, error) {
	var out []account.Site
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Sites(ctx)
		return err
	})
	return out, err
}

// CreateOrganisation adds an organisation working with the sites named by
// code, audited. Errors: ENOTFOUND unless the actor administers
// nationally, EINVALID (fields, or a site code that names no site).
func (s *Service) CreateOrganisation(ctx context.Context, a Actor, o *account.Organisation, siteCodes []string) error {
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		if err := s.configure(ctx, tx, a); err != nil {
			return err
		}
		for _, code := range siteCodes {
			st, err := tx.SiteByCode(ctx, code)
			if err != nil {
				return drive.Invalid("The organisation could not be saved", map[string]string{"site": fmt.Sprintf("There is no site with code %q: see drive site list", code)})
			}
			o.SiteIDs = append(o.SiteIDs, st.ID)
		}
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "organisation.create", ActorID: a.UserID, ActorRole: actorRole(a, access.Admin), RecordType: "organisation",
			RecordID: strconv.FormatInt(o.ID, 10), Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
}

// Organisations lists every organisation.
func (s *Service) Organisations(ctx context.Context, a Actor) ([]account.Organisation, error) {
	var out []account.Organisation
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Organisations(ctx)
		return err
	})
	return out, err
}

// OrganisationNamed returns the organisation with the given name, ignoring
// case, for commands that name organisations rather than number them.
// Errors: EINVALID listing the organisations there are.
func OrganisationNamed(orgs []account.Organisation, name string) (*account.Organisation, error) {
	name = strings.TrimSpace(name)
	for i := range orgs {
		if strings.EqualFold(orgs[i].Name, name) {
			return &orgs[i], nil
		}
	}
	if len(orgs) == 0 {
		return nil, drive.Errorf(drive.EINVALID, "there is no organisation %q; the database has no organisations yet", name)
	}
	names := make([]string, len(orgs))
	for i, o := range orgs {
		names[i] = strconv.Quote(o.Name)
	}
	return nil, drive.Errorf(drive.EINVALID, "there is no organisation %q; the organisations are %s", name, strings.Join(names, ", "))
}
