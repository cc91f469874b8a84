package service

import (
	"context"
	"strconv"

	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
)

// Programmes returns a site's programmes (Drive, Restart) with their
// settings, for the site named by code. Errors: ENOTFOUND (no such site,
// or the actor may not read the site's configuration).
func (s *Service) Programmes(ctx context.Context, a Actor, siteCode string) (*account.Site, []*programme.Programme, error) {
	var site *account.Site
	var progs []*programme.Programme
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		var err error
		if site, err = s.configSite(ctx, tx, a, access.Read, siteCode); err != nil {
			return err
		}
		progs, err = tx.SiteProgrammes(ctx, site.ID)
		return err
	})
	return site, progs, err
}

// Programme returns one programme's settings at a site. Errors: as
// Programmes, and ENOTFOUND for no such programme.
func (s *Service) Programme(ctx context.Context, a Actor, siteCode, code string) (*programme.Programme, error) {
	var p *programme.Programme
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		site, err := s.configSite(ctx, tx, a, access.Read, siteCode)
		if err != nil {
			return err
		}
		p, err = tx.SiteProgramme(ctx, site.ID, code)
		return err
	})
	return p, err
}

// SetProgramme replaces a programme's settings at a site, audited; new
// cases and reviews use them from then on. Errors: as Programmes.
func (s *Service) SetProgramme(ctx context.Context, a Actor, siteCode string, p *programme.Programme) (*account.Site, error) {
	var site *account.Site
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if site, err = s.configSite(ctx, tx, a, access.Write, siteCode); err != nil {
			return err
		}
		if err := tx.SetSiteProgramme(ctx, site.ID, p); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "programme.set", ActorID: a.UserID, ActorRole: actorRole(a, access.Admin), RecordType: "site",
			RecordID: strconv.FormatInt(site.ID, 10), SiteID: site.ID, Remote: a.Remote, Outcome: audit.OutcomeOK})
	})
	return site, err
}

// configSite finds a site by code and asks the policy whether the actor
// may read or change its configuration.
func (s *Service) configSite(ctx context.Context, tx *store.Tx, a Actor, want access.Action, code string) (*account.Site, error) {
	site, err := tx.SiteByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if _, err := s.decide(ctx, tx, a, want, access.Resource{Class: access.Configuration, RecordType: "site", RecordID: strconv.FormatInt(site.ID, 10), SiteID: site.ID}, "site"); err != nil {
		return nil, err
	}
	return site, nil
}
