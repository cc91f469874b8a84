package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/evaluation"
)

const trialColumns = `id, site_id, name, programme, outcome_months, started_on, ended_on, created_by, ended_by, created_at`

func scanTrial(sc interface{ Scan(...any) error }) (*evaluation.Trial, error) {
	t := &evaluation.Trial{}
	var createdBy, endedBy sql.NullInt64
	if err := sc.Scan(&t.ID, &t.SiteID, &t.Name, &t.Programme, &t.OutcomeMonths, &t.StartedOn, &t.EndedOn, &createdBy, &endedBy, &t.CreatedAt); err != nil {
		return nil, err
	}
	t.CreatedBy, t.EndedBy = createdBy.Int64, endedBy.Int64
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// CreateTrial stores a new running trial and its sealed seed, and sets
// t.ID and t.CreatedAt. The store never sees the seed itself: seal is
// called with the new trial's id and returns the sealed value to keep.
// Errors: EINVALID for a trial that fails Validate, ECONFLICT when a trial
// already runs at the site or the site has a trial of that name.
func (tx *Tx) CreateTrial(ctx context.Context, t *evaluation.Trial, seal func(trialID int64) (SealedValue, error)) error {
	if err := t.Validate(drive.DateOf(tx.Now)); err != nil {
		return err
	}
	var running int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM trials WHERE site_id = ? AND ended_on IS NULL`, t.SiteID).Scan(&running); err != nil {
		return tx.d.mapError(err)
	}
	if running > 0 {
		return drive.Errorf(drive.ECONFLICT, "A trial is already running at this site: end it before starting another")
	}
	t.CreatedAt = tx.Now
	id, err := tx.insert(ctx, `INSERT INTO trials (site_id, name, programme, outcome_months, started_on, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, t.SiteID, t.Name, t.Programme, t.OutcomeMonths, t.StartedOn, optID(t.CreatedBy), t.CreatedAt)
	if err != nil {
		return err
	}
	t.ID = id
	v, err := seal(id)
	if err != nil {
		return err
	}
	if err := v.check("trial seed"); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO trial_seeds (trial_id, data, key_id) VALUES (?, ?, ?)`, id, v.Data, v.KeyID)
	return err
}

// Trial returns a trial. Errors: ENOTFOUND.
func (tx *Tx) Trial(ctx context.Context, id int64) (*evaluation.Trial, error) {
	t, err := scanTrial(tx.queryRow(ctx, `SELECT `+trialColumns+` FROM trials WHERE id = ?`, id))
	if err != nil {
		return nil, tx.scanErr(err, "trial")
	}
	return t, nil
}

// RunningTrial returns the trial running at a site. Errors: ENOTFOUND
// when none runs.
func (tx *Tx) RunningTrial(ctx context.Context, siteID int64) (*evaluation.Trial, error) {
	t, err := scanTrial(tx.queryRow(ctx, `SELECT `+trialColumns+` FROM trials WHERE site_id = ? AND ended_on IS NULL`, siteID))
	if err != nil {
		return nil, tx.scanErr(err, "trial")
	}
	return t, nil
}

// Trials returns the trials of the given sites (every site when national
// is true), newest first.
func (tx *Tx) Trials(ctx context.Context, siteIDs []int64, national bool) ([]*evaluation.Trial, error) {
	q := `SELECT ` + trialColumns + ` FROM trials`
	var args []any
	if !national {
		if len(siteIDs) == 0 {
			return nil, nil
		}
		q += ` WHERE site_id IN (` + placeholders(len(siteIDs)) + `)`
		args = int64Args(siteIDs)
	}
	rows, err := tx.query(ctx, q+` ORDER BY id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*evaluation.Trial
	for rows.Next() {
		t, err := scanTrial(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, t)
	}
	return out, tx.d.mapError(rows.Err())
}

// EndTrial ends a running trial today: from now on nothing is allocated
// to it. Errors: ENOTFOUND, ECONFLICT when it has already ended.
func (tx *Tx) EndTrial(ctx context.Context, id, by int64) error {
	t, err := tx.Trial(ctx, id)
	if err != nil {
		return err
	}
	if !t.Running() {
		return drive.Errorf(drive.ECONFLICT, "This trial has already ended")
	}
	_, err = tx.exec(ctx, `UPDATE trials SET ended_on = ?, ended_by = ? WHERE id = ? AND ended_on IS NULL`, drive.DateOf(tx.Now), optID(by), id)
	return err
}

// TrialSeed returns a trial's sealed seed, as CreateTrial stored it.
// Errors: ENOTFOUND.
func (tx *Tx) TrialSeed(ctx context.Context, trialID int64) (SealedValue, error) {
	var v SealedValue
	err := tx.queryRow(ctx, `SELECT data, key_id FROM trial_seeds WHERE trial_id = ?`, trialID).Scan(&v.Data, &v.KeyID)
	if err != nil {
		return SealedValue{}, tx.scanErr(err, "trial")
	}
	return v, nil
}

// NextTrialSeq claims the next place in a stratum of a trial: one more
// than the highest stored. It first bumps the trial's allocation count,
// which takes the trial row's write lock on PostgreSQL (SQLite has one
// writer anyway), so allocations to one trial queue and two never claim
// the same place; the unique (trial, band, seq) is the backstop. Errors:
// ENOTFOUND for an unknown trial, ECONFLICT when it has ended.
func (tx *Tx) NextTrialSeq(ctx context.Context, trialID int64, band string) (int, error) {
	res, err := tx.exec(ctx, `UPDATE trials SET allocated = allocated + 1 WHERE id = ? AND ended_on IS NULL`, trialID)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return 0, tx.d.mapError(err)
	} else if n == 0 {
		if _, err := tx.Trial(ctx, trialID); err != nil {
			return 0, err
		}
		return 0, drive.Errorf(drive.ECONFLICT, "This trial has ended")
	}
	var last int
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM trial_allocations WHERE trial_id = ? AND band = ?`, trialID, band).Scan(&last); err != nil {
		return 0, tx.d.mapError(err)
	}
	return last + 1, nil
}

// AddTrialAllocation stores one referral's allocation. Errors: ECONFLICT
// when the referral is already allocated or its place is taken.
func (tx *Tx) AddTrialAllocation(ctx context.Context, r evaluation.Recorded) error {
	a := r.Allocation
	_, err := tx.exec(ctx, `INSERT INTO trial_allocations (case_id, trial_id, band, seq, arm, block, position, block_len, allocated_at, allocated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.CaseID, r.TrialID, a.Stratum.Band, a.Seq, a.Arm, a.Block, a.Position, a.BlockLen,
		r.AllocatedAt.UTC(), optID(r.AllocatedBy))
	return err
}

