package service

import (
	"context"

	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/store"
)

// sweepBatch bounds the rows one transaction of the sweep removes, so a
// backlog (the first sweep of a long-running database) never holds
// SQLite's writer for long.
const sweepBatch = 500

// SweepReport says what a sweep removed, as counts only.
type SweepReport struct {
	Sessions int   // sessions past their time, each audited as session.end
	Browsers int   // known browsers past their time, each audited as signin.browser_forgotten
	Failures int64 // failed sign-ins too old to count towards any lock
}

// Total is everything the sweep removed.
func (r SweepReport) Total() int { return r.Sessions + r.Browsers + int(r.Failures) }

// SweepSignins removes what signing in left behind that no request will
// come back for. A session is ended by the next request that presents it
// past its time, but a browser closed for good never does, and each such
// row keeps the address its user signed in from; likewise a known
// browser's cookie that ran out, and failed sign-ins (with their
// addresses) older than the lockout policy reads. Each session removed
// is audited as session.end with why it ended ("idle timeout" or "time
// limit reached"), as if its user had come back, and each browser as
// signin.browser_forgotten ("expired"), so a user's trail never shows a
// session that simply stops. drive serve's worker runs it every quarter
// of an hour. Only a system actor may run it. Errors: ENOTFOUND for a
// person.
func (s *Service) SweepSignins(ctx context.Context, a Actor) (SweepReport, error) {
	var rep SweepReport
	if err := trusted(a, "sign-in sweep"); err != nil {
		return rep, err
	}
	policy := s.sessionPolicy()
	var err error
	rep.Sessions, err = s.sweepBatches(ctx, func(tx *store.Tx) (int, bool, error) {
		stale, err := tx.StaleSessions(ctx, tx.Now.Add(-policy.Idle), sweepBatch)
		if err != nil {
			return 0, false, err
		}
		removed := 0
		for _, sess := range stale {
			why := policy.Ended(sess, tx.Now)
			if why == "" {
				continue
			}
			deleted, err := tx.DeleteSession(ctx, sess.ID)
			if err != nil {
				return 0, false, err
			}
			if !deleted {
				continue // ended by a request meanwhile, and audited there
			}
			if err := tx.Audit(ctx, sessionEnd(a, sess.UserID, why)); err != nil {
				return 0, false, err
			}
			removed++
		}
		return removed, len(stale) == sweepBatch && removed > 0, nil
	})
	if err != nil {
		return rep, err
	}
	rep.Browsers, err = s.sweepBatches(ctx, func(tx *store.Tx) (int, bool, error) {
		stale, err := tx.StaleKnownBrowsers(ctx, sweepBatch)
		if err != nil {
			return 0, false, err
		}
		removed := 0
		for _, b := range stale {
			deleted, err := tx.DeleteKnownBrowser(ctx, b.ID)
			if err != nil {
				return 0, false, err
			}
			if !deleted {
				continue
			}
			if err := tx.Audit(ctx, userEvent(a, b.UserID, "signin.browser_forgotten", audit.OutcomeOK, "expired")); err != nil {
				return 0, false, err
			}
			removed++
		}
		return removed, len(stale) == sweepBatch && removed > 0, nil
	})
	if err != nil {
		return rep, err
	}
	err = s.DB.Transact(ctx, func(tx *store.Tx) error {
		var err error
		rep.Failures, err = tx.DeleteSigninFailuresBefore(ctx, s.lockout().Since(tx.Now))
		return err
	})
	return rep, err
}

// sweepBatches runs batch in transactions of its own until it says there
// is no more, and adds up what each removed. A batch that fails undoes
// only itself; those before it stand.
func (s *Service) sweepBatches(ctx context.Context, batch func(*store.Tx) (removed int, more bool, err error)) (int, error) {
	total := 0
	for {
		var (
			removed int
			more    bool
		)
		err := s.DB.Transact(ctx, func(tx *store.Tx) error {
			var err error
			removed, more, err = batch(tx)
			return err
		})
		if err != nil {
			return total, err
		}
		total += removed
		if !more {
			return total, nil
		}
	}
}
