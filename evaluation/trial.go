package evaluation

import (
	"strings"
	"time"

	"github.com/drive-platform/drive"
)

// DefaultOutcomeMonths is the outcome period of a trial unless it sets
// another: about the length of a Drive case (DOMAIN.md), so a comparison
// referral is followed for as long as an intervention referral is worked.
const DefaultOutcomeMonths = 10

// Trial is a randomised trial at one site: from StartedOn until EndedOn,
// every referral the panel accepts (of Programme, when one is named) is
// allocated to intervention or comparison. Its seed is not here: it is
// sealed apart and handed only to the Allocator, so a Trial can be shown
// anywhere.
type Trial struct {
	ID     int64
	SiteID int64
	Name   string
	// Programme is the eligibility rule: only accepted referrals to this
	// programme are allocated; empty means every accepted referral.
	Programme string
	// OutcomeMonths is the outcome period, counted from allocation, for
	// both arms: police incidents are compared 6 months before allocation
	// against 6 months after the period ends, and repeat MARAC is looked
	// for in the 12 months after it ends.
	OutcomeMonths int
	StartedOn     drive.Date
	EndedOn       drive.Date // zero while the trial runs
	CreatedBy     int64
	EndedBy       int64
	CreatedAt     time.Time
}

// Running reports whether the trial allocates referrals.
func (t *Trial) Running() bool { return t.EndedOn.IsZero() }

// Validate checks a new trial. Errors: EINVALID naming each field.
func (t *Trial) Validate(today drive.Date) error {
	f := map[string]string{}
	t.Name = strings.TrimSpace(t.Name)
	switch {
	case t.Name == "":
		f["name"] = "Name the trial"
	case len(t.Name) > 200:
		f["name"] = "Keep the name to 200 characters"
	}
	if t.SiteID < 1 {
		f["site"] = "Choose a site"
	}
	if len(t.Programme) > 64 {
		f["programme"] = "Choose a programme"
	}
	if t.OutcomeMonths == 0 {
		t.OutcomeMonths = DefaultOutcomeMonths
	}
	if t.OutcomeMonths < 1 || t.OutcomeMonths > 36 {
		f["outcome_months"] = "The outcome period is 1 to 36 months"
	}
	if t.StartedOn.IsZero() {
		t.StartedOn = today
	}
	if t.StartedOn != today {
		// A trial cannot start in the past (referrals already decided
		// were not concealed) nor be booked ahead (nothing would run it).
		f["started_on"] = "A trial starts on the day it is set up"
	}
	if len(f) > 0 {
		return drive.Invalid("Check the trial", f)
	}
	return nil
}

// OutcomeEnd is the end of the outcome period of a referral allocated on
// allocated.
func (t *Trial) OutcomeEnd(allocated drive.Date) drive.Date {
	return allocated.AddMonths(t.OutcomeMonths)
}

// BandOf is the risk band a referral is stratified by, from the latest
// DASH score of an associated victim-survivor as the referral records it:
// 14 or more high, 10 to 13 medium, otherwise standard (DOMAIN.md). An
// unknown score (below 0) counts as standard, as DASH counts an unanswered
// question as not yes; professional judgement does not move the band,
// since it is recorded apart from the score and would let whoever records
// it choose the stratum.
func BandOf(dashScore int) string {
	switch {
	case dashScore >= 14:
		return BandHigh
	case dashScore >= 10:
		return BandMedium
	}
	return BandStandard
}

// Recorded is an allocation as stored: the allocation and the referral it
// was made for, when and by whom.
type Recorded struct {
	TrialID     int64
	CaseID      int64
	Allocation  Allocation
	AllocatedAt time.Time
	AllocatedBy int64
}

// Mismatch is a stored allocation that recomputing from the seed does not
// give: what was stored and what the seed gives.
type Mismatch struct {
	CaseID int64
	Stored Allocation
	Seed   Allocation
}

// Verify recomputes every stored allocation from the allocator and returns
// those that differ, and the stratum sequences with a gap or a repeat
// (reported as a Mismatch with Seed.Seq the missing or repeated place and
// CaseID 0). An empty answer means the stored allocations are exactly the
// seed's.
func Verify(a *Allocator, stored []Recorded) []Mismatch {
	var out []Mismatch
	seen := map[Stratum]map[int]bool{}
	for _, r := range stored {
		st := r.Allocation.Stratum
		if seen[st] == nil {
			seen[st] = map[int]bool{}
		}
		if seen[st][r.Allocation.Seq] {
			out = append(out, Mismatch{Stored: r.Allocation, Seed: Allocation{Stratum: st, Seq: r.Allocation.Seq}})
		}
		seen[st][r.Allocation.Seq] = true
		want, err := a.Allocate(st.Site, st.Band, r.Allocation.Seq)
		if err != nil || want != r.Allocation {
			out = append(out, Mismatch{CaseID: r.CaseID, Stored: r.Allocation, Seed: want})
		}
	}
	for st, seqs := range seen {
		for i := 1; i <= len(seqs); i++ {
			if !seqs[i] {
				out = append(out, Mismatch{Seed: Allocation{Stratum: st, Seq: i}})
			}
		}
	}
	return out
}
