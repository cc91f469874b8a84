package service

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/store"
)

// A site's reference population: the shares of its area's people by
// ethnicity, sex, age band, disability and sexual orientation that the
// equality tables compare its caseload with (Census 2021 figures for the
// area, as configuration). A site without one is compared with England
// and Wales as a whole (outcomes.DefaultReference).

// ReferencePopulation is the file form of a site's reference population:
// {"source": "...", "shares": {"ethnicity": {"white": 0.82, ...}, ...}}.
type ReferencePopulation struct {
	Source string                        `json:"source"`
	Shares map[string]map[string]float64 `json:"shares"`
}

// ParseReferencePopulation reads and checks a reference population: a
// source is named; only the equality dimensions, each a share from 0 to 1
// per category, adding up to no more than 1 (a dimension may leave out
// categories with no figure). Errors: EINVALID naming what is wrong.
func ParseReferencePopulation(data []byte) (*ReferencePopulation, error) {
	var p ReferencePopulation
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, drive.Invalid("The reference population could not be read", map[string]string{"file": "Give a JSON object with \"source\" and \"shares\": " + err.Error()})
	}
	f := map[string]string{}
	p.Source = strings.TrimSpace(p.Source)
	if p.Source == "" || len(p.Source) > 300 {
		f["source"] = "Name where the figures come from, for example \"ONS Census 2021, Northmoor local authority\""
	}
	dims := []string{outcomes.DimEthnicity, outcomes.DimSex, outcomes.DimAgeBand, outcomes.DimDisability, outcomes.DimSexualOrientation}
	if len(p.Shares) == 0 {
		f["shares"] = "Give the shares for at least one of: " + strings.Join(dims, ", ")
	}
	names := make([]string, 0, len(p.Shares))
	for d := range p.Shares {
		names = append(names, d)
	}
	sort.Strings(names)
	for _, d := range names {
		if !slices.Contains(dims, d) {
			f["shares."+d] = "Not an equality dimension: use " + strings.Join(dims, ", ")
			continue
		}
		sum := 0.0
		for cat, v := range p.Shares[d] {
			if cat == "" || math.IsNaN(v) || v < 0 || v > 1 {
				f["shares."+d] = fmt.Sprintf("Each share is a number from 0 to 1 (%q is %v)", cat, v)
			}
			sum += v
		}
		if sum > 1.001 {
			f["shares."+d] = "The shares add up to " + strconv.FormatFloat(sum, 'f', 3, 64) + ": they must not exceed 1"
		}
	}
	if len(f) > 0 {
		return nil, drive.Invalid("Check the reference population", f)
	}
	return &p, nil
}

// SetReferencePopulation records a site's reference population (nil
// clears it). Only those who may write the site's configuration may.
// Errors: EINVALID, ENOTFOUND.
func (s *Service) SetReferencePopulation(ctx context.Context, a Actor, siteID int64, p *ReferencePopulation) error {
	encoded := ""
	if p != nil {
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		encoded = string(b)
	}
	return s.DB.Transact(ctx, func(tx *store.Tx) error {
		r := access.Resource{Class: access.Configuration, RecordType: "site", RecordID: strconv.FormatInt(siteID, 10), SiteID: siteID}
		d, err := s.decide(ctx, tx, a, access.Write, r, "site")
		if err != nil {
			return err
		}
		if err := tx.SetReferencePopulation(ctx, siteID, encoded); err != nil {
			return err
		}
		return record(ctx, tx, a, d, audit.ActionRecordWrite, "site", siteID, siteID, "")
	})
}

// reference is the national reference population with each site's own
// where one is configured.
func reference(ctx context.Context, tx *store.Tx) (outcomes.Reference, error) {
	ref := outcomes.DefaultReference()
	stored, err := tx.ReferencePopulations(ctx)
	if err != nil {
		return ref, err
	}
	ref.Sites = map[int64]outcomes.Population{}
	for id, enc := range stored {
		var p ReferencePopulation
		if err := json.Unmarshal([]byte(enc), &p); err != nil {
			return ref, drive.Wrap(err, drive.EINTERNAL, "a site's reference population could not be read")
		}
		ref.Sites[id] = outcomes.Population{Source: p.Source, Shares: p.Shares}
	}
	return ref, nil
}
