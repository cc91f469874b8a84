package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestConformance runs the shared suite on every engine available.
func TestConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.Run(t, e) })
	}
}
