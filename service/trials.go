package service

import (
	"context"
	"encoding/binary"
	"slices"
	"sort"
	"strconv"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/account"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/evaluation"
	"github.com/drive-platform/drive/store"
)

// Randomised trials (docs/trials.md). While a trial runs at a site, each
// referral the panel accepts there is allocated to intervention or
// comparison in the same transaction as the acceptance: the arm is worked
// out only once the decision is recorded, so nobody deciding eligibility
// can know it. A comparison referral stays accepted and is never given a
// case manager; it is followed for the same outcome period as the others.
//
// The seed is sealed like a victim-survivor's details ("trial_seed:<id>")
// and opened only to allocate and, once the trial has ended, to verify.

func aadTrialSeed(trialID int64) []byte {
	return []byte("trial_seed:" + strconv.FormatInt(trialID, 10))
}

func trialResource(siteID int64, recordID string) access.Resource {
	return access.Resource{Class: access.Trial, RecordType: "trial", RecordID: recordID, SiteID: siteID}
}

// trialActor is the actor trials are run as: a trusted entry point (`drive
// trial`) acts for the national team, whose policy covers every site's
// trials; a person acts with their own roles.
func trialActor(a Actor) Actor {
	if trusted(a, "trial") != nil {
		return a
	}
	n := a
	n.Subject.Grants = append(slices.Clone(a.Subject.Grants), access.Grant{Role: access.National})
	return n
}

// decideTrial asks the policy for want on a trial; a refusal is "not
// found", which the use case audits (s.denied) once its transaction ends.
func (s *Service) decideTrial(ctx context.Context, tx *store.Tx, a Actor, want access.Action, t *evaluation.Trial) (access.Decision, error) {
	return s.decide(ctx, tx, a, want, trialResource(t.SiteID, strconv.FormatInt(t.ID, 10)), "trial")
}

func trialEvent(a Actor, d access.Decision, action string, t *evaluation.Trial, reason string) audit.Event {
	return audit.Event{Action: action, ActorID: a.UserID, ActorRole: actorRole(a, d.Role), RecordType: "trial",
		RecordID: strconv.FormatInt(t.ID, 10), SiteID: t.SiteID, Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: reason}
}

// StartTrial starts a trial at t.SiteID today, with a seed drawn from the
// service's randomness and sealed at once; t.ID is set. The site's team
// leader or the national team may (the trial class of the policy); the
// seed is never returned. Errors: ENOTFOUND when the actor may not run
// trials at the site, EINVALID (a bad name, or a programme the site does
// not run), ECONFLICT when a trial already runs there, EUNAVAILABLE
// without encryption keys.
func (s *Service) StartTrial(ctx context.Context, a Actor, t *evaluation.Trial) error {
	a = trialActor(a)
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		d, err := s.decide(ctx, tx, a, access.Write, trialResource(t.SiteID, "new"), "site")
		if err != nil {
			return err
		}
		if _, err := tx.Site(ctx, t.SiteID); err != nil {
			return drive.NotFound("site")
		}
		if t.Programme != "" {
			if _, err := tx.SiteProgramme(ctx, t.SiteID, t.Programme); drive.ErrorCode(err) == drive.ENOTFOUND {
				return drive.Invalid("Check the trial", map[string]string{"programme": "Choose a programme the site runs"})
			} else if err != nil {
				return err
			}
		}
		seed, err := evaluation.NewSeed(s.random())
		if err != nil {
			return err
		}
		t.CreatedBy = a.UserID
		err = tx.CreateTrial(ctx, t, func(id int64) (store.SealedValue, error) {
			return s.seal(binary.BigEndian.AppendUint64(nil, seed), aadTrialSeed(id))
		})
		if err != nil {
			return err
		}
		return tx.Audit(ctx, trialEvent(a, d, "trial.start", t, ""))
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "site", t.SiteID)
	}
	return err
}

// EndTrial ends a running trial today: referrals accepted from now on are
// not allocated, and the trial may be verified. Errors: ENOTFOUND,
// ECONFLICT when it has already ended.
func (s *Service) EndTrial(ctx context.Context, a Actor, id int64) error {
	a = trialActor(a)
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		t, err := tx.Trial(ctx, id)
		if err != nil {
			return drive.NotFound("trial")
		}
		d, err := s.decideTrial(ctx, tx, a, access.Write, t)
		if err != nil {
			return err
		}
		if err := tx.EndTrial(ctx, id, a.UserID); err != nil {
			return err
		}
		return tx.Audit(ctx, trialEvent(a, d, "trial.end", t, ""))
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "trial", id)
	}
	return err
}

// Trials lists the trials the actor may see, newest first. Audited as a
// list of trials.
func (s *Service) Trials(ctx context.Context, a Actor) ([]*evaluation.Trial, error) {
	a = trialActor(a)
	sites, national := a.Subject.SitesFor(access.Trial, access.Read)
	if !national && len(sites) == 0 {
		return nil, nil
	}
	var out []*evaluation.Trial
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		if out, err = tx.Trials(ctx, sites, national); err != nil {
			return err
		}
		return listedIn(ctx, tx, a, "trial", "list", len(out))
	})
	return out, err
}

