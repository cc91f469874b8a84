package service

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/store"
)

// The use cases of the trusted entry points (see actors.go): bulk imports
// of police extracts and MARAC lists read by the command line or made by
// the demo, resolving a site's people, ranking a site and matching
// suspects across sites. People import through Import, which asks the
// access policy; these ask only that the actor is a named entry point,
// because whoever runs the command line already holds the database.
// Each is one transaction, audited as the entry point (role "system",
// no user, Remote its name).

// systemEvent is an audit event written by a trusted entry point about a
// site (siteID 0: about every site).
func systemEvent(a Actor, action string, siteID int64, reason string) audit.Event {
	e := audit.Event{Action: action, ActorID: a.UserID, ActorRole: actorRole(a, ""), RecordType: "site", SiteID: siteID,
		Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: reason}
	if siteID != 0 {
		e.RecordID = strconv.FormatInt(siteID, 10)
	}
	return e
}

// systemSite loads the site named by code for a trusted entry point.
// Errors: ENOTFOUND for an actor that is not one, or no such site.
func systemSite(ctx context.Context, tx *store.Tx, a Actor, code string) (int64, error) {
	if err := trusted(a, "site"); err != nil {
		return 0, err
	}
	site, err := tx.SiteByCode(ctx, code)
	if err != nil {
		return 0, err
	}
	return site.ID, nil
}

// ImportIncidents stores a validated police extract (incident.Read) for
// the site with code siteCode, with the people it names, as `drive import
// incidents` does: the site's people are resolved again over what it held
// and the new incidents together; incidents whose reference the site
// already holds are skipped, so importing an extract twice changes
// nothing. It does not match suspects across sites (MatchAcrossSites), so
// a run of imports pays for that once. progress, if set, receives a line
// at each stage. Audited as "import.incidents". Only a trusted entry
// point may ask. Errors: ENOTFOUND for another actor or no such site.
func (s *Service) ImportIncidents(ctx context.Context, a Actor, siteCode string, recs []incident.Record, progress func(string)) (inserted, skipped int, err error) {
	return s.importSystem(ctx, a, siteCode, "import.incidents", func(tx *store.Tx, siteID int64) (int, int, error) {
		return s.importIncidents(ctx, tx, siteID, recs, progress)
	})
}

// ImportMARAC stores a validated MARAC list (incident.ReadMARAC) for the
// site with code siteCode and resolves the site's people again, so each
// hearing's perpetrator is the same person as on his police incidents, as
// `drive import marac` does. Hearings the site already holds (the same
// reference on the same date) are skipped. Audited as "import.marac".
// Only a trusted entry point may ask. Errors: ENOTFOUND for another actor
// or no such site.
func (s *Service) ImportMARAC(ctx context.Context, a Actor, siteCode string, hs []incident.Hearing, progress func(string)) (inserted, skipped int, err error) {
	return s.importSystem(ctx, a, siteCode, "import.marac", func(tx *store.Tx, siteID int64) (int, int, error) {
		return importMARAC(ctx, tx, siteID, hs, progress)
	})
}

// importSystem runs one import for a trusted entry point in one
// transaction: it finds the site, stores what load brings, raises the
// police alerts for what is new, and audits it as action; the alerts'
// e-mails are queued with them.
func (s *Service) importSystem(ctx context.Context, a Actor, siteCode, action string, load func(tx *store.Tx, siteID int64) (int, int, error)) (inserted, skipped int, err error) {
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		siteID, err := systemSite(ctx, tx, a, siteCode)
		if err != nil {
			return err
		}
		mark, err := tx.PoliceMark(ctx)
		if err != nil {
			return err
		}
		if inserted, skipped, err = load(tx, siteID); err != nil {
			return err
		}
		if _, err = s.raisePoliceAlerts(ctx, tx, a, "", siteID, mark); err != nil {
			return err
		}
		return tx.Audit(ctx, systemEvent(a, action, siteID, fmt.Sprintf("%d new, %d already held", inserted, skipped)))
	})
	if err != nil {
		return 0, 0, err
	}
	return inserted, skipped, nil
}

