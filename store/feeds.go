package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/drive-platform/drive"
)

// Feed is a site's machine credential for sending files to import, as
// stored: never its token, only the token's hash. Last is its latest
// import job, if it has delivered anything.
type Feed struct {
	ID        int64
	SiteID    int64
	SiteCode  string
	Name      string
	Interval  time.Duration
	CreatedAt time.Time
	RevokedAt *time.Time
	Last      *ImportJob
}

// Import job states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// ImportJob is one file waiting to be imported, being imported, or
// imported, as stored without the file itself (ImportJobChunk reads it).
// Problems is JSON written by the service.
type ImportJob struct {
	ID         int64
	SiteID     int64
	FeedID     int64 // 0: dropped in the inbox
	Kind       string
	InboxPath  string
	SHA256     []byte
	Status     string
	ClaimedBy  string
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
	Encoding   string
	Rows       int
	New        int
	Skipped    int
	Problems   string
	FiledAt    *time.Time
	// UserID is the analyst whose checked upload this is (0: a feed or
	// the inbox), FileName the name it was uploaded under and Options
	// how to read it (JSON written by the service).
	UserID   int64
	FileName string
	Options  string
}

// JobResult is what a finished import job records.
type JobResult struct {
	Status             string // JobDone or JobFailed
	Encoding           string
	Rows, New, Skipped int
	Problems           string
}

// CreateFeed stores a new feed for a site and returns its id. Errors:
// ECONFLICT when the site already has a feed of that name in use.
func (tx *Tx) CreateFeed(ctx context.Context, siteID int64, name string, tokenHash []byte, interval time.Duration) (int64, error) {
	return tx.insert(ctx, `INSERT INTO feeds (site_id, name, token_hash, interval_seconds, created_at) VALUES (?, ?, ?, ?, ?)`,
		siteID, name, tokenHash, int64(interval/time.Second), tx.Now)
}

// RevokeFeed ends the site's feed of that name, so its token works no
// more. Errors: ENOTFOUND when the site has no such feed in use.
func (tx *Tx) RevokeFeed(ctx context.Context, siteID int64, name string) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, `UPDATE feeds SET revoked_at = ? WHERE site_id = ? AND name = ? AND revoked_at IS NULL RETURNING id`,
		tx.Now, siteID, name).Scan(&id)
	if err != nil {
		return 0, tx.scanErr(err, "feed")
	}
	return id, nil
}

const feedSelect = `SELECT f.id, f.site_id, s.code, f.name, f.interval_seconds, f.created_at, f.revoked_at FROM feeds f JOIN sites s ON s.id = f.site_id`

func scanFeed(sc interface{ Scan(...any) error }) (*Feed, error) {
	var f Feed
	var secs int64
	var revoked sql.NullTime
	if err := sc.Scan(&f.ID, &f.SiteID, &f.SiteCode, &f.Name, &secs, &f.CreatedAt, &revoked); err != nil {
		return nil, err
	}
	f.Interval = time.Duration(secs) * time.Second
	f.CreatedAt = f.CreatedAt.UTC()
	if revoked.Valid {
		t := revoked.Time.UTC()
		f.RevokedAt = &t
	}
	return &f, nil
}

// FeedByTokenHash returns the feed in use whose token has that hash.
// Errors: ENOTFOUND for none (or a revoked one).
func (tx *Tx) FeedByTokenHash(ctx context.Context, hash []byte) (*Feed, error) {
	f, err := scanFeed(tx.queryRow(ctx, feedSelect+` WHERE f.token_hash = ? AND f.revoked_at IS NULL`, hash))
	if err != nil {
		return nil, tx.scanErr(err, "feed")
	}
	return f, nil
}

// Feeds lists the feeds of the given sites (none given: every site), in
// use ones only unless revoked, by site and name, each with its latest
// import job.
func (tx *Tx) Feeds(ctx context.Context, siteIDs []int64, revoked bool) ([]*Feed, error) {
	q := feedSelect + ` WHERE 1 = 1`
	var args []any
	if !revoked {
		q += ` AND f.revoked_at IS NULL`
	}
	if len(siteIDs) > 0 {
		q += ` AND f.site_id IN (` + placeholders(len(siteIDs)) + `)`
		args = int64Args(siteIDs)
	}
	rows, err := tx.query(ctx, q+` ORDER BY s.code, f.name, f.id`, args...)
	if err != nil {
		return nil, err
	}
	var out []*Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.d.mapError(err)
	}
	for _, f := range out {
		jobs, err := tx.FeedJobs(ctx, f.ID, 1)
		if err != nil {
			return nil, err
		}
		if len(jobs) > 0 {
			f.Last = jobs[0]
		}
	}
	return out, nil
}

