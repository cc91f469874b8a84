package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestMeetingsConformance runs the meetings part of the shared suite on
// every engine available.
func TestMeetingsConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunMeetings(t, e) })
	}
}