// StratumBalance is how many referrals of one stratum each arm holds.
// Band is empty for the row of every stratum together.
type StratumBalance struct {
	Band   string
	Counts evaluation.Counts
}

// TrialBalance is a trial and the balance of the allocations made so far,
// per risk band and overall. Nothing about referrals still to come, and
// never the seed.
type TrialBalance struct {
	Trial *evaluation.Trial
	// Strata are in band order (high, medium, standard), the overall
	// row last; bands without an allocation are left out.
	Strata []StratumBalance
}

// Overall is the row of every stratum together.
func (b *TrialBalance) Overall() evaluation.Counts {
	return b.Strata[len(b.Strata)-1].Counts
}

// Balance returns a trial's balance. The counts are of the trial's own
// referrals, shown to the people who run it, unrounded: a trial is
// stratified so that its team can see both arms stay level. Errors:
// ENOTFOUND. Audited as a read of the trial.
func (s *Service) Balance(ctx context.Context, a Actor, id int64) (*TrialBalance, error) {
	a = trialActor(a)
	out := &TrialBalance{}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		t, err := tx.Trial(ctx, id)
		if err != nil {
			return drive.NotFound("trial")
		}
		d, err := s.decideTrial(ctx, tx, a, access.Read, t)
		if err != nil {
			return err
		}
		recs, err := tx.TrialAllocations(ctx, id)
		if err != nil {
			return err
		}
		allocs := make([]evaluation.Allocation, len(recs))
		for i, r := range recs {
			allocs[i] = r.Allocation
		}
		bal := evaluation.Balance(allocs)
		out.Trial = t
		for _, band := range []string{evaluation.BandHigh, evaluation.BandMedium, evaluation.BandStandard} {
			if c, ok := bal[evaluation.Stratum{Site: t.SiteID, Band: band}]; ok {
				out.Strata = append(out.Strata, StratumBalance{Band: band, Counts: c})
			}
		}
		out.Strata = append(out.Strata, StratumBalance{Counts: bal[evaluation.Stratum{}]})
		return tx.Audit(ctx, trialEvent(a, d, audit.ActionRecordRead, t, "balance"))
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "trial", id)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TrialVerification is the result of recomputing a trial's allocations
// from its seed.
type TrialVerification struct {
	Trial       *evaluation.Trial
	Allocations int
	Mismatches  []evaluation.Mismatch
	// Seed is the trial's seed, given only now that the trial has ended,
	// so that anyone may recompute the allocations by the published method
	// (package evaluation) without this system.
	Seed uint64
}

// VerifyTrial recomputes every allocation of an ended trial from its seed
// and reports those that differ, and any gap or repeat in a stratum's
// places; none is expected. Only after the trial has ended, since the
// seed predicts allocations to come. Errors: ENOTFOUND, ECONFLICT while
// the trial runs, EUNAVAILABLE without the keys the seed was sealed with.
// Audited, with the number of mismatches.
func (s *Service) VerifyTrial(ctx context.Context, a Actor, id int64) (*TrialVerification, error) {
	a = trialActor(a)
	out := &TrialVerification{}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		t, err := tx.Trial(ctx, id)
		if err != nil {
			return drive.NotFound("trial")
		}
		d, err := s.decideTrial(ctx, tx, a, access.Write, t)
		if err != nil {
			return err
		}
		if t.Running() {
			return drive.Errorf(drive.ECONFLICT, "A trial is verified once it has ended: its seed would predict the allocations still to come")
		}
		al, seed, err := s.allocator(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		recs, err := tx.TrialAllocations(ctx, id)
		if err != nil {
			return err
		}
		out.Trial, out.Allocations, out.Seed = t, len(recs), seed
		out.Mismatches = evaluation.Verify(al, recs)
		sortMismatches(out.Mismatches)
		return tx.Audit(ctx, trialEvent(a, d, "trial.verify", t, strconv.Itoa(len(out.Mismatches))+" mismatches in "+strconv.Itoa(len(recs))+" allocations"))
	})
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		s.denied(ctx, a, "trial", id)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// allocator opens a trial's seed.
func (s *Service) allocator(ctx context.Context, tx *store.Tx, trialID int64) (*evaluation.Allocator, uint64, error) {
	v, err := tx.TrialSeed(ctx, trialID)
	if err != nil {
		return nil, 0, err
	}
	b, err := s.open(v, aadTrialSeed(trialID))
	if err != nil {
		return nil, 0, err
	}
	if len(b) != 8 {
		return nil, 0, drive.Errorf(drive.EINTERNAL, "a trial's seed could not be read")
	}
	seed := binary.BigEndian.Uint64(b)
	return evaluation.NewAllocator(seed), seed, nil
}

