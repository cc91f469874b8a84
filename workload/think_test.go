package workload

import (
	"context"
	"testing"
	"time"
)

// TestThinkEndsWithTheRun: a pause never outlasts a timed run's deadline
// or a cancelled run, however long it was drawn (a test that fails hangs
// for an hour), and a user whose pause reaches the deadline stops instead
// of asking for one more operation at the deadline, together with every
// other user still pausing then.
func TestThinkEndsWithTheRun(t *testing.T) {
	type answer struct {
		name string
		goOn bool
		want bool
	}
	done := make(chan []answer)
	go func() {
		var got []answer
		got = append(got, answer{"a pause past the deadline", think(context.Background(), time.Hour, time.Now().Add(10*time.Millisecond), false), false})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		got = append(got, answer{"a pause in a cancelled run", think(ctx, time.Hour, time.Now().Add(time.Hour), true), false})
		got = append(got, answer{"a pause after the deadline", think(context.Background(), time.Hour, time.Now().Add(-time.Second), false), false})
		got = append(got, answer{"a pause before the deadline", think(context.Background(), time.Millisecond, time.Now().Add(time.Hour), false), true})
		got = append(got, answer{"a pause in a counted run", think(context.Background(), time.Millisecond, time.Now().Add(-time.Second), true), true})
		done <- got
	}()
	select {
	case got := <-done:
		for _, a := range got {
			if a.goOn != a.want {
				t.Errorf("%s: go on = %v, want %v", a.name, a.goOn, a.want)
			}
		}
	case <-time.After(time.Minute):
		t.Fatal("a pause outlasted its run's deadline or a cancelled run")
	}
}
