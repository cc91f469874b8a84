package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/drive-platform/drive"
	"github.com/drive-platform/drive/service"
)

// Imports holds the two routes a feed may call: send a file to import,
// and ask what became of it. They take a feed (service.FeedCaller), not a
// user: a feed's token opens these routes and no other.
type Imports struct {
	Svc *service.Service
	// Limit is the largest file accepted (the server's upload limit).
	Limit func() int64
}

// FeedHandler is an API handler called by a feed.
type FeedHandler func(w http.ResponseWriter, r *http.Request, f *service.FeedCaller) error

// ImportBody is an import job as a feed sees it.
type ImportBody struct {
	ID       int64                `json:"id"`
	Status   string               `json:"status"`
	Kind     string               `json:"kind"`
	Created  time.Time            `json:"created_at"`
	Finished *time.Time           `json:"finished_at,omitempty"`
	Encoding string               `json:"encoding"`
	Rows     int                  `json:"rows"`
	New      int                  `json:"new"`
	Skipped  int                  `json:"skipped"`
	Problems []service.JobProblem `json:"problems"`
	Note     string               `json:"note,omitempty"`
}

// QueuedBody is the answer to a file sent.
type QueuedBody struct {
	ID     int64  `json:"id"`
	Status string `json:"status"`
}

// PostImport answers POST /imports?kind=incidents|marac: the request body
// is the file, as the force's system saved it (CSV in any encoding the
// import reads, or an .xlsx workbook). It is queued as an import job of
// the feed's site: 202 with the job's id. Errors: 422 for a missing or
// unknown kind or an empty file, 413 for a file over the limit.
func (h *Imports) PostImport(w http.ResponseWriter, r *http.Request, f *service.FeedCaller) error {
	// admit has limited the body to the upload limit already. The body
	// is streamed into the job, never held whole.
	j, err := h.Svc.QueueImport(r.Context(), f, r.URL.Query().Get("kind"), r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return drive.TooLarge("The file", h.Limit(), "send a smaller file, or split it")
	}
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/imports/"+strconv.FormatInt(j.ID, 10))
	return WriteJSON(w, http.StatusAccepted, QueuedBody{ID: j.ID, Status: j.Status})
}

// GetImport answers GET /imports/{id}: one of the feed's own import jobs,
// its status (queued, running, done or failed) and, once finished, what
// it read and brought, with every problem by line and column. Errors: 404
// for a job that is not the feed's.
func (h *Imports) GetImport(w http.ResponseWriter, r *http.Request, f *service.FeedCaller) error {
	id, err := pathID(r, "id", "import")
	if err != nil {
		return err
	}
	j, err := h.Svc.FeedImport(r.Context(), f, id)
	if err != nil {
		return err
	}
	return WriteJSON(w, http.StatusOK, ImportBody{ID: j.ID, Status: j.Status, Kind: j.Kind, Created: j.CreatedAt, Finished: j.FinishedAt,
		Encoding: j.Encoding, Rows: j.Rows, New: j.New, Skipped: j.Skipped, Problems: j.Problems, Note: j.Note()})
}
