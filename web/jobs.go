package web

import (
	"net/http"
	"sort"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/access"
	"github.com/drive-platform/drive/jobs"
)

// jobsData is the background job queue page: per kind the count in each
// state and how long the oldest queued job has waited, the jobs that
// failed (dead, or queued again after a failure) with their error, and
// the latest jobs of the chosen state.
type jobsData struct {
	Kinds    []jobKindRow
	Imports  []importKindRow
	Failures []jobRow
	Latest   []jobRow
	State    string // the state the latest jobs are narrowed to, or ""
	States   []string
	CanRetry bool
}

type jobKindRow struct {
	Kind                        string
	Queued, Running, Done, Dead int
	OldestWait                  string // "" when nothing is queued
}

// importKindRow counts a kind of import job (incidents or marac) by
// status.
type importKindRow struct {
	Kind                          string
	Queued, Running, Done, Failed int
	OldestWait                    string
}

type jobRow struct {
	ID                  int64
	Kind, State         string
	Attempts, Max       int
	When, Error, Worker string
}

// adminJobs shows the job queue (GET /admin/jobs?state=).
func (s *Server) adminJobs(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	state := r.URL.Query().Get("state")
	q, err := s.svc.Jobs(ctx, a, jobs.Filter{State: state, Limit: 50})
	if err != nil {
		return err
	}
	failed, err := s.svc.Jobs(ctx, a, jobs.Filter{State: jobs.Dead, Limit: 50})
	if err != nil {
		return err
	}
	retrying, err := s.svc.Jobs(ctx, a, jobs.Filter{State: jobs.Queued, Limit: 200})
	if err != nil {
		return err
	}
	now := s.svc.Now()
	_, national := a.Subject.SitesFor(access.Configuration, access.Write)
	d := &jobsData{State: state, States: jobs.States, CanRetry: national}
	kinds := map[string]*jobKindRow{}
	for _, c := range q.Counts {
		k := kinds[c.Kind]
		if k == nil {
			k = &jobKindRow{Kind: c.Kind}
			kinds[c.Kind] = k
		}
		switch c.State {
		case jobs.Queued:
			k.Queued = c.Count
			if wait := now.Sub(c.Oldest); wait > 0 {
				k.OldestWait = waited(wait)
			} else {
				k.OldestWait = "not yet due"
			}
		case jobs.Running:
			k.Running = c.Count
		case jobs.Done:
			k.Done = c.Count
		case jobs.Dead:
			k.Dead = c.Count
		}
	}
	for _, k := range kinds {
		d.Kinds = append(d.Kinds, *k)
	}
	sort.Slice(d.Kinds, func(i, j int) bool { return d.Kinds[i].Kind < d.Kinds[j].Kind })
	imports := map[string]*importKindRow{}
	for _, c := range q.Imports {
		k := imports[c.Kind]
		if k == nil {
			k = &importKindRow{Kind: c.Kind}
			imports[c.Kind] = k
		}
		switch c.State {
		case "queued":
			k.Queued = c.Count
			k.OldestWait = waited(now.Sub(c.Oldest))
		case "running":
			k.Running = c.Count
		case "done":
			k.Done = c.Count
		case "failed":
			k.Failed = c.Count
		}
	}
	for _, k := range imports {
		d.Imports = append(d.Imports, *k)
	}
	sort.Slice(d.Imports, func(i, j int) bool { return d.Imports[i].Kind < d.Imports[j].Kind })
	for _, j := range failed.Jobs {
		d.Failures = append(d.Failures, jobRowOf(j))
	}
	for _, j := range retrying.Jobs {
		if j.LastError != "" {
			d.Failures = append(d.Failures, jobRowOf(j))
		}
	}
	for _, j := range q.Jobs {
		d.Latest = append(d.Latest, jobRowOf(j))
	}
	p := s.page(r, "Jobs", d)
	p.Flash = doneMessageOf(r)
	return s.render(w, r, http.StatusOK, "admin-jobs", p)
}

func jobRowOf(j *jobs.Job) jobRow {
	row := jobRow{ID: j.ID, Kind: j.Kind, State: j.State, Attempts: j.Attempts, Max: j.MaxAttempts, Error: j.LastError, Worker: j.LeasedBy}
	switch {
	case j.FinishedAt != nil:
		row.When = drive.DisplayTime(*j.FinishedAt)
	case j.StartedAt != nil && j.State == jobs.Running:
		row.When = drive.DisplayTime(*j.StartedAt)
	default:
		row.When = drive.DisplayTime(j.RunAt)
	}
	return row
}

// waited says how long, roughly, in words.
func waited(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + " h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " days"
}

// adminRetryJob queues a dead job again (POST /admin/jobs/{id}/retry).
func (s *Server) adminRetryJob(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return drive.NotFound("failed job")
	}
	if _, err := s.svc.RetryJob(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	confirm(w, r, "/admin/jobs", "job_retried")
	return nil
}
