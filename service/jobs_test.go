package service_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/jobs"
	"github.com/drive-platform/drive/service"
	"github.com/drive-platform/drive/store"
	"github.com/drive-platform/drive/storetest"
)

// jobRuns counts, safely across goroutines, how often each job ran.
type jobRuns struct {
	mu   sync.Mutex
	runs map[int64]int
	by   map[string]int
}

func (r *jobRuns) handler(worker string) service.JobHandler {
	return func(ctx context.Context, j *jobs.Job) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.runs == nil {
			r.runs, r.by = map[int64]int{}, map[string]int{}
		}
		r.runs[j.ID]++
		r.by[worker]++
		return nil
	}
}

func (r *jobRuns) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.runs {
		n += c
	}
	return n
}

// drain runs worker w of svc until it finds nothing to do.
func drain(t *testing.T, svc *service.Service, w *service.JobWorker) {
	t.Helper()
	for i := 0; i < 1000; i++ {
		ran, err := svc.RunNextJob(context.Background(), service.System("worker"), w)
		if err != nil {
			t.Error(err)
			return
		}
		if !ran {
			return
		}
	}
	t.Error("the worker never ran out of jobs")
}

// TestJobsRunOnceAcrossReplicas: two servers of one database, each with
// its worker, share 40 queued jobs: every job runs exactly once.
func TestJobsRunOnceAcrossReplicas(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(now)
			dbs := storetest.Replicas(t, e, 2, clock.Now)
			svcs := []*service.Service{{DB: dbs[0]}, {DB: dbs[1]}}
			for i := 0; i < 40; i++ {
				if ok, err := svcs[i%2].EnqueueJob(ctx, service.System("test"), &jobs.Job{Kind: "test.work", Payload: fmt.Sprintf(`{"n":%d}`, i)}); err != nil || !ok {
					t.Fatalf("enqueue: %v %v", ok, err)
				}
			}
			var runs jobRuns
			var wg sync.WaitGroup
			for i, svc := range svcs {
				w := &service.JobWorker{ID: fmt.Sprintf("replica-%d", i), Handlers: map[string]service.JobHandler{"test.work": runs.handler(fmt.Sprint(i))}}
				wg.Add(1)
				go func() { defer wg.Done(); drain(t, svc, w) }()
			}
			wg.Wait()
			if len(runs.runs) != 40 || runs.total() != 40 {
				t.Fatalf("%d jobs ran %d times, want 40 once each", len(runs.runs), runs.total())
			}
			t.Logf("jobs per replica: %v", runs.by)
		})
	}
}

// TestDailyJobOncePerDayAcrossReplicas: two servers each schedule and run
// the daily job all day long (and one restarts, forgetting what it
// scheduled); the day's job runs once, and the next day's once more.
func TestDailyJobOncePerDayAcrossReplicas(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(now)
			dbs := storetest.Replicas(t, e, 2, clock.Now)
			var runs jobRuns
			daily := []jobs.Periodic{{Kind: "test.daily", Every: 24 * time.Hour}}
			workers := make([]*service.JobWorker, 2)
			newWorker := func(i int) *service.JobWorker {
				return &service.JobWorker{ID: fmt.Sprintf("replica-%d", i), Periodic: daily,
					Handlers: map[string]service.JobHandler{"test.daily": runs.handler(fmt.Sprint(i))}}
			}
			for i := range workers {
				workers[i] = newWorker(i)
			}
			round := func() {
				var wg sync.WaitGroup
				for i, db := range dbs {
					svc, w := &service.Service{DB: db}, workers[i]
					wg.Add(1)
					go func() {
						defer wg.Done()
						if _, err := svc.ScheduleJobs(ctx, service.System("worker"), w); err != nil {
							t.Error(err)
						}
						drain(t, svc, w)
					}()
				}
				wg.Wait()
			}
			for hour := 0; hour < 14; hour++ {
				round()
				clock.Advance(time.Hour)
				if hour == 5 {
					workers[1] = newWorker(1) // restarted
				}
			}
			if got := runs.total(); got != 1 {
				t.Fatalf("the daily job ran %d times in a day, want once", got)
			}
			clock.Advance(12 * time.Hour)
			round()
			round()
			if got := runs.total(); got != 2 {
				t.Fatalf("after two days the daily job ran %d times, want twice", got)
			}
		})
	}
}

