package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestFeedsConformance runs the feeds and import jobs suite on every
// engine available.
func TestFeedsConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunFeeds(t, e) })
	}
}

// TestPendingUploadsConformance runs the checked uploads suite on every
// engine available.
func TestPendingUploadsConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunPendingUploads(t, e) })
	}
}
