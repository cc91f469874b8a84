package service

import (
	"context"
	"errors"
	"log/slog"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/audit"
	"github.com/drive-platform/drive/jobs"
	"github.com/drive-platform/drive/store"
)

// JobHandler does one job's work. It returns nil when the work is done,
// an error to have the job tried again after its backoff, or a
// jobs.Permanent error when trying again cannot help. ctx ends if the
// worker loses the job (its lease was taken over) or stops. What the
// error says (drive.ErrorMessage) is shown to administrators, so it must
// name no person; the full error goes to the worker's log.
type JobHandler func(ctx context.Context, j *jobs.Job) error

// JobWorker runs background jobs from the database's queue, whichever
// server queued them. Every server of a database may run one; each job is
// run by one worker at a time (the store's claim), and one whose worker
// dies is taken up by another once its lease runs out.
type JobWorker struct {
	// ID names the worker in the queue (a host name and a random part).
	ID string
	// Lease is how long a claimed job is held without a heartbeat; the
	// worker beats every third of it while the handler runs.
	Lease time.Duration
	// Handlers are the kinds this worker runs; it claims no other kind,
	// so a server of an older version never takes a job it cannot do.
	Handlers map[string]JobHandler
	// Periodic is the work queued once per period (ScheduleJobs).
	Periodic []jobs.Periodic
	// Log receives each failure in full.
	Log *slog.Logger

	mu        sync.Mutex
	scheduled map[string]time.Time // kind: the last period this worker queued
}

func (w *JobWorker) kinds() []string {
	out := make([]string, 0, len(w.Handlers))
	for k := range w.Handlers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// EnqueueJob queues a job for the workers, and reports whether it was
// queued (false: another job holds its unique key). Only a trusted entry
// point may queue (the server itself, commands). Errors: ENOTFOUND for any
// other actor, EINVALID for a bad job.
func (s *Service) EnqueueJob(ctx context.Context, a Actor, j *jobs.Job) (bool, error) {
	if err := trusted(a, "job"); err != nil {
		return false, err
	}
	if err := j.Validate(); err != nil {
		return false, err
	}
	var queued bool
	err := s.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		queued, err = tx.EnqueueJob(ctx, j)
		return err
	})
	return queued, err
}

// ScheduleJobs queues the current period's job of each of the worker's
// periodic kinds, and returns how many it queued. Every worker of every
// server calls it; the period's unique key lets only the first enqueue
// count, so each period's work runs once. A worker asks the database only
// when a period has begun since it last asked.
func (s *Service) ScheduleJobs(ctx context.Context, a Actor, w *JobWorker) (int, error) {
	if err := trusted(a, "job"); err != nil {
		return 0, err
	}
	now := s.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.scheduled == nil {
		w.scheduled = map[string]time.Time{}
	}
	n := 0
	for _, p := range w.Periodic {
		slot := p.Slot(now)
		if w.scheduled[p.Kind].Equal(slot) {
			continue
		}
		j := p.Job(now)
		if err := j.Validate(); err != nil {
			return n, err
		}
		var queued bool
		if err := s.DB.Transact(ctx, func(tx *store.Tx) (err error) {
			queued, err = tx.EnqueueJob(ctx, j)
			return err
		}); err != nil {
			return n, err
		}
		w.scheduled[p.Kind] = slot
		if queued {
			n++
		}
	}
	return n, nil
}

// RunNextJob claims the next job the worker can run and runs it, beating
// its lease meanwhile, then records it done, or failed and queued again
// after its backoff, or dead after its last attempt. It reports whether
// there was a job. Errors: ENOTFOUND for an actor that is not a trusted
// entry point; a storage failure. A job's own failure is not an error
// here: it is recorded on the job.
func (s *Service) RunNextJob(ctx context.Context, a Actor, w *JobWorker) (bool, error) {
	if err := trusted(a, "job"); err != nil {
		return false, err
	}
	lease := w.Lease
	if lease <= 0 {
		lease = 2 * time.Minute
	}
	var j *jobs.Job
	if err := s.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		j, err = tx.ClaimJob(ctx, w.ID, lease, w.kinds()...)
		return err
	}); err != nil || j == nil {
		return false, err
	}
	jctx, cancel := context.WithCancel(ctx)
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		tick := time.NewTicker(lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-jctx.Done():
				return
			case <-tick.C:
			}
			err := s.DB.Transact(jctx, func(tx *store.Tx) error { return tx.HeartbeatJob(jctx, j.ID, w.ID, lease) })
			if drive.ErrorCode(err) == drive.ECONFLICT {
				cancel() // another worker has it now: stop
				return
			}
		}
	}()
	runErr := runHandler(jctx, w.Handlers[j.Kind], j)
	cancel()
	<-beat
	if ctx.Err() != nil {
		// The server is stopping: leave the job to its lease, so another
		// worker (or this one, restarted) takes it up.
		return true, nil
	}
	err := s.DB.Transact(ctx, func(tx *store.Tx) error {
		if runErr == nil {
			return tx.CompleteJob(ctx, j.ID, w.ID)
		}
		state, runAt := jobs.AfterFailure(j, tx.Now, errors.As(runErr, new(jobs.Permanent)))
		return tx.FailJob(ctx, j.ID, w.ID, state, runAt, jobFailure(runErr))
	})
	if runErr != nil && w.Log != nil {
		w.Log.Error("background job failed", slog.String("kind", j.Kind), slog.Int64("job", j.ID),
			slog.Int("attempt", j.Attempts), slog.String("error", runErr.Error()))
	}
	if drive.ErrorCode(err) == drive.ECONFLICT {
		return true, nil // taken over meanwhile; its new worker records it
	}
	return true, err
}

