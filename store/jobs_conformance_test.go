package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestJobsConformance runs the background job queue suite on every engine
// available.
func TestJobsConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunJobs(t, e) })
	}
}