// ImportChunkSize is the most an import job's file holds in one chunk.
const ImportChunkSize = 1 << 20

// CreateImportJob queues a file to import and returns the job's id. The
// file, if body is given, is stored in chunks; a caller streaming a large
// file passes nil and adds the chunks itself (AddImportJobChunk), in the
// same transaction.
func (tx *Tx) CreateImportJob(ctx context.Context, j *ImportJob, body []byte) (int64, error) {
	var inbox any
	if j.InboxPath != "" {
		inbox = j.InboxPath
	}
	id, err := tx.insert(ctx, `INSERT INTO import_jobs (site_id, feed_id, kind, inbox_path, sha256, status, created_at, user_id, file_name, options)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.SiteID, optID(j.FeedID), j.Kind, inbox, j.SHA256, JobQueued, tx.Now, optID(j.UserID), j.FileName, j.Options)
	if err != nil {
		return 0, err
	}
	j.ID, j.Status, j.CreatedAt = id, JobQueued, tx.Now
	for seq := 0; len(body) > 0; seq++ {
		n := min(len(body), ImportChunkSize)
		if err := tx.AddImportJobChunk(ctx, id, seq, body[:n]); err != nil {
			return 0, err
		}
		body = body[n:]
	}
	return id, nil
}

// AddImportJobChunk stores chunk seq (from 0, in order) of a queued
// job's file.
func (tx *Tx) AddImportJobChunk(ctx context.Context, id int64, seq int, data []byte) error {
	_, err := tx.exec(ctx, `INSERT INTO import_job_chunks (job_id, seq, data) VALUES (?, ?, ?)`, id, seq, data)
	return err
}

// ImportJobChunk returns chunk seq of a job's file, and false past its
// last chunk (or once the job has finished and let go of its file).
func (tx *Tx) ImportJobChunk(ctx context.Context, id int64, seq int) ([]byte, bool, error) {
	var data []byte
	err := tx.queryRow(ctx, `SELECT data FROM import_job_chunks WHERE job_id = ? AND seq = ?`, id, seq).Scan(&data)
	if err == sql.ErrNoRows {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, tx.d.mapError(err)
	}
	return data, true, nil
}

const jobSelect = `SELECT id, site_id, feed_id, kind, inbox_path, sha256, status, claimed_by, created_at, started_at, finished_at,
	encoding, rows_read, rows_new, rows_skipped, problems, filed_at, user_id, file_name, options FROM import_jobs`

func scanJob(sc interface{ Scan(...any) error }) (*ImportJob, error) {
	var j ImportJob
	var feed, user sql.NullInt64
	var inbox, claimed sql.NullString
	var started, finished, filed sql.NullTime
	if err := sc.Scan(&j.ID, &j.SiteID, &feed, &j.Kind, &inbox, &j.SHA256, &j.Status, &claimed, &j.CreatedAt, &started, &finished,
		&j.Encoding, &j.Rows, &j.New, &j.Skipped, &j.Problems, &filed, &user, &j.FileName, &j.Options); err != nil {
		return nil, err
	}
	j.FeedID, j.InboxPath, j.ClaimedBy, j.CreatedAt, j.UserID = feed.Int64, inbox.String, claimed.String, j.CreatedAt.UTC(), user.Int64
	j.StartedAt, j.FinishedAt, j.FiledAt = fromNullTime(started), fromNullTime(finished), fromNullTime(filed)
	return &j, nil
}

func (tx *Tx) jobs(ctx context.Context, clause string, args ...any) ([]*ImportJob, error) {
	rows, err := tx.query(ctx, jobSelect+` `+clause, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*ImportJob
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		out = append(out, j)
	}
	return out, tx.d.mapError(rows.Err())
}

// ImportJob returns one import job, without its file. Errors: ENOTFOUND.
func (tx *Tx) ImportJob(ctx context.Context, id int64) (*ImportJob, error) {
	j, err := scanJob(tx.queryRow(ctx, jobSelect+` WHERE id = ?`, id))
	if err != nil {
		return nil, tx.scanErr(err, "import")
	}
	return j, nil
}

// ImportJobBody returns the whole file a job holds, joined from its
// chunks; nil once it has finished (the file is let go of then). Errors:
// ENOTFOUND. Workers read a large file a chunk at a time instead.
func (tx *Tx) ImportJobBody(ctx context.Context, id int64) ([]byte, error) {
	if _, err := tx.ImportJob(ctx, id); err != nil {
		return nil, err
	}
	var body []byte
	for seq := 0; ; seq++ {
		data, ok, err := tx.ImportJobChunk(ctx, id, seq)
		if err != nil {
			return nil, err
		}
		if !ok {
			return body, nil
		}
		body = append(body, data...)
	}
}

// FeedJobs returns a feed's latest import jobs, newest first, at most n.
func (tx *Tx) FeedJobs(ctx context.Context, feedID int64, n int) ([]*ImportJob, error) {
	return tx.jobs(ctx, `WHERE feed_id = ? ORDER BY id DESC LIMIT ?`, feedID, n)
}

// UserImportJobs returns the latest jobs of a user's confirmed uploads,
// newest first, at most n.
func (tx *Tx) UserImportJobs(ctx context.Context, userID int64, n int) ([]*ImportJob, error) {
	return tx.jobs(ctx, `WHERE user_id = ? ORDER BY id DESC LIMIT ?`, userID, n)
}

// SiteInboxJobs returns the latest jobs of a site's files dropped in the
// inbox, newest first, at most n.
func (tx *Tx) SiteInboxJobs(ctx context.Context, siteID int64, n int) ([]*ImportJob, error) {
	return tx.jobs(ctx, `WHERE site_id = ? AND inbox_path IS NOT NULL ORDER BY id DESC LIMIT ?`, siteID, n)
}

// ClaimImportJob marks the oldest queued job of a site with no job
// running as running, claimed by worker, and returns it; nil when there
// is none to claim. PostgreSQL skips rows another worker holds (FOR
// UPDATE SKIP LOCKED); SQLite has one writer, so a single UPDATE is
// safe. The unique index on running jobs per site stops two workers
// running a site's jobs at once: the loser gets ECONFLICT.
func (tx *Tx) ClaimImportJob(ctx context.Context, worker string) (*ImportJob, error) {
	// Only the oldest queued job of its site is a candidate: a worker
	// that skips a job another holds must not take the same site's next
	// one, or a site's files would be imported out of order.
	const pick = `SELECT j.id FROM import_jobs j WHERE j.status = 'queued'
		AND NOT EXISTS (SELECT 1 FROM import_jobs r WHERE r.site_id = j.site_id AND r.status = 'running')
		AND j.id = (SELECT min(q.id) FROM import_jobs q WHERE q.site_id = j.site_id AND q.status = 'queued')
		ORDER BY j.id LIMIT 1`
	var id int64
	if tx.d.name == "postgres" {
		err := tx.queryRow(ctx, pick+` FOR UPDATE SKIP LOCKED`).Scan(&id)
		if err == sql.ErrNoRows {
			return nil, nil
		}
		if err != nil {
			return nil, tx.d.mapError(err)
		}
		if _, err := tx.exec(ctx, `UPDATE import_jobs SET status = 'running', claimed_by = ?, started_at = ?, heartbeat_at = ? WHERE id = ?`,
			worker, tx.Now, tx.Now, id); err != nil {
			return nil, err
		}
	} else {
		err := tx.queryRow(ctx, `UPDATE import_jobs SET status = 'running', claimed_by = ?, started_at = ?, heartbeat_at = ?
			WHERE id = (`+pick+`) RETURNING id`, worker, tx.Now, tx.Now).Scan(&id)
		if err == sql.ErrNoRows {
			return nil, nil
		}
		if err != nil {
			return nil, tx.d.mapError(err)
		}
	}
	return tx.ImportJob(ctx, id)
}

// HeartbeatImportJob says worker is still running job id.
func (tx *Tx) HeartbeatImportJob(ctx context.Context, id int64, worker string) error {
	_, err := tx.exec(ctx, `UPDATE import_jobs SET heartbeat_at = ? WHERE id = ? AND status = 'running' AND claimed_by = ?`, tx.Now, id, worker)
	return err
}

// RequeueStaleImportJobs puts back in the queue the running jobs of other
// workers whose heartbeat is older than before (their process died), and
// returns how many.
func (tx *Tx) RequeueStaleImportJobs(ctx context.Context, worker string, before time.Time) (int, error) {
	res, err := tx.exec(ctx, `UPDATE import_jobs SET status = 'queued', claimed_by = NULL, started_at = NULL, heartbeat_at = NULL
		WHERE status = 'running' AND claimed_by <> ? AND heartbeat_at < ?`, worker, before)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), tx.d.mapError(err)
}

// FinishImportJob records a job's outcome and lets go of its file. The
// job is finished when this is called (tx.Clock), not when the
// transaction that imported it began.
// Errors: ECONFLICT when worker no longer holds the job (it was retried
// elsewhere), so the caller's transaction, with its import, rolls back.
func (tx *Tx) FinishImportJob(ctx context.Context, id int64, worker string, r JobResult) error {
	res, err := tx.exec(ctx, `UPDATE import_jobs SET status = ?, finished_at = ?, encoding = ?, rows_read = ?, rows_new = ?, rows_skipped = ?,
		problems = ?, body = NULL WHERE id = ? AND status = 'running' AND claimed_by = ?`,
		r.Status, tx.Clock(), r.Encoding, r.Rows, r.New, r.Skipped, r.Problems, id, worker)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return drive.Errorf(drive.ECONFLICT, "the import job is no longer held by this worker")
	}
	_, err = tx.exec(ctx, `DELETE FROM import_job_chunks WHERE job_id = ?`, id)
	return err
}

// UnfiledInboxJobs returns the inbox jobs whose file has not yet been
// moved to done/ or failed/, oldest first.
func (tx *Tx) UnfiledInboxJobs(ctx context.Context) ([]*ImportJob, error) {
	return tx.jobs(ctx, `WHERE inbox_path IS NOT NULL AND filed_at IS NULL ORDER BY id`)
}

// FileInboxJob records that a finished inbox job's file was moved out of
// the inbox.
func (tx *Tx) FileInboxJob(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, `UPDATE import_jobs SET filed_at = ? WHERE id = ?`, tx.Now, id)
	return err
}

// SiteUsersWithRoles returns the enabled users holding any of roles at a
// site, by id.
func (tx *Tx) SiteUsersWithRoles(ctx context.Context, siteID int64, roles ...string) ([]int64, error) {
	if len(roles) == 0 {
		return nil, nil
	}
	args := append([]any{siteID}, make([]any, 0, len(roles))...)
	for _, r := range roles {
		args = append(args, r)
	}
	return tx.int64s(ctx, `SELECT DISTINCT u.id FROM users u JOIN role_assignments r ON r.user_id = u.id
		WHERE r.site_id = ? AND r.role IN (`+placeholders(len(roles))+`) AND u.disabled_at IS NULL ORDER BY u.id`, args...)
}

// InboxFolder is a site's inbox folder of one kind as watched for
// silence: when it was first seen, how often a file is expected, and its
// latest file's job, if any.
type InboxFolder struct {
	SiteID      int64
	SiteCode    string
	Kind        string
	FirstSeenAt time.Time
	Interval    time.Duration
	Last        *ImportJob
}

// SeeInboxFolder records that the server watches the site's inbox folder
// of kind, expecting a file every interval: the first time, from now.
func (tx *Tx) SeeInboxFolder(ctx context.Context, siteID int64, kind string, interval time.Duration) error {
	_, err := tx.exec(ctx, `INSERT INTO inbox_folders (site_id, kind, first_seen_at, interval_seconds) VALUES (?, ?, ?, ?)
		ON CONFLICT (site_id, kind) DO UPDATE SET interval_seconds = excluded.interval_seconds`,
		siteID, kind, tx.Now, int64(interval/time.Second))
	return err
}

// InboxFolders lists the inbox folders of the given sites (none given:
// every site) by site code and kind, each with its latest file's job.
func (tx *Tx) InboxFolders(ctx context.Context, siteIDs []int64) ([]*InboxFolder, error) {
	q := `SELECT f.site_id, s.code, f.kind, f.first_seen_at, f.interval_seconds FROM inbox_folders f JOIN sites s ON s.id = f.site_id`
	var args []any
	if len(siteIDs) > 0 {
		q += ` WHERE f.site_id IN (` + placeholders(len(siteIDs)) + `)`
		args = int64Args(siteIDs)
	}
	rows, err := tx.query(ctx, q+` ORDER BY s.code, f.kind`, args...)
	if err != nil {
		return nil, err
	}
	var out []*InboxFolder
	for rows.Next() {
		var f InboxFolder
		var secs int64
		if err := rows.Scan(&f.SiteID, &f.SiteCode, &f.Kind, &f.FirstSeenAt, &secs); err != nil {
			rows.Close()
			return nil, tx.d.mapError(err)
		}
		f.FirstSeenAt, f.Interval = f.FirstSeenAt.UTC(), time.Duration(secs)*time.Second
		out = append(out, &f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, tx.d.mapError(err)
	}
	for _, f := range out {
		jobs, err := tx.jobs(ctx, `WHERE site_id = ? AND kind = ? AND inbox_path IS NOT NULL ORDER BY id DESC LIMIT 1`, f.SiteID, f.Kind)
		if err != nil {
			return nil, err
		}
		if len(jobs) > 0 {
			f.Last = jobs[0]
		}
	}
	return out, nil
}
