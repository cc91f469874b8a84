package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestKnownBrowsersConformance runs the known-browser storage suite on
// every engine available.
func TestKnownBrowsersConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunKnownBrowsers(t, e) })
	}
}
