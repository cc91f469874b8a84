package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/jobs"
)

// EnqueueJob queues j (Kind, Payload, UniqueKey, MaxAttempts, RunAt; a
// zero RunAt means now, zero MaxAttempts jobs.DefaultMaxAttempts) and
// reports whether it was queued: false, and nothing written, when another
// job already holds its unique key, whatever that job's state. On success
// j gets its id, state and times. The caller validates j first.
func (tx *Tx) EnqueueJob(ctx context.Context, j *jobs.Job) (bool, error) {
	if j.MaxAttempts == 0 {
		j.MaxAttempts = jobs.DefaultMaxAttempts
	}
	if j.RunAt.IsZero() {
		j.RunAt = tx.Now
	}
	var key any
	if j.UniqueKey != "" {
		key = j.UniqueKey
	}
	var id int64
	err := tx.queryRow(ctx, `INSERT INTO jobs (kind, payload, unique_key, state, attempts, max_attempts, run_at, created_at)
		VALUES (?, ?, ?, 'queued', 0, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING RETURNING id`,
		j.Kind, j.Payload, key, j.MaxAttempts, j.RunAt.UTC(), tx.Now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, tx.d.mapError(err)
	}
	j.ID, j.State, j.Attempts, j.CreatedAt = id, jobs.Queued, 0, tx.Now
	j.RunAt = j.RunAt.UTC()
	return true, nil
}

const jobColumns = `id, kind, payload, coalesce(unique_key, ''), state, attempts, max_attempts, run_at, coalesce(leased_by, ''),
	lease_until, last_error, created_at, started_at, finished_at`

func scanQueuedJob(sc interface{ Scan(...any) error }) (*jobs.Job, error) {
	var j jobs.Job
	var lease, started, finished sql.NullTime
	if err := sc.Scan(&j.ID, &j.Kind, &j.Payload, &j.UniqueKey, &j.State, &j.Attempts, &j.MaxAttempts, &j.RunAt, &j.LeasedBy,
		&lease, &j.LastError, &j.CreatedAt, &started, &finished); err != nil {
		return nil, err
	}
	j.RunAt, j.CreatedAt = j.RunAt.UTC(), j.CreatedAt.UTC()
	j.LeaseUntil, j.StartedAt, j.FinishedAt = fromNullTime(lease), fromNullTime(started), fromNullTime(finished)
	return &j, nil
}