// TestJobRetryAndBackoff: a failing job is tried again after 30 s, then
// 1 min, keeping a safe account of its failure; a success ends it; its
// last failure leaves it dead until an administrator retries it, audited;
// a permanent failure, a panic and an internal error are recorded without
// the internal text.
func TestJobRetryAndBackoff(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(now)
			wd := newWorldAt(t, e, clock.Now)
			svc := wd.svc
			fails := 2
			w := &service.JobWorker{ID: "w", Handlers: map[string]service.JobHandler{
				"test.flaky": func(ctx context.Context, j *jobs.Job) error {
					if fails > 0 {
						fails--
						return drive.Errorf(drive.EUNAVAILABLE, "the mail server is not answering")
					}
					return nil
				},
				"test.broken": func(ctx context.Context, j *jobs.Job) error {
					return fmt.Errorf("scan: value %q not allowed", "SECRET-VALUE")
				},
				"test.unreadable": func(ctx context.Context, j *jobs.Job) error {
					return jobs.Permanent{Err: drive.Errorf(drive.EINVALID, "the payload is not JSON")}
				},
				"test.panics": func(ctx context.Context, j *jobs.Job) error { panic("boom") },
			}}
			sys := service.System("worker")
			admin := service.CommandLine()
			job := func(id int64) *jobs.Job {
				t.Helper()
				q, err := svc.Jobs(ctx, admin, store.JobFilter{})
				if err != nil {
					t.Fatal(err)
				}
				for _, j := range q.Jobs {
					if j.ID == id {
						return j
					}
				}
				t.Fatalf("job %d not listed", id)
				return nil
			}
			flaky := &jobs.Job{Kind: "test.flaky"}
			if _, err := svc.EnqueueJob(ctx, sys, flaky); err != nil {
				t.Fatal(err)
			}
			for i, wait := range []time.Duration{30 * time.Second, time.Minute} {
				if ran, err := svc.RunNextJob(ctx, sys, w); !ran || err != nil {
					t.Fatalf("attempt %d: ran %v, %v", i+1, ran, err)
				}
				got := job(flaky.ID)
				if got.State != jobs.Queued || !got.RunAt.Equal(clock.Now().Add(wait)) || got.LastError != "the mail server is not answering" {
					t.Fatalf("after failure %d: %+v", i+1, got)
				}
				clock.Advance(wait - time.Second)
				if ran, _ := svc.RunNextJob(ctx, sys, w); ran {
					t.Fatalf("attempt %d: run again before its backoff ended", i+1)
				}
				clock.Advance(time.Second)
			}
			if ran, err := svc.RunNextJob(ctx, sys, w); !ran || err != nil {
				t.Fatalf("third attempt: %v %v", ran, err)
			}
			if got := job(flaky.ID); got.State != jobs.Done || got.Attempts != 3 || got.LastError != "" {
				t.Fatalf("after success: %+v", got)
			}

			for _, kind := range []string{"test.broken", "test.unreadable", "test.panics"} {
				j := &jobs.Job{Kind: kind, MaxAttempts: 1}
				if kind == "test.unreadable" {
					j.MaxAttempts = 5 // dead at once all the same
				}
				if _, err := svc.EnqueueJob(ctx, sys, j); err != nil {
					t.Fatal(err)
				}
				if ran, err := svc.RunNextJob(ctx, sys, w); !ran || err != nil {
					t.Fatalf("%s: %v %v", kind, ran, err)
				}
				got := job(j.ID)
				if got.State != jobs.Dead || got.LastError == "" || strings.Contains(got.LastError, "SECRET") {
					t.Fatalf("%s: %+v", kind, got)
				}
				if kind == "test.unreadable" && got.LastError != "the payload is not JSON" {
					t.Errorf("%s: %q", kind, got.LastError)
				}
			}
			q, err := svc.Jobs(ctx, admin, store.JobFilter{State: jobs.Dead})
			if err != nil || len(q.Jobs) != 3 {
				t.Fatalf("dead jobs: %v %v", q, err)
			}
			// Only an administrator may retry, and only a dead job.
			if _, err := svc.RetryJob(ctx, wd.actor(t, "cm"), q.Jobs[0].ID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a case manager retried a job: %v", err)
			}
			if _, err := svc.Jobs(ctx, wd.actor(t, "cm"), store.JobFilter{}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("a case manager listed the queue: %v", err)
			}
			if _, err := svc.RetryJob(ctx, admin, flaky.ID); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Fatalf("retrying a done job: %v", err)
			}
			retried, err := svc.RetryJob(ctx, admin, q.Jobs[0].ID)
			if err != nil || retried.State != jobs.Queued || retried.Attempts != 0 {
				t.Fatalf("retry: %+v %v", retried, err)
			}
			if err := wd.db.View(ctx, func(tx *store.Tx) error {
				es, err := tx.AuditEvents(ctx, store.AuditFilter{RecordType: "job", Actions: []string{"job.retry"}})
				if err == nil && (len(es) != 1 || es[0].RecordID != fmt.Sprint(retried.ID)) {
					err = fmt.Errorf("audit of the retry: %+v", es)
				}
				return err
			}); err != nil {
				t.Error(err)
			}
			if _, err := svc.Jobs(ctx, admin, store.JobFilter{State: "stuck"}); drive.ErrorCode(err) != drive.EINVALID {
				t.Errorf("an unknown state: %v", err)
			}
			if _, err := svc.EnqueueJob(ctx, wd.actor(t, "cm"), &jobs.Job{Kind: "test.flaky"}); drive.ErrorCode(err) != drive.ENOTFOUND {
				t.Errorf("a person queued a job: %v", err)
			}
		})
	}
}