func (tx *Tx) trialAllocations(ctx context.Context, where string, args ...any) ([]evaluation.Recorded, error) {
	rows, err := tx.query(ctx, `SELECT a.case_id, a.trial_id, t.site_id, a.band, a.seq, a.arm, a.block, a.position, a.block_len, a.allocated_at, a.allocated_by
		FROM trial_allocations a JOIN trials t ON t.id = a.trial_id WHERE `+where+` ORDER BY a.trial_id, a.band, a.seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []evaluation.Recorded
	for rows.Next() {
		var r evaluation.Recorded
		var by sql.NullInt64
		var at time.Time
		a := &r.Allocation
		if err := rows.Scan(&r.CaseID, &r.TrialID, &a.Stratum.Site, &a.Stratum.Band, &a.Seq, &a.Arm, &a.Block, &a.Position, &a.BlockLen, &at, &by); err != nil {
			return nil, tx.d.mapError(err)
		}
		r.AllocatedAt, r.AllocatedBy = at.UTC(), by.Int64
		out = append(out, r)
	}
	return out, tx.d.mapError(rows.Err())
}

// TrialAllocations returns every allocation of a trial, by stratum and
// place.
func (tx *Tx) TrialAllocations(ctx context.Context, trialID int64) ([]evaluation.Recorded, error) {
	return tx.trialAllocations(ctx, `a.trial_id = ?`, trialID)
}

// CaseTrialAllocation returns a referral's allocation. Errors: ENOTFOUND
// when it was never allocated.
func (tx *Tx) CaseTrialAllocation(ctx context.Context, caseID int64) (evaluation.Recorded, error) {
	out, err := tx.trialAllocations(ctx, `a.case_id = ?`, caseID)
	if err != nil {
		return evaluation.Recorded{}, err
	}
	if len(out) == 0 {
		return evaluation.Recorded{}, drive.NotFound("allocation")
	}
	return out[0], nil
}

// ComparisonCaseIDs returns the referrals at a site allocated to a
// trial's comparison arm, in any trial.
func (tx *Tx) ComparisonCaseIDs(ctx context.Context, siteID int64) ([]int64, error) {
	return tx.int64s(ctx, `SELECT a.case_id FROM trial_allocations a JOIN trials t ON t.id = a.trial_id
		WHERE t.site_id = ? AND a.arm = 'comparison' ORDER BY a.case_id`, siteID)
}

// CaseArms returns the trial arm of each of the given referrals that a
// trial allocated, by case id; referrals never allocated are left out.
func (tx *Tx) CaseArms(ctx context.Context, caseIDs []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	rows, err := tx.query(ctx, `SELECT case_id, arm FROM trial_allocations WHERE case_id IN (`+placeholders(len(caseIDs))+`)`, int64Args(caseIDs)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var arm string
		if err := rows.Scan(&id, &arm); err != nil {
			return nil, tx.d.mapError(err)
		}
		out[id] = arm
	}
	return out, tx.d.mapError(rows.Err())
}
