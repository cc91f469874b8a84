package service

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/identify"
	"github.com/drive-platform/drive/incident"
	"github.com/drive-platform/drive/people"
	"github.com/drive-platform/drive/programme"
	"github.com/drive-platform/drive/store"
)

// Suspect is one line of a site's identification list: the score with
// its reasons, and how the person was last written on an incident.
type Suspect struct {
	identify.Score
	Latest incident.Person
}

// IdentificationList ranks a site's suspects from its imported police
// incidents: mentions are linked into people, then scored with the
// default strategy as of the given date. Needs police intelligence read
// at the site. Errors: ENOTFOUND for a site the actor may not see.
func (s *Service) IdentificationList(ctx context.Context, a Actor, siteID int64, asOf drive.Date, top int) ([]Suspect, error) {
	strategy := identify.Default()
	var recs []incident.Record
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		r := access.Resource{Class: access.PoliceIntel, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}
		if _, err := s.decide(ctx, tx, a, access.Read, r, "site"); err != nil {
			return err
		}
		var err error
		recs, err = tx.SiteIncidents(ctx, siteID, asOf.AddMonths(-strategy.WindowMonths))
		return err
	})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	incidents, err := identify.Resolve(ctx, recs, 1)
	if err != nil {
		return nil, err
	}
	latest := map[string]incident.Person{}
	for i, in := range incidents {
		latest[in.SuspectID] = recs[i].Suspect // records are oldest first: the last one wins
	}
	var out []Suspect
	for _, sc := range strategy.Rank(incidents, asOf, top) {
		out = append(out, Suspect{Score: sc, Latest: latest[sc.Suspect]})
	}
	return out, s.listed(ctx, a, "identification", "list", len(out))
}

// ReferSuspect refers a suspect from the identification list to the
// panel: a referral from the police identification list, with the score,
// its reasons, the rank and the number of victims as evidence. name and
// dob guard against the list having changed since the user saw it.
func (s *Service) ReferSuspect(ctx context.Context, a Actor, siteID int64, asOf drive.Date, key, name string, notDuplicate bool) (*Referral, error) {
	list, err := s.IdentificationList(ctx, a, siteID, asOf, 0)
	if err != nil {
		return nil, err
	}
	for _, sus := range list {
		if sus.Suspect != key {
			continue
		}
		full := strings.TrimSpace(sus.Latest.GivenName + " " + sus.Latest.FamilyName)
		if full != name {
			break
		}
		in := ReferralInput{SiteID: siteID, Programme: "drive", NotDuplicate: notDuplicate,
			Person: &people.Person{GivenName: sus.Latest.GivenName, FamilyName: sus.Latest.FamilyName, DateOfBirth: sus.Latest.DOB},
			Case: casework.Case{Source: casework.FromPoliceList, ReferredAt: drive.DateOf(asOf.Time()),
				Summary: fmt.Sprintf("Police identification list: rank %d, score %.1f (strategy %s %s). %s",
					sus.Rank, sus.Total, sus.StrategyCode, sus.StrategyVersion, strings.Join(sus.Reasons, " ")),
				Evidence: programme.Evidence{DASHScore: -1, Victims: sus.DistinctVictims, IdentificationRank: sus.Rank}}}
		return s.Refer(ctx, a, in)
	}
	return nil, drive.Errorf(drive.EINVALID, "The identification list has changed since you opened it: reload it and refer again")
}
