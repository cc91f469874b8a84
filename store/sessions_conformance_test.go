package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestSessionsConformance runs the session storage suite on every engine
// available.
func TestSessionsConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunSessions(t, e) })
	}
}