// ResolveSite links the people of the site with code siteCode again and
// replays the analysts' rulings over the answer (see resolveSite), for a
// database whose incidents were stored before they were resolved on
// import, or after the linker changed. Audited as "identify.resolve".
// Only a trusted entry point may ask. Errors: ENOTFOUND for another actor
// or no such site.
func (s *Service) ResolveSite(ctx context.Context, a Actor, siteCode string) (*Resolution, error) {
	var res *Resolution
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		siteID, err := systemSite(ctx, tx, a, siteCode)
		if err != nil {
			return err
		}
		if res, _, _, err = resolveSite(ctx, tx, siteID, nil); err != nil {
			return err
		}
		if _, err := linkSite(ctx, tx, siteID); err != nil {
			return err
		}
		return tx.Audit(ctx, systemEvent(a, "identify.resolve", siteID,
			fmt.Sprintf("%d suspects and %d victims; %d mentions moved", res.Suspects, res.Victims, res.Moved)))
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// SiteMatches is what matching suspects across sites found.
type SiteMatches struct {
	// Matched is the number of suspects known at more than one site.
	Matched int
	// Suspects are those suspects, by group then person.
	Suspects []MatchedSuspect
}

// MatchAcrossSites finds the suspects known to police at more than one
// site, over every site's people (see matchAcrossSites), replacing the
// previous answer. `drive import incidents` runs it after each import
// unless told not to, and `drive identify --across-sites` on its own.
// Audited as "identify.match_sites". Only a trusted entry point may ask.
// Errors: ENOTFOUND for another actor.
func (s *Service) MatchAcrossSites(ctx context.Context, a Actor) (*SiteMatches, error) {
	if err := trusted(a, "site"); err != nil {
		return nil, err
	}
	out := &SiteMatches{}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if out.Matched, out.Suspects, err = matchAcrossSites(ctx, tx); err != nil {
			return err
		}
		return tx.Audit(ctx, systemEvent(a, "identify.match_sites", 0, fmt.Sprintf("%d suspects known at more than one site", out.Matched)))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SiteRanking is a site's suspects ranked by a scoring strategy, with
// what they were ranked from.
type SiteRanking struct {
	SiteID int64
	// Incidents are the site's incidents in the strategy's window, oldest
	// first, each with its resolved people.
	Incidents []store.PoliceIncident
	// Scores are the top suspects, best first.
	Scores []identify.Score
	// Names is how each ranked suspect (by Score.Suspect) was last written.
	Names map[string]string
	// Resolved says the site's people had to be linked first.
	Resolved bool
	// Ranked is how long ranking took, once the incidents were loaded.
	Ranked time.Duration
}

// RankSite ranks the suspects of the site with code siteCode as of asOf
// with strategy (nil: identify.Default), top of them (0: all), as `drive
// identify` does. A database whose incidents were stored before imports
// resolved them is resolved first, once; progress, if set, is told. The
// read is audited as "identify.run". Only a trusted entry point may ask;
// people read a site's list through IdentificationList. Errors: ENOTFOUND
// for another actor or no such site.
func (s *Service) RankSite(ctx context.Context, a Actor, siteCode string, asOf drive.Date, strategy *identify.Strategy, top int, progress func(string)) (*SiteRanking, error) {
	if strategy == nil {
		strategy = identify.Default()
	}
	out := &SiteRanking{}
	since := asOf.AddMonths(-strategy.WindowMonths)
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if out.SiteID, err = systemSite(ctx, tx, a, siteCode); err != nil {
			return err
		}
		if out.Incidents, err = tx.SitePoliceIncidents(ctx, out.SiteID, since); err != nil {
			return err
		}
		if slices.ContainsFunc(out.Incidents, func(r store.PoliceIncident) bool { return r.SuspectPerson == 0 }) {
			if progress != nil {
				progress("Linking the site's people first...")
			}
			if _, _, _, err := resolveSite(ctx, tx, out.SiteID, nil); err != nil {
				return err
			}
			if out.Incidents, err = tx.SitePoliceIncidents(ctx, out.SiteID, since); err != nil {
				return err
			}
			out.Resolved = true
		}
		return tx.Audit(ctx, systemEvent(a, "identify.run", out.SiteID, ""))
	})
	if err != nil {
		return nil, err
	}
	start := time.Now()
	out.Scores = strategy.Rank(ScoringInput(out.Incidents), asOf, top)
	out.Ranked = time.Since(start)
	ranked := make(map[string]bool, len(out.Scores))
	for _, sc := range out.Scores {
		ranked[sc.Suspect] = true
	}
	out.Names = make(map[string]string, len(out.Scores))
	for _, r := range out.Incidents { // oldest first: the latest wins
		if k := personKey(r.SuspectPerson); ranked[k] {
			out.Names[k] = strings.TrimSpace(r.Suspect.GivenName + " " + r.Suspect.FamilyName)
		}
	}
	return out, nil
}
