package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/jobs"
	"github.com/drive-platform/drive/store"
)

// Clock is a test clock that moves only when told, safe to read from
// several goroutines.
type Clock struct {
	mu sync.Mutex
	at time.Time
}

// NewClock returns a clock reading at.
func NewClock(at time.Time) *Clock { return &Clock{at: at} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.at = c.at.Add(d)
	c.mu.Unlock()
}

// RunJobs holds both engines to the same answers for the background job
// queue: a unique key queues one job however many enqueue it at once, a
// job is claimed only once its time has come and by one worker only even
// when workers race, a lease that runs out (its worker died) makes the job
// claimable again and the old worker can no longer finish it, a failure
// waits the backoff before the next try and the last one leaves the job
// dead until an administrator retries it.
func RunJobs(t *testing.T, e Engine) {
	ctx := context.Background()
	clock := NewClock(time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC))
	db := e.Open(t, clock.Now)
	enqueue := func(j *jobs.Job) bool {
		t.Helper()
		var ok bool
		if err := db.Transact(ctx, func(tx *store.Tx) (err error) { ok, err = tx.EnqueueJob(ctx, j); return }); err != nil {
			t.Fatal(err)
		}
		return ok
	}
	claim := func(worker string, lease time.Duration, kinds ...string) *jobs.Job {
		t.Helper()
		var j *jobs.Job
		if err := db.Transact(ctx, func(tx *store.Tx) (err error) { j, err = tx.ClaimJob(ctx, worker, lease, kinds...); return }); err != nil {
			t.Fatal(err)
		}
		return j
	}
	write := func(fn func(tx *store.Tx) error) error { return db.Transact(ctx, fn) }

	t.Run("unique key", func(t *testing.T) {
		day := jobs.Periodic{Kind: "test.daily", Every: 24 * time.Hour}
		var wg sync.WaitGroup
		var mu sync.Mutex
		queued := 0
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				j := day.Job(clock.Now())
				var ok bool
				err := db.Transact(ctx, func(tx *store.Tx) (err error) { ok, err = tx.EnqueueJob(ctx, j); return })
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					queued++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if queued != 1 {
			t.Fatalf("four servers queued the day's job %d times, want once", queued)
		}
		j := claim("w1", time.Minute, "test.daily")
		if j == nil || j.UniqueKey != "test.daily@2026-12-06T00:00:00Z" || j.RunAt != time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC) {
			t.Fatalf("the day's job: %+v", j)
		}
		if err := write(func(tx *store.Tx) error { return tx.CompleteJob(ctx, j.ID, "w1") }); err != nil {
			t.Fatal(err)
		}
		// Done, the key still holds: the day does not run twice.
		if enqueue(day.Job(clock.Now())) {
			t.Fatal("the day's job was queued again after it ran")
		}
		if next := day.Job(clock.Now().Add(24 * time.Hour)); !enqueue(next) {
			t.Fatal("the next day's job was not queued")
		} else if err := write(func(tx *store.Tx) error {
			_, err := tx.ClaimJob(ctx, "w1", time.Minute, "other.kind")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if j := claim("w1", time.Minute, "test.daily"); j != nil {
			t.Fatalf("tomorrow's job was claimed today: %+v", j)
		}
	})

	t.Run("race", func(t *testing.T) {
		const n = 30
		for i := 0; i < n; i++ {
			enqueue(&jobs.Job{Kind: "test.race", Payload: fmt.Sprintf(`{"n":%d}`, i)})
		}
		var mu sync.Mutex
		runs := map[int64]int{}
		by := map[string]int{}
		var wg sync.WaitGroup
		for w := 0; w < 3; w++ {
			worker := fmt.Sprintf("racer-%d", w)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					var j *jobs.Job
					err := db.Transact(ctx, func(tx *store.Tx) (err error) {
						j, err = tx.ClaimJob(ctx, worker, time.Minute, "test.race")
						return
					})
					if err != nil {
						t.Error(err)
						return
					}
					if j == nil {
						return
					}
					mu.Lock()
					runs[j.ID]++
					by[worker]++
					mu.Unlock()
					if err := db.Transact(ctx, func(tx *store.Tx) error { return tx.CompleteJob(ctx, j.ID, worker) }); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if len(runs) != n {
			t.Fatalf("%d of %d jobs ran", len(runs), n)
		}
		for id, c := range runs {
			if c != 1 {
				t.Errorf("job %d ran %d times", id, c)
			}
		}
		t.Logf("jobs per worker: %v", by)
	})

	t.Run("lease", func(t *testing.T) {
		j := &jobs.Job{Kind: "test.lease", MaxAttempts: 2}
		enqueue(j)
		got := claim("crashes", time.Minute, "test.lease")
		if got == nil || got.ID != j.ID || got.State != jobs.Running || got.Attempts != 1 || got.LeasedBy != "crashes" {
			t.Fatalf("claimed %+v", got)
		}
		if again := claim("other", time.Minute, "test.lease"); again != nil {
			t.Fatalf("a leased job was claimed twice: %+v", again)
		}
		// A heartbeat keeps it; only its holder may beat.
		clock.Advance(50 * time.Second)
		if err := write(func(tx *store.Tx) error { return tx.HeartbeatJob(ctx, j.ID, "crashes", time.Minute) }); err != nil {
			t.Fatal(err)
		}
		if err := write(func(tx *store.Tx) error { return tx.HeartbeatJob(ctx, j.ID, "other", time.Minute) }); drive.ErrorCode(err) != drive.ECONFLICT {
			t.Fatalf("a heartbeat by a worker not holding the job: %v", err)
		}
		clock.Advance(50 * time.Second)
		if again := claim("other", time.Minute, "test.lease"); again != nil {
			t.Fatalf("a job whose lease was renewed was claimed: %+v", again)
		}
		// The worker "crashes": nothing beats; once the lease runs out
		// another worker takes the job.
		clock.Advance(11 * time.Second)
		got = claim("other", time.Minute, "test.lease")
		if got == nil || got.ID != j.ID || got.Attempts != 2 || got.LeasedBy != "other" {
			t.Fatalf("after the lease ran out: %+v", got)
		}
		if err := write(func(tx *store.Tx) error { return tx.CompleteJob(ctx, j.ID, "crashes") }); drive.ErrorCode(err) != drive.ECONFLICT {
			t.Fatalf("the crashed worker finished a job it no longer holds: %v", err)
		}
		// It dies on its last attempt too: dead, not run a third time.
		clock.Advance(2 * time.Minute)
		if again := claim("third", time.Minute, "test.lease"); again != nil {
			t.Fatalf("a job claimed past its attempts: %+v", again)
		}
		if err := db.View(ctx, func(tx *store.Tx) error {
			got, err := tx.Job(ctx, j.ID)
			if err != nil {
				return err
			}
			if got.State != jobs.Dead || got.LastError == "" || got.LeasedBy != "" {
				t.Errorf("after its last lease ran out: %+v", got)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("retry", func(t *testing.T) {
		j := &jobs.Job{Kind: "test.retry", MaxAttempts: 3, Payload: `{"site":1}`}
		enqueue(j)
		var waits []time.Duration
		for attempt := 1; attempt <= 3; attempt++ {
			got := claim("w", time.Minute, "test.retry")
			if got == nil || got.ID != j.ID || got.Attempts != attempt {
				t.Fatalf("attempt %d: claimed %+v", attempt, got)
			}
			state, runAt := jobs.AfterFailure(got, clock.Now(), false)
			if err := write(func(tx *store.Tx) error {
				return tx.FailJob(ctx, got.ID, "w", state, runAt, fmt.Sprintf("the mail server refused, try %d", attempt))
			}); err != nil {
				t.Fatal(err)
			}
			if state == jobs.Dead {
				break
			}
			wait := runAt.Sub(clock.Now())
			waits = append(waits, wait)
			clock.Advance(wait - time.Second)
			if early := claim("w", time.Minute, "test.retry"); early != nil {
				t.Fatalf("attempt %d: claimed before its backoff ended", attempt)
			}
			clock.Advance(time.Second)
		}
		if len(waits) != 2 || waits[0] != jobs.BaseBackoff || waits[1] != 2*jobs.BaseBackoff {
			t.Fatalf("backoffs %v, want %v then %v", waits, jobs.BaseBackoff, 2*jobs.BaseBackoff)
		}
		var dead []*jobs.Job
		if err := db.View(ctx, func(tx *store.Tx) (err error) {
			dead, err = tx.Jobs(ctx, store.JobFilter{Kind: "test.retry", State: jobs.Dead})
			return
		}); err != nil {
			t.Fatal(err)
		}
		if len(dead) != 1 || dead[0].LastError != "the mail server refused, try 3" || dead[0].Attempts != 3 || dead[0].FinishedAt == nil {
			t.Fatalf("dead jobs: %+v", dead)
		}
		if j := claim("w", time.Minute, "test.retry"); j != nil {
			t.Fatalf("a dead job was claimed: %+v", j)
		}
		var retried *jobs.Job
		if err := write(func(tx *store.Tx) (err error) { retried, err = tx.RetryJob(ctx, j.ID); return }); err != nil {
			t.Fatal(err)
		}
		if retried.State != jobs.Queued || retried.Attempts != 0 {
			t.Fatalf("retried: %+v", retried)
		}
		if err := write(func(tx *store.Tx) error { _, err := tx.RetryJob(ctx, j.ID); return err }); drive.ErrorCode(err) != drive.ENOTFOUND {
			t.Fatalf("retrying a job that is not dead: %v", err)
		}
		got := claim("w", time.Minute, "test.retry")
		if got == nil || got.Attempts != 1 {
			t.Fatalf("after the retry: %+v", got)
		}
		if err := write(func(tx *store.Tx) error { return tx.CompleteJob(ctx, got.ID, "w") }); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("queue", func(t *testing.T) {
		clock.Advance(time.Hour)
		enqueue(&jobs.Job{Kind: "test.queue", RunAt: clock.Now().Add(-10 * time.Minute)})
		enqueue(&jobs.Job{Kind: "test.queue", RunAt: clock.Now().Add(-5 * time.Minute)})
		var counts []store.JobCount
		if err := db.View(ctx, func(tx *store.Tx) (err error) { counts, err = tx.JobQueue(ctx); return }); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range counts {
			if c.Kind == "test.queue" {
				found = true
				if c.State != jobs.Queued || c.Count != 2 || !c.Oldest.Equal(clock.Now().Add(-10*time.Minute)) {
					t.Errorf("queue of test.queue: %+v", c)
				}
			}
			if c.Kind == "test.race" && (c.State != jobs.Done || c.Count != 30 || c.Oldest.IsZero()) {
				t.Errorf("queue of test.race: %+v", c)
			}
		}
		if !found {
			t.Fatalf("queue: %+v", counts)
		}
		var pruned int
		if err := write(func(tx *store.Tx) (err error) { pruned, err = tx.PruneJobs(ctx, clock.Now()); return }); err != nil {
			t.Fatal(err)
		}
		// The race's 30, the retried job and the first day's job are done;
		// the dead lease job stays.
		if pruned != 32 {
			t.Fatalf("pruned %d done jobs, want 32", pruned)
		}
	})
}

// Replicas opens one fresh, migrated database of the engine n times, each
// with connections of its own, as n servers of one database would: on
// SQLite n writers of one file, on PostgreSQL n pools.
func Replicas(t testing.TB, e Engine, n int, now func() time.Time) []*store.DB {
	t.Helper()
	dsn := e.Blank(t)
	out := make([]*store.DB, n)
	for i := range out {
		out[i] = openAndMigrate(t, dsn, now)
	}
	return out
}