// runHandler runs h, turning a panic into the job's failure so one bad
// job does not stop the worker.
func runHandler(ctx context.Context, h JobHandler, j *jobs.Job) (err error) {
	if h == nil {
		return jobs.Permanent{Err: drive.Errorf(drive.EINVALID, "no handler for jobs of kind %s", j.Kind)}
	}
	defer func() {
		if p := recover(); p != nil {
			err = drive.Errorf(drive.EINTERNAL, "the job's handler panicked")
		}
	}()
	return h(ctx, j)
}

// jobFailure is what a failed job records for administrators: the safe
// message of a drive.Error, never the text of an internal error (it may
// quote a value), which goes to the log instead.
func jobFailure(err error) string {
	var e *drive.Error
	if errors.As(err, &e) && e.Code != drive.EINTERNAL {
		return e.Message
	}
	return "an internal error; the worker's log has its details"
}

// JobQueue is the queue as an administrator sees it: counts by kind and
// state, and the latest jobs.
type JobQueue struct {
	Counts []jobs.Count
	Jobs   []*jobs.Job
	// Imports counts the import jobs by kind and status (they keep their
	// files on their own table; /feeds shows each site's).
	Imports []jobs.Count
}

// readJobs asks the policy whether a may read the national configuration,
// of which the job queue is part.
func (s *Service) readJobs(ctx context.Context, tx *store.Tx, a Actor) error {
	_, err := s.decide(ctx, tx, a, access.Read, access.Resource{Class: access.Configuration, RecordType: "configuration"}, "job")
	return err
}

// Jobs returns the queue's counts and its latest jobs (of one kind or
// state when f says so). The queue holds no personal data. Errors:
// ENOTFOUND unless the actor may read the national configuration
// (administrators and data protection officers); EINVALID for an unknown
// state.
func (s *Service) Jobs(ctx context.Context, a Actor, f jobs.Filter) (*JobQueue, error) {
	if f.State != "" && !validState(f.State) {
		return nil, drive.Invalid("Choose a state from the list", map[string]string{"state": "Choose queued, running, done or dead"})
	}
	q := &JobQueue{}
	err := s.DB.View(ctx, func(tx *store.Tx) (err error) {
		if err := s.readJobs(ctx, tx, a); err != nil {
			return err
		}
		if q.Counts, err = tx.JobQueue(ctx); err != nil {
			return err
		}
		if q.Imports, err = tx.ImportQueue(ctx); err != nil {
			return err
		}
		q.Jobs, err = tx.Jobs(ctx, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// JobCounts returns the queue's counts by kind and state, and the import
// jobs' by kind and status, for /metrics. Only a trusted entry point may
// ask. Errors: ENOTFOUND otherwise.
func (s *Service) JobCounts(ctx context.Context, a Actor) (jobCounts, importCounts []jobs.Count, err error) {
	if err := trusted(a, "job"); err != nil {
		return nil, nil, err
	}
	err = s.DB.View(ctx, func(tx *store.Tx) (err error) {
		if jobCounts, err = tx.JobQueue(ctx); err != nil {
			return err
		}
		importCounts, err = tx.ImportQueue(ctx)
		return err
	})
	return jobCounts, importCounts, err
}

func validState(st string) bool {
	for _, s := range jobs.States {
		if s == st {
			return true
		}
	}
	return false
}

// RetryJob queues a dead job again at once, with fresh attempts, audited
// as "job.retry". Errors: ENOTFOUND unless the actor may change the
// national configuration (administrators), or when the job is not dead.
func (s *Service) RetryJob(ctx context.Context, a Actor, id int64) (*jobs.Job, error) {
	var j *jobs.Job
	err := s.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		if _, err := s.decide(ctx, tx, a, access.Write, access.Resource{Class: access.Configuration, RecordType: "configuration"}, "failed job"); err != nil {
			return err
		}
		if j, err = tx.RetryJob(ctx, id); err != nil {
			return err
		}
		return tx.Audit(ctx, audit.Event{Action: "job.retry", ActorID: a.UserID, ActorRole: actorRole(a, access.Admin), RecordType: "job",
			RecordID: strconv.FormatInt(id, 10), Remote: a.Remote, Outcome: audit.OutcomeOK, Reason: j.Kind})
	})
	return j, err
}

// PruneJobs deletes jobs done more than keep ago, and returns how many.
// Only a trusted entry point may (the daily jobs.prune job).
func (s *Service) PruneJobs(ctx context.Context, a Actor, keep time.Duration) (int, error) {
	if err := trusted(a, "job"); err != nil {
		return 0, err
	}
	var n int
	err := s.DB.Transact(ctx, func(tx *store.Tx) (err error) {
		n, err = tx.PruneJobs(ctx, tx.Now.Add(-keep))
		return err
	})
	return n, err
}
