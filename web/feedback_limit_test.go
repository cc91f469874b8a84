package web

import (
	"crypto/rand"
	"testing"
	"time"
)

func TestCodeLimiter(t *testing.T) {
	l, err := newCodeLimiter(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := 0; i < codeFailures; i++ {
		if !l.allowed("192.0.2.7", now) {
			t.Fatalf("refused after %d failures", i)
		}
		l.failed("192.0.2.7", now.Add(time.Duration(i)*time.Second))
	}
	if l.allowed("192.0.2.7", now.Add(time.Minute)) {
		t.Error("allowed after the limit")
	}
	if !l.allowed("192.0.2.8", now.Add(time.Minute)) {
		t.Error("another address was refused")
	}
	if !l.allowed("192.0.2.7", now.Add(codeWindow+time.Minute)) {
		t.Error("still refused after the window")
	}
	for k := range l.failures {
		if k == "192.0.2.7" || k == "192.0.2.8" {
			t.Error("an address is held in the clear")
		}
	}
	if len(l.failures) != 0 {
		t.Errorf("%d addresses remembered after their window", len(l.failures))
	}
}
