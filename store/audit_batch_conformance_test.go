package store_test

import (
	"testing"

	"github.com/drive-platform/drive/storetest"
)

// TestAuditBatchConformance runs the audited-read suite on every engine
// available.
func TestAuditBatchConformance(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) { storetest.RunAuditBatch(t, e) })
	}
}
