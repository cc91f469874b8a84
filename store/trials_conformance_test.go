package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestTrialsConformance runs the trials suite on every engine available.
func TestTrialsConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunTrials(t, e) })
	}
}
