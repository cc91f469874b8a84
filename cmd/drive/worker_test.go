package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/drive-platform/drive/jobs"
	"github.com/drive-platform/drive/store"
)

// TestServeRoles: --role worker answers no requests but queues and runs
// the periodic jobs (each once for its period); a bad role, and
// background work given to the web role, are refused with what to do.
func TestServeRoles(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "d.db")
	keys := filepath.Join(dir, "k.json")
	if code, _, errOut := runCLI("keys", "generate", "--out", keys); code != 0 {
		t.Fatalf("keys generate: %s", errOut)
	}
	if code, _, errOut := runCLI("serve", "--db", db, "--keys", keys, "--role", "both"); code != 2 || !strings.Contains(errOut, "choose all, web or worker") {
		t.Fatalf("a bad role: exit %d, %q", code, errOut)
	}
	if code, _, errOut := runCLI("serve", "--db", db, "--keys", keys, "--role", "web", "--inbox", dir); code != 2 || !strings.Contains(errOut, "worker") {
		t.Fatalf("the inbox on the web role: exit %d, %q", code, errOut)
	}

	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, env{getenv: func(string) string { return "" }}, []string{"serve", "--db", db, "--keys", keys, "--role", "worker", "--addr", "127.0.0.1:1"}, &stdout, &stderr)
	}()
	s, err := store.Open(context.Background(), db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := []string{jobAssessmentsDue, jobAppointments, jobReadsWatch, jobFeedsWatch, jobPrune}
	var got []*jobs.Job
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		err := s.View(context.Background(), func(tx *store.Tx) (err error) {
			got, err = tx.Jobs(context.Background(), store.JobFilter{State: jobs.Done})
			return err
		})
		if err == nil && len(got) >= len(want) {
			break
		}
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("the worker exited %d: %s", code, stderr.String())
	}
	kinds := map[string]int{}
	for _, j := range got {
		kinds[j.Kind]++
	}
	for _, k := range want {
		if kinds[k] != 1 {
			t.Errorf("%s done %d times, want once: %v", k, kinds[k], kinds)
		}
	}
	if kinds[jobRetentionDaily] != 0 {
		t.Error("the retention run was queued without --retention-daily")
	}
	if !strings.Contains(stdout.String(), "worker is running") || strings.Contains(stdout.String(), "open http") {
		t.Errorf("the worker's output: %q", stdout.String())
	}
}
