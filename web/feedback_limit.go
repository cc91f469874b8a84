package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"io"
	"sync"
	"time"
)

// codeLimiter slows down guessing codes on the survivor route: after
// codeFailures wrong codes from one address within codeWindow, that
// address is refused for the rest of the window.
//
// It is kept in memory only, keyed by a keyed hash of the address under a
// key drawn when the server starts, and forgets an address once its window
// has passed: no address of her device is written to the database or any
// log. Each replica keeps its own count, so with n replicas a guesser gets
// at most n times the allowance, against codes of about 2^49 choices.
type codeLimiter struct {
	mu       sync.Mutex
	key      [32]byte
	failures map[string][]time.Time
}

const (
	codeFailures = 10
	codeWindow   = 15 * time.Minute
)

func newCodeLimiter(random io.Reader) (*codeLimiter, error) {
	l := &codeLimiter{failures: map[string][]time.Time{}}
	if _, err := io.ReadFull(random, l.key[:]); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *codeLimiter) id(addr string) string {
	m := hmac.New(sha256.New, l.key[:])
	m.Write([]byte(addr))
	return string(m.Sum(nil))
}

// recent drops failures older than the window (and forgets an address
// with none left) and returns those still counting.
func (l *codeLimiter) recent(id string, now time.Time) []time.Time {
	var keep []time.Time
	for _, t := range l.failures[id] {
		if now.Sub(t) < codeWindow {
			keep = append(keep, t)
		}
	}
	if len(keep) == 0 {
		delete(l.failures, id)
	} else {
		l.failures[id] = keep
	}
	return keep
}

// allowed reports whether addr may try a code now.
func (l *codeLimiter) allowed(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(l.id(addr), now)) < codeFailures
}

// failed records a wrong code from addr.
func (l *codeLimiter) failed(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := l.id(addr)
	l.failures[id] = append(l.recent(id, now), now)
	// Addresses that never come back are forgotten in a sweep, so memory
	// stays bounded by the addresses seen within one window.
	if len(l.failures) > sweepAbove {
		for other := range l.failures {
			l.recent(other, now)
		}
	}
}

// sweepAbove is how many addresses are held before old ones are swept.
const sweepAbove = 10000
