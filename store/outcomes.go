package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/casework"
	"github.com/drive-platform/drive/outcomes"
	"github.com/drive-platform/drive/risk"
)

// OutcomeCase is a case's outcome facts with what the service needs to
// lay its assessment schedule (outcomes.AssessmentFacts): when work
// started.
type OutcomeCase struct {
	outcomes.CaseFacts
	StartedOn drive.Date
	PersonID  int64 // the perpetrator's person record
}

// OutcomeFacts reads the outcome facts (package outcomes) of every case at
// the given sites (every site when siteIDs is empty) that is in the
// period: referred on or before to, and not closed before from (zero
// bounds are open). No name, address or free text is read. It reads a
// site at a time in a few set queries, so a national report over 100,000
// cases costs tens of queries, not hundreds of thousands.
func (tx *Tx) OutcomeFacts(ctx context.Context, siteIDs []int64, from, to drive.Date) ([]OutcomeCase, error) {
	if len(siteIDs) == 0 {
		ids, err := tx.int64s(ctx, `SELECT id FROM sites ORDER BY id`)
		if err != nil {
			return nil, err
		}
		siteIDs = ids
	}
	var out []OutcomeCase
	for _, site := range siteIDs {
		cs, err := tx.siteOutcomeFacts(ctx, site, from, to)
		if err != nil {
			return nil, err
		}
		out = append(out, cs...)
	}
	return out, nil
}

