package api

import (
	"github.com/drive-platform/drive"
	"net/http"
	"strconv"
	"time"

	"github.com/drive-platform/drive/jobs"
	"github.com/drive-platform/drive/service"
)

// Jobs holds the handler of the background job queue, for administrators'
// monitoring. The queue holds no personal data.
type Jobs struct {
	Svc *service.Service
}

// JobCountBody is how many jobs of a kind are in a state; oldest is when
// the oldest of them became due (queued), started (running) or finished.
type JobCountBody struct {
	Kind   string     `json:"kind"`
	State  string     `json:"state"`
	Count  int        `json:"count"`
	Oldest *time.Time `json:"oldest,omitempty"`
}

// JobBody is one job. last_error is the safe message of its latest failure.
type JobBody struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	State       string     `json:"state"`
	Attempts    int        `json:"attempts"`
	MaxAttempts int        `json:"max_attempts"`
	RunAt       time.Time  `json:"run_at"`
	CreatedAt   time.Time  `json:"created_at"`
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	LeasedBy    string     `json:"leased_by,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
}

// JobQueueBody is the queue: counts by kind and state, and the latest jobs.
type JobQueueBody struct {
	Counts []JobCountBody `json:"counts"`
	Jobs   []JobBody      `json:"jobs"`
	// Imports counts the import jobs (files sent by feeds or dropped in
	// the inbox) by kind and status, in the state field.
	Imports []JobCountBody `json:"imports"`
}

// ListJobs answers GET /jobs: counts by kind and state and the latest
// jobs, newest first (?kind=, ?state=, ?limit= up to 500 narrow them).
// Administrators and data protection officers only; others get 404.
func (h *Jobs) ListJobs(w http.ResponseWriter, r *http.Request, a service.Actor) error {
	q := r.URL.Query()
	f := jobs.Filter{Kind: q.Get("kind"), State: q.Get("state"), Limit: 100}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return drive.Invalid("Check the query", map[string]string{"limit": "Give limit as a number from 1 to 500"})
		}
		f.Limit = n
	}
	queue, err := h.Svc.Jobs(r.Context(), a, f)
	if err != nil {
		return err
	}
	out := JobQueueBody{Counts: countBodies(queue.Counts), Jobs: []JobBody{}, Imports: countBodies(queue.Imports)}
	for _, j := range queue.Jobs {
		out.Jobs = append(out.Jobs, JobBody{ID: j.ID, Kind: j.Kind, State: j.State, Attempts: j.Attempts, MaxAttempts: j.MaxAttempts,
			RunAt: j.RunAt, CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt, LeasedBy: j.LeasedBy, LastError: j.LastError})
	}
	return WriteJSON(w, http.StatusOK, out)
}

func countBodies(cs []jobs.Count) []JobCountBody {
	out := make([]JobCountBody, 0, len(cs))
	for _, c := range cs {
		b := JobCountBody{Kind: c.Kind, State: c.State, Count: c.Count}
		if !c.Oldest.IsZero() {
			t := c.Oldest
			b.Oldest = &t
		}
		out = append(out, b)
	}
	return out
}
