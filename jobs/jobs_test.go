package jobs

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive"
)

func TestBackoff(t *testing.T) {
	for _, c := range []struct {
		attempt int
		want    time.Duration
	}{{0, 30 * time.Second}, {1, 30 * time.Second}, {2, time.Minute}, {3, 2 * time.Minute}, {7, 32 * time.Minute}, {8, time.Hour}, {50, time.Hour}} {
		if got := Backoff(c.attempt); got != c.want {
			t.Errorf("Backoff(%d) = %v, want %v", c.attempt, got, c.want)
		}
	}
}

func TestAfterFailure(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name      string
		job       Job
		permanent bool
		state     string
		runAt     time.Time
	}{
		{"first failure", Job{Attempts: 1, MaxAttempts: 3}, false, Queued, now.Add(30 * time.Second)},
		{"second failure", Job{Attempts: 2, MaxAttempts: 3}, false, Queued, now.Add(time.Minute)},
		{"last attempt", Job{Attempts: 3, MaxAttempts: 3}, false, Dead, time.Time{}},
		{"default attempts", Job{Attempts: DefaultMaxAttempts}, false, Dead, time.Time{}},
		{"permanent", Job{Attempts: 1, MaxAttempts: 3}, true, Dead, time.Time{}},
	} {
		state, runAt := AfterFailure(&c.job, now, c.permanent)
		if state != c.state || !runAt.Equal(c.runAt) {
			t.Errorf("%s: %s at %v, want %s at %v", c.name, state, runAt, c.state, c.runAt)
		}
	}
}

func TestPeriodic(t *testing.T) {
	at := time.Date(2026, 12, 6, 19, 42, 5, 0, time.FixedZone("BST", 3600))
	day := Periodic{Kind: "retention.daily", Every: 24 * time.Hour}.Job(at)
	if day.UniqueKey != "retention.daily@2026-12-06T00:00:00Z" || !day.RunAt.Equal(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("daily: %+v", day)
	}
	hour := Periodic{Kind: "assessments.due", Every: time.Hour}.Job(at)
	if hour.UniqueKey != "assessments.due@2026-12-06T18:00:00Z" {
		t.Errorf("hourly: %+v", hour)
	}
	// Two servers a second apart in one period queue the same job.
	if a, b := (Periodic{Kind: "k", Every: 5 * time.Minute}).Job(at), (Periodic{Kind: "k", Every: 5 * time.Minute}).Job(at.Add(time.Second)); a.UniqueKey != b.UniqueKey {
		t.Errorf("one period, two keys: %s, %s", a.UniqueKey, b.UniqueKey)
	}
}

func TestValidate(t *testing.T) {
	for _, c := range []struct {
		job   Job
		field string
	}{
		{Job{Kind: "retention.daily"}, ""},
		{Job{Kind: "feeds.watch", Payload: `{"site":3}`, UniqueKey: "x", MaxAttempts: 3}, ""},
		{Job{Kind: ""}, "kind"},
		{Job{Kind: "Retention Daily"}, "kind"},
		{Job{Kind: "a.", Payload: ""}, "kind"},
		{Job{Kind: "a", Payload: strings.Repeat("x", MaxPayload+1)}, "payload"},
		{Job{Kind: "a", Payload: "\xff"}, "payload"},
		{Job{Kind: "a", UniqueKey: strings.Repeat("k", 201)}, "unique_key"},
		{Job{Kind: "a", MaxAttempts: 101}, "max_attempts"},
	} {
		err := c.job.Validate()
		if c.field == "" {
			if err != nil {
				t.Errorf("%+v: %v", c.job, err)
			}
			continue
		}
		var e *drive.Error
		if drive.ErrorCode(err) != drive.EINVALID || !errors.As(err, &e) || e.Fields[c.field] == "" {
			t.Errorf("%+v: %v, want a message for %s", c.job.Kind, err, c.field)
		}
	}
}

func TestClip(t *testing.T) {
	long := strings.Repeat("é", MaxError)
	got := Clip(long)
	if len(got) > MaxError+len("…") || !strings.HasSuffix(got, "…") || !strings.HasPrefix(got, "é") {
		t.Errorf("Clip gave %d bytes", len(got))
	}
	if Clip("  short ") != "short" {
		t.Error("Clip did not trim")
	}
}