// Job returns one job. Errors: ENOTFOUND.
func (tx *Tx) Job(ctx context.Context, id int64) (*jobs.Job, error) {
	j, err := scanQueuedJob(tx.queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if err != nil {
		return nil, tx.scanErr(err, "job")
	}
	return j, nil
}

// JobFilter narrows Jobs (jobs.Filter).
type JobFilter = jobs.Filter

// Jobs lists jobs, the newest first.
func (tx *Tx) Jobs(ctx context.Context, f JobFilter) ([]*jobs.Job, error) {
	q := `SELECT ` + jobColumns + ` FROM jobs WHERE 1 = 1`
	var args []any
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	if f.State != "" {
		q += ` AND state = ?`
		args = append(args, f.State)
	}
	if f.Limit <= 0 {
		f.Limit = 100
	}
	rows, err := tx.query(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*jobs.Job
	for rows.Next() {
		j, err := scanQueuedJob(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, j)
	}
	return out, tx.d.mapError(rows.Err())
}

// ClaimJob takes the next job for worker: the queued job of one of kinds
// (none given: any kind) whose run-at has come, earliest first, or a
// running job whose lease ran out (its worker died). The job is marked
// running, held by worker until now+lease, and its attempt counted. It
// returns nil when there is nothing to do. A job whose lease ran out on
// its last attempt is marked dead instead of being run again.
//
// On PostgreSQL the candidate row is locked FOR UPDATE SKIP LOCKED, so
// workers claiming at once each get a different job and none waits; on
// SQLite the one writer serialises claims.
func (tx *Tx) ClaimJob(ctx context.Context, worker string, lease time.Duration, kinds ...string) (*jobs.Job, error) {
	q := `SELECT id, state, attempts, max_attempts FROM jobs
		WHERE ((state = 'queued' AND run_at <= ?) OR (state = 'running' AND lease_until < ?))`
	args := []any{tx.Now, tx.Now}
	if len(kinds) > 0 {
		q += ` AND kind IN (` + placeholders(len(kinds)) + `)`
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	q += ` ORDER BY run_at, id LIMIT 1`
	if tx.d.name == "postgres" {
		q += ` FOR UPDATE SKIP LOCKED`
	}
	for {
		var id int64
		var state string
		var attempts, max int
		err := tx.queryRow(ctx, q, args...).Scan(&id, &state, &attempts, &max)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		if state == jobs.Running && attempts >= max {
			if _, err := tx.exec(ctx, `UPDATE jobs SET state = 'dead', leased_by = NULL, lease_until = NULL, finished_at = ?,
				last_error = ? WHERE id = ?`, tx.Now, "its worker stopped before finishing, on every attempt", id); err != nil {
				return nil, err
			}
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1, leased_by = ?, lease_until = ?,
			started_at = ?, finished_at = NULL WHERE id = ?`, worker, tx.Now.Add(lease), tx.Now, id); err != nil {
			return nil, err
		}
		return tx.Job(ctx, id)
	}
}

// held updates a running job only if worker still holds it. Errors:
// ECONFLICT when it does not (its lease ran out and another worker took
// the job, or an administrator changed it), so the caller stops.
func (tx *Tx) held(ctx context.Context, id int64, worker, set string, args ...any) error {
	res, err := tx.exec(ctx, `UPDATE jobs SET `+set+` WHERE id = ? AND state = 'running' AND leased_by = ?`,
		append(args, id, worker)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return drive.Errorf(drive.ECONFLICT, "the job is no longer held by this worker")
	}
	return nil
}

// HeartbeatJob renews worker's lease on a running job until now+lease.
// Errors: ECONFLICT when worker no longer holds it.
func (tx *Tx) HeartbeatJob(ctx context.Context, id int64, worker string, lease time.Duration) error {
	return tx.held(ctx, id, worker, `lease_until = ?`, tx.Now.Add(lease))
}

// CompleteJob records that worker finished the job. Errors: ECONFLICT
// when worker no longer holds it; the caller's transaction, with the
// job's work, should then roll back.
func (tx *Tx) CompleteJob(ctx context.Context, id int64, worker string) error {
	return tx.held(ctx, id, worker, `state = 'done', leased_by = NULL, lease_until = NULL, finished_at = ?, last_error = ''`, tx.Now)
}

// FailJob records that worker's attempt at the job failed with msg: the
// job is queued again at runAt, or dead when state is jobs.Dead (as
// jobs.AfterFailure decides). Errors: ECONFLICT when worker no longer
// holds it.
func (tx *Tx) FailJob(ctx context.Context, id int64, worker, state string, runAt time.Time, msg string) error {
	if state == jobs.Dead {
		return tx.held(ctx, id, worker, `state = 'dead', leased_by = NULL, lease_until = NULL, finished_at = ?, last_error = ?`,
			tx.Now, jobs.Clip(msg))
	}
	return tx.held(ctx, id, worker, `state = 'queued', leased_by = NULL, lease_until = NULL, run_at = ?, last_error = ?`,
		runAt.UTC(), jobs.Clip(msg))
}

// RetryJob queues a dead job again, at once, with its attempts reset and
// its last error kept until it runs. Errors: ENOTFOUND when there is no
// dead job of that id.
func (tx *Tx) RetryJob(ctx context.Context, id int64) (*jobs.Job, error) {
	res, err := tx.exec(ctx, `UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?, finished_at = NULL WHERE id = ? AND state = 'dead'`,
		tx.Now, id)
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return nil, drive.NotFound("failed job")
	}
	return tx.Job(ctx, id)
}

// PruneJobs deletes the jobs done before before, and returns how many.
// Dead jobs stay until an administrator retries them. A periodic job's
// unique key names a period already past, so deleting it cannot let the
// period run again.
func (tx *Tx) PruneJobs(ctx context.Context, before time.Time) (int, error) {
	res, err := tx.exec(ctx, `DELETE FROM jobs WHERE state = 'done' AND finished_at < ?`, before.UTC())
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), tx.d.mapError(err)
}

// JobCount is a count of jobs by kind and state (jobs.Count).
type JobCount = jobs.Count

// JobQueue counts jobs by kind and state, by kind then state.
func (tx *Tx) JobQueue(ctx context.Context) ([]JobCount, error) {
	rows, err := tx.query(ctx, `SELECT kind, state, count(*),
		min(CASE WHEN state = 'queued' THEN run_at WHEN state = 'running' THEN started_at ELSE finished_at END)
		FROM jobs GROUP BY kind, state ORDER BY kind, state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobCount
	for rows.Next() {
		var c JobCount
		var oldest any
		if err := rows.Scan(&c.Kind, &c.State, &c.Count, &oldest); err != nil {
			return nil, tx.d.mapError(err)
		}
		if c.Oldest, err = aggregateTime(oldest); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, tx.d.mapError(rows.Err())
}

// ImportQueue counts import jobs (store/feeds.go) by kind (incidents or
// marac) and status (queued, running, done, failed), by kind then status,
// with the oldest of each: for queued ones the earliest arrival, for
// running ones the earliest start, otherwise the earliest finish. Imports
// keep their files on their own table; this shows them beside the jobs.
func (tx *Tx) ImportQueue(ctx context.Context) ([]JobCount, error) {
	rows, err := tx.query(ctx, `SELECT kind, status, count(*),
		min(CASE WHEN status = 'queued' THEN created_at WHEN status = 'running' THEN started_at ELSE finished_at END)
		FROM import_jobs GROUP BY kind, status ORDER BY kind, status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []JobCount
	for rows.Next() {
		var c JobCount
		var oldest any
		if err := rows.Scan(&c.Kind, &c.State, &c.Count, &oldest); err != nil {
			return nil, tx.d.mapError(err)
		}
		if c.Oldest, err = aggregateTime(oldest); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, tx.d.mapError(rows.Err())
}

// aggregateTime reads a time computed by an aggregate: PostgreSQL gives a
// time, SQLite the text it stored (it knows a column's type, not an
// expression's).
func aggregateTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return t.UTC(), nil
	case string:
		for _, layout := range []string{"2006-01-02 15:04:05.999999999-07:00", time.RFC3339Nano, "2006-01-02 15:04:05.999999999"} {
			if p, err := time.Parse(layout, t); err == nil {
				return p.UTC(), nil
			}
		}
	case []byte:
		return aggregateTime(string(t))
	}
	return time.Time{}, drive.Errorf(drive.EINTERNAL, "a stored time could not be read")
}
