package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"time"

	"github.com/drive-platform/drive/jobs"
	"github.com/drive-platform/drive/retention"
	"github.com/drive-platform/drive/service"
)

// Kinds of the periodic jobs drive serve's worker role queues and runs.
// Each runs once per period across every server of the database.
const (
	jobRetentionDaily  = "retention.daily"
	jobAssessmentsDue  = "assessments.due"
	jobReadsWatch      = "reads.watch"
	jobAppointments    = "appointments.remind"
	jobFeedsWatch      = "feeds.watch"
	jobPrune           = "jobs.prune"
	jobSigninsSweep    = "signins.sweep"
	jobKeepDone        = 14 * 24 * time.Hour
	jobWorkerLease     = 2 * time.Minute
	jobWorkerPollEvery = 5 * time.Second
)

// workerID names this process in the job queue and the import queue: the
// host and a random part, so two workers on one host are told apart.
func workerID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "drive"
	}
	if len(host) > 60 {
		host = host[:60]
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return host + "-" + hex.EncodeToString(b[:])
}

// newJobWorker is the worker drive serve runs: the periodic work of the
// service as jobs (the retention run only when daily is set), each with
// its handler. What a handler did is logged as counts, never which
// records.
func newJobWorker(svc *service.Service, log *slog.Logger, id string, daily bool, schedule retention.Schedule) *service.JobWorker {
	reads := &service.ReadWatch{}
	w := &service.JobWorker{ID: id, Lease: jobWorkerLease, Log: log, Handlers: map[string]service.JobHandler{
		jobAssessmentsDue: counted(log, "due-assessment notifications raised", "notifications", func(ctx context.Context) (int, error) {
			return svc.NotifyDueAssessments(ctx, service.System("schedule"), svc.Today())
		}),
		jobAppointments: counted(log, "appointment reminders raised", "notifications", func(ctx context.Context) (int, error) {
			return svc.RemindAppointments(ctx, service.System("schedule"))
		}),
		jobReadsWatch: counted(log, "many-reads alerts raised", "alerts", func(ctx context.Context) (int, error) {
			return svc.WatchReads(ctx, reads)
		}),
		jobFeedsWatch: counted(log, "silent feeds notified", "notifications", func(ctx context.Context) (int, error) {
			return svc.WatchFeeds(ctx, service.System("feeds"))
		}),
		jobPrune: counted(log, "finished jobs pruned", "jobs", func(ctx context.Context) (int, error) {
			return svc.PruneJobs(ctx, service.System("worker"), jobKeepDone)
		}),
		jobSigninsSweep: counted(log, "ended sign-ins swept", "removed", func(ctx context.Context) (int, error) {
			rep, err := svc.SweepSignins(ctx, service.System("worker"))
			return rep.Total(), err
		}),
	}, Periodic: []jobs.Periodic{
		{Kind: jobAssessmentsDue, Every: time.Hour, MaxAttempts: 10},
		{Kind: jobAppointments, Every: 5 * time.Minute, MaxAttempts: 2},
		{Kind: jobReadsWatch, Every: time.Minute, MaxAttempts: 2},
		{Kind: jobFeedsWatch, Every: 5 * time.Minute, MaxAttempts: 2},
		{Kind: jobPrune, Every: 24 * time.Hour},
		{Kind: jobSigninsSweep, Every: 15 * time.Minute, MaxAttempts: 2},
	}}
	// Notification e-mails are sent by the workers that have a mail
	// server; without one they stay queued for a worker that has.
	if svc.Mail != nil {
		w.Handlers[service.JobMailNotify] = svc.MailHandler()
	}
	if daily {
		w.Handlers[jobRetentionDaily] = func(ctx context.Context, j *jobs.Job) error {
			rep, ran, err := svc.DailyRetentionRun(ctx, service.Scheduler(), schedule, id)
			if ran {
				for _, c := range rep.Classes {
					log.Info("daily retention run", slog.String("class", string(c.Rule.Class)), slog.Int("removed", len(c.Due)), slog.Int("held", len(c.Held)), slog.Int("earlier", len(c.Earlier)))
				}
			}
			return err
		}
		w.Periodic = append(w.Periodic, jobs.Periodic{Kind: jobRetentionDaily, Every: 24 * time.Hour, MaxAttempts: 10})
	}
	return w
}

// counted is the handler of a periodic job that does some number of
// things: it runs do and logs how many (under key) when it did any, never
// which records.
func counted(log *slog.Logger, msg, key string, do func(context.Context) (int, error)) service.JobHandler {
	return func(ctx context.Context, _ *jobs.Job) error {
		n, err := do(ctx)
		if n > 0 {
			log.Info(msg, slog.Int(key, n))
		}
		return err
	}
}

// runJobWorker queues each period's work as it begins and runs every job
// due, then looks again every poll until ctx ends. A failure to reach the
// database is logged and tried at the next look; a job's own failure is
// recorded on the job (and logged by the worker).
func runJobWorker(ctx context.Context, svc *service.Service, log *slog.Logger, w *service.JobWorker, poll time.Duration) {
	sys := service.System("worker")
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		if _, err := svc.ScheduleJobs(ctx, sys, w); err != nil && ctx.Err() == nil {
			log.Error("queueing periodic jobs", slog.String("error", err.Error()))
		}
		for ctx.Err() == nil {
			ran, err := svc.RunNextJob(ctx, sys, w)
			if err != nil && ctx.Err() == nil {
				log.Error("running background jobs", slog.String("error", err.Error()))
			}
			if !ran || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