// allocateReferral allocates a referral the panel has just accepted, in
// the transaction that recorded the acceptance, when a trial runs at its
// site and its eligibility rule admits it; otherwise it does nothing. The
// stratum is the site and the band of the referral's DASH score; the
// referral takes the next place in it. Audited as a write of the case
// with the reason "trial allocation".
func (s *Service) allocateReferral(ctx context.Context, tx *store.Tx, a Actor, role access.Role, c *casework.Case) error {
	t, err := tx.RunningTrial(ctx, c.SiteID)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if t.Programme != "" && t.Programme != c.Programme {
		return nil
	}
	if _, err := tx.CaseTrialAllocation(ctx, c.ID); err == nil {
		return nil // a referral keeps the arm it was first given
	} else if drive.ErrorCode(err) != drive.ENOTFOUND {
		return err
	}
	band := evaluation.BandOf(c.Evidence.DASHScore)
	seq, err := tx.NextTrialSeq(ctx, t.ID, band)
	if err != nil {
		return err
	}
	al, _, err := s.allocator(ctx, tx, t.ID)
	if err != nil {
		return err
	}
	alloc, err := al.Allocate(t.SiteID, band, seq)
	if err != nil {
		return err
	}
	r := evaluation.Recorded{TrialID: t.ID, CaseID: c.ID, Allocation: alloc, AllocatedAt: tx.Now, AllocatedBy: a.UserID}
	if err := tx.AddTrialAllocation(ctx, r); err != nil {
		return err
	}
	if err := tx.AddHistory(ctx, &casework.HistoryEntry{CaseID: c.ID, At: tx.Now, UserID: a.UserID, Event: TrialAllocationEvent,
		FromState: c.State, ToState: c.State, Detail: ArmLabel(alloc.Arm), SiteID: c.SiteID}); err != nil {
		return err
	}
	return record(ctx, tx, a, access.Decision{Role: access.Role(actorRole(a, role))}, audit.ActionRecordWrite, "case", c.ID, c.SiteID,
		"trial allocation: trial "+strconv.FormatInt(t.ID, 10), audit.PartTrialArm)
}

// TrialAllocationEvent is the case history event of a trial allocation;
// its detail is the arm's label.
const TrialAllocationEvent = "trial_allocation"

// ArmLabel names an arm on a referral's page and history.
func ArmLabel(arm string) string {
	switch arm {
	case evaluation.ArmComparison:
		return "Comparison (trial)"
	case evaluation.ArmIntervention:
		return "Intervention (trial)"
	}
	return arm
}

// CaseArm is a referral's place in a trial, as its page shows it.
type CaseArm struct {
	TrialName string
	Arm       string
	Label     string
	// OutcomeEnd is when its outcome period ends: the police incidents of
	// the 6 months after it, and MARAC hearings of the 12 months after
	// it, are compared across the arms.
	OutcomeEnd drive.Date
}

// caseArm returns a referral's arm, or nil when it was never allocated.
func caseArm(ctx context.Context, tx *store.Tx, caseID int64) (*CaseArm, error) {
	r, err := tx.CaseTrialAllocation(ctx, caseID)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	t, err := tx.Trial(ctx, r.TrialID)
	if err != nil {
		return nil, err
	}
	return &CaseArm{TrialName: t.Name, Arm: r.Allocation.Arm, Label: ArmLabel(r.Allocation.Arm),
		OutcomeEnd: t.OutcomeEnd(drive.DateOf(r.AllocatedAt))}, nil
}

// refuseComparisonWork refuses to give a case manager to a referral in
// a trial's comparison arm: it is followed up, not worked.
func refuseComparisonWork(ctx context.Context, tx *store.Tx, c *casework.Case, ev casework.Event) error {
	if ev != casework.Allocate {
		return nil
	}
	r, err := tx.CaseTrialAllocation(ctx, c.ID)
	if drive.ErrorCode(err) == drive.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	if r.Allocation.Arm == evaluation.ArmComparison {
		return drive.Errorf(drive.ECONFLICT, "This referral is in a trial's comparison group: it is followed up for outcomes, and gets no Drive case work")
	}
	return nil
}

// sortMismatches orders mismatches by stratum and place, for reports.
func sortMismatches(m []evaluation.Mismatch) {
	sort.Slice(m, func(i, j int) bool {
		a, b := m[i].Seed, m[j].Seed
		if a.Stratum.Band != b.Stratum.Band {
			return a.Stratum.Band < b.Stratum.Band
		}
		return a.Seq < b.Seq
	})
}

// TrialSites lists the sites where the actor may start a trial, and
// whether they may at every site.
func (s *Service) TrialSites(ctx context.Context, a Actor) ([]account.Site, bool, error) {
	a = trialActor(a)
	ids, national := a.Subject.SitesFor(access.Trial, access.Write)
	if !national && len(ids) == 0 {
		return nil, false, nil
	}
	var out []account.Site
	err := s.DB.View(ctx, func(tx *store.Tx) error {
		all, err := tx.Sites(ctx)
		for _, st := range all {
			if national || slices.Contains(ids, st.ID) {
				out = append(out, st)
			}
		}
		return err
	})
	return out, national, err
}