func (tx *Tx) siteOutcomeFacts(ctx context.Context, site int64, from, to drive.Date) ([]OutcomeCase, error) {
	where := `c.site_id = ?`
	args := []any{site}
	if !to.IsZero() {
		where += ` AND c.referred_on <= ?`
		args = append(args, to)
	}
	if !from.IsZero() {
		where += ` AND (c.closed_at IS NULL OR c.closed_at >= ?)`
		args = append(args, from.Time())
	}
	rows, err := tx.query(ctx, `SELECT c.id, c.site_id, s.code, s.region, c.programme, c.state, c.referred_on, c.allocated_at, c.started_at,
		c.closed_at, c.case_manager_id, c.engagement, c.closure_reason, c.person_id,
		p.ethnicity, p.gender, p.disability, p.sexual_orientation, p.date_of_birth
		FROM cases c JOIN sites s ON s.id = c.site_id JOIN people p ON p.id = c.person_id
		WHERE `+where+` ORDER BY c.id`, args...)
	if err != nil {
		return nil, err
	}
	var out []OutcomeCase
	index := map[int64]int{}
	persons := map[int64][]int{}
	for rows.Next() {
		var oc OutcomeCase
		c := &oc.CaseFacts
		var state, engagement string
		var allocated, started, closed sql.NullTime
		var manager sql.NullInt64
		var person int64
		if err := rows.Scan(&c.CaseID, &c.SiteID, &c.SiteCode, &c.Region, &c.Programme, &state, &c.ReferredOn, &allocated, &started, &closed,
			&manager, &engagement, &c.ClosureReason, &person, &c.Perpetrator.Ethnicity, &c.Perpetrator.Sex, &c.Perpetrator.Disability,
			&c.Perpetrator.SexualOrientation, &c.Perpetrator.DateOfBirth); err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		c.State, c.Engagement, c.CaseManagerID = casework.State(state), casework.Engagement(engagement), manager.Int64
		if allocated.Valid {
			c.AllocatedOn = drive.DateOf(allocated.Time)
		}
		if started.Valid {
			oc.StartedOn = drive.DateOf(started.Time)
		}
		if closed.Valid {
			c.ClosedOn = drive.DateOf(closed.Time)
		}
		oc.PersonID = person
		index[c.CaseID] = len(out)
		persons[person] = append(persons[person], len(out))
		out = append(out, oc)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, tx.d.mapError(err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	at := func(caseID int64) *outcomes.CaseFacts {
		if i, ok := index[caseID]; ok {
			return &out[i].CaseFacts
		}
		return nil
	}
	inSite := `SELECT id FROM cases c WHERE ` + where
	// Behaviour assessments.
	err = tx.each(ctx, `SELECT b.id, b.victim_case_id, b.case_id, b.time_point, b.physical, b.sexual, b.stalking, b.controlling, b.risk_change,
		b.assessed_on, b.assessed_by FROM victim_behaviours b WHERE b.case_id IN (`+inSite+`)`, args, func(r *sql.Rows) error {
		var b risk.BehaviourAssessment
		var ph, sx, st, co string
		if err := r.Scan(&b.ID, &b.VictimID, &b.CaseID, &b.TimePoint, &ph, &sx, &st, &co, &b.RiskChange, &b.AssessedOn, &b.AssessedBy); err != nil {
			return err
		}
		b.Physical, b.Sexual, b.Stalking, b.Controlling = risk.Tri(ph), risk.Tri(sx), risk.Tri(st), risk.Tri(co)
		if c := at(b.CaseID); c != nil {
			c.Behaviour = append(c.Behaviour, b)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Victim-survivors linked, with their equality answers (never a name).
	err = tx.each(ctx, `SELECT l.case_id, v.id, v.idva_id IS NOT NULL, l.living_together, v.ethnicity, v.gender, v.disability,
		v.sexual_orientation, v.date_of_birth FROM victim_links l JOIN victim_cases v ON v.id = l.victim_case_id
		WHERE l.case_id IN (`+inSite+`) ORDER BY l.case_id, v.id`, args, func(r *sql.Rows) error {
		var caseID int64
		var v outcomes.VictimFacts
		if err := r.Scan(&caseID, &v.ID, &v.IDVA, &v.LivingTogether, &v.Equality.Ethnicity, &v.Equality.Sex, &v.Equality.Disability,
			&v.Equality.SexualOrientation, &v.Equality.DateOfBirth); err != nil {
			return err
		}
		if c := at(caseID); c != nil {
			c.Victims = append(c.Victims, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// DASH scores of linked victim-survivors: her first is the baseline,
	// and her last, when it is a later one, is the exit.
	dash := map[[2]int64][]outcomes.DASHScore{}
	err = tx.each(ctx, `SELECT l.case_id, d.victim_case_id, d.score, d.band, d.assessed_on FROM victim_dash d
		JOIN victim_links l ON l.victim_case_id = d.victim_case_id WHERE l.case_id IN (`+inSite+`) ORDER BY l.case_id, d.victim_case_id, d.assessed_on, d.id`,
		args, func(r *sql.Rows) error {
			var caseID int64
			var d outcomes.DASHScore
			if err := r.Scan(&caseID, &d.VictimID, &d.Score, &d.Band, &d.On); err != nil {
				return err
			}
			k := [2]int64{caseID, d.VictimID}
			dash[k] = append(dash[k], d)
			return nil
		})
	if err != nil {
		return nil, err
	}
	for k, ds := range dash {
		c := at(k[0])
		if c == nil {
			continue
		}
		first := ds[0]
		first.TimePoint = outcomes.Baseline
		c.DASH = append(c.DASH, first)
		if last := ds[len(ds)-1]; len(ds) > 1 && last.On.After(first.On) && !c.ClosedOn.IsZero() {
			last.TimePoint = outcomes.Exit
			c.DASH = append(c.DASH, last)
		}
	}
	// Children linked to the case.
	err = tx.each(ctx, `SELECT case_id, count(*) FROM victim_children WHERE case_id IN (`+inSite+`) GROUP BY case_id`, args, func(r *sql.Rows) error {
		var caseID int64
		var n int
		if err := r.Scan(&caseID, &n); err != nil {
			return err
		}
		if c := at(caseID); c != nil {
			c.Children = n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Actions: done ones count as completed on their last change.
	err = tx.each(ctx, `SELECT case_id, prong, status, due_on, updated_at FROM case_actions WHERE case_id IN (`+inSite+`)`, args, func(r *sql.Rows) error {
		var caseID int64
		var a outcomes.ActionFacts
		var status string
		var updated sql.NullTime
		if err := r.Scan(&caseID, &a.Prong, &status, &a.DueOn, &updated); err != nil {
			return err
		}
		a.Status = casework.ActionStatus(status)
		if a.Status == casework.ActionDone && updated.Valid {
			a.CompletedOn = drive.DateOf(updated.Time)
		}
		if c := at(caseID); c != nil {
			c.Actions = append(c.Actions, a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// MARAC hearings: on her case, held here, or imported and linked to him.
	err = tx.each(ctx, `SELECT case_id, heard_on FROM victim_marac_dates WHERE case_id IN (`+inSite+`)
		UNION SELECT i.case_id, m.held_on FROM meeting_items i JOIN meetings m ON m.id = i.meeting_id JOIN meeting_series s ON s.id = m.series_id
			WHERE s.kind = 'marac' AND m.state = 'held' AND i.case_id IN (`+inSite+`)`, append(append([]any{}, args...), args...), func(r *sql.Rows) error {
		var caseID int64
		var d drive.Date
		if err := r.Scan(&caseID, &d); err != nil {
			return err
		}
		if c := at(caseID); c != nil && !containsDate(c.MARACHearings, d) {
			c.MARACHearings = append(c.MARACHearings, d)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Police incidents and imported hearings of his linked police records.
	inPeople := `SELECT person_id FROM cases c WHERE ` + where
	err = tx.each(ctx, `SELECT l.person_id, i.occurred_on, 0 FROM person_police_links l JOIN incidents i ON i.suspect_person = l.police_person
			WHERE l.status = 'linked' AND l.person_id IN (`+inPeople+`)
		UNION ALL SELECT l.person_id, h.heard_on, 1 FROM person_police_links l JOIN marac_hearings h ON h.perpetrator_person = l.police_person
			WHERE l.status = 'linked' AND l.person_id IN (`+inPeople+`)`, append(append([]any{}, args...), args...), func(r *sql.Rows) error {
		var person int64
		var d drive.Date
		var hearing int
		if err := r.Scan(&person, &d, &hearing); err != nil {
			return err
		}
		for _, i := range persons[person] {
			c := &out[i].CaseFacts
			if hearing == 1 {
				if !containsDate(c.MARACHearings, d) {
					c.MARACHearings = append(c.MARACHearings, d)
				}
			} else {
				c.PoliceIncidents = append(c.PoliceIncidents, d)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Trial arms (migration 0018): the arm, when the referral was
	// allocated and for how long both arms are followed.
	err = tx.each(ctx, `SELECT a.case_id, a.trial_id, a.arm, a.allocated_at, t.outcome_months
		FROM trial_allocations a JOIN trials t ON t.id = a.trial_id WHERE a.case_id IN (`+inSite+`)`, args, func(r *sql.Rows) error {
		var caseID int64
		var tf outcomes.TrialFacts
		var when time.Time
		if err := r.Scan(&caseID, &tf.TrialID, &tf.Arm, &when, &tf.OutcomeMonths); err != nil {
			return err
		}
		tf.AllocatedOn = drive.DateOf(when)
		if c := at(caseID); c != nil {
			c.Trial = &tf
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func containsDate(ds []drive.Date, d drive.Date) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// each runs a query and calls fn for each row.
func (tx *Tx) each(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.query(ctx, strings.TrimSpace(q), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return tx.d.mapError(err)
		}
	}
	return tx.d.mapError(rows.Err())
}

// SetReferencePopulation stores a site's reference population as the
// service encoded it (JSON), or "" to fall back to the national figures.
// Errors: ENOTFOUND.
func (tx *Tx) SetReferencePopulation(ctx context.Context, siteID int64, encoded string) error {
	res, err := tx.exec(ctx, `UPDATE sites SET reference_population = ? WHERE id = ?`, encoded, siteID)
	if err != nil {
		return err
	}
	return mustAffect(res, "site")
}

// ReferencePopulations returns the encoded reference population of every
// site that has one.
func (tx *Tx) ReferencePopulations(ctx context.Context) (map[int64]string, error) {
	out := map[int64]string{}
	err := tx.each(ctx, `SELECT id, reference_population FROM sites WHERE reference_population <> ''`, nil, func(r *sql.Rows) error {
		var id int64
		var s string
		if err := r.Scan(&id, &s); err != nil {
			return err
		}
		out[id] = s
		return nil
	})
	return out, err
}
