package service

import (
	"context"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/meeting"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/suppress"
)

// siteAggregates decides whether the actor may read a site's aggregates.
func siteAggregates(siteID int64) access.Resource {
	return access.Resource{Class: access.Aggregates, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}
}

// MARACDataReturn computes a site's quarterly MARAC data return from the
// MARAC meetings it held in the quarter, with small numbers suppressed
// (meeting.ComputeDataReturn). Anyone who may read the site's aggregates
// may ask; it is audited. Errors: ENOTFOUND.
func (s *Service) MARACDataReturn(ctx context.Context, a Actor, siteID int64, q meeting.Quarter) (*meeting.DataReturn, error) {
	var out meeting.DataReturn
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		d, err := s.decide(ctx, tx, a, access.Read, siteAggregates(siteID), "site")
		if err != nil {
			return err
		}
		site, err := tx.Site(ctx, siteID)
		if err != nil {
			return drive.NotFound("site")
		}
		pop, err := tx.AdultFemalePopulation(ctx, siteID)
		if err != nil {
			return err
		}
		n, cases, err := tx.DataReturnFacts(ctx, siteID, q.Start(), q.End())
		if err != nil {
			return err
		}
		for i := range cases {
			cases[i].ReferringAgency = referringAgency(casework.Source(cases[i].ReferringAgency))
		}
		out = meeting.ComputeDataReturn(meeting.DataReturnInput{SiteName: site.Name, Quarter: q, Meetings: n, Cases: cases,
			AdultFemalePopulation: pop, Threshold: suppress.DefaultThreshold})
		return tx.Audit(ctx, audit.Event{Action: audit.ActionRecordRead, ActorID: a.UserID, ActorRole: string(d.Role), RecordType: "marac_return",
			RecordID: q.String(), SiteID: siteID, Remote: a.Remote, Outcome: audit.OutcomeAllowed})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// referringAgency names the kind of agency behind a referral source, as
// the data return groups them.
func referringAgency(src casework.Source) string {
	switch src {
	case casework.FromPoliceList:
		return "police"
	case casework.FromChildrensCare:
		return "childrens_social_care"
	case casework.FromProbation:
		return "probation"
	case casework.FromIDVA:
		return "idva_service"
	case casework.FromPanel, casework.FromOther:
		return "other"
	}
	return "" // a referral from MARAC itself does not say which agency brought the case there
}

// SetAdultFemalePopulation records a site's adult female population, the
// denominator of the data return's cases per 10,000 adult women. Only
// those who may write the site's configuration may. Errors: EINVALID,
// ENOTFOUND.
func (s *Service) SetAdultFemalePopulation(ctx context.Context, a Actor, siteID int64, n int) error {
	if n < 0 || n > 20_000_000 {
		return drive.Invalid("Check the population", map[string]string{"population": "Enter the number of women aged 16 and over living in the site's area"})
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		r := access.Resource{Class: access.Configuration, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}
		d, err := s.decide(ctx, tx, a, access.Write, r, "site")
		if err != nil {
			return err
		}
		if err := tx.SetAdultFemalePopulation(ctx, siteID, n); err != nil {
			return err
		}
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "site", siteID, siteID, "")
	})
}
