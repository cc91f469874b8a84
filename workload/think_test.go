package workload

import (
	"context"
	"testing"
	"time"
)

// TestThinkEndsWithTheRun: a pause never outlasts a timed run's deadline
// or a cancelled run, however long it was drawn (a test that fails hangs
// for an hour).
func TestThinkEndsWithTheRun(t *testing.T) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		think(context.Background(), time.Hour, time.Now().Add(10*time.Millisecond), false)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		think(ctx, time.Hour, time.Now().Add(time.Hour), true)
		think(context.Background(), time.Hour, time.Now().Add(-time.Second), false)
	}()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("a pause outlasted its run's deadline or a cancelled run")
	}
}
