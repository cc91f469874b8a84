package web

import (
	"sync"
	"time"
)

// clientClosed is the status recorded (in metrics and the request log) for
// a request whose client went away before it was answered, as proxies
// such as nginx record it. Nothing is sent: there is no one to send it to.
const clientClosed = 499

// errorLogWindow is how long identical server errors are logged once: a
// database that is down fails every request the same way, and 60,000
// identical lines in 30 seconds bury the one that says why.
const errorLogWindow = 10 * time.Second

// errorLog decides which server errors reach the log: the first of a kind
// (the same route, code and cause) in each errorLogWindow, carrying how
// many identical ones were left out since the last that was logged. Every
// failed request still has its own request log line and metrics.
type errorLog struct {
	mu   sync.Mutex
	now  func() time.Time // a stopwatch; tests move it
	seen map[string]*errorSeen
}

type errorSeen struct {
	logged     time.Time
	suppressed int
}

// maxErrorKinds bounds the memory errorLog keeps: past it, kinds not seen
// within the window are forgotten (and logged again when they recur).
const maxErrorKinds = 1024

func newErrorLog() *errorLog {
	return &errorLog{now: time.Now, seen: map[string]*errorSeen{}}
}

// allow reports whether an error of this kind is logged now and, if so,
// how many of its kind were left out since the last one logged.
func (l *errorLog) allow(kind string) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	e := l.seen[kind]
	if e != nil && now.Sub(e.logged) < errorLogWindow && !now.Before(e.logged) {
		e.suppressed++
		return false, 0
	}
	if e == nil {
		if len(l.seen) >= maxErrorKinds {
			for k, old := range l.seen {
				if now.Sub(old.logged) >= errorLogWindow {
					delete(l.seen, k)
				}
			}
			if len(l.seen) >= maxErrorKinds {
				l.seen = map[string]*errorSeen{}
			}
		}
		e = &errorSeen{}
		l.seen[kind] = e
	}
	left := e.suppressed
	e.logged, e.suppressed = now, 0
	return true, left
}
