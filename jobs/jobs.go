// Package jobs holds the durable background job queue's rules: what a job
// is, the states it moves through, how long a failed job waits before it is
// tried again, and how periodic work is named so it runs once per period
// whichever server takes it. It knows nothing of SQL or HTTP: the store
// keeps jobs and claims them, the service runs them.
//
// A job carries a kind (what to do) and a payload (what to do it with).
// The payload is never personal data: it names records by id or carries
// settings, so the queue, its admin page and its metrics can be shown to
// an administrator, who may see no case record.
package jobs

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/drive-platform/drive"
)

// States a job moves through: queued (waiting for its run-at time), running
// (held by one worker under a lease), done, or dead (failed MaxAttempts
// times, or failed in a way no retry mends; an administrator may queue it
// again). A failed attempt with tries left goes back to queued with a later
// run-at.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Dead    = "dead"
)

// States lists every state, in the order pages show them.
var States = []string{Queued, Running, Done, Dead}

// Defaults for a job enqueued without its own.
const (
	// DefaultMaxAttempts is how many times a job is tried before it is dead.
	DefaultMaxAttempts = 5
	// BaseBackoff is the wait after the first failure; each further
	// failure doubles it, up to MaxBackoff.
	BaseBackoff = 30 * time.Second
	// MaxBackoff caps the wait between tries, so a job failing while the
	// mail server is down is tried at least hourly.
	MaxBackoff = time.Hour
	// MaxPayload is the longest payload accepted, in bytes: ids and
	// settings, never a file (imports keep their files on their own table).
	MaxPayload = 4096
	// MaxError is how much of a failure's text is kept.
	MaxError = 1000
)

// Job is one unit of background work.
type Job struct {
	ID   int64
	Kind string
	// Payload is what the handler of Kind reads (JSON by convention);
	// never personal data.
	Payload string
	// UniqueKey, when set, is held by one job only, ever: enqueuing a
	// second job with the same key does nothing. Periodic work uses it so a
	// day's (or hour's) run is queued once across every server.
	UniqueKey   string
	State       string
	Attempts    int
	MaxAttempts int
	// RunAt is when the job may next be claimed.
	RunAt time.Time
	// LeasedBy names the worker holding a running job; LeaseUntil is when
	// its lease runs out, after which another worker may claim the job
	// again (its worker is taken to have died).
	LeasedBy   string
	LeaseUntil *time.Time
	LastError  string
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`)

// Validate checks a job before it is queued. Errors: EINVALID saying what
// to change.
func (j *Job) Validate() error {
	fields := map[string]string{}
	if !kindPattern.MatchString(j.Kind) || len(j.Kind) > 100 {
		fields["kind"] = "Give the job's kind as lower-case words joined by dots, such as retention.daily"
	}
	if len(j.Payload) > MaxPayload {
		fields["payload"] = fmt.Sprintf("The payload is over %d bytes; pass ids, not data", MaxPayload)
	} else if !utf8.ValidString(j.Payload) {
		fields["payload"] = "The payload must be UTF-8 text"
	}
	if len(j.UniqueKey) > 200 {
		fields["unique_key"] = "The unique key must be at most 200 characters"
	}
	if j.MaxAttempts < 0 || j.MaxAttempts > 100 {
		fields["max_attempts"] = "Give between 1 and 100 attempts, or 0 for the default"
	}
	if len(fields) > 0 {
		return drive.Invalid("The job cannot be queued", fields)
	}
	return nil
}

// Backoff is how long to wait after a job's attempt-th failed attempt
// (attempt counts from 1): BaseBackoff doubled for each earlier failure,
// at most MaxBackoff.
func Backoff(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := BaseBackoff
	for i := 1; i < attempt; i++ {
		d *= 2
		if d >= MaxBackoff {
			return MaxBackoff
		}
	}
	return d
}

// AfterFailure says what becomes of a job whose latest attempt (its
// Attempts-th) failed at now: queued again at the returned time, or dead
// (zero time) when it has had all its attempts or the failure is
// permanent.
func AfterFailure(j *Job, now time.Time, permanent bool) (state string, runAt time.Time) {
	max := j.MaxAttempts
	if max <= 0 {
		max = DefaultMaxAttempts
	}
	if permanent || j.Attempts >= max {
		return Dead, time.Time{}
	}
	return Queued, now.Add(Backoff(j.Attempts))
}

// Clip shortens a failure's text to what is kept, on a rune boundary.
// Handlers must fail with text that names no person: the text is shown to
// administrators.
func Clip(msg string) string {
	msg = strings.TrimSpace(msg)
	if len(msg) <= MaxError {
		return msg
	}
	cut := MaxError
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return msg[:cut] + "…"
}

// Periodic is work done once every Every, whichever server does it: each
// period gets a job whose unique key names the kind and the period, so
// every worker may enqueue it and only the first enqueue counts.
type Periodic struct {
	Kind    string
	Every   time.Duration
	Payload string
	// MaxAttempts of each period's job; 0 means DefaultMaxAttempts. Work
	// done every few minutes needs few: the next period tries anyway.
	MaxAttempts int
}

// Slot is the start of the period holding now, in UTC. Periods that
// divide a day are aligned to midnight UTC, so a daily job's period is the
// UTC day and an hourly one's the clock hour.
func (p Periodic) Slot(now time.Time) time.Time {
	return now.UTC().Truncate(p.Every)
}

// Job is the job of the period holding now, due at the period's start.
func (p Periodic) Job(now time.Time) *Job {
	slot := p.Slot(now)
	return &Job{Kind: p.Kind, Payload: p.Payload, RunAt: slot, MaxAttempts: p.MaxAttempts, UniqueKey: p.Kind + "@" + slot.Format(time.RFC3339)}
}

// Permanent marks an error a handler returns when trying again cannot
// help (a payload it cannot read): the job goes straight to dead.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// Filter narrows a listing of jobs. Zero fields match everything; Limit 0
// means 100.
type Filter struct {
	Kind, State string
	Limit       int
}

// Count is how many jobs of a kind are in a state, and since when the
// oldest of them has waited: for queued jobs the earliest run-at, for
// running ones the earliest start, for done and dead the earliest finish.
type Count struct {
	Kind, State string
	Count       int
	Oldest      time.Time
}