// TestJobLeaseExpiryAfterCrash: a worker claims a job and dies (nothing
// beats its lease); no other worker takes the job while the lease holds,
// and the first to look once it has run out runs it.
func TestJobLeaseExpiryAfterCrash(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			clock := storetest.NewClock(now)
			dbs := storetest.Replicas(t, e, 2, clock.Now)
			sys := service.System("worker")
			crashed, survivor := &service.Service{DB: dbs[0]}, &service.Service{DB: dbs[1]}
			j := &jobs.Job{Kind: "test.work"}
			if _, err := crashed.EnqueueJob(ctx, sys, j); err != nil {
				t.Fatal(err)
			}
			// The crashed server took the job and then died.
			if err := dbs[0].Transact(ctx, func(tx *store.Tx) error {
				_, err := tx.ClaimJob(ctx, "crashed", 2*time.Minute)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			dbs[0].Close()
			var runs jobRuns
			w := &service.JobWorker{ID: "survivor", Lease: 2 * time.Minute, Handlers: map[string]service.JobHandler{"test.work": runs.handler("survivor")}}
			clock.Advance(119 * time.Second)
			if ran, err := survivor.RunNextJob(ctx, sys, w); ran || err != nil {
				t.Fatalf("taken while its lease held: %v %v", ran, err)
			}
			clock.Advance(2 * time.Second)
			if ran, err := survivor.RunNextJob(ctx, sys, w); !ran || err != nil {
				t.Fatalf("not taken once its lease ran out: %v %v", ran, err)
			}
			if runs.total() != 1 || runs.runs[j.ID] != 1 {
				t.Fatalf("runs: %v", runs.runs)
			}
			if err := dbs[1].View(ctx, func(tx *store.Tx) error {
				got, err := tx.Job(ctx, j.ID)
				if err == nil && (got.State != jobs.Done || got.Attempts != 2) {
					err = fmt.Errorf("after the crash: %+v", got)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
